//! Black-box tests of the `attain` binary: help, version, exit codes, one-line errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{attain, temp_dir};

#[test]
fn version_and_help() {
    let (code, out, _) = attain(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("attain {}", env!("CARGO_PKG_VERSION")));
    let (code, out, _) = attain(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("allocate"), "{out}");
}

#[test]
fn usage_error_exits_2() {
    let (code, _, err) = attain(&["allocate", "--bogus"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn allocate_sums_exactly() {
    let (code, out, err) = attain(&[
        "allocate",
        "--total",
        "100",
        "--weights",
        "a=1,b=1,c=1",
        "--currency",
        "USD",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "part,weight,amount\na,1,33.34\nb,1,33.33\nc,1,33.33\n");
}

#[test]
fn allocate_json() {
    let (code, out, _) = attain(&[
        "allocate",
        "--total",
        "12000000",
        "--weights",
        "new=40,repeat=60",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["parts"][0]["amount"], "4800000.00");
    assert_eq!(v["parts"][1]["amount"], "7200000.00");
}

#[test]
fn option_value_errors_are_one_line_and_exit_2() {
    for args in [
        &["allocate", "--total", "1x", "--weights", "1"][..],
        &["allocate", "--total", "10", "--weights", "0,0"][..],
        &["allocate", "--total", "10", "--weights", "1,-1"][..],
        &[
            "allocate",
            "--total",
            "10",
            "--weights",
            "1",
            "--currency",
            "usd",
        ][..],
    ] {
        let (code, out, err) = attain(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("attain: error: --"), "{err}");
    }
}

#[test]
fn output_file_is_written_atomically() {
    let dir = temp_dir("atomic");
    let path = dir.join("parts.csv");
    let (code, out, _) = attain(&[
        "allocate",
        "--total",
        "10",
        "--weights",
        "1,1",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "part,weight,amount\n1,1,5.00\n2,1,5.00\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
