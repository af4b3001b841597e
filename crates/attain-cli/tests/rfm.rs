//! `attain rfm` end to end: the built binary on small files in a temp folder.
#![cfg(feature = "rfm")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

mod common;

use common::{attain, temp_dir, write};

const EDGE_INPUT: &str = "customer_id,order_id,order_date,amount
C0000003,O0000000001,2025-12-31,10.00
C0000001,O0000000002,2025-12-01,0.01
C0000002,O0000000003,2025-12-31,5.50
C0000003,O0000000004,2025-06-30,20.05
C0000005,O0000000005,2024-02-29,99.99
C0000004,O0000000006,2025-12-31,10.00
C0000006,O0000000007,2023-01-01,0.10
C0000006,O0000000008,2023-01-01,0.20
C0000007,O0000000009,2025-12-01,15.95
C0000007,O0000000010,2026-01-01,4.05
C0000002,O0000000011,2025-01-01,4.50
";

/// RFM benchmark job v1 `fixtures/edge_expected.csv` (hand-checked there; copied in
/// crates/attain-rfm/tests/data with provenance).
const EDGE_EXPECTED: &str = "customer_id,recency_days,frequency,monetary,r,f,m
C0000001,31,1,0.01,3,1,1
C0000002,1,2,10.00,5,3,2
C0000003,1,2,30.05,4,3,4
C0000004,1,1,10.00,3,1,3
C0000005,672,1,99.99,2,2,5
C0000006,1096,2,0.30,1,4,1
C0000007,0,2,20.00,5,5,3
";

fn temp(name: &str, text: &str) -> PathBuf {
    write(&temp_dir(name), name, text)
}

#[test]
fn rfm_even_is_job_v1_byte_for_byte() {
    let input = temp("edge.csv", EDGE_INPUT);
    let (code, out, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--scoring",
        "even",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, EDGE_EXPECTED);
    let output = input.with_file_name("edge_out.csv");
    let (code, _, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--scoring",
        "even",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(output).unwrap(), EDGE_EXPECTED);
}

#[test]
fn rfm_segments_add_a_column_and_json_works() {
    let input = temp("seg.csv", EDGE_INPUT);
    let (code, out, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--segments",
        "standard11",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "customer_id,recency_days,frequency,monetary,r,f,m,segment"
    );
    // Ties rule: C0000007 (recency 0, frequency 2, 20.00) scores 5,3,3.
    assert_eq!(lines[7], "C0000007,0,2,20.00,5,3,3,Potential Loyalist");
    let (code, out, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
        "--segments",
        "three",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["customers"].as_array().unwrap().len(), 7);
    assert_eq!(v["customers"][5]["monetary"], "0.30");
    assert_eq!(v["customers"][4]["segment"], "Between groups");
}

#[test]
fn rfm_excludes_and_reports_rows_after_as_of() {
    let input = temp("late.csv", EDGE_INPUT);
    let (code, out, err) = attain(&["rfm", input.to_str().unwrap(), "--as-of", "2025-12-31"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("1 rows dated after 2025-12-31 were excluded"),
        "{err}"
    );
    assert!(out.contains("\nC0000007,30,1,15.95,"), "{out}");
    let (_, out, _) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2025-12-31",
        "--include-after-as-of",
    ]);
    assert!(out.contains("\nC0000007,-1,2,20.00,"), "{out}");
}

#[test]
fn rfm_column_mapping_and_segment_file() {
    let input = temp(
        "mapped.csv",
        "who,when,value\nx,2025-12-31T10:00:00Z,5.50\ny,2025-01-01,1.00\n",
    );
    let map = temp("map.txt", "@bins 2\nTop = r2 f1-2 m2\nRest = *\n");
    let (code, out, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--customer-col",
        "who",
        "--date-col",
        "when",
        "--amount-col",
        "value",
        "--no-order-col",
        "--bins",
        "2",
        "--segments",
        map.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "customer_id,recency_days,frequency,monetary,r,f,m,segment\nx,1,1,5.50,2,1,2,Top\ny,365,1,1.00,1,1,1,Rest\n"
    );
}

#[test]
fn rfm_bad_input_is_one_line_naming_line_and_column() {
    let h = "customer_id,order_id,order_date,amount\n";
    let cases = [
        (
            format!("{h}C1,O1,2025-13-01,1.00\n"),
            vec![":2: column", "order_date"],
        ),
        (
            format!("{h}C1,O1,2025-01-01,1.00\nC1,O2,2025-01-01,abc\n"),
            vec![":3: column", "amount", "abc"],
        ),
        (
            "customer_id,order_id,order_date,amount,amount\nC1,O1,2025-01-01,1.00,2.00\n"
                .to_owned(),
            vec![":1: ", "column \"amount\" appears 2 times in the header"],
        ),
        (String::new(), vec!["empty file"]),
    ];
    for (i, (text, needles)) in cases.iter().enumerate() {
        let input = temp(&format!("bad{i}.csv"), text);
        let (code, out, err) = attain(&["rfm", input.to_str().unwrap(), "--as-of", "2026-01-01"]);
        assert_eq!(code, 1, "{err}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        for n in needles {
            assert!(err.contains(n), "{err} lacks {n}");
        }
    }
}

