//! Where a transaction row was read, for errors that point at a field.

use attain_types::input::InputError;

use crate::Error;

/// Where a row was read: the file, the line (CSV: counted from 1, the header is line 1;
/// Arrow and Parquet: the row, counted from 1) and the names of the selected columns, to build
/// errors that point at a field. Handed to the callbacks of
/// [`csv::for_each_transaction`](crate::csv::for_each_transaction) and
/// `parquet::for_each_transaction`.
#[derive(Debug, Clone, Copy)]
pub struct RowLocation<'a> {
    /// The file (or `"<input>"`, or `"<arrow>"`).
    pub path: &'a str,
    /// The line of the row's first byte (CSV) or the row (Arrow, Parquet), counted from 1.
    pub line: u64,
    customer: &'a str,
    date: &'a str,
    amount: &'a str,
}

impl<'a> RowLocation<'a> {
    pub(crate) fn new(
        path: &'a str,
        line: u64,
        customer: &'a str,
        date: &'a str,
        amount: &'a str,
    ) -> Self {
        RowLocation {
            path,
            line,
            customer,
            date,
            amount,
        }
    }

    /// An [`Error::Parse`] at this row and `column`.
    #[must_use]
    pub fn error(&self, column: &str, reason: impl Into<String>) -> Error {
        Error::Parse {
            path: self.path.to_owned(),
            line: self.line,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Input`] at this row and `column`: a value outside the shared grammar, or
    /// (from [`attain_types::input::check_money`]) outside its currency.
    #[must_use]
    pub fn input_error(&self, column: &str, error: InputError) -> Error {
        Error::Input {
            path: self.path.to_owned(),
            line: self.line,
            column: column.to_owned(),
            error,
        }
    }

    /// The customer column's name.
    #[must_use]
    pub fn customer_column(&self) -> &'a str {
        self.customer
    }

    /// The date column's name.
    #[must_use]
    pub fn date_column(&self) -> &'a str {
        self.date
    }

    /// The amount column's name.
    #[must_use]
    pub fn amount_column(&self) -> &'a str {
        self.amount
    }
}
