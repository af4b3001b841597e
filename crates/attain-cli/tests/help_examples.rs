//! Every example shown in any `--help` runs as shown (issue 12: the help's own
//! `--step-windows -,7d,14d` was rejected).
//!
//! An example is a help line starting with `  $ attain ` (continued on the next line after a
//! trailing `\`). Each one runs with `sh -c`, exactly as printed (`attain` being the built
//! binary), in a fresh folder holding the bundled sample data: `data/` (the workspace's) and the
//! files of `crates/attain-cli/tests/data` (such as `events.csv`); it must exit 0.
#![cfg(all(
    unix,
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use common::{attain, repo_data, temp_dir, test_data};

/// The marker that starts an example line in `--help`.
const MARKER: &str = "  $ attain ";

/// Every subcommand path, the top level included.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["allocate"],
    &["plan"],
    &["funnel"],
    &["funnel", "plan"],
    &["funnel", "measure"],
    &["rfm"],
    &["segments"],
    &["cohort"],
    &["clv"],
    &["report"],
];

/// The example command lines of one help text, continuation lines joined.
fn examples(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = help.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix(MARKER) else {
            continue;
        };
        let mut command = format!("attain {}", rest.trim_end());
        while let Some(head) = command.strip_suffix('\\') {
            command = head.trim_end().to_owned();
            match lines.next() {
                Some(next) => {
                    command.push(' ');
                    command.push_str(next.trim());
                }
                None => break,
            }
        }
        // A line wrapped by clap (no trailing `\`) would run without its tail.
        if let Some(next) = lines.peek() {
            assert!(
                !next.trim_start().starts_with('-') || next.starts_with(MARKER),
                "`{command}` is wrapped onto `{next}`: shorten it or continue it with `\\`"
            );
        }
        out.push(command);
    }
    out
}

#[test]
fn examples_are_found_with_their_continuations() {
    let help = "Example:\n  $ attain clv a.csv \\\n    --model bgnbd\n  attain not-an-example\n  $ attain rfm x\n";
    assert_eq!(
        examples(help),
        ["attain clv a.csv --model bgnbd", "attain rfm x"]
    );
}

#[test]
fn every_help_example_runs_as_shown() {
    let dir = temp_dir("help-examples");
    std::os::unix::fs::symlink(fs::canonicalize(repo_data()).unwrap(), dir.join("data")).unwrap();
    for entry in fs::read_dir(test_data()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let mut ran = 0;
    let sql: &[&str] = &["sql"];
    let all = COMMANDS
        .iter()
        .copied()
        .chain(cfg!(feature = "sql").then_some(sql));
    for path in all {
        let mut args = path.to_vec();
        args.push("--help");
        let (code, help, err) = attain(&args);
        assert_eq!(code, 0, "{path:?}: {err}");
        let found = examples(&help);
        if !path.is_empty() {
            assert!(!found.is_empty(), "attain {path:?} --help shows no example");
        }
        for example in found {
            // Every example names its own subcommand (the parent `funnel` shows its children's).
            let named = format!("attain {}", path.join(" "));
            assert!(example.starts_with(named.trim_end()), "{path:?}: {example}");
            let script = format!("\"$ATTAIN\"{}", &example["attain".len()..]);
            let r = common::sh(&dir, &script);
            assert_eq!(r.code, 0, "`{example}` failed: {}", r.stderr);
            ran += 1;
        }
    }
    assert!(ran >= 12, "only {ran} examples found");
}
