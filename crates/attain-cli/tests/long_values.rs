//! Error messages quote values cut short (issue 12, "Other": a 12 MB header line gave a 12 MB
//! error): a 100 KB argument (Linux passes at most 128 KiB in one argument) or a 1 MB header or
//! field gives an error of a few hundred bytes that says how long the value was.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{attain_in, temp_dir, write};

/// The longest error accepted, in bytes.
const SHORT: usize = 1000;

/// Runs `args` in `dir`: the run fails with a short error that, if `quoted`, says how long
/// the value it cut was.
fn check_quoted(dir: &std::path::Path, args: &[&str], quoted: bool) {
    let r = attain_in(dir, args);
    let shown: Vec<String> = args.iter().map(|a| a.chars().take(30).collect()).collect();
    assert_ne!(r.code, 0, "{shown:?}");
    assert!(
        r.stderr.len() < SHORT,
        "{shown:?}: {} bytes of error: {}",
        r.stderr.len(),
        r.stderr.chars().take(300).collect::<String>()
    );
    if quoted {
        assert!(r.stderr.contains("bytes)"), "{shown:?}: {}", r.stderr);
    }
}

/// A failing run whose error quotes the long value, cut.
fn check(dir: &std::path::Path, args: &[&str]) {
    check_quoted(dir, args, true);
}

/// A failing run with a short error (some readers name only the missing column, and need not
/// quote the header).
fn check_short(dir: &std::path::Path, args: &[&str]) {
    check_quoted(dir, args, false);
}

#[test]
fn long_arguments_are_cut_in_errors() {
    let dir = temp_dir("long-args");
    write(
        &dir,
        "t.csv",
        "customer_id,order_id,order_date,amount\na,o1,2026-01-05,10\n",
    );
    write(
        &dir,
        "e.csv",
        "entity_id,step,timestamp\nx,lead,2026-01-01\n",
    );
    let long = "9".repeat(100_000);
    let word = "x".repeat(100_000);
    let l = long.as_str();
    let w = word.as_str();
    let stage = format!("{w}:2");
    let commands: Vec<Vec<&str>> = vec![
        vec!["allocate", "--total", w, "--weights", "1"],
        vec!["allocate", "--total", "1", "--weights", w],
        vec![
            "allocate",
            "--total",
            "1",
            "--weights",
            "1",
            "--currency",
            w,
        ],
        vec!["plan", "--target", w, "--year", "2026"],
        vec!["plan", "--target", "1", "--year", "2026", "--split", w],
        vec!["plan", "--target", "1", "--year", "2026", "--weekend", w],
        vec!["plan", "--target", "1", "--year", l],
        vec![
            "funnel",
            "plan",
            "--target",
            "1",
            "--deal-size",
            w,
            "--stages",
            "a:0.1",
        ],
        vec![
            "funnel",
            "plan",
            "--target",
            "1",
            "--deal-size",
            "1",
            "--stages",
            &stage,
        ],
        vec![
            "funnel", "measure", "e.csv", "--steps", "lead", "--window", w,
        ],
        vec![
            "funnel",
            "measure",
            "e.csv",
            "--steps",
            "lead",
            "--entity-column",
            w,
        ],
        vec!["rfm", "t.csv", "--as-of", w],
        vec!["rfm", "t.csv", "--as-of", "2026-02-01", "--customer-col", w],
        vec!["rfm", "t.csv", "--as-of", "2026-02-01", "--segments", w],
        vec!["rfm", w, "--as-of", "2026-02-01"],
        vec!["cohort", "t.csv", "--as-of", w],
        vec!["cohort", "t.csv", "--currency", w],
        vec!["cohort", "t.csv", "--customer-col", w],
        vec![
            "clv",
            "t.csv",
            "--calibration-end",
            "2026-01-31",
            "--horizon",
            w,
        ],
        vec![
            "clv",
            "t.csv",
            "--calibration-end",
            "2026-01-31",
            "--discount",
            w,
        ],
        vec![
            "clv",
            "t.csv",
            "--calibration-end",
            "2026-01-31",
            "--date-col",
            w,
        ],
        vec!["report", "t.csv", "--target", w],
        vec!["report", "t.csv", "--split", w],
        vec!["report", "t.csv", "--funnel-stages", &stage],
        vec!["report", "t.csv", "--customer-col", w],
        vec!["allocate", "--total", "1", "--weights", "1", "-o", w],
    ];
    for args in &commands {
        check(&dir, args);
    }
}

#[test]
fn long_headers_and_fields_are_cut_in_errors() {
    let dir = temp_dir("long-files");
    let big = "x".repeat(1_000_000);
    let digits = "9".repeat(1_000_000);
    write(
        &dir,
        "header.csv",
        &format!("customer_id{big},order_id,order_date,amount\na,o1,2026-01-05,10\n"),
    );
    write(
        &dir,
        "amount.csv",
        &format!("customer_id,order_id,order_date,amount\na,o1,2026-01-05,{digits}\n"),
    );
    write(
        &dir,
        "date.csv",
        &format!("customer_id,order_id,order_date,amount\na,o1,{digits},10\n"),
    );
    write(
        &dir,
        "events.csv",
        &format!("entity_id{big},step,timestamp\nx,lead,2026-01-01\n"),
    );
    write(
        &dir,
        "times.csv",
        &format!("entity_id,step,timestamp\nx,lead,{digits}x\n"),
    );
    for file in ["header.csv", "amount.csv", "date.csv"] {
        check_short(&dir, &["rfm", file, "--as-of", "2026-02-01"]);
        check_short(&dir, &["cohort", file]);
        check_short(&dir, &["clv", file, "--calibration-end", "2026-01-31"]);
        check_short(&dir, &["report", file]);
    }
    check_short(
        &dir,
        &["funnel", "measure", "events.csv", "--steps", "lead"],
    );
    check_short(&dir, &["funnel", "measure", "times.csv", "--steps", "lead"]);
}
