//! `attain funnel plan|measure` run on the real binary.
#![cfg(feature = "funnel")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Output;

mod common;

use common::{temp_dir, write};

fn attain(args: &[&str]) -> Output {
    common::command(args).output().unwrap()
}

fn temp_file(name: &str, body: &str) -> PathBuf {
    write(&temp_dir(name), name, body)
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn plan_weekly_strict_and_tolerant() {
    // METHOD.md 1.2: strict 4 deals -> 20 prospects -> 200 leads; tolerant 3 -> 15 -> 150.
    let o = attain(&[
        "funnel",
        "plan",
        "--target",
        "250000",
        "--deal-size",
        "83333.33",
        "--stages",
        "lead:0.1,prospect:0.2",
    ]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "stage,rate,entries,needed_outputs,expected_outputs,hit_probability,entries_for_confidence"
    );
    assert!(lines[1].starts_with("lead,0.1,200,20,20,"), "{}", lines[1]);
    assert!(lines[3].starts_with("deal,,4,"), "{}", lines[3]);
    let o = attain(&[
        "funnel",
        "plan",
        "--target",
        "250000",
        "--deal-size",
        "83333.33",
        "--stages",
        "lead:10%,prospect:20%",
        "--tolerance",
    ]);
    let out = stdout(&o);
    // 15 prospects at 20% hit 3 deals with P = 0.6020; 25 prospects give 90%.
    assert!(out.contains("prospect,0.2,15,3,3,0.6020,25"), "{out}");
    assert!(out.contains("lead,0.1,150,15,15,0.5791,265"), "{out}");
}

#[test]
fn plan_json_reports_rounding() {
    let o = attain(&[
        "funnel",
        "plan",
        "--deals",
        "1",
        "--deal-size",
        "10",
        "--stages",
        "a:0.3,b:0.3",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Every stage: ceil(1/0.3) = 4, ceil(4/0.3) = 14; once at top: ceil(1/0.09) = 12.
    assert_eq!(v["rounding"]["every_stage"]["top_entries"], 14);
    assert_eq!(v["rounding"]["once_at_top"]["top_entries"], 12);
    assert_eq!(v["stages"][2]["rate"], serde_json::Value::Null);
}

#[test]
fn plan_usage_and_data_errors() {
    let o = attain(&[
        "funnel",
        "plan",
        "--target",
        "1",
        "--deal-size",
        "1",
        "--stages",
        "lead:150%",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--stages item 1"), "{err}");
    let o = attain(&["funnel", "plan", "--deal-size", "1", "--stages", "lead:0.1"]);
    assert_eq!(o.status.code(), Some(2)); // neither --target nor --deals
}

const EVENTS: &str = "entity_id,step,timestamp,channel
u1,lead,2026-01-01,web
u1,visit,2026-01-05T10:00:00Z,web
u2,lead,2026-01-02,ads
u1,deal,2026-01-20,web
u3,visit,2026-01-03,ads
u2,visit,2026-03-01,ads
u4,lead,2026-01-01T05:30:00+05:30,ads
u4,visit,2026-01-01T00:00:00Z,ads
";

#[test]
fn measure_csv_and_breakdown() {
    // u1 converts fully; u2's visit is outside 30 days; u3 has no lead; u4's lead and visit
    // share a timestamp (converts unless --strict). reached: lead 3, visit 2, deal 1.
    let path = temp_file("events.csv", EVENTS);
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead,visit,deal",
        "--window",
        "30d",
    ]);
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let reached: Vec<&str> = rows.iter().map(|r| r[3]).collect();
    assert_eq!(reached, ["3", "2", "1"], "{out}");
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead,visit,deal",
        "--window",
        "30d",
        "--strict",
    ]);
    let out = stdout(&o);
    let reached: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(reached, ["3", "1", "1"], "{out}");
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead,visit,deal",
        "--window",
        "30d",
        "--breakdown",
        "channel",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["total"]["entities"], 4);
    assert_eq!(v["groups"][0]["group"], "web");
    assert_eq!(v["groups"][0]["funnel"]["steps"][2]["reached"], 1);
    assert_eq!(v["groups"][1]["group"], "ads");
    assert_eq!(v["groups"][1]["funnel"]["steps"][1]["reached"], 1);
}

