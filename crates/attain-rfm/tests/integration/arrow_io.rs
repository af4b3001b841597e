//! The Arrow and Parquet paths give the CSV path's results, exactly.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use attain_rfm::arrow::{ArrowColumns, BatchAggregator, aggregate_batches, to_record_batch};
use attain_rfm::csv::{CsvOptions, read_path, read_reader};
use attain_rfm::{
    AggregateOptions, Error, FrequencyMode, MonetaryMode, ReturnsMode, RfmTable, ScoreOptions,
    Scoring, aggregate, fit_thresholds, score,
};
use attain_types::{Decimal, NaiveDate};
use chrono::Datelike;
use proptest::prelude::*;

const EPOCH_CE: i32 = 719_163;

/// One transaction as plain values.
#[derive(Debug, Clone)]
struct Tx {
    customer: String,
    order: Option<String>,
    date: NaiveDate,
    cents: i64,
}

fn csv_text(txs: &[Tx]) -> String {
    let mut s = String::from("customer_id,order_id,order_date,amount\n");
    for t in txs {
        let order = t.order.as_deref().unwrap_or("");
        s.push_str(&format!(
            "{},{order},{},{}\n",
            t.customer,
            t.date,
            Decimal::new(t.cents, 2)
        ));
    }
    s
}

fn schema(amount: DataType) -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, true),
        Field::new("order_id", DataType::Utf8, true),
        Field::new("order_date", DataType::Date32, true),
        Field::new("amount", amount, true),
    ]))
}

/// The transactions as record batches of at most `per_batch` rows, amounts Decimal128(18, 2).
fn batches(txs: &[Tx], per_batch: usize) -> Vec<RecordBatch> {
    txs.chunks(per_batch.max(1))
        .map(|part| {
            let cols: Vec<ArrayRef> = vec![
                Arc::new(StringArray::from_iter_values(
                    part.iter().map(|t| t.customer.as_str()),
                )),
                Arc::new(StringArray::from(
                    part.iter().map(|t| t.order.as_deref()).collect::<Vec<_>>(),
                )),
                Arc::new(Date32Array::from_iter_values(
                    part.iter().map(|t| t.date.num_days_from_ce() - EPOCH_CE),
                )),
                Arc::new(
                    Decimal128Array::from_iter_values(part.iter().map(|t| i128::from(t.cents)))
                        .with_precision_and_scale(18, 2)
                        .unwrap(),
                ),
            ];
            RecordBatch::try_new(schema(DataType::Decimal128(18, 2)), cols).unwrap()
        })
        .collect()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn temp_path(name: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "attain-rfm-arrow-{}-{n}-{name}",
        std::process::id()
    ))
}

/// Every path on the same data: CSV (fast and general), Arrow (fast, general), Parquet.
fn all_paths(
    txs: &[Tx],
    options: &AggregateOptions,
    threads: usize,
) -> Vec<(&'static str, RfmTable)> {
    let text = csv_text(txs);
    let csv_path = temp_path("tx.csv");
    std::fs::write(&csv_path, &text).unwrap();
    let bs = batches(txs, 7);
    let cols = ArrowColumns::default().threads(threads);
    let mut general = BatchAggregator::new(as_of(), *options, cols.clone());
    for b in &bs {
        general.push(b).unwrap();
    }
    let pq_path = temp_path("tx.parquet");
    // One file from several batches (the writer takes one batch: concatenate by re-chunking).
    let whole = batches(txs, usize::MAX);
    let out = vec![
        (
            "csv fast",
            read_path(&csv_path, as_of(), options, &CsvOptions::default()).unwrap(),
        ),
        (
            "csv general",
            read_reader(
                text.as_bytes(),
                "x",
                as_of(),
                options,
                &CsvOptions::default(),
            )
            .unwrap(),
        ),
        (
            "arrow",
            aggregate_batches(&bs, as_of(), options, &cols).unwrap(),
        ),
        ("arrow general", general.finish().unwrap()),
        ("parquet", {
            attain_rfm::parquet::write_path(&pq_path, &whole[0]).unwrap();
            attain_rfm::parquet::read_path(&pq_path, as_of(), options, &cols).unwrap()
        }),
        (
            "parquet in passes",
            attain_rfm::parquet::read_path(
                &pq_path,
                as_of(),
                options,
                &cols.clone().order_memory(64),
            )
            .unwrap(),
        ),
    ];
    let _ = std::fs::remove_file(&csv_path);
    let _ = std::fs::remove_file(&pq_path);
    out
}

