//! The one transaction reader of the command: every subcommand that reads transactions
//! (`rfm`, `cohort`, `clv`, `report`) takes the same column flags and reads CSV or Parquet
//! through the library readers, which apply the shared input grammar
//! ([`attain_types::input`], written down in `docs/input-grammar.md`). A file is therefore
//! accepted or rejected the same way, at the same line and column, by every subcommand.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

use crate::usage::UsageContext;
use attain_rfm::csv::CsvOptions;
use attain_rfm::{RowLocation, Transaction};
use attain_types::input::{Header, check_money};
use attain_types::{Currency, Money};

/// The column flags of every transaction-reading subcommand.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ColumnArgs {
    /// Customer id column.
    #[arg(long, default_value = "customer_id", alias = "customer-column")]
    pub(crate) customer_col: String,
    /// Date column (YYYY-MM-DD, or an RFC 3339 timestamp whose date is taken as written).
    #[arg(long, default_value = "order_date", alias = "date-column")]
    pub(crate) date_col: String,
    /// Amount column (plain decimals such as 12.50 or -3; no exponents, signs, spaces or
    /// separators).
    #[arg(long, default_value = "amount", alias = "amount-column")]
    pub(crate) amount_col: String,
    /// Order id column [default: order_id, used when the file has it]. Named explicitly, it
    /// must exist. An empty order id is a row without one.
    #[arg(long, value_name = "NAME", conflicts_with = "no_order_col")]
    pub(crate) order_col: Option<String>,
    /// Ignore any order id column.
    #[arg(long)]
    pub(crate) no_order_col: bool,
}

/// The default order id column, used when present.
const DEFAULT_ORDER_COL: &str = "order_id";

/// What kind of file an input is, by its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Csv,
    Parquet,
}

/// Whether `path` is a Parquet file (its magic bytes), so that any name works; `-` is
/// standard input, read as CSV.
pub(crate) fn kind(path: &Path) -> Kind {
    if path.as_os_str() == "-" {
        return Kind::Csv;
    }
    let mut magic = [0u8; 4];
    let parquet = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PAR1");
    if parquet { Kind::Parquet } else { Kind::Csv }
}

impl ColumnArgs {
    /// The order column to read: the one named, none with `--no-order-col`, else
    /// `order_id` when the file's header has it.
    pub(crate) fn order_column(&self, path: &Path, kind: Kind) -> anyhow::Result<Option<String>> {
        if self.no_order_col {
            return Ok(None);
        }
        if let Some(name) = &self.order_col {
            return Ok(Some(name.clone()));
        }
        let header = header(path, kind)?;
        Ok(header
            .is_some_and(|h| h.names().iter().any(|n| n == DEFAULT_ORDER_COL))
            .then(|| DEFAULT_ORDER_COL.to_owned()))
    }

    /// The CSV reader's options for `path`.
    pub(crate) fn csv_options(
        &self,
        path: &Path,
        order_memory: usize,
    ) -> anyhow::Result<CsvOptions> {
        Ok(CsvOptions {
            customer_col: self.customer_col.clone(),
            date_col: self.date_col.clone(),
            amount_col: self.amount_col.clone(),
            order_col: self.order_column(path, Kind::Csv)?,
            threads: 0,
            order_memory,
        })
    }

    /// The Arrow/Parquet reader's columns for `path`.
    #[cfg(feature = "parquet")]
    pub(crate) fn arrow_columns(
        &self,
        path: &Path,
        order_memory: usize,
    ) -> anyhow::Result<attain_rfm::arrow::ArrowColumns> {
        let order = self.order_column(path, Kind::Parquet)?;
        Ok(attain_rfm::arrow::ArrowColumns::default()
            .customer(&self.customer_col)
            .date(&self.date_col)
            .amount(&self.amount_col)
            .order(order.as_deref())
            .order_memory(order_memory))
    }
}

/// The header of a CSV file (its first record) or the field names of a Parquet file; `None`
/// for standard input (not peeked) or an empty file. Errors in the header itself are left to
/// the reader, which reports them with their location.
fn header(path: &Path, kind: Kind) -> anyhow::Result<Option<Header>> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    match kind {
        Kind::Csv => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(std::io::BufReader::new(file));
            Ok(rdr
                .byte_headers()
                .ok()
                .map(|h| Header::from_bytes(h.iter())))
        }
        Kind::Parquet => parquet_header(path),
    }
}