/// The order id column is used when the file has it; named explicitly, it must exist.
#[test]
fn rfm_order_column_is_optional_unless_named() {
    let input = temp(
        "noorder.csv",
        "customer_id,order_date,amount\nC1,2025-01-01,1.00\n",
    );
    let path = input.to_str().unwrap();
    let (code, out, err) = attain(&["rfm", path, "--as-of", "2026-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("C1,365,1,1.00"), "{out}");
    let (code, _, err) = attain(&[
        "rfm",
        path,
        "--as-of",
        "2026-01-01",
        "--order-col",
        "order_id",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains(":1: missing column \"order_id\""), "{err}");
}

#[test]
fn rfm_header_only_gives_header_only() {
    let input = temp("empty.csv", "customer_id,order_id,order_date,amount\n");
    let (code, out, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--scoring",
        "even",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "customer_id,recency_days,frequency,monetary,r,f,m\n");
}

#[test]
fn rfm_usage_errors_exit_2() {
    let input = temp("u.csv", EDGE_INPUT);
    let (code, _, _) = attain(&["rfm", input.to_str().unwrap()]);
    assert_eq!(code, 2);
    let (code, _, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--bins",
        "11",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bins"), "{err}");
}

#[test]
fn rfm_progress_bar_is_silent_off_a_terminal() {
    // Standard error here is a pipe: no progress bar, with or without --quiet.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for extra in [&[][..], &["--quiet"][..]] {
        let out = Command::new(common::BIN)
            .args([
                "rfm",
                "data/cdnow_transactions.csv",
                "--as-of",
                "1998-07-01",
            ])
            .args(extra)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{extra:?}");
        assert_eq!(out.stdout.iter().filter(|b| **b == b'\n').count(), 2358);
    }
}

/// The CDNOW sample as Parquet, as pyarrow and Polars write it, gives the CSV's output byte for
/// byte, for every scoring mode (tests/data/README.md says how the files were made).
#[cfg(feature = "parquet")]
#[test]
fn parquet_input_gives_the_csv_output() {
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/cdnow_transactions.csv"
    );
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    for scoring in ["ties", "ntile", "even", "qcut-rank", "r-rfm"] {
        let args = [
            "--as-of",
            "1998-07-01",
            "--segments",
            "standard11",
            "--scoring",
            scoring,
        ];
        let run = |input: &str| {
            let mut all = vec!["rfm", input];
            all.extend(args);
            let (code, out, err) = attain(&all);
            assert_eq!(code, 0, "{input}: {err}");
            out
        };
        let expected = run(csv);
        assert_eq!(
            expected.lines().count(),
            2358,
            "2,357 customers and a header"
        );
        for file in ["cdnow_pyarrow.parquet", "cdnow_polars.parquet"] {
            assert_eq!(
                run(&format!("{data}/{file}")),
                expected,
                "{file}, {scoring}"
            );
        }
    }
}

/// `-o NAME.parquet` writes the result as Parquet with exact Decimal128 money.
#[cfg(feature = "parquet")]
#[test]
fn parquet_output_round_trips() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, UInt8Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let input = temp("edge-pq.csv", EDGE_INPUT);
    let out = input.with_extension("parquet");
    let (code, _, err) = attain(&[
        "rfm",
        input.to_str().unwrap(),
        "--as-of",
        "2026-01-01",
        "--scoring",
        "even",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let file = std::fs::File::open(&out).unwrap();
    let batches: Vec<_> = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(batches.len(), 1, "a small result is one batch");
    let b = &batches[0];
    // The job v1 edge case, as in EDGE_EXPECTED: ids, money to the cent, scores.
    let ids = b.column_by_name("customer_id").unwrap().as_string::<i32>();
    let money = b
        .column_by_name("monetary")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let r = b.column_by_name("r").unwrap().as_primitive::<UInt8Type>();
    let mut text = String::new();
    for i in 0..b.num_rows() {
        let m = attain_types::Decimal::from_i128_with_scale(money.value(i), money.scale() as u32);
        text.push_str(&format!("{},{m},{}\n", ids.value(i), r.value(i)));
    }
    let expected: String = EDGE_EXPECTED
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{}\n", f[0], f[3], f[4])
        })
        .collect();
    assert_eq!(text, expected);
}

/// A Parquet file with a floating-point amount column is refused with a message naming it.
#[cfg(feature = "parquet")]
#[test]
fn parquet_float_amounts_are_refused() {
    use std::sync::Arc;

    use arrow_array::{Date32Array, Float64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("order_id", DataType::Utf8, false),
        Field::new("order_date", DataType::Date32, false),
        Field::new("amount", DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["C1"])),
            Arc::new(StringArray::from(vec!["O1"])),
            Arc::new(Date32Array::from(vec![20_000])),
            Arc::new(Float64Array::from(vec![9.99])),
        ],
    )
    .unwrap();
    let path = temp("float.parquet", "");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let (code, _, err) = attain(&["rfm", path.to_str().unwrap(), "--as-of", "2026-01-01"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("\"amount\"") && err.contains("floating-point"),
        "{err}"
    );
}
