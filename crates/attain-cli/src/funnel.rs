//! `attain funnel plan|measure`: funnel planning and funnels measured from event logs.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use attain_funnel::measure::{Event, FunnelMeasurement, MeasureOptions, StepOrder, StepTable};
use attain_funnel::{DailyActionPlan, DailySpread, DealRule, Funnel, Plan, PlanOptions, Stage};
use attain_types::input::{Quoted, parse_money};
use attain_types::{Currency, NaiveDate, Period, Rate, WorkingCalendar};

use crate::events::{self, EventColumnArgs};
use crate::output::{Format, OutputArgs};
use crate::usage::{UsageContext, usage};

/// Arguments of `attain funnel`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  $ attain funnel plan --target 250000 --deal-size 83333.33 --stages lead:0.1,prospect:20%\n  $ \
attain funnel measure events.csv --steps lead,visit,deal --window 30d"
)]
pub(crate) struct FunnelArgs {
    #[command(subcommand)]
    command: FunnelCommand,
}

#[derive(Debug, clap::Subcommand)]
enum FunnelCommand {
    /// Entries needed at every stage for a target, with the probability of hitting it.
    Plan(PlanArgs),
    /// A funnel measured from an event CSV (entity, step, timestamp).
    Measure(MeasureArgs),
}

/// Reverse planning: a money target (or a deal count) to entries at every stage.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  $ attain funnel plan --target 250000 --deal-size 83333.33 \\\n    --stages lead:0.1,prospect:20% --tolerance\n  $ \
attain funnel plan --target 250000 --deal-size 83333.33 --stages lead:0.1,prospect:20% \\\n    --tolerance --daily-start 2026-03-02 --daily-end 2026-03-08"
)]
struct PlanArgs {
    /// The money target (plain decimal text).
    #[arg(long, required_unless_present = "deals", conflicts_with = "deals")]
    target: Option<String>,
    /// Plan from a number of deals instead of a money target.
    #[arg(long)]
    deals: Option<u64>,
    /// Average deal size (plain decimal text).
    #[arg(long)]
    deal_size: String,
    /// Stages from the top, as `name:rate` (`lead:0.1,prospect:20%`); each rate converts that
    /// stage into the next (the last into deals).
    #[arg(long, value_delimiter = ',', required = true)]
    stages: Vec<String>,
    /// Accept a shortfall of less than one minor unit per deal (250,000 at 83,333.33: 3 deals,
    /// not 4).
    #[arg(long)]
    tolerance: bool,
    /// Confidence for the `entries_for_confidence` column.
    #[arg(long, default_value_t = 0.9)]
    confidence: f64,
    /// ISO 4217 currency code.
    #[arg(long, default_value = "XXX")]
    currency: String,
    /// Print the daily action list instead: every stage's count, and the deals, spread over
    /// the working days (Monday to Friday) from this day to --daily-end (YYYY-MM-DD); needs
    /// --target.
    #[arg(long, requires = "daily_end", conflicts_with = "deals", value_parser = crate::args::date)]
    daily_start: Option<NaiveDate>,
    /// The last day (inclusive) of the daily action list.
    #[arg(long, requires = "daily_start", value_parser = crate::args::date)]
    daily_end: Option<NaiveDate>,
    /// With --daily-start: ask ceil(count / working days) every day, which meets the period
    /// but can ask for more than it needs. By default the days are spread exactly (largest
    /// remainder, extra units on the earliest days) and add up to the period's need.
    #[arg(long, requires = "daily_start")]
    round_up_each_day: bool,
    #[command(flatten)]
    out: OutputArgs,
}

