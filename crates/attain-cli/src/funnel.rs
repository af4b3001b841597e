//! `attain funnel plan|measure`: funnel planning and funnels measured from event logs.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use attain_funnel::insight::{
    Correction, GroupTest, Period as EntryPeriod, PeriodConversion, Takeaways, TimeToConvert,
    breakdown_tests, civil_date, conversion_over_time, takeaways, time_to_convert,
};
use attain_funnel::measure::{
    Attribution, Counting, Event, Exclusion, FunnelMeasurement, MeasureOptions, OTHER_STEP,
    StepOrder, StepTable, WindowFunnelModes,
};
use attain_funnel::retention::{RetentionEvent, RetentionTable, day_retention};
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
    /// Timestamps must strictly increase along the funnel (equal timestamps never convert);
    /// the same as `--order strict`.
    #[arg(long, conflicts_with_all = ["order", "clickhouse_mode"])]
    strict: bool,
    /// How steps must follow each other: `non-strict` (equal timestamps chain, ClickHouse's
    /// `windowFunnel` without modes), `strict` (strictly increasing times), `any` (any order
    /// within the window).
    #[arg(long, value_enum, conflicts_with = "clickhouse_mode")]
    order: Option<OrderArg>,
    /// ClickHouse `windowFunnel` modes, comma-separated: strict_deduplication, strict_order,
    /// strict_increase, allow_reentry (with strict_order), strict_once. Every entity's level
    /// equals ClickHouse's (checked against ClickHouse 26.9). With strict_order, rows of
    /// other steps interrupt the funnel.
    #[arg(long, value_name = "MODES")]
    clickhouse_mode: Option<String>,
    /// An exclusion step: `EVENT` disqualifies a conversion anywhere in the funnel,
    /// `EVENT:FROM>TO` only strictly between steps FROM and TO. Repeatable.
    #[arg(long, value_name = "EVENT[:FROM>TO]")]
    exclude: Vec<String>,
    /// Break the funnel down by this column (see --attribution).
    #[arg(long, value_name = "COLUMN")]
    breakdown: Option<String>,
    /// Which value of the breakdown column an entity counts under: `first-touch` (its first
    /// step's), `last-touch` (its furthest step's), `step:NAME` (that step's), `all-steps`
    /// (the value must be the same on every step; an entity counts under each value).
    #[arg(long, default_value = "first-touch", requires = "breakdown")]
    attribution: String,
    /// The multiple-comparison correction of the breakdown groups' tests (each group's
    /// conversion against the rest, two-proportion z-test).
    #[arg(long, value_enum, default_value_t = CorrectionArg::Holm)]
    correction: CorrectionArg,
    /// What is counted: `unique` entities, or `totals` (every first step starts an entry).
    #[arg(long, value_enum, default_value_t = CountArg::Unique)]
    count: CountArg,
    /// Hold this column constant: every step of a chain must carry the same value (a deal or
    /// session id).
    #[arg(long, value_name = "COLUMN", conflicts_with = "breakdown")]
    hold: Option<String>,
    /// What to print: `steps` (the step table), `paths` (each entity's step timestamps),
    /// `time` (time to convert per step, with its histogram), `over-time` (conversion by entry
    /// period, see --period), `tests` (breakdown groups against the rest), `retention` (the
    /// N-day retention table, see --retention-days). JSON always has steps, takeaways and
    /// times to convert.
    #[arg(long, value_enum, default_value_t = ViewArg::Steps)]
    view: ViewArg,
    /// Print each entity's step timestamps instead of the step table (`--view paths`).
    #[arg(long, conflicts_with = "view")]
    paths: bool,
    /// The period of conversion over time (`--view over-time`, and JSON).
    #[arg(long, value_enum, default_value_t = PeriodArg::Week)]
    period: PeriodArg,
    /// Days after the cohort day in `--view retention`: the cohort is the day of an entity's
    /// first event of the first step, a return is an event of the last step.
    #[arg(long, default_value_t = 7)]
    retention_days: usize,
    #[command(flatten)]
    columns: EventColumnArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// `--order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OrderArg {
    /// Equal timestamps chain in funnel order.
    NonStrict,
    /// Strictly increasing timestamps.
    Strict,
    /// Any order within the window.
    Any,
}

