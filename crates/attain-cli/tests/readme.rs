//! Keeps the README's tour true: every `$ attain ...` command in a ```console block of the
//! workspace README is run from the workspace root, and its standard output must equal the
//! lines shown under it (a last line `...` means "the output starts with these lines").
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

mod common;

struct Example {
    command: String,
    expected: Vec<String>,
    prefix_only: bool,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                command: cmd.to_owned(),
                expected: Vec::new(),
                prefix_only: false,
            });
        } else if let Some(ex) = out.last_mut() {
            if line == "..." {
                ex.prefix_only = true;
            } else {
                ex.expected.push(line.to_owned());
            }
        }
    }
    out
}

#[test]
fn readme_tour_outputs_are_true() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 5,
        "the README tour has {} commands",
        examples.len()
    );
    for ex in &examples {
        let mut words = ex.command.split_whitespace();
        assert_eq!(words.next(), Some("attain"), "{}", ex.command);
        let out = Command::new(common::BIN)
            .args(words)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            ex.command,
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let actual: Vec<&str> = stdout.lines().collect();
        let shown: Vec<&str> = ex.expected.iter().map(String::as_str).collect();
        if ex.prefix_only {
            assert!(
                actual.len() > shown.len(),
                "{}: output shorter than shown",
                ex.command
            );
            assert_eq!(&actual[..shown.len()], &shown[..], "{}", ex.command);
        } else {
            assert_eq!(actual, shown, "{}", ex.command);
        }
    }
}
