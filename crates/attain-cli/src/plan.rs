//! `attain plan`: decompose a target over time and up to two share dimensions, exact to the
//! minor unit (attain-goals).

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, bail};
use attain_goals::calendar::fiscal_quarters;
use attain_goals::table::{Deviation, Dimension, fit_rows, nest3};
use attain_goals::{
    DayBasis, Level, NamedPeriod, Profile, Slot, TimeOptions, Weighting, daily, nested,
};
use attain_types::input::{InputError, Quoted, parse_amount, parse_money};
use attain_types::{
    Currency, Decimal, Granularity, Money, NaiveDate, Period, Weekday, WorkingCalendar,
};
use chrono::Datelike;

use crate::output::{Format, OutputArgs};
use crate::usage::{UsageContext, usage};

/// The granularity of the printed rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum By {
    /// The whole period as one row (a split by --split dimensions without a time split).
    Year,
    /// Calendar (or fiscal) quarters.
    Quarter,
    /// Calendar months.
    Month,
    /// ISO weeks (Monday to Sunday), clipped at the period's ends (and, in nested mode, at
    /// month ends, each piece weighing by its days).
    Week,
    /// Days.
    Day,
}

/// How the target is decomposed over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Mode {
    /// Level by level (quarter > month > week > day), each level splitting its parent.
    Nested,
    /// Allocate to days once, then roll up to the rows (every calendar view agrees).
    Finest,
}

/// The weight of each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Weights {
    /// Nested: whole quarters, months and --parts weigh the same; periods clipped at month
    /// ends or the period's ends (weeks, a cut month) weigh by calendar days. Finest: every
    /// day weighs the same.
    Equal,
    /// In proportion to calendar days.
    CalendarDays,
    /// In proportion to working days (see --weekend and --holiday).
    WorkingDays,
}

/// Decompose a target over time and dimensions, exact to the minor unit.
///
/// Prints one row per period (and per category of each --split), with amounts that sum
/// exactly to the target along every axis. The weights of each level are listed after the
/// options.
#[derive(Debug, clap::Args)]
#[command(after_help = "Weights by level (nested mode, --weights equal):\n  \
quarters, months   equal (12,000,000: 3,000,000 a quarter, 1,000,000 a month)\n  \
--parts N          equal: `--by month --parts 4` is the method's four weeks of 250,000\n  \
weeks, days        by calendar days (a one-day piece of a week gets one day)\n  \
a clipped period   by calendar days (a month cut by --start/--end, for that parent's periods)\n\
--weights working-days weighs every level by working days; --seasonality by its indices.\n\n\
Examples:\n  $ attain plan --target 12000000 --year 2026 --by month --split customer=new:40,repeat:60\n  $ \
attain plan --target 12000000 --year 2026 --by month --parts 4 --currency CNY\n  $ \
attain plan --target 12000000 --year 2026 --by week --currency CNY\n  $ \
attain plan --target 12000000 --year 2026 --by week --mode finest --weights working-days\n  $ \
attain plan --target 1234.57 --year 2026 --by year --split x=a:20,b:30,c:50")]
pub(crate) struct PlanArgs {
    /// The target, as plain decimal text (`12000000`), in whole minor units of --currency.
    #[arg(long, allow_hyphen_values = true)]
    target: String,
    /// The calendar year to plan (or, with --fiscal-start-month, the year the fiscal year starts in).
    #[arg(long, conflicts_with_all = ["start", "end"], required_unless_present = "start")]
    year: Option<i32>,
    /// The first day of a custom period (YYYY-MM-DD); use with --end.
    #[arg(long, requires = "end", value_parser = crate::args::date)]
    start: Option<NaiveDate>,
    /// The last day (inclusive) of a custom period (YYYY-MM-DD).
    #[arg(long, requires = "start", value_parser = crate::args::date)]
    end: Option<NaiveDate>,
    /// With --year: a fiscal year starting on the first of this month (1-12).
    #[arg(long, requires = "year", value_parser = clap::value_parser!(u32).range(1..=12))]
    fiscal_start_month: Option<u32>,
    /// The granularity of the rows.
    #[arg(long, value_enum, default_value_t = By::Month)]
    by: By,
    /// Split each row period further into N parts of near-equal days (`--by month --parts 4`
    /// gives four "weeks" a month).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    parts: Option<u32>,
    /// Time decomposition mode.
    #[arg(long, value_enum, default_value_t = Mode::Nested)]
    mode: Mode,
    /// Period weights.
    #[arg(long, value_enum, default_value_t = Weights::Equal)]
    weights: Weights,
    /// Monthly seasonality indices, one per month of the period, comma-separated
    /// (`1,1,1.2,...`); spread within each month by calendar days, or working days with
    /// `--weights working-days`.
    #[arg(long, value_delimiter = ',', value_name = "INDICES")]
    seasonality: Vec<String>,
    /// A share dimension `name=label:weight,label:weight` (repeat for a second dimension).
    #[arg(long, value_name = "NAME=LABEL:WEIGHT,...")]
    split: Vec<String>,
    /// Weekend days, comma-separated (`sat,sun`; `none` for none).
    #[arg(long, value_delimiter = ',', default_value = "sat,sun")]
    weekend: Vec<String>,
    /// Holidays (YYYY-MM-DD), comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    holiday: Vec<NaiveDate>,
    /// ISO 4217 currency code; fixes the minor unit amounts are rounded to. The default XXX is
    /// ISO 4217's "no currency" (2 decimals): messages then name no unit, and the JSON
    /// `currency` field says "XXX".
    #[arg(long, default_value = "XXX")]
    currency: String,
    #[command(flatten)]
    out: OutputArgs,
}