/// `--count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CountArg {
    /// Each entity once.
    Unique,
    /// Every entry.
    Totals,
}

/// `--correction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CorrectionArg {
    /// Holm's step-down.
    Holm,
    /// Bonferroni.
    Bonferroni,
}

/// `--period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PeriodArg {
    /// UTC days.
    Day,
    /// ISO weeks from Monday.
    Week,
    /// Calendar months.
    Month,
}

/// `--view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ViewArg {
    /// The step table.
    Steps,
    /// Each entity's step timestamps.
    Paths,
    /// Time to convert per step, with a histogram.
    Time,
    /// Conversion by entry period.
    OverTime,
    /// Breakdown groups against the rest.
    Tests,
    /// The N-day retention table.
    Retention,
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
pub(crate) fn parse_duration(text: &str) -> anyhow::Result<i64> {
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

#[derive(Default)]
struct Loaded {
    events: Vec<Event>,
    entity_names: EntityIds,
    group_names: Vec<String>,
}

/// Entity ids interned as dense numbers in first-seen order. Ids of up to 23 bytes are keys
/// stored inline in the table (one memory access per lookup instead of two: the table is
/// as large as the entities, far beyond the caches); longer ids are owned strings. Names are
/// kept in one byte arena.
#[derive(Debug, Default)]
struct EntityIds {
    short: HashMap<[u8; 24], u64>,
    long: HashMap<String, u64>,
    text: Vec<u8>,
    ends: Vec<usize>,
}

/// An entity id on its way to [`EntityIds`]: inline (length byte, then the bytes) or owned.
#[derive(Debug)]
enum EntityKey {
    Short([u8; 24]),
    Long(String),
}

impl EntityKey {
    fn new(name: &str) -> Self {
        match u8::try_from(name.len()) {
            Ok(len) if len < 24 => {
                let mut key = [0u8; 24];
                key[0] = len;
                key[1..=name.len()].copy_from_slice(name.as_bytes());
                EntityKey::Short(key)
            }
            _ => EntityKey::Long(name.to_owned()),
        }
    }
}

impl EntityIds {
    fn with_capacity(n: usize) -> Self {
        EntityIds {
            short: HashMap::with_capacity(n),
            ..EntityIds::default()
        }
    }

    /// The number of the entity, interning it if new.
    fn intern(&mut self, key: EntityKey) -> u64 {
        let next = self.ends.len() as u64;
        let found = match key {
            EntityKey::Short(k) => {
                let found = *self.short.entry(k).or_insert(next);
                if found == next {
                    self.text.extend_from_slice(&k[1..=usize::from(k[0])]);
                }
                found
            }
            EntityKey::Long(name) => {
                let found = *self.long.entry(name.clone()).or_insert(next);
                if found == next {
                    self.text.extend_from_slice(name.as_bytes());
                }
                found
            }
        };
        if found == next {
            self.ends.push(self.text.len());
        }
        found
    }

    /// The name of entity `id`.
    fn name(&self, id: u64) -> Option<&str> {
        let i = usize::try_from(id).ok()?;
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        std::str::from_utf8(self.text.get(start..end)?).ok()
    }
}

/// A row read, on its way to the interning thread.
#[derive(Debug)]
struct PendingEvent {
    entity: EntityKey,
    step: u32,
    timestamp: i64,
    group: u32,
}

/// Rows per batch handed from the reading thread to the interning thread.
const BATCH: usize = 8192;

/// The measurement options of the command line, and the exclusion event names.
struct Setup {
    options: MeasureOptions,
    exclusion_events: Vec<String>,
    correction: Correction,
}

fn step_position(steps: &[String], name: &str, what: &str) -> anyhow::Result<usize> {
    steps.iter().position(|s| s == name).ok_or_else(|| {
        usage(format!(
            "{what}: {} is not one of --steps",
            Quoted::new(name)
        ))
    })
}

/// Parses exclusion steps `EVENT` (anywhere in the funnel) or `EVENT:FROM>TO` (strictly
/// between two of `steps`): the event names and the exclusions, in order. Errors are usage
/// errors naming `option`.
pub(crate) fn parse_exclusions(
    option: &str,
    steps: &[String],
    items: &[String],
) -> anyhow::Result<(Vec<String>, Vec<Exclusion>)> {
    let last = steps.len().saturating_sub(1);
    let mut exclusions = Vec::new();
    let mut exclusion_events: Vec<String> = Vec::new();
    for item in items {
        let (event, span) = match item.rsplit_once(':') {
            Some((event, span)) if span.contains('>') => (event, Some(span)),
            _ => (item.as_str(), None),
        };
        let (from_step, to_step) = match span {
            None => (0, last),
            Some(span) => {
                let (from, to) = span.split_once('>').unwrap_or((span, ""));
                (
                    step_position(steps, from.trim(), option)?,
                    step_position(steps, to.trim(), option)?,
                )
            }
        };
        if steps.iter().any(|s| s == event) || exclusion_events.iter().any(|e| e == event) {
            return Err(usage(format!(
                "{option}: {} is a step or already excluded",
                Quoted::new(event)
            )));
        }
        if from_step >= to_step {
            return Err(usage(format!(
                "{option}: {}: the first step must come before the second",
                Quoted::new(item)
            )));
        }
        exclusion_events.push(event.to_owned());
        exclusions.push(Exclusion { from_step, to_step });
    }
    Ok((exclusion_events, exclusions))
}

fn setup(args: &MeasureArgs) -> anyhow::Result<Setup> {
    let order = match (&args.clickhouse_mode, args.order, args.strict) {
        (Some(m), _, _) => {
            StepOrder::WindowFunnel(WindowFunnelModes::parse(m).usage("--clickhouse-mode")?)
        }
        (None, Some(OrderArg::Strict), _) | (None, None, true) => StepOrder::Strict,
        (None, Some(OrderArg::Any), _) => StepOrder::AnyOrder,
        (None, Some(OrderArg::NonStrict) | None, _) => StepOrder::NonStrict,
    };
    let (exclusion_events, exclusions) = parse_exclusions("--exclude", &args.steps, &args.exclude)?;
    let attribution = match args.attribution.as_str() {
        "first-touch" => Attribution::FirstTouch,
        "last-touch" => Attribution::LastTouch,
        "all-steps" => Attribution::AllSteps,
        other => match other.strip_prefix("step:") {
            Some(name) => Attribution::Step(step_position(&args.steps, name, "--attribution")?),
            None => {
                return Err(usage(format!(
                    "--attribution: {} is not first-touch, last-touch, all-steps or step:NAME",
                    Quoted::new(other)
                )));
            }
        },
    };
    let counting = match (args.count, &args.hold) {
        (_, Some(_)) => Counting::HoldConstant,
        (CountArg::Totals, None) => Counting::Totals,
        (CountArg::Unique, None) => Counting::Unique,
    };
    let view = if args.paths {
        ViewArg::Paths
    } else {
        args.view
    };
    let mut options = MeasureOptions::default()
        .order(order)
        .breakdown(args.breakdown.is_some())
        .attribution(attribution)
        .counting(counting)
        .exclusions(exclusions)
        .keep_paths(
            args.out.format == Format::Json
                || matches!(view, ViewArg::Paths | ViewArg::Time | ViewArg::OverTime),
        );
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
    let correction = match args.correction {
        CorrectionArg::Holm => Correction::Holm,
        CorrectionArg::Bonferroni => Correction::Bonferroni,
    };
    Ok(Setup {
        options,
        exclusion_events,
        correction,
    })
}

/// The step number of every event name of the funnel: the steps, then the exclusion events.
fn step_index<'a>(
    args: &'a MeasureArgs,
    setup: &'a Setup,
) -> anyhow::Result<HashMap<&'a str, u32>> {
    let mut step_index: HashMap<&str, u32> = HashMap::new();
    for (i, s) in args.steps.iter().enumerate() {
        if step_index.insert(s.as_str(), u32::try_from(i)?).is_some() {
            return Err(usage(format!(
                "--steps: step {} is listed twice",
                Quoted::new(s)
            )));
        }
    }
    for (i, e) in setup.exclusion_events.iter().enumerate() {
        step_index.insert(e.as_str(), u32::try_from(args.steps.len() + i)?);
    }
    Ok(step_index)
}

