//! The report's sections: each computed with the attain crates, then drawn.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use attain_funnel::measure::{Event, MeasureOptions};
use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain_goals::table::fit_rows;
use attain_goals::{Level, TimeOptions, nested};
use attain_lifecycle::clv::{self, ClvOptions, CustomerSummary, PurchaseModel, TimeUnit};
use attain_lifecycle::cohort::{CohortBuilder, CohortOptions};
use attain_types::{
    Currency, Decimal, Granularity, Money, NaiveDate, Period, Rate, RoundingStrategy,
};

use super::ReportArgs;
use super::charts::{self, Cell, Heatmap, Histogram, Panel, Series, StackedBars};
use super::data::Log;
use super::svg::{self, ACTUAL, PALETTE, REQUIRED, TINTS};

/// A table of the numbers behind a chart (plain text cells).
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    pub(super) id: String,
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
}

/// One section of the page.
#[derive(Debug, Clone, Default)]
pub(super) struct Section {
    pub(super) id: &'static str,
    pub(super) title: String,
    /// What the section shows, in a sentence or two (plain text).
    pub(super) lead: String,
    /// Key figures: (label, value).
    pub(super) kpis: Vec<(String, String)>,
    /// `<svg>` elements.
    pub(super) charts: Vec<String>,
    /// Notes (plain text), such as why a chart is missing.
    pub(super) notes: Vec<String>,
    /// The `attain` command that prints the same numbers.
    pub(super) command: Option<String>,
    pub(super) tables: Vec<Table>,
}

/// Everything the page shows.
#[derive(Debug)]
pub(super) struct Sections {
    pub(super) summary: Vec<(String, String)>,
    pub(super) list: Vec<Section>,
}

/// Shell-quotes an argument when needed.
pub(super) fn sh(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,%@+".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// `a + b`; overflow is an error naming `what`.
pub(super) fn add(a: Decimal, b: Decimal, what: &str) -> anyhow::Result<Decimal> {
    a.checked_add(b)
        .ok_or_else(|| anyhow!("{what}: the sum overflows the decimal range"))
}

/// `a * b`; overflow is an error naming `what`.
fn mul(a: Decimal, b: Decimal, what: &str) -> anyhow::Result<Decimal> {
    a.checked_mul(b)
        .ok_or_else(|| anyhow!("{what}: the product overflows the decimal range"))
}

/// `a / b`; overflow or a zero divisor is an error naming `what`.
fn div(a: Decimal, b: Decimal, what: &str) -> anyhow::Result<Decimal> {
    a.checked_div(b)
        .ok_or_else(|| anyhow!("{what}: cannot divide {a} by {b}"))
}

fn to_f64(d: Decimal) -> f64 {
    d.try_into().unwrap_or(f64::NAN)
}

fn sum(items: impl IntoIterator<Item = Money>, currency: Currency) -> anyhow::Result<Money> {
    Ok(Money::try_sum(items, currency)?)
}

/// The 12 months before the report date: `[as_of - 12 months, as_of)`.
fn trailing_year(as_of: NaiveDate) -> NaiveDate {
    as_of
        .checked_sub_months(chrono_months(12))
        .unwrap_or(NaiveDate::MIN)
}

fn chrono_months(n: u32) -> chrono::Months {
    chrono::Months::new(n)
}

/// Rounds a positive amount up to two significant digits (107,759.4 -> 110,000).
fn round_up_2_significant(v: Decimal) -> anyhow::Result<Decimal> {
    let int = v.ceil();
    let digits = int.to_string().trim_start_matches('-').len();
    if digits <= 2 {
        return Ok(int);
    }
    let scale = Decimal::from(10_u64.pow(u32::try_from(digits - 2).unwrap_or(0).min(18)));
    mul(
        div(v, scale, "default target")?.ceil(),
        scale,
        "default target",
    )
}

/// Parses `name=label:weight,...` (as `attain plan --split`).
fn parse_split(text: &str) -> anyhow::Result<(String, Vec<String>, Vec<Decimal>)> {
    let (name, items) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("--split {text:?}: expected name=label:weight,label:weight"))?;
    let mut labels = Vec::new();
    let mut weights = Vec::new();
    for (i, item) in items.split(',').enumerate() {
        let (label, w) = item
            .split_once(':')
            .ok_or_else(|| anyhow!("--split item {} ({item:?}) is not label:weight", i + 1))?;
        let w = Money::parse(w.trim(), Currency::XXX)
            .map_err(|_| anyhow!("--split item {} ({item:?}): weight is not a number", i + 1))?
            .amount();
        if w.is_sign_negative() && !w.is_zero() {
            bail!("--split item {} ({item:?}): weight is negative", i + 1);
        }
        if label.trim().is_empty() || labels.iter().any(|l: &String| l == label.trim()) {
            bail!("--split item {} ({item:?}): empty or repeated label", i + 1);
        }
        labels.push(label.trim().to_owned());
        weights.push(w);
    }
    if name.trim().is_empty() || weights.iter().all(Decimal::is_zero) {
        bail!("--split {text:?}: needs a name and a non-zero weight");
    }
    Ok((name.trim().to_owned(), labels, weights))
}

