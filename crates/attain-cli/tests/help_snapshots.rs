//! Snapshot tests of every subcommand's `--help` and of a few error messages, compared as
//! plain strings with the files in `tests/snapshots/`.
//!
//! To update after an intended change, run
//! `UPDATE_SNAPSHOTS=1 cargo test -p attain-cli --test help_snapshots` and review the diff
//! of `crates/attain-cli/tests/snapshots/` before committing.
//!
//! Each error snapshot holds the exit code on its first line (`exit 2`: usage error from clap;
//! `exit 1`: data error, one line naming file, line and column), then stderr.
//!
//! The snapshots are of the full CLI, so the file runs only with every feature on.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

mod common;

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares `actual` with the snapshot `name`, or rewrites it with `UPDATE_SNAPSHOTS=1`.
fn check(name: &str, actual: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(snapshot_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "snapshot {name} differs (UPDATE_SNAPSHOTS=1 rewrites it).\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

/// Runs `attain` in `dir` with a fixed environment: (exit code, stdout, stderr).
fn attain(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let r = common::attain_in(dir, args);
    (r.code, r.stdout, r.stderr)
}

fn help(args: &[&str], name: &str) {
    let mut all = args.to_vec();
    all.push("--help");
    let (code, out, err) = attain(Path::new(env!("CARGO_MANIFEST_DIR")), &all);
    assert_eq!(code, 0, "{err}");
    // Every subcommand's help shows an example.
    if !args.is_empty() && args != ["funnel"] {
        assert!(out.contains("Example"), "{name}: no example in --help");
    }
    check(name, &out);
}

#[test]
fn help_texts() {
    help(&[], "help_attain.txt");
    help(&["allocate"], "help_allocate.txt");
    help(&["plan"], "help_plan.txt");
    help(&["funnel"], "help_funnel.txt");
    help(&["funnel", "plan"], "help_funnel_plan.txt");
    help(&["funnel", "measure"], "help_funnel_measure.txt");
    help(&["cohort"], "help_cohort.txt");
    help(&["clv"], "help_clv.txt");
    help(&["report"], "help_report.txt");
}

/// `attain rfm` in its own test: the last module to settle (regenerate with
/// `UPDATE_SNAPSHOTS=1` after a change to its options).
#[test]
fn help_text_rfm() {
    help(&["rfm"], "help_rfm.txt");
    let dir = fixtures();
    error(
        &dir,
        &["rfm", "bad_date.csv", "--as-of", "2025-02-01"],
        "error_rfm_bad_date.txt",
    );
}

/// A temp folder with small input files, so messages name short relative paths.
fn fixtures() -> PathBuf {
    let dir = common::temp_dir("fixtures");
    std::fs::write(
        dir.join("bad_date.csv"),
        "customer_id,order_id,order_date,amount\na,1,2025-01-05,10.00\nb,2,2025-13-01,1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad_amount.csv"),
        "customer_id,order_id,order_date,amount\na,1,2025-01-05,10.00\nb,2,2025-01-06,1.2.3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("no_customer.csv"),
        "client,order_id,order_date,amount\na,1,2025-01-05,10.00\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad_events.csv"),
        "entity_id,step,timestamp\na,lead,2025-01-05\na,visit,2025-99-01\n",
    )
    .unwrap();
    dir
}

fn error(dir: &Path, args: &[&str], name: &str) {
    let (code, out, err) = attain(dir, args);
    assert!(out.is_empty(), "{name}: stdout on error: {out}");
    assert!(code == 1 || code == 2, "{name}: exit {code}");
    if code == 1 {
        assert_eq!(
            err.lines().count(),
            1,
            "{name}: a data error is one line: {err}"
        );
    }
    check(name, &format!("exit {code}\n{err}"));
}

#[test]
fn error_messages() {
    let dir = fixtures();
    // Usage errors (clap, exit 2).
    error(&dir, &["report"], "error_report_no_input.txt");
    error(&dir, &["plan", "--target", "100"], "error_plan_no_year.txt");
    error(
        &dir,
        &["cohort", "x.csv", "--by", "fortnight"],
        "error_cohort_bad_by.txt",
    );
    // Data errors (exit 1, one line naming file, line and column).
    error(
        &dir,
        &["report", "bad_date.csv"],
        "error_report_bad_date.txt",
    );
    error(
        &dir,
        &["report", "bad_amount.csv"],
        "error_report_bad_amount.txt",
    );
    error(
        &dir,
        &["report", "no_customer.csv"],
        "error_report_no_column.txt",
    );
    error(
        &dir,
        &["cohort", "bad_date.csv"],
        "error_cohort_bad_date.txt",
    );
    error(
        &dir,
        &["clv", "bad_amount.csv", "--calibration-end", "2025-01-31"],
        "error_clv_bad_amount.txt",
    );
    error(
        &dir,
        &[
            "funnel",
            "measure",
            "bad_events.csv",
            "--steps",
            "lead,visit",
        ],
        "error_funnel_measure_bad_timestamp.txt",
    );
    error(
        &dir,
        &["plan", "--target", "12x", "--year", "2026"],
        "error_plan_bad_target.txt",
    );
    error(
        &dir,
        &["report", "missing.csv"],
        "error_report_missing_file.txt",
    );
}