/// Whether the rows of other steps are kept: only strict_order looks at them.
fn keep_other(setup: &Setup) -> bool {
    matches!(
        setup.options.order,
        StepOrder::WindowFunnel(m) if m.strict_order
    )
}

/// The measurement of the command's funnel, with the events read when the general reader read
/// them. With `allow_fast`, a plain CSV measured without breakdown, held column, paths or
/// retention goes through the parallel fast path ([`crate::event_scan`]), which gives the same
/// measurement; anything else, and any file it does not take, through the general reader.
fn measure_events(
    args: &MeasureArgs,
    setup: &Setup,
    view: ViewArg,
    allow_fast: bool,
) -> anyhow::Result<(Loaded, FunnelMeasurement)> {
    let index = step_index(args, setup)?;
    if allow_fast
        && let Some(request) = fast_request(args, setup, view, &index)
        && let Some(m) = crate::event_scan::measure(&request)
    {
        return Ok((Loaded::default(), m));
    }
    let loaded = load_events(args, setup, &index)?;
    let m = attain_funnel::measure::measure(&loaded.events, args.steps.len(), &setup.options)
        .or_usage()?;
    Ok((loaded, m))
}

/// What the fast path is asked to measure, or `None` for options it leaves to the general
/// reader: a breakdown or held column, or the retention table (they need each event).
fn fast_request<'a>(
    args: &'a MeasureArgs,
    setup: &'a Setup,
    view: ViewArg,
    index: &HashMap<&'a str, u32>,
) -> Option<crate::event_scan::ScanRequest<'a>> {
    let retention = args.out.format == Format::Csv && view == ViewArg::Retention;
    if args.breakdown.is_some() || args.hold.is_some() || retention {
        return None;
    }
    let mut steps: Vec<(&str, u32)> = index.iter().map(|(&n, &s)| (n, s)).collect();
    steps.sort_unstable_by_key(|&(_, s)| s);
    Some(crate::event_scan::ScanRequest {
        path: &args.events,
        columns: [
            &args.columns.entity_col,
            &args.columns.step_col,
            &args.columns.time_col,
        ],
        format: args.columns.time_format.into(),
        steps,
        keep_other: keep_other(setup),
        funnel_steps: args.steps.len(),
        options: &setup.options,
        quiet: args.out.quiet,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(16)),
        partitions: None,
    })
}

