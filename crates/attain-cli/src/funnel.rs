//! `attain funnel plan|measure`: funnel planning and funnels measured from event logs.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use attain_funnel::measure::{Event, FunnelMeasurement, MeasureOptions, StepOrder, StepTable};
use attain_funnel::{DealRule, Funnel, Plan, PlanOptions, Stage};
use attain_types::{Currency, Money, NaiveDate, Rate};

use crate::output::{Format, OutputArgs, open_with_progress};

/// Arguments of `attain funnel`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  attain funnel plan --target 250000 --deal-size 83333.33 --stages lead:0.1,prospect:20%\n  \
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
    after_help = "Example:\n  attain funnel plan --target 250000 --deal-size 83333.33 --stages lead:0.1,prospect:20% --tolerance"
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
    #[command(flatten)]
    out: OutputArgs,
}

/// A funnel measured from events, like ClickHouse `windowFunnel` (see the attain-funnel docs).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  attain funnel measure events.csv --steps lead,visit,deal --window 30d --format json\n\n\
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
    #[arg(long, value_delimiter = ',')]
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
    /// The entity column.
    #[arg(long, default_value = "entity_id")]
    entity_column: String,
    /// The step column.
    #[arg(long, default_value = "step")]
    step_column: String,
    /// The timestamp column.
    #[arg(long, default_value = "timestamp")]
    time_column: String,
    #[command(flatten)]
    out: OutputArgs,
}

pub(crate) fn run(args: &FunnelArgs) -> anyhow::Result<()> {
    match &args.command {
        FunnelCommand::Plan(a) => run_plan(a),
        FunnelCommand::Measure(a) => run_measure(a),
    }
}

fn parse_stage(item: &str, index: usize) -> anyhow::Result<Stage> {
    let (name, rate) = item
        .rsplit_once(':')
        .with_context(|| format!("--stages item {} ({item:?}): expected name:rate", index + 1))?;
    let rate: Rate = rate
        .parse()
        .with_context(|| format!("--stages item {} ({item:?})", index + 1))?;
    if name.trim().is_empty() {
        bail!("--stages item {} ({item:?}): empty stage name", index + 1);
    }
    Ok(Stage::new(name.trim(), rate))
}

fn run_plan(args: &PlanArgs) -> anyhow::Result<()> {
    let currency = Currency::new(&args.currency).context("--currency")?;
    let deal_size = Money::parse(&args.deal_size, currency).context("--deal-size")?;
    let stages = args
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| parse_stage(s, i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let funnel = Funnel { stages, deal_size };
    let rule = if args.tolerance {
        DealRule::MinorUnitTolerance
    } else {
        DealRule::Strict
    };
    let plan = match (&args.target, args.deals) {
        (Some(t), _) => {
            let target = Money::parse(t, currency).context("--target")?;
            funnel.plan_revenue(target, PlanOptions::default().deal_rule(rule))?
        }
        (None, Some(d)) => funnel.plan_deals(d)?,
        (None, None) => bail!("give --target or --deals"),
    };
    let rows = plan_rows(&plan, args.confidence)?;
    args.out.write_with(|w| match args.out.format {
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
                .context("--confidence")?
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
        format!("invalid duration {text:?}: expected a whole number and s, m, h, d or w")
    })?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => bail!("invalid duration {text:?}: unit must be s, m, h, d or w"),
    };
    n.checked_mul(mult)
        .with_context(|| format!("duration {text:?} is too long"))
}

/// Parses integer seconds, `YYYY-MM-DD`, or `YYYY-MM-DD[T ]HH:MM[:SS][.frac][Z|+HH:MM|-HH:MM]`
/// into seconds since 1970-01-01 UTC.
fn parse_timestamp(text: &str) -> Result<i64, &'static str> {
    const EXPECTED: &str = "expected integer seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS";
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    let date = t
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or(EXPECTED)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or(EXPECTED)?;
    let days = (date - epoch).num_days();
    let mut secs = days.checked_mul(86_400).ok_or("timestamp out of range")?;
    let rest = &t[10..];
    if rest.is_empty() {
        return Ok(secs);
    }
    let rest = rest.strip_prefix(['T', ' ']).ok_or(EXPECTED)?;
    // Split off a zone suffix.
    let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut parts = clock.split(':');
    let field = |p: Option<&str>, max: i64| -> Result<i64, &'static str> {
        let v: i64 = p.ok_or(EXPECTED)?.parse().map_err(|_| EXPECTED)?;
        if (0..=max).contains(&v) {
            Ok(v)
        } else {
            Err("time of day out of range")
        }
    };
    let h = field(parts.next(), 23)?;
    let m = field(parts.next(), 59)?;
    let s = match parts.next() {
        None => 0,
        Some(sec) => field(Some(sec.split('.').next().unwrap_or("")), 60)?,
    };
    if parts.next().is_some() {
        return Err(EXPECTED);
    }
    secs += h * 3600 + m * 60 + s;
    let offset = match zone {
        "" | "Z" | "z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (zh, zm) = z[1..].split_once(':').ok_or("zone offset must be +HH:MM")?;
            let zh: i64 = zh.parse().map_err(|_| "zone offset must be +HH:MM")?;
            let zm: i64 = zm.parse().map_err(|_| "zone offset must be +HH:MM")?;
            sign * (zh * 3600 + zm * 60)
        }
    };
    Ok(secs - offset)
}

