//! The exit status table (main.rs, `attain --help`, README): for every subcommand, a rejected
//! option value exits 2 and a bad input file exits 1, whatever the message says.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{attain_in, cdnow_csv, temp_dir, write};

const GOOD_TX: &str = "customer_id,order_id,order_date,amount\na,o1,2026-01-05,10\nb,o2,2026-02-09,7\na,o3,2026-03-01,5\n";
const BAD_TX: &str =
    "customer_id,order_id,order_date,amount\na,o1,2026-01-05,10\nb,o2,2026-02-09,ten\n";
const GOOD_EVENTS: &str = "entity_id,step,timestamp\nx,lead,2026-01-01\nx,visit,2026-01-02\n";
const BAD_EVENTS: &str = "entity_id,step,timestamp\nx,lead,2026-01-01\ny,lead,yesterday\n";

/// Rejected option values: each must exit 2 (the argument is wrong, not the data).
const USAGE: &[&[&str]] = &[
    &[
        "allocate",
        "--total",
        "10.005",
        "--currency",
        "USD",
        "--weights",
        "1",
    ],
    &["allocate", "--total", "12x", "--weights", "1"],
    &["allocate", "--total", "10", "--weights", "a=x"],
    &["allocate", "--total", "10", "--weights", "0,0"],
    &[
        "plan",
        "--target",
        "100.005",
        "--currency",
        "USD",
        "--year",
        "2026",
    ],
    &["plan", "--target", "12x", "--year", "2026"],
    &[
        "plan", "--target", "100", "--year", "2026", "--split", "c=a",
    ],
    &[
        "plan", "--target", "100", "--year", "2026", "--split", "a=x:1", "--split", "b=y:1",
        "--split", "c=z:1",
    ],
    &[
        "plan",
        "--target",
        "100",
        "--year",
        "2026",
        "--weekend",
        "someday",
    ],
    &[
        "plan",
        "--target",
        "100",
        "--year",
        "2026",
        "--seasonality",
        "x",
    ],
    &[
        "plan",
        "--target",
        "100",
        "--start",
        "2026-02-01",
        "--end",
        "2026-01-01",
    ],
    &[
        "plan",
        "--target",
        "100",
        "--year",
        "2026",
        "--fiscal-start-month",
        "13",
    ],
    &[
        "funnel",
        "plan",
        "--target",
        "250000.005",
        "--currency",
        "USD",
        "--deal-size",
        "10",
        "--stages",
        "lead:0.1",
    ],
    &[
        "funnel",
        "plan",
        "--target",
        "1000",
        "--deal-size",
        "10",
        "--stages",
        "lead:1.5",
    ],
    &[
        "funnel",
        "plan",
        "--target",
        "1000",
        "--deal-size",
        "10",
        "--stages",
        "lead",
    ],
    &[
        "funnel",
        "plan",
        "--target",
        "1000",
        "--deal-size",
        "x",
        "--stages",
        "lead:0.1",
    ],
    &[
        "funnel",
        "measure",
        "good_events.csv",
        "--steps",
        "lead,lead",
    ],
    &[
        "funnel",
        "measure",
        "good_events.csv",
        "--steps",
        "lead,visit",
        "--window",
        "3y",
    ],
    &[
        "funnel",
        "measure",
        "good_events.csv",
        "--steps",
        "lead,visit",
        "--step-windows",
        "-,x",
    ],
    &[
        "funnel",
        "measure",
        "good_events.csv",
        "--steps",
        "lead",
        "-o",
        "good_events.csv",
    ],
    &["rfm", "good.csv", "--as-of", "2026-04-01", "--bins", "11"],
    &["rfm", "good.csv", "--as-of", "2026-04-01", "--bins", "1000"],
    &[
        "rfm",
        "good.csv",
        "--as-of",
        "2026-04-01",
        "--segments",
        "no-such-map",
    ],
    &["rfm", "good.csv", "--as-of", "2026-13-01"],
    &["rfm", "good.csv", "--as-of", "2026-04-01", "-o", "good.csv"],
    &["cohort", "good.csv", "--as-of", "yesterday"],
    &["cohort", "good.csv", "--decimals", "29"],
    &["cohort", "good.csv", "--currency", "usd1"],
    &["cohort", "good.csv", "-o", "good.csv"],
    &[
        "clv",
        "good.csv",
        "--calibration-end",
        "2026-03-01",
        "--horizon",
        "39",
    ],
    &[
        "clv",
        "good.csv",
        "--calibration-end",
        "2026-03-01",
        "--horizon",
        "-1w",
    ],
    &[
        "clv",
        "good.csv",
        "--calibration-end",
        "2026-03-01",
        "--discount",
        "2",
    ],
    &[
        "clv",
        "good.csv",
        "--calibration-end",
        "2026-03-01",
        "-o",
        "good.csv",
    ],
    &["report", "good.csv", "--target", "12x"],
    &["report", "good.csv", "--split", "c=a"],
    &["report", "good.csv", "--funnel-stages", "deal:0.5"],
    &[
        "report",
        "good.csv",
        "--funnel-stages",
        "lead:0.1",
        "--deal-size",
        "x",
    ],
    &["report", "good.csv", "--year", "1000000"],
    &["report", "good.csv", "--currency", "usd1"],
    &["report", "good.csv", "-o", "good.csv"],
];

