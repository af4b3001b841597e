//! Usage errors: a rejected command-line value (exit status 2), as opposed to a data error
//! (the contents of an input file, exit status 1).
//!
//! Every check of an option's value marks its failure with [`UsageContext::usage`] (or builds
//! it with [`usage`]); `main` picks the exit status by looking for a [`UsageError`] anywhere
//! in the error's chain of contexts, never by reading the message.

use std::fmt;

/// A command-line value that was rejected; its text is the option (`--target`) or the whole
/// message (`--split: at most two dimensions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A usage error with the message `text` (the `bail!` of option checks).
pub(crate) fn usage(text: impl fmt::Display) -> anyhow::Error {
    anyhow::Error::new(UsageError(text.to_string()))
}

/// Whether `error` is a usage error: a [`UsageError`] is the error or one of its contexts.
pub(crate) fn is_usage(error: &anyhow::Error) -> bool {
    error.downcast_ref::<UsageError>().is_some()
        || error
            .chain()
            .any(|e| e.downcast_ref::<UsageError>().is_some())
}

/// Marks the error of a `Result` as a usage error, with the option as its context.
pub(crate) trait UsageContext<T> {
    /// `--target: invalid amount ...`: the error, as a usage error about `option`.
    fn usage(self, option: impl fmt::Display) -> anyhow::Result<T>;

    /// As [`UsageContext::usage`], with the context built only on error.
    fn with_usage<D: fmt::Display>(self, option: impl FnOnce() -> D) -> anyhow::Result<T>;

    /// The error unchanged in its text, as a usage error (for a calculation that can fail only
    /// because of option values, such as a plan without input files).
    #[cfg_attr(not(any(feature = "goals", feature = "funnel")), allow(dead_code))]
    fn or_usage(self) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> UsageContext<T> for Result<T, E> {
    fn usage(self, option: impl fmt::Display) -> anyhow::Result<T> {
        self.map_err(|e| e.into().context(UsageError(option.to_string())))
    }

    fn with_usage<D: fmt::Display>(self, option: impl FnOnce() -> D) -> anyhow::Result<T> {
        self.map_err(|e| e.into().context(UsageError(option().to_string())))
    }

    fn or_usage(self) -> anyhow::Result<T> {
        self.map_err(|e| usage(format!("{:#}", e.into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn usage_errors_are_found_through_contexts() {
        let e: anyhow::Result<()> = Err(anyhow::anyhow!("invalid amount"));
        let e = e.usage("--target").context("outer").unwrap_err();
        assert!(is_usage(&e));
        assert_eq!(format!("{e:#}"), "outer: --target: invalid amount");
        assert!(is_usage(&usage("--bins: 11 is above 10")));
        let io: Result<(), std::io::Error> = Err(std::io::Error::other("denied"));
        assert!(is_usage(&io.usage("--segments").unwrap_err()));
        let calc: anyhow::Result<()> = Err(anyhow::anyhow!("too many decimals").context("plan"));
        let e = calc.or_usage().unwrap_err();
        assert!(is_usage(&e));
        assert_eq!(format!("{e:#}"), "plan: too many decimals");
    }

    #[test]
    fn other_errors_are_not_usage_errors() {
        // A message that merely looks like an option is a data error.
        let e = anyhow::anyhow!("--target: looks like an option").context("data.csv:3");
        assert!(!is_usage(&e));
    }
}