#[cfg(feature = "parquet")]
fn parquet_header(path: &Path) -> anyhow::Result<Option<Header>> {
    Ok(attain_rfm::parquet::header(path).ok())
}

#[cfg(not(feature = "parquet"))]
fn parquet_header(_: &Path) -> anyhow::Result<Option<Header>> {
    Ok(None)
}

/// Reads every transaction of `path` (CSV, Parquet, or `-` for CSV on standard input) and
/// calls `f` on each with its location. The one reader of the `cohort`, `clv` and `report`
/// subcommands; `rfm` reads through the library's aggregating readers, which apply the same
/// grammar.
pub(crate) fn for_each_transaction(
    path: &Path,
    columns: &ColumnArgs,
    quiet: bool,
    f: impl FnMut(&Transaction<'_>, &RowLocation<'_>) -> attain_rfm::Result<()>,
) -> anyhow::Result<OrderColumn> {
    match kind(path) {
        Kind::Parquet => read_parquet(path, columns, f),
        Kind::Csv if path.as_os_str() == "-" => {
            let options = columns.csv_options(path, 0)?;
            attain_rfm::csv::for_each_transaction(std::io::stdin().lock(), "<stdin>", &options, f)?;
            Ok(OrderColumn(options.order_col.is_some()))
        }
        Kind::Csv => {
            let options = columns.csv_options(path, 0)?;
            let file = crate::output::open_with_progress(path, quiet)
                .with_context(|| format!("cannot open {}", path.display()))?;
            attain_rfm::csv::for_each_transaction(
                std::io::BufReader::with_capacity(1 << 16, file),
                &path.display().to_string(),
                &options,
                f,
            )?;
            Ok(OrderColumn(options.order_col.is_some()))
        }
    }
}

/// What [`for_each_transaction`] learnt from the input's header: whether it read an order id
/// column (named with `--order-col`, or the default `order_id` found in the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OrderColumn(pub(crate) bool);

#[cfg(feature = "parquet")]
fn read_parquet(
    path: &Path,
    columns: &ColumnArgs,
    f: impl FnMut(&Transaction<'_>, &RowLocation<'_>) -> attain_rfm::Result<()>,
) -> anyhow::Result<OrderColumn> {
    let columns = columns.arrow_columns(path, 0)?;
    attain_rfm::parquet::for_each_transaction(path, &columns, f)?;
    Ok(OrderColumn(columns.order.is_some()))
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(
    path: &Path,
    _: &ColumnArgs,
    _: impl FnMut(&Transaction<'_>, &RowLocation<'_>) -> attain_rfm::Result<()>,
) -> anyhow::Result<OrderColumn> {
    anyhow::bail!(
        "{}: a Parquet file, but this attain was built without the `parquet` feature",
        path.display()
    )
}

/// `--currency`: `None` when not given (amounts are then taken as written).
pub(crate) fn currency(code: Option<&str>) -> anyhow::Result<Option<Currency>> {
    code.map(|c| Currency::new(c).usage("--currency"))
        .transpose()
}

/// The currency of amounts read without `--currency`: the unit-less XXX, as fine as a
/// `Decimal` holds (28 decimals), so that every amount is kept exactly as written.
pub(crate) fn unchecked_currency() -> Currency {
    Currency::with_minor_units("XXX", 28).unwrap_or(Currency::XXX)
}

/// A row's amount as money in `currency`: when `checked` (a currency named on the command
/// line), a whole number of its minor units, else an error at the row's amount; otherwise
/// exactly as written.
pub(crate) fn money(
    t: &Transaction<'_>,
    at: &RowLocation<'_>,
    currency: Currency,
    checked: bool,
) -> attain_rfm::Result<Money> {
    if checked {
        check_money(t.amount, currency).map_err(|e| at.input_error(at.amount_column(), e))
    } else {
        Ok(Money::new(t.amount, currency))
    }
}
