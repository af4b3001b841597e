//! The Arrow reader on arbitrary record batches built by the fuzzer (column types, nulls,
//! values and batch boundaries all chosen by the input): the in-memory engine
//! (`aggregate_batches`) and the streaming `BatchAggregator` accept or refuse alike, at the
//! same row and column, with the same table; and aggregating the batches in two halves and
//! merging gives the whole.

use std::sync::Arc;

use arbitrary::{Result, Unstructured};
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{
    ArrayRef, Date32Array, Date64Array, Decimal128Array, Float64Array, Int32Array, Int64Array,
    LargeStringArray, PrimitiveArray, RecordBatch, StringArray, StringViewArray, UInt32Array,
    UInt64Array,
};
use arrow_schema::{Field, Schema};
use attain_rfm::arrow::{ArrowColumns, BatchAggregator, aggregate_batches};
use attain_rfm::{AggregateOptions, FrequencyMode, MonetaryMode, ReturnsMode};
use attain_types::NaiveDate;

use super::csv_readers::location;

/// A piece of text: mostly near the grammar, sometimes anything.
fn text(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 => ["a", "b", "c", "", " a", "é"][u.choose_index(6)?].to_owned(),
        1 => format!(
            "{:04}-{:02}-{:02}",
            u.int_in_range(1990..=2001)?,
            u.int_in_range(0..=13)?,
            u.int_in_range(0..=32)?
        ),
        2 => format!(
            "{}.{:0w$}",
            u.int_in_range(-999..=999_999)?,
            u.int_in_range(0..=99)?,
            w = u.int_in_range(1..=3)?
        ),
        3 => u.int_in_range(-5..=5000)?.to_string(),
        4 => format!(
            "{}T{:02}:00:00{}",
            text_date(u)?,
            u.int_in_range(0..=24)?,
            ["Z", "+05:00", "-23:59", ""][u.choose_index(4)?]
        ),
        _ => u.arbitrary::<String>()?,
    })
}

fn text_date(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(format!(
        "{:04}-{:02}-{:02}",
        u.int_in_range(1995..=1999)?,
        u.int_in_range(1..=12)?,
        u.int_in_range(1..=28)?
    ))
}

fn opt<T>(
    u: &mut Unstructured<'_>,
    nulls: bool,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    if nulls && u.ratio(1, 8)? {
        Ok(None)
    } else {
        f(u).map(Some)
    }
}

/// An id column of the kind `kind`, `n` rows.
fn id_column(u: &mut Unstructured<'_>, kind: u8, n: usize, nulls: bool) -> Result<ArrayRef> {
    let mut small = || -> Result<Vec<Option<i64>>> {
        (0..n)
            .map(|_| opt(u, nulls, |u| u.int_in_range(-2..=6)))
            .collect()
    };
    Ok(match kind % 7 {
        0 => Arc::new(StringArray::from(
            (0..n)
                .map(|_| opt(u, nulls, text))
                .collect::<Result<Vec<_>>>()?,
        )),
        1 => Arc::new(LargeStringArray::from(
            (0..n)
                .map(|_| opt(u, nulls, text))
                .collect::<Result<Vec<_>>>()?,
        )),
        2 => Arc::new(StringViewArray::from(
            (0..n)
                .map(|_| opt(u, nulls, text))
                .collect::<Result<Vec<_>>>()?,
        )),
        3 => Arc::new(Int32Array::from(
            small()?
                .into_iter()
                .map(|v| v.map(|v| v as i32))
                .collect::<Vec<_>>(),
        )),
        4 => Arc::new(Int64Array::from(small()?)),
        5 => Arc::new(UInt32Array::from(
            small()?
                .into_iter()
                .map(|v| v.map(|v| v.unsigned_abs() as u32))
                .collect::<Vec<_>>(),
        )),
        _ => Arc::new(UInt64Array::from(
            small()?
                .into_iter()
                .map(|v| v.map(i64::unsigned_abs))
                .collect::<Vec<_>>(),
        )),
    })
}