fn load_events(
    args: &MeasureArgs,
    setup: &Setup,
    step_index: &HashMap<&str, u32>,
) -> anyhow::Result<Loaded> {
    let keep_other = keep_other(setup);
    let mut groups: HashMap<String, u32> = HashMap::new();
    let mut group_names = Vec::new();
    let extra = args.breakdown.as_deref().or(args.hold.as_deref());
    // Two cores: this thread reads and checks the rows, a second one interns the entity ids
    // (a table as large as the entities, so each lookup waits on memory) in reading order.
    let (read, interned) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<PendingEvent>>(16);
        let interner = scope.spawn(move || {
            let mut ids = EntityIds::with_capacity(1 << 16);
            let mut events = Vec::new();
            for batch in receiver {
                events.reserve(batch.len());
                for row in batch {
                    events.push(Event {
                        entity: ids.intern(row.entity),
                        step: row.step,
                        timestamp: row.timestamp,
                        group: row.group,
                    });
                }
            }
            (ids, events)
        });
        let mut batch = Vec::with_capacity(BATCH);
        let read = events::for_each_event(
            &args.events,
            &args.columns,
            extra,
            args.out.quiet,
            |row, _| {
                // Rows of other steps are read and checked, then left out of this funnel (but
                // for strict_order, which they interrupt).
                let step = match step_index.get(row.step) {
                    Some(&step) => step,
                    None if keep_other => OTHER_STEP,
                    None => return Ok(()),
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
                batch.push(PendingEvent {
                    entity: EntityKey::new(row.entity),
                    step,
                    timestamp: row.time,
                    group,
                });
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    sender
                        .send(full)
                        .map_err(|_| anyhow::anyhow!("the interning thread stopped"))?;
                }
                Ok(())
            },
        );
        // A send fails only if the interner stopped, which its join reports.
        let _ = sender.send(batch);
        drop(sender);
        (read, interner.join())
    });
    read?;
    let (entity_names, events) =
        interned.map_err(|_| anyhow::anyhow!("the interning thread panicked"))?;
    Ok(Loaded {
        events,
        entity_names,
        group_names,
    })
}