/// A funnel measured from events, like ClickHouse `windowFunnel` (see the attain-funnel docs).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  $ attain funnel measure events.csv --steps lead,visit,deal --window 30d --format json\n  $ \
attain funnel measure events.csv --steps lead,visit,deal --step-windows -,7d,14d\n\n\
Timestamps: integer seconds, YYYY-MM-DD, or YYYY-MM-DD[T ]HH:MM[:SS][Z|+HH:MM].\n\
Durations: integer seconds or a number with s, m, h, d or w (30d)."
)]
struct MeasureArgs {
    /// The event CSV, with a header line.
    events: PathBuf,
    /// The funnel's steps in order (values of the step column; other steps are ignored).
    #[arg(long, value_delimiter = ',', required = true)]
    steps: Vec<String>,
    /// Conversion window from the first step (`30d`); unlimited if absent.
    #[arg(long)]
    window: Option<String>,
    /// Per-step windows from the previous step, one per step, `-` for none (`-,7d,14d`).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    step_windows: Vec<String>,
    /// Timestamps must strictly increase along the funnel (equal timestamps never convert).
    #[arg(long)]
    strict: bool,
    /// Break the funnel down by this column (first-touch: the value on the entity's first step).
    #[arg(long, value_name = "COLUMN")]
    breakdown: Option<String>,
    /// Print each entity's step timestamps instead of the step table.
    #[arg(long)]
    paths: bool,
    #[command(flatten)]
    columns: EventColumnArgs,
    #[command(flatten)]
    out: OutputArgs,
}

pub(crate) fn run(args: &FunnelArgs) -> anyhow::Result<()> {
    match &args.command {
        FunnelCommand::Plan(a) => run_plan(a),
        FunnelCommand::Measure(a) => run_measure(a),
    }
}

/// Parses item `index` (from 0) of a stage list, `name:rate` (`lead:0.1`, `prospect:20%`);
/// `option` names the list in messages (`--stages`; `attain report` has `--funnel-stages`).
/// Errors are usage errors.
pub(crate) fn parse_stage(option: &str, item: &str, index: usize) -> anyhow::Result<Stage> {
    let item_text = || format!("{option} item {} ({})", index + 1, Quoted::new(item));
    let (name, rate) = item
        .rsplit_once(':')
        .ok_or_else(|| usage(format!("{}: expected name:rate", item_text())))?;
    let rate: Rate = rate.parse().with_usage(item_text)?;
    if name.trim().is_empty() {
        return Err(usage(format!("{}: empty stage name", item_text())));
    }
    Ok(Stage::new(name.trim(), rate))
}

