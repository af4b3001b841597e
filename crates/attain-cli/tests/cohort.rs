//! Black-box tests of `attain cohort` on small CSV files.
#![cfg(feature = "lifecycle")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

mod common;

use common::{attain, temp_dir, write};

/// Writes `text` to a fresh file in a per-test temporary folder.
fn file(test: &str, text: &str) -> PathBuf {
    write(&temp_dir(test), "tx.csv", text)
}

/// The hand-checked log of the library's golden test: Jan cohort {a, b}, Feb {c}, Mar {d}.
const LOG: &str = "customer_id,order_id,order_date,amount
d,o8,2026-03-20,8
a,o1,2026-01-05,10
b,o2,2026-01-09,7
a,o3,2026-01-28,5
a,o4,2026-02-02,20
c,o5,2026-02-14,40
b,o6,2026-03-01,3
c,o7,2026-03-02,1
";

#[test]
fn retention_triangle() {
    let p = file("retention", LOG);
    let (code, out, err) = attain(&["cohort", p.to_str().unwrap(), "--by", "month"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "cohort,cohort_start,size,0,1,2\n\
         2026-01,2026-01-01,2,1,0.5,0.5\n\
         2026-02,2026-02-01,1,1,1,\n\
         2026-03,2026-03-01,1,1,,\n"
    );
}

#[test]
fn active_and_revenue() {
    let p = file("active", LOG);
    let (code, out, _) = attain(&["cohort", p.to_str().unwrap(), "--metric", "active"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().nth(1), Some("2026-01,2026-01-01,2,2,1,1"));
    let (code, out, _) = attain(&[
        "cohort",
        p.to_str().unwrap(),
        "--metric",
        "revenue",
        "--currency",
        "USD",
    ]);
    assert_eq!(code, 0);
    // Jan cohort: 10 + 7 + 5 = 22 in January, 20 in February, 3 in March; USD amounts are
    // held (and shown) in whole cents.
    assert_eq!(
        out.lines().nth(1),
        Some("2026-01,2026-01-01,2,22.00,20.00,3.00")
    );
    assert_eq!(out.lines().nth(2), Some("2026-02,2026-02-01,1,40.00,1.00,"));
}

#[test]
fn as_of_and_quarters() {
    let p = file("asof", LOG);
    let (code, out, err) = attain(&[
        "cohort",
        p.to_str().unwrap(),
        "--as-of",
        "2026-02-15",
        "--metric",
        "active",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "cohort,cohort_start,size,0,1\n2026-01,2026-01-01,2,2,1\n2026-02,2026-02-01,1,1,\n"
    );
    let (code, out, _) = attain(&["cohort", p.to_str().unwrap(), "--by", "quarter"]);
    assert_eq!(code, 0);
    assert_eq!(out, "cohort,cohort_start,size,0\n2026-Q1,2026-01-01,4,1\n");
}

#[test]
fn json_has_nulls_for_unobserved_cells() {
    let p = file("json", LOG);
    let (code, out, err) = attain(&["cohort", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["customers"], 4);
    assert_eq!(v["total_revenue"], "94");
    assert_eq!(v["as_of"], "2026-03-20");
    assert_eq!(
        v["cohorts"][0]["values"],
        serde_json::json!(["1", "0.5", "0.5"])
    );
    assert_eq!(
        v["cohorts"][2]["values"],
        serde_json::json!(["1", null, null])
    );
}

#[test]
fn mapped_columns_and_iso_dates_only() {
    let p = file(
        "mapped",
        "who,when,paid\nx,1997-01-01,1.50\nx,1997-02-15,2\ny,1997-02-20,3\n",
    );
    let (code, out, err) = attain(&[
        "cohort",
        p.to_str().unwrap(),
        "--customer-col",
        "who",
        "--date-col",
        "when",
        "--amount-col",
        "paid",
        "--metric",
        "revenue",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "cohort,cohort_start,size,0,1\n1997-01,1997-01-01,1,1.50,2\n1997-02,1997-02-01,1,3,\n"
    );
    // The compact YYYYMMDD form is not in the shared grammar: refused, as by every reader.
    let p = file("compact", "who,when,paid\nx,19970101,1.50\n");
    let (code, _, err) = attain(&[
        "cohort",
        p.to_str().unwrap(),
        "--customer-col",
        "who",
        "--date-col",
        "when",
        "--amount-col",
        "paid",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains(":2: column \"when\": invalid date \"19970101\""),
        "{err}"
    );
}

#[test]
fn errors_name_file_line_and_column() {
    let p = file(
        "badamount",
        "customer_id,order_date,amount\na,2026-01-01,10\nb,2026-01-02,ten\n",
    );
    let (code, _, err) = attain(&["cohort", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{}:3: column \"amount\"", p.display())),
        "{err}"
    );

    let p = file(
        "baddate",
        "customer_id,order_date,amount\na,2026-13-01,10\n",
    );
    let (code, _, err) = attain(&["cohort", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains(":2: column \"order_date\": invalid date \"2026-13-01\""),
        "{err}"
    );

    let p = file("nocol", "customer,order_date,amount\na,2026-01-01,10\n");
    let (code, _, err) = attain(&["cohort", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains(":1: missing column \"customer_id\" in the header"),
        "{err}"
    );

    let p = file("short", "customer_id,order_date,amount\na,2026-01-01\n");
    let (code, _, err) = attain(&["cohort", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains(":2:"), "{err}");

    let (code, _, err) = attain(&["cohort", "/nonexistent/tx.csv"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/tx.csv"), "{err}");

    let (code, _, _) = attain(&["cohort", "x.csv", "--by", "fortnight"]);
    assert_eq!(code, 2);
}

#[test]
fn output_file_is_written() {
    let p = file("outfile", LOG);
    let out = p.with_file_name("table.csv");
    let (code, stdout, err) = attain(&["cohort", p.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .starts_with("cohort,cohort_start,size,0,1,2\n")
    );
}

/// Golden: the repository's CDNOW sample (`data/cdnow_transactions.csv`, 6,919 purchases of
/// 2,357 customers who all first bought in 1997-Q1). Expected numbers computed independently
/// with Python's `csv` and `decimal` modules (first purchase per customer, distinct active
/// customers per month since acquisition), 2026-11-28.
#[test]
fn golden_cdnow_monthly_active() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/cdnow_transactions.csv"
    );
    let (code, out, err) = attain(&["cohort", data, "--metric", "active"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(7).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        ["1997-01", "1997-01-01", "781", "781", "124", "95", "70"]
    );
    assert_eq!(
        rows[1],
        ["1997-02", "1997-02-01", "857", "857", "134", "110", "75"]
    );
    assert_eq!(
        rows[2],
        ["1997-03", "1997-03-01", "719", "719", "87", "84", "78"]
    );
    let (code, out, _) = attain(&["cohort", data, "--format", "json", "--by", "quarter"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["customers"], 2357);
    assert_eq!(v["transactions"], 6919);
    assert_eq!(v["total_revenue"], "244091.94");
    assert_eq!(v["as_of"], "1998-06-30");
}

#[test]
fn long_layout_has_every_metric_and_no_unobserved_cells() {
    let p = file("long", LOG);
    let (code, out, err) = attain(&[
        "cohort",
        p.to_str().unwrap(),
        "--layout",
        "long",
        "--currency",
        "USD",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "cohort,cohort_start,size,period,active,retention,revenue\n\
         2026-01,2026-01-01,2,0,2,1,22.00\n\
         2026-01,2026-01-01,2,1,1,0.5,20.00\n\
         2026-01,2026-01-01,2,2,1,0.5,3.00\n\
         2026-02,2026-02-01,1,0,1,1,40.00\n\
         2026-02,2026-02-01,1,1,1,1,1.00\n\
         2026-03,2026-03-01,1,0,1,1,8.00\n"
    );
}

#[test]
fn amounts_finer_than_the_currency_are_refused_naming_the_row() {
    // `--currency USD` once printed revenue 201225.825; no amount with more decimals than the
    // currency allows reaches the output: the row is a typed error.
    let p = file(
        "subcent",
        "customer_id,order_id,order_date,amount\na,o1,2026-01-05,10.00\nb,o2,2026-01-09,201225.825\n",
    );
    let (code, out, err) = attain(&["cohort", p.to_str().unwrap(), "--currency", "USD"]);
    assert_ne!(code, 0);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("tx.csv:3: column \"amount\": amount \"201225.825\"")
            && err.contains("whole minor units of USD"),
        "{err}"
    );
    // KWD has three decimals: the same file is fine, and revenue keeps them.
    let (code, out, err) = attain(&[
        "cohort",
        p.to_str().unwrap(),
        "--currency",
        "KWD",
        "--metric",
        "revenue",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("201235.825"), "{out}");
}

/// Issue 12: one row dated 9999-12-31 printed 96,036 period columns and exit 0; it is now
/// refused with the span and the limit.
#[test]
fn a_stray_far_date_is_refused() {
    let f = file(
        "far",
        "customer_id,order_date,amount\na,1997-01-01,10.00\nb,1997-02-01,5\nc,9999-12-31,10.00\n",
    );
    let (code, out, err) = attain(&["cohort", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{}", &out[..out.len().min(200)]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cohort table would span 96036 periods from 1997-01-01 to 9999-12-31, more than the limit of 10000"),
        "{err}"
    );
    // Cut off with --as-of: a normal table.
    let (code, out, err) = attain(&["cohort", f.to_str().unwrap(), "--as-of", "1997-03-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("cohort,"), "{out}");
}

/// Cohort job v1 (`benches/cohort/README.md`): `--layout cells` on the CDNOW sample writes
/// byte for byte what DuckDB 2.0.1 and Polars 2.1.0 write (tests/data/README.md).
#[test]
fn cohort_cells_equal_duckdbs_cohort_job_output() {
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/cdnow_transactions.csv"
    );
    let expected = include_str!("data/cohort_cells_cdnow_duckdb.csv");
    let (code, out, err) = attain(&["cohort", csv, "--by", "month", "--layout", "cells"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected);
    assert_eq!(out.lines().count(), 52, "51 cells and a header");
}