/// One printed row.
#[derive(Debug)]
struct Row {
    slot: NamedPeriod,
    categories: Vec<String>,
    amount: Money,
}

pub(crate) fn run(args: &PlanArgs) -> anyhow::Result<()> {
    let out = args.out.open(&[])?;
    let currency = Currency::new(&args.currency).usage("--currency")?;
    // Checked once, exactly, against the currency (never rounded or rescaled).
    let target = money_arg(&args.target, currency).usage("--target")?;
    let (period, fiscal) = plan_period(args)?;
    let dims = args
        .split
        .iter()
        .map(|s| parse_split(s).with_usage(|| format!("--split {}", Quoted::new(s))))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if dims.len() > 2 {
        return Err(usage(format!(
            "--split: at most two dimensions, got {}",
            dims.len()
        )));
    }
    let options = TimeOptions::default()
        .calendar(calendar(args)?)
        .weighting(weighting(args)?);
    // Without input files, only the option values can make the plan fail.
    let slots = time_slots(args, target, period, fiscal, &options).or_usage()?;
    let (rows, deviation) = split_rows(&slots, &dims).or_usage()?;
    let names: Vec<&str> = dims.iter().map(|d| d.name.as_str()).collect();
    out.write_with(|w| match args.out.format {
        Format::Csv => write_csv(w, &names, &rows),
        Format::Json => write_json(w, args, target, period, &names, &rows, deviation),
    })
}

/// Parses a money option value exactly at the currency's minor unit (the shared grammar). An
/// error without a currency names no ISO placeholder code (`XXX`): it says there is none.
pub(crate) fn money_arg(text: &str, currency: Currency) -> anyhow::Result<Money> {
    parse_money(text, currency).map_err(|e| match e {
        InputError::MinorUnits {
            value, minor_units, ..
        } if currency_unit(&currency).is_none() => anyhow::anyhow!(
            "amount {value} cannot be held exactly in whole minor units of {minor_units} \
             decimals (no --currency: give one for another minor unit)"
        ),
        e => e.into(),
    })
}