fn run_plan(args: &PlanArgs) -> anyhow::Result<()> {
    let out = args.out.open(&[])?;
    let currency = Currency::new(&args.currency).context("--currency")?;
    // Money is parsed once, exactly, and checked against the currency (`83333.33` JPY and
    // `250000.005` USD are refused), as in `plan` and `allocate`.
    let deal_size = parse_money(&args.deal_size, currency).usage("--deal-size")?;
    let stages = args
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| parse_stage("--stages", s, i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let funnel = Funnel { stages, deal_size };
    let rule = if args.tolerance {
        DealRule::MinorUnitTolerance
    } else {
        DealRule::Strict
    };
    if let (Some(first), Some(last), Some(t)) = (args.daily_start, args.daily_end, &args.target) {
        let target = parse_money(t, currency).usage("--target")?;
        if last < first {
            return Err(usage(format!(
                "--daily-end: {last} is before --daily-start {first}"
            )));
        }
        let period = Period::from_inclusive(first, last).usage("--daily-start/--daily-end")?;
        let spread = if args.round_up_each_day {
            DailySpread::RoundUpEachDay
        } else {
            DailySpread::Exact
        };
        let options = PlanOptions::default().deal_rule(rule).daily_spread(spread);
        let daily = funnel
            .daily_actions(target, &period, &WorkingCalendar::default(), options)
            .or_usage()?;
        return out.write_with(|w| write_daily(w, args.out.format, &daily));
    }
    let plan = match (&args.target, args.deals) {
        (Some(t), _) => {
            let target = parse_money(t, currency).usage("--target")?;
            // Without input files, only the option values can make the plan fail.
            funnel
                .plan_revenue(target, PlanOptions::default().deal_rule(rule))
                .or_usage()?
        }
        (None, Some(d)) => funnel.plan_deals(d).or_usage()?,
        (None, None) => return Err(usage("give --target or --deals")),
    };
    let rows = plan_rows(&plan, args.confidence)?;
    out.write_with(|w| match args.out.format {
        Format::Csv => {
            let mut c = csv::Writer::from_writer(w);
            c.write_record([
                "stage",
                "rate",
                "entries",
                "needed_outputs",
                "expected_outputs",
                "hit_probability",
                "entries_for_confidence",
            ])?;
            for r in &rows {
                c.write_record([
                    r.name.clone(),
                    r.rate.clone().unwrap_or_default(),
                    r.entries.to_string(),
                    r.needed.map(|n| n.to_string()).unwrap_or_default(),
                    r.expected.clone().unwrap_or_default(),
                    format!("{:.4}", r.hit),
                    r.for_confidence.to_string(),
                ])?;
            }
            c.flush()
        }
        Format::Json => {
            let outcome = |o: &attain_funnel::RoundingOutcome| OutcomeJson {
                deal_overshoot: o.deal_overshoot.normalize().to_string(),
                expected_deals: o.expected_deals.normalize().to_string(),
                top_entries: o.top_entries,
            };
            let doc = FunnelPlanJson {
                confidence: args.confidence,
                currency: currency.code(),
                deal_revenue: plan.deal_revenue.amount().to_string(),
                deal_rule: if args.tolerance {
                    "minor_unit_tolerance"
                } else {
                    "strict"
                },
                deal_size: plan.deal_size.amount().to_string(),
                deals: plan.deals,
                revenue_overshoot: plan.revenue_overshoot.map(|m| m.amount().to_string()),
                rounding: RoundingJson {
                    every_stage: outcome(&plan.every_stage),
                    once_at_top: outcome(&plan.once_at_top),
                },
                stages: rows
                    .iter()
                    .map(|r| StageJson {
                        entries: r.entries,
                        entries_for_confidence: r.for_confidence,
                        expected_outputs: r.expected.as_deref(),
                        hit_probability: r.hit,
                        needed_outputs: r.needed,
                        rate: r.rate.as_deref(),
                        stage: &r.name,
                    })
                    .collect(),
                target: plan.target.map(|t| t.amount().to_string()),
            };
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)
        }
    })
}

/// One line of the daily action list: a working day, a stage (or `deal`) and its count.
#[derive(Debug, serde::Serialize)]
struct DailyRow<'a> {
    date: String,
    stage: &'a str,
    count: u64,
}

/// `funnel plan --daily-start`: one row per working day and stage, in date order.
fn write_daily(w: &mut dyn Write, format: Format, daily: &DailyActionPlan) -> io::Result<()> {
    let mut rows = Vec::new();
    for (day, date) in daily.working_dates.iter().enumerate() {
        for a in &daily.actions {
            rows.push(DailyRow {
                date: date.to_string(),
                stage: &a.name,
                count: a.per_working_day.get(day).copied().unwrap_or(0),
            });
        }
    }
    match format {
        Format::Csv => {
            let mut c = csv::Writer::from_writer(w);
            for r in &rows {
                c.serialize(r)?;
            }
            c.flush()
        }
        Format::Json => {
            let doc = DailyJson {
                daily_spread: match daily.spread {
                    DailySpread::RoundUpEachDay => "round_up_each_day",
                    _ => "exact",
                },
                rows,
                working_days: daily.working_days,
            };
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)
        }
    }
}

/// `funnel plan --daily-start --format json`.
#[derive(Debug, serde::Serialize)]
struct DailyJson<'a> {
    daily_spread: &'static str,
    rows: Vec<DailyRow<'a>>,
    working_days: u64,
}

struct PlanRow {
    name: String,
    rate: Option<String>,
    entries: u64,
    needed: Option<u64>,
    expected: Option<String>,
    hit: f64,
    for_confidence: u64,
}