/// The first purchase date of every customer.
fn first_dates(log: &Log) -> Vec<Option<NaiveDate>> {
    let mut first = vec![None; log.customers.len()];
    for t in &log.rows {
        let f: &mut Option<NaiveDate> = &mut first[t.customer as usize];
        if f.is_none_or(|d| t.date < d) {
            *f = Some(t.date);
        }
    }
    first
}

/// Builds every section.
pub(super) fn build(args: &ReportArgs, log: &Log) -> anyhow::Result<Sections> {
    let currency = log.currency;
    let total = sum(log.rows.iter().map(|t| t.amount), currency)?;
    let from = trailing_year(log.as_of);
    let window: Vec<&super::data::Tx> = log
        .rows
        .iter()
        .filter(|t| t.date >= from && t.date < log.as_of)
        .collect();
    let trailing = sum(window.iter().map(|t| t.amount), currency)?;
    let target = match &args.target {
        Some(t) => attain_types::input::parse_money(t, currency).context("--target")?,
        None => {
            if !trailing.amount().is_sign_positive() || trailing.is_zero() {
                bail!(
                    "{}: no revenue in the 12 months before {}: give --target",
                    log.file,
                    log.as_of
                );
            }
            Money::new(
                round_up_2_significant(mul(
                    trailing.amount(),
                    Decimal::new(11, 1),
                    "default target",
                )?)?,
                currency,
            )
        }
    };
    let last_day = log.as_of.pred_opt().unwrap_or(log.as_of);
    let year = args.year.unwrap_or_else(|| chrono_year(last_day));
    let first = first_dates(log);
    let split = match &args.split {
        Some(s) => parse_split(s)?,
        None => {
            let (mut new, mut repeat) = (Decimal::ZERO, Decimal::ZERO);
            for t in &window {
                if first[t.customer as usize] == Some(t.date) {
                    new = add(new, t.amount.amount(), "default split")?;
                } else {
                    repeat = add(repeat, t.amount.amount(), "default split")?;
                }
            }
            let (new, mut repeat) = (new.max(Decimal::ZERO), repeat.max(Decimal::ZERO));
            if new.is_zero() && repeat.is_zero() {
                repeat = Decimal::ONE;
            }
            (
                "customer".to_owned(),
                vec!["new".to_owned(), "repeat".to_owned()],
                vec![new.normalize(), repeat.normalize()],
            )
        }
    };
    let orders = window.len().max(1);
    let deal_size = match &args.deal_size {
        Some(d) => attain_types::input::parse_money(d, currency).context("--deal-size")?,
        None => Money::new(
            div(
                trailing.amount(),
                Decimal::from(orders as u64),
                "default deal size",
            )?
            .round_dp(currency.minor_units()),
            currency,
        ),
    };

    let mut plan = plan_section(args, log, target, year, &split, &first)?;
    let funnel = funnel_section(args, log, target, deal_size)?;
    let rfm = super::rfm_part::section(log)?;
    let cohort = cohort_section(log)?;
    let clv = clv_section(args, log)?;
    let customers = log
        .rows
        .iter()
        .map(|t| t.customer)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let mut summary = vec![
        ("Report date".to_owned(), log.as_of.to_string()),
        ("Customers".to_owned(), svg::count(customers as u64)),
        ("Transactions".to_owned(), svg::count(log.rows.len() as u64)),
        (
            format!("Revenue ({})", currency.code()),
            svg::money(total.amount(), currency),
        ),
        (
            format!("Last 12 months ({})", currency.code()),
            svg::money(trailing.amount(), currency),
        ),
    ];
    summary.extend(std::mem::take(&mut plan.kpis));
    Ok(Sections {
        summary,
        list: vec![plan, funnel, rfm, cohort, clv],
    })
}

