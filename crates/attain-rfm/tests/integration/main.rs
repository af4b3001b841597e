//! Integration tests of attain-rfm through its public API.
// Helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod activity;
mod aggregate;
#[cfg(feature = "parquet")]
mod arrow_io;
mod compat;
#[cfg(feature = "parquet")]
mod conformance;
pub(crate) mod conformance_cases;
mod csv_io;
mod properties;
mod scoring;
mod segments;

use attain_rfm::{CustomerValues, Transaction};
use attain_types::{Decimal, NaiveDate};

pub(crate) fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(crate) fn tx<'a>(c: &'a str, d: &str, a: &str, o: Option<&'a str>) -> Transaction<'a> {
    Transaction {
        customer_id: c,
        date: date(d),
        amount: dec(a),
        order_id: o,
    }
}

/// Customers `c0, c1, ...` with the given monetary values (recency and frequency constant).
pub(crate) fn by_monetary(values: &[i64]) -> Vec<CustomerValues> {
    values
        .iter()
        .enumerate()
        .map(|(i, &m)| CustomerValues::new(&format!("c{i:02}"), 10, 1, Decimal::from(m)))
        .collect()
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<attain_rfm::Aggregator>();
    check::<attain_rfm::CustomerState>();
    check::<attain_rfm::RfmTable>();
    check::<attain_rfm::ScoreOptions>();
    check::<attain_rfm::Thresholds>();
    check::<attain_rfm::SegmentMap>();
    check::<attain_rfm::MapLint>();
    check::<attain_rfm::Migration>();
    check::<attain_rfm::Error>();
    check::<attain_rfm::csv::CsvOptions>();
}
