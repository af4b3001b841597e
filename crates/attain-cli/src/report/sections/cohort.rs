//! The cohort section: monthly acquisition cohorts (`attain_lifecycle::cohort`, as
//! `attain cohort --by month`, from each customer's purchase days) drawn as a retention heatmap.

use anyhow::Context;
use attain_lifecycle::cohort::{CohortCells, CohortCounts, CohortOptions};
use attain_types::{Granularity, RoundingStrategy};

use super::super::charts::{self, Cell, Heatmap};
use super::super::data::Log;
use super::super::svg;
use super::{Section, Table, sh, to_f64};

pub(super) fn section(log: &Log) -> anyhow::Result<Section> {
    let currency = log.currency;
    let options = CohortOptions::default()
        .granularity(Granularity::Month)
        .as_of(log.data_end);
    // Each customer's purchase days regrouped by month, as `attain cohort`'s fast path does.
    let mut cells = CohortCells::new(currency, options);
    for c in &log.customers {
        let months = c
            .activity
            .days_to(Granularity::Month)
            .with_context(|| format!("{}: customer {}", log.file, c.activity.customer_id))?;
        cells
            .add_customer(&months.periods)
            .with_context(|| format!("{}: customer {}", log.file, c.activity.customer_id))?;
    }
    let counts = CohortCounts {
        transactions: log.rows,
        excluded_after_as_of: 0,
        latest: Some(log.data_end),
    };
    let table = cells
        .finish(&counts)
        .with_context(|| format!("{}: cannot build the cohort table", log.file))?;
    let width = table.width();
    // The colour scale runs over periods 1.. (period 0 is 100% by definition).
    let max_later = table
        .cohorts
        .iter()
        .flat_map(|c| c.cells.iter().skip(1).flatten())
        .map(|cell| to_f64(cell.retention.to_decimal()))
        .fold(0.0, f64::max);
    let scale_top = if max_later > 0.0 { max_later } else { 1.0 };
    let cells = table
        .cohorts
        .iter()
        .map(|c| {
            c.cells
                .iter()
                .enumerate()
                .map(|(k, cell)| {
                    cell.as_ref().map(|cell| {
                        let r = to_f64(cell.retention.to_decimal());
                        Cell {
                            shade: r / scale_top,
                            text: format!("{:.0}%", r * 100.0),
                            tip: format!(
                                "{} cohort, month {k}: {} of {} customers active ({}), revenue {}",
                                c.label,
                                svg::count(cell.active),
                                svg::count(c.size),
                                svg::percent(r),
                                svg::money(cell.revenue.amount(), currency)
                            ),
                            neutral: k == 0,
                        }
                    })
                })
                .collect()
        })
        .collect();
    let chart = charts::heatmap(&Heatmap {
        id: "chart-cohort".to_owned(),
        title: "Cohort retention: share of each first-purchase month still buying".to_owned(),
        x_label: "Months since first purchase".to_owned(),
        y_label: "Cohort (customers)".to_owned(),
        rows: table
            .cohorts
            .iter()
            .map(|c| format!("{} ({})", c.label, svg::count(c.size)))
            .collect(),
        columns: (0..width).map(|k| k.to_string()).collect(),
        cells,
        scale_title: "Active share".to_owned(),
        scale_lo: "0%".to_owned(),
        scale_hi: format!("{:.0}%", scale_top * 100.0),
    });
    let mut headers = vec!["cohort".to_owned(), "size".to_owned()];
    headers.extend((0..width).map(|k| k.to_string()));
    let rows = table
        .cohorts
        .iter()
        .map(|c| {
            let mut row = vec![c.label.clone(), c.size.to_string()];
            row.extend(c.cells.iter().map(|cell| {
                cell.as_ref().map_or(String::new(), |x| {
                    x.retention
                        .to_decimal()
                        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                        .normalize()
                        .to_string()
                })
            }));
            row
        })
        .collect();
    let best = table
        .cohorts
        .iter()
        .filter_map(|c| c.retention(1).map(|r| (c, r)))
        .max_by_key(|(_, r)| *r);
    let mut kpis = vec![("Cohorts".to_owned(), svg::count(table.cohorts.len() as u64))];
    if let Some((c, r)) = best {
        kpis.push((
            format!("Best month-1 retention ({})", c.label),
            svg::percent(to_f64(r.to_decimal())),
        ));
    }
    Ok(Section {
        id: "cohort",
        title: "Cohort retention".to_owned(),
        lead: "Customers grouped by the month of their first purchase; each cell is the share of the cohort that bought again that many months later (blank: not observed yet). Period 0 is 100% by definition and drawn in grey.".to_owned(),
        kpis,
        charts: vec![chart],
        notes: Vec::new(),
        command: Some(format!(
            "attain cohort {} --by month --as-of {}{}",
            sh(&log.file),
            log.data_end,
            super::super::currency_flag(currency)
        )),
        tables: vec![Table {
            id: "table-cohort".to_owned(),
            headers,
            rows,
        }],
    })
}
