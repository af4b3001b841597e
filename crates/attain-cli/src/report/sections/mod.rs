//! The report's sections, one module each: computed with the attain crates, then drawn.
//! This module holds what they share (the page's section and table types, quoting, checked
//! sums) and [`build`], which decides the report's defaults from the libraries' policies
//! (`attain_goals::calibrate::default_target`, `attain_lifecycle::new_repeat`) and calls
//! each section in page order.

mod clv;
mod cohort;
mod funnel;
mod plan;
mod rfm;

use std::collections::BTreeMap;

use anyhow::{Context, anyhow, bail};
use attain_goals::calibrate::{TrailingYear, default_target};
use attain_goals::progress::Actual;
use attain_lifecycle::new_repeat::{NewRepeatRevenue, new_repeat_by_customer};
use attain_types::wide::exact_add;
use attain_types::{Currency, Decimal, Money, NaiveDate, Period};

use super::ReportArgs;
use super::data::Log;
use super::svg;

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

/// `a + b`, exact; a sum `Decimal` cannot hold exactly is an error naming `what`.
pub(super) fn add(a: Decimal, b: Decimal, what: &str) -> anyhow::Result<Decimal> {
    exact_add(a, b).ok_or_else(|| anyhow!("{what}: the sum overflows the decimal range"))
}

pub(super) fn to_f64(d: Decimal) -> f64 {
    d.try_into().unwrap_or(f64::NAN)
}

fn sum(items: impl IntoIterator<Item = Money>, currency: Currency) -> anyhow::Result<Money> {
    Ok(Money::try_sum(items, currency)?)
}

/// New and repeat revenue of each period (first-purchase days over the whole log).
fn new_repeat(log: &Log, periods: &[Period]) -> anyhow::Result<Vec<NewRepeatRevenue>> {
    new_repeat_by_customer(
        log.customers.iter().map(super::data::Customer::days),
        periods,
        log.currency,
    )
    .with_context(|| format!("{}: new and repeat revenue", log.file))
}

/// Revenue and rows by date, summed over every customer's days.
fn revenue_by_date(log: &Log) -> anyhow::Result<BTreeMap<NaiveDate, (Decimal, u64)>> {
    let first = log
        .customers
        .iter()
        .map(|c| c.activity.first)
        .min()
        .unwrap_or(log.data_end);
    let mut totals = DayTotals::new(first, log.data_end);
    for c in &log.customers {
        for ((date, revenue), &rows) in c.days().zip(&c.activity.period_rows) {
            let slot = totals
                .slot(date)
                .ok_or_else(|| anyhow!("{}: {date} is outside the log's dates", log.file))?;
            slot.0 = add(slot.0, revenue, "revenue by date")?;
            slot.1 += rows;
        }
    }
    totals
        .into_map()
        .ok_or_else(|| anyhow!("{}: a date past the calendar", log.file))
}

/// Revenue and rows by date while they are summed: a vector by day from the first date, or a
/// map when the dates span more than about a thousand years (so the vector stays small).
enum DayTotals {
    ByDay {
        first: NaiveDate,
        days: Vec<(Decimal, u64)>,
    },
    Map {
        first: NaiveDate,
        last: NaiveDate,
        map: BTreeMap<NaiveDate, (Decimal, u64)>,
    },
}

impl DayTotals {
    fn new(first: NaiveDate, last: NaiveDate) -> DayTotals {
        match usize::try_from((last - first).num_days()) {
            Ok(span) if span < 400_000 => DayTotals::ByDay {
                first,
                days: vec![(Decimal::ZERO, 0); span + 1],
            },
            _ => DayTotals::Map {
                first,
                last,
                map: BTreeMap::new(),
            },
        }
    }

    /// The totals of `date`; `None` for a date before the first or after the last (in both
    /// forms alike).
    fn slot(&mut self, date: NaiveDate) -> Option<&mut (Decimal, u64)> {
        match self {
            DayTotals::ByDay { first, days } => usize::try_from((date - *first).num_days())
                .ok()
                .and_then(|at| days.get_mut(at)),
            DayTotals::Map { first, last, map } => (*first..=*last)
                .contains(&date)
                .then(|| map.entry(date).or_insert((Decimal::ZERO, 0))),
        }
    }

    /// The dates with rows; `None` if a day's date is past the calendar (not reachable from
    /// [`DayTotals::new`]'s dates).
    fn into_map(self) -> Option<BTreeMap<NaiveDate, (Decimal, u64)>> {
        match self {
            DayTotals::Map { map, .. } => Some(map),
            DayTotals::ByDay { first, days } => days
                .into_iter()
                .enumerate()
                .filter(|(_, d)| d.1 > 0)
                .map(|(i, d)| {
                    let date = first.checked_add_days(chrono::Days::new(u64::try_from(i).ok()?))?;
                    Some((date, d))
                })
                .collect(),
        }
    }
}

