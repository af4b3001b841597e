//! Issue 12's conformance suite, command side: every case of the shared table
//! (`crates/attain-rfm/tests/integration/conformance_cases.rs`) through every
//! transaction-reading subcommand (`rfm`, `cohort`, `clv`, `report`), as CSV and as Parquet
//! with text columns. Each must accept or reject alike: on acceptance the same customers (and,
//! where the output shows them, the same sum of amounts); on refusal exit 1 and one line naming
//! the file, the line (Parquet: the record's row) and the column.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle",
    feature = "parquet"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../../attain-rfm/tests/integration/conformance_cases.rs"]
mod conformance_cases;

use std::path::Path;

use attain_types::Decimal;
use conformance_cases::{Case, Expect, cases, to_parquet};

/// What a run showed: accepted with (customers, sum if shown), or refused.
#[derive(Debug)]
enum Seen {
    Accepted(usize, Option<Decimal>),
    Refused(String),
}

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = common::command(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs one subcommand on `path` and reads what it printed.
fn subcommand(name: &str, path: &Path) -> Seen {
    let p = path.to_str().unwrap();
    let (code, out, err) = match name {
        "rfm" => run(&["rfm", p, "--as-of", "1999-01-01", "-q"]),
        "cohort" => run(&["cohort", p, "--format", "json", "-q"]),
        "clv" => run(&["clv", p, "--calibration-end", "1998-06-30", "-q"]),
        "report" => run(&["report", p, "--format", "json", "-q"]),
        other => panic!("{other}"),
    };
    if code != 0 {
        assert_eq!(code, 1, "{name} {p}: exit {code}: {err}");
        return Seen::Refused(err);
    }
    match name {
        "rfm" => {
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let m = rdr.headers().unwrap().iter().position(|h| h == "monetary");
            let mut n = 0;
            let mut sum = Decimal::ZERO;
            for rec in rdr.records() {
                let rec = rec.unwrap();
                n += 1;
                sum += rec[m.unwrap()].parse::<Decimal>().unwrap();
            }
            Seen::Accepted(n, Some(sum))
        }
        "cohort" => {
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            Seen::Accepted(
                usize::try_from(v["customers"].as_u64().unwrap()).unwrap(),
                Some(v["total_revenue"].as_str().unwrap().parse().unwrap()),
            )
        }
        "clv" => {
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            Seen::Accepted(rdr.records().count(), None)
        }
        _ => {
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let customers = v["key_figures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["label"] == "Customers")
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .replace(',', "");
            Seen::Accepted(customers.parse().unwrap(), None)
        }
    }
}

/// Checks what a subcommand did against the case (`line` already mapped to Parquet rows).
fn check(case: &Case, how: &str, path: &Path, seen: &Seen, expect: &Expect) {
    let p = path.display().to_string();
    match (expect, seen) {
        (Expect::Accept { customers, total }, Seen::Accepted(n, sum)) => {
            assert_eq!(n, customers, "{} {how}: customers", case.name);
            if let Some(sum) = sum {
                assert_eq!(sum, total, "{} {how}: sum of amounts", case.name);
            }
        }
        (Expect::Reject { line, column }, Seen::Refused(err)) => {
            assert_eq!(
                err.trim_end().lines().count(),
                1,
                "{} {how}: {err}",
                case.name
            );
            assert!(
                err.len() < 400,
                "{} {how}: a {} byte message",
                case.name,
                err.len()
            );
            let at = format!("attain: error: {p}:{line}: ");
            assert!(
                err.starts_with(&at),
                "{} {how}: {err:.300} lacks {at}",
                case.name
            );
            if !column.is_empty() {
                assert!(
                    err.contains(&format!("{column:?}")),
                    "{} {how}: {err:.300} lacks column {column}",
                    case.name
                );
            }
        }
        _ => panic!("{} {how}: expected {expect:?}, saw {seen:?}", case.name),
    }
}

#[test]
fn every_subcommand_reads_every_case_alike() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("attain-cli-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = cases();
    assert!(all.len() >= 80);
    for case in &all {
        let path = dir.join(format!("{}.csv", case.name));
        std::fs::write(&path, &case.bytes).unwrap();
        for name in ["rfm", "cohort", "clv", "report"] {
            let seen = subcommand(name, &path);
            check(case, name, &path, &seen, &case.expect);
        }
        let Some((bytes, lines)) = to_parquet(&case.bytes) else {
            continue;
        };
        let ppath = dir.join(format!("{}.parquet", case.name));
        std::fs::write(&ppath, bytes).unwrap();
        let expect = match &case.expect {
            Expect::Reject { line, column } if *line > 1 => Expect::Reject {
                line: lines.iter().position(|l| l == line).unwrap() as u64 + 1,
                column,
            },
            other => other.clone(),
        };
        for name in ["rfm", "cohort", "clv", "report"] {
            let seen = subcommand(name, &ppath);
            check(case, &format!("{name} (Parquet)"), &ppath, &seen, &expect);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
