//! `attain clv` end to end on small files in a temporary folder.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::PathBuf;
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("attain-clv-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small log: six customers, some repeat buyers, over ten weeks.
fn small_log() -> String {
    let mut s = String::from("customer_id,order_id,order_date,amount\n");
    let rows = [
        ("a", "2024-01-01", "10.00"),
        ("a", "2024-01-15", "12.00"),
        ("a", "2024-02-20", "8.00"),
        ("b", "2024-01-03", "30.00"),
        ("c", "2024-01-05", "5.00"),
        ("c", "2024-01-05", "5.00"),
        ("c", "2024-03-01", "7.50"),
        ("d", "2024-01-10", "20.00"),
        ("d", "2024-01-24", "25.00"),
        ("e", "2024-01-12", "9.99"),
        ("f", "2024-01-02", "14.00"),
        ("f", "2024-02-01", "16.00"),
        ("f", "2024-03-04", "12.00"),
        ("g", "2024-01-20", "11.00"),
    ];
    for (i, (c, d, a)) in rows.iter().enumerate() {
        s.push_str(&format!("{c},o{i},{d},{a}\n"));
    }
    s
}

#[test]
fn clv_csv_and_json() {
    let dir = temp_dir("ok");
    let input = dir.join("log.csv");
    std::fs::write(&input, small_log()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args([
            "clv",
            input.to_str().unwrap(),
            "--calibration-end",
            "2024-03-10",
            "--horizon",
            "13w",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "customer_id,x,t_x,T,p_alive,expected_purchases"
    );
    // Customer c bought twice on 2024-01-05 (merged) and on 2024-03-01: x = 1.
    let c: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("c,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(c[1], "1");
    assert!(String::from_utf8_lossy(&out.stderr).contains("log-likelihood"));

    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args([
            "clv",
            input.to_str().unwrap(),
            "--calibration-end",
            "2024-03-10",
            "--model",
            "pareto-nbd",
        ])
        .args([
            "--spend",
            "gamma-gamma",
            "--discount",
            "0.01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["model"], "pareto/nbd");
    assert!(doc["log_likelihood"].as_f64().unwrap().is_finite());
    assert_eq!(doc["customers"].as_array().unwrap().len(), 7);
    for c in doc["customers"].as_array().unwrap() {
        let p = c["p_alive"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(c["clv"].as_f64().unwrap() >= 0.0);
    }
}

#[test]
fn clv_errors_name_file_line_and_column() {
    let dir = temp_dir("bad");
    let input = dir.join("bad.csv");
    std::fs::write(
        &input,
        "customer_id,order_id,order_date,amount\na,o1,2024-01-01,10\na,o2,2024-13-01,5\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args([
            "clv",
            input.to_str().unwrap(),
            "--calibration-end",
            "2024-03-10",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:3") && err.contains("order_date"),
        "{err}"
    );

    // Nobody repeats: a typed, one-line error.
    std::fs::write(&input, "id,day,value\na,2024-01-01,10\nb,2024-01-02,5\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args([
            "clv",
            input.to_str().unwrap(),
            "--calibration-end",
            "2024-03-10",
        ])
        .args([
            "--customer-column",
            "id",
            "--date-column",
            "day",
            "--amount-column",
            "value",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not identifiable") && err.contains("repeat"),
        "{err}"
    );
}
