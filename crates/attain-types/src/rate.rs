//! Validated rates ([`Rate`], a probability or share in `0..=1`) and signed changes ([`Growth`]).

use core::fmt;
use core::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// A conversion, close, churn or repurchase rate, or a share: an exact decimal in `0..=1`.
///
/// The range is checked once, in the constructor. Percent exists only when parsing
/// (`"20%"`) and displaying ([`Rate::to_percent`]).
///
/// ```
/// use attain_types::{Rate, dec};
/// let close = Rate::new(dec!(0.2))?;
/// assert_eq!(close, "20%".parse::<Rate>()?);
/// assert_eq!(close.complement().to_decimal(), dec!(0.8));
/// assert!(Rate::new(dec!(1.2)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Rate(#[cfg_attr(feature = "serde", serde(with = "crate::serde::decimal"))] Decimal);

impl Rate {
    /// The rate 0.
    pub const ZERO: Rate = Rate(Decimal::ZERO);
    /// The rate 1.
    pub const ONE: Rate = Rate(Decimal::ONE);

    /// A rate from a fraction in `0..=1`.
    ///
    /// # Errors
    /// [`Error::RateOutOfRange`] naming the value.
    pub fn new(value: Decimal) -> Result<Rate> {
        if value.is_sign_negative() && !value.is_zero() || value > Decimal::ONE {
            Err(Error::RateOutOfRange { value })
        } else {
            Ok(Rate(value))
        }
    }

    /// A rate from a percentage in `0..=100` (`20` is `0.2`).
    ///
    /// # Errors
    /// [`Error::RateOutOfRange`] naming the fraction.
    pub fn from_percent(percent: Decimal) -> Result<Rate> {
        Rate::new(percent / Decimal::ONE_HUNDRED)
    }

    /// A rate from `part / whole` counts (`whole > 0`, `part <= whole`).
    ///
    /// # Errors
    /// [`Error::DivisionByZero`] if `whole` is 0, [`Error::RateOutOfRange`] if `part > whole`.
    pub fn from_ratio(part: u64, whole: u64) -> Result<Rate> {
        if whole == 0 {
            return Err(Error::DivisionByZero {
                operation: "rate from ratio",
            });
        }
        Rate::new(Decimal::from(part) / Decimal::from(whole))
    }

    /// A rate from an `f64` (for statistical code); the value is converted exactly as printed
    /// by `Decimal::from_f64_retain` would not be: it is rounded to 28 significant digits.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for NaN or infinity, [`Error::RateOutOfRange`] outside `0..=1`.
    pub fn from_f64(value: f64) -> Result<Rate> {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                what: "rate",
                index: 0,
            });
        }
        let d = Decimal::try_from(value).map_err(|_| Error::NonFinite {
            what: "rate",
            index: 0,
        })?;
        Rate::new(d)
    }

    /// The fraction, exactly.
    #[must_use]
    pub const fn to_decimal(self) -> Decimal {
        self.0
    }

    /// The rate in percent (`0.2` is `20`).
    #[must_use]
    pub fn to_percent(self) -> Decimal {
        (self.0 * Decimal::ONE_HUNDRED).normalize()
    }

    /// `1 - self` (for example the churn rate of a retention rate).
    #[must_use]
    pub fn complement(self) -> Rate {
        Rate(Decimal::ONE - self.0)
    }

    /// `self * other` (chained conversion), exact up to 28 digits.
    #[must_use]
    pub fn chain(self, other: Rate) -> Rate {
        Rate(self.0 * other.0)
    }

    /// Whether the rate is zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rate({})", self.0)
    }
}

/// Displays as a percentage: `20%`.
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.to_percent())
    }
}

/// Parses `0.2` or `20%` (also `20 %`).
impl FromStr for Rate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Rate> {
        let err = |reason| Error::ParseRate {
            input: s.to_owned(),
            reason,
        };
        let t = s.trim();
        let (num, percent) = match t.strip_suffix('%') {
            Some(n) => (n.trim_end(), true),
            None => (t, false),
        };
        let d = crate::money::parse_decimal(num, false).map_err(|_| err("not a decimal number"))?;
        let r = if percent {
            Rate::from_percent(d)
        } else {
            Rate::new(d)
        };
        r.map_err(|_| err("outside 0..=1 (0%..=100%)"))
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let v = crate::serde::decimal::deserialize(d)?;
        Rate::new(v).map_err(serde::de::Error::custom)
    }
}

