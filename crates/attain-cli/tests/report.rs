//! `attain report` end to end on the built binary: the page parses as XML (XHTML), holds one
//! `<svg>` per chart, each with a title and axis labels, loads nothing from outside, and its
//! numbers equal what `attain plan`, `attain funnel plan|measure`, `attain rfm`, `attain cohort`
//! and `attain clv` print for the same inputs (the report prints those commands; the tests run
//! them).
//!
//! The XML check uses `roxmltree` (dev-dependency only: a small, dependency-free, read-only
//! XML parser), so a stray `<`, an unclosed element or a bad attribute fails the test.
#![cfg(all(
    feature = "goals",
    feature = "funnel",
    feature = "rfm",
    feature = "lifecycle"
))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use attain_types::Decimal;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `attain` in the repository root: (exit code, stdout, stderr).
fn attain<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fresh folder under Cargo's per-target temp folder (not the system's: nothing is left
/// behind in /tmp).
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("attain-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The report on the bundled CDNOW sample, with a funnel.
fn cdnow_report(extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        "data/cdnow_transactions.csv",
        "--funnel-stages",
        "lead:0.1,visit:0.3,proposal:0.2",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = attain(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "unexpected stderr: {err}");
    out
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    let body = html
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("the page starts with the HTML5 doctype");
    roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("the page is not well-formed: {e}"))
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

/// The body rows of a `<table>` as text cells.
fn table_rows(doc: &roxmltree::Document<'_>, id: &str) -> Vec<Vec<String>> {
    let table = by_id(doc, id);
    table
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .filter(|tr| tr.children().any(|c| c.has_tag_name("td")))
        .map(|tr| {
            tr.children()
                .filter(|c| c.has_tag_name("td"))
                .map(text_of)
                .collect()
        })
        .collect()
}

/// The `attain ...` command printed in a section.
fn command_of(doc: &roxmltree::Document<'_>, section: &str) -> Vec<String> {
    let node = by_id(doc, section)
        .descendants()
        .find(|n| n.attribute("class") == Some("command"))
        .unwrap_or_else(|| panic!("section {section} prints no command"));
    let text = text_of(node);
    let mut words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    assert_eq!(words.remove(0), "attain", "{text}");
    words
}

/// `12,345.60` -> 12345.60 (the report's display form back to a number).
fn dec(text: &str) -> Decimal {
    Decimal::from_str(&text.replace(',', "")).unwrap_or_else(|_| panic!("not a number: {text}"))
}

fn csv_records(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[test]
fn the_page_is_well_formed_self_contained_xhtml() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    assert_eq!(doc.root_element().tag_name().name(), "html");
    // Nothing is loaded from outside: no script, no external reference of any kind.
    assert!(!html.contains("<script"), "the page has a script");
    for bad in [" src=", " href=", "url(", "@import", "https:"] {
        assert!(
            !html.contains(bad),
            "the page refers to something outside: {bad}"
        );
    }
    let http: Vec<&str> = html
        .match_indices("http://")
        .map(|(i, _)| &html[i..i + 40])
        .collect();
    assert!(
        http.iter().all(|s| s.starts_with("http://www.w3.org/")),
        "only XML namespaces may name a URL: {http:?}"
    );
}

#[test]
fn one_svg_per_chart_each_with_a_title_and_axis_labels() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    let svgs: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("svg"))
        .collect();
    let ids: Vec<&str> = svgs.iter().filter_map(|s| s.attribute("id")).collect();
    assert_eq!(
        ids,
        [
            "chart-plan",
            "chart-funnel",
            "chart-rfm-segments",
            "chart-rfm-grid",
            "chart-cohort",
            "chart-clv"
        ]
    );
    for svg in &svgs {
        let id = svg.attribute("id").unwrap();
        let title = svg
            .children()
            .find(|c| c.has_tag_name("title"))
            .map(text_of)
            .unwrap_or_default();
        assert!(title.len() > 10, "{id}: no <title>");
        let texts: Vec<(Option<&str>, String)> = svg
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| (n.attribute("class"), text_of(n)))
            .collect();
        assert!(
            texts
                .iter()
                .any(|(c, t)| *c == Some("chart-title") && *t == title),
            "{id}: the title is not shown"
        );
        let axis_labels = texts
            .iter()
            .filter(|(c, _)| *c == Some("axis-label"))
            .count();
        assert!(axis_labels >= 1, "{id}: no axis label");
        assert!(
            texts.iter().filter(|(c, _)| *c == Some("tick")).count() >= 3,
            "{id}: no axis ticks"
        );
        assert!(
            svg.descendants()
                .any(|n| n.attribute("class") == Some("legend-text")),
            "{id}: no legend"
        );
    }
    // Units: without --currency, money axes name no unit (never the placeholder `XXX`).
    let plan = text_of(by_id(&doc, "chart-plan"));
    assert!(plan.contains("Revenue per month"), "{plan}");
    assert!(!plan.contains("Revenue per month ("), "{plan}");
    assert!(plan.contains("Month of 1998"));
}