/// Days around 1995-1999 (9131..10957 since 1970), sometimes anything.
fn days(u: &mut Unstructured<'_>, n: usize, nulls: bool) -> Result<Vec<Option<i64>>> {
    (0..n)
        .map(|_| {
            opt(u, nulls, |u| {
                if u.ratio(1, 16)? {
                    u.arbitrary()
                } else {
                    u.int_in_range(9100..=11000)
                }
            })
        })
        .collect()
}

/// Amounts in minor units, sometimes anything.
fn ints(u: &mut Unstructured<'_>, n: usize, nulls: bool) -> Result<Vec<Option<i64>>> {
    (0..n)
        .map(|_| {
            opt(u, nulls, |u| {
                if u.ratio(1, 16)? {
                    u.arbitrary()
                } else {
                    u.int_in_range(-500..=100_000)
                }
            })
        })
        .collect()
}

fn date_column(u: &mut Unstructured<'_>, kind: u8, n: usize, nulls: bool) -> Result<ArrayRef> {
    Ok(match kind % 8 {
        0 => Arc::new(Date32Array::from(
            days(u, n, nulls)?
                .into_iter()
                .map(|d| d.map(|d| d as i32))
                .collect::<Vec<_>>(),
        )),
        1 => Arc::new(Date64Array::from(
            days(u, n, nulls)?
                .into_iter()
                .map(|d| d.map(|d| d.wrapping_mul(86_400_000)))
                .collect::<Vec<_>>(),
        )),
        2 => {
            let tz = u.ratio(1, 2)?;
            let a = PrimitiveArray::<TimestampSecondType>::from(
                days(u, n, nulls)?
                    .into_iter()
                    .map(|d| d.map(|d| d.wrapping_mul(86_400).wrapping_add(3_600)))
                    .collect::<Vec<_>>(),
            );
            Arc::new(if tz { a.with_timezone("UTC") } else { a })
        }
        3 => Arc::new(
            PrimitiveArray::<TimestampMillisecondType>::from(
                days(u, n, nulls)?
                    .into_iter()
                    .map(|d| d.map(|d| d.wrapping_mul(86_400_000).wrapping_sub(1)))
                    .collect::<Vec<_>>(),
            )
            .with_timezone("UTC"),
        ),
        4 => Arc::new(PrimitiveArray::<TimestampMicrosecondType>::from(
            days(u, n, nulls)?
                .into_iter()
                .map(|d| d.map(|d| d.wrapping_mul(86_400_000_000)))
                .collect::<Vec<_>>(),
        )),
        5 => Arc::new(
            PrimitiveArray::<TimestampNanosecondType>::from(
                days(u, n, nulls)?
                    .into_iter()
                    .map(|d| d.map(|d| d.wrapping_mul(86_400_000_000_000)))
                    .collect::<Vec<_>>(),
            )
            .with_timezone("+05:00"),
        ),
        6 => Arc::new(Float64Array::from(vec![1.0; n])),
        _ => Arc::new(StringArray::from(
            (0..n)
                .map(|_| {
                    opt(u, nulls, |u| {
                        if u.ratio(3, 4)? {
                            text_date(u)
                        } else {
                            text(u)
                        }
                    })
                })
                .collect::<Result<Vec<_>>>()?,
        )),
    })
}

fn amount_column(u: &mut Unstructured<'_>, kind: u8, n: usize, nulls: bool) -> Result<ArrayRef> {
    Ok(match kind % 5 {
        0 => {
            let precision = u.int_in_range(1..=38)?;
            let scale = u.int_in_range(-2..=i8::try_from(precision).unwrap_or(38).min(10))?;
            let values = ints(u, n, nulls)?
                .into_iter()
                .map(|v| v.map(i128::from))
                .collect::<Vec<_>>();
            match Decimal128Array::from(values).with_precision_and_scale(precision, scale) {
                Ok(a) => Arc::new(a),
                Err(_) => Arc::new(Decimal128Array::from(vec![Some(1_i128); n])),
            }
        }
        1 => Arc::new(Int32Array::from(
            ints(u, n, nulls)?
                .into_iter()
                .map(|v| v.map(|v| v as i32))
                .collect::<Vec<_>>(),
        )),
        2 => Arc::new(Int64Array::from(ints(u, n, nulls)?)),
        3 => Arc::new(Float64Array::from(vec![1.5; n])),
        _ => Arc::new(StringArray::from(
            (0..n)
                .map(|_| opt(u, nulls, text))
                .collect::<Result<Vec<_>>>()?,
        )),
    })
}