/// The unit printed after amounts for people: the ISO code, or `None` for `XXX`, ISO 4217's
/// "no currency" (the default when no `--currency` is given). Machine formats (CSV, JSON)
/// keep the code.
pub(crate) fn currency_unit(currency: &Currency) -> Option<&str> {
    Some(currency.code()).filter(|code| *code != "XXX")
}

fn plan_period(args: &PlanArgs) -> anyhow::Result<(Period, Option<(i32, u32)>)> {
    match (args.year, args.start, args.end) {
        (Some(y), _, _) => match args.fiscal_start_month {
            Some(m) => Ok((Period::fiscal_year(y, m).usage("--year")?, Some((y, m)))),
            None => Ok((Period::year(y).usage("--year")?, None)),
        },
        (None, Some(s), Some(e)) => {
            // Compared here, on the dates as typed: the period's own error names its
            // exclusive end, the day after --end.
            if e < s {
                return Err(usage(format!("--end: {e} is before --start {s}")));
            }
            Ok((Period::from_inclusive(s, e).usage("--start/--end")?, None))
        }
        _ => Err(usage("give --year, or --start and --end")),
    }
}

fn calendar(args: &PlanArgs) -> anyhow::Result<WorkingCalendar> {
    let mut weekend = Vec::new();
    for day in &args.weekend {
        let day = day.trim();
        if day.eq_ignore_ascii_case("none") {
            continue;
        }
        let wd: Weekday = day.parse().map_err(|_| {
            usage(format!(
                "--weekend: {} is not a weekday (mon..sun)",
                Quoted::new(day)
            ))
        })?;
        weekend.push(wd);
    }
    Ok(WorkingCalendar::new(weekend).with_holidays(args.holiday.iter().copied()))
}