fn chrono_year(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.year()
}

fn plan_section(
    args: &ReportArgs,
    log: &Log,
    target: Money,
    year: i32,
    split: &(String, Vec<String>, Vec<Decimal>),
    first: &[Option<NaiveDate>],
) -> anyhow::Result<Section> {
    let currency = log.currency;
    let (name, labels, weights) = split;
    let period = Period::year(year).context("--year")?;
    let levels = [
        Level::Calendar(Granularity::Quarter),
        Level::Calendar(Granularity::Month),
    ];
    let plan =
        nested(target, period, &levels, &TimeOptions::default()).context("cannot plan --target")?;
    let slots = plan.leaves();
    let amounts: Vec<Money> = slots.iter().map(|s| s.amount).collect();
    let table = fit_rows(&amounts, weights).with_context(|| format!("--split {name}"))?;

    // Actuals per month, split into first-purchase days (new) and later days (repeat).
    let mut actual_new = vec![Decimal::ZERO; slots.len()];
    let mut actual_repeat = vec![Decimal::ZERO; slots.len()];
    for t in &log.rows {
        if let Some(i) = slots.iter().position(|s| s.period.contains(t.date)) {
            if first[t.customer as usize] == Some(t.date) {
                actual_new[i] = add(actual_new[i], t.amount.amount(), "actuals")?;
            } else {
                actual_repeat[i] = add(actual_repeat[i], t.amount.amount(), "actuals")?;
            }
        }
    }
    let observed = |i: usize| slots[i].period.start() <= log.data_end;
    let year_days = period.days();
    let elapsed = (log.as_of.min(period.end()) - period.start())
        .num_days()
        .clamp(0, year_days);
    let mut actual_total: Vec<Option<Decimal>> = Vec::with_capacity(slots.len());
    for i in 0..slots.len() {
        actual_total.push(if observed(i) {
            Some(add(actual_new[i], actual_repeat[i], "actuals")?)
        } else {
            None
        });
    }
    let mut ytd = Decimal::ZERO;
    for v in actual_total.iter().flatten() {
        ytd = add(ytd, *v, "actuals")?;
    }
    let daily = if elapsed > 0 {
        Some(div(ytd, Decimal::from(elapsed), "run rate")?)
    } else {
        None
    };
    let projected = daily
        .map(|d| mul(d, Decimal::from(year_days), "run rate"))
        .transpose()?;
    // The run rate per month: the year-to-date daily rate times the days of an average month
    // of the plan year (a flat line, easier to read than one that follows month lengths).
    let monthly = projected
        .map(|p| div(p, Decimal::from(slots.len().max(1) as u64), "run rate"))
        .transpose()?;
    let pct = |part: Decimal| match part.checked_div(target.amount()) {
        Some(share) if !target.amount().is_zero() => svg::percent(to_f64(share)),
        _ => "n/a".to_owned(),
    };

    let months: Vec<String> = slots.iter().map(|s| month_name(s.period.start())).collect();
    // The plan in light tints; actuals saturated: per customer type when the split is
    // new/repeat (the types the file can tell apart), else one dark bar.
    let stacks: Vec<(Series, String)> = labels
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let cells: Vec<Money> = (0..slots.len())
                .map(|r| table.cells[r * table.columns + c])
                .collect();
            let series = Series {
                name: format!("plan: {label}"),
                values: cells.iter().map(|m| Some(to_f64(m.amount()))).collect(),
                texts: cells
                    .iter()
                    .map(|m| svg::money(m.amount(), currency))
                    .collect(),
            };
            (series, TINTS[c % TINTS.len()].to_owned())
        })
        .collect();
    let by_type = labels.len() == 2
        && labels.iter().any(|l| l == "new")
        && labels.iter().any(|l| l == "repeat");
    let actual_series = |name: &str, values: &[Decimal]| Series {
        name: name.to_owned(),
        values: (0..slots.len())
            .map(|i| observed(i).then(|| to_f64(values[i])))
            .collect(),
        texts: (0..slots.len())
            .map(|i| match actual_total[i] {
                Some(v) => format!(
                    "{} (total {}: new {}, repeat {})",
                    svg::money(values[i], currency),
                    svg::money(v, currency),
                    svg::money(actual_new[i], currency),
                    svg::money(actual_repeat[i], currency)
                ),
                None => "not observed yet".to_owned(),
            })
            .collect(),
    };
    let actual = if by_type {
        labels
            .iter()
            .enumerate()
            .map(|(c, label)| {
                let values = if label == "new" {
                    &actual_new
                } else {
                    &actual_repeat
                };
                (
                    actual_series(&format!("actual: {label}"), values),
                    PALETTE[c % PALETTE.len()].to_owned(),
                )
            })
            .collect()
    } else {
        let totals: Vec<Decimal> = actual_total
            .iter()
            .map(|v| v.unwrap_or(Decimal::ZERO))
            .collect();
        vec![(actual_series("actual", &totals), ACTUAL.to_owned())]
    };
    let run_rate: Vec<Option<Decimal>> = slots.iter().map(|_| monthly).collect();
    let line = daily.map(|d| Series {
        name: "run rate".to_owned(),
        values: run_rate.iter().map(|v| v.map(to_f64)).collect(),
        texts: vec![format!(
            "{} a month ({} a day since 1 January)",
            svg::money(monthly.unwrap_or(d), currency),
            svg::money(d, currency)
        )],
    });
    let chart = charts::stacked_bars(&StackedBars {
        id: "chart-plan".to_owned(),
        title: format!(
            "Plan {year} by month and {name}, with actuals and run rate ({})",
            currency.code()
        ),
        x_label: format!("Month of {year}"),
        y_label: format!("Revenue per month ({})", currency.code()),
        categories: months,
        stacks,
        actual,
        line,
    });

    let mut headers = vec!["month".to_owned()];
    headers.extend(labels.iter().map(|l| format!("plan {l}")));
    headers.extend(
        [
            "plan total",
            "actual",
            "run rate",
            "actual new",
            "actual repeat",
        ]
        .map(str::to_owned),
    );
    let rows = slots
        .iter()
        .enumerate()
        .map(|(r, s)| {
            let mut row = vec![s.label.clone()];
            row.extend(
                (0..table.columns)
                    .map(|c| svg::money(table.cells[r * table.columns + c].amount(), currency)),
            );
            row.push(svg::money(s.amount.amount(), currency));
            row.push(actual_total[r].map_or(String::new(), |v| svg::money(v, currency)));
            row.push(run_rate[r].map_or(String::new(), |v| svg::money(v, currency)));
            for part in [&actual_new, &actual_repeat] {
                row.push(if observed(r) {
                    svg::money(part[r], currency)
                } else {
                    String::new()
                });
            }
            row
        })
        .collect();
    let weights_text: Vec<String> = labels
        .iter()
        .zip(weights)
        .map(|(l, w)| format!("{l}:{w}"))
        .collect();
    let split_text = format!("{name}={}", weights_text.join(","));
    let mut kpis = vec![
        (
            format!("Target {year} ({})", currency.code()),
            svg::money(target.amount(), currency),
        ),
        (
            format!("Actual so far ({} of target)", pct(ytd)),
            svg::money(ytd, currency),
        ),
    ];
    let mut notes = Vec::new();
    match projected {
        Some(p) => kpis.push((
            format!("Year end at run rate ({} of target)", pct(p)),
            svg::money(p, currency),
        )),
        None => notes.push(format!(
            "No day of {year} is before the report date {}, so there is no run rate yet.",
            log.as_of
        )),
    }
    if args.target.is_none() {
        notes.push("Default target: the revenue of the 12 months before the report date plus 10%, rounded up to two significant digits (give --target to set it).".to_owned());
    }
    if args.split.is_none() {
        notes.push(format!("Default split: the revenue of first-purchase days (new) and later days (repeat) in the 12 months before the report date: {split_text}."));
    }
    Ok(Section {
        id: "plan",
        title: "Plan and attainment".to_owned(),
        lead: format!(
            "The {year} target split by month (equal months, as attain plan does by default) and by {name}; the darker bars beside them are actual revenue by month (new customers on their first-purchase day, repeat on later days) and the dashed line is the average month at the year-to-date run rate."
        ),
        kpis,
        charts: vec![chart],
        notes,
        command: Some(format!(
            "attain plan --target {} --year {year} --by month --split {} --currency {}",
            target.amount(),
            sh(&split_text),
            currency.code()
        )),
        tables: vec![Table {
            id: "table-plan".to_owned(),
            headers,
            rows,
        }],
    })
}