fn plan_rows(plan: &Plan, confidence: f64) -> anyhow::Result<Vec<PlanRow>> {
    let mut rows = Vec::with_capacity(plan.stages.len() + 1);
    for (i, s) in plan.stages.iter().enumerate() {
        rows.push(PlanRow {
            name: s.name.clone(),
            rate: Some(s.rate.to_decimal().normalize().to_string()),
            entries: s.entries,
            needed: Some(s.needed_outputs),
            expected: Some(s.expected_outputs.normalize().to_string()),
            hit: plan.hit_probability(i).unwrap_or(0.0),
            for_confidence: plan
                .entries_for_confidence(i, confidence)
                .usage("--confidence")?
                .unwrap_or(0),
        });
    }
    rows.push(PlanRow {
        name: "deal".into(),
        rate: None,
        entries: plan.deals,
        needed: None,
        expected: None,
        hit: 1.0,
        for_confidence: plan.deals,
    });
    Ok(rows)
}

/// Parses `30d`, `12h`, `90m`, `45s`, `2w` or integer seconds.
fn parse_duration(text: &str) -> anyhow::Result<i64> {
    let t = text.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "s"),
    };
    let n: i64 = num.parse().with_context(|| {
        format!(
            "invalid duration {}: expected a whole number and s, m, h, d or w",
            Quoted::new(text)
        )
    })?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => bail!(
            "invalid duration {}: unit must be s, m, h, d or w",
            Quoted::new(text)
        ),
    };
    n.checked_mul(mult)
        .with_context(|| format!("duration {} is too long", Quoted::new(text)))
}

struct Loaded {
    events: Vec<Event>,
    entity_names: Vec<String>,
    group_names: Vec<String>,
}

fn load_events(args: &MeasureArgs) -> anyhow::Result<Loaded> {
    let mut step_index: HashMap<&str, u32> = HashMap::new();
    for (i, s) in args.steps.iter().enumerate() {
        if step_index.insert(s.as_str(), u32::try_from(i)?).is_some() {
            return Err(usage(format!(
                "--steps: step {} is listed twice",
                Quoted::new(s)
            )));
        }
    }
    let mut entities: HashMap<String, u64> = HashMap::new();
    let mut entity_names = Vec::new();
    let mut groups: HashMap<String, u32> = HashMap::new();
    let mut group_names = Vec::new();
    let mut events = Vec::new();
    events::for_each_event(
        &args.events,
        &args.columns,
        args.breakdown.as_deref(),
        args.out.quiet,
        |row, _| {
            // Rows of other steps are read and checked, then left out of this funnel.
            let Some(&step) = step_index.get(row.step) else {
                return Ok(());
            };
            let entity = match entities.get(row.entity) {
                Some(&e) => e,
                None => {
                    let e = entity_names.len() as u64;
                    entities.insert(row.entity.to_owned(), e);
                    entity_names.push(row.entity.to_owned());
                    e
                }
            };
            let group = match row.extra {
                None => 0,
                Some(g) => match groups.get(g) {
                    Some(&x) => x,
                    None => {
                        let x = u32::try_from(group_names.len())
                            .context("too many breakdown values")?;
                        groups.insert(g.to_owned(), x);
                        group_names.push(g.to_owned());
                        x
                    }
                },
            };
            events.push(Event {
                entity,
                step,
                timestamp: row.time,
                group,
            });
            Ok(())
        },
    )?;
    Ok(Loaded {
        events,
        entity_names,
        group_names,
    })
}

