//! The funnel section: the target planned back through the stages
//! (`attain_funnel::Funnel::plan_revenue`, as `attain funnel plan`), against the entities
//! reaching each stage in an event file (`attain_funnel::measure`).

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use attain_funnel::insight::{
    Period, PeriodConversion, Takeaways, TimeToConvert, civil_date, conversion_over_time,
    takeaways, time_to_convert,
};
use attain_funnel::measure::{Event, MeasureOptions};
use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain_types::{Money, Rate};

use super::super::ReportArgs;
use super::super::charts::{self, Histogram, Panel, Series};
use super::super::data::Log;
use super::super::svg::{self, ACTUAL, REQUIRED};
use super::{Section, Table, sh};

/// What the report shows of a funnel measured from events.
struct Measured {
    /// Entities reaching each step (after exclusions).
    reached: Vec<u64>,
    /// The same without the exclusions, when there are any.
    before_exclusions: Option<Vec<u64>>,
    /// Time to convert into each step from the previous one.
    times: Vec<TimeToConvert>,
    /// Conversion by entry week.
    over_time: Vec<PeriodConversion>,
    takeaways: Takeaways,
}

/// The funnel measured from an event CSV, read by the shared event reader (the same columns,
/// grammar and time zones as `attain funnel measure`), with the exclusions and window of
/// `attain funnel measure --exclude --window`.
fn measure_events(
    args: &ReportArgs,
    path: &std::path::Path,
    steps: &[String],
) -> anyhow::Result<Measured> {
    let (exclusion_events, exclusions) =
        crate::funnel::parse_exclusions("--funnel-exclude", steps, &args.funnel_exclude)?;
    let index: HashMap<&str, u32> = steps
        .iter()
        .chain(&exclusion_events)
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    let mut entities: HashMap<String, u64> = HashMap::new();
    let mut events = Vec::new();
    crate::events::for_each_event(path, &args.event_columns, None, args.quiet, |row, _| {
        let Some(&step) = index.get(row.step) else {
            return Ok(());
        };
        let n = entities.len() as u64;
        let entity = *entities.entry(row.entity.to_owned()).or_insert(n);
        events.push(Event {
            entity,
            step,
            timestamp: row.time,
            group: 0,
        });
        Ok(())
    })?;
    let mut options = MeasureOptions::default().keep_paths(true);
    if let Some(w) = &args.funnel_window {
        options = options.window(
            crate::funnel::parse_duration(w)
                .map_err(|e| crate::usage::usage(format!("--funnel-window: {e}")))?,
        );
    }
    let reached = |m: &attain_funnel::measure::FunnelMeasurement| -> Vec<u64> {
        m.total.steps.iter().map(|s| s.reached).collect()
    };
    let with = options.clone().exclusions(exclusions.clone());
    let m = attain_funnel::measure::measure(&events, steps.len(), &with)
        .with_context(|| format!("{}", path.display()))?;
    let before_exclusions = if exclusions.is_empty() {
        None
    } else {
        let plain: Vec<Event> = events
            .iter()
            .copied()
            .filter(|e| (e.step as usize) < steps.len())
            .collect();
        let m = attain_funnel::measure::measure(&plain, steps.len(), &options)
            .with_context(|| format!("{}", path.display()))?;
        Some(reached(&m))
    };
    Ok(Measured {
        reached: reached(&m),
        before_exclusions,
        times: (1..steps.len())
            .filter_map(|s| time_to_convert(&m.paths, s))
            .collect(),
        over_time: conversion_over_time(&m.paths, steps.len(), Period::Week, 0.95)?,
        takeaways: takeaways(&m.total),
    })
}

/// A duration in seconds as text (`90 s`, `12 min`, `5.5 h`, `3.2 d`).
fn duration_text(seconds: f64) -> String {
    let a = seconds.abs();
    if a < 120.0 {
        format!("{seconds:.0} s")
    } else if a < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else if a < 172_800.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} d", seconds / 86_400.0)
    }
}

