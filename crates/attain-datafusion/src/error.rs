//! The error type of `attain-datafusion`.
//!
//! Functions return DataFusion's own `Result`: data errors found while a query runs are
//! wrapped as `DataFusionError::External` holding an [`enum@Error`], so callers can downcast
//! them; errors found while planning (a wrong argument type) are plan errors. Every message
//! names the function and the column.

use datafusion::error::DataFusionError;

/// A specialized `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `attain-datafusion` while a query runs.
///
/// The enum is `#[non_exhaustive]`: match with a wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the shared vocabulary (money arithmetic, dates).
    #[error(transparent)]
    Types(#[from] attain_types::Error),
    /// An error from `attain-rfm` (overflow, invalid bins, a corrupted partial state).
    #[error(transparent)]
    Rfm(#[from] attain_rfm::Error),
    /// A value of an input column cannot be used. Fix: clean or cast the column.
    #[error("{function}: column {column:?}: {reason}")]
    Column {
        /// The SQL function (`rfm`, `rfm_score`, ...).
        function: &'static str,
        /// The column or expression, as DataFusion names it.
        column: String,
        /// What is wrong, quoting the value.
        reason: String,
    },
}

impl From<Error> for DataFusionError {
    fn from(e: Error) -> Self {
        DataFusionError::External(Box::new(e))
    }
}

/// A column error as a DataFusion error.
pub(crate) fn column_error(
    function: &'static str,
    column: &str,
    reason: impl Into<String>,
) -> DataFusionError {
    Error::Column {
        function,
        column: column.to_owned(),
        reason: reason.into(),
    }
    .into()
}

/// An `attain-rfm` error as a DataFusion error.
pub(crate) fn rfm_error(e: attain_rfm::Error) -> DataFusionError {
    Error::Rfm(e).into()
}
