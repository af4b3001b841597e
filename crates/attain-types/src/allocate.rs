//! Exact allocation: split an amount by weights into parts that sum back to the whole,
//! to the minor unit.
//!
//! # Method: largest remainder (Hamilton)
//!
//! With the total `T` in minor units and weights `w_i` (exact decimals, `W = sum w_i`), each
//! part first gets `floor(T * w_i / W)` units, computed in exact integer arithmetic (256-bit
//! intermediates, no rounding). The `L = T - sum floor(...)` units left over (`L < n`) go one
//! each to the `L` parts with the largest remainders `T * w_i mod W`.
//!
//! **Tie rule:** equal remainders are served in input order (the lower index first). The
//! result is deterministic and independent of platform.
//!
//! **Guarantees:** the parts sum exactly to the total; each part is its exact share rounded
//! down or up (so within one minor unit of it); a zero weight gets exactly zero; for a
//! non-negative total no part is negative. A negative total is allocated as the negation of
//! allocating its absolute value.
//!
//! **Alabama paradox:** like every largest-remainder method, a *larger* total can give some
//! part one minor unit *less* than a smaller total did (the remainders re-order). Each part
//! still stays within one minor unit of its exact share, so the effect is at most one unit.
//!
//! **Precision of weights:** weights are brought to a common number of decimals and used as
//! exact integers. If that integer form would not fit 128 bits (for example weights mixing
//! `10^25` and `10^-28`), the common scale is reduced until it fits, which rounds the tiniest
//! weights; the parts still sum exactly to the total.
//!
//! ```
//! use attain_types::{allocate, Currency, Money, dec};
//! let year = Money::new(dec!(12000000), Currency::CNY);
//! let quarters = allocate(year, &[dec!(1); 4])?;
//! assert!(quarters.iter().all(|q| q.amount() == dec!(3000000)));
//! let thirds = allocate(Money::new(dec!(100), Currency::USD), &[dec!(1); 3])?;
//! let cents: Vec<_> = thirds.iter().map(|m| m.amount()).collect();
//! assert_eq!(cents, [dec!(33.34), dec!(33.33), dec!(33.33)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::money::Money;

/// Splits `total` by `weights` into parts that sum exactly to `total`, in the currency's minor
/// unit (largest remainder; see the [module docs](self) for the tie rule and guarantees).
///
/// # Errors
/// [`Error::EmptyWeights`], [`Error::ZeroWeights`], [`Error::NegativeWeight`],
/// [`Error::NotWholeMinorUnits`] if `total` has finer fractions than its minor unit (round it
/// first with [`Money::round_to_minor_unit`]), or [`Error::MinorUnitsOutOfRange`] if `total`
/// is too large to hold at its minor unit (`10^27` USD): never rescaled.
pub fn allocate(total: Money, weights: &[Decimal]) -> Result<Vec<Money>> {
    let units = total.to_minor_units()?;
    let parts = allocate_units(units, weights)?;
    parts
        .into_iter()
        .map(|u| Money::from_minor_units(u, total.currency()))
        .collect()
}

/// Like [`allocate`], with `f64` weights (for example a seasonality index computed elsewhere).
/// Each weight is converted to a `Decimal` first.
///
/// # Errors
/// [`Error::NonFinite`] for a NaN or infinite weight, then as [`allocate`].
pub fn allocate_f64(total: Money, weights: &[f64]) -> Result<Vec<Money>> {
    let weights = weights
        .iter()
        .enumerate()
        .map(|(index, &w)| {
            if !w.is_finite() {
                return Err(Error::NonFinite {
                    what: "weight",
                    index,
                });
            }
            Decimal::try_from(w).map_err(|_| Error::Overflow {
                operation: "weight from f64",
            })
        })
        .collect::<Result<Vec<_>>>()?;
    allocate(total, &weights)
}