#[test]
fn without_a_currency_the_page_shows_no_placeholder_code() {
    let html = cdnow_report(&[]);
    assert!(html.contains("· no currency"), "no currency in the header");
    assert!(!html.contains("XXX"), "the placeholder code is shown");
    assert!(!html.contains("amounts in"));
    // The printed commands leave --currency out (their default), and still run.
    let doc = parse(&html);
    assert!(!command_of(&doc, "plan").contains(&"--currency".to_owned()));
    // With a currency, the header, labels and commands name it.
    let html = cdnow_report(&["--currency", "USD"]);
    assert!(html.contains("· amounts in USD"));
    let doc = parse(&html);
    assert!(text_of(by_id(&doc, "chart-plan")).contains("Revenue per month (USD)"));
    let cmd = command_of(&doc, "plan");
    assert_eq!(cmd[cmd.len() - 2..], ["--currency", "USD"]);
}

#[test]
fn plan_numbers_equal_attain_plan() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    let cmd = command_of(&doc, "plan");
    assert!(
        cmd.contains(&"110000".to_owned()),
        "default target: {cmd:?}"
    );
    let (code, out, err) = attain(&cmd);
    assert_eq!(code, 0, "{err}");
    let (header, rows) = csv_records(&out);
    let (p, c, a) = (
        column(&header, "period"),
        column(&header, "customer"),
        column(&header, "amount"),
    );
    let mut cli: HashMap<(String, String), Decimal> = HashMap::new();
    for r in &rows {
        cli.insert((r[p].clone(), r[c].clone()), dec(&r[a]));
    }
    let table = table_rows(&doc, "table-plan");
    assert_eq!(table.len(), 12);
    let mut total = Decimal::ZERO;
    for row in &table {
        assert_eq!(dec(&row[1]), cli[&(row[0].clone(), "new".to_owned())]);
        assert_eq!(dec(&row[2]), cli[&(row[0].clone(), "repeat".to_owned())]);
        assert_eq!(dec(&row[1]) + dec(&row[2]), dec(&row[3]));
        total += dec(&row[3]);
    }
    assert_eq!(total, Decimal::from(110_000));
    // Actuals: January 1998 of the CDNOW sample (sum of the file's amounts dated 1998-01).
    assert_eq!(dec(&table[0][4]), Decimal::from_str("7356.82").unwrap());
    assert_eq!(table[6][4], "", "July 1998 is after the data");
    // Actual = new + repeat; the CDNOW sample's customers all first bought in 1997.
    for row in &table[..6] {
        assert_eq!(dec(&row[6]) + dec(&row[7]), dec(&row[4]));
        assert_eq!(dec(&row[6]), Decimal::ZERO);
    }
}

#[test]
fn explicit_target_and_split_are_used() {
    let html = cdnow_report(&[
        "--target",
        "120000",
        "--year",
        "1998",
        "--split",
        "customer=new:40,repeat:60",
    ]);
    let doc = parse(&html);
    let table = table_rows(&doc, "table-plan");
    assert_eq!(table[0][1], "4,000.00");
    assert_eq!(table[0][2], "6,000.00");
    assert!(text_of(by_id(&doc, "chart-plan")).contains("plan: new"));
}

#[test]
fn cohort_numbers_equal_attain_cohort() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    let (code, out, err) = attain(&command_of(&doc, "cohort"));
    assert_eq!(code, 0, "{err}");
    let (_, rows) = csv_records(&out);
    let table = table_rows(&doc, "table-cohort");
    assert_eq!(table.len(), rows.len());
    for (t, r) in table.iter().zip(&rows) {
        assert_eq!(t[0], r[0], "cohort label");
        assert_eq!(t[1], r[2], "cohort size");
        assert_eq!(&t[2..], &r[3..], "retention of {}", t[0]);
    }
    // Golden: the three CDNOW cohorts (first purchases in 1997-01, -02, -03).
    let sizes: Vec<&str> = table.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(sizes, ["781", "857", "719"]);
}

