//! The fast CSV reader against the general (csv crate) reader, differentially: for arbitrary
//! bytes they accept or reject alike, name the same line and column when they reject, and give
//! the same table (every customer's aggregates and the ingest report) when they accept. The
//! same for the fast CLV repeat-summary pass against `repeat_summaries` over the general rows.
//!
//! The first input byte picks the options (order column or not, frequency and monetary modes,
//! threads, a tiny order memory that forces several passes); the rest is the file.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use attain_rfm::csv::{
    CsvOptions, for_each_transaction, read_path, read_reader, read_repeat_summaries_path,
};
use attain_rfm::{AggregateOptions, Error, FrequencyMode, MonetaryMode, Transaction};
use attain_types::NaiveDate;

/// Where an error points: `(line, column)`, or its kind for errors without a place.
pub fn location(e: &Error) -> (u64, String) {
    match e {
        Error::Input { line, column, .. } | Error::Parse { line, column, .. } => {
            (*line, column.clone())
        }
        Error::MissingColumn { column, .. } => (1, column.clone()),
        Error::EmptyFile { .. } => (1, String::new()),
        Error::Arrow { row, column, .. } => (*row, column.clone()),
        Error::Overflow { operation } => (0, format!("overflow: {operation}")),
        other => (0, format!("{other}")),
    }
}

/// A file of this process for the fast reader, which reads paths.
fn scratch_path() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "attain-fuzz-csv-{}-{}.csv",
        std::process::id(),
        n % 4
    ))
}

pub fn check(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let csv = CsvOptions {
        order_col: (sel & 1 == 0).then(|| "order_id".to_owned()),
        threads: 1 + usize::from(sel >> 7),
        order_memory: if sel & 2 == 0 { 128 } else { 256 << 20 },
        ..CsvOptions::default()
    };
    let options = AggregateOptions::default()
        .frequency(if sel & 4 == 0 {
            FrequencyMode::DistinctOrders
        } else {
            FrequencyMode::Rows
        })
        .monetary(if sel & 8 == 0 {
            MonetaryMode::Sum
        } else {
            MonetaryMode::MeanPerOrder
        });
    let as_of = NaiveDate::from_ymd_opt(1999, 1, 1).expect("date");
    let path = scratch_path();
    std::fs::write(&path, body).expect("write the scratch file");

    let fast = read_path(&path, as_of, &options, &csv);
    let general = read_reader(body, "<input>", as_of, &options, &csv);
    match (&fast, &general) {
        (Ok(a), Ok(b)) => assert_eq!(
            a, b,
            "the fast and the general reader give different tables"
        ),
        (Err(a), Err(b)) => assert_eq!(location(a), location(b), "fast: {a}\ngeneral: {b}"),
        (a, b) => panic!("one reader accepts, the other refuses:\nfast: {a:?}\ngeneral: {b:?}"),
    }

    if sel & 16 != 0 {
        // The CLV summaries' fast pass, when it takes the file, against the general rows.
        let fast = read_repeat_summaries_path(&path, as_of, &csv, &|_| {});
        let mut rows: Vec<(String, NaiveDate, attain_types::Decimal, Option<String>)> = Vec::new();
        let read = for_each_transaction(body, "<input>", &csv, |t, _| {
            rows.push((
                t.customer_id.to_owned(),
                t.date,
                t.amount,
                t.order_id.map(str::to_owned),
            ));
            Ok(())
        });
        let general = read.and_then(|()| {
            attain_rfm::repeat_summaries(
                rows.iter().map(|(c, d, a, o)| Transaction {
                    customer_id: c,
                    date: *d,
                    amount: *a,
                    order_id: o.as_deref(),
                }),
                as_of,
            )
        });
        match (&fast, &general) {
            (Ok(Some(a)), Ok(b)) => assert_eq!(&a.customers, b, "repeat summaries differ"),
            (Ok(None), _) => {}
            (Err(a), Err(b)) => assert_eq!(location(a), location(b), "fast: {a}\ngeneral: {b}"),
            (a, b) => panic!(
                "repeat summaries: one accepts, the other refuses:\nfast: {a:?}\ngeneral: {b:?}"
            ),
        }
    }
    let _ = std::fs::remove_file(&path);
}
