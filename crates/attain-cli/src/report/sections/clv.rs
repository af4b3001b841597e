//! The expected customer value section: BG/NBD + Gamma-Gamma (`attain_lifecycle::clv`, as
//! `attain clv --spend gamma-gamma`) drawn as a histogram.

use anyhow::Context;
use attain_lifecycle::clv::{self, ClvOptions, CustomerSummary, PurchaseModel, TimeUnit};
use attain_types::Rate;

use super::super::ReportArgs;
use super::super::charts::{self, Histogram};
use super::super::data::Log;
use super::super::svg;
use super::{Section, Table, sh};

pub(super) fn section(args: &ReportArgs, log: &Log) -> anyhow::Result<Section> {
    let currency = log.currency;
    let months = f64::from(args.clv_months);
    let discount = Rate::new(args.discount).context("--discount")?;
    let mut section = Section {
        id: "clv",
        title: "Expected customer value".to_owned(),
        lead: format!(
            "What each customer is expected to spend in the next {} months, discounted at {}% a month: BG/NBD for the number of purchases and Gamma-Gamma for their value, fitted to this file (statistical estimates, in f64).",
            args.clv_months,
            discount.to_percent().normalize()
        ),
        command: Some(format!(
            "attain clv {} --calibration-end {} --horizon {}m --spend gamma-gamma --discount {}",
            sh(&log.file),
            log.data_end,
            args.clv_months,
            args.discount
        )),
        ..Section::default()
    };
    // The exact repeat summaries from attain-rfm's aggregation, as `attain clv` builds them.
    let rows = log.rows.iter().map(|t| attain_rfm::Transaction {
        customer_id: &log.customers[t.customer as usize],
        date: t.date,
        amount: t.amount.amount(),
        order_id: None,
    });
    let summaries = attain_rfm::repeat_summaries(rows, log.data_end)
        .with_context(|| log.file.clone())?
        .iter()
        .map(|(_, r)| CustomerSummary::from_repeat(r, TimeUnit::Weeks))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| log.file.clone())?;
    let fitted =
        clv::fit_bg_nbd(&summaries).and_then(|p| Ok((p, clv::fit_gamma_gamma(&summaries)?)));
    let (bg, gg) = match fitted {
        Ok(f) => f,
        Err(e) => {
            section
                .notes
                .push(format!("The models could not be fitted to this file: {e}."));
            return Ok(section);
        }
    };
    let options = ClvOptions::default()
        .months(months)
        .monthly_discount(discount)
        .unit(TimeUnit::Weeks);
    // Repeat buyers with a non-positive mean repeat spend are left out of the spend fit and
    // get no value (the library's policy, as in `attain clv`).
    let mut values = Vec::with_capacity(summaries.len());
    for s in summaries.iter().filter(|s| !s.is_spend_excluded()) {
        values.push(clv::customer_lifetime_value(
            &bg.params, &gg.params, s, options,
        )?);
    }
    let alive: f64 = summaries
        .iter()
        .map(|s| bg.params.p_alive(s).unwrap_or(0.0))
        .sum::<f64>()
        / summaries.len().max(1) as f64;
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let total: f64 = sorted.iter().sum();
    let mean = total / n.max(1) as f64;
    let median = if n == 0 {
        0.0
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let p95 = sorted
        .get(((n as f64) * 0.95).floor() as usize)
        .or(sorted.last())
        .copied()
        .unwrap_or(1.0);
    let top_decile: f64 = sorted.iter().rev().take(n.div_ceil(10)).sum();
    let (ticks, top) = svg::nice_ticks(p95, 20);
    let step = ticks.get(1).copied().unwrap_or(1.0);
    let bins = (top / step).round().max(1.0) as usize;
    let open = sorted.last().is_some_and(|&m| m > top);
    let mut counts = vec![0_u64; bins];
    for &v in &sorted {
        let i = ((v.max(0.0) / step).floor() as usize).min(bins - 1);
        counts[i] += 1;
    }
    let edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step).collect();
    let tips = (0..bins)
        .map(|i| {
            let hi = if open && i + 1 == bins {
                "and more".to_owned()
            } else {
                format!("to {}", svg::money_f64(edges[i + 1], currency))
            };
            format!(
                "{} customers with an expected value from {} {hi}",
                svg::count(counts[i]),
                svg::money_f64(edges[i], currency)
            )
        })
        .collect();
    let chart = charts::histogram(&Histogram {
        id: "chart-clv".to_owned(),
        title: super::super::with_unit(
            &format!(
                "Distribution of expected customer value over {} months",
                args.clv_months
            ),
            currency,
        ),
        x_label: super::super::with_unit("Expected value per customer", currency),
        y_label: "Customers".to_owned(),
        edges,
        counts,
        tips,
        bar_name: "customers per bin".to_owned(),
        open_last: open.then(|| format!("{}+", svg::tick(top - step, step))),
        markers: vec![
            (
                format!("median {}", svg::money_f64(median, currency)),
                median,
            ),
            (format!("mean {}", svg::money_f64(mean, currency)), mean),
        ],
    });
    section.kpis = vec![
        ("Customers scored".to_owned(), svg::count(n as u64)),
        (
            super::super::with_unit("Total expected value", currency),
            svg::money_f64(total, currency),
        ),
        (
            "Mean per customer".to_owned(),
            svg::money_f64(mean, currency),
        ),
        (
            "Top 10% of customers hold".to_owned(),
            svg::percent(if total > 0.0 { top_decile / total } else { 0.0 }),
        ),
        ("Mean P(alive)".to_owned(), svg::percent(alive)),
    ];
    let p = bg.params;
    section.notes.push(format!(
        "BG/NBD (weeks): r {:.4}, alpha {:.4}, a {:.4}, b {:.4}; Gamma-Gamma: p {:.4}, q {:.4}, gamma {:.4}.",
        p.r, p.alpha, p.a, p.b, gg.params.p, gg.params.q, gg.params.gamma
    ));
    if gg.excluded_non_positive_spend > 0 {
        section.notes.push(format!(
            "{} repeat buyers with a zero or negative mean repeat spend are left out of the spend model and have no expected value.",
            svg::count(gg.excluded_non_positive_spend as u64)
        ));
    }
    if open {
        section.notes.push(format!(
            "The last, lighter bar collects every customer from {} up (the axis stops near the 95th percentile so the rest stays readable).",
            svg::money_f64(top - step, currency)
        ));
    }
    section.charts.push(chart);
    section.tables.push(Table {
        id: "table-clv".to_owned(),
        headers: ["customers", "total", "mean", "median"]
            .map(str::to_owned)
            .to_vec(),
        rows: vec![vec![
            n.to_string(),
            format!("{total:.2}"),
            format!("{mean:.4}"),
            format!("{median:.4}"),
        ]],
    });
    Ok(section)
}
