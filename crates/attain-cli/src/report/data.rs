//! Reading the transaction CSV once into each customer's purchases by day, with errors that
//! name the file, line and column.
//!
//! A plain CSV file without `--currency` is read by attain-rfm's parallel fast reader
//! (`read_activity_with_orders_path`: each customer's revenue and rows by day and its distinct
//! orders, in one pass); every other input, and every file the fast reader does not take, by the
//! shared transaction reader, which gives the same log or names the line and column of the
//! first bad value. Every section is computed from this one read.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, anyhow, bail};
use attain_rfm::activity::CustomerActivity;
use attain_rfm::csv::read_activity_with_orders_path;
use attain_types::wide::exact_add;
use attain_types::{Currency, Decimal, Granularity, NaiveDate};

use super::ReportArgs;
use crate::input;

/// One customer's purchases on or before the report date.
#[derive(Debug, Clone)]
pub(super) struct Customer {
    /// Revenue and rows by day (periods of [`Granularity::Day`], ascending).
    pub(super) activity: CustomerActivity,
    /// The date of each period of `activity`.
    pub(super) dates: Vec<NaiveDate>,
    /// Distinct orders, as `attain rfm` counts them (a row without an order id counts one).
    pub(super) orders: u64,
}

impl Customer {
    /// `(date, revenue)` of each purchase day, ascending.
    pub(super) fn days(&self) -> impl Iterator<Item = (NaiveDate, Decimal)> + Clone + '_ {
        self.dates
            .iter()
            .zip(&self.activity.periods)
            .map(|(&d, &(_, revenue))| (d, revenue))
    }
}

/// The transaction log as read.
#[derive(Debug)]
pub(super) struct Log {
    /// The input path, for messages and the page header.
    pub(super) file: String,
    pub(super) currency: Currency,
    /// The report date: rows dated after it were left out.
    pub(super) as_of: NaiveDate,
    /// Every customer with a row on or before `as_of`, ascending by id.
    pub(super) customers: Vec<Customer>,
    /// The last day the data covers: the latest date on or before `as_of` (cohorts and the
    /// CLV calibration end here, so no period is shown as observed past the data).
    pub(super) data_end: NaiveDate,
    /// Rows on or before `as_of`.
    pub(super) rows: u64,
    /// Rows dated after `as_of` (left out).
    pub(super) after_as_of: u64,
    /// Whether the file has an order id column.
    pub(super) has_orders: bool,
}

/// Reads the file once; `as_of` defaults to the day after the latest date. With `--currency`,
/// amounts must be whole minor units of it; without, they are taken as written and the
/// report's money is unit-less XXX with as many decimals as the finest amount (at least 2).
pub(super) fn load(args: &ReportArgs, named: Option<Currency>) -> anyhow::Result<Log> {
    let file = args.input.display().to_string();
    let read = match named {
        None if args.input.as_os_str() != "-" && input::kind(&args.input) == input::Kind::Csv => {
            fast(args)?
        }
        _ => None,
    };
    let read = match read {
        Some(r) => r,
        None => general(args, named)?,
    };
    let Read {
        mut customers,
        rows_read,
        after_as_of,
        decimals,
        has_orders,
    } = read;
    if rows_read == 0 {
        bail!("{file}: no transactions after the header");
    }
    let currency = match named {
        Some(c) => c,
        None => Currency::with_minor_units("XXX", decimals.max(2))?,
    };
    let latest = customers.iter().map(|c| c.activity.last).max();
    let as_of = match (args.as_of, latest) {
        (Some(d), _) => d,
        (None, Some(latest)) => latest
            .succ_opt()
            .ok_or_else(|| anyhow!("{file}: the latest date {latest} has no next day"))?,
        (None, None) => bail!("{file}: no transactions after the header"),
    };
    let Some(data_end) = latest else {
        bail!("{file}: no transaction on or before --as-of {as_of}");
    };
    customers.sort_unstable_by(|a, b| a.activity.customer_id.cmp(&b.activity.customer_id));
    let rows = customers.iter().map(|c| c.activity.rows).sum();
    Ok(Log {
        file,
        currency,
        as_of,
        customers,
        data_end,
        rows,
        after_as_of,
        has_orders,
    })
}

/// What a reader gives: the customers (rows on or before an explicit `--as-of`), in any order.
struct Read {
    customers: Vec<Customer>,
    /// Rows in the file, including those after `--as-of`.
    rows_read: u64,
    after_as_of: u64,
    /// The most decimals of an amount (trailing zeros not counted).
    decimals: u32,
    has_orders: bool,
}