struct Loaded {
    events: Vec<Event>,
    entity_names: Vec<String>,
    group_names: Vec<String>,
}

fn load_events(args: &MeasureArgs) -> anyhow::Result<Loaded> {
    let path = args.events.display().to_string();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(
        open_with_progress(&args.events, args.out.quiet)
            .with_context(|| format!("cannot read {path}"))?,
    );
    let headers = reader
        .headers()
        .with_context(|| format!("{path}: cannot read the header line"))?
        .clone();
    let column = |name: &str| -> anyhow::Result<usize> {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .with_context(|| {
                format!(
                    "{path}:1: no column {name:?} (columns: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })
    };
    let (ci, cs, ct) = (
        column(&args.entity_column)?,
        column(&args.step_column)?,
        column(&args.time_column)?,
    );
    let cg = args.breakdown.as_deref().map(column).transpose()?;
    let mut step_index: HashMap<&str, u32> = HashMap::new();
    for (i, s) in args.steps.iter().enumerate() {
        if step_index.insert(s.as_str(), u32::try_from(i)?).is_some() {
            bail!("--steps: step {s:?} is listed twice");
        }
    }
    let mut entities: HashMap<String, u64> = HashMap::new();
    let mut entity_names = Vec::new();
    let mut groups: HashMap<String, u32> = HashMap::new();
    let mut group_names = Vec::new();
    let mut events = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                bail!("{path}:{line}: {e}");
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        let Some(&step) = step_index.get(record.get(cs).unwrap_or("").trim()) else {
            continue;
        };
        let raw_time = record.get(ct).unwrap_or("");
        let timestamp = parse_timestamp(raw_time).map_err(|why| {
            anyhow::anyhow!(
                "{path}:{line}: column {:?}: invalid timestamp {raw_time:?}: {why}",
                args.time_column
            )
        })?;
        let id = record.get(ci).unwrap_or("").trim();
        if id.is_empty() {
            bail!(
                "{path}:{line}: column {:?}: empty entity id",
                args.entity_column
            );
        }
        let entity = match entities.get(id) {
            Some(&e) => e,
            None => {
                let e = entity_names.len() as u64;
                entities.insert(id.to_owned(), e);
                entity_names.push(id.to_owned());
                e
            }
        };
        let group = match cg {
            None => 0,
            Some(c) => {
                let g = record.get(c).unwrap_or("").trim();
                match groups.get(g) {
                    Some(&x) => x,
                    None => {
                        let x = u32::try_from(group_names.len())
                            .context("too many breakdown values")?;
                        groups.insert(g.to_owned(), x);
                        group_names.push(g.to_owned());
                        x
                    }
                }
            }
        };
        events.push(Event {
            entity,
            step,
            timestamp,
            group,
        });
    }
    Ok(Loaded {
        events,
        entity_names,
        group_names,
    })
}

fn run_measure(args: &MeasureArgs) -> anyhow::Result<()> {
    let mut options = MeasureOptions::default()
        .order(if args.strict {
            StepOrder::Strict
        } else {
            StepOrder::NonStrict
        })
        .breakdown(args.breakdown.is_some())
        .keep_paths(args.paths);
    if let Some(w) = &args.window {
        options = options.window(parse_duration(w).context("--window")?);
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
            .context("--step-windows")?;
        options = options.step_windows(ws);
    }
    let loaded = load_events(args)?;
    let m = attain_funnel::measure::measure(&loaded.events, args.steps.len(), &options)?;
    args.out
        .write_with(|w| write_measurement(w, args, &loaded, &m))
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
    fn timestamps_parse() {
        assert_eq!(parse_timestamp("1700000000"), Ok(1_700_000_000));
        assert_eq!(parse_timestamp("1970-01-02"), Ok(86_400));
        assert_eq!(parse_timestamp("1970-01-01T01:00:00Z"), Ok(3600));
        assert_eq!(parse_timestamp("1970-01-01 01:00"), Ok(3600));
        assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00"), Ok(0));
        assert_eq!(parse_timestamp("2026-11-28T17:40:00.5Z"), Ok(1_795_887_600));
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("2026-13-01").is_err());
        assert!(parse_timestamp("2026-01-01T25:00").is_err());
    }

    #[test]
    fn stages_parse() {
        let s = parse_stage("lead:20%", 0).unwrap();
        assert_eq!(
            (s.name.as_str(), s.rate.to_string()),
            ("lead", "20%".to_owned())
        );
        assert!(parse_stage("lead", 0).is_err());
        assert!(parse_stage(":0.1", 0).is_err());
        assert!(parse_stage("lead:1.5", 0).is_err());
    }
}
