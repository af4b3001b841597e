//! The page: one XHTML-compatible HTML document with inline CSS and the SVG charts. No
//! script, no external font, image or style sheet: it opens offline and prints well.

use std::fmt::Write as _;

use super::data::Log;
use super::sections::{Section, Sections, Table};
use super::svg::esc;

const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #5a5a5a; --line: #d9d9d9; --card: #ffffff; --bg: #f4f5f7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 0 0 16px; color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 12px 0 4px; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.kpi .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.kpi .value { font-size: 19px; font-weight: 600; font-variant-numeric: tabular-nums; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 22px 0; }
section h2 { margin: 0 0 6px; font-size: 20px; }
section p.lead { margin: 0 0 8px; color: var(--muted); max-width: 70em; }
section .kpis .kpi { background: #fafbfc; }
svg.chart { display: block; width: 100%; height: auto; margin: 14px 0 6px; }
svg .chart-title { font-size: 17px; font-weight: 600; fill: var(--ink); }
svg .panel-title { font-size: 14px; font-weight: 600; fill: var(--ink); }
svg .tick { font-size: 12px; fill: var(--muted); font-variant-numeric: tabular-nums; }
svg .cat { font-size: 13px; fill: var(--ink); }
svg .value { font-size: 12px; fill: var(--ink); font-variant-numeric: tabular-nums; }
svg .cell { font-size: 12px; font-variant-numeric: tabular-nums; }
svg .axis-label { font-size: 13px; fill: var(--ink); }
svg .legend-text { font-size: 13px; fill: var(--ink); }
svg .marker-text { font-size: 12px; fill: #D55E00; font-weight: 600; }
svg .grid { stroke: #ececec; stroke-width: 1; }
svg .axis { stroke: #888888; stroke-width: 1; }
svg .marker { stroke: #D55E00; stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .run-rate { fill: none; stroke: #D55E00; stroke-width: 2.5; stroke-dasharray: 6 3; }
svg rect:hover { opacity: .8; }
.note { font-size: 13px; color: var(--muted); margin: 6px 0; }
.command { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f2f3f5;
  border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre; }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-size: 12.5px; margin-top: 8px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #eeeeee; padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.scroll { overflow-x: auto; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
@media print { body { background: #ffffff; } section { break-inside: avoid; border: none; } }
"#;

fn kpis(out: &mut String, items: &[(String, String)]) {
    if items.is_empty() {
        return;
    }
    out.push_str(r#"<div class="kpis">"#);
    for (label, value) in items {
        let _ = write!(
            out,
            r#"<div class="kpi"><div class="label">{}</div><div class="value">{}</div></div>"#,
            esc(label),
            esc(value)
        );
    }
    out.push_str("</div>");
}

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        r#"<details><summary>The numbers</summary><div class="scroll"><table id="{}"><thead><tr>"#,
        esc(&t.id)
    );
    for h in &t.headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></details>");
}

fn section(out: &mut String, s: &Section) {
    let _ = write!(
        out,
        r#"<section id="{}"><h2>{}</h2><p class="lead">{}</p>"#,
        s.id,
        esc(&s.title),
        esc(&s.lead)
    );
    kpis(out, &s.kpis);
    for chart in &s.charts {
        out.push_str(chart);
    }
    for note in &s.notes {
        let _ = write!(out, r#"<p class="note">{}</p>"#, esc(note));
    }
    if let Some(cmd) = &s.command {
        let _ = write!(
            out,
            r#"<p class="note">The same numbers as CSV:</p><div class="command">{}</div>"#,
            esc(cmd)
        );
    }
    for t in &s.tables {
        table(out, t);
    }
    out.push_str("</section>");
}

/// The whole document.
pub(super) fn page(log: &Log, sections: &Sections) -> String {
    let mut out = String::with_capacity(256 * 1024);
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(r#"<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>"#);
    let _ = write!(
        out,
        "<title>attain report: {}</title><style>{CSS}</style></head><body><main><header><h1>Sales report</h1>",
        esc(&log.file)
    );
    let unit = crate::plan::currency_unit(&log.currency)
        .map_or_else(|| "no currency".to_owned(), |c| format!("amounts in {c}"));
    let mut sub = format!("{} · report date {} · {unit}", log.file, log.as_of);
    if log.after_as_of > 0 {
        let _ = write!(
            sub,
            " · {} rows after the report date left out",
            log.after_as_of
        );
    }
    let _ = write!(out, "<p>{}</p>", esc(&sub));
    kpis(&mut out, &sections.summary);
    out.push_str("</header>");
    for s in &sections.list {
        section(&mut out, s);
    }
    let _ = writeln!(
        out,
        "<footer>Made by attain {} from {}. Self-contained: no script, no network.</footer></main></body></html>",
        env!("CARGO_PKG_VERSION"),
        esc(&log.file)
    );
    out
}