fn run_measure(args: &MeasureArgs) -> anyhow::Result<()> {
    let out = args.out.open(&[&args.events])?;
    let setup = setup(args)?;
    let view = if args.paths {
        ViewArg::Paths
    } else {
        args.view
    };
    let (loaded, m) = measure_events(args, &setup, view, true)?;
    let period = match args.period {
        PeriodArg::Day => EntryPeriod::Day,
        PeriodArg::Week => EntryPeriod::Week,
        PeriodArg::Month => EntryPeriod::Month,
    };
    let report = Insights {
        takeaways: takeaways(&m.total),
        times: (1..args.steps.len())
            .filter_map(|s| time_to_convert(&m.paths, s))
            .collect(),
        over_time: conversion_over_time(&m.paths, args.steps.len(), period, 0.95)?,
        tests: if args.breakdown.is_some() {
            breakdown_tests(&m, 0.05, setup.correction)?
        } else {
            Vec::new()
        },
    };
    if args.out.format == Format::Csv && view == ViewArg::Retention {
        let last = u32::try_from(args.steps.len().saturating_sub(1))?;
        let events: Vec<RetentionEvent> = loaded
            .events
            .iter()
            .map(|e| RetentionEvent {
                entity: e.entity,
                timestamp: e.timestamp,
                starts: e.step == 0,
                returns: e.step == last,
            })
            .collect();
        let table = day_retention(&events, args.retention_days);
        return out.write_with(|w| write_retention(w, &table));
    }
    out.write_with(|w| write_measurement(w, args, view, &setup, &loaded, &m, &report))
}

/// What the command derives from a measurement.
struct Insights {
    takeaways: Takeaways,
    times: Vec<TimeToConvert>,
    over_time: Vec<PeriodConversion>,
    tests: Vec<GroupTest>,
}

