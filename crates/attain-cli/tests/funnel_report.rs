//! `attain report`'s funnel section with a measured funnel: exclusions, time-to-convert
//! histograms and conversion over time, each equal to `attain funnel measure`'s numbers.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;

fn run(args: &[&str]) -> String {
    let out = common::command(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cells(doc: &roxmltree::Document<'_>, id: &str) -> Vec<Vec<String>> {
    let table = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap();
    table
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .map(|tr| {
            tr.children()
                .filter(|c| c.has_tag_name("td"))
                .map(|td| {
                    td.descendants()
                        .filter(|n| n.is_text())
                        .filter_map(|n| n.text())
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
        .collect()
}

#[test]
fn report_draws_exclusions_time_histograms_and_conversion_over_time() {
    let dir = common::temp_dir("funnel-report");
    let events = common::write(
        &dir,
        "events.csv",
        "entity_id,step,timestamp\n\
         a,lead,2026-01-01\na,visit,2026-01-02\na,proposal,2026-01-03\na,deal,2026-01-04\n\
         b,lead,2026-01-01\nb,visit,2026-01-05\nb,churn,2026-01-06\nb,proposal,2026-01-07\nb,deal,2026-01-08\n\
         c,lead,2026-01-12T10:00:00\nc,visit,2026-01-12T11:00:00\nc,proposal,2026-01-19\nc,deal,2026-01-20\n\
         d,lead,2026-01-13\nd,churn,2026-01-14\nd,visit,2026-01-15\n",
    );
    let events = events.to_str().unwrap();
    let html = run(&[
        "report",
        "data/cdnow_transactions.csv",
        "--funnel-stages",
        "lead:0.1,visit:0.3,proposal:0.2",
        "--deal-size",
        "50",
        "--funnel-events",
        events,
        "--funnel-exclude",
        "churn",
        "--funnel-window",
        "30d",
    ]);
    let doc = roxmltree::Document::parse(html.strip_prefix("<!DOCTYPE html>\n").unwrap()).unwrap();
    let measure = |extra: &[&str]| {
        let mut args = vec![
            "funnel",
            "measure",
            events,
            "--steps",
            "lead,visit,proposal,deal",
            "--exclude",
            "churn",
            "--window",
            "30d",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    // The funnel's actual column is the measured funnel with the exclusion: b's churn after
    // its visit stops it there, d's churn after its lead stops it at the lead.
    let reached: Vec<String> = measure(&[])
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_owned())
        .collect();
    let table = cells(&doc, "table-funnel");
    let actual: Vec<String> = table.iter().map(|r| r[3].clone()).collect();
    assert_eq!(actual, reached);
    assert_eq!(actual, ["4", "3", "2", "2"]);
    let has = |id: &str| doc.descendants().any(|n| n.attribute("id") == Some(id));
    let chart_text = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap()
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<String>()
    };
    assert!(chart_text("chart-funnel").contains("actual before exclusions"));
    for step in 1..=3 {
        assert!(
            has(&format!("chart-funnel-time-{step}")),
            "histogram of step {step}"
        );
    }
    assert!(chart_text("chart-funnel-time-1").contains("median"));
    // Conversion over time: the same rows as `funnel measure --view over-time`.
    let over = measure(&["--view", "over-time", "--period", "week"]);
    let expected: Vec<Vec<String>> = over
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(cells(&doc, "table-funnel-over-time"), expected);
    assert_eq!(expected.len(), 2, "{over}");
    assert!(has("chart-funnel-over-time"));
}
