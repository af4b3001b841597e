//! `attain funnel measure` end to end against ClickHouse 26.9's own output (chdb 4.4.0): the
//! expected files and their provenance are in `crates/attain-funnel/tests/data/clickhouse/`.
#![cfg(feature = "funnel")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

mod common;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../attain-funnel/tests/data/clickhouse"
);

fn run(extra: &[&str]) -> String {
    let events = format!("{DATA}/events.csv");
    let mut args = vec![
        "funnel",
        "measure",
        events.as_str(),
        "--steps",
        "visit,signup,trial,deal",
        "--window",
        "1h",
        "--time-format",
        "unix-seconds",
    ];
    args.extend_from_slice(extra);
    let o = common::command(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// ClickHouse's CSV: entity -> column values.
fn expected(file: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_owned())
        .collect();
    let rows = lines
        .map(|l| {
            let mut f = l.split(',').map(|v| v.trim_matches('"').to_owned());
            (f.next().unwrap(), f.collect())
        })
        .collect();
    (header, rows)
}

#[test]
fn clickhouse_modes_from_the_command_line_equal_clickhouse() {
    let (header, rows) = expected("window_funnel.csv");
    for (column, mode) in [
        ("default", None),
        ("order", Some("strict_order")),
        ("dedup_order", Some("strict_deduplication,strict_order")),
        ("increase", Some("strict_increase")),
        ("order_reentry", Some("strict_order,allow_reentry")),
    ] {
        let mut extra = vec!["--view", "paths"];
        if let Some(m) = mode {
            extra.extend(["--clickhouse-mode", m]);
        }
        let out = run(&extra);
        // entity_id,group,visit,signup,trial,deal: the level is the count of filled steps.
        let ours: BTreeMap<&str, usize> = out
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0], f[2..].iter().filter(|v| !v.is_empty()).count())
            })
            .collect();
        let i = header.iter().position(|h| h == column).unwrap() - 1;
        let mut differ = 0;
        for (entity, values) in &rows {
            let theirs: usize = values[i].parse().unwrap();
            differ += usize::from(ours.get(entity.as_str()).copied().unwrap_or(0) != theirs);
        }
        assert_eq!(differ, 0, "{column}: entities differing from ClickHouse");
    }
}

#[test]
fn retention_table_adds_up_to_clickhouse_retention() {
    let (_, rows) = expected("retention.csv");
    // ClickHouse per entity: day flags 0..7 of visits after the first visit day.
    let mut theirs = [0u64; 8];
    for values in rows.values() {
        for (k, c) in values[1].chars().enumerate() {
            theirs[k] += u64::from(c == '1');
        }
    }
    let events = format!("{DATA}/events.csv");
    let o = common::command(&[
        "funnel",
        "measure",
        &events,
        "--steps",
        "visit",
        "--time-format",
        "unix-seconds",
        "--view",
        "retention",
        "--retention-days",
        "7",
    ])
    .output()
    .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    let mut ours = [0u64; 8];
    for line in out.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for k in 0..8 {
            ours[k] += f[2 + k].parse::<u64>().unwrap();
        }
    }
    assert_eq!(ours, theirs, "{out}");
    assert!(theirs[1] > 0);
}

#[test]
fn exclusions_and_conversion_over_time_agree_with_the_step_table() {
    let steps = |extra: &[&str]| -> Vec<u64> {
        run(extra)
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
            .collect()
    };
    let plain = steps(&[]);
    let excluded = steps(&["--exclude", "churn"]);
    let between = steps(&["--exclude", "churn:signup>trial"]);
    assert_eq!(excluded[0], plain[0]);
    assert!(excluded[3] < plain[3], "{excluded:?} {plain:?}");
    // Excluding only between signup and trial leaves visit and signup alone.
    assert_eq!(between[..2], plain[..2]);
    assert!(between[3] >= excluded[3] && between[3] <= plain[3]);
    // Conversion over time: entries and conversions add up to the table's first and last steps.
    let over = run(&[
        "--exclude",
        "churn",
        "--view",
        "over-time",
        "--period",
        "week",
    ]);
    let (mut entered, mut converted) = (0, 0);
    for line in over.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        entered += f[1].parse::<u64>().unwrap();
        converted += f[2].parse::<u64>().unwrap();
        let (lo, rate, hi): (f64, f64, f64) = (
            f[4].parse().unwrap(),
            f[3].parse().unwrap(),
            f[5].parse().unwrap(),
        );
        assert!(lo <= rate && rate <= hi, "{line}");
    }
    assert_eq!((entered, converted), (excluded[0], excluded[3]));
}

#[test]
fn json_has_takeaways_time_histograms_and_named_correction() {
    let out = run(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The largest drop-off is visit -> signup here (14558 -> 9019).
    assert_eq!(v["takeaways"]["largest_drop_off"]["step"], "signup");
    assert_eq!(v["takeaways"]["largest_drop_off"]["lost"], 14558 - 9019);
    let times = v["time_to_convert"].as_array().unwrap();
    assert_eq!(times.len(), 3);
    for t in times {
        let bins: u64 = t["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .sum();
        assert_eq!(bins, t["samples"].as_u64().unwrap());
    }
    assert_eq!(v["order"], "non-strict");
}

#[test]
fn attribution_counting_and_group_tests() {
    // u1: web lead, ads visit, web lead, web visit (two entries); u2: a web lead only;
    // u3: a lead on channel 9, a visit on channel 8.
    let body = "entity_id,step,timestamp,channel\n\
        u1,lead,2026-01-01,web\nu1,visit,2026-01-02,ads\nu1,lead,2026-01-03,web\nu1,visit,2026-01-04,web\n\
        u2,lead,2026-01-01,web\n\
        u3,lead,2026-01-05,9\nu3,visit,2026-01-06,8\n";
    let path = common::write(&common::temp_dir("attr"), "events.csv", body);
    let p = path.to_str().unwrap();
    let reached = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["funnel", "measure", p, "--steps", "lead,visit"];
        args.extend_from_slice(extra);
        let o = common::command(&args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                format!("{}:{}:{}", f[0], f[2], f[3])
            })
            .collect()
    };
    // First touch: u1 counts under web (its chain's lead at 01-03 is web).
    let first = reached(&["--breakdown", "channel"]);
    assert!(first.contains(&"web:visit:1".to_owned()), "{first:?}");
    // Last touch: u1's visit of its latest chain is web; u3's visit is 8.
    let last = reached(&["--breakdown", "channel", "--attribution", "last-touch"]);
    assert!(last.contains(&"8:visit:1".to_owned()), "{last:?}");
    // Totals: u1 enters twice.
    let totals = reached(&["--count", "totals"]);
    assert_eq!(totals[..2], [":lead:4".to_owned(), ":visit:3".to_owned()]);
    // Hold the channel constant: u3 changes channel, u1 converts within web.
    let held = reached(&["--hold", "channel"]);
    assert_eq!(held[..2], [":lead:3".to_owned(), ":visit:1".to_owned()]);
    let o = common::command(&[
        "funnel",
        "measure",
        p,
        "--steps",
        "lead,visit",
        "--breakdown",
        "channel",
        "--view",
        "tests",
        "--correction",
        "bonferroni",
    ])
    .output()
    .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.lines().next().unwrap().contains("correction"), "{out}");
    assert!(
        out.lines().skip(1).all(|l| l.contains(",bonferroni,")),
        "{out}"
    );
}