pub(super) fn section(
    args: &ReportArgs,
    log: &Log,
    target: Money,
    deal_size: Option<Money>,
) -> anyhow::Result<Section> {
    let currency = log.currency;
    let mut section = Section {
        id: "funnel",
        title: "Funnel: entries needed per stage".to_owned(),
        ..Section::default()
    };
    if args.funnel_stages.is_empty() {
        section.lead = "The reverse plan of the target through the sales funnel.".to_owned();
        section.notes.push("No funnel given: add --funnel-stages lead:0.1,visit:0.3,proposal:0.2 (and optionally --deal-size and --funnel-events) to see the entries each stage needs for the target.".to_owned());
        return Ok(section);
    }
    let mut stages = Vec::new();
    for (i, item) in args.funnel_stages.iter().enumerate() {
        let (name, rate) = item.rsplit_once(':').ok_or_else(|| {
            anyhow!(
                "--funnel-stages item {} ({item:?}): expected name:rate",
                i + 1
            )
        })?;
        let rate: Rate = rate
            .parse()
            .with_context(|| format!("--funnel-stages item {} ({item:?})", i + 1))?;
        if name.trim().is_empty() || name.trim() == "deal" {
            bail!(
                "--funnel-stages item {} ({item:?}): a stage needs a name other than `deal`",
                i + 1
            );
        }
        stages.push(Stage::new(name.trim(), rate));
    }
    let deal_size = deal_size.ok_or_else(|| {
        anyhow!(
            "{}: no transaction in the 12 months before {} for a default deal size: give --deal-size",
            log.file,
            log.as_of
        )
    })?;
    let funnel = Funnel { stages, deal_size };
    let plan = funnel
        .plan_revenue(target, PlanOptions::default().deal_rule(DealRule::Strict))
        .context("cannot plan the funnel")?;
    let mut names: Vec<String> = plan.stages.iter().map(|s| s.name.clone()).collect();
    names.push("deal".to_owned());
    let mut required: Vec<u64> = plan.stages.iter().map(|s| s.entries).collect();
    required.push(plan.deals);
    let measured = match &args.funnel_events {
        Some(path) => Some(measure_events(args, path, &names)?),
        None => None,
    };
    let actual = measured.as_ref().map(|m| m.reached.clone());
    let mut series = vec![(
        Series {
            name: "required".to_owned(),
            values: required.iter().map(|&n| Some(n as f64)).collect(),
            texts: required.iter().map(|&n| svg::count(n)).collect(),
        },
        REQUIRED,
    )];
    if let Some(before) = measured.as_ref().and_then(|m| m.before_exclusions.as_ref()) {
        series.push((
            Series {
                name: "actual before exclusions".to_owned(),
                values: before.iter().map(|&n| Some(n as f64)).collect(),
                texts: before.iter().map(|&n| svg::count(n)).collect(),
            },
            svg::PALETTE[2],
        ));
        section.notes.push(format!(
            "Exclusion steps: {}. An entity whose chain has an excluded event strictly between the two steps does not convert through that chain.",
            args.funnel_exclude.join(", ")
        ));
    }
    if let Some(a) = &actual {
        series.push((
            Series {
                name: "actual".to_owned(),
                values: a.iter().map(|&n| Some(n as f64)).collect(),
                texts: a.iter().map(|&n| svg::count(n)).collect(),
            },
            ACTUAL,
        ));
    } else {
        section.notes.push(
            "No --funnel-events file given: the chart shows the required counts only.".to_owned(),
        );
    }
    let chart = charts::hbar_panels(
        "chart-funnel",
        &format!(
            "Funnel for a target of {}: entries needed per stage",
            super::super::with_code(svg::money(target.amount(), currency), currency)
        ),
        &names,
        &[Panel {
            title: "Entries per stage".to_owned(),
            x_label: "Entries (count)".to_owned(),
            series,
        }],
    );
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            vec![
                n.clone(),
                plan.stages.get(i).map_or(String::new(), |s| {
                    s.rate.to_decimal().normalize().to_string()
                }),
                required[i].to_string(),
                actual
                    .as_ref()
                    .and_then(|a| a.get(i))
                    .map_or(String::new(), u64::to_string),
            ]
        })
        .collect();
    section.lead = format!(
        "Working back from the target: {} deals of {} each, and the entries every stage needs (rounded up at every stage).",
        svg::count(plan.deals),
        super::super::with_code(svg::money(deal_size.amount(), currency), currency)
    );
    if args.deal_size.is_none() {
        section.notes.push(
            "Default deal size: the mean order amount of the 12 months before the report date."
                .to_owned(),
        );
    }
    section.kpis = vec![
        ("Deals needed".to_owned(), svg::count(plan.deals)),
        (
            format!("Entries at the top ({})", names[0]),
            svg::count(required[0]),
        ),
    ];
    section.charts.push(chart);
    if let Some(m) = &measured {
        measured_charts(&mut section, m, &names);
    }
    section.command = Some(format!(
        "attain funnel plan --target {} --deal-size {} --stages {}{}",
        target.amount(),
        deal_size.amount(),
        sh(&args.funnel_stages.join(",")),
        super::super::currency_flag(currency)
    ));
    section.tables.push(Table {
        id: "table-funnel".to_owned(),
        headers: ["stage", "rate", "required", "actual"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    });
    Ok(section)
}