fn run_measure(args: &MeasureArgs) -> anyhow::Result<()> {
    let out = args.out.open(&[&args.events])?;
    let mut options = MeasureOptions::default()
        .order(if args.strict {
            StepOrder::Strict
        } else {
            StepOrder::NonStrict
        })
        .breakdown(args.breakdown.is_some())
        .keep_paths(args.paths);
    if let Some(w) = &args.window {
        options = options.window(parse_duration(w).usage("--window")?);
    }
    if !args.step_windows.is_empty() {
        let ws = args
            .step_windows
            .iter()
            .map(|w| {
                if w.trim() == "-" {
                    Ok(None)
                } else {
                    parse_duration(w).map(Some)
                }
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .usage("--step-windows")?;
        options = options.step_windows(ws);
    }
    let loaded = load_events(args)?;
    let m = attain_funnel::measure::measure(&loaded.events, args.steps.len(), &options)?;
    out.write_with(|w| write_measurement(w, args, &loaded, &m))
}

fn rate_text(r: Option<Rate>) -> String {
    r.map(|r| r.to_decimal().round_dp(6).normalize().to_string())
        .unwrap_or_default()
}

fn opt_text(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn write_measurement(
    w: &mut dyn Write,
    args: &MeasureArgs,
    loaded: &Loaded,
    m: &FunnelMeasurement,
) -> io::Result<()> {
    let group_name = |g: u32| {
        loaded
            .group_names
            .get(g as usize)
            .cloned()
            .unwrap_or_default()
    };
    let mut tables: Vec<(Option<String>, &StepTable)> = vec![(None, &m.total)];
    tables.extend(
        m.groups
            .iter()
            .map(|g| (Some(group_name(g.group)), &g.table)),
    );
    match (args.out.format, args.paths) {
        (Format::Csv, true) => {
            let mut c = csv::Writer::from_writer(w);
            let mut header = vec!["entity_id".to_owned(), "group".to_owned()];
            header.extend(args.steps.iter().cloned());
            c.write_record(&header)?;
            for p in &m.paths {
                let mut row = vec![
                    loaded
                        .entity_names
                        .get(p.entity as usize)
                        .cloned()
                        .unwrap_or_default(),
                    group_name(p.group),
                ];
                row.extend((0..args.steps.len()).map(|i| opt_text(p.timestamps.get(i).copied())));
                c.write_record(&row)?;
            }
            c.flush()
        }
        (Format::Csv, false) => {
            let mut c = csv::Writer::from_writer(w);
            c.write_record([
                "group",
                "step",
                "name",
                "reached",
                "deepest",
                "conversion_from_previous",
                "conversion_from_first",
                "median_from_previous",
                "p90_from_previous",
                "median_from_first",
                "p90_from_first",
            ])?;
            for (group, table) in &tables {
                for s in &table.steps {
                    c.write_record([
                        group.clone().unwrap_or_default(),
                        s.step.to_string(),
                        args.steps.get(s.step).cloned().unwrap_or_default(),
                        s.reached.to_string(),
                        s.deepest.to_string(),
                        rate_text(s.conversion_from_previous),
                        rate_text(s.conversion_from_first),
                        opt_text(s.time_from_previous.map(|t| t.median)),
                        opt_text(s.time_from_previous.map(|t| t.p90)),
                        opt_text(s.time_from_first.map(|t| t.median)),
                        opt_text(s.time_from_first.map(|t| t.p90)),
                    ])?;
                }
            }
            c.flush()
        }
        (Format::Json, _) => {
            let table_json = |t: &StepTable| {
                let time = |x: Option<attain_funnel::measure::TimeStats>| {
                    x.map(|x| TimeJson {
                        median: x.median,
                        p90: x.p90,
                        samples: x.samples,
                    })
                };
                let rate = |r: Option<Rate>| r.map(|r| r.to_decimal().to_string());
                StepTableJson {
                    entities: t.entities,
                    steps: t
                        .steps
                        .iter()
                        .map(|s| StepJson {
                            conversion_from_first: rate(s.conversion_from_first),
                            conversion_from_previous: rate(s.conversion_from_previous),
                            deepest: s.deepest,
                            name: args.steps.get(s.step).map(String::as_str),
                            reached: s.reached,
                            step: s.step,
                            time_from_first: time(s.time_from_first),
                            time_from_previous: time(s.time_from_previous),
                        })
                        .collect(),
                }
            };
            let doc = MeasurementJson {
                breakdown: args.breakdown.as_deref(),
                groups: args.breakdown.is_some().then(|| {
                    m.groups
                        .iter()
                        .map(|g| GroupJson {
                            funnel: table_json(&g.table),
                            group: group_name(g.group),
                        })
                        .collect()
                }),
                paths: args.paths.then(|| {
                    m.paths
                        .iter()
                        .map(|p| PathJson {
                            entity_id: loaded
                                .entity_names
                                .get(p.entity as usize)
                                .map(String::as_str),
                            group: group_name(p.group),
                            timestamps: &p.timestamps,
                        })
                        .collect()
                }),
                steps: &args.steps,
                total: table_json(&m.total),
            };
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)
        }
    }
}

/// `attain funnel plan --format json`. Keys of every object here are declared in
/// alphabetical order, the order of the `serde_json::Value` this document was first built as;
/// amounts and rates are exact decimal strings.
#[derive(Debug, serde::Serialize)]
struct FunnelPlanJson<'a> {
    confidence: f64,
    currency: &'a str,
    deal_revenue: String,
    deal_rule: &'static str,
    deal_size: String,
    deals: u64,
    revenue_overshoot: Option<String>,
    rounding: RoundingJson,
    stages: Vec<StageJson<'a>>,
    target: Option<String>,
}

/// The two rounding policies side by side.
#[derive(Debug, serde::Serialize)]
struct RoundingJson {
    every_stage: OutcomeJson,
    once_at_top: OutcomeJson,
}

/// One rounding policy's outcome.
#[derive(Debug, serde::Serialize)]
struct OutcomeJson {
    deal_overshoot: String,
    expected_deals: String,
    top_entries: u64,
}

/// One stage of [`FunnelPlanJson`].
#[derive(Debug, serde::Serialize)]
struct StageJson<'a> {
    entries: u64,
    entries_for_confidence: u64,
    expected_outputs: Option<&'a str>,
    hit_probability: f64,
    needed_outputs: Option<u64>,
    rate: Option<&'a str>,
    stage: &'a str,
}

