//! Honest statistics for conversion rates: confidence intervals (Wilson, Jeffreys), comparing
//! two rates (two-proportion z-test, Bayesian probability that B beats A) and calibrating
//! stage rates from several periods of history.
//!
//! These are statistical models and compute in `f64` internally; counts stay integers and
//! point estimates are exact [`Rate`]s.
//!
//! ```
//! use attain_funnel::stats::{compare_rates, Counts};
//! // METHOD.md 2.1: trial-class conversion 25% -> 42% (on 100 trials each): is it real?
//! let c = compare_rates(Counts { successes: 25, trials: 100 }, Counts { successes: 42, trials: 100 })?;
//! assert!(c.p_value < 0.02);           // two-sided z-test: p = 0.0109
//! assert!(c.prob_b_beats_a > 0.99);    // Beta(1, 1) priors: 0.9945
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use attain_types::{Growth, Rate};

use crate::error::{Error, Result};
use crate::risk::check_confidence;
use crate::special::{ln_beta, normal_cdf, normal_quantile};

/// Successes out of trials (conversions out of entries): a plain input struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Counts {
    /// Conversions.
    pub successes: u64,
    /// Entries.
    pub trials: u64,
}

impl Counts {
    /// Checks `trials > 0` and `successes <= trials`.
    ///
    /// # Errors
    /// [`Error::NoTrials`] naming `what`, [`Error::SuccessesExceedTrials`].
    pub fn check(&self, what: &'static str) -> Result<()> {
        if self.trials == 0 {
            return Err(Error::NoTrials { what });
        }
        if self.successes > self.trials {
            return Err(Error::SuccessesExceedTrials {
                successes: self.successes,
                trials: self.trials,
            });
        }
        Ok(())
    }

    /// The exact observed rate `successes / trials`.
    ///
    /// # Errors
    /// As [`Counts::check`].
    pub fn rate(&self) -> Result<Rate> {
        self.check("rate")?;
        Ok(Rate::from_ratio(self.successes, self.trials)?)
    }
}

/// Which confidence interval for a binomial proportion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum IntervalMethod {
    /// Wilson score interval (the default): `(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`.
    /// Good coverage even for small `n` or rates near 0 or 1, and never leaves `[0, 1]`.
    #[default]
    Wilson,
    /// Jeffreys interval: the equal-tailed interval of the `Beta(s + 1/2, n - s + 1/2)`
    /// posterior, with the lower bound 0 when `s = 0` and the upper bound 1 when `s = n`
    /// (Brown, Cai and DasGupta 2001), with statrs' inverse regularized incomplete beta.
    Jeffreys,
}

/// A confidence interval for a conversion rate.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RateInterval {
    /// The observed counts.
    pub counts: Counts,
    /// The exact point estimate `successes / trials`.
    pub estimate: Rate,
    /// The lower bound, in `[0, 1]`.
    pub lower: f64,
    /// The upper bound, in `[0, 1]`.
    pub upper: f64,
    /// The confidence level (`0.95`).
    pub confidence: f64,
    /// The method.
    pub method: IntervalMethod,
}

