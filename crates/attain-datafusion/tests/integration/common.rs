//! Shared test data and both paths (SQL and in memory).

use std::str::FromStr;
use std::sync::Arc;

use attain_datafusion::{RfmFunctions, register};
use attain_rfm::{AggregateOptions, ScoreOptions, SegmentMap, Transaction, aggregate, score};
use attain_types::{Decimal, NaiveDate, RoundingStrategy};
use datafusion::arrow::array::{
    Array, AsArray, Date32Array, Decimal128Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Field, Int64Type, Schema, SchemaRef, UInt8Type, UInt64Type,
};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};

/// One owned transaction row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) customer: String,
    pub(crate) date: NaiveDate,
    /// Scale 2.
    pub(crate) amount: Decimal,
    pub(crate) order_id: Option<String>,
}

pub(crate) fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// A tiny deterministic generator (SplitMix64), so the tests need no RNG crate.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Generated transactions: `customers` customers, a few with many rows; refunds; rows
/// after `as_of`; repeated and NULL order ids; amounts with two decimals.
pub(crate) fn generate(seed: u64, customers: u64, rows: usize) -> Vec<Row> {
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut out: Vec<Row> = Vec::with_capacity(rows);
    for i in 0..rows {
        // A quarter of the rows go to three heavy customers.
        let c = if rng.below(4) == 0 {
            rng.below(3)
        } else {
            rng.below(customers)
        };
        // 2024-01-01 .. about 2026-03: some rows fall after as_of (2026-01-01).
        let date = start + chrono::Days::new(rng.below(800));
        let mut cents = rng.below(50_000) as i64 + 1;
        if rng.below(12) == 0 {
            cents = -cents / 3; // a refund
        }
        if rng.below(40) == 0 {
            cents = 0;
        }
        let order_id = match rng.below(10) {
            0 => None,
            // Repeat an earlier order id of the same customer (an order with several lines).
            1 | 2 => out
                .iter()
                .rev()
                .find(|r| r.customer == format!("c{c:04}"))
                .and_then(|r| r.order_id.clone()),
            _ => Some(format!("o{i:06}")),
        };
        out.push(Row {
            customer: format!("c{c:04}"),
            date,
            amount: Decimal::new(cents, 2),
            order_id,
        });
    }
    out
}

/// The CDNOW sample of the repository (customer_id,order_id,order_date,amount).
pub(crate) fn cdnow() -> Vec<Row> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/cdnow_transactions.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("customer_id,order_id,order_date,amount"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let mut amount = Decimal::from_str(f[3]).unwrap();
            amount.rescale(2);
            Row {
                customer: f[0].to_owned(),
                order_id: Some(f[1].to_owned()),
                date: NaiveDate::parse_from_str(f[2], "%Y-%m-%d").unwrap(),
                amount,
            }
        })
        .collect()
}

pub(crate) fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, true),
        Field::new("order_id", DataType::Utf8, true),
        Field::new("order_date", DataType::Date32, true),
        Field::new("amount", DataType::Decimal128(18, 2), true),
    ]))
}

pub(crate) fn batch(rows: &[Row]) -> RecordBatch {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from_iter(
                rows.iter().map(|r| Some(r.customer.as_str())),
            )),
            Arc::new(StringArray::from_iter(
                rows.iter().map(|r| r.order_id.as_deref()),
            )),
            Arc::new(Date32Array::from_iter_values(
                rows.iter().map(|r| (r.date - epoch).num_days() as i32),
            )),
            Arc::new(
                Decimal128Array::from_iter_values(rows.iter().map(|r| {
                    let mut a = r.amount;
                    a.rescale(2);
                    a.mantissa()
                }))
                .with_precision_and_scale(18, 2)
                .unwrap(),
            ),
        ],
    )
    .unwrap()
}

/// The rows split at `cuts` into partitions, each cut into batches of `batch_rows`.
pub(crate) fn partitions(rows: &[Row], cuts: &[usize], batch_rows: usize) -> Vec<Vec<RecordBatch>> {
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().map(|c| (*c).min(rows.len())));
    bounds.push(rows.len());
    bounds.sort_unstable();
    bounds
        .windows(2)
        .map(|w| {
            rows[w[0]..w[1]]
                .chunks(batch_rows.max(1))
                .map(batch)
                .collect()
        })
        .collect()
}

/// A context with `target_partitions` and the functions registered, `tx` holding `parts`.
pub(crate) fn context(
    parts: Vec<Vec<RecordBatch>>,
    target_partitions: usize,
    functions: &RfmFunctions,
) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(target_partitions);
    let ctx = SessionContext::new_with_config(config);
    let schema = parts
        .iter()
        .flatten()
        .next()
        .map_or_else(schema, RecordBatch::schema);
    let table = MemTable::try_new(schema, parts).unwrap();
    ctx.register_table("tx", Arc::new(table)).unwrap();
    register(&ctx, functions).unwrap();
    ctx
}

