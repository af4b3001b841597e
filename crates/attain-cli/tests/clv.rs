//! `attain clv` end to end on small files in a temporary folder.
#![cfg(feature = "lifecycle")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::process::Command;

mod common;

use common::temp_dir;

/// The repository's CDNOW sample in attain's transaction layout (data/README.md).
fn cdnow_csv() -> String {
    common::cdnow_csv().display().to_string()
}

#[test]
fn clv_bgnbd_csv_reproduces_the_published_fit() {
    let out = Command::new(common::BIN)
        .args(["clv", &cdnow_csv(), "--calibration-end", "1997-09-30"])
        .args(["--model", "bgnbd", "--horizon", "39w"])
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
    assert_eq!(lines.count(), 2357);
    // Customer 00004: x = 2, t_x = 213/7, T = 272/7 weeks.
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(first[..2], ["00004", "2"]);
    // Parameters and log-likelihood on stderr (Fader, Hardie & Lee 2005: LL -9582.4).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("log-likelihood -9582.4"), "{stderr}");
}

#[test]
fn clv_pareto_json_with_spend() {
    let dir = temp_dir("json");
    let output = dir.join("clv.json");
    let out = Command::new(common::BIN)
        .args(["clv", &cdnow_csv(), "--calibration-end", "1997-09-30"])
        .args([
            "--model",
            "pareto-nbd",
            "--horizon",
            "12m",
            "--spend",
            "gamma-gamma",
        ])
        .args([
            "--discount",
            "0.01",
            "--format",
            "json",
            "-o",
            output.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(doc["model"], "pareto/nbd");
    assert!((doc["log_likelihood"].as_f64().unwrap() + 9595.0).abs() < 0.1);
    assert!((doc["spend"]["parameters"]["p"].as_f64().unwrap() - 6.25).abs() < 5e-3);
    let customers = doc["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 2357);
    for c in customers {
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
    let out = Command::new(common::BIN)
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
    let out = Command::new(common::BIN)
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
