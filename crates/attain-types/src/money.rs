//! Exact money: [`Currency`] and [`Money`].

use core::fmt;
use core::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, Result};
use crate::rate::Rate;

/// An ISO 4217 currency: a three-letter code and the exponent of its minor unit
/// (0 for JPY, 2 for USD and CNY, 3 for KWD).
///
/// ```
/// use attain_types::Currency;
/// let kwd: Currency = "KWD".parse()?;
/// assert_eq!(kwd.minor_units(), 3);
/// assert_eq!(Currency::JPY.minor_units(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// Built-in table of ISO 4217 codes and their minor units (codes not listed can be made with
/// [`Currency::with_minor_units`]).
const TABLE: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("XXX", 2),
    ("ZAR", 2),
];

impl Currency {
    /// US dollar (2 decimals).
    pub const USD: Currency = Currency {
        code: *b"USD",
        minor_units: 2,
    };
    /// Euro (2 decimals).
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        minor_units: 2,
    };
    /// Chinese yuan renminbi (2 decimals).
    pub const CNY: Currency = Currency {
        code: *b"CNY",
        minor_units: 2,
    };
    /// Japanese yen (0 decimals).
    pub const JPY: Currency = Currency {
        code: *b"JPY",
        minor_units: 0,
    };
    /// Kuwaiti dinar (3 decimals).
    pub const KWD: Currency = Currency {
        code: *b"KWD",
        minor_units: 3,
    };
    /// Pound sterling (2 decimals).
    pub const GBP: Currency = Currency {
        code: *b"GBP",
        minor_units: 2,
    };
    /// ISO 4217 "no currency" (`XXX`), given 2 decimals here: the default for unit-less amounts.
    pub const XXX: Currency = Currency {
        code: *b"XXX",
        minor_units: 2,
    };

    /// Looks a code up in the built-in ISO 4217 table.
    ///
    /// # Errors
    /// [`Error::InvalidCurrency`] if `code` is not three ASCII upper-case letters,
    /// [`Error::UnknownCurrency`] if it is not in the table.
    pub fn new(code: &str) -> Result<Currency> {
        let bytes = Self::check_code(code)?;
        TABLE
            .iter()
            .find(|(c, _)| c.as_bytes() == bytes)
            .map(|&(_, minor_units)| Currency {
                code: bytes,
                minor_units,
            })
            .ok_or_else(|| Error::UnknownCurrency {
                code: code.to_owned(),
            })
    }

    /// A currency with an explicit minor-unit exponent (0..=28, the scales a `Decimal` holds),
    /// for codes outside the table or unit-less amounts kept as written (`XXX` with 28).
    ///
    /// # Errors
    /// [`Error::InvalidCurrency`] if `code` is not three ASCII upper-case letters or
    /// `minor_units > 28`.
    pub fn with_minor_units(code: &str, minor_units: u32) -> Result<Currency> {
        let bytes = Self::check_code(code)?;
        let minor_units =
            u8::try_from(minor_units)
                .ok()
                .filter(|m| *m <= 28)
                .ok_or(Error::InvalidCurrency {
                    code: code.to_owned(),
                    reason: "minor units must be 0..=28",
                })?;
        Ok(Currency {
            code: bytes,
            minor_units,
        })
    }

    fn check_code(code: &str) -> Result<[u8; 3]> {
        let bytes: [u8; 3] = code
            .as_bytes()
            .try_into()
            .map_err(|_| Error::InvalidCurrency {
                code: code.to_owned(),
                reason: "a currency code has three letters",
            })?;
        if bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(bytes)
        } else {
            Err(Error::InvalidCurrency {
                code: code.to_owned(),
                reason: "a currency code is upper-case ASCII",
            })
        }
    }

    /// The three-letter code.
    #[must_use]
    pub fn code(&self) -> &str {
        // The constructor admits only ASCII upper-case letters.
        core::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// The exponent of the minor unit: the number of decimals an amount is rounded to.
    #[must_use]
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// The size of one minor unit (`0.01` for USD, `1` for JPY, `0.001` for KWD).
    #[must_use]
    pub fn minor_unit(&self) -> Decimal {
        Decimal::new(1, self.minor_units())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Currency> {
        Currency::new(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Repr<'a> {
            code: &'a str,
            minor_units: u32,
        }
        Repr {
            code: self.code(),
            minor_units: self.minor_units(),
        }
        .serialize(s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Repr {
            code: String,
            minor_units: u32,
        }
        let r = Repr::deserialize(d)?;
        Currency::with_minor_units(&r.code, r.minor_units).map_err(serde::de::Error::custom)
    }
}

/// Options for [`Money::parse_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Accept `,` as a thousands separator (`83,333.33`); groups must be three digits.
    pub thousands_separator: bool,
}

impl ParseOptions {
    /// Accepts (or rejects) `,` thousands separators.
    #[must_use]
    pub fn thousands_separator(mut self, yes: bool) -> Self {
        self.thousands_separator = yes;
        self
    }
}

/// An exact amount of money in one currency.
///
/// Arithmetic is checked: `checked_add`/`checked_sub` fail on a currency mismatch or overflow,
/// never wrap or panic. Rounding is never implicit: [`Money::round`] and
/// [`Money::round_to_minor_unit`] say how.
///
/// | operation | fallible form | panicking form |
/// |---|---|---|
/// | `a + b` | [`Money::checked_add`] | none |
/// | `a - b` | [`Money::checked_sub`] | none |
/// | `a * k` | [`Money::checked_mul`], [`Money::checked_mul_rate`] | none |
/// | `a / k` | [`Money::checked_div`] | none |
/// | sum | [`Money::try_sum`] | none |
///
/// ```
/// use attain_types::{Currency, Money, dec};
/// let week = Money::new(dec!(250000), Currency::CNY);
/// let deal = week.checked_div(dec!(3))?.round_to_minor_unit();
/// assert_eq!(deal.amount(), dec!(83333.33));
/// assert_eq!(format!("{deal:?}"), "83333.33 CNY");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Money {
    #[cfg_attr(feature = "serde", serde(with = "crate::serde::decimal"))]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// The most minor units an amount can have: `2^96 - 1`, `Decimal`'s largest mantissa
    /// (`792281625142643375935439503.35` USD, `79228162514264337593543950335` JPY,
    /// `79228162514264337593543950.335` KWD).
    pub const MAX_MINOR_UNITS: i128 = 79_228_162_514_264_337_593_543_950_335;

    /// An amount in a currency. The amount is kept exactly as given (no rounding, no check
    /// against the minor unit; see [`Money::try_new`] for the checked form).
    #[must_use]
    pub const fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// An amount that must be held exactly in whole minor units of `currency`: the result has
    /// exactly the currency's number of decimals (`10.5` USD becomes `10.50`). Nothing is
    /// rounded or rescaled: an amount finer than the minor unit, or too large to hold at that
    /// scale, is an error.
    ///
    /// ```
    /// use attain_types::{Currency, Error, Money, dec};
    /// assert_eq!(Money::try_new(dec!(10.5), Currency::USD)?.amount().to_string(), "10.50");
    /// assert!(matches!(Money::try_new(dec!(10.005), Currency::USD), Err(Error::NotWholeMinorUnits { .. })));
    /// // 10^27 USD is 10^29 cents, more than a Decimal's 96-bit mantissa holds.
    /// let big = dec!(1000000000000000000000000000);
    /// assert!(matches!(Money::try_new(big, Currency::USD), Err(Error::MinorUnitsOutOfRange { .. })));
    /// assert_eq!(Money::try_new(big, Currency::JPY)?.amount(), big);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotWholeMinorUnits`] if `amount` has finer fractions than the minor unit,
    /// [`Error::MinorUnitsOutOfRange`] if its minor units exceed [`Money::MAX_MINOR_UNITS`].
    pub fn try_new(amount: Decimal, currency: Currency) -> Result<Money> {
        Money::from_minor_units(minor_units_of(amount, currency)?, currency)
    }

    /// Zero in a currency.
    #[must_use]
    pub const fn zero(currency: Currency) -> Money {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// Builds an amount from a whole number of minor units (`1234` cents is `12.34 USD`); the
    /// amount has exactly the currency's number of decimals.
    ///
    /// # Errors
    /// [`Error::MinorUnitsOutOfRange`] if `|units|` exceeds [`Money::MAX_MINOR_UNITS`].
    pub fn from_minor_units(units: i128, currency: Currency) -> Result<Money> {
        let minor = currency.minor_units();
        if units.unsigned_abs() > Money::MAX_MINOR_UNITS.unsigned_abs() {
            return Err(out_of_range(units_text(units, minor), currency));
        }
        Decimal::try_from_i128_with_scale(units, minor)
            .map(|amount| Money { amount, currency })
            .map_err(|_| out_of_range(units_text(units, minor), currency))
    }

    /// Parses plain decimal text: an optional `-` or `+`, digits, an optional `.` and digits
    /// (`12000000`, `-0.5`, `83333.33`). Thousands separators are rejected; see
    /// [`Money::parse_with`]. No rounding happens.
    ///
    /// # Errors
    /// [`Error::ParseMoney`] naming the text and the reason.
    pub fn parse(text: &str, currency: Currency) -> Result<Money> {
        Money::parse_with(text, currency, ParseOptions::default())
    }

    /// Parses like [`Money::parse`] with options (such as `,` thousands separators).
    ///
    /// # Errors
    /// [`Error::ParseMoney`] naming the text and the reason.
    pub fn parse_with(text: &str, currency: Currency, options: ParseOptions) -> Result<Money> {
        parse_decimal(text, options.thousands_separator).map(|amount| Money { amount, currency })
    }

    /// The exact amount.
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Whether the amount is a whole number of the currency's minor units.
    #[must_use]
    pub fn is_whole_minor_units(&self) -> bool {
        self.amount.normalize().scale() <= self.currency.minor_units()
    }

    /// The amount as a whole number of minor units, computed exactly (never rescaled).
    ///
    /// # Errors
    /// [`Error::NotWholeMinorUnits`] if it has finer fractions than the minor unit,
    /// [`Error::MinorUnitsOutOfRange`] if its minor units exceed [`Money::MAX_MINOR_UNITS`]
    /// (so the amount cannot be held at the minor unit's scale: `10^27` USD).
    pub fn to_minor_units(&self) -> Result<i128> {
        minor_units_of(self.amount, self.currency)
    }

    /// Checks that `other` is in this amount's currency (as every sum and difference does).
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] naming both currencies.
    pub fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                left: self.currency.code().to_owned(),
                right: other.currency.code().to_owned(),
            })
        }
    }

    /// `self + other`, exactly.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] or [`Error::Overflow`] (also for a sum `Decimal` could
    /// only hold rounded; see [`crate::wide::exact_add`]).
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(&other)?;
        crate::wide::exact_add(self.amount, other.amount)
            .map(|amount| Money {
                amount,
                currency: self.currency,
            })
            .ok_or(Error::Overflow {
                operation: "money add",
            })
    }

    /// `self - other`, exactly.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] or [`Error::Overflow`] (also for a difference `Decimal`
    /// could only hold rounded).
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(&other)?;
        crate::wide::exact_sub(self.amount, other.amount)
            .map(|amount| Money {
                amount,
                currency: self.currency,
            })
            .ok_or(Error::Overflow {
                operation: "money sub",
            })
    }

    /// `self * factor` at `Decimal` precision, not rounded to the minor unit. The product is
    /// exact when it fits 96 bits at the sum of the two scales; a longer one is rounded to
    /// fewer decimals, as `rust_decimal` does (`792281625142643375935439503.35 x 1.5` gives
    /// `1188422437713965063903159255.0`, not `...255.025`). Check the result with
    /// [`Money::to_minor_units`] or [`Money::try_new`] where it must be held exactly.
    ///
    /// # Errors
    /// [`Error::Overflow`].
    pub fn checked_mul(self, factor: Decimal) -> Result<Money> {
        self.amount
            .checked_mul(factor)
            .map(|amount| Money {
                amount,
                currency: self.currency,
            })
            .ok_or(Error::Overflow {
                operation: "money mul",
            })
    }

    /// `self * rate` (a share of the amount).
    ///
    /// # Errors
    /// [`Error::Overflow`].
    pub fn checked_mul_rate(self, rate: Rate) -> Result<Money> {
        self.checked_mul(rate.to_decimal())
    }

    /// `self / divisor` at full `Decimal` precision (28 significant digits; the last digit is
    /// rounded, so round to the minor unit before comparing).
    ///
    /// # Errors
    /// [`Error::DivisionByZero`] or [`Error::Overflow`].
    pub fn checked_div(self, divisor: Decimal) -> Result<Money> {
        if divisor.is_zero() {
            return Err(Error::DivisionByZero {
                operation: "money div",
            });
        }
        self.amount
            .checked_div(divisor)
            .map(|amount| Money {
                amount,
                currency: self.currency,
            })
            .ok_or(Error::Overflow {
                operation: "money div",
            })
    }

    /// The ratio `self / other` of two amounts in the same currency (attainment, share).
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`], [`Error::DivisionByZero`] or [`Error::Overflow`].
    pub fn checked_ratio(self, other: Money) -> Result<Decimal> {
        self.same_currency(&other)?;
        if other.amount.is_zero() {
            return Err(Error::DivisionByZero {
                operation: "money ratio",
            });
        }
        self.amount
            .checked_div(other.amount)
            .ok_or(Error::Overflow {
                operation: "money ratio",
            })
    }

    /// `-self`.
    #[must_use]
    pub fn negate(self) -> Money {
        Money {
            amount: -self.amount,
            currency: self.currency,
        }
    }

    /// Rounds to the currency's minor unit, half away from zero (commercial rounding).
    #[must_use]
    pub fn round_to_minor_unit(self) -> Money {
        self.round(
            self.currency.minor_units(),
            RoundingStrategy::MidpointAwayFromZero,
        )
    }

    /// Rounds to `decimals` places with an explicit strategy. The value is only ever changed
    /// by the rounding itself; the scale is raised to `decimals` when a `Decimal` can hold it
    /// (an amount too large for that scale keeps fewer trailing zeros, with the same value;
    /// [`Money::try_new`] and [`Money::to_minor_units`] refuse it).
    #[must_use]
    pub fn round(self, decimals: u32, strategy: RoundingStrategy) -> Money {
        let mut amount = self.amount.round_dp_with_strategy(decimals, strategy);
        if amount.scale() < decimals {
            amount.rescale(decimals);
        }
        Money {
            amount,
            currency: self.currency,
        }
    }

    /// Sums amounts of one currency; an empty iterator gives zero.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] if an item is in another currency, [`Error::Overflow`].
    pub fn try_sum<I: IntoIterator<Item = Money>>(items: I, currency: Currency) -> Result<Money> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// `12.50 EUR`: the exact amount, then the code. `{:#}` groups thousands (`12,000,000.00 CNY`).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(
                f,
                "{} {}",
                group_thousands(&self.amount.to_string()),
                self.currency
            )
        } else {
            write!(f, "{} {}", self.amount, self.currency)
        }
    }
}