/// Bad input files: each must exit 1.
const DATA: &[&[&str]] = &[
    &[
        "funnel",
        "measure",
        "bad_events.csv",
        "--steps",
        "lead,visit",
    ],
    &["funnel", "measure", "missing.csv", "--steps", "lead,visit"],
    &["rfm", "bad.csv", "--as-of", "2026-04-01"],
    &["rfm", "missing.csv", "--as-of", "2026-04-01"],
    &["cohort", "bad.csv"],
    &["cohort", "missing.csv"],
    &["clv", "bad.csv", "--calibration-end", "2026-03-01"],
    &["clv", "missing.csv", "--calibration-end", "2026-03-01"],
    &["report", "bad.csv"],
    &["report", "missing.csv"],
    &[
        "report",
        "good.csv",
        "--funnel-stages",
        "lead:0.5",
        "--funnel-events",
        "bad_events.csv",
    ],
];

fn folder() -> std::path::PathBuf {
    let dir = temp_dir("exit-codes");
    write(&dir, "good.csv", GOOD_TX);
    write(&dir, "bad.csv", BAD_TX);
    write(&dir, "good_events.csv", GOOD_EVENTS);
    write(&dir, "bad_events.csv", BAD_EVENTS);
    dir
}

#[test]
fn rejected_option_values_exit_2() {
    let dir = folder();
    for args in USAGE {
        let r = attain_in(&dir, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}");
        assert!(!r.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn bad_input_files_exit_1() {
    let dir = folder();
    for args in DATA {
        let r = attain_in(&dir, args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("attain: error: "),
            "{args:?}: {}",
            r.stderr
        );
    }
}

/// The same commands with good values and files succeed, so the codes above come from the one
/// thing each changes.
#[test]
fn the_good_variants_exit_0() {
    let dir = folder();
    let cdnow = cdnow_csv();
    let cdnow = cdnow.to_str().unwrap();
    let good: &[&[&str]] = &[
        &[
            "allocate",
            "--total",
            "10.00",
            "--currency",
            "USD",
            "--weights",
            "1",
        ],
        &[
            "plan",
            "--target",
            "100.00",
            "--currency",
            "USD",
            "--year",
            "2026",
        ],
        &[
            "funnel",
            "plan",
            "--target",
            "250000.00",
            "--currency",
            "USD",
            "--deal-size",
            "10",
            "--stages",
            "lead:0.1",
        ],
        &[
            "funnel",
            "measure",
            "good_events.csv",
            "--steps",
            "lead,visit",
            "--step-windows=-,7d",
        ],
        &["rfm", "good.csv", "--as-of", "2026-04-01", "--bins", "10"],
        &["cohort", "good.csv", "--decimals", "28"],
        &[
            "clv",
            cdnow,
            "--calibration-end",
            "1997-09-30",
            "--horizon",
            "39w",
        ],
        &[
            "report",
            "good.csv",
            "--target",
            "120",
            "--funnel-stages",
            "lead:0.5",
            "--funnel-events",
            "good_events.csv",
        ],
    ];
    for args in good {
        let r = attain_in(&dir, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
}

#[test]
fn help_documents_the_exit_codes() {
    let r = attain_in(&temp_dir("exit-help"), &["--help"]);
    assert_eq!(r.code, 0);
    for line in [
        "Exit status:",
        "0  success",
        "1  data error",
        "2  usage error",
    ] {
        assert!(r.stdout.contains(line), "{line}: {}", r.stdout);
    }
}
