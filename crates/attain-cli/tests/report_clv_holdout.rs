//! `attain report --clv-calibration-end`: the CLV section's holdout charts (tracking,
//! calibration histogram, holdout by frequency, P(alive) matrix) and their numbers, equal to
//! `attain clv --holdout-end`.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn attain(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn by_id<'a, 'i>(doc: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element with id {id}"))
}

const HOLDOUT_CHARTS: [&str; 4] = [
    "chart-clv-tracking",
    "chart-clv-histogram",
    "chart-clv-by-frequency",
    "chart-clv-p-alive",
];

#[test]
fn holdout_charts_are_drawn_with_the_numbers_of_attain_clv() {
    let (code, html, err) = attain(&[
        "report",
        "data/cdnow_transactions.csv",
        "--clv-calibration-end",
        "1997-09-30",
    ]);
    assert_eq!(code, 0, "{err}");
    let body = html.strip_prefix("<!DOCTYPE html>\n").unwrap();
    let doc = roxmltree::Document::parse(body).unwrap();
    let svg_ids: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("svg"))
        .filter_map(|n| n.attribute("id"))
        .collect();
    for id in HOLDOUT_CHARTS {
        assert!(svg_ids.contains(&id), "{id} missing: {svg_ids:?}");
        let svg = by_id(&doc, id);
        let classes: Vec<Option<&str>> = svg.descendants().map(|n| n.attribute("class")).collect();
        assert!(classes.contains(&Some("chart-title")), "{id}: no title");
        assert!(classes.contains(&Some("axis-label")), "{id}: no axis label");
        assert!(
            classes.iter().filter(|c| **c == Some("tick")).count() >= 3,
            "{id}: no ticks"
        );
    }
    // Tracking: 78 weekly points per series; the last actual point is all 4,339 repeat days.
    let tracking = by_id(&doc, "chart-clv-tracking");
    let tips: Vec<String> = tracking
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .map(text_of)
        .collect();
    assert_eq!(tips.len(), 2 * 78);
    assert!(
        tips.contains(&"78 actual: 4,339 through 1998-06-30".to_owned()),
        "{:?}",
        &tips[70..78]
    );
    // P(alive) cells are percentages; the most frequent, most recent buyer is the most alive.
    let p_alive = by_id(&doc, "chart-clv-p-alive");
    let cells: Vec<f64> = p_alive
        .descendants()
        .filter(|n| n.attribute("class") == Some("cell"))
        .map(|n| text_of(n).parse::<f64>().unwrap())
        .collect();
    assert!(!cells.is_empty());
    assert!(cells.iter().all(|p| (0.0..=100.0).contains(p)));
    // The holdout table equals `attain clv --holdout-end --format json`.
    let table = by_id(&doc, "table-clv-holdout");
    let row: Vec<String> = table
        .descendants()
        .filter(|n| n.has_tag_name("td"))
        .map(text_of)
        .collect();
    let (code, json, err) = attain(&[
        "clv",
        "data/cdnow_transactions.csv",
        "--calibration-end",
        "1997-09-30",
        "--holdout-end",
        "1998-06-30",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let clv: serde_json::Value = serde_json::from_str(&json).unwrap();
    let errors = &clv["models"][0]["errors"];
    assert_eq!(row[0], "1997-09-30");
    assert_eq!(row[1], "1998-06-30");
    assert_eq!(row[3], errors["actual_total"].to_string());
    let close = |cell: &str, value: &serde_json::Value| {
        (cell.parse::<f64>().unwrap() - value.as_f64().unwrap()).abs() < 1e-4
    };
    assert!(close(&row[4], &errors["predicted_total"]), "{row:?}");
    assert!(close(&row[5], &errors["mae"]), "{row:?}");
    assert!(close(&row[8], &errors["bias_percent"]), "{row:?}");
}

#[test]
fn without_a_calibration_end_there_are_no_holdout_charts_and_a_late_one_is_refused() {
    let (code, html, err) = attain(&["report", "data/cdnow_transactions.csv"]);
    assert_eq!(code, 0, "{err}");
    for id in HOLDOUT_CHARTS {
        assert!(!html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let (code, _, err) = attain(&[
        "report",
        "data/cdnow_transactions.csv",
        "--clv-calibration-end",
        "1998-06-30",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--clv-calibration-end"), "{err}");
}