/// The exact number of minor units of `amount` in `currency` (see [`Money::to_minor_units`]).
fn minor_units_of(amount: Decimal, currency: Currency) -> Result<i128> {
    let minor = currency.minor_units();
    let d = amount.normalize();
    if d.scale() > minor {
        return Err(Error::NotWholeMinorUnits {
            amount,
            currency: currency.code().to_owned(),
            minor_units: minor,
        });
    }
    // |mantissa| < 2^96 and the factor is at most 10^9, so the product fits i128; checked anyway.
    10i128
        .checked_pow(minor - d.scale())
        .and_then(|f| d.mantissa().checked_mul(f))
        .filter(|u| u.unsigned_abs() <= Money::MAX_MINOR_UNITS.unsigned_abs())
        .ok_or_else(|| out_of_range(amount.to_string(), currency))
}

fn out_of_range(amount: String, currency: Currency) -> Error {
    Error::MinorUnitsOutOfRange {
        amount,
        currency: currency.code().to_owned(),
        minor_units: currency.minor_units(),
    }
}

/// `units` minor units as exact decimal text with `minor` decimals (`-1234`, 2: `-12.34`).
fn units_text(units: i128, minor: u32) -> String {
    let digits = units.unsigned_abs().to_string();
    let minor = minor as usize;
    let padded = format!("{digits:0>width$}", width = minor + 1);
    let (int, frac) = padded.split_at(padded.len() - minor);
    let sign = if units < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Inserts `,` between groups of three integer digits of a plain decimal string.
#[must_use]
pub fn group_thousands(plain: &str) -> String {
    let (sign, rest) = plain.strip_prefix('-').map_or(("", plain), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(plain.len() + plain.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Parses strict decimal text into a `Decimal` (no exponent, no spaces, optional sign).
pub(crate) fn parse_decimal(text: &str, thousands: bool) -> Result<Decimal> {
    let err = |reason| Error::ParseMoney {
        input: text.to_owned(),
        reason,
    };
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if body.is_empty() {
        return Err(err("empty"));
    }
    let (int, frac) = body
        .split_once('.')
        .map_or((body, None), |(i, f)| (i, Some(f)));
    if int.is_empty() {
        return Err(err("missing integer digits"));
    }
    let digits: String = if int.contains(',') {
        if !thousands {
            return Err(err("thousands separators are not accepted here"));
        }
        let groups: Vec<&str> = int.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(err("misplaced thousands separator"));
        }
        groups.concat()
    } else {
        int.to_owned()
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("not a decimal number"));
    }
    if let Some(frac) = frac
        && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err("bad fraction digits"));
    }
    let normalized = match frac {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    let value =
        Decimal::from_str_exact(&normalized).map_err(|_| err("out of range (28 digits)"))?;
    Ok(if text.starts_with('-') { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dec;

    #[test]
    fn parse_accepts_plain_and_rejects_separators() {
        let c = Currency::CNY;
        assert_eq!(
            Money::parse("12000000", c).unwrap().amount(),
            dec!(12000000)
        );
        assert_eq!(Money::parse("-0.5", c).unwrap().amount(), dec!(-0.5));
        assert!(matches!(
            Money::parse("83,333.33", c),
            Err(Error::ParseMoney { .. })
        ));
        let opts = ParseOptions::default().thousands_separator(true);
        assert_eq!(
            Money::parse_with("83,333.33", c, opts).unwrap().amount(),
            dec!(83333.33)
        );
        assert!(Money::parse_with("83,33.33", c, opts).is_err());
        for bad in [
            "",
            "-",
            "1e5",
            "1.",
            ".5",
            "1.2.3",
            " 1",
            "abc",
            "99999999999999999999999999999999",
        ] {
            assert!(Money::parse(bad, c).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn checked_add_rejects_overflow_and_mismatch() {
        let max = Money::new(Decimal::MAX, Currency::USD);
        assert!(matches!(max.checked_add(max), Err(Error::Overflow { .. })));
        let jpy = Money::new(dec!(1), Currency::JPY);
        let err = max.checked_add(jpy).unwrap_err();
        assert_eq!(err.to_string(), "currency mismatch: USD vs JPY");
    }

    #[test]
    fn round_to_minor_unit_uses_currency_exponent() {
        let x = dec!(1234.5675);
        assert_eq!(
            Money::new(x, Currency::JPY).round_to_minor_unit().amount(),
            dec!(1235)
        );
        assert_eq!(
            Money::new(x, Currency::USD).round_to_minor_unit().amount(),
            dec!(1234.57)
        );
        assert_eq!(
            Money::new(x, Currency::KWD).round_to_minor_unit().amount(),
            dec!(1234.568)
        );
        assert_eq!(
            Money::new(dec!(3), Currency::USD)
                .round_to_minor_unit()
                .to_string(),
            "3.00 USD"
        );
    }

    #[test]
    fn group_thousands_formats() {
        assert_eq!(group_thousands("12000000.00"), "12,000,000.00");
        assert_eq!(group_thousands("-1234"), "-1,234");
        assert_eq!(group_thousands("999"), "999");
    }

    #[test]
    fn amounts_beyond_the_minor_unit_scale_are_refused_not_rescaled() {
        let e27 = dec!(1000000000000000000000000000);
        for (amount, currency) in [
            (e27, Currency::USD),
            (e27, Currency::KWD),
            (dec!(792281625142643375935439503.4), Currency::USD),
            (dec!(79228162514264337593543950.34), Currency::KWD),
        ] {
            let m = Money::new(amount, currency);
            let err = m.to_minor_units().unwrap_err();
            assert!(
                matches!(err, Error::MinorUnitsOutOfRange { .. }),
                "{amount} {currency}: {err}"
            );
            assert_eq!(Money::try_new(amount, currency).unwrap_err(), err);
            assert!(err.to_string().contains(&amount.to_string()), "{err}");
        }
        // The largest amounts that fit, at scales 0, 2 and 3.
        for (text, currency) in [
            ("79228162514264337593543950335", Currency::JPY),
            ("792281625142643375935439503.35", Currency::USD),
            ("79228162514264337593543950.335", Currency::KWD),
            ("10000000000000000000000000000", Currency::JPY),
        ] {
            let amount: Decimal = text.parse().unwrap();
            let m = Money::try_new(amount, currency).unwrap();
            assert_eq!(m.amount(), amount);
            assert_eq!(m.amount().scale(), currency.minor_units());
            let units = m.to_minor_units().unwrap();
            assert_eq!(units.unsigned_abs(), amount.mantissa().unsigned_abs());
            assert_eq!(Money::from_minor_units(units, currency).unwrap(), m);
            assert_eq!(
                Money::from_minor_units(-units, currency).unwrap(),
                m.negate()
            );
        }
        let over = Money::MAX_MINOR_UNITS + 1;
        assert_eq!(
            Money::from_minor_units(-over, Currency::USD).unwrap_err(),
            Error::MinorUnitsOutOfRange {
                amount: "-792281625142643375935439503.36".into(),
                currency: "USD".into(),
                minor_units: 2,
            }
        );
    }

    #[test]
    fn checked_mul_rounds_only_past_96_bits_as_documented() {
        let m = Money::new(dec!(792281625142643375935439503.35), Currency::USD);
        let p = m.checked_mul(dec!(1.5)).unwrap();
        assert_eq!(p.amount(), dec!(1188422437713965063903159255.0));
        assert!(p.to_minor_units().is_err());
        let small = Money::new(dec!(10.25), Currency::USD);
        assert_eq!(small.checked_mul(dec!(1.5)).unwrap().amount(), dec!(15.375));
    }

    #[test]
    fn try_new_sets_the_minor_unit_scale() {
        assert_eq!(
            Money::try_new(dec!(10.500), Currency::USD)
                .unwrap()
                .to_string(),
            "10.50 USD"
        );
        assert_eq!(
            Money::try_new(dec!(7), Currency::KWD).unwrap().to_string(),
            "7.000 KWD"
        );
        assert!(matches!(
            Money::try_new(dec!(83333.33), Currency::JPY),
            Err(Error::NotWholeMinorUnits { .. })
        ));
        assert_eq!(units_text(5, 3), "0.005");
        assert_eq!(units_text(-1234, 2), "-12.34");
        assert_eq!(units_text(42, 0), "42");
    }

    #[test]
    fn minor_units_round_trip() {
        let m = Money::parse("-12.34", Currency::USD).unwrap();
        assert_eq!(m.to_minor_units().unwrap(), -1234);
        assert_eq!(Money::from_minor_units(-1234, Currency::USD).unwrap(), m);
        assert!(
            Money::new(dec!(0.005), Currency::USD)
                .to_minor_units()
                .is_err()
        );
    }
}
