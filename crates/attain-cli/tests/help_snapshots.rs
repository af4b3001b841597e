//! Snapshot tests of every subcommand's `--help` and of a few error messages, with `insta`:
//! one `tests/snapshots/<name>.snap` file each.
//!
//! A mismatch fails the test. Locally insta also writes the new output next to the old one as
//! `<name>.snap.new`; review it with `cargo insta review` (or accept every change with
//! `INSTA_UPDATE=always cargo test -p attain-cli --test help_snapshots`) and check the diff of
//! `crates/attain-cli/tests/snapshots/` before committing. CI runs with `INSTA_UPDATE=no`
//! (`.ci/run`): nothing is written there, and a missing snapshot fails too.
//!
//! Each error snapshot holds the exit code on its first line (`exit 2`: usage error from clap;
//! `exit 1`: data error, one line naming file, line and column), then stderr.
//!
//! The snapshots are of the full CLI, so the file runs only with every feature on (`sql` and
//! `ballista` included: the README's test command builds with `--all-features`).
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle",
    feature = "sql",
    feature = "ballista"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

mod common;

/// Compares `actual` with the snapshot `tests/snapshots/<name>.snap`.
fn check(name: &str, actual: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, actual));
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
    help(&[], "help_attain");
    help(&["allocate"], "help_allocate");
    help(&["plan"], "help_plan");
    help(&["funnel"], "help_funnel");
    help(&["funnel", "plan"], "help_funnel_plan");
    help(&["funnel", "measure"], "help_funnel_measure");
    help(&["cohort"], "help_cohort");
    help(&["clv"], "help_clv");
    help(&["report"], "help_report");
    help(&["sql"], "help_sql");
}

/// `attain rfm` in its own test: the last module to settle (review its snapshots after a
/// change to its options).
#[test]
fn help_text_rfm() {
    help(&["rfm"], "help_rfm");
    let dir = fixtures();
    error(
        &dir,
        &["rfm", "bad_date.csv", "--as-of", "2025-02-01"],
        "error_rfm_bad_date",
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
    error(&dir, &["report"], "error_report_no_input");
    error(&dir, &["plan", "--target", "100"], "error_plan_no_year");
    error(
        &dir,
        &["cohort", "x.csv", "--by", "fortnight"],
        "error_cohort_bad_by",
    );
    // Data errors (exit 1, one line naming file, line and column).
    error(&dir, &["report", "bad_date.csv"], "error_report_bad_date");
    error(
        &dir,
        &["report", "bad_amount.csv"],
        "error_report_bad_amount",
    );
    error(
        &dir,
        &["report", "no_customer.csv"],
        "error_report_no_column",
    );
    error(&dir, &["cohort", "bad_date.csv"], "error_cohort_bad_date");
    error(
        &dir,
        &["clv", "bad_amount.csv", "--calibration-end", "2025-01-31"],
        "error_clv_bad_amount",
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
        "error_funnel_measure_bad_timestamp",
    );
    error(
        &dir,
        &["plan", "--target", "12x", "--year", "2026"],
        "error_plan_bad_target",
    );
    error(
        &dir,
        &["report", "missing.csv"],
        "error_report_missing_file",
    );
}
