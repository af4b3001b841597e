//! The funnel section: the target planned back through the stages
//! (`attain_funnel::Funnel::plan_revenue`, as `attain funnel plan`), against the entities
//! reaching each stage in an event file (`attain_funnel::measure`).

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use attain_funnel::measure::{Event, MeasureOptions};
use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain_types::{Money, Rate};

use super::super::ReportArgs;
use super::super::charts::{self, Panel, Series};
use super::super::data::Log;
use super::super::svg::{self, ACTUAL, REQUIRED};
use super::{Section, Table, sh};

/// The entities reaching each step of an event CSV, read by the shared event reader (the
/// same columns, grammar and time zones as `attain funnel measure`).
fn measure_events(
    path: &std::path::Path,
    columns: &crate::events::EventColumnArgs,
    steps: &[String],
    quiet: bool,
) -> anyhow::Result<Vec<u64>> {
    let index: HashMap<&str, u32> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    let mut entities: HashMap<String, u64> = HashMap::new();
    let mut events = Vec::new();
    crate::events::for_each_event(path, columns, None, quiet, |row, _| {
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
    let m = attain_funnel::measure::measure(&events, steps.len(), &MeasureOptions::default())
        .with_context(|| format!("{}", path.display()))?;
    Ok(m.total.steps.iter().map(|s| s.reached).collect())
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
    let actual = match &args.funnel_events {
        Some(path) => Some(measure_events(
            path,
            &args.event_columns,
            &names,
            args.quiet,
        )?),
        None => None,
    };
    let mut series = vec![(
        Series {
            name: "required".to_owned(),
            values: required.iter().map(|&n| Some(n as f64)).collect(),
            texts: required.iter().map(|&n| svg::count(n)).collect(),
        },
        REQUIRED,
    )];
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