/// A confidence interval for `successes / trials`.
///
/// Edge cases: the bounds are clamped to `[0, 1]`; `s = 0` gives a lower bound of exactly 0
/// and `s = n` an upper bound of exactly 1. The Wilson interval always contains the estimate;
/// the Jeffreys interval does for the usual levels (it is centred on the posterior, so at a
/// very low confidence such as 10% it may not).
///
/// Worked example (Wilson, 95%, 25 of 100): `z = 1.959964`, `z² = 3.841459`,
/// centre `= (0.25 + 3.841459/200) / (1 + 3.841459/100) = 0.259248`, half-width
/// `= 1.959964 / 1.0384146 * sqrt(0.25 * 0.75 / 100 + 3.841459 / 40000) = 0.083796`:
/// `[0.175452, 0.343045]`.
///
/// ```
/// use attain_funnel::stats::{rate_interval, Counts, IntervalMethod};
/// let i = rate_interval(Counts { successes: 25, trials: 100 }, 0.95, IntervalMethod::Wilson)?;
/// assert!((i.lower - 0.175452).abs() < 1e-6 && (i.upper - 0.343045).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::NoTrials`], [`Error::SuccessesExceedTrials`], [`Error::InvalidConfidence`] unless
/// `0 < confidence < 1`.
pub fn rate_interval(
    counts: Counts,
    confidence: f64,
    method: IntervalMethod,
) -> Result<RateInterval> {
    counts.check("interval")?;
    check_confidence(confidence)?;
    let estimate = counts.rate()?;
    let (s, n) = (counts.successes as f64, counts.trials as f64);
    let p = s / n;
    let (mut lower, mut upper) = match method {
        IntervalMethod::Wilson => {
            let z = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
            let z2 = z * z;
            let denom = 1.0 + z2 / n;
            let centre = (p + z2 / (2.0 * n)) / denom;
            let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
            // Wilson contains the estimate by construction; keep it so despite rounding.
            ((centre - half).min(p), (centre + half).max(p))
        }
        IntervalMethod::Jeffreys => {
            let alpha = 1.0 - confidence;
            let (a, b) = (s + 0.5, n - s + 0.5);
            let inv = |q: f64| statrs::function::beta::inv_beta_reg(a, b, q);
            (inv(alpha / 2.0), inv(1.0 - alpha / 2.0))
        }
    };
    if counts.successes == 0 {
        lower = 0.0;
    }
    if counts.successes == counts.trials {
        upper = 1.0;
    }
    Ok(RateInterval {
        counts,
        estimate,
        lower: lower.clamp(0.0, 1.0),
        upper: upper.clamp(0.0, 1.0),
        confidence,
        method,
    })
}

/// Two rates compared: a two-proportion z-test and the Bayesian probability that B's true
/// rate is above A's.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RateComparison {
    /// Group A's counts.
    pub a: Counts,
    /// Group B's counts.
    pub b: Counts,
    /// A's exact rate.
    pub rate_a: Rate,
    /// B's exact rate.
    pub rate_b: Rate,
    /// `rate_b / rate_a - 1`, exact; `None` when `rate_a` is zero.
    pub relative_lift: Option<Growth>,
    /// The pooled z statistic (positive when B is higher).
    pub z: f64,
    /// The two-sided p-value of the z-test.
    pub p_value: f64,
    /// `P(rate_B > rate_A)` under independent `Beta(1, 1)` priors.
    pub prob_b_beats_a: f64,
}

/// The two-proportion z-test (pooled) and the Bayesian probability that B beats A.
///
/// z-test: `p = (sA + sB) / (nA + nB)`, `z = (pB - pA) / sqrt(p (1 - p) (1/nA + 1/nB))`,
/// two-sided `p-value = erfc(|z| / sqrt 2)`. When both groups are all-0 or all-1 (pooled
/// `p` is 0 or 1) there is no variance and no evidence: `z = 0`, `p-value = 1`. The normal
/// approximation wants about 5 successes and 5 failures per group.
///
/// Bayesian: see [`probability_b_beats_a`].
///
/// Worked example (METHOD.md 2.1, 25/100 vs 42/100): pooled `p = 67/200 = 0.335`,
/// `SE = sqrt(0.335 * 0.665 * 0.02) = 0.066750`, `z = 0.17 / 0.066750 = 2.5468`,
/// `p-value = 0.01087`; `P(B > A) = 0.99445`; relative lift `42/25 - 1 = +68%`.
///
/// # Errors
/// [`Error::NoTrials`], [`Error::SuccessesExceedTrials`].
pub fn compare_rates(a: Counts, b: Counts) -> Result<RateComparison> {
    let (z, p_value) = two_proportion_z_test(a, b)?;
    let (rate_a, rate_b) = (a.rate()?, b.rate()?);
    let relative_lift = if rate_a.is_zero() {
        None
    } else {
        Some(Growth::between(rate_a.to_decimal(), rate_b.to_decimal())?)
    };
    Ok(RateComparison {
        a,
        b,
        rate_a,
        rate_b,
        relative_lift,
        z,
        p_value,
        prob_b_beats_a: probability_b_beats_a(a, b)?,
    })
}

