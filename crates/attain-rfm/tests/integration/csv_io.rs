//! The CSV reader and writer: job v1 byte-exactness and one-line errors.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use attain_rfm::csv::{CsvOptions, read_path, read_reader, write_csv};
use attain_rfm::{AggregateOptions, Error, ScoreOptions, Scoring, score};

use crate::date;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A file in the temp folder, removed when dropped.
pub(crate) struct TempFile(PathBuf);

impl std::ops::Deref for TempFile {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempFile {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `text` to a fresh file in the temp folder, removed when the result is dropped.
pub(crate) fn temp_file(text: &str) -> TempFile {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let p = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("attain-rfm-test-{}-{n}.csv", std::process::id()));
    std::fs::write(&p, text).unwrap();
    TempFile(p)
}

fn job_v1(path: &std::path::Path) -> String {
    let t = read_path(
        path,
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap();
    let s = score(
        &t.customers,
        &ScoreOptions::default().scoring(Scoring::Even),
    )
    .unwrap();
    let mut out = Vec::new();
    write_csv(&mut out, &t.customers, &s, None).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn job_v1_golden_fixture_is_byte_exact() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let expected = std::fs::read_to_string(dir.join("job_v1_edge_expected.csv")).unwrap();
    assert_eq!(job_v1(&dir.join("job_v1_edge_input.csv")), expected);
}

#[test]
fn job_v1_without_final_newline_and_with_crlf() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let input = std::fs::read_to_string(dir.join("job_v1_edge_input.csv")).unwrap();
    let expected = std::fs::read_to_string(dir.join("job_v1_edge_expected.csv")).unwrap();
    assert_eq!(job_v1(&temp_file(input.trim_end())), expected);
    assert_eq!(job_v1(&temp_file(&input.replace('\n', "\r\n"))), expected);
}

#[test]
fn quoted_and_reordered_columns_take_the_general_path() {
    let text = "amount,\"customer_id\",order_date,order_id\n\"1,000.00\",C1,2025-12-31,O1\n";
    // "1,000.00" is not a decimal: the error names line 2 and the column.
    let err = read_path(
        &temp_file(text),
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(":2: ") && err.to_string().contains("amount"),
        "{err}"
    );
    let text =
        "amount,\"customer_id\",order_date,order_id\n\"1000.00\",C1,2025-12-31T23:30:00-05:00,O1\n";
    let t = read_path(
        &temp_file(text),
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(t.customers[0].recency_days, 1);
}

#[test]
fn rfc3339_dates_and_mapped_columns() {
    let text = "who,when,value\nx,2025-12-31T10:00:00Z,5.5\nx,2025-12-30T23:00:00+02:00,1\n";
    let csv = CsvOptions {
        customer_col: "who".into(),
        date_col: "when".into(),
        amount_col: "value".into(),
        order_col: None,
        ..CsvOptions::default()
    };
    let t = read_path(
        &temp_file(text),
        date("2026-01-01"),
        &AggregateOptions::default(),
        &csv,
    )
    .unwrap();
    let c = &t.customers[0];
    assert_eq!(
        (c.recency_days, c.frequency, c.monetary.to_string().as_str()),
        (1, 2, "6.5")
    );
}

fn read_err(text: &str) -> Error {
    read_path(
        &temp_file(text),
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap_err()
}

#[test]
fn bad_input_gives_one_line_errors_naming_line_and_column() {
    let h = "customer_id,order_id,order_date,amount\n";
    let e = read_err(&format!(
        "{h}C1,O1,2025-01-01,1.00\nC2,O2,2025-02-30,1.00\n"
    ))
    .to_string();
    assert!(
        e.contains(":3: ") && e.contains("order_date") && e.contains("2025-02-30"),
        "{e}"
    );
    let e = read_err(&format!("{h}C1,O1,2025-01-01,ten\n")).to_string();
    assert!(
        e.contains(":2: ") && e.contains("amount") && e.contains("ten"),
        "{e}"
    );
    let e = read_err("customer_id,order_id,amount\nC1,O1,1.00\n").to_string();
    assert!(
        e.contains("missing column") && e.contains("order_date"),
        "{e}"
    );
    let e = read_err("").to_string();
    assert!(e.contains("empty file"), "{e}");
    let e = read_err(&format!("{h}C1,O1,2025-01-01\n")).to_string();
    assert!(e.contains(":2: "), "{e}");
    for e in [read_err(""), read_err(&format!("{h},O1,2025-01-01,1.00\n"))] {
        assert!(!e.to_string().contains('\n'));
    }
}

/// An empty date on the first row is an error, not day 0 (0000-12-31): the fast reader's
/// date cache once started with an empty key that an empty field matched.
#[test]
fn an_empty_first_date_is_an_error_not_day_zero() {
    for text in [
        "customer_id,order_id,order_date,amount\nC1,O1,,1.00\n",
        "customer_id,order_id,order_date,amount\nC1,O1,,1.00\nC2,O2,2025-01-01,1.00\n",
    ] {
        let e = read_err(text).to_string();
        assert!(e.contains(":2: ") && e.contains("order_date"), "{e}");
    }
}

#[test]
fn header_only_gives_empty_result() {
    let p = temp_file("customer_id,order_id,order_date,amount\n");
    let t = read_path(
        &p,
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap();
    assert!(t.customers.is_empty());
    assert_eq!(
        job_v1(&p),
        "customer_id,recency_days,frequency,monetary,r,f,m\n"
    );
}

#[test]
fn duplicate_order_ids_are_counted_once() {
    let text = "customer_id,order_id,order_date,amount\nA,O1,2025-01-01,1.00\nA,O1,2025-01-02,2.00\nB,O1,2025-01-01,3.00\nA,O2,2025-01-01,4.00\n";
    let t = read_path(
        &temp_file(text),
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(t.customers[0].frequency, 2);
    assert_eq!(t.customers[0].monetary.to_string(), "7.00");
    assert_eq!(t.customers[1].frequency, 1);
    let g = read_reader(
        text.as_bytes(),
        "<x>",
        date("2026-01-01"),
        &AggregateOptions::default(),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(g, t);
}

#[test]
fn fast_path_handles_any_column_order_and_extra_columns() {
    let text = "note,amount,order_date,customer_id,order_id\nx,5.50,2025-12-31,B,O1\n,1,2025-12-30T23:00:00+02:00,A,O2\ny,2.25,2025-06-01,B,O3\n";
    let o = AggregateOptions::default();
    let fast = read_path(
        &temp_file(text),
        date("2026-01-01"),
        &o,
        &CsvOptions::default(),
    )
    .unwrap();
    let general = read_reader(
        text.as_bytes(),
        "x",
        date("2026-01-01"),
        &o,
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(fast, general);
    assert_eq!(fast.customers[1].monetary.to_string(), "7.75");
    assert_eq!(
        (fast.customers[0].recency_days, fast.customers[1].frequency),
        (2, 2)
    );
}

#[test]
fn read_path_with_progress_reports_every_byte() {
    use attain_rfm::FrequencyMode;
    use attain_rfm::csv::read_path_with_progress;
    use std::cell::RefCell;
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "C{:04},O{i},2025-{:02}-15,{}.25\n",
            i % 97,
            i % 12 + 1,
            i % 50
        ));
    }
    let path = temp_file(&text);
    // The fast path (job v1 modes) and the general reader (a mode the fast path leaves alone).
    for options in [
        AggregateOptions::default(),
        AggregateOptions::default().frequency(FrequencyMode::DistinctDays),
    ] {
        let seen = RefCell::new(Vec::new());
        let with = read_path_with_progress(
            &path,
            date("2026-01-01"),
            &options,
            &CsvOptions::default(),
            &|b| seen.borrow_mut().push(b),
        )
        .unwrap();
        let without = read_path(&path, date("2026-01-01"), &options, &CsvOptions::default());
        assert_eq!(with, without.unwrap());
        let seen = seen.into_inner();
        assert!(!seen.is_empty());
        assert!(
            seen.windows(2).all(|w| w[0] <= w[1]),
            "progress went backwards"
        );
        assert_eq!(seen.last().copied(), Some(text.len() as u64), "{options:?}");
    }
    std::fs::remove_file(path).unwrap();
}