fn month_name(d: NaiveDate) -> String {
    d.format("%b").to_string()
}

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

fn funnel_section(
    args: &ReportArgs,
    log: &Log,
    target: Money,
    deal_size: Money,
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

fn cohort_section(log: &Log) -> anyhow::Result<Section> {
    let currency = log.currency;
    let options = CohortOptions::default()
        .granularity(Granularity::Month)
        .as_of(log.data_end);
    let mut builder = CohortBuilder::new(currency, options);
    for t in &log.rows {
        builder
            .push(&log.customers[t.customer as usize], t.date, t.amount)
            .with_context(|| {
                format!(
                    "{}: customer {}",
                    log.file, log.customers[t.customer as usize]
                )
            })?;
    }
    let table = builder
        .finish()
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
            "attain cohort {} --by month --as-of {} --currency {}",
            sh(&log.file),
            log.data_end,
            currency.code()
        )),
        tables: vec![Table {
            id: "table-cohort".to_owned(),
            headers,
            rows,
        }],
    })
}

fn clv_section(args: &ReportArgs, log: &Log) -> anyhow::Result<Section> {
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
        title: format!(
            "Distribution of expected customer value over {} months ({})",
            args.clv_months,
            currency.code()
        ),
        x_label: format!("Expected value per customer ({})", currency.code()),
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
            format!("Total expected value ({})", currency.code()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn default_target_rounds_up_to_two_digits() {
        assert_eq!(
            round_up_2_significant(dec!(107759.4)).unwrap(),
            dec!(110000)
        );
        assert_eq!(round_up_2_significant(dec!(110000)).unwrap(), dec!(110000));
        assert_eq!(round_up_2_significant(dec!(99.5)).unwrap(), dec!(100));
        assert_eq!(round_up_2_significant(dec!(7.2)).unwrap(), dec!(8));
        assert!(add(Decimal::MAX, Decimal::ONE, "x").is_err());
        assert!(div(Decimal::ONE, Decimal::ZERO, "x").is_err());
    }

    #[test]
    fn splits() {
        let (n, l, w) = parse_split("customer=new:40,repeat:60").unwrap();
        assert_eq!((n.as_str(), l.len(), w[1]), ("customer", 2, dec!(60)));
        assert!(parse_split("c=a:0").is_err());
        assert!(parse_split("c=a:1,a:2").is_err());
        assert_eq!(sh("a b"), "'a b'");
        assert_eq!(sh("customer=new:1,repeat:2"), "customer=new:1,repeat:2");
    }
}
