//! The error type of every fallible function of `attain-funnel`.

/// A specialized `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `attain-funnel`.
///
/// The enum is `#[non_exhaustive]`: adding a variant is not a breaking change, so match with a
/// wildcard arm. Every message names the offending value, stage or index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from `attain-types` (overflow, currency mismatch, division by zero).
    #[error(transparent)]
    Types(#[from] attain_types::Error),
    /// A funnel needs at least one stage. Fix: give the stages from the top of the funnel down.
    #[error("a funnel needs at least one stage")]
    NoStages,
    /// A stage converts nobody, so no number of entries reaches the target.
    /// Fix: give the stage a positive rate.
    #[error(
        "stage {stage:?} has a zero conversion rate, so no number of entries reaches the target"
    )]
    ZeroRate {
        /// The stage's name.
        stage: String,
    },
    /// The average deal size is zero or negative. Fix: give a positive amount.
    #[error("deal size {amount} must be positive")]
    NonPositiveDealSize {
        /// The rejected amount, as text with its currency.
        amount: String,
    },
    /// Two lists that must have one entry per stage have different lengths.
    #[error("{what} has {got} entries but the funnel has {expected} stages")]
    LengthMismatch {
        /// Which list (`"benchmarks"`, `"actual rates"`).
        what: &'static str,
        /// How many entries it has.
        got: usize,
        /// How many it needs.
        expected: usize,
    },
    /// A confidence level (or probability) was not strictly between 0 and 1, or not finite.
    #[error("confidence {value} must be strictly between 0 and 1")]
    InvalidConfidence {
        /// The rejected value.
        value: f64,
    },
    /// A count of successes exceeds its count of trials.
    #[error("{successes} successes out of {trials} trials: successes cannot exceed trials")]
    SuccessesExceedTrials {
        /// The successes.
        successes: u64,
        /// The trials.
        trials: u64,
    },
    /// A statistic needs at least one trial. Fix: check the count first.
    #[error("{what} needs at least one trial")]
    NoTrials {
        /// What needs the trials (`"interval"`, `"group a"`).
        what: &'static str,
    },
    /// No number of entries up to the search limit reaches the confidence.
    #[error("no entry count up to {limit} reaches confidence {confidence}")]
    ConfidenceUnreachable {
        /// The confidence that was asked for.
        confidence: f64,
        /// The largest entry count tried.
        limit: u64,
    },
    /// An exact product needed more than the 28 significant digits of `Decimal`.
    /// Fix: use fewer decimals in rates or amounts.
    #[error("exact {operation} needs more than 28 significant digits")]
    Precision {
        /// The computation that lost precision.
        operation: &'static str,
    },
    /// The gap decomposition was asked for more factors than it can enumerate.
    #[error("gap decomposition supports at most {max} stages, got {got}")]
    TooManyStages {
        /// The number of stages given.
        got: usize,
        /// The largest supported number.
        max: usize,
    },
    /// A cycle length or other duration was zero or negative.
    #[error("{what} {value} must be positive")]
    NonPositive {
        /// What the value is (`"cycle length"`).
        what: &'static str,
        /// The rejected value, as text.
        value: String,
    },
    /// An event names a step index at or beyond the number of funnel steps.
    #[error("event {index} has step {step}, but the funnel has {steps} steps (0..{steps})")]
    StepOutOfRange {
        /// The event's position in the input.
        index: usize,
        /// The step index it names.
        step: u32,
        /// The number of steps.
        steps: usize,
    },
    /// A funnel to measure needs at least one step.
    #[error("a measured funnel needs at least one step")]
    NoSteps,
    /// A per-step window list does not have one entry per step, or a window is negative.
    #[error("invalid window: {reason}")]
    InvalidWindow {
        /// What is wrong.
        reason: String,
    },
    /// Events fed to the streaming meter were not grouped by ascending entity id.
    #[error(
        "event {index} has entity {entity} after entity {previous}: streaming input must be sorted by entity"
    )]
    UnsortedInput {
        /// The event's position in the stream.
        index: u64,
        /// Its entity.
        entity: u64,
        /// The entity before it.
        previous: u64,
    },
    /// Measurement options that do not go together (an unknown `windowFunnel` mode, an
    /// exclusion outside the funnel, per-step windows with an any-order funnel).
    #[error("invalid funnel options: {reason}")]
    InvalidOptions {
        /// What is wrong.
        reason: String,
    },
}