fn day_text(day: i64) -> String {
    let (y, m, d) = civil_date(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn write_retention(w: &mut dyn Write, table: &RetentionTable) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    let mut header = vec!["cohort_day".to_owned(), "entities".to_owned()];
    header.extend((0..=table.days).map(|k| format!("day_{k}")));
    c.write_record(&header)?;
    for cohort in &table.cohorts {
        let mut row = vec![day_text(cohort.day), cohort.entities.to_string()];
        row.extend(cohort.retained.iter().map(u64::to_string));
        c.write_record(&row)?;
    }
    c.flush()
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
    view: ViewArg,
    setup: &Setup,
    loaded: &Loaded,
    m: &FunnelMeasurement,
    insights: &Insights,
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
    let step_name = |i: usize| args.steps.get(i).cloned().unwrap_or_default();
    match (args.out.format, view) {
        (Format::Csv, ViewArg::Time) => {
            let mut c = csv::Writer::from_writer(w);
            c.write_record([
                "step",
                "name",
                "samples",
                "mean",
                "min",
                "p25",
                "median",
                "p75",
                "p90",
                "p95",
                "max",
                "bin_from",
                "bin_to",
                "bin_count",
            ])?;
            for t in &insights.times {
                for b in &t.histogram {
                    c.write_record([
                        t.step.to_string(),
                        step_name(t.step),
                        t.samples.to_string(),
                        format!("{:.3}", t.mean),
                        t.min.to_string(),
                        t.p25.to_string(),
                        t.median.to_string(),
                        t.p75.to_string(),
                        t.p90.to_string(),
                        t.p95.to_string(),
                        t.max.to_string(),
                        b.from.to_string(),
                        b.to.to_string(),
                        b.count.to_string(),
                    ])?;
                }
            }
            c.flush()
        }
        (Format::Csv, ViewArg::OverTime) => {
            let mut c = csv::Writer::from_writer(w);
            c.write_record([
                "period_start",
                "entered",
                "converted",
                "rate",
                "wilson_low_95",
                "wilson_high_95",
            ])?;
            for r in &insights.over_time {
                c.write_record([
                    day_text(r.start_day),
                    r.entered.to_string(),
                    r.converted.to_string(),
                    rate_text(Some(r.rate)),
                    format!("{:.6}", r.interval.lower),
                    format!("{:.6}", r.interval.upper),
                ])?;
            }
            c.flush()
        }
        (Format::Csv, ViewArg::Tests) => {
            let mut c = csv::Writer::from_writer(w);
            c.write_record([
                "group",
                "entered",
                "converted",
                "rest_entered",
                "rest_converted",
                "z",
                "p_value",
                "adjusted_p_value",
                "correction",
                "significant_at_0.05",
            ])?;
            for t in &insights.tests {
                c.write_record([
                    group_name(t.group),
                    t.counts.trials.to_string(),
                    t.counts.successes.to_string(),
                    t.rest.trials.to_string(),
                    t.rest.successes.to_string(),
                    format!("{:.4}", t.z),
                    format!("{:.6}", t.p_value),
                    format!("{:.6}", t.adjusted_p_value),
                    setup.correction.name().to_owned(),
                    t.significant.to_string(),
                ])?;
            }
            c.flush()
        }
        (Format::Csv, ViewArg::Paths) => {
            let mut c = csv::Writer::from_writer(w);
            let mut header = vec!["entity_id".to_owned(), "group".to_owned()];
            header.extend(args.steps.iter().cloned());
            c.write_record(&header)?;
            for p in &m.paths {
                let mut row = vec![
                    loaded
                        .entity_names
                        .name(p.entity)
                        .unwrap_or_default()
                        .to_owned(),
                    group_name(p.group),
                ];
                row.extend((0..args.steps.len()).map(|i| opt_text(p.timestamps.get(i).copied())));
                c.write_record(&row)?;
            }
            c.flush()
        }
        (Format::Csv, ViewArg::Steps | ViewArg::Retention) => {
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
                            entity_id: loaded.entity_names.name(p.entity),
                            group: group_name(p.group),
                            timestamps: &p.timestamps,
                        })
                        .collect()
                }),
                steps: &args.steps,
                total: table_json(&m.total),
                order: order_text(setup.options.order),
                counting: match setup.options.counting {
                    Counting::Totals => "totals",
                    Counting::HoldConstant => "hold_constant",
                    _ => "unique",
                },
                exclusions: setup
                    .exclusion_events
                    .iter()
                    .zip(&setup.options.exclusions)
                    .map(|(event, x)| ExclusionJson {
                        event,
                        from_step: step_name(x.from_step),
                        to_step: step_name(x.to_step),
                    })
                    .collect(),
                takeaways: TakeawaysJson {
                    largest_drop_off: insights.takeaways.largest_drop_off.map(|d| DropOffJson {
                        step: step_name(d.step),
                        lost: d.lost,
                        conversion: d.conversion.map(|r| r.to_decimal().to_string()),
                    }),
                    slowest_step: insights.takeaways.slowest_step.map(|x| SlowJson {
                        step: step_name(x.step),
                        median: x.median,
                    }),
                },
                time_to_convert: insights
                    .times
                    .iter()
                    .map(|t| TimeToConvertJson::new(step_name(t.step), t))
                    .collect(),
                conversion_over_time: insights
                    .over_time
                    .iter()
                    .map(|r| OverTimeJson {
                        period_start: day_text(r.start_day),
                        entered: r.entered,
                        converted: r.converted,
                        rate: r.rate.to_decimal().to_string(),
                        wilson_low_95: r.interval.lower,
                        wilson_high_95: r.interval.upper,
                    })
                    .collect(),
                breakdown_tests: args.breakdown.is_some().then(|| BreakdownTestsJson {
                    correction: setup.correction.name(),
                    alpha: 0.05,
                    groups: insights
                        .tests
                        .iter()
                        .map(|t| GroupTestJson {
                            group: group_name(t.group),
                            entered: t.counts.trials,
                            converted: t.counts.successes,
                            rest_entered: t.rest.trials,
                            rest_converted: t.rest.successes,
                            z: t.z,
                            p_value: t.p_value,
                            adjusted_p_value: t.adjusted_p_value,
                            significant: t.significant,
                        })
                        .collect(),
                }),
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
    breakdown_tests: Option<BreakdownTestsJson>,
    conversion_over_time: Vec<OverTimeJson>,
    counting: &'static str,
    exclusions: Vec<ExclusionJson<'a>>,
    order: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<Vec<PathJson<'a>>>,
    steps: &'a [String],
    takeaways: TakeawaysJson,
    time_to_convert: Vec<TimeToConvertJson>,
    total: StepTableJson<'a>,
}

