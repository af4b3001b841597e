//! The expected customer value section: BG/NBD + Gamma-Gamma (`attain_lifecycle::clv`, as
//! `attain clv --spend gamma-gamma`) drawn as a histogram.

use anyhow::Context;
use attain_lifecycle::clv::{
    self, ClvOptions, CustomerSummary, PurchaseDistribution, PurchaseModel, TimeUnit,
};
use attain_types::{Rate, RepeatSummary};

use super::super::ReportArgs;
use super::super::charts::{self, Cell, Heatmap, Histogram, Lines, Series};
use super::super::data::Log;
use super::super::svg;
use super::super::svg::PALETTE;
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
    // The exact repeat summaries of each customer's purchase days (`RepeatSummary::from_days`,
    // what `attain clv` builds), ascending by customer id.
    let mut summaries = Vec::with_capacity(log.customers.len());
    for c in &log.customers {
        let Some(repeat) = RepeatSummary::from_days(c.days(), log.data_end)
            .with_context(|| format!("{}: customer {}", log.file, c.activity.customer_id))?
        else {
            continue;
        };
        summaries.push(
            CustomerSummary::from_repeat(&repeat, TimeUnit::Weeks)
                .with_context(|| format!("{}: customer {}", log.file, c.activity.customer_id))?,
        );
    }
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
    let valued: Vec<CustomerSummary> = summaries
        .iter()
        .filter(|s| !s.is_spend_excluded())
        .copied()
        .collect();
    let values = clv::customer_lifetime_values(&bg.params, &gg.params, &valued, options)
        .map_err(|(_, e)| e)?;
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
    if let Some(calibration_end) = args.clv_calibration_end {
        holdout_diagnostics(&mut section, log, calibration_end)?;
    }
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