fn weighting(args: &PlanArgs) -> anyhow::Result<Weighting> {
    if !args.seasonality.is_empty() {
        let weights = args
            .seasonality
            .iter()
            .enumerate()
            .map(|(i, s)| parse_weight(s).with_usage(|| format!("--seasonality item {}", i + 1)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let within = match args.weights {
            Weights::WorkingDays => DayBasis::WorkingDays,
            _ => DayBasis::CalendarDays,
        };
        return Ok(Weighting::Profile(Profile {
            by: Level::Calendar(Granularity::Month),
            weights,
            within,
        }));
    }
    Ok(match args.weights {
        Weights::Equal => Weighting::Equal,
        Weights::CalendarDays => Weighting::CalendarDays,
        Weights::WorkingDays => Weighting::WorkingDays,
    })
}

/// The level of the rows, and the nested levels above it.
fn levels(
    args: &PlanArgs,
    period: Period,
    fiscal: Option<(i32, u32)>,
) -> anyhow::Result<Vec<Level>> {
    let quarter = match fiscal {
        Some((y, m)) => Level::Periods(fiscal_quarters(y, m)?),
        None => Level::Calendar(Granularity::Quarter),
    };
    let mut out = vec![quarter];
    match args.by {
        By::Year => {
            // One slot: the whole period, labelled as the plan is.
            out = vec![Level::Periods(vec![whole_period(period, fiscal)])];
        }
        By::Quarter => {}
        By::Month => out.push(Level::Calendar(Granularity::Month)),
        By::Week => {
            out.push(Level::Calendar(Granularity::Month));
            out.push(Level::Calendar(Granularity::IsoWeek));
        }
        By::Day => {
            out.push(Level::Calendar(Granularity::Month));
            out.push(Level::Calendar(Granularity::Day));
        }
    }
    if let Some(n) = args.parts {
        out.push(Level::Parts(n));
    }
    Ok(out)
}

/// The whole plan period with its label: `2026`, `FY2026` or `2026-01-15..2026-07-01`.
fn whole_period(period: Period, fiscal: Option<(i32, u32)>) -> NamedPeriod {
    let label = match fiscal {
        Some((y, _)) => format!("FY{y}"),
        None if Period::year(period.start().year()).ok() == Some(period) => {
            period.label(Granularity::Year)
        }
        None => period.to_string(),
    };
    NamedPeriod { label, period }
}

fn time_slots(
    args: &PlanArgs,
    target: Money,
    period: Period,
    fiscal: Option<(i32, u32)>,
    options: &TimeOptions,
) -> anyhow::Result<Vec<Slot>> {
    let levels = levels(args, period, fiscal)?;
    match args.mode {
        Mode::Nested => {
            let plan =
                nested(target, period, &levels, options).context("cannot decompose the target")?;
            Ok(plan.leaves().to_vec())
        }
        Mode::Finest => {
            let plan = daily(target, period, options).context("cannot decompose the target")?;
            // The row periods straight from the whole period (ISO weeks may straddle months),
            // then --parts if given.
            let row_level = levels.len() - 1 - usize::from(args.parts.is_some());
            let mut periods = vec![NamedPeriod {
                label: period.to_string(),
                period,
            }];
            for level in &levels[row_level..] {
                let mut next = Vec::new();
                for p in &periods {
                    next.extend(level.periods_of(p)?);
                }
                periods = next;
            }
            Ok(plan.roll_up(&Level::Periods(periods))?)
        }
    }
}

/// The rows, and the total absolute deviation of the split cells from their exact shares
/// (minor units; zero without --split).
fn split_rows(slots: &[Slot], dims: &[Dimension]) -> anyhow::Result<(Vec<Row>, Deviation)> {
    let named = |s: &Slot| NamedPeriod {
        label: s.label.clone(),
        period: s.period,
    };
    match dims {
        [] => Ok((
            slots
                .iter()
                .map(|s| Row {
                    slot: named(s),
                    categories: vec![],
                    amount: s.amount,
                })
                .collect(),
            Deviation::new(0, 1),
        )),
        [a] => {
            let amounts: Vec<Money> = slots.iter().map(|s| s.amount).collect();
            let t =
                fit_rows(&amounts, &a.weights).with_context(|| format!("--split {}", a.name))?;
            let mut out = Vec::new();
            for (r, s) in slots.iter().enumerate() {
                for (c, label) in a.labels.iter().enumerate() {
                    out.push(Row {
                        slot: named(s),
                        categories: vec![label.clone()],
                        amount: t.cells[r * t.columns + c],
                    });
                }
            }
            Ok((out, t.deviation))
        }
        [a, b, ..] => {
            let amounts: Vec<Money> = slots.iter().map(|s| s.amount).collect();
            let cube = nest3(&amounts, &a.weights, &b.weights).context("--split")?;
            let mut out = Vec::new();
            for (o, s) in slots.iter().enumerate() {
                for (m, la) in a.labels.iter().enumerate() {
                    for (i, lb) in b.labels.iter().enumerate() {
                        let amount = cube
                            .cell(o, m, i)
                            .unwrap_or(Money::zero(s.amount.currency()));
                        out.push(Row {
                            slot: named(s),
                            categories: vec![la.clone(), lb.clone()],
                            amount,
                        });
                    }
                }
            }
            Ok((out, cube.deviation))
        }
    }
}

fn parse_weight(s: &str) -> anyhow::Result<Decimal> {
    let d = parse_amount(s.trim())?;
    if d.is_sign_negative() && !d.is_zero() {
        bail!("weight {} is negative", Quoted::new(s));
    }
    Ok(d)
}

/// Parses `name=label:weight,label:weight` (shared with `attain report --split`).
pub(crate) fn parse_split(s: &str) -> anyhow::Result<Dimension> {
    let (name, items) = s
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("expected name=label:weight,label:weight"))?;
    let name = name.trim();
    if name.is_empty() {
        bail!("the dimension name is empty");
    }
    let mut labels = Vec::new();
    let mut weights = Vec::new();
    for (i, item) in items.split(',').enumerate() {
        let (label, w) = item.split_once(':').ok_or_else(|| {
            anyhow::anyhow!("item {} ({}) is not label:weight", i + 1, Quoted::new(item))
        })?;
        let label = label.trim();
        if label.is_empty() {
            bail!("item {} has an empty label", i + 1);
        }
        if labels.iter().any(|l| l == label) {
            bail!("label {} appears twice", Quoted::new(label));
        }
        labels.push(label.to_owned());
        weights.push(
            parse_weight(w).with_context(|| format!("item {} ({})", i + 1, Quoted::new(label)))?,
        );
    }
    if weights.iter().all(|w| w.is_zero()) {
        bail!("every weight is zero");
    }
    Ok(Dimension {
        name: name.to_owned(),
        labels,
        weights,
    })
}

fn last_day(p: &Period) -> String {
    p.last_day().map_or_else(String::new, |d| d.to_string())
}

fn write_csv(w: &mut dyn Write, names: &[&str], rows: &[Row]) -> std::io::Result<()> {
    let mut wtr = csv::Writer::from_writer(w);
    let mut header = vec!["period", "first_day", "last_day"];
    header.extend_from_slice(names);
    header.push("amount");
    wtr.write_record(&header)?;
    for r in rows {
        let mut rec = vec![
            r.slot.label.clone(),
            r.slot.period.start().to_string(),
            last_day(&r.slot.period),
        ];
        rec.extend(r.categories.iter().cloned());
        rec.push(r.amount.amount().to_string());
        wtr.write_record(&rec)?;
    }
    wtr.flush()
}

/// `--format json`. Keys are declared in alphabetical order, the order of the
/// `serde_json::Value` this document was first built as; amounts are exact decimal strings.
#[derive(Debug, serde::Serialize)]
struct PlanJson<'a> {
    by: String,
    currency: String,
    first_day: String,
    last_day: String,
    mode: String,
    /// The total absolute deviation of the split cells from their exact shares, in minor
    /// units, as an exact fraction (`8/3`); `0` without --split. Nearest for one --split; for
    /// two, each rounding step is nearest (attain_goals::table docs).
    rounding_deviation: String,
    rows: Vec<BTreeMap<&'a str, String>>,
    target: String,
}