/// The time-to-convert histograms, conversion over time and the takeaways of a measured funnel.
fn measured_charts(section: &mut Section, m: &Measured, names: &[String]) {
    let name = |i: usize| names.get(i).cloned().unwrap_or_default();
    for t in &m.times {
        let edges: Vec<f64> = t
            .histogram
            .iter()
            .map(|b| b.from as f64)
            .chain(t.histogram.last().map(|b| b.to as f64))
            .collect();
        let tips = t
            .histogram
            .iter()
            .map(|b| {
                format!(
                    "{} entities took from {} to under {}",
                    svg::count(b.count),
                    duration_text(b.from as f64),
                    duration_text(b.to as f64)
                )
            })
            .collect();
        section.charts.push(charts::histogram(&Histogram {
            id: format!("chart-funnel-time-{}", t.step),
            title: format!(
                "Time to convert from {} to {} ({} entities; median {}, p90 {})",
                name(t.step - 1),
                name(t.step),
                svg::count(t.samples),
                duration_text(t.median as f64),
                duration_text(t.p90 as f64)
            ),
            x_label: "Time from the previous step (seconds)".to_owned(),
            y_label: "Entities".to_owned(),
            edges,
            counts: t.histogram.iter().map(|b| b.count).collect(),
            tips,
            bar_name: "entities per bin".to_owned(),
            open_last: None,
            markers: vec![
                (
                    format!("median {}", duration_text(t.median as f64)),
                    t.median as f64,
                ),
                (format!("mean {}", duration_text(t.mean)), t.mean),
            ],
        }));
    }
    if !m.over_time.is_empty() {
        let weeks: Vec<String> = m
            .over_time
            .iter()
            .map(|r| {
                let (y, mo, d) = civil_date(r.start_day);
                format!("week of {y:04}-{mo:02}-{d:02}")
            })
            .collect();
        let rates = Series {
            name: "conversion to the last step".to_owned(),
            values: m
                .over_time
                .iter()
                .map(|r| Some(super::to_f64(r.rate.to_decimal()) * 100.0))
                .collect(),
            texts: m
                .over_time
                .iter()
                .map(|r| {
                    format!(
                        "{:.1}% of {} (95% Wilson {:.1}% to {:.1}%)",
                        super::to_f64(r.rate.to_decimal()) * 100.0,
                        svg::count(r.entered),
                        r.interval.lower * 100.0,
                        r.interval.upper * 100.0
                    )
                })
                .collect(),
        };
        section.charts.push(charts::hbar_panels(
            "chart-funnel-over-time",
            "Conversion over time: entries by week of entry, converted to the last step",
            &weeks,
            &[Panel {
                title: "Conversion rate (%)".to_owned(),
                x_label: "Converted (% of the week's entries)".to_owned(),
                series: vec![(rates, ACTUAL)],
            }],
        ));
        section.tables.push(Table {
            id: "table-funnel-over-time".to_owned(),
            headers: [
                "week",
                "entered",
                "converted",
                "rate",
                "wilson_low_95",
                "wilson_high_95",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: m
                .over_time
                .iter()
                .zip(&weeks)
                .map(|(r, w)| {
                    vec![
                        w.trim_start_matches("week of ").to_owned(),
                        r.entered.to_string(),
                        r.converted.to_string(),
                        r.rate.to_decimal().round_dp(6).normalize().to_string(),
                        format!("{:.6}", r.interval.lower),
                        format!("{:.6}", r.interval.upper),
                    ]
                })
                .collect(),
        });
    }
    if let Some(d) = m.takeaways.largest_drop_off {
        section.kpis.push((
            "Largest drop-off".to_owned(),
            format!("{} ({} lost)", name(d.step), svg::count(d.lost)),
        ));
    }
    if let Some(x) = m.takeaways.slowest_step {
        section.kpis.push((
            "Slowest step (median)".to_owned(),
            format!("{} ({})", name(x.step), duration_text(x.median as f64)),
        ));
    }
}