/// A signed, unbounded relative change: `0.15` is +15% growth, `-0.3` is a 30% fall.
///
/// ```
/// use attain_types::{Growth, Money, Currency, dec};
/// let plan = Money::new(dec!(1500000), Currency::USD);
/// let g = Growth::new(dec!(0.18));
/// assert_eq!(g.apply(plan)?.amount(), dec!(1770000));
/// assert_eq!(Growth::between(dec!(25), dec!(42))?.to_decimal(), dec!(0.68));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Growth(#[cfg_attr(feature = "serde", serde(with = "crate::serde::decimal"))] Decimal);

impl Growth {
    /// A change from its fraction (`0.15` for +15%).
    #[must_use]
    pub const fn new(value: Decimal) -> Growth {
        Growth(value)
    }

    /// The relative change from `before` to `after`: `after / before - 1`.
    ///
    /// # Errors
    /// [`Error::DivisionByZero`] if `before` is zero, [`Error::Overflow`].
    pub fn between(before: Decimal, after: Decimal) -> Result<Growth> {
        if before.is_zero() {
            return Err(Error::DivisionByZero {
                operation: "growth between",
            });
        }
        after
            .checked_div(before)
            .and_then(|q| q.checked_sub(Decimal::ONE))
            .map(|g| Growth(g.normalize()))
            .ok_or(Error::Overflow {
                operation: "growth between",
            })
    }

    /// The fraction.
    #[must_use]
    pub const fn to_decimal(self) -> Decimal {
        self.0
    }

    /// The multiplier `1 + self`.
    #[must_use]
    pub fn factor(self) -> Decimal {
        Decimal::ONE + self.0
    }

    /// `amount * (1 + self)`.
    ///
    /// # Errors
    /// [`Error::Overflow`].
    pub fn apply(self, amount: crate::Money) -> Result<crate::Money> {
        let f = Decimal::ONE.checked_add(self.0).ok_or(Error::Overflow {
            operation: "growth apply",
        })?;
        amount.checked_mul(f)
    }
}

impl fmt::Debug for Growth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Growth({})", self.0)
    }
}

/// Displays as a signed percentage: `+68%`, `-30%`.
impl fmt::Display for Growth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = (self.0 * Decimal::ONE_HUNDRED).normalize();
        if p.is_sign_negative() && !p.is_zero() {
            write!(f, "{p}%")
        } else {
            write!(f, "+{p}%")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dec;

    #[test]
    fn rate_rejects_out_of_range() {
        assert!(Rate::new(dec!(-0.01)).is_err());
        assert!(Rate::new(dec!(1.0001)).is_err());
        assert_eq!(Rate::new(dec!(-0)).unwrap(), Rate::ZERO);
        assert_eq!(Rate::new(dec!(1)).unwrap(), Rate::ONE);
        assert_eq!(
            Rate::new(dec!(2)).unwrap_err().to_string(),
            "rate 2 is outside 0..=1"
        );
    }

    #[test]
    fn rate_parses_percent_and_fraction() {
        assert_eq!("20%".parse::<Rate>().unwrap().to_decimal(), dec!(0.2));
        assert_eq!("0.35".parse::<Rate>().unwrap().to_decimal(), dec!(0.35));
        assert!("120%".parse::<Rate>().is_err());
        assert!("abc".parse::<Rate>().is_err());
        assert_eq!(Rate::new(dec!(0.425)).unwrap().to_string(), "42.5%");
    }

    #[test]
    fn rate_from_f64_rejects_nan() {
        assert!(Rate::from_f64(f64::NAN).is_err());
        assert!(Rate::from_f64(f64::INFINITY).is_err());
        assert_eq!(Rate::from_f64(0.5).unwrap().to_decimal(), dec!(0.5));
    }

    #[test]
    fn growth_education_case() {
        // METHOD.md 2.1: trial-class conversion 25% -> 42% is a 68% gain.
        let g = Growth::between(dec!(0.25), dec!(0.42)).unwrap();
        assert_eq!(g.to_decimal(), dec!(0.68));
        assert_eq!(g.to_string(), "+68%");
    }
}