/// One exclusion step.
#[derive(Debug, serde::Serialize)]
struct ExclusionJson<'a> {
    event: &'a str,
    from_step: String,
    to_step: String,
}

/// The funnel's takeaways.
#[derive(Debug, serde::Serialize)]
struct TakeawaysJson {
    largest_drop_off: Option<DropOffJson>,
    slowest_step: Option<SlowJson>,
}

/// The step losing most entities.
#[derive(Debug, serde::Serialize)]
struct DropOffJson {
    conversion: Option<String>,
    lost: u64,
    step: String,
}

/// The slowest step by median.
#[derive(Debug, serde::Serialize)]
struct SlowJson {
    median: i64,
    step: String,
}

/// Time to convert into one step.
#[derive(Debug, serde::Serialize)]
struct TimeToConvertJson {
    histogram: Vec<BinJson>,
    max: i64,
    mean: f64,
    median: i64,
    min: i64,
    p25: i64,
    p75: i64,
    p90: i64,
    p95: i64,
    samples: u64,
    step: String,
}

/// One histogram bin, `from <= time < to`.
#[derive(Debug, serde::Serialize)]
struct BinJson {
    count: u64,
    from: i64,
    to: i64,
}

impl TimeToConvertJson {
    fn new(step: String, t: &TimeToConvert) -> Self {
        TimeToConvertJson {
            histogram: t
                .histogram
                .iter()
                .map(|b| BinJson {
                    count: b.count,
                    from: b.from,
                    to: b.to,
                })
                .collect(),
            max: t.max,
            mean: t.mean,
            median: t.median,
            min: t.min,
            p25: t.p25,
            p75: t.p75,
            p90: t.p90,
            p95: t.p95,
            samples: t.samples,
            step,
        }
    }
}

/// Conversion of one entry period.
#[derive(Debug, serde::Serialize)]
struct OverTimeJson {
    converted: u64,
    entered: u64,
    period_start: String,
    rate: String,
    wilson_high_95: f64,
    wilson_low_95: f64,
}

/// Breakdown groups against the rest.
#[derive(Debug, serde::Serialize)]
struct BreakdownTestsJson {
    alpha: f64,
    correction: &'static str,
    groups: Vec<GroupTestJson>,
}

/// One group's test.
#[derive(Debug, serde::Serialize)]
struct GroupTestJson {
    adjusted_p_value: f64,
    converted: u64,
    entered: u64,
    group: String,
    p_value: f64,
    rest_converted: u64,
    rest_entered: u64,
    significant: bool,
    z: f64,
}

/// `--order` or `--clickhouse-mode` as written back.
fn order_text(order: StepOrder) -> String {
    match order {
        StepOrder::Strict => "strict".into(),
        StepOrder::AnyOrder => "any".into(),
        StepOrder::WindowFunnel(m) => {
            let names = [
                (m.strict_deduplication, "strict_deduplication"),
                (m.strict_order, "strict_order"),
                (m.strict_increase, "strict_increase"),
                (m.allow_reentry, "allow_reentry"),
                (m.strict_once, "strict_once"),
            ];
            let on: Vec<&str> = names.iter().filter(|n| n.0).map(|n| n.1).collect();
            format!("clickhouse:{}", on.join(","))
        }
        _ => "non-strict".into(),
    }
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
#[path = "funnel_fast_tests.rs"]
mod fast_tests;

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