#[test]
fn rfm_numbers_equal_attain_rfm() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    let (code, out, err) = attain(&command_of(&doc, "rfm"));
    assert_eq!(code, 0, "{err}");
    let (header, rows) = csv_records(&out);
    let (s, m) = (column(&header, "segment"), column(&header, "monetary"));
    let mut cli: HashMap<String, (u64, Decimal)> = HashMap::new();
    for r in &rows {
        let e = cli.entry(r[s].clone()).or_default();
        e.0 += 1;
        e.1 += dec(&r[m]);
    }
    let table = table_rows(&doc, "table-rfm");
    let mut customers = 0;
    for row in &table {
        let n: u64 = row[1].parse().unwrap();
        customers += n;
        let (cn, crev) = cli.get(&row[0]).copied().unwrap_or_default();
        assert_eq!(n, cn, "customers of {}", row[0]);
        assert_eq!(dec(&row[2]), crev, "revenue of {}", row[0]);
    }
    assert_eq!(customers, rows.len() as u64);
    assert_eq!(customers, 2357);
}

#[test]
fn clv_numbers_equal_attain_clv() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    let (code, out, err) = attain(&command_of(&doc, "clv"));
    assert_eq!(code, 0, "{err}");
    let (header, rows) = csv_records(&out);
    let c = column(&header, "clv");
    let values: Vec<f64> = rows.iter().map(|r| r[c].parse().unwrap()).collect();
    let total: f64 = values.iter().sum();
    let table = table_rows(&doc, "table-clv");
    assert_eq!(table[0][0], values.len().to_string());
    let report_total: f64 = table[0][1].parse().unwrap();
    // The same fit and formula; only the horizon's months differ by float noise (12 vs
    // 12 * 30.4375 / 30.4375).
    assert!(
        (report_total - total).abs() <= 1e-6 * total.abs().max(1.0),
        "{report_total} vs {total}"
    );
}

#[test]
fn funnel_required_and_actual_equal_attain_funnel() {
    let dir = temp_dir("funnel");
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        "entity_id,step,timestamp\n\
         a,lead,2026-01-01\na,visit,2026-01-02\na,proposal,2026-01-03\na,deal,2026-01-04\n\
         b,lead,2026-01-01\nb,visit,2026-01-05\n\
         c,lead,2026-01-02T10:00:00\nc,visit,2026-01-02T11:00:00\nc,proposal,2026-01-09\n\
         d,lead,1970-01-02\ne,visit,2026-01-01\n\
         x,lead,2026-01-15T10:00:00+05:00\nx,visit,2026-01-15T06:00:00Z\n",
    )
    .unwrap();
    let html = cdnow_report(&[
        "--deal-size",
        "50",
        "--funnel-events",
        events.to_str().unwrap(),
    ]);
    let doc = parse(&html);
    let (code, out, err) = attain(&command_of(&doc, "funnel"));
    assert_eq!(code, 0, "{err}");
    let (header, rows) = csv_records(&out);
    let e = column(&header, "entries");
    let table = table_rows(&doc, "table-funnel");
    let names: Vec<&str> = table.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["lead", "visit", "proposal", "deal"]);
    for (t, r) in table.iter().zip(&rows) {
        assert_eq!(t[2], r[e], "required at {}", t[0]);
    }
    // 110,000 / 50 = 2,200 deals.
    assert_eq!(table[3][2], "2200");
    let (code, out, err) = attain(&[
        "funnel",
        "measure",
        events.to_str().unwrap(),
        "--steps",
        "lead,visit,proposal,deal",
    ]);
    assert_eq!(code, 0, "{err}");
    let (header, rows) = csv_records(&out);
    let reached = column(&header, "reached");
    let group = column(&header, "group");
    let measured: Vec<&str> = rows
        .iter()
        .filter(|r| r[group].is_empty())
        .map(|r| r[reached].as_str())
        .collect();
    let actual: Vec<&str> = table.iter().map(|r| r[3].as_str()).collect();
    // Issue 12: the report and `funnel measure` read the events through one reader, so x's
    // lead at 10:00+05:00 (05:00Z) precedes its visit at 06:00Z in both.
    assert_eq!(actual, measured);
    assert_eq!(actual, ["5", "4", "2", "1"]);
    assert!(text_of(by_id(&doc, "chart-funnel")).contains("actual"));
}

