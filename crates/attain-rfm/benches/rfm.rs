#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Criterion benches of attain-rfm: CSV parsing, aggregation, scoring and segmenting at
//! 10^4 .. 10^6 customers. Inputs are built outside the timed closures from a fixed seed.

use std::hint::black_box;
use std::time::Duration;

use attain_rfm::csv::{CsvOptions, read_path};
use attain_rfm::{
    AggregateOptions, CustomerValues, ScoreOptions, Scoring, SegmentMap, Transaction,
    aggregate_par, score,
};
use attain_types::{Decimal, NaiveDate};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// `rows` order lines over `customers` customers, in job v1 columns.
fn log(customers: usize, rows: usize) -> (Vec<String>, Vec<String>, Vec<NaiveDate>, Vec<Decimal>) {
    let mut rng = Rng(42);
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let mut ids = Vec::with_capacity(rows);
    let mut orders = Vec::with_capacity(rows);
    let mut dates = Vec::with_capacity(rows);
    let mut amounts = Vec::with_capacity(rows);
    for i in 0..rows {
        let c = if i < customers {
            i
        } else {
            (rng.next() % customers as u64) as usize
        };
        ids.push(format!("C{c:07}"));
        orders.push(format!("O{i:010}"));
        dates.push(start + chrono::Days::new(rng.next() % 1096));
        amounts.push(Decimal::new((rng.next() % 100_000) as i64 + 1, 2));
    }
    (ids, orders, dates, amounts)
}

fn values(customers: usize) -> Vec<CustomerValues> {
    let mut rng = Rng(7);
    (0..customers)
        .map(|i| {
            CustomerValues::new(
                &format!("C{i:07}"),
                (rng.next() % 1096) as i64,
                1 + (rng.next() % 7).min(rng.next() % 40),
                Decimal::new((rng.next() % 1_000_000) as i64, 2),
            )
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for customers in [10_000usize, 100_000] {
        let (ids, orders, dates, amounts) = log(customers, customers * 10);
        let mut text = String::from("customer_id,order_id,order_date,amount\n");
        for i in 0..ids.len() {
            text.push_str(&format!(
                "{},{},{},{}\n",
                ids[i], orders[i], dates[i], amounts[i]
            ));
        }
        let path = std::env::temp_dir().join(format!(
            "attain-rfm-bench-{}-{customers}.csv",
            std::process::id()
        ));
        std::fs::write(&path, &text).unwrap();
        let t = read_path(
            &path,
            as_of(),
            &AggregateOptions::default(),
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(t.customers.len(), customers);
        assert_eq!(t.report.rows_used, (customers * 10) as u64);
        g.bench_with_input(BenchmarkId::new("read_path", customers), &path, |b, p| {
            b.iter(|| {
                read_path(
                    black_box(p),
                    as_of(),
                    &AggregateOptions::default(),
                    &CsvOptions::default(),
                )
                .unwrap()
            })
        });
        let _ = std::fs::remove_file(&path);
    }
    g.finish();
}

/// The log as one Arrow batch per 64 Ki rows (Utf8 ids, Date32, Decimal128(18, 2)).
fn batches(customers: usize, rows: usize) -> Vec<arrow_array::RecordBatch> {
    use std::sync::Arc;

    use arrow_array::{Date32Array, Decimal128Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use chrono::Datelike;

    let (ids, orders, dates, amounts) = log(customers, rows);
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("order_id", DataType::Utf8, false),
        Field::new("order_date", DataType::Date32, false),
        Field::new("amount", DataType::Decimal128(18, 2), false),
    ]));
    (0..rows)
        .step_by(1 << 16)
        .map(|start| {
            let r = start..(start + (1 << 16)).min(rows);
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![
                    Arc::new(StringArray::from_iter_values(&ids[r.clone()])),
                    Arc::new(StringArray::from_iter_values(&orders[r.clone()])),
                    Arc::new(Date32Array::from_iter_values(
                        dates[r.clone()]
                            .iter()
                            .map(|d| d.num_days_from_ce() - 719_163),
                    )),
                    Arc::new(
                        Decimal128Array::from_iter_values(amounts[r].iter().map(|a| a.mantissa()))
                            .with_precision_and_scale(18, 2)
                            .unwrap(),
                    ),
                ],
            )
            .unwrap()
        })
        .collect()
}

fn arrow(c: &mut Criterion) {
    use attain_rfm::arrow::{ArrowColumns, aggregate_batches};
    let mut g = c.benchmark_group("arrow");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let customers = 100_000;
    let input = batches(customers, customers * 10);
    let run = |input: &[arrow_array::RecordBatch]| {
        aggregate_batches(
            input,
            as_of(),
            &AggregateOptions::default(),
            &ArrowColumns::default(),
        )
        .unwrap()
    };
    let t = run(&input);
    assert_eq!(t.customers.len(), customers);
    assert_eq!(t.report.rows_used, (customers * 10) as u64);
    g.bench_with_input(
        BenchmarkId::new("aggregate_batches", customers),
        &input,
        |b, i| b.iter(|| run(black_box(i))),
    );
    g.finish();
}

fn aggregation(c: &mut Criterion) {
    let mut g = c.benchmark_group("aggregate");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for customers in [10_000usize, 100_000, 1_000_000] {
        // 10 lines per customer, except at 10^6 customers (one line each) to keep it short.
        let rows = if customers < 1_000_000 {
            customers * 10
        } else {
            customers
        };
        let (ids, orders, dates, amounts) = log(customers, rows);
        let txs: Vec<Transaction<'_>> = (0..rows)
            .map(|i| Transaction {
                customer_id: &ids[i],
                date: dates[i],
                amount: amounts[i],
                order_id: Some(&orders[i]),
            })
            .collect();
        let t = aggregate_par(&txs, as_of(), AggregateOptions::default()).unwrap();
        assert_eq!(t.customers.len(), customers);
        g.bench_with_input(
            BenchmarkId::new("aggregate_par", customers),
            &txs,
            |b, txs| {
                b.iter(|| {
                    aggregate_par(black_box(txs), as_of(), AggregateOptions::default()).unwrap()
                })
            },
        );
    }
    g.finish();
}

fn scoring(c: &mut Criterion) {
    let mut g = c.benchmark_group("score");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for customers in [10_000usize, 100_000, 1_000_000] {
        let v = values(customers);
        for (name, method) in [
            ("ties", Scoring::Ties),
            ("ntile", Scoring::Ntile),
            ("r_rfm", Scoring::RRfm),
        ] {
            let opts = ScoreOptions::default().scoring(method);
            let s = score(&v, &opts).unwrap();
            assert!(
                s.iter()
                    .all(|x| (1..=5).contains(&x.r) && (1..=5).contains(&x.m))
            );
            g.bench_with_input(BenchmarkId::new(name, customers), &v, |b, v| {
                b.iter(|| score(black_box(v), &opts).unwrap())
            });
        }
    }
    g.finish();
}

fn segmenting(c: &mut Criterion) {
    let mut g = c.benchmark_group("segment");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    let map = SegmentMap::standard11();
    for customers in [10_000usize, 100_000, 1_000_000] {
        let s = score(&values(customers), &ScoreOptions::default()).unwrap();
        assert!(map.assign_all(&s, 5).unwrap().iter().all(Option::is_some));
        g.bench_with_input(BenchmarkId::new("standard11", customers), &s, |b, s| {
            b.iter(|| map.assign_all(black_box(s), 5).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, parse, arrow, aggregation, scoring, segmenting);
criterion_main!(benches);
