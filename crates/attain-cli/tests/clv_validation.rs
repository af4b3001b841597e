//! `attain clv --holdout-end`, `--compare`, `--model mbgnbd` and `--model bgbb --period`, end to
//! end.
#![cfg(feature = "lifecycle")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::temp_dir;

fn attain_clv(input: &Path, args: &[&str]) -> Output {
    Command::new(common::BIN)
        .arg("clv")
        .arg(input)
        .args(args)
        .output()
        .unwrap()
}

/// `attain clv` on the CDNOW sample with its 39-week calibration and holdout, and `extra`.
fn cdnow_holdout(extra: &[&str]) -> Output {
    let mut args = vec![
        "--calibration-end",
        "1997-09-30",
        "--holdout-end",
        "1998-06-30",
    ];
    args.extend_from_slice(extra);
    attain_clv(&common::cdnow_csv(), &args)
}

fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn compare_ranks_three_models_on_the_cdnow_holdout() {
    let out = cdnow_holdout(&["--compare", "--format", "json"]);
    let doc = ok(&out);
    assert_eq!(doc["customers"], 2357);
    assert_eq!(f(&doc["holdout_length"]), 39.0);
    assert_eq!(doc["ranked_by"], "holdout mae");
    assert!(
        doc["likelihood_ratio_test"]
            .as_str()
            .unwrap()
            .starts_with("none")
    );
    let models = doc["models"].as_array().unwrap();
    let names: Vec<&str> = models
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["bg/nbd", "mbg/nbd", "pareto/nbd"]);
    // Ordered by holdout MAE, ranks 1..3 both ways.
    let mae: Vec<f64> = models.iter().map(|m| f(&m["errors"]["mae"])).collect();
    assert!(mae.windows(2).all(|w| w[0] <= w[1]), "{mae:?}");
    let mut bic_ranks: Vec<u64> = models
        .iter()
        .map(|m| m["rank_bic"].as_u64().unwrap())
        .collect();
    bic_ranks.sort_unstable();
    assert_eq!(bic_ranks, [1, 2, 3]);
    for m in models {
        // The same split: every model sees 1,882 holdout repeat days of 2,357 customers.
        assert_eq!(m["errors"]["actual_total"], 1882);
        assert_eq!(m["errors"]["customers"], 2357);
        // 78 weekly points ending at all 4,339 repeat days (2,457 + 1,882).
        let tracking = m["tracking"].as_array().unwrap();
        assert_eq!(tracking.len(), 78);
        assert_eq!(tracking[77]["actual"], 4339);
        assert_eq!(tracking[38]["actual"], 2457);
        assert_eq!(tracking[77]["end"], "1998-06-30");
        // Four parameters with standard errors and intervals around the estimate.
        let se = m["standard_errors"].as_array().unwrap();
        assert_eq!(se.len(), 4);
        for p in se {
            assert!(f(&p["low_95"]) < f(&p["estimate"]) && f(&p["estimate"]) < f(&p["high_95"]));
        }
        let ll = f(&m["log_likelihood"]);
        assert!((f(&m["aic"]) - (8.0 - 2.0 * ll)).abs() < 1e-6);
        assert!((f(&m["bic"]) - (4.0 * 2357_f64.ln() - 2.0 * ll)).abs() < 1e-6);
    }
    // Published log-likelihoods (FHL 2005): BG/NBD -9582.4, Pareto/NBD -9595.0.
    let ll = |name: &str| f(&models.iter().find(|m| m["model"] == name).unwrap()["log_likelihood"]);
    assert!((ll("bg/nbd") + 9582.4).abs() < 0.05);
    assert!((ll("pareto/nbd") + 9595.0).abs() < 0.05);
    // BG/NBD's published standard error of r (issue 14): 0.0126.
    let bg = models.iter().find(|m| m["model"] == "bg/nbd").unwrap();
    let r = bg["standard_errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["parameter"] == "r")
        .unwrap();
    assert!((f(&r["standard_error"]) - 0.0126).abs() < 5e-4);
    for m in models {
        // 1,411 customers without a repeat purchase (as lifetimes' calibration_and_holdout_data
        // counts them); each model's expected histogram sums to the cohort, and its 0 bar is
        // within 6% of the actual.
        let hist = m["calibration_histogram"].as_array().unwrap();
        assert_eq!(hist[0]["customers"], 1411);
        let customers: u64 = hist.iter().map(|b| b["customers"].as_u64().unwrap()).sum();
        assert_eq!(customers, 2357);
        let expected: f64 = hist.iter().map(|b| f(&b["expected"])).sum();
        assert!(
            (expected - 2357.0).abs() < 1e-3,
            "{}: {expected}",
            m["model"]
        );
        assert!(
            (f(&hist[0]["expected"]) / 1411.0 - 1.0).abs() < 0.06,
            "{}",
            m["model"]
        );
    }
}

