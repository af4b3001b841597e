//! The error type of `attain-rfm`.

/// A specialized `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `attain-rfm`.
///
/// The enum is `#[non_exhaustive]`: adding a variant is not a breaking change, so match with a
/// wildcard arm. Every message names the offending value, and for files the line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the shared vocabulary (money arithmetic, dates).
    #[error(transparent)]
    Types(#[from] attain_types::Error),
    /// The number of bins is outside `2..=10`. Fix: choose a count in that range.
    #[error("bins must be in 2..=10, got {bins}")]
    InvalidBins {
        /// The rejected count.
        bins: u8,
    },
    /// A sum or count overflowed. Fix: split the input or use smaller units.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// What overflowed, such as `"monetary sum"`.
        operation: &'static str,
    },
    /// The columns of a columnar input have different lengths. Fix: pass aligned columns.
    #[error("column {column} has {len} values, expected {expected}")]
    ColumnLength {
        /// The column that does not match.
        column: &'static str,
        /// Its length.
        len: usize,
        /// The length of the customer id column.
        expected: usize,
    },
    /// Thresholds are not non-decreasing, or there are more than `bins - 1` of them.
    #[error("invalid {metric} thresholds: {reason}")]
    InvalidThresholds {
        /// `"recency"`, `"frequency"` or `"monetary"`.
        metric: &'static str,
        /// Why they were rejected.
        reason: &'static str,
    },
    /// Thresholds cannot be fitted for a scoring method that is not a function of the value
    /// (NTILE, even and qcut split tied values by customer id) or whose bins are closed on the
    /// right (pymc). Fix: use `Ties` or `RRfm`.
    #[error("scoring method {method} cannot be expressed as lower-closed thresholds")]
    NotValueBased {
        /// The method's name.
        method: &'static str,
    },
    /// A compatibility mode was asked for a number of bins its anchor does not use.
    #[error("scoring method {method} uses {expected} bins, got {bins}")]
    ModeBins {
        /// The method's name.
        method: &'static str,
        /// The anchor's number of bins.
        expected: u8,
        /// The rejected count.
        bins: u8,
    },
    /// PyMC-Marketing's quartiles of a metric collapsed to fewer than two bins (too many equal
    /// values); `rfm_segments` raises "Bin labels must be one fewer than the number of bin
    /// edges" there. Fix: use another method.
    #[error("the {metric} quartiles collapse to fewer than two bins (too many equal values)")]
    QuantilesCollapsed {
        /// `"recency"`, `"frequency"` or `"monetary"`.
        metric: &'static str,
    },
    /// [`score_r_rfm`](crate::score::score_r_rfm) was given totals without this customer.
    /// Fix: add every row the aggregation used to the [`FloatTotals`](crate::FloatTotals).
    #[error("no R monetary total for customer {customer_id:?}")]
    MissingTotal {
        /// The customer.
        customer_id: String,
    },
    /// A segment map was used with scores of a different number of bins.
    #[error("segment map {map:?} is defined for {expected} bins, scores have {bins}")]
    SegmentBins {
        /// The map's name.
        map: String,
        /// The bins the map was written for.
        expected: u8,
        /// The bins of the scores.
        bins: u8,
    },
    /// A segment map text could not be parsed.
    #[error("segment map line {line}: {reason}")]
    SegmentMap {
        /// 1-based line number in the map text.
        line: usize,
        /// Why it was rejected.
        reason: String,
    },
    /// Two aggregators with different `as_of` or options were merged.
    #[error("cannot merge aggregations with different {what}")]
    MergeMismatch {
        /// What differs (`"as_of"`, `"options"`).
        what: &'static str,
    },
    /// Bytes given to [`CustomerState::from_bytes`](crate::CustomerState::from_bytes) are of
    /// another encoding version than this build reads (version 1 states, written before the
    /// compact order-id encoding, among them). Re-run the partial aggregation with one build.
    #[error("encoded customer state has version {found}, this build reads version {supported}")]
    StateVersion {
        /// The version byte found.
        found: u8,
        /// The version this build reads and writes.
        supported: u8,
    },
    /// Bytes given to [`CustomerState::from_bytes`](crate::CustomerState::from_bytes) are not
    /// a state written by `to_bytes`.
    #[error("invalid encoded customer state: {reason}")]
    Decode {
        /// What is wrong.
        reason: String,
    },
    /// A column of Arrow or Parquet input has an unsupported type, a `NULL` or a value out
    /// of range.
    #[error("{path}: column {column:?}{}: {reason}", row_suffix(*.row))]
    Arrow {
        /// The file (`"<arrow>"` for batches held in memory).
        path: String,
        /// The column's name.
        column: String,
        /// The row, counted from 1 over all batches (0 when the problem is the column's type).
        row: u64,
        /// What is wrong.
        reason: String,
    },
    /// An input file is malformed. The message names the line and the column.
    #[error("{path}:{line}: {}{reason}", column_prefix(.column))]
    Parse {
        /// The file (or `"<input>"`).
        path: String,
        /// 1-based line number.
        line: u64,
        /// The column's name in the header (empty when the problem is the line itself).
        column: String,
        /// What is wrong, quoting the value.
        reason: String,
    },
    /// A field of an input file breaks the shared input grammar
    /// ([`attain_types::input`]). The message names the line, the column and the value.
    #[error("{path}:{line}: {}{error}", column_prefix(.column))]
    Input {
        /// The file (or `"<input>"`, or `"<arrow>"`).
        path: String,
        /// 1-based line number (the row number, counted from 1, for Arrow and Parquet input).
        line: u64,
        /// The column's name in the header.
        column: String,
        /// What is wrong.
        error: attain_types::input::InputError,
    },
    /// An input file has no header line.
    #[error("{path}:1: empty file, expected a header line")]
    EmptyFile {
        /// The file.
        path: String,
    },
    /// A required column is missing from the header.
    #[error("{path}:1: missing column {column:?} in the header (found: {header})")]
    MissingColumn {
        /// The file.
        path: String,
        /// The column that was expected.
        column: String,
        /// The header's names as read, comma-separated and quoted, cut after a few dozen
        /// characters (see [`attain_types::input::Quoted`]).
        header: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        message: String,
    },
}