/// One pass of the fast reader, or `None` when it does not take the file (the general reader
/// then reads it, and reports any error at its line and column).
fn fast(args: &ReportArgs) -> anyhow::Result<Option<Read>> {
    let path = &args.input;
    // The order hashes' memory budget of `attain rfm`'s default (past it, one pass per hash
    // partition of the customers).
    let csv = args
        .columns
        .csv_options(path, attain_rfm::csv::DEFAULT_ORDER_MEMORY)?;
    let read = crate::output::with_progress(path, args.quiet, |progress| {
        read_activity_with_orders_path(path, Granularity::Day, args.as_of, &csv, progress)
    });
    let Ok(Some(table)) = read else {
        return Ok(None);
    };
    // One thread per partition of the reader's customers.
    let walked = table.fold_customers(Vec::new, |part: &mut Vec<Customer>, a| {
        let orders = table
            .distinct_orders(a)
            .ok_or_else(|| anyhow!("{}: the reader did not count orders", path.display()))?;
        part.push(customer(a.clone(), orders)?);
        Ok::<(), anyhow::Error>(())
    });
    let Ok(parts) = walked else {
        return Ok(None);
    };
    let customers = parts.into_iter().flatten().collect();
    let report = table.report();
    Ok(Some(Read {
        customers,
        rows_read: report.rows_read,
        after_as_of: report.after_as_of,
        // The fast reader takes amounts of at most two decimals.
        decimals: 2,
        has_orders: csv.order_col.is_some(),
    }))
}

/// A customer from its daily activity: the date of every period checked once.
fn customer(activity: CustomerActivity, orders: u64) -> anyhow::Result<Customer> {
    let dates = activity
        .periods
        .iter()
        .map(|&(day, _)| {
            i32::try_from(day)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| {
                    anyhow!(
                        "customer {:?}: day {day} is out of range",
                        activity.customer_id
                    )
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Customer {
        activity,
        dates,
        orders,
    })
}

/// One row of the general reader.
struct Row {
    customer: u32,
    date: NaiveDate,
    amount: Decimal,
    order: Option<Box<str>>,
}

/// The shared transaction reader (every input kind, `--currency`), aggregated by customer and
/// day as the fast reader aggregates.
fn general(args: &ReportArgs, named: Option<Currency>) -> anyhow::Result<Read> {
    let checked = named.is_some();
    let read_as = named.unwrap_or_else(input::unchecked_currency);
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut rows_read = 0_u64;
    let mut decimals = 0_u32;
    let order_column =
        input::for_each_transaction(&args.input, &args.columns, args.quiet, |t, at| {
            let amount = input::money(t, at, read_as, checked)?.amount();
            rows_read += 1;
            decimals = decimals.max(amount.normalize().scale());
            let customer = match ids.get(t.customer_id) {
                Some(&c) => c,
                None => {
                    let c = u32::try_from(names.len())
                        .map_err(|_| at.error(at.customer_column(), "too many customers"))?;
                    ids.insert(t.customer_id.to_owned(), c);
                    names.push(t.customer_id.to_owned());
                    c
                }
            };
            rows.push(Row {
                customer,
                date: t.date,
                amount,
                order: t.order_id.map(Box::from),
            });
            Ok(())
        })?;
    // Whether the input names an order column, as the reader resolved it from the header.
    let has_orders = order_column.0;
    let before = rows.len();
    if let Some(as_of) = args.as_of {
        rows.retain(|r| r.date <= as_of);
    }
    let after_as_of = (before - rows.len()) as u64;
    // Each customer's rows by date: a customer's days, and its orders, are one run.
    rows.sort_unstable_by_key(|r| (r.customer, r.date));
    let file = args.input.display();
    let mut customers = Vec::with_capacity(names.len());
    for run in rows.chunk_by(|a, b| a.customer == b.customer) {
        let (Some(head), Some(tail)) = (run.first(), run.last()) else {
            continue;
        };
        let mut activity = CustomerActivity {
            customer_id: names[head.customer as usize].clone(),
            first: head.date,
            last: tail.date,
            rows: run.len() as u64,
            periods: Vec::new(),
            period_rows: Vec::new(),
        };
        for day in run.chunk_by(|a, b| a.date == b.date) {
            let date = day.first().map_or(head.date, |r| r.date);
            let mut revenue = Decimal::ZERO;
            for r in day {
                revenue = exact_add(revenue, r.amount).with_context(|| {
                    format!(
                        "{file}: customer {:?}: the revenue of {} leaves the decimal range",
                        activity.customer_id, r.date
                    )
                })?;
            }
            activity
                .periods
                .push((Granularity::Day.period_index(date), revenue));
            activity.period_rows.push(day.len() as u64);
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let orders = run
            .iter()
            .filter(|r| r.order.as_deref().is_none_or(|o| seen.insert(o)))
            .count() as u64;
        customers.push(customer(activity, orders)?);
    }
    Ok(Read {
        customers,
        rows_read,
        after_as_of,
        decimals,
        has_orders,
    })
}