/// The pooled two-proportion z statistic and its two-sided p-value (see [`compare_rates`]).
///
/// # Errors
/// [`Error::NoTrials`], [`Error::SuccessesExceedTrials`].
pub fn two_proportion_z_test(a: Counts, b: Counts) -> Result<(f64, f64)> {
    a.check("group a")?;
    b.check("group b")?;
    let (na, nb) = (a.trials as f64, b.trials as f64);
    let (pa, pb) = (a.successes as f64 / na, b.successes as f64 / nb);
    let pooled = (a.successes as f64 + b.successes as f64) / (na + nb);
    let var = pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb);
    if var <= 0.0 {
        return Ok((0.0, 1.0));
    }
    let z = (pb - pa) / var.sqrt();
    let p_value = (2.0 * normal_cdf(-z.abs())).min(1.0);
    Ok((z, p_value))
}

/// Above this many terms the exact sum gives way to a normal approximation.
const EXACT_SUM_LIMIT: u64 = 1_000_000;

/// `P(rate_B > rate_A)` with independent `Beta(1 + s, 1 + n - s)` posteriors (uniform priors).
///
/// Exact sum (Evan Miller, "Formulas for Bayesian A/B testing"): with
/// `αA = sA + 1, βA = nA - sA + 1` and likewise for B,
/// `P(pB > pA) = sum_{i=0}^{αB - 1} B(αA + i, βA + βB) / ((βB + i) B(1 + i, βB) B(αA, βA))`,
/// each term in log space. The sum runs over the group with fewer successes (using
/// `P(pB > pA) = 1 - P(pA > pB)`; ties have probability zero). If both groups have more than
/// 10^6 successes, the posteriors are replaced by normals with their means and variances
/// (accurate to far better than 1e-3 at that size).
///
/// Edge cases: identical counts give 0.5 (up to rounding); all-success or all-failure groups
/// are fine (their posteriors are proper).
///
/// # Errors
/// [`Error::NoTrials`], [`Error::SuccessesExceedTrials`].
pub fn probability_b_beats_a(a: Counts, b: Counts) -> Result<f64> {
    a.check("group a")?;
    b.check("group b")?;
    let beta = |c: Counts| {
        (
            (c.successes + 1) as f64,
            (c.trials - c.successes + 1) as f64,
        )
    };
    let (aa, ba) = beta(a);
    let (ab, bb) = beta(b);
    if a.successes.min(b.successes) >= EXACT_SUM_LIMIT {
        let moments = |al: f64, be: f64| {
            (
                al / (al + be),
                al * be / ((al + be).powi(2) * (al + be + 1.0)),
            )
        };
        let (ma, va) = moments(aa, ba);
        let (mb, vb) = moments(ab, bb);
        return Ok(normal_cdf((mb - ma) / (va + vb).sqrt()));
    }
    // P(pY > pX) summed over Y's successes.
    let sum = |ax: f64, bx: f64, ay: u64, by: f64| -> f64 {
        let base = ln_beta(ax, bx);
        let mut total = 0.0;
        for i in 0..ay {
            let fi = i as f64;
            total +=
                (ln_beta(ax + fi, bx + by) - (by + fi).ln() - ln_beta(1.0 + fi, by) - base).exp();
        }
        total
    };
    let p = if b.successes <= a.successes {
        sum(aa, ba, b.successes + 1, bb)
    } else {
        1.0 - sum(ab, bb, a.successes + 1, ba)
    };
    Ok(p.clamp(0.0, 1.0))
}