fn assert_same(results: &[(&str, RfmTable)]) {
    let (first, expected) = &results[0];
    for (name, t) in &results[1..] {
        assert_eq!(t, expected, "{name} differs from {first}");
    }
}

fn txs_strategy() -> impl Strategy<Value = Vec<Tx>> {
    const IDS: [&str; 6] = ["a", "b", "c", "customer-with-a-long-id", "e", "f"];
    const ORDERS: [&str; 5] = ["o1", "o2", "o3", "order-number-four", "o5"];
    prop::collection::vec(
        (
            0..IDS.len(),
            0i64..80,
            -500i64..100_000,
            prop::option::weighted(0.9, 0..ORDERS.len()),
        ),
        1..80,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(c, day, cents, o)| Tx {
                customer: IDS[c].to_owned(),
                order: o.map(|o| ORDERS[o].to_owned()),
                date: NaiveDate::from_ymd_opt(2025, 11, 1).unwrap() + chrono::Days::new(day as u64),
                cents,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn prop_arrow_and_parquet_equal_csv(txs in txs_strategy(), returns in 0usize..3, freq in 0usize..3, mean in any::<bool>(), threads in 1usize..4) {
        let options = AggregateOptions::default()
            .returns([ReturnsMode::Net, ReturnsMode::Gross, ReturnsMode::Excluded][returns])
            .frequency([FrequencyMode::DistinctOrders, FrequencyMode::Rows, FrequencyMode::DistinctDays][freq])
            .monetary(if mean { MonetaryMode::MeanPerOrder } else { MonetaryMode::Sum });
        let results = all_paths(&txs, &options, threads);
        assert_same(&results);
        // And the in-memory path on `Transaction`s.
        let rows: Vec<attain_rfm::Transaction<'_>> = txs.iter().map(|t| attain_rfm::Transaction {
            customer_id: &t.customer, date: t.date, amount: Decimal::new(t.cents, 2), order_id: t.order.as_deref(),
        }).collect();
        prop_assert_eq!(&aggregate(rows, as_of(), options).unwrap(), &results[0].1);
    }
}

/// The CDNOW sample (the repository's data/cdnow_transactions.csv) through every path, and every scoring
/// mode on the results: identical values give identical scores.
#[test]
fn cdnow_every_path_and_scoring_mode_agree() {
    let text = include_str!("../../../../data/cdnow_transactions.csv");
    let mut txs = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let amount: Decimal = f[3].parse().unwrap();
        assert_eq!(amount.scale(), 2, "{line}");
        txs.push(Tx {
            customer: f[0].to_owned(),
            order: Some(f[1].to_owned()),
            date: f[2].parse().unwrap(),
            cents: i64::try_from(amount.mantissa()).unwrap(),
        });
    }
    let results = all_paths(&txs, &AggregateOptions::default(), 0);
    assert_same(&results);
    let customers = &results[0].1.customers;
    assert_eq!(customers.len(), 2357, "CDNOW sample: 2,357 customers");
    let thresholds =
        fit_thresholds(customers, &ScoreOptions::default().scoring(Scoring::RRfm)).unwrap();
    for scoring in [
        Scoring::Ties,
        Scoring::Ntile,
        Scoring::Even,
        Scoring::QcutRank,
        Scoring::RRfm,
        Scoring::Thresholds(thresholds),
    ] {
        let opts = ScoreOptions::default().scoring(scoring.clone());
        let expected = score(customers, &opts).unwrap();
        for (name, t) in &results[1..] {
            assert_eq!(
                score(&t.customers, &opts).unwrap(),
                expected,
                "{name}, {}",
                scoring.name()
            );
        }
    }
    // The total of the sample is exact through Arrow: sum of all amounts, to the cent.
    let total: i64 = txs.iter().map(|t| t.cents).sum();
    let arrow_total: Decimal = results[2].1.customers.iter().map(|c| c.monetary).sum();
    assert_eq!(arrow_total, Decimal::new(total, 2));
}

