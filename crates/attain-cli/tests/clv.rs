//! `attain clv` end to end on small files in a temporary folder.
#![cfg(feature = "lifecycle")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::PathBuf;
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

/// Runs `attain clv` on `input` with `args`, expecting success.
fn clv(input: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args([
            "clv",
            input.to_str().unwrap(),
            "--calibration-end",
            "1997-09-30",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The CDNOW sample plus the given rows, in a temporary file.
fn cdnow_with(name: &str, extra_rows: &str) -> PathBuf {
    let dir = temp_dir(name);
    let input = dir.join("log.csv");
    let mut text = std::fs::read_to_string(cdnow_csv()).unwrap();
    text.push_str(extra_rows);
    std::fs::write(&input, text).unwrap();
    input
}

#[test]
fn clv_json_mean_repeat_spend_is_exact() {
    // Repeat spends 0.10, 0.20, 0.30: f64 gives 0.19999999999999998; the exact mean is 0.2.
    let input = cdnow_with(
        "exact",
        "zz-exact,X1,1997-01-01,5.00\nzz-exact,X2,1997-02-01,0.10\nzz-exact,X3,1997-03-01,0.20\nzz-exact,X4,1997-04-01,0.30\n",
    );
    let out = clv(&input, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let customers = doc["customers"].as_array().unwrap();
    let exact = customers
        .iter()
        .find(|c| c["customer_id"] == "zz-exact")
        .unwrap();
    assert_eq!(exact["x"], 3);
    assert_eq!(exact["mean_repeat_spend"], "0.2");
    // Customer 00004: (29.73 + 14.96) / 2.
    assert_eq!(customers[0]["mean_repeat_spend"], "22.345");
}

#[test]
fn clv_and_report_leave_out_non_positive_repeat_spend() {
    // Two repeat buyers whose repeat days sum to zero or less: left out of the Gamma-Gamma fit,
    // counted, without a spend prediction; every other customer is scored as before.
    let input = cdnow_with(
        "refunds",
        "zz-neg,R1,1997-01-01,10.00\nzz-neg,R2,1997-02-01,-5.00\nzz-zero,Z1,1997-01-05,8.00\nzz-zero,Z2,1997-03-01,0\n",
    );
    let run = |format: &str| clv(&input, &["--spend", "gamma-gamma", "--format", format]);
    let out = run("json");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["spend"]["excluded_non_positive_spend"], 2);
    assert_eq!(doc["spend"]["repeat_buyers_fitted"], 946);
    assert!((doc["spend"]["parameters"]["p"].as_f64().unwrap() - 6.25).abs() < 5e-3);
    let customers = doc["customers"].as_array().unwrap();
    for id in ["zz-neg", "zz-zero"] {
        let c = customers.iter().find(|c| c["customer_id"] == id).unwrap();
        assert!(c["expected_spend"].is_null() && c["clv"].is_null(), "{c}");
        assert!(c["p_alive"].as_f64().is_some());
    }
    assert_eq!(customers.iter().filter(|c| c["clv"].is_null()).count(), 2);

    let out = run("csv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 repeat buyers with a non-positive mean repeat spend left out"),
        "{stderr}"
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let neg = csv.lines().find(|l| l.starts_with("zz-neg,")).unwrap();
    assert!(neg.ends_with(",,"), "{neg}");

    // The report on the same file exits 0 and says what it left out.
    let html = input.with_extension("html");
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args([
            "report",
            input.to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("2 repeat buyers with a zero or negative mean repeat spend are left out")
    );
}

#[test]
fn clv_refuses_absurd_horizons_and_a_century_is_quick() {
    // `--horizon=1e300w` ended in a 2F1 series error; now a clear message about the maximum.
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(["clv", &cdnow_csv(), "--calibration-end", "1997-09-30"])
        .args(["--spend", "gamma-gamma", "--horizon=1e300w"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--horizon") && err.contains("longer than the maximum of 36525 days"),
        "{err}"
    );
    // The longest horizon allowed, with the spend model, on all 2,357 customers: the monthly
    // discounting sweep is linear in the months (2000w took 20 s before; a century is 5,218w).
    let start = std::time::Instant::now();
    let out = clv(
        std::path::Path::new(&cdnow_csv()),
        &[
            "--spend",
            "gamma-gamma",
            "--horizon",
            "1200m",
            "--format",
            "json",
        ],
    );
    let elapsed = start.elapsed();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let customers = doc["customers"].as_array().unwrap();
    assert!(customers.iter().all(|c| c["clv"].as_f64().unwrap() >= 0.0));
    assert!(elapsed.as_secs() < 120, "{elapsed:?}");
}

/// `--interval-draws`: seeded (the same seed, the same bytes), every interval holds its
/// estimate's neighbourhood, the cohort total's estimate is the sum of the customers', and
/// its interval comes from the per-draw totals (narrower than the sum of the bounds).
#[test]
fn clv_interval_draws_are_seeded_and_total_the_cohort() {
    let input = PathBuf::from(cdnow_csv());
    let args = |seed: &str| {
        let run = clv(
            &input,
            &[
                "--spend",
                "gamma-gamma",
                "--interval-draws",
                "60",
                "--seed",
                seed,
                "--format",
                "json",
            ],
        );
        String::from_utf8(run.stdout).unwrap()
    };
    let (a, b, c) = (args("5"), args("5"), args("6"));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let doc: serde_json::Value = serde_json::from_str(&a).unwrap();
    let customers = doc["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 2357);
    let (mut sum, mut sum_lower, mut sum_upper) = (0.0, 0.0, 0.0);
    for c in customers {
        let e = c["expected_purchases"].as_f64().unwrap();
        let i = &c["expected_purchases_interval"];
        assert_eq!(i["estimate"].as_f64().unwrap(), e);
        let (lower, upper) = (i["lower"].as_f64().unwrap(), i["upper"].as_f64().unwrap());
        assert!(0.0 <= lower && lower <= upper, "{c}");
        assert_eq!(i["draws"], 60);
        sum += e;
        sum_lower += lower;
        sum_upper += upper;
        let clv = c["clv"].as_f64().unwrap();
        let ci = &c["clv_interval"];
        assert_eq!(ci["estimate"].as_f64().unwrap(), clv);
        assert!(ci["lower"].as_f64().unwrap() <= ci["upper"].as_f64().unwrap());
    }
    let intervals = &doc["intervals"];
    assert_eq!(intervals["level"], 0.95);
    assert_eq!(intervals["seed"], 5);
    assert!(
        intervals["covers"]
            .as_str()
            .unwrap()
            .contains("not a customer's own randomness")
    );
    let total = &intervals["expected_purchases_total"];
    let estimate = total["estimate"].as_f64().unwrap();
    assert!((estimate - sum).abs() <= 1e-9 * sum, "{estimate} vs {sum}");
    let (lower, upper) = (
        total["lower"].as_f64().unwrap(),
        total["upper"].as_f64().unwrap(),
    );
    assert!(lower < estimate && estimate < upper);
    assert!(
        sum_lower <= lower && upper <= sum_upper,
        "{sum_lower} {lower} {upper} {sum_upper}"
    );
    assert!(intervals["clv_total"]["lower"].as_f64().unwrap() > 0.0);
}

#[test]
fn clv_interval_draws_csv_columns_and_bounds() {
    let input = PathBuf::from(cdnow_csv());
    let out = clv(&input, &["--model", "pareto-nbd", "--interval-draws", "20"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "customer_id,x,t_x,T,p_alive,expected_purchases,expected_purchases_lower,expected_purchases_upper"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("95% intervals from 20 parameter draws (seed 0)"),
        "{stderr}"
    );
    assert!(stderr.contains("cohort expected purchases"), "{stderr}");
    // Too many draws for the bound on the work, a level outside (0, 1), and a holdout: refused.
    for (args, message) in [
        (
            &["--spend", "gamma-gamma", "--interval-draws", "100000"][..],
            "above the bound",
        ),
        (
            &["--interval-draws", "10", "--interval-level", "1.5"][..],
            "--interval-level",
        ),
        (
            &["--interval-draws", "10", "--holdout-end", "1997-12-31"][..],
            "cannot be used",
        ),
    ] {
        let out = Command::new(common::BIN)
            .args([
                "clv",
                input.to_str().unwrap(),
                "--calibration-end",
                "1997-09-30",
            ])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
