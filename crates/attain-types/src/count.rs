//! Whole-unit counts derived from amounts and rates, always rounded **up**
//! (you cannot make 2.4 calls).
//!
//! Two ways to stay exact, both documented here:
//!
//! * [`ceil_div`] and [`entries_needed`] work on the exact rational value of their decimal
//!   inputs: `ceil(a / b)` is computed in integers, with no 28-digit quotient in between. This
//!   is the strict rule: `250,000 / 83,333.33` is `3.0000012...`, so it needs **4** deals, because
//!   3 deals of 83,333.33 fall 0.01 short.
//! * [`ceil_count`] rounds a quotient that was already computed in `Decimal` arithmetic. A
//!   28-digit division leaves an error in the last digit, so `250,000 / (250,000 / 3)` comes out
//!   as `3.0000000000000000000000000001`; naive rounding up would say 4. [`ceil_count`] treats a
//!   value whose fraction is at most [`COUNT_TOLERANCE`] (relative to the value, at least
//!   absolute) as the integer below it, and gives 3.
//!
//! ```
//! use attain_types::{count, Rate, dec};
//! assert_eq!(count::ceil_count(dec!(250000) / (dec!(250000) / dec!(3)))?, 3);
//! assert_eq!(count::ceil_div(dec!(250000), dec!(83333.33))?, 4);
//! assert_eq!(count::entries_needed(3, Rate::new(dec!(0.2))?)?, 15);
//! assert_eq!(count::entries_needed(21, Rate::new(dec!(0.35))?)?, 60);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::rate::Rate;

/// The tolerance of [`ceil_count`]: `10^-20`, far above the rounding error a few 28-digit
/// `Decimal` operations leave (about `10^-27` relative) and far below any real fraction of a
/// count.
pub const COUNT_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 20);

/// `ceil(numerator / denominator)` over the exact rationals the two decimals denote.
/// A non-positive numerator gives 0.
///
/// # Errors
/// [`Error::DivisionByZero`] if `denominator` is zero, [`Error::Overflow`] if the result (or
/// the common-scale integers) do not fit, and [`Error::RateOutOfRange`] if the denominator is
/// negative (a count needs a positive unit).
pub fn ceil_div(numerator: Decimal, denominator: Decimal) -> Result<u64> {
    if denominator.is_zero() {
        return Err(Error::DivisionByZero {
            operation: "count ceil_div",
        });
    }
    if denominator.is_sign_negative() {
        return Err(Error::RateOutOfRange { value: denominator });
    }
    if numerator <= Decimal::ZERO {
        return Ok(0);
    }
    let (n, d) = (numerator.normalize(), denominator.normalize());
    let scale = n.scale().max(d.scale());
    let widen = |x: Decimal| -> Result<u128> {
        let m = x.mantissa().unsigned_abs();
        10u128
            .checked_pow(scale - x.scale())
            .and_then(|p| m.checked_mul(p))
            .ok_or(Error::Overflow {
                operation: "count ceil_div",
            })
    };
    let (a, b) = (widen(n)?, widen(d)?);
    let q = a / b + u128::from(a % b != 0);
    u64::try_from(q).map_err(|_| Error::Overflow {
        operation: "count ceil_div",
    })
}

/// The entries needed at a stage so that `outputs` come out at `rate`: `ceil(outputs / rate)`,
/// exactly (3 deals at 20% need 15 prospects; 21 deals at 35% need 60, where `f64` says 61).
///
/// # Errors
/// [`Error::DivisionByZero`] if `rate` is zero and `outputs > 0`, [`Error::Overflow`].
pub fn entries_needed(outputs: u64, rate: Rate) -> Result<u64> {
    if outputs == 0 {
        return Ok(0);
    }
    ceil_div(Decimal::from(outputs), rate.to_decimal())
}

/// Rounds a computed quantity up to a whole count, forgiving `Decimal` rounding noise: a
/// fraction no larger than [`COUNT_TOLERANCE`] `* max(1, |value|)` is dropped. Non-positive
/// values give 0.
///
/// # Errors
/// [`Error::Overflow`] if the count does not fit `u64`.
pub fn ceil_count(value: Decimal) -> Result<u64> {
    if value <= Decimal::ZERO {
        return Ok(0);
    }
    let floor = value.floor();
    let frac = value - floor;
    let slack = COUNT_TOLERANCE * floor.max(Decimal::ONE);
    let whole = if frac.is_zero() || frac <= slack {
        floor
    } else {
        floor + Decimal::ONE
    };
    u64::try_from(whole).map_err(|_| Error::Overflow {
        operation: "count ceil",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dec;

    #[test]
    fn ceil_count_forgives_division_noise() {
        let q = dec!(250000) / (dec!(250000) / dec!(3));
        assert!(q > dec!(3), "the noise this helper exists for: {q}");
        assert_eq!(ceil_count(q).unwrap(), 3);
        assert_eq!(ceil_count(dec!(2.4)).unwrap(), 3);
        assert_eq!(ceil_count(dec!(3.000001)).unwrap(), 4);
        assert_eq!(ceil_count(dec!(-1)).unwrap(), 0);
    }

    #[test]
    fn ceil_div_is_exact() {
        assert_eq!(ceil_div(dec!(250000), dec!(83333.33)).unwrap(), 4);
        assert_eq!(ceil_div(dec!(249999.99), dec!(83333.33)).unwrap(), 3);
        assert_eq!(ceil_div(dec!(15), dec!(0.2)).unwrap(), 75);
        assert!(ceil_div(dec!(1), dec!(0)).is_err());
        assert!(ceil_div(Decimal::MAX, dec!(0.0000000000000000000000000001)).is_err());
    }

    #[test]
    fn entries_needed_matches_method() {
        // METHOD.md 1.2: 3 deals at 20% need 15 prospects, 15 prospects at 10% need 150 leads.
        let p = entries_needed(3, Rate::new(dec!(0.2)).unwrap()).unwrap();
        assert_eq!(p, 15);
        assert_eq!(
            entries_needed(p, Rate::new(dec!(0.1)).unwrap()).unwrap(),
            150
        );
        assert!(entries_needed(1, Rate::ZERO).is_err());
        assert_eq!(entries_needed(0, Rate::ZERO).unwrap(), 0);
    }
}
