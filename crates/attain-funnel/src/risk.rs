//! Risk: the probability that planned entries reach the target, and the entries needed for a
//! chosen confidence.
//!
//! # Model
//!
//! Each entry converts independently with the stage's rate, so the deals produced by `n`
//! entries at one stage are `Binomial(n, p)`. For a chain of stages this is still exact, not
//! an approximation: if `X ~ Binomial(n, p1)` entries pass the first stage and each of them
//! passes the second independently with `p2`, the number passing both is
//! `Binomial(n, p1 * p2)` (independent thinning of a binomial is binomial). So a funnel of
//! any length is `Binomial(n, product of rates)` from any stage down, and
//! [`probability_at_least`] is exact for it.
//!
//! The tail is computed in `f64` (log space, see the function docs); rates are converted from
//! their exact decimals to the nearest `f64`.

use attain_types::Rate;

use crate::error::{Error, Result};
use crate::special::binomial_sf;

/// The nearest `f64` of a rate.
pub(crate) fn rate_f64(rate: Rate) -> f64 {
    f64::try_from(rate.to_decimal()).unwrap_or(0.0)
}

/// `P(X >= successes)` for `X ~ Binomial(trials, rate)`: the probability that `trials`
/// entries converting independently at `rate` yield at least `successes`.
///
/// Formula: `1 - sum_{i < k} C(n, i) p^i (1 - p)^(n - i)` when `k - 1` is below the mean
/// `n p`, otherwise `sum_{i >= k} ...`; either tail is summed in log space from next to the
/// mean outwards until the terms vanish (`O(sqrt(n p (1 - p)))` terms, so huge counts stay
/// fast and nothing underflows), with consecutive terms from the ratio
/// `pmf(i + 1) / pmf(i) = (n - i) / (i + 1) * p / (1 - p)`. Accuracy is about `1e-12`
/// absolute for counts in the thousands, degrading gently (through `ln Γ`) for billions.
///
/// Edge cases: `successes = 0` gives 1; `successes > trials` or a zero rate (with
/// `successes > 0`) gives 0; a rate of 1 gives 1 when `trials >= successes`.
///
/// Worked example (METHOD.md 1.2): 15 prospects at 20% reach 3 deals with probability
/// `1 - (0.8^15 + 15 * 0.2 * 0.8^14 + 105 * 0.2^2 * 0.8^13) = 1 - 0.39802 = 0.60198`.
///
/// ```
/// use attain_funnel::risk::probability_at_least;
/// use attain_types::{Rate, dec};
/// let p = probability_at_least(15, Rate::new(dec!(0.2))?, 3);
/// assert!((p - 0.6020).abs() < 5e-5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn probability_at_least(trials: u64, rate: Rate, successes: u64) -> f64 {
    binomial_sf(trials, rate_f64(rate), successes)
}

/// The smallest number of entries `n` with `P(Binomial(n, rate) >= successes) >= confidence`.
///
/// Found by doubling from `successes` and then bisection; the tail probability grows with
/// `n`, so the search is exact (within the `f64` tail). `successes = 0` needs 0 entries.
///
/// Worked example: 3 deals at 20% need 15 prospects in expectation but 25 for 90% confidence
/// (`P(X >= 3 | 24, 0.2) = 0.8855`, `P(X >= 3 | 25, 0.2) = 0.9018`).
///
/// # Errors
/// [`Error::InvalidConfidence`] unless `0 < confidence < 1`; [`Error::ConfidenceUnreachable`]
/// for a zero rate or if more than 2^62 entries would be needed.
pub fn entries_for_confidence(successes: u64, rate: Rate, confidence: f64) -> Result<u64> {
    check_confidence(confidence)?;
    if successes == 0 {
        return Ok(0);
    }
    const LIMIT: u64 = 1 << 62;
    let p = rate_f64(rate);
    if p <= 0.0 {
        return Err(Error::ConfidenceUnreachable {
            confidence,
            limit: LIMIT,
        });
    }
    let ok = |n: u64| binomial_sf(n, p, successes) >= confidence;
    let mut lo = successes; // below `successes` the probability is 0
    if ok(lo) {
        return Ok(lo);
    }
    let mut hi = lo;
    loop {
        lo = hi;
        hi = hi.saturating_mul(2);
        if hi > LIMIT {
            return Err(Error::ConfidenceUnreachable {
                confidence,
                limit: LIMIT,
            });
        }
        if ok(hi) {
            break;
        }
    }
    // Invariant: !ok(lo), ok(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) { hi = mid } else { lo = mid }
    }
    Ok(hi)
}

pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidConfidence { value: confidence })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn entries_for_confidence_method_case() {
        let r = Rate::new(dec!(0.2)).unwrap();
        let n = entries_for_confidence(3, r, 0.9).unwrap();
        assert!(probability_at_least(n, r, 3) >= 0.9);
        assert!(probability_at_least(n - 1, r, 3) < 0.9);
        assert_eq!(n, 25);
        assert!(entries_for_confidence(3, Rate::ZERO, 0.9).is_err());
        assert!(entries_for_confidence(3, r, 1.0).is_err());
        assert!(entries_for_confidence(3, r, f64::NAN).is_err());
        assert_eq!(entries_for_confidence(0, r, 0.9).unwrap(), 0);
        assert_eq!(entries_for_confidence(3, Rate::ONE, 0.9).unwrap(), 3);
    }
}