/// Issue 12: a bare number is not read as epoch seconds unless `--time-format` says so, and
/// `funnel measure` and `report --funnel-events` honour offsets alike (see tests/report.rs).
#[test]
fn event_times_follow_the_shared_grammar() {
    let path = temp_file(
        "epoch.csv",
        "entity_id,step,timestamp\nx,lead,20260115\nx,visit,20260116\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "funnel",
            "measure",
            path.to_str().unwrap(),
            "--steps",
            "lead,visit",
        ];
        args.extend(extra);
        attain(&args)
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("epoch.csv:2: column \"timestamp\": invalid timestamp \"20260115\""),
        "{err}"
    );
    let out = stdout(&run(&["--time-format", "unix-seconds"]));
    assert_eq!(
        out.lines().nth(2).unwrap().split(',').nth(3),
        Some("1"),
        "{out}"
    );
    // Offsets: the lead at 10:00+05:00 is 05:00Z, before the visit at 06:00Z.
    let path = temp_file(
        "tz.csv",
        "entity_id,step,timestamp\nx,lead,2026-01-15T10:00:00+05:00\nx,visit,2026-01-15T06:00:00Z\n",
    );
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead,visit",
        "--strict",
    ]);
    let out = stdout(&o);
    assert_eq!(
        out.lines().nth(2).unwrap().split(',').nth(3),
        Some("1"),
        "{out}"
    );
    // Two columns of the same name: which one is meant is unclear, so it is an error.
    let path = temp_file(
        "dup.csv",
        "entity_id,step,timestamp,step\nx,lead,2026-01-15,visit\n",
    );
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("dup.csv:1: column \"step\" appears 2 times in the header"),
        "{err}"
    );
    // Out-of-grammar clocks and offsets are refused.
    for bad in [
        "2026-01-15T10:00:00.xyz",
        "2026-01-15T10:00:00+99:99",
        " 2026-01-15",
    ] {
        let path = temp_file(
            "badtime.csv",
            &format!("entity_id,step,timestamp\nx,lead,{bad}\n"),
        );
        let o = attain(&[
            "funnel",
            "measure",
            path.to_str().unwrap(),
            "--steps",
            "lead",
        ]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
    }
}

#[test]
fn measure_errors_name_line_and_column() {
    let path = temp_file(
        "bad.csv",
        "entity_id,step,timestamp\nu1,lead,2026-01-01\nu1,visit,soon\n",
    );
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead,visit",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.csv:3: column \"timestamp\": invalid timestamp \"soon\""),
        "{err}"
    );
    let path = temp_file("nocol.csv", "who,step,timestamp\nu1,lead,1\n");
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(":1: missing column \"entity_id\" in the header"),
        "{err}"
    );
    let o = attain(&[
        "funnel",
        "measure",
        path.to_str().unwrap(),
        "--steps",
        "lead",
        "--entity-column",
        "who",
        "--window",
        "3y",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 12, item 6: `funnel plan` accepted a USD target finer than a cent and a JPY deal size
/// with cents that `plan` and `allocate` reject. One rule now: money is checked against the
/// currency, and the option is named (exit 2).
#[test]
fn plan_money_is_checked_against_the_currency() {
    for (args, option) in [
        (
            [
                "--target",
                "250000.005",
                "--deal-size",
                "83333.33",
                "--currency",
                "USD",
            ],
            "--target",
        ),
        (
            [
                "--target",
                "250000",
                "--deal-size",
                "83333.33",
                "--currency",
                "JPY",
            ],
            "--deal-size",
        ),
        (
            [
                "--target",
                "1000000000000000000000000000",
                "--deal-size",
                "5",
                "--currency",
                "USD",
            ],
            "--target",
        ),
    ] {
        let mut all = vec!["funnel", "plan", "--stages", "lead:0.1,prospect:0.2"];
        all.extend(args);
        let o = attain(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
        assert!(o.stdout.is_empty());
        assert!(
            err.starts_with(&format!("attain: error: {option}: ")),
            "{err}"
        );
    }
    let o = attain(&[
        "funnel",
        "plan",
        "--stages",
        "lead:0.1,prospect:0.2",
        "--target",
        "250000.00",
        "--deal-size",
        "83333.33",
        "--currency",
        "USD",
    ]);
    assert!(stdout(&o).contains("deal,"), "{}", stdout(&o));
}

/// Issue 19, item 5: the week's daily action list adds up to the week's need by default;
/// `--round-up-each-day` asks ceil(count / days) every day.
#[test]
fn plan_daily_list_is_spread_exactly_by_default() {
    let base: Vec<&str> = "funnel plan --target 250000 --deal-size 83333.33 \
        --stages lead:0.1,prospect:20% --tolerance --daily-start 2026-03-02 --daily-end 2026-03-08"
        .split_whitespace()
        .collect();
    let counts = |extra: &[&str]| -> Vec<(String, String, u64)> {
        let mut args = base.clone();
        args.extend_from_slice(extra);
        let o = attain(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout(&o)
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_owned(), f[1].to_owned(), f[2].parse().unwrap())
            })
            .collect()
    };
    let total = |rows: &[(String, String, u64)], stage: &str| -> u64 {
        rows.iter().filter(|r| r.1 == stage).map(|r| r.2).sum()
    };
    let exact = counts(&[]);
    // Five working days (Saturday and Sunday are off), three lines a day.
    assert_eq!(exact.len(), 15);
    assert_eq!(exact[0].0, "2026-03-02");
    assert_eq!(exact[14].0, "2026-03-06");
    assert_eq!(
        (
            total(&exact, "lead"),
            total(&exact, "prospect"),
            total(&exact, "deal")
        ),
        (150, 15, 3)
    );
    let deals: Vec<u64> = exact
        .iter()
        .filter(|r| r.1 == "deal")
        .map(|r| r.2)
        .collect();
    assert_eq!(deals, [1, 1, 1, 0, 0]);
    let rounded = counts(&["--round-up-each-day"]);
    assert_eq!(
        total(&rounded, "deal"),
        5,
        "one a day, more than the week needs"
    );
}