/// The integer core of [`allocate`]: splits `total` units by `weights` (largest remainder).
///
/// # Errors
/// [`Error::EmptyWeights`], [`Error::ZeroWeights`], [`Error::NegativeWeight`].
pub fn allocate_units(total: i128, weights: &[Decimal]) -> Result<Vec<i128>> {
    if weights.is_empty() {
        return Err(Error::EmptyWeights);
    }
    if let Some((index, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| w.is_sign_negative() && !w.is_zero())
    {
        return Err(Error::NegativeWeight { index, value });
    }
    let (ints, sum) = integer_weights(weights)?;
    let magnitude = total.unsigned_abs();
    let mut parts = Vec::with_capacity(ints.len());
    let mut remainders = Vec::with_capacity(ints.len());
    let mut given: u128 = 0;
    for &w in &ints {
        // w <= sum and sum > 0, so the quotient fits.
        let (q, r) = crate::wide::mul_div(magnitude, w, sum).unwrap_or((0, 0));
        given += q; // sum of floors <= magnitude
        parts.push(q);
        remainders.push(r);
    }
    let left = magnitude - given; // < number of parts
    if left > 0 {
        let mut order: Vec<usize> = (0..ints.len()).filter(|&i| ints[i] != 0).collect();
        // Largest remainder first; equal remainders in input order (stable sort).
        order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]));
        for &i in order
            .iter()
            .take(usize::try_from(left).unwrap_or(usize::MAX))
        {
            parts[i] += 1;
        }
    }
    let negative = total < 0;
    Ok(parts
        .into_iter()
        .map(|p| {
            // p <= |total| <= i128::MAX + 1; only p == 2^127 with a negative total reaches the edge.
            let p = i128::try_from(p).unwrap_or(i128::MIN);
            if negative { p.wrapping_neg() } else { p }
        })
        .collect())
}

/// Converts decimal weights to exact integers at a common scale (reduced if needed to fit).
fn integer_weights(weights: &[Decimal]) -> Result<(Vec<u128>, u128)> {
    let max_scale = weights
        .iter()
        .map(|w| w.normalize().scale())
        .max()
        .unwrap_or(0);
    for scale in (0..=max_scale).rev() {
        if let Some((ints, sum)) = try_scale(weights, scale) {
            if sum == 0 {
                // All weights rounded to zero at this scale: only an error at full precision.
                if scale == max_scale {
                    return Err(Error::ZeroWeights {
                        count: weights.len(),
                    });
                }
                continue;
            }
            return Ok((ints, sum));
        }
    }
    Err(Error::Overflow {
        operation: "allocation weights",
    })
}

fn try_scale(weights: &[Decimal], scale: u32) -> Option<(Vec<u128>, u128)> {
    let mut ints = Vec::with_capacity(weights.len());
    let mut sum: u128 = 0;
    for w in weights {
        let mut w = w.normalize();
        if w.scale() > scale {
            w = w.round_dp(scale);
        }
        let m = w.mantissa().unsigned_abs();
        let v = 10u128.checked_pow(scale - w.scale())?.checked_mul(m)?;
        sum = sum.checked_add(v)?;
        ints.push(v);
    }
    Some((ints, sum))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use crate::dec;

    #[test]
    fn allocate_errors() {
        let m = Money::new(dec!(10), Currency::USD);
        assert_eq!(allocate(m, &[]), Err(Error::EmptyWeights));
        assert_eq!(
            allocate(m, &[dec!(0), dec!(0)]),
            Err(Error::ZeroWeights { count: 2 })
        );
        assert!(matches!(
            allocate(m, &[dec!(1), dec!(-1)]),
            Err(Error::NegativeWeight { index: 1, .. })
        ));
        assert!(matches!(
            allocate_f64(m, &[1.0, f64::NAN]),
            Err(Error::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            allocate(Money::new(dec!(0.005), Currency::USD), &[dec!(1)]),
            Err(Error::NotWholeMinorUnits { .. })
        ));
    }

    #[test]
    fn allocate_ties_go_to_lower_index() {
        assert_eq!(
            allocate_units(2, &[dec!(1), dec!(1), dec!(1)]).unwrap(),
            [1, 1, 0]
        );
        assert_eq!(
            allocate_units(-2, &[dec!(1), dec!(1), dec!(1)]).unwrap(),
            [-1, -1, 0]
        );
        assert_eq!(
            allocate_units(5, &[dec!(0), dec!(1), dec!(0)]).unwrap(),
            [0, 5, 0]
        );
    }

    #[test]
    fn allocate_wide_arithmetic() {
        let big = i128::from(u64::MAX) * 1_000_000;
        let w = [dec!(79228162514264337593543950335), dec!(1), dec!(3)];
        let parts = allocate_units(big, &w).unwrap();
        assert_eq!(parts.iter().sum::<i128>(), big);
    }

    #[test]
    fn allocate_mixed_scales_reduces_precision() {
        let w = [
            dec!(79228162514264337593543950335),
            dec!(0.0000000000000000000000000001),
        ];
        let parts = allocate_units(1000, &w).unwrap();
        assert_eq!(parts, [1000, 0]);
    }
}
