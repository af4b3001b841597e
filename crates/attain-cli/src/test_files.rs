//! Test support: random transaction files in the shared grammar's corners, for the
//! differential tests of the fast readers against the general reader.
// Test support: a failed temp file write ends the test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;

static FILES: AtomicUsize = AtomicUsize::new(0);

/// Writes `text` to a fresh file in the temp folder.
pub(crate) fn temp_csv(text: &str) -> PathBuf {
    let n = FILES.fetch_add(1, Ordering::Relaxed);
    let p = std::env::temp_dir().join(format!("attain-cli-diff-{}-{n}.csv", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

/// Mostly valid values, and every kind of value the grammar refuses or only the general
/// reader takes (quotes, timestamps, 3 decimals).
fn field(
    valid: &'static [&'static str],
    odd: &'static [&'static str],
    odd_weight: u32,
) -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(valid).prop_map(str::to_owned),
        odd_weight => prop::sample::select(odd).prop_map(str::to_owned),
    ]
    .boxed()
}

/// A line: `odd_weight` 0 gives only lines the grammar accepts (blank lines and CRLF
/// included), 1 lines likely to be refused or to need the general reader.
fn line(odd_weight: u32) -> BoxedStrategy<String> {
    let customer = field(
        &["a", "b", "c", "customer-with-a-long-id", "7"],
        &["", "\"a\"", " a", "a b", "é", "\"x,y\"", "a\tb"],
        odd_weight,
    );
    let order = field(&["o1", "o2", ""], &["\"o\"", "o\u{1}", " "], odd_weight);
    let date = field(
        &[
            "2025-12-31",
            "2026-01-05",
            "2026-01-31",
            "2026-02-01",
            "2026-03-15",
            "2026-06-30",
        ],
        &[
            "2026-02-30",
            "2026-1-5",
            "20260105",
            "",
            "2026-03-01T23:30:00+05:00",
            "2026-03-01T10:00:00Z",
            "\"2026-01-05\"",
            "2026-01-05 ",
        ],
        odd_weight,
    );
    let amount = field(
        &["1", "10.5", "10.50", "0.01", "-2.00", "0", "123456.78"],
        &[
            "1.505",
            "+1",
            "1e3",
            "",
            " 1",
            "007",
            "-0",
            ".5",
            "1.",
            "-0.00",
            "1,5",
            "\"2\"",
            "99999999999999999999",
            "0.000001",
        ],
        odd_weight,
    );
    let shapes = if odd_weight == 0 { 2u8..6 } else { 0u8..6 };
    (customer, order, date, amount, shapes)
        .prop_map(|(c, o, d, a, shape)| match shape {
            0 => format!("{c},{o},{d}"),       // a field short
            1 => format!("{c},{o},{d},{a},x"), // a field too many
            2 => String::new(),                // a blank line
            3 => format!("{c},{o},{d},{a}\r"), // CRLF
            _ => format!("{c},{o},{d},{a}"),
        })
        .boxed()
}

pub(crate) fn file() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        8 => Just("customer_id,order_id,order_date,amount"),
        1 => Just("amount,order_date,customer_id,order_id"),
        1 => Just("customer_id,order_date,amount"),
        1 => Just("customer_id,order_id,order_date"),
        1 => Just("\"customer_id\",order_id,order_date,amount"),
        1 => Just("customer_id,order_id,order_date,amount,customer_id"),
    ];
    // Clean files, and clean files with one line likely to be refused.
    let odd = prop::option::weighted(0.6, (line(1), any::<prop::sample::Index>()));
    (
        header,
        prop::collection::vec(line(0), 0..25),
        odd,
        any::<bool>(),
    )
        .prop_map(|(header, mut lines, odd, final_newline)| {
            if let Some((line, at)) = odd {
                lines.insert(at.index(lines.len() + 1), line);
            }
            let mut text = format!("{header}\n{}", lines.join("\n"));
            if final_newline && !lines.is_empty() {
                text.push('\n');
            }
            text
        })
}
