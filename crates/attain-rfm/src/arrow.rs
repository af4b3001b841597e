//! Arrow in and out: RFM from Apache Arrow [`RecordBatch`]es, results as a `RecordBatch`.
//!
//! The columns are read in place from the Arrow buffers (no row objects are built):
//!
//! | column | accepted Arrow types |
//! |---|---|
//! | customer id | `Utf8`, `LargeUtf8`, `Utf8View`, `Int32`, `Int64`, `UInt32`, `UInt64` (integers as their decimal text) |
//! | date | `Date32`, `Date64`, `Timestamp(_, None)` or `Timestamp(_, "UTC")` (the UTC date), or text |
//! | amount | `Decimal128(p, s)` (exact), `Int32`/`Int64` minor units with [`ArrowColumns::minor_unit_scale`], or text |
//! | order id (optional) | as the customer id; `NULL` or empty text is an order without an id |
//!
//! Text columns are read by the shared input grammar ([`attain_types::input`]), exactly as the
//! CSV readers read the same text: a file converted from CSV to Parquet with string columns is
//! accepted or rejected row for row as the CSV was. Columns are found by the shared header rule
//! (exact names; a selected name present twice is an error).
//!
//! Floating-point amounts are rejected: money is never `f64`. A `NULL` customer id, date or
//! amount is an [`Error::Arrow`] naming the column and the row; a text value outside the
//! grammar is an [`Error::Input`] naming them.
//!
//! [`aggregate_batches`] aggregates batches held in memory with the same engine as the CSV
//! reader (all cores, exact distinct orders) whenever the options and the amount column allow
//! (amounts with at most 2 decimals that fit 64 bits); otherwise, and for streams, the general
//! [`BatchAggregator`] on [`CustomerState`](crate::CustomerState) gives identical results.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Date32Array, Decimal128Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema};
//! use attain_rfm::arrow::{aggregate_batches, to_record_batch, ArrowColumns};
//! use attain_rfm::AggregateOptions;
//! use attain_types::{dec, NaiveDate};
//!
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("customer_id", DataType::Utf8, false),
//!     Field::new("order_id", DataType::Utf8, true),
//!     Field::new("order_date", DataType::Date32, false),
//!     Field::new("amount", DataType::Decimal128(12, 2), false),
//! ]));
//! let batch = RecordBatch::try_new(schema, vec![
//!     Arc::new(StringArray::from(vec!["ann", "ann", "bob"])),
//!     Arc::new(StringArray::from(vec![Some("o1"), Some("o2"), None])),
//!     Arc::new(Date32Array::from(vec![20_452, 20_453, 20_089])), // 2025-12-30, -31, 2025-01-01
//!     Arc::new(Decimal128Array::from(vec![12_000, 8_050, 1_500]).with_precision_and_scale(12, 2)?),
//! ])?;
//! let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
//! let table = aggregate_batches(&[batch], as_of, &AggregateOptions::default(), &ArrowColumns::default())?;
//! let ann = &table.customers[0];
//! assert_eq!((ann.recency_days, ann.frequency, ann.monetary), (1, 2, dec!(200.50)));
//!
//! let out = to_record_batch(&table.customers, None, None)?;
//! assert_eq!(out.num_rows(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray,
    UInt8Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use attain_types::input::{self, Header, InputError};
use attain_types::{Decimal, NaiveDate};
use chrono::Datelike;

use crate::aggregate::{AggregateOptions, Aggregator, CustomerValues, RfmTable, Transaction};
use crate::fast::{
    Bail, CE_UNIX_EPOCH, Layout, Resolver, Row, Table, day_to_date, fast_id, fast_modes, finish,
    key_hash, layout, parse_amount, parse_day, threads,
};

/// The path errors name for batches held in memory; the Parquet reader puts its file's name.
pub(crate) const ARROW_PATH: &str = "<arrow>";
use crate::score::RfmScore;
use crate::{Error, Result, RowLocation};