#[test]
fn without_a_funnel_the_section_says_how_to_add_one() {
    let (code, html, err) = attain(&["report", "data/cdnow_transactions.csv"]);
    assert_eq!(code, 0, "{err}");
    let doc = parse(&html);
    let funnel = by_id(&doc, "funnel");
    assert!(!funnel.descendants().any(|n| n.has_tag_name("svg")));
    assert!(text_of(funnel).contains("--funnel-stages"));
}

#[test]
fn output_file_is_written_and_small_inputs_work() {
    let dir = temp_dir("small");
    let input = dir.join("tx.csv");
    std::fs::write(
        &input,
        "customer_id,order_date,amount\n\
         a,2025-01-05,10.00\na,2025-02-05,12.50\nb,2025-01-20,7.25\nb,2025-03-01,3.00\n\
         c,2025-02-11,100\nc,2025-03-15,20\nd,2025-03-20,5\n",
    )
    .unwrap();
    let output = dir.join("report.html");
    let (code, out, err) = attain(&[
        "report",
        input.to_str().unwrap(),
        "--currency",
        "USD",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&output).unwrap();
    let doc = parse(&html);
    // No order column: RFM counts rows, and says so.
    assert!(text_of(by_id(&doc, "rfm")).contains("no order id column"));
    assert!(
        html.contains("attain plan --target 180 --year 2025"),
        "default target"
    );
    // Too few customers for the CLV models is a note, not a failure.
    let clv = by_id(&doc, "clv");
    assert!(
        clv.descendants().any(|n| n.has_tag_name("svg"))
            || text_of(clv).contains("could not be fitted"),
        "{}",
        text_of(clv)
    );
}

#[test]
fn data_errors_exit_1_naming_file_line_and_column() {
    let dir = temp_dir("errors");
    let input = dir.join("bad.csv");
    std::fs::write(
        &input,
        "customer_id,order_date,amount\na,2025-01-05,10.00\nb,2025-13-01,1\n",
    )
    .unwrap();
    let path = input.to_str().unwrap();
    let (code, _, err) = attain(&["report", path]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{path}:3: column \"order_date\": invalid date \"2025-13-01\""
        )),
        "{err}"
    );
    std::fs::write(&input, "customer,order_date,amount\na,2025-01-05,10.00\n").unwrap();
    let (code, _, err) = attain(&["report", path]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{path}:1: missing column \"customer_id\"")),
        "{err}"
    );
    // Overflow is an error, never a panic.
    std::fs::write(
        &input,
        "customer_id,order_date,amount\n\
         a,2025-01-05,79228162514264337593543950335\nb,2025-01-06,79228162514264337593543950335\n",
    )
    .unwrap();
    let (code, _, err) = attain(&["report", path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A header and no rows; only refunds (no revenue for a default target).
    std::fs::write(&input, "customer_id,order_date,amount\n").unwrap();
    let (code, _, err) = attain(&["report", path]);
    assert_eq!(code, 1);
    assert!(err.contains("no transactions"), "{err}");
    std::fs::write(&input, "customer_id,order_date,amount\na,2025-01-05,-5\n").unwrap();
    let (code, _, err) = attain(&["report", path]);
    assert_eq!(code, 1);
    assert!(err.contains("give --target"), "{err}");
    let (code, _, err) = attain(&["report", path, "--target", "100"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = attain(&["report", "data/cdnow_transactions.csv", "--target", "x"]);
    assert_eq!(code, 2, "an option value is a usage error");
    assert!(err.contains("--target"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = attain(&["report"]);
    assert_eq!(code, 2);
    let (code, _, _) = attain(&["report", "x.csv", "--deal-size", "10"]);
    assert_eq!(code, 2, "--deal-size needs --funnel-stages");
    let (code, _, _) = attain(&["report", "x.csv", "--clv-months", "0"]);
    assert_eq!(code, 2);
}

#[test]
fn json_format_holds_the_same_tables() {
    let html = cdnow_report(&[]);
    let doc = parse(&html);
    let (code, out, err) = attain(&[
        "report",
        "data/cdnow_transactions.csv",
        "--funnel-stages",
        "lead:0.1,visit:0.3,proposal:0.2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["as_of"], "1998-07-01");
    assert_eq!(json["data_end"], "1998-06-30");
    let sections = json["sections"].as_array().unwrap();
    let ids: Vec<&str> = sections.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["plan", "funnel", "rfm", "cohort", "clv"]);
    let charts: u64 = sections.iter().map(|s| s["charts"].as_u64().unwrap()).sum();
    assert_eq!(charts, 6);
    for s in sections {
        for t in s["tables"].as_array().unwrap() {
            let rows: Vec<Vec<String>> = serde_json::from_value(t["rows"].clone()).unwrap();
            assert_eq!(rows, table_rows(&doc, t["id"].as_str().unwrap()));
        }
    }
}

/// A tiny deterministic generator (64-bit LCG), so the property below needs no extra crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// On random small logs (refunds, same-day orders, one customer, many), the report never
/// panics, always parses, its plan sums exactly to the target, and its cohort sizes and RFM
/// segment counts both add up to the number of customers.
#[test]
fn prop_random_logs_give_a_consistent_page() {
    let dir = temp_dir("prop");
    let mut rng = Lcg(20_261_128);
    for case in 0..24 {
        let customers = 1 + rng.next(30);
        let rows = 1 + rng.next(80);
        let mut text = String::from("customer_id,order_id,order_date,amount\n");
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..rows {
            let c = rng.next(customers);
            seen.insert(c);
            let (m, d) = (1 + rng.next(12), 1 + rng.next(28));
            let year = 2024 + rng.next(2);
            let cents = rng.next(100_000) as i64 - if rng.next(10) == 0 { 50_000 } else { 0 };
            let sign = if cents < 0 { "-" } else { "" };
            let cents = cents.unsigned_abs();
            text.push_str(&format!(
                "c{c},o{i},{year}-{m:02}-{d:02},{sign}{}.{:02}\n",
                cents / 100,
                cents % 100
            ));
        }
        let input = dir.join(format!("case{case}.csv"));
        std::fs::write(&input, &text).unwrap();
        let (code, html, err) = attain(&["report", input.to_str().unwrap(), "--target", "1000"]);
        assert_eq!(code, 0, "case {case}: {err}\n{text}");
        let doc = parse(&html);
        let plan: Decimal = table_rows(&doc, "table-plan")
            .iter()
            .map(|r| dec(&r[r.len() - 5]))
            .sum();
        assert_eq!(plan, Decimal::from(1000), "case {case}");
        let cohort: u64 = table_rows(&doc, "table-cohort")
            .iter()
            .map(|r| r[1].parse::<u64>().unwrap())
            .sum();
        assert_eq!(cohort, seen.len() as u64, "case {case}");
        let rfm: u64 = table_rows(&doc, "table-rfm")
            .iter()
            .map(|r| r[1].parse::<u64>().unwrap())
            .sum();
        assert_eq!(rfm, seen.len() as u64, "case {case}");
    }
}

/// Issue 12: one row dated 9999-12-31 made the report date itself `+10000-01-01` (with a
/// target of 11.00) and exit 0; a stray far date among real rows made a 96,036-column cohort
/// table. Both are refused with one line naming the file and the dates.
#[test]
fn far_future_dates_are_refused() {
    let dir = temp_dir("far");
    let input = dir.join("far.csv");
    let path = input.to_str().unwrap();
    std::fs::write(
        &input,
        "customer_id,order_date,amount\na,9999-12-31,10.00\n",
    )
    .unwrap();
    let (code, out, err) = attain(&["report", path]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{path}: the report date +10000-01-01 is after 9999-12-31 (the latest row is dated 9999-12-31)"
        )),
        "{err}"
    );
    // Among 1997 rows: the report date is fine, the cohort span is not.
    std::fs::write(
        &input,
        "customer_id,order_date,amount\na,1997-01-01,10.00\nb,1997-02-01,5\nc,9999-12-31,10.00\n",
    )
    .unwrap();
    let (code, out, err) = attain(&["report", path, "--as-of", "9999-12-31", "--target", "100"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cohort table would span 96036 periods from 1997-01-01 to 9999-12-31, more than the limit of 10000"),
        "{err}"
    );
    // Leaving the stray row out with --as-of gives a report.
    let (code, _, err) = attain(&["report", path, "--as-of", "1997-03-01", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
}

/// Runs `attain` in `dir`: (exit code, stdout, stderr).
fn attain_in<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The page's numbers do not depend on which reader read the file: a plain file takes the
/// parallel fast reader, the same rows with one quoted header field take the general reader
/// (the fast one refuses quotes), and both give the same JSON, byte for byte. The logs: the
/// CDNOW sample, and a small one with repeated order ids (several lines per order, so that the
/// fast reader resolves pair hashes in its second pass), refunds, several rows a day and an
/// order id column left empty on some rows; each with the default report date and an earlier
/// `--as-of` (rows after it left out), and with the holdout check.
#[test]
fn the_fast_and_the_general_reader_give_the_same_report() {
    let cdnow = std::fs::read_to_string(repo_root().join("data/cdnow_transactions.csv")).unwrap();
    let mut small = String::from("customer_id,order_id,order_date,amount\n");
    for i in 0..400_u32 {
        let customer = format!("c{}", i % 37);
        let order = if i % 11 == 0 {
            String::new()
        } else {
            format!("o{}", i / 3)
        };
        let day = 1 + (i * 7) % 27;
        let month = 1 + (i * 5) % 12;
        let cents = i64::from(i * 137 % 9_000) - 500;
        let amount = Decimal::new(cents, 2);
        small.push_str(&format!(
            "{customer},{order},2025-{month:02}-{day:02},{amount}\n"
        ));
    }
    for (name, text, as_of, calibration) in [
        ("cdnow", &cdnow, "1998-03-15", "1997-09-30"),
        ("small", &small, "2025-10-10", "2025-06-30"),
    ] {
        let plain = temp_dir(&format!("fast-{name}"));
        let quoted = temp_dir(&format!("general-{name}"));
        std::fs::write(plain.join("tx.csv"), text).unwrap();
        let requoted = text.replacen("customer_id", "\"customer_id\"", 1);
        std::fs::write(quoted.join("tx.csv"), requoted).unwrap();
        for extra in [
            vec![],
            vec!["--as-of", as_of],
            vec!["--clv-calibration-end", calibration],
        ] {
            let mut args = vec!["report", "tx.csv", "--format", "json"];
            args.extend_from_slice(&extra);
            let (code_a, fast, err_a) = attain_in(&plain, &args);
            let (code_b, general, err_b) = attain_in(&quoted, &args);
            assert_eq!(
                (code_a, code_b),
                (0, 0),
                "{name} {extra:?}: {err_a} {err_b}"
            );
            assert_eq!(fast, general, "{name} {extra:?}");
        }
        std::fs::remove_dir_all(plain).unwrap();
        std::fs::remove_dir_all(quoted).unwrap();
    }
}

/// Standard input reads through the general reader, which says from its resolved header
/// whether the log names an order column: with `--order-col` the page is the file's page (the
/// RFM note counts distinct orders), even when every order id is left empty.
#[test]
fn standard_input_gives_the_files_page() {
    let dir = temp_dir("stdin-orders");
    for (name, text) in [
        (
            "ids",
            "customer_id,order_id,order_date,amount\nc1,o1,2025-01-02,10.00\nc1,o1,2025-01-02,5.00\nc2,o2,2025-02-03,7.50\nc1,o3,2025-03-04,1.25\n",
        ),
        (
            "empty ids",
            "customer_id,order_id,order_date,amount\nc1,,2025-01-02,10.00\nc2,,2025-02-03,7.50\nc1,,2025-03-04,1.25\n",
        ),
    ] {
        std::fs::write(dir.join("tx.csv"), text).unwrap();
        let (code_a, file, err_a) = attain_in(&dir, &["report", "tx.csv", "--format", "json"]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_attain"))
            .args(["report", "-", "--order-col", "order_id", "--format", "json"])
            .current_dir(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let stdin = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            (code_a, out.status.code()),
            (0, Some(0)),
            "{name}: {err_a} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The RFM section, less its command line (which names the input).
        let rfm = |json: &str| {
            let page: serde_json::Value = serde_json::from_str(json).unwrap();
            let mut section = page["sections"]
                .as_array()
                .and_then(|s| s.iter().find(|s| s["id"] == "rfm"))
                .cloned()
                .expect("an RFM section");
            section.as_object_mut().unwrap().remove("command");
            section
        };
        let (file, stdin) = (rfm(&file), rfm(&stdin));
        assert!(
            file["tables"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}"
        );
        assert_eq!(file, stdin, "{name}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