struct Case {
    batches: Vec<RecordBatch>,
    columns: ArrowColumns,
    options: AggregateOptions,
    as_of: NaiveDate,
}

fn case(u: &mut Unstructured<'_>) -> Result<Case> {
    let kinds: [u8; 4] = u.arbitrary()?;
    let nulls = u.ratio(1, 4)?;
    let with_order = u.ratio(2, 3)?;
    let nbatches = u.int_in_range(1..=4)?;
    let mut batches = Vec::with_capacity(nbatches);
    let mut schema_fields = None;
    for _ in 0..nbatches {
        let n = u.int_in_range(0..=24)?;
        let mut cols: Vec<(&str, ArrayRef)> = vec![
            ("customer_id", id_column(u, kinds[0], n, nulls)?),
            ("order_date", date_column(u, kinds[1], n, nulls)?),
            ("amount", amount_column(u, kinds[2], n, nulls)?),
        ];
        if with_order {
            cols.push(("order_id", id_column(u, kinds[3], n, nulls)?));
        }
        if u.ratio(1, 32)? {
            cols.push(("amount", amount_column(u, kinds[2], n, nulls)?));
        }
        let fields: Vec<Field> = cols
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        // Every batch of a stream has one schema: keep the first batch's column types.
        let schema = Arc::new(Schema::new(fields));
        if schema_fields.get_or_insert_with(|| schema.clone()) != &schema {
            continue;
        }
        let arrays = cols.into_iter().map(|(_, a)| a).collect();
        if let Ok(b) = RecordBatch::try_new(schema, arrays) {
            batches.push(b);
        }
    }
    let mut columns = ArrowColumns::default().order(with_order.then_some("order_id"));
    if u.ratio(3, 4)? {
        columns = columns.minor_unit_scale(u.int_in_range(0..=4)?);
    }
    columns = columns.threads(u.int_in_range(1..=3)?);
    let options = AggregateOptions::default()
        .frequency([FrequencyMode::DistinctOrders, FrequencyMode::Rows][u.choose_index(2)?])
        .monetary([MonetaryMode::Sum, MonetaryMode::MeanPerOrder][u.choose_index(2)?])
        .returns([ReturnsMode::Net, ReturnsMode::Excluded][u.choose_index(2)?]);
    let as_of = NaiveDate::from_ymd_opt(u.int_in_range(1996..=2000)?, 1, 1).expect("date");
    Ok(Case {
        batches,
        columns,
        options,
        as_of,
    })
}

pub fn check(data: &[u8]) {
    let Ok(c) = case(&mut Unstructured::new(data)) else {
        return;
    };
    let whole = aggregate_batches(&c.batches, c.as_of, &c.options, &c.columns);
    let mut streamed = BatchAggregator::new(c.as_of, c.options, c.columns.clone());
    let streamed = c
        .batches
        .iter()
        .try_for_each(|b| streamed.push(b))
        .and_then(|()| streamed.finish());
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "aggregate_batches and BatchAggregator differ"),
        (Err(a), Err(b)) => assert_eq!(
            location(a),
            location(b),
            "aggregate_batches: {a}\nBatchAggregator: {b}"
        ),
        (a, b) => panic!(
            "one accepts, the other refuses:\naggregate_batches: {a:?}\nBatchAggregator: {b:?}"
        ),
    }
    // Two halves merged are the whole (rows are numbered per aggregator, so only the outcome
    // and the table are compared).
    let mid = c.batches.len() / 2;
    let mut left = BatchAggregator::new(c.as_of, c.options, c.columns.clone());
    let mut right = BatchAggregator::new(c.as_of, c.options, c.columns.clone());
    let halves = c.batches[..mid]
        .iter()
        .try_for_each(|b| left.push(b))
        .and_then(|()| c.batches[mid..].iter().try_for_each(|b| right.push(b)))
        .and_then(|()| left.merge(right))
        .and_then(|()| left.finish());
    match (&halves, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "merged halves differ from the whole"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("halves and whole disagree:\nhalves: {a:?}\nwhole: {b:?}"),
    }
}