/// The revenue of the 12 months before the report date, and its rows (the default deal size
/// is the mean of those rows' amounts), from the log's revenue and rows by date.
fn trailing_year(log: &Log) -> anyhow::Result<TrailingYear> {
    let days = revenue_by_date(log)?
        .into_iter()
        .map(|(date, (amount, rows))| {
            let amount = Money::new(amount, log.currency);
            (Actual { date, amount }, rows)
        });
    TrailingYear::measure_totals(days, log.as_of, log.currency)
        .with_context(|| format!("{}: the 12 months before {}", log.file, log.as_of))
}

/// The last report date: dates are printed as YYYY-MM-DD.
const MAX_REPORT_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// Builds every section.
pub(super) fn build(args: &ReportArgs, log: &Log) -> anyhow::Result<Sections> {
    // Every date the page prints is YYYY-MM-DD, and so are the `--as-of` values of the
    // commands it shows: a report dated past 9999-12-31 could not be reproduced.
    if log.as_of > MAX_REPORT_DATE {
        bail!(
            "{}: the report date {} is after {MAX_REPORT_DATE} (the latest row is dated {}): check for a stray date, or give an earlier --as-of",
            log.file,
            log.as_of,
            log.data_end
        );
    }
    let currency = log.currency;
    let total = sum(
        log.customers
            .iter()
            .flat_map(|c| c.days().map(|(_, revenue)| Money::new(revenue, currency))),
        currency,
    )?;
    let trailing = trailing_year(log)?;
    let target = match &args.target {
        Some(t) => attain_types::input::parse_money(t, currency).context("--target")?,
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
        Some(s) => plan::parse_split(s)?,
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
        Some(d) => Some(attain_types::input::parse_money(d, currency).context("--deal-size")?),
        None => trailing.mean()?,
    };

    // The CLV section (the model fits) on a second thread while the others are computed.
    let (plan, funnel, rfm, cohort, clv) = std::thread::scope(|scope| {
        let clv = scope.spawn(|| clv::section(args, log));
        let others = (|| {
            let plan = plan::section(args, log, target, year, last_day, &split)?;
            let funnel = funnel::section(args, log, target, deal_size)?;
            let rfm = rfm::section(log)?;
            let cohort = cohort::section(log)?;
            anyhow::Ok((plan, funnel, rfm, cohort))
        })();
        let clv = clv
            .join()
            .unwrap_or_else(|_| Err(anyhow!("{}: the CLV section stopped", log.file)));
        let (plan, funnel, rfm, cohort) = others?;
        anyhow::Ok((plan, funnel, rfm, cohort, clv?))
    })?;
    let mut plan = plan;
    let customers = log.customers.len();
    let mut summary = vec![
        ("Report date".to_owned(), log.as_of.to_string()),
        ("Customers".to_owned(), svg::count(customers as u64)),
        ("Transactions".to_owned(), svg::count(log.rows)),
        (
            super::with_unit("Revenue", currency),
            svg::money(total.amount(), currency),
        ),
        (
            super::with_unit("Last 12 months", currency),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_helpers_refuse_overflow() {
        assert!(add(Decimal::MAX, Decimal::ONE, "x").is_err());
    }

    #[test]
    fn both_forms_of_day_totals_take_exactly_the_span() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a date");
        for (first, last) in [
            (d(2025, 1, 1), d(2025, 12, 31)),
            (d(1, 1, 1), d(2025, 12, 31)),
        ] {
            let mut totals = DayTotals::new(first, last);
            let by_day = matches!(totals, DayTotals::ByDay { .. });
            assert_eq!(by_day, chrono::Datelike::year(&first) == 2025);
            for outside in [first.pred_opt(), last.succ_opt()].into_iter().flatten() {
                assert!(totals.slot(outside).is_none(), "{outside}");
            }
            for inside in [first, last] {
                let slot = totals.slot(inside).expect("inside the span");
                slot.0 += Decimal::ONE;
                slot.1 += 1;
            }
            let map = totals.into_map().expect("dates in the calendar");
            let want: BTreeMap<NaiveDate, (Decimal, u64)> =
                [(first, (Decimal::ONE, 1)), (last, (Decimal::ONE, 1))].into();
            assert_eq!(map, want);
        }
    }

    #[test]
    fn sh_quotes_only_when_needed() {
        assert_eq!(sh("a b"), "'a b'");
        assert_eq!(sh("customer=new:1,repeat:2"), "customer=new:1,repeat:2");
        assert_eq!(sh("it's"), r"'it'\''s'");
    }
}
