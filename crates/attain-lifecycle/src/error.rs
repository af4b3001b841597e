//! The error type of attain-lifecycle.

/// A specialized `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `attain-lifecycle`.
///
/// `#[non_exhaustive]`: new variants are not a breaking change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from `attain-types` (money, rates, periods).
    #[error(transparent)]
    Types(#[from] attain_types::Error),
    /// A ratio metric has nothing to divide by (no customers at the start of the period, zero
    /// starting MRR, no new customers, zero churn). Fix: check the base first, or use the
    /// `Option`-returning twin where one exists.
    #[error("{metric} is undefined: {denominator} is zero")]
    ZeroDenominator {
        /// The metric asked for, such as `"logo churn"`.
        metric: &'static str,
        /// What was zero, such as `"customers at period start"`.
        denominator: &'static str,
    },
    /// A count is larger than the base it is a share of (12 proposals from 10 interested
    /// prospects). Fix: check that both counts describe the same period and population.
    #[error("{metric}: {part} {part_name} exceed {whole} {whole_name}")]
    CountExceedsBase {
        /// The metric asked for, such as `"interest conversion"`.
        metric: &'static str,
        /// The part (numerator).
        part: u64,
        /// What the part counts, such as `"proposals"`.
        part_name: &'static str,
        /// The base (denominator).
        whole: u64,
        /// What the base counts, such as `"interested prospects"`.
        whole_name: &'static str,
    },
    /// An amount that must not be negative (MRR, spend, ARPA) was negative.
    /// Fix: record refunds and credits as reductions of MRR, not negative MRR.
    #[error("{field} must not be negative, got {amount}")]
    NegativeAmount {
        /// The field, such as `"mrr of customer c-17"`.
        field: String,
        /// The rejected amount.
        amount: attain_types::Decimal,
    },
    /// A lifecycle-map goal compares values of different kinds (a count with a rate).
    /// Fix: give current and target as the same kind of [`crate::StageValue`].
    #[error("goal {name:?}: current is a {current} but target is a {target}")]
    ValueKindMismatch {
        /// The goal's name.
        name: String,
        /// The kind of the current value (`"count"`, `"rate"`, `"growth"`).
        current: &'static str,
        /// The kind of the target value.
        target: &'static str,
    },
    /// The same stage and goal name were added to a lifecycle map twice.
    #[error("goal {name:?} of stage {stage} is already in the map")]
    DuplicateGoal {
        /// The stage.
        stage: crate::LifecycleStage,
        /// The goal's name.
        name: String,
    },
    /// A cohort table was asked for at a granularity it does not support.
    #[error(
        "cohorts by {granularity} are not supported (use day, iso week, month, quarter or year)"
    )]
    UnsupportedGranularity {
        /// The granularity, as debug text.
        granularity: String,
    },
    /// A cohort table would have more cells (cohorts x periods since acquisition) than the
    /// limit, usually from a stray date decades away or daily cohorts over many years.
    /// Fix: check the dates, set `as_of`, or use a coarser granularity.
    #[error("cohort table of {cohorts} cohorts x {periods} periods exceeds {limit} cells")]
    TableTooLarge {
        /// Number of cohorts.
        cohorts: u64,
        /// Number of periods since acquisition.
        periods: u64,
        /// The limit on cells.
        limit: u64,
    },
    /// A cohort table would span more periods, from the oldest cohort to `as_of`, than
    /// [`crate::cohort::MAX_PERIODS`]: usually one stray date far from the rest (a row dated
    /// 9999-12-31 among 1990s sales spans 96,036 months). Fix: check the dates, set `as_of`,
    /// or use a coarser granularity.
    #[error(
        "cohort table would span {periods} periods from {first} to {last}, more than the limit of {limit}: check for a stray date"
    )]
    TooManyPeriods {
        /// Periods from the oldest cohort's period to the one containing `last`.
        periods: u64,
        /// The first day of the oldest cohort's period.
        first: attain_types::NaiveDate,
        /// The last day covered (`as_of`).
        last: attain_types::NaiveDate,
        /// The limit, [`crate::cohort::MAX_PERIODS`].
        limit: u64,
    },
    /// An amount's currency differs from the currency a table or metric was built for.
    #[error("{context}: amount in {found} but expected {expected}")]
    CurrencyMismatch {
        /// Where it happened, such as `"transaction of customer c-17"`.
        context: String,
        /// The currency expected.
        expected: attain_types::Currency,
        /// The currency found.
        found: attain_types::Currency,
    },
    /// An amount has more decimals than the currency's minor unit (`201225.825` in USD), so a
    /// table in that currency could not show it exactly. Fix: correct the amount, or build the
    /// table in a currency (or with `Currency::with_minor_units`) that holds it.
    #[error(
        "transaction of customer {customer} on {date}: amount {amount} has more decimals than {currency} allows"
    )]
    SubMinorUnitAmount {
        /// The customer of the row.
        customer: String,
        /// The date of the row.
        date: attain_types::NaiveDate,
        /// The amount as given.
        amount: attain_types::Decimal,
        /// The table's currency.
        currency: attain_types::Currency,
    },
    /// A `(x, t_x, T)` customer summary (or a spend summary) is outside the model's domain:
    /// a time that is negative, not finite, or with `t_x > T`; `t_x > 0` with `x = 0`; a mean
    /// repeat spend that is not finite, or not positive where a spend prediction is asked for a
    /// repeat buyer. Fix: rebuild the summary with
    /// [`crate::clv::CustomerSummary::from_repeat`] or correct the named field.
    #[error("invalid customer summary at index {index}: {field} = {value} ({reason})")]
    InvalidSummary {
        /// Index of the customer in the slice given.
        index: usize,
        /// The field, such as `"t_x"`.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A model parameter or argument is not finite, or not positive where it must be (model
    /// parameters, horizons, survival counts). Fix: pass the value the message names in range.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidModelInput {
        /// The parameter or argument, such as `"alpha"` or `"horizon"`.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// The valid range.
        reason: &'static str,
    },
    /// The data cannot identify the model: no customers, no repeat buyers, or a likelihood that
    /// keeps improving as a parameter runs off to zero or infinity. Fix: use more (or more
    /// varied) data, or a simpler model.
    #[error("{model} is not identifiable from this data: {reason}")]
    NotIdentifiable {
        /// The model, such as `"bg/nbd"`.
        model: &'static str,
        /// Why, such as `"no customer made a repeat purchase"`.
        reason: &'static str,
    },
    /// A maximum-likelihood fit stopped before it converged. Fix: raise
    /// `FitOptions::max_iterations`, or check the data for outliers.
    #[error("{model} fit did not converge after {iterations} iterations: {reason}")]
    FitDidNotConverge {
        /// The model, such as `"pareto/nbd"`.
        model: &'static str,
        /// Iterations done.
        iterations: usize,
        /// What stopped it.
        reason: &'static str,
    },
    /// A prediction horizon longer than [`MAX_HORIZON_DAYS`](crate::clv::MAX_HORIZON_DAYS) (a
    /// century): the models are not meant to extrapolate that far, and such a horizon only
    /// costs time. Fix: ask for a horizon of at most a hundred years.
    #[error(
        "horizon of {} days is longer than the maximum of {max_days} days (100 years)",
        short_number(*days)
    )]
    HorizonTooLong {
        /// The horizon asked for, in days.
        days: f64,
        /// The maximum, [`MAX_HORIZON_DAYS`](crate::clv::MAX_HORIZON_DAYS).
        max_days: f64,
    },
    /// A special-function series (the Gaussian hypergeometric function 2F1) did not converge
    /// within its term budget; this happens only with arguments very close to its radius of
    /// convergence (a horizon far longer than the model's time scale, for example).
    #[error("{function} series did not converge within {terms} terms (argument {argument})")]
    SeriesDidNotConverge {
        /// The function, such as `"2F1"`.
        function: &'static str,
        /// Terms summed.
        terms: usize,
        /// The argument z.
        argument: f64,
    },
}

/// A number for a message: plain below a billion, else in scientific notation (so that
/// `1e300` does not print 300 digits).
fn short_number(x: f64) -> String {
    if x.abs() < 1e9 {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}
