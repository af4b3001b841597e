//! Helpers shared by the CLI tests: run the built `attain`, make temporary folders, find the
//! bundled sample data. Each test file uses a part of them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `attain` binary.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_attain");

/// One run's exit code (-1 when killed by a signal), standard output and standard error.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A command running `attain` with `args`, with a fixed environment (no terminal width, no
/// colour).
pub(crate) fn command(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).env_remove("COLUMNS").env("NO_COLOR", "1");
    c
}

/// Runs `attain` with `args`: (exit code, stdout, stderr).
pub(crate) fn attain(args: &[&str]) -> (i32, String, String) {
    let r = run(command(args));
    (r.code, r.stdout, r.stderr)
}

/// Runs `attain` with `args` in the folder `dir`.
pub(crate) fn attain_in(dir: &Path, args: &[&str]) -> Run {
    let mut c = command(args);
    c.current_dir(dir);
    run(c)
}

/// Runs a prepared command to completion.
pub(crate) fn run(mut c: Command) -> Run {
    c.output().expect("cannot run attain").into()
}

/// Runs `script` with `sh -c`, where `$ATTAIN` is the built binary.
pub(crate) fn sh(dir: &Path, script: &str) -> Run {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("ATTAIN", BIN)
        .current_dir(dir)
        .output()
        .expect("cannot run sh")
        .into()
}

/// A fresh, empty folder, its name made of `name` and a number unique within the test binary
/// (so that tests running in parallel never share one).
pub(crate) fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "attain-cli-{}-{name}-{}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `name` in `dir` and returns its path.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The repository's `data/` folder (the CDNOW sample, data/README.md).
pub(crate) fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The repository's CDNOW sample in attain's transaction layout.
pub(crate) fn cdnow_csv() -> PathBuf {
    repo_data().join("cdnow_transactions.csv")
}

/// This crate's test data folder (`tests/data`).
pub(crate) fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The names in `dir` that look like `-o`'s temporary files (`.NAME.<pid>.tmp`).
pub(crate) fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}