#[test]
fn decimal128_money_stays_exact_at_any_scale() {
    // Scale 4 (beyond the fast engine) and sums near the 28-digit limit stay exact.
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["a", "a", "b"])),
        Arc::new(StringArray::from(vec![Some("1"), Some("2"), None])),
        Arc::new(Date32Array::from(vec![20_000, 20_001, 20_002])),
        Arc::new(
            Decimal128Array::from(vec![10_001_i128, 1_234_567_890_123_456_789_012_345_678, 3])
                .with_precision_and_scale(38, 4)
                .unwrap(),
        ),
    ];
    let b = RecordBatch::try_new(schema(DataType::Decimal128(38, 4)), cols).unwrap();
    let t = aggregate_batches(
        &[b],
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default(),
    )
    .unwrap();
    let a = &t.customers[0];
    assert_eq!(
        a.monetary,
        "123456789012345678901235.5679".parse::<Decimal>().unwrap()
    );
    assert_eq!(
        t.customers[1].monetary,
        "0.0003".parse::<Decimal>().unwrap()
    );
    // Round trip through the result batch keeps every digit.
    let out = to_record_batch(&t.customers, None, None).unwrap();
    let m = out.column_by_name("monetary").unwrap();
    let m = m.as_any().downcast_ref::<Decimal128Array>().unwrap();
    assert_eq!(m.value(0), 1_234_567_890_123_456_789_012_355_679_i128);
    assert_eq!(m.scale(), 4);
}

#[test]
fn integer_minor_units_equal_decimals() {
    let txs = vec![
        Tx {
            customer: "a".into(),
            order: Some("1".into()),
            date: as_of(),
            cents: 1999,
        },
        Tx {
            customer: "a".into(),
            order: Some("2".into()),
            date: as_of(),
            cents: -500,
        },
        Tx {
            customer: "b".into(),
            order: None,
            date: as_of(),
            cents: 1,
        },
    ];
    let dec = aggregate_batches(
        &batches(&txs, 10),
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default(),
    )
    .unwrap();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["a", "a", "b"])),
        Arc::new(StringArray::from(vec![Some("1"), Some("2"), None])),
        Arc::new(Date32Array::from(vec![
            as_of().num_days_from_ce() - EPOCH_CE;
            3
        ])),
        Arc::new(Int64Array::from(vec![1999, -500, 1])),
    ];
    let b = RecordBatch::try_new(schema(DataType::Int64), cols).unwrap();
    // Without a scale an integer amount is refused: it could be units or cents.
    let err = aggregate_batches(
        std::slice::from_ref(&b),
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("minor_unit_scale"), "{err}");
    let cents = aggregate_batches(
        &[b],
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default().minor_unit_scale(2),
    )
    .unwrap();
    assert_eq!(cents, dec);
}

#[test]
fn bad_columns_are_typed_errors_naming_column_and_row() {
    let float: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["a"])),
        Arc::new(StringArray::from(vec![Some("1")])),
        Arc::new(Date32Array::from(vec![20_000])),
        Arc::new(Float64Array::from(vec![1.5])),
    ];
    let b = RecordBatch::try_new(schema(DataType::Float64), float).unwrap();
    let err = aggregate_batches(
        &[b],
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Arrow { column, .. } if column == "amount"),
        "{err}"
    );

    let mut txs = vec![
        Tx {
            customer: "a".into(),
            order: None,
            date: as_of(),
            cents: 1
        };
        3
    ];
    txs[2].customer = "b".into();
    let good = batches(&txs, 10);
    // A NULL customer id in the second batch, row 2 of it: row 5 overall.
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![Some("c"), None])),
        Arc::new(StringArray::from(vec![Some("9"), Some("8")])),
        Arc::new(Date32Array::from(vec![20_000, 20_000])),
        Arc::new(
            Decimal128Array::from(vec![1_i128, 2])
                .with_precision_and_scale(18, 2)
                .unwrap(),
        ),
    ];
    let bad = RecordBatch::try_new(schema(DataType::Decimal128(18, 2)), cols).unwrap();
    let err = aggregate_batches(
        &[good[0].clone(), bad],
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "<arrow>: column \"customer_id\", row 5: null customer id"
    );

    let missing = aggregate_batches(
        &good,
        as_of(),
        &AggregateOptions::default(),
        &ArrowColumns::default().order(Some("order_no")),
    )
    .unwrap_err();
    assert!(
        matches!(&missing, Error::MissingColumn { column, .. } if column == "order_no"),
        "{missing}"
    );
}