fn write_json(
    w: &mut dyn Write,
    args: &PlanArgs,
    target: Money,
    period: Period,
    names: &[&str],
    rows: &[Row],
    deviation: Deviation,
) -> std::io::Result<()> {
    // A row's keys include the dimension names, so a row is a map (sorted by key, as the
    // `serde_json::Value` this document was first built as); a later key wins, as before.
    let rows: Vec<BTreeMap<&str, String>> = rows
        .iter()
        .map(|r| {
            let mut o = BTreeMap::new();
            o.insert("period", r.slot.label.clone());
            o.insert("first_day", r.slot.period.start().to_string());
            o.insert("last_day", last_day(&r.slot.period));
            for (n, c) in names.iter().zip(&r.categories) {
                o.insert(*n, c.clone());
            }
            o.insert("amount", r.amount.amount().to_string());
            o
        })
        .collect();
    let doc = PlanJson {
        by: format!("{:?}", args.by).to_lowercase(),
        currency: target.currency().code().to_owned(),
        first_day: period.start().to_string(),
        last_day: last_day(&period),
        mode: format!("{:?}", args.mode).to_lowercase(),
        rounding_deviation: deviation.to_string(),
        rows,
        target: target.amount().to_string(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_split_reads_labels_and_weights() {
        let d = parse_split("customer=new:40,repeat:60").unwrap();
        assert_eq!(d.name, "customer");
        assert_eq!(d.labels, ["new", "repeat"]);
        assert_eq!(d.weights, [Decimal::from(40), Decimal::from(60)]);
        for bad in [
            "customer",
            "=a:1",
            "c=a",
            "c=a:x",
            "c=a:-1",
            "c=a:0,b:0",
            "c=a:1,a:2",
            "c=:1",
        ] {
            assert!(parse_split(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
