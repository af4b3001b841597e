//! The fast path of `funnel measure` ([`crate::event_scan`]) against the general reader: the
//! same measurement whenever it takes a file, and it gives the file up (to the general reader,
//! whose answer or error the command then prints) whenever the general reader refuses it or
//! reads it as more than plain lines. On the ClickHouse adversarial log in every mode, on
//! damaged copies of it, and on random small files with bad rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use proptest::prelude::*;

use super::*;

#[derive(Debug, clap::Parser)]
struct Cli {
    #[command(flatten)]
    measure: MeasureArgs,
}

const CLICKHOUSE_LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../attain-funnel/tests/data/clickhouse/events.csv"
);

/// A CSV file in the temporary directory, removed when dropped.
struct TempCsv(PathBuf);

impl TempCsv {
    fn new(bytes: &[u8]) -> TempCsv {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("attain-funnel-fast-{}-{n}.csv", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        TempCsv(path)
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Both ways of measuring `path` with the command-line `options`: the fast path (`None` when
/// it gives the file up) on `threads` threads and `partitions` partitions, and the general
/// reader (its error as the command prints it).
fn both_ways(
    path: &Path,
    options: &[&str],
    threads: usize,
    partitions: usize,
) -> (Option<FunnelMeasurement>, Result<FunnelMeasurement, String>) {
    let path = path.to_str().unwrap();
    let mut argv = vec!["measure", path, "-q"];
    argv.extend_from_slice(options);
    let args = Cli::try_parse_from(argv).unwrap().measure;
    let setup = setup(&args).unwrap();
    let index = step_index(&args, &setup).unwrap();
    let fast = fast_request(&args, &setup, args.view, &index).and_then(|mut request| {
        request.threads = threads;
        request.partitions = Some(partitions);
        crate::event_scan::measure(&request)
    });
    let general = measure_events(&args, &setup, args.view, false)
        .map(|(_, m)| m)
        .map_err(|e| format!("{e:#}"));
    // What the command does: the fast path first, the general reader when it gives up.
    let command = measure_events(&args, &setup, args.view, true)
        .map(|(_, m)| m)
        .map_err(|e| format!("{e:#}"));
    assert_eq!(command, general, "{options:?}");
    if let Some(m) = &fast {
        assert_eq!(Ok(m), general.as_ref(), "{options:?}");
    }
    (fast, general)
}

/// Every order, mode, window, exclusion and counting of the ClickHouse checks.
const MODES: &[&[&str]] = &[
    &[],
    &["--window", "1h"],
    &["--window", "1h", "--strict"],
    &["--window", "1h", "--order", "any"],
    &["--window", "1h", "--clickhouse-mode", "strict_order"],
    &[
        "--window",
        "1h",
        "--clickhouse-mode",
        "strict_order,allow_reentry",
    ],
    &[
        "--window",
        "1h",
        "--clickhouse-mode",
        "strict_deduplication",
    ],
    &[
        "--window",
        "1h",
        "--clickhouse-mode",
        "strict_increase,strict_once",
    ],
    &["--window", "1h", "--exclude", "churn"],
    &["--window", "1h", "--exclude", "churn:signup>deal"],
    &["--window", "1h", "--count", "totals"],
    &["--step-windows", "-,10m,1h,2h"],
];

fn clickhouse_options<'a>(mode: &[&'a str]) -> Vec<&'a str> {
    let mut o = vec![
        "--steps",
        "visit,signup,trial,deal",
        "--time-format",
        "unix-seconds",
    ];
    o.extend_from_slice(mode);
    o
}

#[test]
fn clickhouse_log_fast_path_equals_general_reader_in_every_mode() {
    let path = Path::new(CLICKHOUSE_LOG);
    // Threads and partitions in turn (one, some, more than the log has megabytes).
    let layouts = [(1, 1), (2, 8), (3, 64)];
    for (mode, (threads, partitions)) in MODES.iter().zip(layouts.iter().cycle()) {
        let (fast, general) = both_ways(path, &clickhouse_options(mode), *threads, *partitions);
        assert!(fast.is_some(), "fast path not taken: {mode:?}");
        assert!(general.unwrap().total.steps[0].reached > 0);
    }
}

#[test]
fn fast_path_leaves_breakdown_paths_and_retention_to_the_general_reader() {
    let path = Path::new(CLICKHOUSE_LOG);
    for extra in [
        &["--breakdown", "step"][..],
        &["--hold", "step"],
        &["--paths"],
        &["--view", "time"],
        &["--view", "retention"],
        &["--format", "json"],
    ] {
        let (fast, general) = both_ways(path, &clickhouse_options(extra), 2, 4);
        assert!(fast.is_none(), "{extra:?}");
        assert!(general.is_ok(), "{extra:?}");
    }
}

/// The first lines of the ClickHouse log with `line` put in as line `at` (1 is the header).
fn damaged(line: &str, at: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(CLICKHOUSE_LOG).unwrap();
    let mut lines: Vec<&str> = text.lines().take(3000).collect();
    lines.insert(at - 1, line);
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

#[test]
fn damaged_logs_give_the_general_readers_answer() {
    let options = clickhouse_options(&["--window", "1h"]);
    // Rows the general reader refuses: the fast path must give them up, and the command
    // reports the general reader's error (same line and column).
    for (bad, column) in [
        ("e1,visit,17x", "timestamp"),
        ("e1,visit,", "timestamp"),
        ("e1,visit,99999999999999999999", "timestamp"),
        ("e1,visit,+5", "timestamp"),
        (",visit,5", "entity_id"),
        (" e1,visit,5", "entity_id"),
        ("e1,,5", "step"),
        ("e1,visit,5,extra", ""),
        ("e1,visit", ""),
    ] {
        let file = TempCsv::new(&damaged(bad, 1500));
        let (fast, general) = both_ways(&file.0, &options, 2, 8);
        assert!(fast.is_none(), "{bad}");
        let e = general.unwrap_err();
        assert!(e.contains(":1500:"), "{bad}: {e}");
        assert!(e.contains(column), "{bad}: {e}");
    }
    // Files the general reader accepts but reads as more than plain lines (quotes, carriage
    // returns, blank lines): the fast path gives them up too.
    for tricky in ["\"e1\",visit,5", "e1,\"visit\",5", "e1,visit,5\r", ""] {
        let file = TempCsv::new(&damaged(tricky, 1500));
        let (fast, general) = both_ways(&file.0, &options, 2, 8);
        assert!(fast.is_none(), "{tricky:?}");
        assert!(general.is_ok(), "{tricky:?}");
    }
    // Not UTF-8.
    let mut bytes = damaged("e\u{e9}1,visit,5", 1500);
    let at = bytes.iter().position(|&b| b == 0xC3).unwrap();
    bytes.remove(at);
    let file = TempCsv::new(&bytes);
    let (fast, general) = both_ways(&file.0, &options, 2, 8);
    assert!(fast.is_none());
    assert!(general.unwrap_err().contains(":1500:"));
}

#[test]
fn plain_variants_stay_on_the_fast_path() {
    let options = clickhouse_options(&["--window", "1h"]);
    // No final line feed, a non-ASCII id, ids longer than 8 bytes, other columns in any order.
    let mut bytes = damaged("entité-longer-than-eight,visit,1770615173", 2);
    bytes.pop();
    let file = TempCsv::new(&bytes);
    let (fast, _) = both_ways(&file.0, &options, 2, 8);
    assert!(fast.is_some());
    let text = "note,timestamp,entity_id,step\nx,5,customer-000000001,visit\n\
                y,9,customer-000000001,signup\nz,7,customer-000000002,visit\n,3,c,visit\n";
    let file = TempCsv::new(text.as_bytes());
    let (fast, general) = both_ways(&file.0, &options, 3, 2);
    assert!(fast.is_some());
    let m = general.unwrap();
    assert_eq!((m.total.entities, m.total.steps[1].reached), (3, 1));
}

/// A random event file: rows mostly valid, some bad or unusual.
fn event_file() -> impl Strategy<Value = Vec<u8>> {
    let entity = prop::sample::select(vec![
        "a",
        "b",
        "e1234567",
        "e12345678",
        "customer-000000001",
        "customer-000000002",
        "ä",
        " a",
        "",
        "a b",
        "\"a\"",
    ]);
    let step = prop::sample::select(vec![
        "visit", "visit", "signup", "signup", "trial", "deal", "other", "", "visit ", "\"deal\"",
    ]);
    let time = prop::sample::select(vec![
        "0",
        "5",
        "7",
        "3600",
        "3601",
        "-7",
        "17x",
        "",
        "99999999999999999999",
        "1e3",
    ]);
    let odd_line = prop::sample::select(vec!["", "a,visit", "a,visit,1,2", "a,visit,1\r"]);
    let row = prop_oneof![
        12 => (entity.clone(), step.clone(), time.clone())
            .prop_map(|(e, s, t)| format!("{e},{s},{t}")),
        1 => odd_line.prop_map(str::to_owned),
    ];
    let weights = prop_oneof![
        6 => Just(false),
        1 => Just(true),
    ];
    (prop::collection::vec(row, 0..40), weights).prop_map(|(rows, unterminated)| {
        let mut text = String::from("entity_id,step,timestamp\n");
        for r in rows {
            text.push_str(&r);
            text.push('\n');
        }
        if unterminated {
            text.pop();
        }
        text.into_bytes()
    })
}

fn mode() -> impl Strategy<Value = &'static [&'static str]> {
    prop::sample::select(vec![
        &["--window", "10"][..],
        &[],
        &["--strict"],
        &["--order", "any", "--window", "20"],
        &["--clickhouse-mode", "strict_order"],
        &["--clickhouse-mode", "strict_deduplication,strict_increase"],
        &["--count", "totals"],
        &["--exclude", "other"],
    ])
}

proptest! {
    #[test]
    fn prop_fast_path_agrees_with_general_reader(
        bytes in event_file(),
        mode in mode(),
        threads in 1usize..4,
        partitions in 1usize..9,
    ) {
        let file = TempCsv::new(&bytes);
        let mut options = vec!["--steps", "visit,signup,trial,deal", "--time-format", "unix-seconds"];
        options.extend_from_slice(mode);
        let (fast, general) = both_ways(&file.0, &options, threads, partitions);
        // A file the general reader refuses is never taken by the fast path (both_ways checks
        // that whatever it takes equals the general reader's measurement).
        if general.is_err() {
            prop_assert!(fast.is_none());
        }
        // A file of plain valid rows is taken.
        let plain = bytes.iter().all(|&b| b != b'"' && b != b'\r') && !bytes.windows(2).any(|w| w == b"\n\n");
        if general.is_ok() && plain && !bytes.starts_with(b"\n") {
            prop_assert!(fast.is_some());
        }
    }
}

#[test]
fn step_names_the_id_rule_refuses_are_checked_row_by_row() {
    // A step named with an edge space matches rows written the same way, which the shared id
    // rule refuses: the general reader reports the row, and the fast path must not take it.
    let text = "entity_id,step,timestamp\na,visit ,5\na,signup,9\n";
    let file = TempCsv::new(text.as_bytes());
    let options = ["--steps", "visit ,signup", "--time-format", "unix-seconds"];
    let (fast, general) = both_ways(&file.0, &options, 2, 2);
    assert!(fast.is_none());
    let e = general.unwrap_err();
    assert!(e.contains(":2:") && e.contains("step"), "{e}");
}
