//! The error type shared by every fallible function of `attain-types`.

use rust_decimal::Decimal;

/// A specialized `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `attain-types`.
///
/// The enum is `#[non_exhaustive]`: adding a variant is not a breaking change, so match with a
/// wildcard arm. Every message names the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An arithmetic operation overflowed the 96-bit `Decimal` range (or a count overflowed `u64`).
    /// Fix: split the computation, or use smaller units.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The operation that overflowed, such as `"money add"`.
        operation: &'static str,
    },
    /// A division (or a rate used as a divisor) was zero. Fix: check the denominator first.
    #[error("division by zero in {operation}")]
    DivisionByZero {
        /// The operation that divided, such as `"count ceil_div"`.
        operation: &'static str,
    },
    /// Two amounts in different currencies were combined. Fix: convert first.
    #[error("currency mismatch: {left} vs {right}")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: String,
        /// The currency of the right operand.
        right: String,
    },
    /// A currency code is not a known ISO 4217 code (and no minor unit was given).
    #[error(
        "unknown currency code {code:?}: use Currency::with_minor_units for codes not in the built-in table"
    )]
    UnknownCurrency {
        /// The text that was given.
        code: String,
    },
    /// A currency code is not three ASCII upper-case letters, or its minor unit is above 9.
    #[error("invalid currency {code:?}: {reason}")]
    InvalidCurrency {
        /// The text that was given.
        code: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Text could not be parsed as an amount of money.
    #[error("invalid amount {input:?}: {reason}")]
    ParseMoney {
        /// The text that was given.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An amount has more fraction digits than its currency's minor unit allows where whole minor
    /// units are required (for example allocation of `0.005 USD`).
    #[error(
        "amount {amount} is not a whole number of minor units of {currency} ({minor_units} decimals)"
    )]
    NotWholeMinorUnits {
        /// The amount.
        amount: Decimal,
        /// The currency code.
        currency: String,
        /// The currency's minor-unit exponent.
        minor_units: u32,
    },
    /// An amount cannot be held exactly at its currency's minor unit: as a whole number of
    /// minor units it needs more than `Decimal`'s 96-bit mantissa (`10^27` USD is `10^29`
    /// cents; the most is `79228162514264337593543950335` minor units). It is refused, never
    /// rescaled. Fix: use a larger unit (thousands) or split the amount.
    #[error(
        "amount {amount} {currency} cannot be held exactly at {minor_units} decimals: at most \
         79228162514264337593543950335 minor units fit"
    )]
    MinorUnitsOutOfRange {
        /// The amount, as exact decimal text (it may not fit a `Decimal` at that scale).
        amount: String,
        /// The currency code.
        currency: String,
        /// The currency's minor-unit exponent.
        minor_units: u32,
    },
    /// A rate was outside `0..=1`.
    #[error("rate {value} is outside 0..=1")]
    RateOutOfRange {
        /// The rejected value.
        value: Decimal,
    },
    /// Text could not be parsed as a rate (`0.2`, `20%`).
    #[error("invalid rate {input:?}: {reason}")]
    ParseRate {
        /// The text that was given.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A floating-point value was NaN or infinite where a finite value is required.
    #[error("{what} at index {index} is not finite")]
    NonFinite {
        /// What the value was (`"weight"`, `"rate"`).
        what: &'static str,
        /// Its position in the input.
        index: usize,
    },
    /// An allocation was asked for with no weights at all.
    #[error("allocation needs at least one weight")]
    EmptyWeights,
    /// Every weight of an allocation was zero, so there is no share to give.
    #[error("all {count} allocation weights are zero")]
    ZeroWeights {
        /// How many weights were given.
        count: usize,
    },
    /// A weight was negative.
    #[error("weight {value} at index {index} is negative")]
    NegativeWeight {
        /// Its position in the input.
        index: usize,
        /// The rejected value.
        value: Decimal,
    },
    /// A period with `end < start`.
    #[error("invalid period: end {end} is before start {start}")]
    InvalidPeriod {
        /// The start date (inclusive).
        start: chrono::NaiveDate,
        /// The end date (exclusive).
        end: chrono::NaiveDate,
    },
    /// A year, quarter, month, ISO week or month number is out of range.
    #[error("invalid {what}: {value}")]
    InvalidDate {
        /// What was out of range (`"month"`, `"iso week"`).
        what: &'static str,
        /// The rejected value.
        value: i64,
    },
    /// A repeat-purchase summary breaks its invariants (see
    /// [`RepeatSummary::new`](crate::RepeatSummary::new)): `t_x` negative or after the
    /// cut-off, `t_x` or a mean without a repeat purchase, or purchase days out of order. Fix:
    /// build it from the customer's purchase days with a cut-off on or after the last one.
    #[error(
        "invalid repeat summary (x {frequency}, t_x {t_x_days} days, T {age_days} days): {reason}"
    )]
    InvalidRepeatSummary {
        /// Repeat purchase days.
        frequency: u64,
        /// Days from the first to the last purchase.
        t_x_days: i64,
        /// Days from the first purchase to the cut-off.
        age_days: i64,
        /// What is wrong.
        reason: &'static str,
    },
}
