//! Reading the transaction CSV once, with errors that name the file, line and column.

use std::collections::HashMap;

use anyhow::{anyhow, bail};
use attain_types::{Currency, Money, NaiveDate};

use super::ReportArgs;
use crate::input;

/// One transaction row (dated on or before the report date).
#[derive(Debug, Clone)]
pub(super) struct Tx {
    /// Index into [`Log::customers`].
    pub(super) customer: u32,
    pub(super) date: NaiveDate,
    pub(super) amount: Money,
    /// The order id, when the file has an order column.
    pub(super) order: Option<String>,
}

/// The transaction log as read.
#[derive(Debug)]
pub(super) struct Log {
    /// The input path, for messages and the page header.
    pub(super) file: String,
    pub(super) currency: Currency,
    /// The report date: rows dated after it were left out.
    pub(super) as_of: NaiveDate,
    /// Customer ids, interned.
    pub(super) customers: Vec<String>,
    /// The last day the data covers: the latest date on or before `as_of` (cohorts and the
    /// CLV calibration end here, so no period is shown as observed past the data).
    pub(super) data_end: NaiveDate,
    /// Rows on or before `as_of`, in file order.
    pub(super) rows: Vec<Tx>,
    /// Rows dated after `as_of` (left out).
    pub(super) after_as_of: u64,
    /// Whether any row has an order id.
    pub(super) has_orders: bool,
}

/// Reads the file with the shared transaction reader; `as_of` defaults to the day after the
/// latest date. With `--currency`, amounts must be whole minor units of it; without, they are
/// taken as written and the report's money is unit-less XXX with as many decimals as the finest
/// amount (at least 2).
pub(super) fn load(args: &ReportArgs, named: Option<Currency>) -> anyhow::Result<Log> {
    let checked = named.is_some();
    let read_as = named.unwrap_or_else(input::unchecked_currency);
    let file = args.input.display().to_string();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut customers = Vec::new();
    let mut rows = Vec::new();
    let mut has_orders = false;
    input::for_each_transaction(&args.input, &args.columns, args.quiet, |t, at| {
        let amount = input::money(t, at, read_as, checked)?;
        let customer = match ids.get(t.customer_id) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(customers.len())
                    .map_err(|_| at.error(at.customer_column(), "too many customers"))?;
                ids.insert(t.customer_id.to_owned(), c);
                customers.push(t.customer_id.to_owned());
                c
            }
        };
        has_orders |= t.order_id.is_some();
        rows.push(Tx {
            customer,
            date: t.date,
            amount,
            order: t.order_id.map(str::to_owned),
        });
        Ok(())
    })?;
    let Some(latest) = rows.iter().map(|t| t.date).max() else {
        bail!("{file}: no transactions after the header");
    };
    let currency = match named {
        Some(c) => c,
        None => {
            let decimals = rows
                .iter()
                .map(|t| t.amount.amount().normalize().scale())
                .max()
                .unwrap_or(0)
                .max(2);
            let currency = Currency::with_minor_units("XXX", decimals)?;
            for t in &mut rows {
                t.amount = Money::new(t.amount.amount(), currency);
            }
            currency
        }
    };
    let as_of = match args.as_of {
        Some(d) => d,
        None => latest
            .succ_opt()
            .ok_or_else(|| anyhow!("{file}: the latest date {latest} has no next day"))?,
    };
    let before = rows.len();
    rows.retain(|t| t.date <= as_of);
    let after_as_of = (before - rows.len()) as u64;
    if rows.is_empty() {
        bail!("{file}: no transaction on or before --as-of {as_of}");
    }
    let data_end = rows.iter().map(|t| t.date).max().unwrap_or(as_of);
    Ok(Log {
        data_end,
        file,
        currency,
        as_of,
        customers,
        rows,
        after_as_of,
        has_orders,
    })
}
