//! `attain rfm`'s compatibility modes end to end: each equals its anchor's own output (the
//! files under `data/compat/`, written by R rfm 0.3.0, DuckDB 2.0.1 and PyMC-Marketing 0.19.0;
//! see `data/compat/README.md`) on every customer of the CDNOW sample and master logs.
#![cfg(feature = "rfm")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::attain;

fn path(rel: &str) -> String {
    format!("{}/../../data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// A CSV without quoting: for each row, header names to values, keyed by `customer_id`.
fn by_customer(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let row: BTreeMap<String, String> = header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect();
            (row["customer_id"].clone(), row)
        })
        .collect()
}

fn rfm(args: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut all = vec!["rfm"];
    all.extend(args);
    let (code, out, err) = attain(&all);
    assert_eq!(code, 0, "{args:?}: {err}");
    by_customer(&out)
}

/// Every expected customer has the anchor's value in each pair of (our column, their column).
fn assert_same(
    what: &str,
    got: &BTreeMap<String, BTreeMap<String, String>>,
    expected: &BTreeMap<String, BTreeMap<String, String>>,
    columns: &[(&str, &str)],
) {
    assert_eq!(got.len(), expected.len(), "{what}: customers");
    for (id, want) in expected {
        let row = &got[id];
        for (ours, theirs) in columns {
            assert_eq!(row[*ours], want[*theirs], "{what}: customer {id}, {ours}");
        }
    }
}

fn expected(rel: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    by_customer(&std::fs::read_to_string(path(rel)).unwrap())
}

const R_COLUMNS: [(&str, &str); 6] = [
    ("r", "recency_score"),
    ("f", "frequency_score"),
    ("m", "monetary_score"),
    ("segment", "segment"),
    ("recency_days", "recency_days"),
    ("frequency", "transaction_count"),
];

#[test]
fn r_rfm_equals_r_rfm_0_3_0_on_cdnow_and_its_published_article() {
    for (input, want) in [
        ("cdnow_transactions.csv", "compat/r_rfm/cdnow_sample.csv"),
        ("cdnow_master.csv", "compat/r_rfm/cdnow_master.csv"),
    ] {
        let got = rfm(&[
            &path(input),
            "--as-of",
            "1998-06-30",
            "--scoring",
            "r-rfm",
            "--segments",
            "r-rfm",
        ]);
        assert_same(input, &got, &expected(want), &R_COLUMNS);
    }
    // The package's own published result for its bundled data (995 customers).
    let got = rfm(&[
        &path("compat/r_rfm/rfm_data_orders.csv"),
        "--as-of",
        "2006-12-31",
        "--amount-col",
        "revenue",
        "--no-order-col",
        "--scoring",
        "r-rfm",
        "--segments",
        "r-rfm",
    ]);
    let want = expected("compat/r_rfm/published_article.csv");
    assert_eq!(want.len(), 995);
    assert_same("article", &got, &want, &R_COLUMNS);
}

#[test]
fn ntile_equals_duckdb_on_cdnow() {
    for (input, want) in [
        ("cdnow_transactions.csv", "compat/ntile/cdnow_sample.csv"),
        ("cdnow_master.csv", "compat/ntile/cdnow_master.csv"),
    ] {
        let got = rfm(&[&path(input), "--as-of", "1998-06-30", "--scoring", "ntile"]);
        let columns = [("r", "r"), ("f", "f"), ("m", "m"), ("monetary", "monetary")];
        assert_same(input, &got, &expected(want), &columns);
    }
}

#[test]
fn pymc_equals_pymc_marketing_on_cdnow() {
    for (input, want) in [
        ("cdnow_transactions.csv", "compat/pymc/cdnow_sample.csv"),
        ("cdnow_master.csv", "compat/pymc/cdnow_master.csv"),
    ] {
        let got = rfm(&[
            &path(input),
            "--as-of",
            "1998-06-30",
            "--scoring",
            "pymc",
            "--segments",
            "pymc",
        ]);
        let want = expected(want);
        assert_eq!(got.len(), want.len(), "{input}");
        for (id, w) in &want {
            let row = &got[id];
            let code = format!("{}{}{}", row["r"], row["f"], row["m"]);
            assert_eq!(code, w["rfm_score"], "{input}: {id}");
            assert_eq!(row["segment"], w["segment"], "{input}: {id}");
            assert_eq!(row["frequency"], w["frequency"], "{input}: {id}");
            assert_eq!(row["recency_days"], w["recency"], "{input}: {id}");
        }
    }
}

#[test]
fn pymc_fails_where_pymc_marketing_raises() {
    // Every customer tied: PyMC-Marketing raises "Bin labels must be one fewer than the number
    // of bin edges" (data/compat/pymc/adversarial.csv, case tied_12).
    let (code, out, err) = attain(&[
        "rfm",
        &path("compat/adversarial/tied_12.csv"),
        "--as-of",
        "2026-01-01",
        "--scoring",
        "pymc",
    ]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("quartiles collapse"), "{err}");
    let (code, _, err) = attain(&[
        "rfm",
        &path("cdnow_transactions.csv"),
        "--as-of",
        "1998-06-30",
        "--scoring",
        "pymc",
        "--bins",
        "5",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("uses 4 bins"), "{err}");
}

#[test]
fn segments_lists_every_builtin_map_with_its_gaps() {
    let (code, out, err) = attain(&["segments"]);
    assert_eq!(code, 0, "{err}");
    for name in attain_rfm::BUILTIN_MAPS {
        assert!(
            out.contains(&format!("\n{name} (")) || out.starts_with(&format!("{name} (")),
            "{name}"
        );
    }
    assert!(out.contains(
        "codes only the fallback \"Others\" takes: 10 (215 241 251 252 341 351 441 451 541 551)"
    ));
    assert!(out.contains("pymc (4 bins, 64 codes, 5 rules, first match wins)"));
    let (code, _, err) = attain(&["segments", "no-such-map"]);
    assert_eq!(code, 2, "{err}");
}