/// Which columns hold what, and how integer amounts are scaled. Defaults are the RFM
/// benchmark job v1 names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ArrowColumns {
    /// Customer id column (default `customer_id`).
    pub customer: String,
    /// Date column (default `order_date`).
    pub date: String,
    /// Amount column (default `amount`).
    pub amount: String,
    /// Order id column (default `order_id`); `None` when there is none.
    pub order: Option<String>,
    /// For an integer amount column, the number of decimals of one unit: 2 for cents. Must be
    /// set for integer amounts (there is no safe default); ignored for `Decimal128`.
    pub minor_unit_scale: Option<u32>,
    /// Worker threads, 0 for one per core (default 0).
    pub threads: usize,
    /// For [`parquet::read_path`](crate::parquet::read_path): memory, in bytes, for the
    /// per-order hashes of exact distinct-order counting (default 256 MiB); a file with more
    /// orders is read in several passes over hash partitions of the customers.
    pub order_memory: usize,
}

impl Default for ArrowColumns {
    fn default() -> Self {
        ArrowColumns {
            customer: "customer_id".to_owned(),
            date: "order_date".to_owned(),
            amount: "amount".to_owned(),
            order: Some("order_id".to_owned()),
            minor_unit_scale: None,
            threads: 0,
            order_memory: 256 << 20,
        }
    }
}

impl ArrowColumns {
    /// Sets the customer id column.
    #[must_use]
    pub fn customer(mut self, name: &str) -> Self {
        name.clone_into(&mut self.customer);
        self
    }
    /// Sets the date column.
    #[must_use]
    pub fn date(mut self, name: &str) -> Self {
        name.clone_into(&mut self.date);
        self
    }
    /// Sets the amount column.
    #[must_use]
    pub fn amount(mut self, name: &str) -> Self {
        name.clone_into(&mut self.amount);
        self
    }
    /// Sets the order id column (`None`: the data has none).
    #[must_use]
    pub fn order(mut self, name: Option<&str>) -> Self {
        self.order = name.map(str::to_owned);
        self
    }
    /// Sets the scale of integer amounts (2: the integers are cents).
    #[must_use]
    pub fn minor_unit_scale(mut self, scale: u32) -> Self {
        self.minor_unit_scale = Some(scale);
        self
    }
    /// Sets the memory for per-order hashes (see [`ArrowColumns::order_memory`]).
    #[must_use]
    pub fn order_memory(mut self, bytes: usize) -> Self {
        self.order_memory = bytes;
        self
    }
    /// Sets the number of worker threads (0: one per core).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }
}

fn col_err(column: &str, row: u64, reason: impl Into<String>) -> Error {
    Error::Arrow {
        path: ARROW_PATH.to_owned(),
        column: column.to_owned(),
        row,
        reason: reason.into(),
    }
}

/// A text column: `Utf8`, `LargeUtf8` or `Utf8View`, read as bytes in the shared grammar.
enum Text<'a> {
    Utf8(&'a arrow_array::GenericStringArray<i32>),
    Large(&'a arrow_array::GenericStringArray<i64>),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Text<'a> {
    /// The text column `array` is, if it is one.
    fn of(array: &'a dyn Array) -> Option<Self> {
        Some(match array.data_type() {
            DataType::Utf8 => Text::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(array.as_string::<i64>()),
            DataType::Utf8View => Text::View(array.as_string_view()),
            _ => return None,
        })
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Text::Utf8(a) => a.is_null(i),
            Text::Large(a) => a.is_null(i),
            Text::View(a) => a.is_null(i),
        }
    }

    /// The value's bytes; not checked for null.
    #[inline]
    fn bytes(&self, i: usize) -> &'a [u8] {
        match self {
            Text::Utf8(a) => a.value(i).as_bytes(),
            Text::Large(a) => a.value(i).as_bytes(),
            Text::View(a) => a.value(i).as_bytes(),
        }
    }
}