#[test]
fn holdout_csv_has_four_sections_and_parameters_on_stderr() {
    let out = cdnow_holdout(&["--model", "mbgnbd"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let sections: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(sections.len(), 4, "{text}");
    assert!(sections[0].starts_with("# models"));
    assert!(
        sections[0]
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("1,mbg/nbd,2357,1882,")
    );
    assert!(sections[1].starts_with("# tracking"));
    assert_eq!(sections[1].lines().count(), 2 + 78);
    assert!(sections[2].starts_with("# calibration histogram"));
    assert!(sections[3].starts_with("# holdout by calibration frequency"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    // MBG/NBD's published-software estimates (issue 14): r 0.525, alpha 6.183, a 0.891, b 1.614.
    assert!(stderr.contains("mbg/nbd {\"a\":0.891"), "{stderr}");
    assert!(stderr.contains("a 0.8914 (se 0.15"), "{stderr}");
}

#[test]
fn holdout_errors_are_usage_errors() {
    let out = attain_clv(
        &common::cdnow_csv(),
        &[
            "--calibration-end",
            "1997-09-30",
            "--holdout-end",
            "1997-09-01",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = attain_clv(
        &common::cdnow_csv(),
        &["--calibration-end", "1997-09-30", "--compare"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = cdnow_holdout(&["--spend", "gamma-gamma"]);
    assert_eq!(out.status.code(), Some(2));
    let out = cdnow_holdout(&["--model", "bgbb", "--compare"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// FHS 2010's donations table as a transaction log: per pattern `(x, t_x, 6, count)`, `count`
/// donors acquired in 1995 who gave in the years 1..x−1 after it and in year t_x.
fn donations_log(dir: &Path) -> std::path::PathBuf {
    let table = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/donations.csv"),
    )
    .unwrap();
    let mut log = String::from("customer_id,order_date,amount\n");
    let mut id = 0;
    for line in table.lines().skip(1) {
        let cols: Vec<u32> = line.split(',').map(|c| c.parse().unwrap()).collect();
        let [x, t_x, _, count] = cols[..] else {
            panic!("{line}")
        };
        for _ in 0..count {
            id += 1;
            log.push_str(&format!("d{id},1995-06-01,10\n"));
            let mut years: Vec<u32> = (1..x).collect();
            if x > 0 {
                years.push(t_x);
            }
            for y in years {
                log.push_str(&format!("d{id},{}-03-15,10\n", 1995 + y));
            }
        }
    }
    let path = dir.join("donations_log.csv");
    std::fs::write(&path, log).unwrap();
    path
}

#[test]
fn bgbb_by_year_reproduces_fhs_2010_from_a_log() {
    let dir = temp_dir("bgbb-years");
    let log = donations_log(&dir);
    let out = attain_clv(
        &log,
        &[
            "--calibration-end",
            "2001-12-31",
            "--model",
            "bgbb",
            "--period",
            "year",
            "--format",
            "json",
        ],
    );
    let doc = ok(&out);
    assert_eq!(doc["customers"].as_array().unwrap().len(), 11_104);
    let p = &doc["parameters"];
    // FHS 2010: alpha 1.204, beta 0.750, gamma 0.657, delta 2.783.
    for (name, want) in [
        ("alpha", 1.204),
        ("beta", 0.750),
        ("gamma", 0.657),
        ("delta", 2.783),
    ] {
        assert!((f(&p[name]) - want).abs() < 2e-3, "{name}: {}", p[name]);
    }
    // FHS 2010 Table 6, P(alive in 2002): 0.11, 0.59, 0.93 for (x, t_x) = (0,0), (2,4), (6,6).
    let customers = doc["customers"].as_array().unwrap();
    for ((x, t_x), want) in [((0, 0), 0.11), ((2, 4), 0.59), ((6, 6), 0.93)] {
        let c = customers
            .iter()
            .find(|c| c["x"] == x && c["t_x"] == t_x)
            .unwrap();
        assert_eq!(c["n"], 6);
        assert!((f(&c["p_alive"]) - want).abs() < 0.005, "{c}");
    }
    assert_eq!(doc["standard_errors"].as_array().unwrap().len(), 4);
}

#[test]
fn bgbb_holdout_counts_whole_periods() {
    let dir = temp_dir("bgbb-holdout");
    let log = donations_log(&dir);
    // Calibration 1995..=1999 (n = 4 for everyone), holdout 2000..=2001.
    let out = attain_clv(
        &log,
        &[
            "--calibration-end",
            "1999-12-31",
            "--holdout-end",
            "2001-12-31",
            "--model",
            "bgbb",
            "--format",
            "json",
        ],
    );
    let doc = ok(&out);
    assert_eq!(f(&doc["holdout_length"]), 2.0);
    let m = &doc["models"][0];
    assert_eq!(m["model"], "bg/bb");
    // Holdout actual: donors' distinct years 2000 and 2001 with a gift, counted from the table.
    let tracking = m["tracking"].as_array().unwrap();
    assert_eq!(tracking.len(), 7); // 1995..=2001
    let total_repeats = tracking[6]["actual"].as_u64().unwrap();
    let calibration_repeats = tracking[4]["actual"].as_u64().unwrap();
    assert_eq!(
        m["errors"]["actual_total"].as_u64().unwrap(),
        total_repeats - calibration_repeats
    );
    let hist = m["calibration_histogram"].as_array().unwrap();
    let model_total: f64 = hist.iter().map(|b| f(&b["expected"])).sum();
    assert!((model_total - 11_104.0).abs() < 1e-6);
    // Mid-year ends are refused: BG/BB counts whole periods.
    let out = attain_clv(
        &log,
        &["--calibration-end", "1999-06-30", "--model", "bgbb"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the last day"));
}

/// BG/BB with `--interval-draws`: per-donor intervals of expected transactions and the
/// cohort's total, whose estimate is the sum of the donors' (FHS 2010's donations).
#[test]
fn bgbb_interval_draws_total_the_cohort() {
    let dir = temp_dir("bgbb-intervals");
    let log = donations_log(&dir);
    let run = |seed: &str| {
        // Same seed, same bytes is checked on the CDNOW sample in tests/clv.rs.
        ok(&attain_clv(
            &log,
            &[
                "--calibration-end",
                "2001-12-31",
                "--model",
                "bgbb",
                "--interval-draws",
                "20",
                "--seed",
                seed,
                "--format",
                "json",
            ],
        ))
    };
    let doc = run("3");
    let customers = doc["customers"].as_array().unwrap();
    let mut sum = 0.0;
    for c in customers {
        let i = &c["expected_transactions_interval"];
        assert_eq!(f(&i["estimate"]), f(&c["expected_transactions"]));
        assert!(f(&i["lower"]) <= f(&i["upper"]));
        sum += f(&c["expected_transactions"]);
    }
    let total = &doc["intervals"]["expected_transactions_total"];
    assert!((f(&total["estimate"]) - sum).abs() <= 1e-9 * sum);
    assert!(f(&total["lower"]) < sum && sum < f(&total["upper"]));
    assert_eq!(total["draws"], 20);
}
