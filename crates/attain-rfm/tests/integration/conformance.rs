//! Issue 12's conformance suite, library side: every case of [`conformance_cases`] through
//! the CSV fast path (`csv::read_path`), the general CSV path (`csv::read_reader`), the row
//! reader (`csv::for_each_transaction`), and the same file converted to Parquet with text
//! columns (`parquet::read_path`, `parquet::for_each_transaction`). All must agree with the
//! case's expectation: accept with the same customers and sum, or reject at the same line
//! (Parquet: the same record) and column. The CLI runs the same table in
//! `crates/attain-cli/tests/conformance.rs`.

use std::collections::BTreeSet;

use attain_rfm::arrow::ArrowColumns;
use attain_rfm::csv::{CsvOptions, for_each_transaction, read_path, read_reader};
use attain_rfm::{AggregateOptions, Error, RfmTable};
use attain_types::Decimal;
use attain_types::input::Header;

use super::conformance_cases::{Case, Expect, cases, to_parquet};
use super::date;

/// What a reader did, in the terms of [`Expect`].
fn outcome_of_table(r: attain_rfm::Result<RfmTable>) -> Result<(usize, Decimal), (u64, String)> {
    r.map(|t| {
        (
            t.customers.len(),
            t.customers.iter().map(|c| c.monetary).sum(),
        )
    })
    .map_err(|e| location(&e))
}

/// The line (or Parquet row) and column an error names.
fn location(e: &Error) -> (u64, String) {
    match e {
        Error::Input { line, column, .. } | Error::Parse { line, column, .. } => {
            (*line, column.clone())
        }
        Error::MissingColumn { column, .. } => (1, column.clone()),
        Error::EmptyFile { .. } => (1, String::new()),
        Error::Arrow { row, column, .. } => (*row, column.clone()),
        other => panic!("unexpected error kind: {other}"),
    }
}

fn has_order_column(bytes: &[u8]) -> bool {
    let mut rdr = ::csv::ReaderBuilder::new().from_reader(bytes);
    rdr.byte_headers()
        .is_ok_and(|h| Header::from_bytes(h.iter()).find("order_id").is_ok())
}

fn csv_options(bytes: &[u8]) -> CsvOptions {
    CsvOptions {
        order_col: has_order_column(bytes).then(|| "order_id".to_owned()),
        ..CsvOptions::default()
    }
}

/// The expectation as an outcome.
fn expected(case: &Case) -> Result<(usize, Decimal), (u64, String)> {
    match &case.expect {
        Expect::Accept { customers, total } => Ok((*customers, *total)),
        Expect::Reject { line, column } => Err((*line, (*column).to_owned())),
    }
}

#[test]
fn every_reader_reads_every_case_alike() {
    let as_of = date("1999-01-01");
    let options = AggregateOptions::default();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("attain-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = cases();
    assert!(all.len() >= 80, "the table has {} cases", all.len());
    let mut parquet_cases = 0;
    for case in &all {
        let want = expected(case);
        let csv = csv_options(&case.bytes);
        let path = dir.join(format!("{}.csv", case.name));
        std::fs::write(&path, &case.bytes).unwrap();

        let fast = outcome_of_table(read_path(&path, as_of, &options, &csv));
        assert_eq!(fast, want, "{}: csv::read_path", case.name);
        let general = outcome_of_table(read_reader(
            case.bytes.as_slice(),
            "<input>",
            as_of,
            &options,
            &csv,
        ));
        assert_eq!(general, want, "{}: csv::read_reader", case.name);
        let mut customers = BTreeSet::new();
        let mut total = Decimal::ZERO;
        let rows = for_each_transaction(case.bytes.as_slice(), "<input>", &csv, |t, _| {
            customers.insert(t.customer_id.to_owned());
            total += t.amount;
            Ok(())
        })
        .map(|()| (customers.len(), total))
        .map_err(|e| location(&e));
        assert_eq!(rows, want, "{}: csv::for_each_transaction", case.name);

        // The same records as Parquet text columns: the same outcome, the record's row in
        // place of its line.
        let Some((parquet, lines)) = to_parquet(&case.bytes) else {
            continue;
        };
        parquet_cases += 1;
        let ppath = dir.join(format!("{}.parquet", case.name));
        std::fs::write(&ppath, parquet).unwrap();
        let columns = ArrowColumns::default().order(csv.order_col.as_deref());
        let want_rows = want.clone().map_err(|(line, column)| {
            let row = if line == 1 {
                1
            } else {
                lines.iter().position(|&l| l == line).unwrap() as u64 + 1
            };
            (row, column)
        });
        let read = outcome_of_table(attain_rfm::parquet::read_path(
            &ppath, as_of, &options, &columns,
        ));
        // A header problem is at "line 1" in both.
        assert_eq!(read, want_rows, "{}: parquet::read_path", case.name);
        let mut customers = BTreeSet::new();
        let mut total = Decimal::ZERO;
        let rows = attain_rfm::parquet::for_each_transaction(&ppath, &columns, |t, at| {
            assert_eq!(at.path, ppath.display().to_string());
            customers.insert(t.customer_id.to_owned());
            total += t.amount;
            Ok(())
        })
        .map(|()| (customers.len(), total))
        .map_err(|e| location(&e));
        assert_eq!(
            rows, want_rows,
            "{}: parquet::for_each_transaction",
            case.name
        );
    }
    assert!(parquet_cases >= 60, "only {parquet_cases} cases as Parquet");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Errors quote at most a few dozen characters of a value, however long it is.
#[test]
fn errors_quote_capped_values() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "huge_bad_amount")
        .unwrap();
    let csv = csv_options(&case.bytes);
    let e = read_reader(
        case.bytes.as_slice(),
        "<input>",
        date("1999-01-01"),
        &AggregateOptions::default(),
        &csv,
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(text.len() < 300, "{} bytes: {text:.300}", text.len());
    assert!(text.contains("1048577 bytes"), "{text}");
}
