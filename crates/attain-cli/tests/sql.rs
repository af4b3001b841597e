//! `attain sql` (feature `sql`): the same rows as the other subcommands read, the same
//! numbers as `attain rfm` and `attain funnel measure`, and the output rules of every command.
#![cfg(feature = "sql")]
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

mod common;

use common::temp_dir;

/// `attain ARGS` from the workspace root (paths below are relative to it).
fn attain(args: &[&str]) -> Output {
    Command::new(common::BIN)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

const CDNOW: &str = "data/cdnow_transactions.csv";

/// RFM values in SQL equal `attain rfm`'s on every customer of the CDNOW sample.
#[test]
fn sql_rfm_equals_attain_rfm() {
    let sql = stdout(&attain(&[
        "sql",
        "SELECT customer_id, get_field(v, 'recency_days') AS recency_days, \
         get_field(v, 'frequency') AS frequency, CAST(get_field(v, 'monetary') AS VARCHAR) AS monetary \
         FROM (SELECT customer_id, rfm(order_date, amount, order_id) AS v FROM tx GROUP BY customer_id) \
         ORDER BY customer_id",
        "--table",
        &format!("tx={CDNOW}"),
        "--as-of",
        "1998-07-01",
    ]));
    let rfm = stdout(&attain(&["rfm", CDNOW, "--as-of", "1998-07-01", "-q"]));
    let first4 = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(',').take(4).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(first4(&sql), first4(&rfm));
    assert_eq!(sql.lines().count(), 2358);
}

/// A bad row is reported by `attain sql` exactly as by `attain rfm` (one grammar).
#[test]
fn sql_rejects_what_every_subcommand_rejects() {
    let dir = temp_dir("sql-bad");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "customer_id,order_date,amount\nc1,2024-01-01,10.00\nc2,2024-01-02,1e3\n",
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let sql = attain(&["sql", "SELECT * FROM tx", "--table", &format!("tx={bad}")]);
    let rfm = attain(&["rfm", bad, "--as-of", "2024-02-01"]);
    assert!(!sql.status.success() && !rfm.status.success());
    let message = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(message(&sql).contains(":3:"), "{}", message(&sql));
    assert_eq!(message(&sql), message(&rfm));
}

/// `window_funnel` over an event file equals `attain funnel measure` step by step.
#[test]
fn sql_window_funnel_equals_funnel_measure() {
    let events = "crates/attain-funnel/tests/data/clickhouse/events.csv";
    let sql = stdout(&attain(&[
        "sql",
        "SELECT l, count(*) AS n FROM (SELECT entity_id, window_funnel(3600, timestamp, \
         step = 'visit', step = 'signup', step = 'trial', step = 'deal') AS l FROM ev GROUP BY entity_id) \
         GROUP BY l ORDER BY l",
        "--events",
        &format!("ev={events}"),
        "--time-format",
        "unix-seconds",
    ]));
    // Entities whose furthest step is exactly k, k = 0..4.
    let exactly: Vec<u64> = sql
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let measured = stdout(&attain(&[
        "funnel",
        "measure",
        events,
        "--steps",
        "visit,signup,trial,deal",
        "--window",
        "1h",
        "--time-format",
        "unix-seconds",
        "--format",
        "json",
        "-q",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&measured).unwrap();
    let steps = doc["total"]["steps"].as_array().unwrap();
    let reached: Vec<u64> = steps
        .iter()
        .map(|s| s["reached"].as_u64().unwrap())
        .collect();
    // Reached step k (SQL) = entities at level >= k + 1.
    for (k, want) in reached.iter().enumerate() {
        let got: u64 = exactly.iter().skip(k + 1).sum();
        assert_eq!(got, *want, "step {k}");
    }
}

/// Parquet and JSON outputs, an empty result, and `-o` never overwriting an input.
#[test]
fn sql_outputs_and_refusals() {
    let dir = temp_dir("sql-out");
    let parquet = dir.join("out.parquet");
    stdout(&attain(&[
        "sql",
        "SELECT customer_id, amount FROM tx ORDER BY customer_id, amount LIMIT 3",
        "--table",
        &format!("tx={CDNOW}"),
        "--format",
        "parquet",
        "-o",
        parquet.to_str().unwrap(),
    ]));
    assert_eq!(&std::fs::read(&parquet).unwrap()[..4], b"PAR1");
    let batches: Vec<_> = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&parquet).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 3);
    // Exact money: DECIMAL(38, 2) as read, not a float.
    assert_eq!(
        batches[0].schema().field(1).data_type(),
        &arrow_schema::DataType::Decimal128(38, 2)
    );
    let json = stdout(&attain(&[
        "sql",
        "SELECT customer_id FROM tx WHERE amount < 0",
        "--table",
        &format!("tx={CDNOW}"),
        "--format",
        "json",
    ]));
    assert_eq!(json.trim(), "[]");
    // Money in JSON is exact text, as in every attain document.
    let json = stdout(&attain(&[
        "sql",
        "SELECT customer_id, amount FROM tx ORDER BY customer_id, order_date LIMIT 1",
        "--table",
        &format!("tx={CDNOW}"),
        "--format",
        "json",
    ]));
    assert_eq!(json.trim(), r#"[{"customer_id":"00004","amount":"29.33"}]"#);
    let csv = stdout(&attain(&[
        "sql",
        "SELECT customer_id, order_date FROM tx WHERE amount < 0",
        "--table",
        &format!("tx={CDNOW}"),
    ]));
    assert_eq!(csv, "customer_id,order_date\n");
    for (args, code) in [
        (
            vec![
                "sql",
                "SELECT 1",
                "--table",
                "tx=data/cdnow_transactions.csv",
                "-o",
                CDNOW,
            ],
            2,
        ),
        (vec!["sql", "SELECT 1", "--table", "tx"], 2),
        (vec!["sql", "SELEC 1"], 2),
        (
            vec![
                "sql",
                "SELECT rfm(order_date, amount) FROM tx",
                "--table",
                &format!("tx={CDNOW}"),
            ],
            2,
        ),
    ] {
        let out = attain(&args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