/// The holdout check of `--clv-calibration-end`: BG/NBD fitted on the calibration, compared with
/// the rest of the file (FHL 2005's three diagnostics), and its P(alive) matrix.
fn holdout_diagnostics(
    section: &mut Section,
    log: &Log,
    calibration_end: attain_types::NaiveDate,
) -> anyhow::Result<()> {
    if calibration_end >= log.data_end {
        return Err(crate::usage::usage(format!(
            "--clv-calibration-end {calibration_end}: must be before the last day of the data, {}",
            log.data_end
        )));
    }
    // One transaction per purchase day: the holdout split counts purchase days.
    let rows = log.customers.iter().flat_map(|c| {
        c.days().map(|(date, amount)| attain_types::Transaction {
            customer_id: &c.activity.customer_id,
            date,
            amount,
            order_id: None,
        })
    });
    let unit = TimeUnit::Weeks;
    let checked = clv::split_holdout(rows, calibration_end, log.data_end).and_then(|split| {
        let summaries = split.summaries(unit)?;
        let fit = clv::fit_bg_nbd(&summaries)?;
        let predicted = clv::holdout_predictions(&split, &fit.params, unit)?;
        let curve = clv::tracking(&split, &fit.params, unit, 7)?;
        Ok((split, summaries, fit, predicted, curve))
    });
    let (split, summaries, fit, predicted, curve) = match checked {
        Ok(c) => c,
        Err(e) => {
            section.notes.push(format!(
                "The holdout check could not be made (calibration through {calibration_end}): {e}."
            ));
            return Ok(());
        }
    };
    let actual = split.holdout_transactions();
    let calibration_x = split.calibration_frequencies();
    let errors = clv::HoldoutErrors::new(&actual, &predicted)?;
    let weeks = split.holdout_length(unit);
    section.notes.push(format!(
        "Holdout check: BG/NBD calibrated on purchases through {calibration_end} ({} customers) predicts {:.0} repeat purchases in the {weeks:.1} weeks after it; {} were made ({}). Mean absolute error per customer {:.3}. The same check: attain clv {} --calibration-end {calibration_end} --holdout-end {} --model bgnbd.",
        svg::count(errors.customers as u64),
        errors.predicted_total,
        svg::count(errors.actual_total),
        errors.bias_percent.map_or_else(
            || "no bias measurable".to_owned(),
            |b| format!("{b:+.1}% bias")
        ),
        errors.mae,
        sh(&log.file),
        log.data_end
    ));

    // 1. Tracking: cumulative repeat purchases per week.
    let categories: Vec<String> = curve.iter().map(|p| p.period.to_string()).collect();
    let calibration_weeks = curve.iter().filter(|p| !p.holdout).count();
    let actual_series = Series {
        name: "actual".to_owned(),
        values: curve.iter().map(|p| Some(p.actual as f64)).collect(),
        texts: curve
            .iter()
            .map(|p| format!("{} through {}", svg::count(p.actual), p.end))
            .collect(),
    };
    let expected_series = Series {
        name: "BG/NBD expected".to_owned(),
        values: curve.iter().map(|p| Some(p.expected)).collect(),
        texts: curve
            .iter()
            .map(|p| format!("{:.1} through {}", p.expected, p.end))
            .collect(),
    };
    section.charts.push(charts::lines(&Lines {
        id: "chart-clv-tracking".to_owned(),
        title: "Cumulative repeat purchases per week: actual and BG/NBD expected".to_owned(),
        x_label: "Week since the first customer's first purchase".to_owned(),
        y_label: "Cumulative repeat purchases".to_owned(),
        categories,
        series: vec![
            (actual_series, PALETTE[0].to_owned(), false),
            (expected_series, PALETTE[5].to_owned(), true),
        ],
        marker_after: calibration_weeks
            .checked_sub(1)
            .map(|w| (w, "calibration end".to_owned())),
    }));

    // 2. Calibration histogram: customers by repeat purchases, actual and Σ P(X(T_i) = k).
    let probability = |k: u64, t: f64| fit.params.probability_of_purchases(t, k);
    let histogram = clv::calibration_histogram(&split, unit, 7, Some(&probability))?;
    let bin_label = |b: &clv::FrequencyBin| {
        if b.open_ended {
            format!("{}+", b.repeat_transactions)
        } else {
            b.repeat_transactions.to_string()
        }
    };
    let customers_series = |name: &str, pick: &dyn Fn(&clv::FrequencyBin) -> f64| Series {
        name: name.to_owned(),
        values: histogram.iter().map(|b| Some(pick(b))).collect(),
        texts: histogram
            .iter()
            .map(|b| format!("{:.1} customers", pick(b)))
            .collect(),
    };
    section.charts.push(charts::lines(&Lines {
        id: "chart-clv-histogram".to_owned(),
        title: "Customers by repeat purchases in calibration: actual and BG/NBD expected"
            .to_owned(),
        x_label: "Repeat purchases in calibration".to_owned(),
        y_label: "Customers".to_owned(),
        categories: histogram.iter().map(bin_label).collect(),
        series: vec![
            (
                customers_series("actual", &|b| b.actual),
                PALETTE[0].to_owned(),
                false,
            ),
            (
                customers_series("BG/NBD expected", &|b| b.expected.unwrap_or(0.0)),
                PALETTE[5].to_owned(),
                true,
            ),
        ],
        marker_after: None,
    }));

    // 3. Holdout purchases by calibration frequency.
    let by_x = clv::holdout_by_frequency(&calibration_x, &actual, &predicted, 7)?;
    let mean_series = |name: &str, pick: &dyn Fn(&clv::FrequencyBin) -> f64| Series {
        name: name.to_owned(),
        values: by_x.iter().map(|b| Some(pick(b))).collect(),
        texts: by_x
            .iter()
            .map(|b| {
                format!(
                    "{:.3} per customer ({} customers)",
                    pick(b),
                    svg::count(b.customers)
                )
            })
            .collect(),
    };
    section.charts.push(charts::lines(&Lines {
        id: "chart-clv-by-frequency".to_owned(),
        title: "Holdout purchases per customer by repeat purchases in calibration".to_owned(),
        x_label: "Repeat purchases in calibration".to_owned(),
        y_label: "Mean holdout purchases".to_owned(),
        categories: by_x.iter().map(bin_label).collect(),
        series: vec![
            (
                mean_series("actual", &|b| b.actual),
                PALETTE[0].to_owned(),
                false,
            ),
            (
                mean_series("BG/NBD expected", &|b| b.expected.unwrap_or(0.0)),
                PALETTE[5].to_owned(),
                true,
            ),
        ],
        marker_after: None,
    }));

    // 4. P(alive) at the calibration end by (repeat purchases, weeks of the last purchase),
    //    for a customer of the cohort's longest age.
    let t_max = summaries.iter().map(|s| s.t).fold(0.0, f64::max);
    let x_max = calibration_x.iter().copied().max().unwrap_or(0).min(12);
    let columns = 10_u32;
    let recency: Vec<f64> = (0..=columns)
        .map(|i| t_max * f64::from(i) / f64::from(columns))
        .collect();
    let mut cells = Vec::new();
    let mut rows = Vec::new();
    for x in (0..=x_max).rev() {
        rows.push(x.to_string());
        let mut row = Vec::new();
        for &t_x in &recency {
            // Without a repeat purchase, recency is 0 by definition.
            if x == 0 && t_x > 0.0 {
                row.push(None);
                continue;
            }
            let s = CustomerSummary::new(x, t_x, t_max);
            let p = fit.params.p_alive(&s)?;
            row.push(Some(Cell {
                shade: p,
                text: format!("{:.0}", p * 100.0),
                tip: format!(
                    "{x} repeat purchases, the last {t_x:.1} weeks after the first, {t_max:.1} weeks observed: P(alive) {}",
                    svg::percent(p)
                ),
                neutral: false,
            }));
        }
        cells.push(row);
    }
    section.charts.push(charts::heatmap(&Heatmap {
        id: "chart-clv-p-alive".to_owned(),
        title: format!("P(alive) at {calibration_end} (%) by repeat purchases and recency, BG/NBD"),
        x_label: "Weeks from the first to the last purchase (recency)".to_owned(),
        y_label: "Repeat purchases".to_owned(),
        rows,
        columns: recency.iter().map(|t| format!("{t:.0}")).collect(),
        cells,
        scale_title: "P(alive)".to_owned(),
        scale_lo: "0%".to_owned(),
        scale_hi: "100%".to_owned(),
    }));
    section.tables.push(Table {
        id: "table-clv-holdout".to_owned(),
        headers: [
            "calibration_end",
            "holdout_end",
            "customers",
            "actual_total",
            "predicted_total",
            "mae",
            "rmse",
            "msle",
            "bias_percent",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: vec![vec![
            calibration_end.to_string(),
            log.data_end.to_string(),
            errors.customers.to_string(),
            errors.actual_total.to_string(),
            format!("{:.4}", errors.predicted_total),
            format!("{:.4}", errors.mae),
            format!("{:.4}", errors.rmse),
            format!("{:.4}", errors.msle),
            errors
                .bias_percent
                .map(|b| format!("{b:.4}"))
                .unwrap_or_default(),
        ]],
    });
    Ok(())
}
