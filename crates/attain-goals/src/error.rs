//! The error type of `attain-goals`.

use attain_types::{Decimal, NaiveDate};

/// A specialized `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `attain-goals`.
///
/// The enum is `#[non_exhaustive]`: adding a variant is not a breaking change, so match with a
/// wildcard arm. Every message names the offending value, field or index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from `attain-types` (currency mismatch, zero weights, money overflow, ...).
    #[error(transparent)]
    Types(#[from] attain_types::Error),
    /// An integer intermediate did not fit 128 bits (or a `Decimal` weight 96 bits).
    /// Fix: use fewer decimals in the weights, or a smaller total.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The operation that overflowed.
        operation: &'static str,
    },
    /// A list that must not be empty was empty. Fix: pass at least one item.
    #[error("{what} is empty")]
    Empty {
        /// What was empty (`"period"`, `"row weights"`).
        what: &'static str,
    },
    /// A weight was negative. Fix: weights are shares, use zero or more.
    #[error("{what} at index {index} is negative: {value}")]
    NegativeWeight {
        /// Which list the weight belongs to.
        what: &'static str,
        /// Its position.
        index: usize,
        /// The rejected value.
        value: Decimal,
    },
    /// Two lists that must have the same length do not.
    #[error("{what}: expected {expected} items, got {got}")]
    LengthMismatch {
        /// What was being matched (`"seasonality profile"`, `"table row"`).
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A seasonality period has a positive weight but no day to carry it (for example a month
    /// with no working day). Fix: give it weight zero or use calendar days.
    #[error("seasonality period {label} has weight but no days to spread it over")]
    ProfileWithoutDays {
        /// The label of the period.
        label: String,
    },
    /// The periods of a [`Level::Periods`](crate::Level::Periods) level overlap, or do not
    /// cover a parent period exactly. Fix: pass consecutive periods covering the whole plan.
    #[error("level {level} does not cover {parent} exactly with non-overlapping periods")]
    LevelGap {
        /// The level (0 is the first level below the whole period).
        level: usize,
        /// The label of the parent period left uncovered.
        parent: String,
    },
    /// A period cannot be split into the number of parts asked for (fewer days than parts, or
    /// zero parts).
    #[error("cannot split {parent} ({days} days) into {parts} parts")]
    TooManyParts {
        /// The label of the parent period.
        parent: String,
        /// Its number of days.
        days: i64,
        /// The parts asked for.
        parts: u32,
    },
    /// Fixed margins do not sum to the same total. Fix: rows and columns (or parts) must add up
    /// to the target.
    #[error("{what} sum to {got}, but the total is {expected}")]
    MarginMismatch {
        /// Which margin (`"row totals"`, `"column totals"`).
        what: &'static str,
        /// The total required.
        expected: Decimal,
        /// What the margin sums to.
        got: Decimal,
    },
    /// A fixed row total is not zero, but every weight in that row is zero, so it cannot be
    /// spread.
    #[error("row {row} has total {total} but no column weight to spread it over")]
    RowWithoutWeight {
        /// The row index.
        row: usize,
        /// Its fixed total.
        total: Decimal,
    },
    /// Constraints (locked parts, floors, caps, signs) leave no exact solution.
    #[error("infeasible: {reason}")]
    Infeasible {
        /// Why, with the numbers involved.
        reason: String,
    },
    /// A part's floor is above its cap.
    #[error("part {index}: floor {floor} is above cap {cap}")]
    BoundsInverted {
        /// The part.
        index: usize,
        /// Its floor.
        floor: Decimal,
        /// Its cap.
        cap: Decimal,
    },
    /// A target or amount is negative where only zero or more makes sense.
    #[error("{what} is negative: {value}")]
    NegativeAmount {
        /// What the amount is (`"target"`, `"productivity"`).
        what: &'static str,
        /// The rejected value.
        value: Decimal,
    },
    /// An actual is dated after the `as_of` date of a progress report.
    #[error("actual at index {index} is dated {date}, after as_of {as_of}")]
    ActualInFuture {
        /// The index of the actual.
        index: usize,
        /// Its date.
        date: NaiveDate,
        /// The report date.
        as_of: NaiveDate,
    },
    /// A date lies outside the plan's period.
    #[error("{what} {date} is outside the plan period {start}..{end}")]
    OutsidePlan {
        /// What the date is (`"as_of"`, `"actual"`).
        what: &'static str,
        /// The date.
        date: NaiveDate,
        /// The plan's first day.
        start: NaiveDate,
        /// The day after the plan's last day.
        end: NaiveDate,
    },
    /// A value is out of its domain (a 53-week year with 60 weeks, a zero ramp length, ...).
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The field or argument.
        what: &'static str,
        /// Why it was rejected.
        reason: String,
    },
}