/// `, row N` for a row, nothing for the column as a whole (row 0).
fn row_suffix(row: u64) -> String {
    if row == 0 {
        String::new()
    } else {
        format!(", row {row}")
    }
}

/// `column "x": ` for a named column, nothing when the problem is the line itself.
impl Error {
    /// This error, naming `path` where it names in-memory Arrow input: the Parquet reader
    /// runs the Arrow reader on each of its batches.
    #[cfg(feature = "arrow")]
    pub(crate) fn in_file(mut self, file: &str) -> Error {
        if let Error::Arrow { path, .. }
        | Error::Input { path, .. }
        | Error::MissingColumn { path, .. } = &mut self
            && path == "<arrow>"
        {
            file.clone_into(path);
        }
        self
    }

    /// The error for a header that lacks a selected column or names it twice.
    #[cfg(any(feature = "csv", feature = "arrow"))]
    pub(crate) fn header(path: &str, name: &str, e: attain_types::input::InputError) -> Error {
        use attain_types::input::InputError;
        match e {
            InputError::MissingColumn { found, .. } => Error::MissingColumn {
                path: path.to_owned(),
                column: name.to_owned(),
                header: found.to_string(),
            },
            other => Error::Input {
                path: path.to_owned(),
                line: 1,
                column: String::new(),
                error: other,
            },
        }
    }
}

fn column_prefix(column: &str) -> String {
    if column.is_empty() {
        String::new()
    } else {
        format!("column {column:?}: ")
    }
}