/// One customer's result, from either path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Out {
    pub(crate) customer: String,
    pub(crate) recency_days: i64,
    pub(crate) frequency: u64,
    pub(crate) monetary: Decimal,
    pub(crate) scores: (u8, u8, u8),
    pub(crate) segment: Option<String>,
}

pub(crate) const PIPELINE: &str = "
    WITH agg AS (
        SELECT customer_id, rfm(order_date, amount, order_id) AS v FROM tx GROUP BY customer_id
    ), vals AS (
        SELECT customer_id, get_field(v, 'recency_days') AS recency_days, get_field(v, 'frequency') AS frequency,
               get_field(v, 'monetary') AS monetary
        FROM agg WHERE v IS NOT NULL
    ), scored AS (
        SELECT customer_id, recency_days, frequency, monetary,
               rfm_score(recency_days, frequency, monetary, customer_id SCORE_ARGS) OVER () AS s
        FROM vals
    )
    SELECT customer_id, recency_days, frequency, monetary,
           get_field(s, 'r') AS r, get_field(s, 'f') AS f, get_field(s, 'm') AS m, rfm_segment(get_field(s, 'r'), get_field(s, 'f'), get_field(s, 'm') MAP_ARG) AS segment
    FROM scored ORDER BY customer_id";

pub(crate) fn run(ctx: &SessionContext, sql: &str) -> datafusion::error::Result<Vec<RecordBatch>> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async { ctx.sql(sql).await?.collect().await })
}

/// Runs the pipeline and reads its rows.
pub(crate) fn sql_path(ctx: &SessionContext, score_args: &str, map_arg: &str) -> Vec<Out> {
    let sql = PIPELINE
        .replace("SCORE_ARGS", score_args)
        .replace("MAP_ARG", map_arg);
    let batches = run(ctx, &sql).unwrap();
    let mut out = Vec::new();
    for b in &batches {
        let ids = datafusion::arrow::compute::cast(b.column(0), &DataType::Utf8).unwrap();
        let ids = ids.as_string::<i32>();
        let rec = b.column(1).as_primitive::<Int64Type>();
        let freq = b.column(2).as_primitive::<UInt64Type>();
        let mon = b.column(3).as_primitive::<Decimal128Type>();
        let DataType::Decimal128(38, scale) = b.column(3).data_type() else {
            panic!("monetary type {}", b.column(3).data_type())
        };
        let (r, f, m) = (
            b.column(4).as_primitive::<UInt8Type>(),
            b.column(5).as_primitive::<UInt8Type>(),
            b.column(6).as_primitive::<UInt8Type>(),
        );
        let seg = datafusion::arrow::compute::cast(b.column(7), &DataType::Utf8).unwrap();
        let seg = seg.as_string::<i32>();
        for i in 0..b.num_rows() {
            out.push(Out {
                customer: ids.value(i).to_owned(),
                recency_days: rec.value(i),
                frequency: freq.value(i),
                monetary: Decimal::from_i128_with_scale(mon.value(i), *scale as u32),
                scores: (r.value(i), f.value(i), m.value(i)),
                segment: seg.is_valid(i).then(|| seg.value(i).to_owned()),
            });
        }
    }
    out
}

/// attain's in-memory path: `aggregate` + `score` + `SegmentMap::assign`, with monetary
/// rounded half-even to `monetary_scale` digits as the SQL result type holds it.
pub(crate) fn memory_path(
    rows: &[Row],
    options: AggregateOptions,
    score_options: &ScoreOptions,
    map: &SegmentMap,
    monetary_scale: u32,
) -> Vec<Out> {
    let txs = rows.iter().map(|r| Transaction {
        customer_id: &r.customer,
        date: r.date,
        amount: r.amount,
        order_id: r.order_id.as_deref(),
    });
    let mut table = aggregate(txs, as_of(), options).unwrap();
    for c in &mut table.customers {
        c.monetary = c
            .monetary
            .round_dp_with_strategy(monetary_scale, RoundingStrategy::MidpointNearestEven);
    }
    let scores = score(&table.customers, score_options).unwrap();
    table
        .customers
        .iter()
        .zip(&scores)
        .map(|(c, s)| Out {
            customer: c.customer_id.clone(),
            recency_days: c.recency_days,
            frequency: c.frequency,
            monetary: c.monetary,
            scores: (s.r, s.f, s.m),
            segment: map.assign(*s).map(str::to_owned),
        })
        .collect()
}
