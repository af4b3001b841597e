//! The plan section: the target by month (`attain_goals::nested`) and customer type
//! (`table::fit_rows`), against actuals split into new and repeat revenue
//! (`attain_lifecycle::new_repeat`) and the year-to-date run rate (`progress::run_rate`), as
//! `attain plan --by month --split ...` gives it.

use anyhow::{Context, anyhow, bail};
use attain_goals::progress::run_rate;
use attain_goals::table::fit_rows;
use attain_goals::{Level, TimeOptions, nested};
use attain_types::{Decimal, Granularity, Money, NaiveDate, Period};

use super::super::ReportArgs;
use super::super::charts::{self, Series, StackedBars};
use super::super::data::Log;
use super::super::svg::{self, ACTUAL, PALETTE, TINTS};
use super::new_repeat;
use super::{Section, Table, add, sh, to_f64};

/// Parses `name=label:weight,...` (as `attain plan --split`).
pub(super) fn parse_split(text: &str) -> anyhow::Result<(String, Vec<String>, Vec<Decimal>)> {
    let (name, items) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("--split {text:?}: expected name=label:weight,label:weight"))?;
    let mut labels = Vec::new();
    let mut weights = Vec::new();
    for (i, item) in items.split(',').enumerate() {
        let (label, w) = item
            .split_once(':')
            .ok_or_else(|| anyhow!("--split item {} ({item:?}) is not label:weight", i + 1))?;
        let w = attain_types::input::parse_amount(w.trim())
            .map_err(|_| anyhow!("--split item {} ({item:?}): weight is not a number", i + 1))?;
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

pub(super) fn section(
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
        title: super::super::with_unit(
            &format!("Plan {year} by month and {name}, with actuals and run rate"),
            currency,
        ),
        x_label: format!("Month of {year}"),
        y_label: super::super::with_unit("Revenue per month", currency),
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
            super::super::with_unit(&format!("Target {year}"), currency),
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
            "attain plan --target {} --year {year} --by month --split {}{}",
            target.amount(),
            sh(&split_text),
            super::super::currency_flag(currency)
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

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn parse_split_checks_labels_and_weights() {
        let (n, l, w) = parse_split("customer=new:40,repeat:60").unwrap();
        assert_eq!((n.as_str(), l.len(), w[1]), ("customer", 2, dec!(60)));
        assert!(parse_split("c=a:0").is_err());
        assert!(parse_split("c=a:1,a:2").is_err());
        assert!(parse_split("c=a:-1,b:2").is_err());
        assert!(parse_split("a:1").is_err());
    }
}
