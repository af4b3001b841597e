//! The RFM section: each customer's RFM values (`CustomerActivity::rfm_values`, what
//! `attain_rfm::aggregate` gives) + `score` (5 bins, ties) + the `standard11` segment map, as
//! `attain rfm INPUT --as-of DATE --segments standard11` does.
//!
//! Kept in one small function ([`rfm_counts`]) that touches the attain-rfm API, so a change
//! there is a change here only.

use anyhow::Context;
use attain_rfm::{ScoreOptions, SegmentMap, score};
use attain_types::Decimal;

use super::super::charts::{self, Cell, Heatmap, Panel, Series};
use super::super::data::Log;
use super::super::svg::{self, PALETTE};
use super::{Section, Table, add, sh};

const BINS: u8 = 5;

/// Customers and revenue per segment (in the map's order) and per (R, F) score.
#[derive(Debug)]
struct RfmCounts {
    /// (segment, customers, revenue), in rule order, then customers with no segment.
    segments: Vec<(String, u64, Decimal)>,
    /// `grid[r - 1][f - 1]` = (customers, revenue).
    grid: Vec<Vec<(u64, Decimal)>>,
    customers: u64,
}

/// The one function that calls attain-rfm.
fn rfm_counts(log: &Log) -> anyhow::Result<RfmCounts> {
    // Each customer's values as `aggregate` gives them with the default options (frequency:
    // distinct orders), from the purchases by day and the order count of the one read.
    let customers = log
        .customers
        .iter()
        .map(|c| c.activity.rfm_values(c.orders, log.as_of))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: rfm", log.file))?;
    let scores = score(&customers, &ScoreOptions::default().bins(BINS))?;
    let map = SegmentMap::standard11();
    let names = map.assign_all(&scores, BINS)?;
    let mut segments: Vec<(String, u64, Decimal)> = map
        .rules
        .iter()
        .map(|r| (r.name.clone(), 0, Decimal::ZERO))
        .collect();
    let mut grid = vec![vec![(0_u64, Decimal::ZERO); usize::from(BINS)]; usize::from(BINS)];
    for ((c, s), name) in customers.iter().zip(&scores).zip(&names) {
        let label = name.unwrap_or("(no segment)");
        let i = match segments.iter().position(|(n, _, _)| n == label) {
            Some(i) => i,
            None => {
                segments.push((label.to_owned(), 0, Decimal::ZERO));
                segments.len() - 1
            }
        };
        segments[i].1 += 1;
        segments[i].2 = add(segments[i].2, c.monetary, "rfm segment revenue")?;
        let (r, f) = (usize::from(s.r), usize::from(s.f));
        if (1..=usize::from(BINS)).contains(&r) && (1..=usize::from(BINS)).contains(&f) {
            let cell = &mut grid[r - 1][f - 1];
            cell.0 += 1;
            cell.1 = add(cell.1, c.monetary, "rfm cell revenue")?;
        }
    }
    Ok(RfmCounts {
        segments,
        grid,
        customers: customers.len() as u64,
    })
}

/// The RFM section.
pub(super) fn section(log: &Log) -> anyhow::Result<Section> {
    let currency = log.currency;
    let counts = rfm_counts(log)?;
    let names: Vec<String> = counts.segments.iter().map(|s| s.0.clone()).collect();
    let f = |d: Decimal| d.try_into().unwrap_or(f64::NAN);
    let customers = Series {
        name: "customers".to_owned(),
        values: counts.segments.iter().map(|s| Some(s.1 as f64)).collect(),
        texts: counts.segments.iter().map(|s| svg::count(s.1)).collect(),
    };
    let revenue = Series {
        name: "revenue".to_owned(),
        values: counts.segments.iter().map(|s| Some(f(s.2))).collect(),
        texts: counts
            .segments
            .iter()
            .map(|s| svg::money(s.2, currency))
            .collect(),
    };
    let bars = charts::hbar_panels(
        "chart-rfm-segments",
        "RFM segments (standard11): customers and revenue",
        &names,
        &[
            Panel {
                title: "Customers".to_owned(),
                x_label: "Customers (count)".to_owned(),
                series: vec![(customers, PALETTE[0])],
            },
            Panel {
                title: super::super::with_unit("Revenue", currency),
                x_label: super::super::with_unit("Revenue", currency),
                series: vec![(revenue, PALETTE[2])],
            },
        ],
    );
    let max = counts
        .grid
        .iter()
        .flatten()
        .map(|c| c.0)
        .max()
        .unwrap_or(0)
        .max(1);
    let cells = (1..=BINS)
        .rev()
        .map(|r| {
            (1..=BINS)
                .map(|fq| {
                    let (n, rev) = counts.grid[usize::from(r - 1)][usize::from(fq - 1)];
                    Some(Cell {
                        shade: n as f64 / max as f64,
                        text: svg::count(n),
                        tip: format!(
                            "R {r}, F {fq}: {} customers, revenue {}",
                            svg::count(n),
                            svg::money(rev, currency)
                        ),
                        neutral: false,
                    })
                })
                .collect()
        })
        .collect();
    let heat = charts::heatmap(&Heatmap {
        id: "chart-rfm-grid".to_owned(),
        title: "Customers by recency and frequency score (R x F)".to_owned(),
        x_label: "Frequency score (1 = fewest orders, 5 = most)".to_owned(),
        y_label: "Recency score".to_owned(),
        rows: (1..=BINS)
            .rev()
            .map(|r| match r {
                5 => "R 5 (most recent)".to_owned(),
                1 => "R 1 (least recent)".to_owned(),
                r => format!("R {r}"),
            })
            .collect(),
        columns: (1..=BINS).map(|fq| format!("F {fq}")).collect(),
        cells,
        scale_title: "Customers".to_owned(),
        scale_lo: "0".to_owned(),
        scale_hi: svg::count(max),
    });
    let rows = counts
        .segments
        .iter()
        .map(|(n, c, r)| vec![n.clone(), c.to_string(), r.normalize().to_string()])
        .collect();
    let top = counts
        .segments
        .iter()
        .max_by(|a, b| a.2.cmp(&b.2))
        .map(|s| s.0.clone())
        .unwrap_or_default();
    Ok(Section {
        id: "rfm",
        title: "RFM segments".to_owned(),
        lead: format!(
            "Every customer scored 1 to 5 on recency, frequency and monetary value at {} (ties share a score) and placed in one of the standard 11 segments.",
            log.as_of
        ),
        kpis: vec![
            ("Customers scored".to_owned(), svg::count(counts.customers)),
            ("Largest revenue segment".to_owned(), top),
        ],
        charts: vec![bars, heat],
        notes: if log.has_orders {
            Vec::new()
        } else {
            vec!["The file has no order id column: every row counts as one order.".to_owned()]
        },
        command: Some(format!(
            "attain rfm {} --as-of {} --segments standard11{}",
            sh(&log.file),
            log.as_of,
            if log.has_orders {
                ""
            } else {
                " --no-order-col"
            }
        )),
        tables: vec![Table {
            id: "table-rfm".to_owned(),
            headers: ["segment", "customers", "revenue"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        }],
    })
}
