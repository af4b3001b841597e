//! The report's sections: each computed with the attain crates, then drawn.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use attain_funnel::measure::{Event, MeasureOptions};
use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain_goals::calibrate::{TrailingYear, default_target};
use attain_goals::progress::{Actual, run_rate};
use attain_goals::table::fit_rows;
use attain_goals::{Level, TimeOptions, nested};
use attain_lifecycle::clv::{self, ClvOptions, CustomerSummary, Purchase, PurchaseModel, TimeUnit};
use attain_lifecycle::cohort::{CohortBuilder, CohortOptions};
use attain_lifecycle::new_repeat::{NewRepeatRevenue, new_repeat_by_period};
use attain_types::{
    Currency, Decimal, Granularity, Money, NaiveDate, Period, Rate, RoundingStrategy, Transaction,
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

fn to_f64(d: Decimal) -> f64 {
    d.try_into().unwrap_or(f64::NAN)
}

fn sum(items: impl IntoIterator<Item = Money>, currency: Currency) -> anyhow::Result<Money> {
    Ok(Money::try_sum(items, currency)?)
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

/// The log's rows as the shared transaction noun (for the attain-lifecycle calls).
fn transactions(log: &Log) -> impl Iterator<Item = Transaction<'_>> + Clone {
    log.rows.iter().map(|t| Transaction {
        customer_id: &log.customers[t.customer as usize],
        date: t.date,
        amount: t.amount.amount(),
        order_id: None,
    })
}

/// New and repeat revenue of each period (first-purchase days over the whole log).
fn new_repeat(log: &Log, periods: &[Period]) -> anyhow::Result<Vec<NewRepeatRevenue>> {
    new_repeat_by_period(transactions(log), periods, log.currency)
        .with_context(|| format!("{}: new and repeat revenue", log.file))
}

/// Builds every section.
pub(super) fn build(args: &ReportArgs, log: &Log) -> anyhow::Result<Sections> {
    let currency = log.currency;
    let total = sum(log.rows.iter().map(|t| t.amount), currency)?;
    let history: Vec<Actual> = log
        .rows
        .iter()
        .map(|t| Actual {
            date: t.date,
            amount: t.amount,
        })
        .collect();
    let trailing = TrailingYear::measure(&history, log.as_of, currency)
        .with_context(|| format!("{}: the 12 months before {}", log.file, log.as_of))?;
    let target = match &args.target {
        Some(t) => Money::parse(t, currency).context("--target")?,
        None => {
            default_target(&trailing).map_err(|e| anyhow!("{}: {e}: give --target", log.file))?
        }
    };
    let last_day = log.as_of.pred_opt().ok_or_else(|| {
        anyhow!(
            "{}: the report date {} has no day before it",
            log.file,
            log.as_of
        )
    })?;
    let year = args.year.unwrap_or_else(|| chrono_year(last_day));
    let split = match &args.split {
        Some(s) => parse_split(s)?,
        None => {
            let weights = new_repeat(log, &[trailing.period])?.first().map_or(
                [Decimal::ZERO, Decimal::ONE],
                NewRepeatRevenue::plan_weights,
            );
            (
                "customer".to_owned(),
                vec!["new".to_owned(), "repeat".to_owned()],
                weights.to_vec(),
            )
        }
    };
    let deal_size = match &args.deal_size {
        Some(d) => Some(Money::parse(d, currency).context("--deal-size")?),
        None => trailing.mean()?,
    };

    let mut plan = plan_section(args, log, target, year, last_day, &split)?;
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
            svg::money(trailing.revenue.amount(), currency),
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
    last_day: NaiveDate,
    split: &(String, Vec<String>, Vec<Decimal>),
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
    let periods: Vec<Period> = slots.iter().map(|s| s.period).collect();
    let by_month = new_repeat(log, &periods)?;
    let actual_new: Vec<Decimal> = by_month.iter().map(|m| m.new.amount()).collect();
    let actual_repeat: Vec<Decimal> = by_month.iter().map(|m| m.repeat.amount()).collect();
    let observed = |i: usize| slots[i].period.start() <= log.data_end;
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
    // The year-to-date daily rate, and per month the days of an average month of the plan
    // year (a flat line, easier to read than one that follows month lengths).
    let rate = run_rate(Money::new(ytd, currency), period, last_day).context("run rate")?;
    let daily = rate.map(|r| r.per_day.amount());
    let projected = rate.map(|r| r.projected.amount());
    let parts = u32::try_from(slots.len().max(1)).context("run rate")?;
    let monthly = rate
        .map(|r| r.per_part(parts))
        .transpose()
        .context("run rate")?
        .map(|m| m.amount());
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

fn funnel_section(
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
    let purchases = log.rows.iter().map(|t| Purchase {
        customer: t.customer,
        date: t.date,
        amount: t.amount.amount(),
    });
    let summarized = clv::summarize(purchases, log.data_end, TimeUnit::Weeks)
        .with_context(|| log.file.clone())?;
    let summaries: Vec<CustomerSummary> = summarized.into_iter().map(|(_, s)| s).collect();
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
    let mut values = Vec::with_capacity(summaries.len());
    for s in &summaries {
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
    fn checked_helpers_refuse_overflow() {
        assert!(add(Decimal::MAX, Decimal::ONE, "x").is_err());
    }

    #[test]
    fn timestamps_and_splits() {
        assert_eq!(parse_timestamp("86400"), Some(86_400));
        assert_eq!(parse_timestamp("1970-01-02"), Some(86_400));
        assert_eq!(parse_timestamp("1970-01-02T01:00"), Some(90_000));
        assert_eq!(parse_timestamp("1970-01-02T25:00"), None);
        let (n, l, w) = parse_split("customer=new:40,repeat:60").unwrap();
        assert_eq!((n.as_str(), l.len(), w[1]), ("customer", 2, dec!(60)));
        assert!(parse_split("c=a:0").is_err());
        assert!(parse_split("c=a:1,a:2").is_err());
        assert_eq!(sh("a b"), "'a b'");
        assert_eq!(sh("customer=new:1,repeat:2"), "customer=new:1,repeat:2");
    }
}
