//! Exact integer helpers: decimal weights as integers, 256-bit `a * b / c`, gcd and lcm.

use attain_types::Decimal;

use crate::error::{Error, Result};

/// Converts non-negative decimal weights to exact integers at one common scale.
pub(crate) fn integer_weights(what: &'static str, weights: &[Decimal]) -> Result<Vec<u128>> {
    if let Some((index, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| w.is_sign_negative() && !w.is_zero())
    {
        return Err(Error::NegativeWeight { what, index, value });
    }
    let scale = weights
        .iter()
        .map(|w| w.normalize().scale())
        .max()
        .unwrap_or(0);
    weights
        .iter()
        .map(|w| {
            let w = w.normalize();
            10u128
                .checked_pow(scale - w.scale())
                .and_then(|p| p.checked_mul(w.mantissa().unsigned_abs()))
                .ok_or(Error::Overflow {
                    operation: "integer weights",
                })
        })
        .collect()
}

/// `sum` of integers, checked.
pub(crate) fn checked_sum(values: &[u128]) -> Result<u128> {
    values
        .iter()
        .try_fold(0u128, |acc, &v| acc.checked_add(v))
        .ok_or(Error::Overflow {
            operation: "weight sum",
        })
}

/// An integer weight as a `Decimal` (for `attain_types::allocate_units`).
pub(crate) fn to_decimal(v: u128) -> Result<Decimal> {
    i128::try_from(v)
        .ok()
        .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok())
        .ok_or(Error::Overflow {
            operation: "weight to decimal",
        })
}

/// Divides every weight by the gcd of all of them (keeps ratios, shrinks magnitudes).
pub(crate) fn reduce(weights: &mut [u128]) {
    let g = weights.iter().fold(0u128, |g, &w| gcd(g, w));
    if g > 1 {
        for w in weights {
            *w /= g;
        }
    }
}

pub(crate) fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

pub(crate) fn lcm(a: u128, b: u128) -> Result<u128> {
    if a == 0 || b == 0 {
        return Ok(a.max(b));
    }
    (a / gcd(a, b)).checked_mul(b).ok_or(Error::Overflow {
        operation: "least common multiple",
    })
}

/// Cumulative rounding: part `k` is `floor(T * W_k / W) - floor(T * W_(k-1) / W)` where `W_k`
/// is the running sum of the weights (a negative total is mirrored). Every contiguous run of
/// parts then sums to its exact share rounded down or up, and the parts sum to `T`.
pub(crate) fn cumulative(total: i128, weights: &[u128]) -> Result<Vec<i128>> {
    let sum = checked_sum(weights)?;
    if sum == 0 {
        return Err(attain_types::Error::ZeroWeights {
            count: weights.len(),
        }
        .into());
    }
    let t = total.unsigned_abs();
    let mut out = Vec::with_capacity(weights.len());
    let mut run: u128 = 0;
    let mut prev: u128 = 0;
    for &w in weights {
        run += w; // <= sum, checked above
        let (q, _) = mul_div(t, run, sum).ok_or(Error::Overflow {
            operation: "cumulative rounding",
        })?;
        let part = i128::try_from(q - prev).map_err(|_| Error::Overflow {
            operation: "cumulative rounding",
        })?;
        out.push(if total < 0 { -part } else { part });
        prev = q;
    }
    Ok(out)
}

/// `(floor(a * b / c), a * b mod c)` with a 256-bit product; `None` if `c == 0` or the
/// quotient does not fit 128 bits.
pub(crate) fn mul_div(a: u128, b: u128, c: u128) -> Option<(u128, u128)> {
    attain_types::wide::mul_div(a, b, c)
}

/// Compares `a * b` with `c * d` exactly.
pub(crate) fn cmp_products(a: u128, b: u128, c: u128, d: u128) -> core::cmp::Ordering {
    let w = attain_types::wide::mul_wide;
    w(a, b).cmp(&w(c, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn int_helpers() {
        assert_eq!(
            integer_weights("w", &[dec!(0.4), dec!(6)]).unwrap(),
            [4, 60]
        );
        assert!(integer_weights("w", &[dec!(-1)]).is_err());
        assert_eq!(lcm(28, 30).unwrap(), 420);
        assert_eq!(
            mul_div(u128::MAX, u128::MAX, u128::MAX),
            Some((u128::MAX, 0))
        );
        assert_eq!(mul_div(u128::MAX, 2, 1), None);
        assert_eq!(mul_div(7, 3, 2), Some((10, 1)));
        let mut w = [4, 6, 0];
        reduce(&mut w);
        assert_eq!(w, [2, 3, 0]);
        assert!(cmp_products(u128::MAX, 2, u128::MAX, 1).is_gt());
    }
}
