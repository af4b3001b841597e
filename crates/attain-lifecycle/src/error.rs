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
}
