//! The funnel section: the target planned back through the stages
//! (`attain_funnel::Funnel::plan_revenue`, as `attain funnel plan`), against the entities
//! reaching each stage in an event file (`attain_funnel::measure`).

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use attain_funnel::measure::{Event, MeasureOptions};
use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain_types::{Money, NaiveDate, Rate};

use super::super::ReportArgs;
use super::super::charts::{self, Panel, Series};
use super::super::data::Log;
use super::super::svg::{self, ACTUAL, REQUIRED};
use super::{Section, Table, sh};

/// Parses integer seconds, `YYYY-MM-DD` or `YYYY-MM-DD[T ]HH:MM[:SS]` (no zone) to seconds.
fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let date = NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let mut secs = (date - epoch).num_days().checked_mul(86_400)?;
    let rest = &t[10..];
    if !rest.is_empty() {
        let clock = rest.strip_prefix(['T', ' '])?;
        let mut parts = clock.split(':');
        let mut next = |max: i64| -> Option<i64> {
            let v: i64 = parts.next()?.parse().ok()?;
            (0..=max).contains(&v).then_some(v)
        };
        let (h, m) = (next(23)?, next(59)?);
        let s = next(60).unwrap_or(0);
        secs += h * 3600 + m * 60 + s;
    }
    Some(secs)
}

/// The entities reaching each step of an event CSV (`entity_id,step,timestamp`).
fn measure_events(path: &std::path::Path, steps: &[String]) -> anyhow::Result<Vec<u64>> {
    let file = path.display();
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read {file}"))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{file}:1: cannot read the header"))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| anyhow!("{file}:1: no column {name:?} in the header"))
    };
    let (ci, si, ti) = (column("entity_id")?, column("step")?, column("timestamp")?);
    let index: HashMap<&str, u32> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    let mut entities: HashMap<String, u64> = HashMap::new();
    let mut events = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow!("{file}:{line}: {e}")
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let Some(&step) = index.get(record.get(si).unwrap_or("").trim()) else {
            continue;
        };
        let raw = record.get(ti).unwrap_or("");
        let timestamp = parse_timestamp(raw).ok_or_else(|| {
            anyhow!("{file}:{line}: column \"timestamp\": invalid timestamp {raw:?} (use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or integer seconds)")
        })?;
        let id = record.get(ci).unwrap_or("").trim();
        if id.is_empty() {
            bail!("{file}:{line}: column \"entity_id\": empty entity id");
        }
        let n = entities.len() as u64;
        let entity = *entities.entry(id.to_owned()).or_insert(n);
        events.push(Event {
            entity,
            step,
            timestamp,
            group: 0,
        });
    }
    let m = attain_funnel::measure::measure(&events, steps.len(), &MeasureOptions::default())
        .with_context(|| format!("{file}"))?;
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
        Some(path) => Some(measure_events(path, &names)?),
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
            "Funnel for a target of {} {}: entries needed per stage",
            svg::money(target.amount(), currency),
            currency.code()
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
        "Working back from the target: {} deals of {} {} each, and the entries every stage needs (rounded up at every stage).",
        svg::count(plan.deals),
        svg::money(deal_size.amount(), currency),
        currency.code()
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
        "attain funnel plan --target {} --deal-size {} --stages {} --currency {}",
        target.amount(),
        deal_size.amount(),
        sh(&args.funnel_stages.join(",")),
        currency.code()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("86400"), Some(86_400));
        assert_eq!(parse_timestamp("1970-01-02"), Some(86_400));
        assert_eq!(parse_timestamp("1970-01-02T01:00"), Some(90_000));
        assert_eq!(parse_timestamp("1970-01-02T25:00"), None);
    }
}