/// An id column: text, or integers read as their decimal text.
enum Ids<'a> {
    Text(Text<'a>),
    I32(&'a arrow_array::PrimitiveArray<Int32Type>),
    I64(&'a arrow_array::PrimitiveArray<Int64Type>),
    U32(&'a arrow_array::PrimitiveArray<UInt32Type>),
    U64(&'a arrow_array::PrimitiveArray<UInt64Type>),
}

/// Writes an integer's decimal text into `buf` and returns it.
fn int_text(v: i128, buf: &mut [u8; 40]) -> &[u8] {
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

impl<'a> Ids<'a> {
    fn new(array: &'a dyn Array, column: &str) -> Result<Self> {
        if let Some(text) = Text::of(array) {
            return Ok(Ids::Text(text));
        }
        Ok(match array.data_type() {
            DataType::Int32 => Ids::I32(array.as_primitive()),
            DataType::Int64 => Ids::I64(array.as_primitive()),
            DataType::UInt32 => Ids::U32(array.as_primitive()),
            DataType::UInt64 => Ids::U64(array.as_primitive()),
            other => {
                return Err(col_err(
                    column,
                    0,
                    format!("unsupported type {other} for an id (use Utf8 or an integer type)"),
                ));
            }
        })
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Ids::Text(t) => t.is_null(i),
            Ids::I32(a) => a.is_null(i),
            Ids::I64(a) => a.is_null(i),
            Ids::U32(a) => a.is_null(i),
            Ids::U64(a) => a.is_null(i),
        }
    }

    /// The id's bytes (text as stored, integers as decimal text); not checked for null.
    #[inline]
    fn bytes<'b>(&'b self, i: usize, buf: &'b mut [u8; 40]) -> &'b [u8] {
        match self {
            Ids::Text(t) => t.bytes(i),
            Ids::I32(a) => int_text(i128::from(a.value(i)), buf),
            Ids::I64(a) => int_text(i128::from(a.value(i)), buf),
            Ids::U32(a) => int_text(i128::from(a.value(i)), buf),
            Ids::U64(a) => int_text(i128::from(a.value(i)), buf),
        }
    }
}

/// A date column as days from CE.
enum Dates<'a> {
    D32(&'a arrow_array::PrimitiveArray<Date32Type>),
    D64(&'a arrow_array::PrimitiveArray<Date64Type>),
    /// Timestamps and the number of their units per day.
    Ts(TsArray<'a>, i64),
    /// Text in the shared date grammar ([`input::parse_date`]).
    Text(Text<'a>),
}

enum TsArray<'a> {
    S(&'a arrow_array::PrimitiveArray<TimestampSecondType>),
    Ms(&'a arrow_array::PrimitiveArray<TimestampMillisecondType>),
    Us(&'a arrow_array::PrimitiveArray<TimestampMicrosecondType>),
    Ns(&'a arrow_array::PrimitiveArray<TimestampNanosecondType>),
}

impl<'a> Dates<'a> {
    fn new(array: &'a dyn Array, column: &str) -> Result<Self> {
        if let Some(text) = Text::of(array) {
            return Ok(Dates::Text(text));
        }
        Ok(match array.data_type() {
            DataType::Date32 => Dates::D32(array.as_primitive()),
            DataType::Date64 => Dates::D64(array.as_primitive()),
            DataType::Timestamp(unit, tz) => {
                if let Some(tz) = tz
                    && !matches!(tz.as_ref(), "UTC" | "+00:00" | "Z" | "Etc/UTC")
                {
                    return Err(col_err(
                        column,
                        0,
                        format!(
                            "timestamps in time zone {tz} are not supported; convert them to \
                             dates (Date32) in the zone that defines the business day"
                        ),
                    ));
                }
                match unit {
                    TimeUnit::Second => Dates::Ts(TsArray::S(array.as_primitive()), 86_400),
                    TimeUnit::Millisecond => {
                        Dates::Ts(TsArray::Ms(array.as_primitive()), 86_400_000)
                    }
                    TimeUnit::Microsecond => {
                        Dates::Ts(TsArray::Us(array.as_primitive()), 86_400_000_000)
                    }
                    TimeUnit::Nanosecond => {
                        Dates::Ts(TsArray::Ns(array.as_primitive()), 86_400_000_000_000)
                    }
                }
            }
            other => {
                return Err(col_err(
                    column,
                    0,
                    format!(
                        "unsupported type {other} for a date (use Date32, Date64, Timestamp or Utf8)"
                    ),
                ));
            }
        })
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Dates::D32(a) => a.is_null(i),
            Dates::D64(a) => a.is_null(i),
            Dates::Ts(TsArray::S(a), _) => a.is_null(i),
            Dates::Ts(TsArray::Ms(a), _) => a.is_null(i),
            Dates::Ts(TsArray::Us(a), _) => a.is_null(i),
            Dates::Ts(TsArray::Ns(a), _) => a.is_null(i),
            Dates::Text(t) => t.is_null(i),
        }
    }

    /// Days from CE, `None` outside chrono's range or for text the fast path leaves to
    /// [`Dates::date`]; not checked for null.
    #[inline]
    fn day(&self, i: usize) -> Option<i32> {
        let from_epoch = match self {
            Dates::Text(t) => return parse_day(t.bytes(i)),
            Dates::D32(a) => i64::from(a.value(i)),
            Dates::D64(a) => a.value(i).div_euclid(86_400_000),
            Dates::Ts(t, per_day) => {
                let v = match t {
                    TsArray::S(a) => a.value(i),
                    TsArray::Ms(a) => a.value(i),
                    TsArray::Us(a) => a.value(i),
                    TsArray::Ns(a) => a.value(i),
                };
                v.div_euclid(*per_day)
            }
        };
        let day = i32::try_from(from_epoch.checked_add(i64::from(CE_UNIX_EPOCH))?).ok()?;
        NaiveDate::from_num_days_from_ce_opt(day).map(|_| day)
    }

    /// The date of row `i`, or why it has none; not checked for null.
    fn date(&self, i: usize) -> std::result::Result<NaiveDate, Option<InputError>> {
        match self {
            Dates::Text(t) => input::parse_date_bytes(t.bytes(i)).map_err(Some),
            _ => self.day(i).and_then(day_to_date).ok_or(None),
        }
    }
}

/// An amount column: numbers as (mantissa, scale), or text in the shared amount grammar.
enum Amounts<'a> {
    Dec(&'a arrow_array::PrimitiveArray<Decimal128Type>, u32),
    I32(&'a arrow_array::PrimitiveArray<Int32Type>, u32),
    I64(&'a arrow_array::PrimitiveArray<Int64Type>, u32),
    /// Text in the shared amount grammar ([`input::parse_amount`]).
    Text(Text<'a>),
}

impl<'a> Amounts<'a> {
    fn new(array: &'a dyn Array, column: &str, minor: Option<u32>) -> Result<Self> {
        let minor = |kind: &str| {
            minor.filter(|s| *s <= 28).ok_or_else(|| {
                col_err(
                    column,
                    0,
                    format!(
                        "{kind} amounts need minor_unit_scale (0..=28), the decimals of one unit"
                    ),
                )
            })
        };
        if let Some(text) = Text::of(array) {
            return Ok(Amounts::Text(text));
        }
        Ok(match array.data_type() {
            DataType::Decimal128(_, s) => {
                let s = u32::try_from(*s).ok().filter(|s| *s <= 28).ok_or_else(|| {
                    col_err(column, 0, format!("decimal scale {s} is not in 0..=28"))
                })?;
                Amounts::Dec(array.as_primitive(), s)
            }
            DataType::Int32 => Amounts::I32(array.as_primitive(), minor("Int32")?),
            DataType::Int64 => Amounts::I64(array.as_primitive(), minor("Int64")?),
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                return Err(col_err(
                    column,
                    0,
                    "floating-point amounts are not accepted (money is exact): store Decimal128 \
                     or integer minor units",
                ));
            }
            other => {
                return Err(col_err(
                    column,
                    0,
                    format!(
                        "unsupported type {other} for an amount (use Decimal128, Int64 or Utf8)"
                    ),
                ));
            }
        })
    }

    /// The scale of a numeric column; `None` for text, whose scale is per value.
    fn scale(&self) -> Option<u32> {
        match self {
            Amounts::Dec(_, s) | Amounts::I32(_, s) | Amounts::I64(_, s) => Some(*s),
            Amounts::Text(_) => None,
        }
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Amounts::Dec(a, _) => a.is_null(i),
            Amounts::I32(a, _) => a.is_null(i),
            Amounts::I64(a, _) => a.is_null(i),
            Amounts::Text(t) => t.is_null(i),
        }
    }

    /// The mantissa (at [`Amounts::scale`]) of a numeric column, 0 for text; not checked
    /// for null.
    #[inline]
    fn mantissa(&self, i: usize) -> i128 {
        match self {
            Amounts::Dec(a, _) => a.value(i),
            Amounts::I32(a, _) => i128::from(a.value(i)),
            Amounts::I64(a, _) => i128::from(a.value(i)),
            Amounts::Text(_) => 0,
        }
    }

    /// The amount of row `i`, or why it has none; not checked for null.
    fn amount(&self, i: usize) -> std::result::Result<Decimal, Option<InputError>> {
        match self {
            Amounts::Text(t) => input::parse_amount_bytes(t.bytes(i)).map_err(Some),
            _ => {
                let scale = self.scale().unwrap_or(0);
                Decimal::try_from_i128_with_scale(self.mantissa(i), scale).map_err(|_| None)
            }
        }
    }
}

/// The columns of one batch, typed.
struct Columns<'a> {
    customer: Ids<'a>,
    order: Option<Ids<'a>>,
    date: Dates<'a>,
    amount: Amounts<'a>,
    len: usize,
}

/// The column named `name`, matched by the shared header rule ([`Header::find`]): exactly,
/// and an error when two columns carry the name.
fn column<'a>(batch: &'a RecordBatch, header: &Header, name: &str) -> Result<&'a dyn Array> {
    let i = header
        .find(name)
        .map_err(|e| Error::header(ARROW_PATH, name, e))?;
    Ok(batch.column(i).as_ref())
}

impl<'a> Columns<'a> {
    fn new(batch: &'a RecordBatch, names: &ArrowColumns) -> Result<Self> {
        let schema = batch.schema();
        let header = Header::new(schema.fields().iter().map(|f| f.name().as_str()));
        Ok(Columns {
            customer: Ids::new(column(batch, &header, &names.customer)?, &names.customer)?,
            order: match &names.order {
                Some(o) => Some(Ids::new(column(batch, &header, o)?, o)?),
                None => None,
            },
            date: Dates::new(column(batch, &header, &names.date)?, &names.date)?,
            amount: Amounts::new(
                column(batch, &header, &names.amount)?,
                &names.amount,
                names.minor_unit_scale,
            )?,
            len: batch.num_rows(),
        })
    }
}

/// A streaming aggregator over record batches: the general engine, for any options and any
/// amount scale, mergeable with [`BatchAggregator::merge`]. Memory is proportional to the
/// customers (plus their order ids when frequency counts distinct orders).
#[derive(Debug, Clone)]
pub struct BatchAggregator {
    inner: Aggregator,
    columns: ArrowColumns,
    rows: u64,
}

impl BatchAggregator {
    /// An empty aggregator.
    #[must_use]
    pub fn new(as_of: NaiveDate, options: AggregateOptions, columns: ArrowColumns) -> Self {
        BatchAggregator {
            inner: Aggregator::new(as_of, options),
            columns,
            rows: 0,
        }
    }

    /// Adds every row of a batch.
    ///
    /// # Errors
    ///
    /// [`Error::MissingColumn`]; [`Error::Arrow`] naming the column and the row (counted from
    /// 1 over all batches pushed) for an unsupported type, a `NULL` or a date or amount out of
    /// range; [`Error::Overflow`].
    pub fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        let inner = &mut self.inner;
        for_each_row(batch, &self.columns, ARROW_PATH, self.rows, &mut |t, _| {
            inner.push(t)
        })?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Merges another aggregator (of the same `as_of` and options) into this one.
    ///
    /// # Errors
    ///
    /// [`Error::MergeMismatch`], [`Error::Overflow`].
    pub fn merge(&mut self, other: BatchAggregator) -> Result<()> {
        self.rows += other.rows;
        self.inner.merge(other.inner)
    }

    /// The values of every customer, sorted by customer id.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a mean cannot be represented.
    pub fn finish(self) -> Result<RfmTable> {
        self.inner.finish()
    }
}

/// Reads every row of `batch` by the shared grammar and calls `f` on it with its location
/// (`path`, and the row counted from 1 after `rows_before` earlier rows). The one row reader
/// of Arrow and Parquet input.
pub(crate) fn for_each_row(
    batch: &RecordBatch,
    names: &ArrowColumns,
    path: &str,
    rows_before: u64,
    f: &mut dyn FnMut(&Transaction<'_>, &RowLocation<'_>) -> Result<()>,
) -> Result<()> {
    let named = |e: Error| {
        if path == ARROW_PATH {
            e
        } else {
            e.in_file(path)
        }
    };
    let c = Columns::new(batch, names).map_err(named)?;
    let order_name = names.order.as_deref().unwrap_or("");
    let (mut cbuf, mut obuf) = ([0u8; 40], [0u8; 40]);
    for i in 0..c.len {
        let at = RowLocation::new(
            path,
            rows_before + i as u64 + 1,
            &names.customer,
            &names.date,
            &names.amount,
        );
        let arrow_err = |column: &str, reason: String| Error::Arrow {
            path: path.to_owned(),
            column: column.to_owned(),
            row: at.line,
            reason,
        };
        let null = |column: &str, what: &str| arrow_err(column, format!("null {what}"));
        let range = |column: &str, what: &str| arrow_err(column, format!("{what} out of range"));
        if c.customer.is_null(i) {
            return Err(null(&names.customer, "customer id"));
        }
        let customer_id = input::parse_id_bytes(c.customer.bytes(i, &mut cbuf))
            .map_err(|e| at.input_error(&names.customer, e))?;
        if c.date.is_null(i) {
            return Err(null(&names.date, "date"));
        }
        let date = c.date.date(i).map_err(|e| match e {
            Some(e) => at.input_error(&names.date, e),
            None => range(&names.date, "date"),
        })?;
        if c.amount.is_null(i) {
            return Err(null(&names.amount, "amount"));
        }
        let amount = c.amount.amount(i).map_err(|e| match e {
            Some(e) => at.input_error(&names.amount, e),
            None => range(&names.amount, "amount (beyond Decimal)"),
        })?;
        // An empty or NULL order id is an order without an id, as in CSV.
        let order_id = match &c.order {
            Some(o) if !o.is_null(i) => match o.bytes(i, &mut obuf) {
                [] => None,
                b => Some(input::parse_id_bytes(b).map_err(|e| at.input_error(order_name, e))?),
            },
            _ => None,
        };
        f(
            &Transaction {
                customer_id,
                date,
                amount,
                order_id,
            },
            &at,
        )?;
    }
    Ok(())
}

/// Scans one batch for the customers of partition `part` and hands the admitted rows to `f`
/// in groups; `Bail` on anything the fast engine does not handle (a `NULL`, an amount with
/// more than 2 decimals or beyond 64 bits, a bad date): the general engine then reports it.
pub(crate) fn scan_batch(
    batch: &RecordBatch,
    names: &ArrowColumns,
    layout: &Layout,
    part: (u64, u64),
    report: &mut crate::IngestReport,
    mut f: impl FnMut(&[Row<'_>]) -> Result<(), Bail>,
) -> Result<(), Bail> {
    const GROUP: usize = 32;
    let c = Columns::new(batch, names).map_err(|_| Bail)?;
    // Numeric amounts share one scale; text amounts are parsed per value.
    let scale = c.amount.scale();
    if scale.is_some_and(|s| s > 2) {
        return Err(Bail);
    }
    let to_hundredths = [100i128, 10, 1][scale.unwrap_or(2) as usize];
    // Integer ids are plain decimal text; text ids are checked by the shared id rule.
    let text_ids = matches!(c.customer, Ids::Text(_));
    let text_orders = matches!(c.order, Some(Ids::Text(_)));
    let mut cbufs = [[0u8; 40]; GROUP];
    let mut obufs = [[0u8; 40]; GROUP];
    let mut i = 0usize;
    while i < c.len {
        let end = (i + GROUP).min(c.len);
        let mut rows: Vec<Row<'_>> = Vec::with_capacity(GROUP);
        for ((k, cb), ob) in (i..end).zip(cbufs.iter_mut()).zip(obufs.iter_mut()) {
            if c.customer.is_null(k) || c.date.is_null(k) || c.amount.is_null(k) {
                return Err(Bail);
            }
            let customer = c.customer.bytes(k, cb);
            if text_ids && !fast_id(customer) {
                return Err(Bail);
            }
            let hash = key_hash(customer);
            if part.1 > 1 && ((hash >> 32) * part.1) >> 32 != part.0 {
                continue;
            }
            let day = c.date.day(k).ok_or(Bail)?;
            let (amount, row_scale, neg) = match &c.amount {
                Amounts::Text(t) => parse_amount(t.bytes(k)).ok_or(Bail)?,
                a => {
                    let m = a.mantissa(k);
                    let amount = i64::try_from(m.checked_mul(to_hundredths).ok_or(Bail)?)
                        .ok()
                        .filter(|v| v.unsigned_abs() < 10u64.pow(18))
                        .ok_or(Bail)?;
                    (amount, scale.unwrap_or(2) as u8, m < 0)
                }
            };
            // Every field of a row is read by the grammar, also on rows the as-of date then
            // leaves out (as the general reader does).
            let order: &[u8] = match &c.order {
                Some(o) if !o.is_null(k) => o.bytes(k, ob),
                _ => &[],
            };
            if text_orders && !order.is_empty() && !fast_id(order) {
                return Err(Bail);
            }
            if !layout.admit(day, neg && amount != 0, report) {
                continue;
            }
            rows.push(Row {
                customer,
                order,
                hash,
                day,
                amount,
                scale: row_scale,
                neg,
            });
        }
        f(&rows)?;
        i = end;
    }
    Ok(())
}

/// Feeds `batches` to one table per worker, each worker taking its hash partition of the
/// customers.
pub(crate) fn scan_into(
    tables: &mut [Result<Table, Bail>],
    batches: &[RecordBatch],
    names: &ArrowColumns,
    layout: &Layout,
    (first_part, parts): (u64, u64),
) {
    let work = |w: usize, slot: &mut Result<Table, Bail>| {
        let Ok(t) = slot else { return };
        let mut report = t.report;
        let part = (first_part + w as u64, parts);
        let r = batches.iter().try_for_each(|b| {
            scan_batch(b, names, layout, part, &mut report, |rows| {
                t.add_rows(rows, layout)
            })
        });
        t.report = report;
        if r.is_err() {
            *slot = Err(Bail);
        }
    };
    if tables.len() == 1 {
        work(0, &mut tables[0]);
        return;
    }
    std::thread::scope(|s| {
        for (w, slot) in tables.iter_mut().enumerate() {
            let work = &work;
            s.spawn(move || work(w, slot));
        }
    });
}

/// Aggregates record batches held in memory at `as_of`, on all cores when the fast engine
/// applies (see the [module docs](self)), else with [`BatchAggregator`]. Same results either
/// way, and the same as the CSV reader on the same data.
///
/// # Errors
///
/// As [`BatchAggregator::push`].
pub fn aggregate_batches(
    batches: &[RecordBatch],
    as_of: NaiveDate,
    options: &AggregateOptions,
    columns: &ArrowColumns,
) -> Result<RfmTable> {
    if fast_modes(options) {
        let layout = layout(as_of, options, columns.order.is_some());
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let n = threads(columns.threads);
        let hint = if layout.track_orders { rows / n } else { 0 };
        let mut tables: Vec<Result<Table, Bail>> = (0..n).map(|_| Ok(Table::new(hint))).collect();
        scan_into(&mut tables, batches, columns, &layout, (0, n as u64));
        let second_pass = |r: &mut Resolver<'_>| -> Result<Option<()>> {
            let mut report = crate::IngestReport::default();
            let ok = batches.iter().try_for_each(|b| {
                scan_batch(b, columns, &layout, (0, 1), &mut report, |rows| {
                    rows.iter().try_for_each(|row| r.row(row))
                })
            });
            Ok(ok.ok())
        };
        let dups = HashSet::default();
        if let Some(t) = finish(tables, dups, &layout, as_of, options, second_pass)? {
            return Ok(t);
        }
    }
    let mut agg = BatchAggregator::new(as_of, *options, columns.clone());
    for b in batches {
        agg.push(b)?;
    }
    agg.finish()
}

/// The scale of a Decimal128 column holding every value exactly: the largest scale among them.
fn common_scale(values: impl Iterator<Item = Decimal>) -> u32 {
    values.map(|d| d.scale()).max().unwrap_or(0)
}

/// The schema of [`to_record_batch`]'s result, for a monetary scale and the optional columns.
#[must_use]
pub fn result_schema(monetary_scale: u32, scores: bool, segments: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("recency_days", DataType::Int64, false),
        Field::new("frequency", DataType::UInt64, false),
        Field::new(
            "monetary",
            DataType::Decimal128(38, monetary_scale.min(38) as i8),
            false,
        ),
        Field::new("first_purchase", DataType::Date32, false),
        Field::new("last_purchase", DataType::Date32, false),
    ];
    if scores {
        for name in ["r", "f", "m"] {
            fields.push(Field::new(name, DataType::UInt8, false));
        }
    }
    if segments {
        fields.push(Field::new("segment", DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}

/// Per-customer values (and optionally scores and segments, aligned with them) as a
/// `RecordBatch` with the columns `customer_id` (Utf8), `recency_days` (Int64), `frequency`
/// (UInt64), `monetary` (Decimal128(38, s), where s is the largest scale among the values, so
/// every value is exact), `first_purchase`, `last_purchase` (Date32), then `r`, `f`, `m`
/// (UInt8) and `segment` (Utf8, `NULL` where no rule matched).
///
/// # Errors
///
/// [`Error::ColumnLength`] when `scores` or `segments` do not have one entry per customer;
/// [`Error::Arrow`] when a value cannot be represented.
pub fn to_record_batch(
    customers: &[CustomerValues],
    scores: Option<&[RfmScore]>,
    segments: Option<&[Option<&str>]>,
) -> Result<RecordBatch> {
    let n = customers.len();
    if let Some(s) = scores
        && s.len() != n
    {
        return Err(Error::ColumnLength {
            column: "scores",
            len: s.len(),
            expected: n,
        });
    }
    if let Some(s) = segments
        && s.len() != n
    {
        return Err(Error::ColumnLength {
            column: "segments",
            len: s.len(),
            expected: n,
        });
    }
    let scale = common_scale(customers.iter().map(|c| c.monetary));
    let mut monetary = Vec::with_capacity(n);
    for (i, c) in customers.iter().enumerate() {
        let mut d = c.monetary;
        d.rescale(scale);
        if d.scale() != scale {
            return Err(col_err(
                "monetary",
                i as u64 + 1,
                "cannot be represented exactly",
            ));
        }
        monetary.push(d.mantissa());
    }
    let date = |d: NaiveDate| d.num_days_from_ce() - CE_UNIX_EPOCH;
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            customers.iter().map(|c| c.customer_id.as_str()),
        )),
        Arc::new(Int64Array::from_iter_values(
            customers.iter().map(|c| c.recency_days),
        )),
        Arc::new(UInt64Array::from_iter_values(
            customers.iter().map(|c| c.frequency),
        )),
        Arc::new(
            Decimal128Array::from(monetary)
                .with_precision_and_scale(38, scale as i8)
                .map_err(|e| col_err("monetary", 0, e.to_string()))?,
        ),
        Arc::new(Date32Array::from_iter_values(
            customers.iter().map(|c| date(c.first_purchase)),
        )),
        Arc::new(Date32Array::from_iter_values(
            customers.iter().map(|c| date(c.last_purchase)),
        )),
    ];
    if let Some(s) = scores {
        columns.push(Arc::new(UInt8Array::from_iter_values(
            s.iter().map(|s| s.r),
        )));
        columns.push(Arc::new(UInt8Array::from_iter_values(
            s.iter().map(|s| s.f),
        )));
        columns.push(Arc::new(UInt8Array::from_iter_values(
            s.iter().map(|s| s.m),
        )));
    }
    if let Some(s) = segments {
        columns.push(Arc::new(StringArray::from(s.to_vec())));
    }
    RecordBatch::try_new(
        result_schema(scale, scores.is_some(), segments.is_some()),
        columns,
    )
    .map_err(|e| col_err("", 0, e.to_string()))
}