/// `attain funnel measure --format json`: `breakdown` and `groups` only with --breakdown,
/// `paths` only with --paths.
#[derive(Debug, serde::Serialize)]
struct MeasurementJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    breakdown: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<GroupJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<Vec<PathJson<'a>>>,
    steps: &'a [String],
    total: StepTableJson<'a>,
}

/// One group of a breakdown.
#[derive(Debug, serde::Serialize)]
struct GroupJson<'a> {
    funnel: StepTableJson<'a>,
    group: String,
}

/// One entity's step timestamps (`null` for a step not reached).
#[derive(Debug, serde::Serialize)]
struct PathJson<'a> {
    entity_id: Option<&'a str>,
    group: String,
    timestamps: &'a [i64],
}

/// A step table.
#[derive(Debug, serde::Serialize)]
struct StepTableJson<'a> {
    entities: u64,
    steps: Vec<StepJson<'a>>,
}

/// One step of a [`StepTableJson`].
#[derive(Debug, serde::Serialize)]
struct StepJson<'a> {
    conversion_from_first: Option<String>,
    conversion_from_previous: Option<String>,
    deepest: u64,
    name: Option<&'a str>,
    reached: u64,
    step: usize,
    time_from_first: Option<TimeJson>,
    time_from_previous: Option<TimeJson>,
}

/// Time-to-convert statistics, in the timestamps' unit.
#[derive(Debug, serde::Serialize)]
struct TimeJson {
    median: i64,
    p90: i64,
    samples: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30d").unwrap(), 30 * 86_400);
        assert_eq!(parse_duration("90").unwrap(), 90);
        assert_eq!(parse_duration("2w").unwrap(), 1_209_600);
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("d").is_err());
    }

    #[test]
    fn stages_parse() {
        let s = parse_stage("--stages", "lead:20%", 0).unwrap();
        assert_eq!(
            (s.name.as_str(), s.rate.to_string()),
            ("lead", "20%".to_owned())
        );
        for bad in ["lead", ":0.1", "lead:1.5"] {
            let e = parse_stage("--stages", bad, 0).unwrap_err();
            assert!(crate::usage::is_usage(&e), "{bad}");
        }
    }
}