/// Stage counts of one period of history: how many entered each stage, top first (the last
/// entry is deals).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PeriodCounts {
    /// The period's label (`"2024"`).
    pub period: String,
    /// Entries per stage, top first; each must not exceed the one before.
    pub counts: Vec<u64>,
}

/// One stage rate estimated from history.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CalibratedRate {
    /// The transition index: from stage `from` to stage `from + 1`.
    pub from: usize,
    /// The interval of the pooled rate (its `estimate` is the pooled rate).
    pub interval: RateInterval,
    /// Each period's own interval (its `estimate` is the period's rate), so that drift shows;
    /// `None` for a period with no entries at `from`.
    pub per_period: Vec<Option<RateInterval>>,
}

/// Estimates each stage's conversion rate from several periods of history: the pooled rate
/// `sum of next-stage counts / sum of this-stage counts` over all periods (each entry weighs
/// the same, whatever its period), its interval, and each period's own rate and interval so
/// that drift shows (a period whose interval excludes the pooled rate is worth a look).
///
/// Worked example (METHOD.md 2.2): 3 years of 1,000 leads, 100 visits, 30 proposals, 6 deals
/// give lead > visit `300/3000 = 10%`, visit > proposal `90/300 = 30%` and proposal > deal
/// `18/90 = 20%`.
///
/// # Errors
/// [`Error::NoSteps`] if there is no period or fewer than 2 stages,
/// [`Error::LengthMismatch`] if periods differ in length,
/// [`Error::SuccessesExceedTrials`] if a stage count exceeds the one before,
/// [`Error::NoTrials`] if a stage never had entries, [`Error::InvalidConfidence`].
pub fn calibrate(
    history: &[PeriodCounts],
    confidence: f64,
    method: IntervalMethod,
) -> Result<Vec<CalibratedRate>> {
    let stages = history.first().map_or(0, |p| p.counts.len());
    if stages < 2 {
        return Err(Error::NoSteps);
    }
    for p in history {
        if p.counts.len() != stages {
            return Err(Error::LengthMismatch {
                what: "period counts",
                got: p.counts.len(),
                expected: stages,
            });
        }
        for w in p.counts.windows(2) {
            if w[1] > w[0] {
                return Err(Error::SuccessesExceedTrials {
                    successes: w[1],
                    trials: w[0],
                });
            }
        }
    }
    (0..stages - 1)
        .map(|from| {
            let mut total = Counts::default();
            let mut per_period = Vec::with_capacity(history.len());
            for p in history {
                let (t, s) = (p.counts[from], p.counts[from + 1]);
                total.trials =
                    total
                        .trials
                        .checked_add(t)
                        .ok_or(attain_types::Error::Overflow {
                            operation: "calibrate",
                        })?;
                total.successes += s; // s <= t, so this cannot overflow first
                per_period.push(if t == 0 {
                    None
                } else {
                    Some(rate_interval(
                        Counts {
                            successes: s,
                            trials: t,
                        },
                        confidence,
                        method,
                    )?)
                });
            }
            Ok(CalibratedRate {
                from,
                interval: rate_interval(total, confidence, method)?,
                per_period,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_groups_are_a_coin_flip() {
        let c = Counts {
            successes: 30,
            trials: 100,
        };
        assert!((probability_b_beats_a(c, c).unwrap() - 0.5).abs() < 1e-12);
        let (z, p) = two_proportion_z_test(c, c).unwrap();
        assert_eq!((z, p), (0.0, 1.0));
    }

    #[test]
    fn bayes_sum_agrees_both_ways() {
        // Summing over A or over B must agree.
        let a = Counts {
            successes: 25,
            trials: 100,
        };
        let b = Counts {
            successes: 42,
            trials: 100,
        };
        let ab = probability_b_beats_a(a, b).unwrap();
        let ba = probability_b_beats_a(b, a).unwrap();
        assert!((ab + ba - 1.0).abs() < 1e-12);
    }
}
