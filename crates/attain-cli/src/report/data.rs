//! Reading the transaction CSV once, with errors that name the file, line and column.

use std::collections::HashMap;
use std::io::BufReader;

use anyhow::{Context, anyhow, bail};
use attain_types::{Currency, Money, NaiveDate};

use super::ReportArgs;
use crate::cohort::{column, parse_date};

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
    /// Whether the file has the order id column.
    pub(super) has_orders: bool,
}

/// Reads the file; `as_of` defaults to the day after the latest date.
pub(super) fn load(args: &ReportArgs, currency: Currency) -> anyhow::Result<Log> {
    let file = args.input.display().to_string();
    let handle = crate::output::open_with_progress(&args.input, args.quiet)
        .with_context(|| format!("cannot open {file}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::with_capacity(1 << 16, handle));
    let headers = reader
        .headers()
        .with_context(|| format!("{file}:1: cannot read the header"))?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let column = |name: &str| column(&headers, name, &args.input);
    let (ci, di, ai) = (
        column(&args.customer_col)?,
        column(&args.date_col)?,
        column(&args.amount_col)?,
    );
    let oi = find(&args.order_col);
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut customers = Vec::new();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow!("{file}:{line}: {e}")
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize, name: &str| {
            record
                .get(i)
                .map(str::trim)
                .ok_or_else(|| anyhow!("{file}:{line}: column {name:?}: missing field"))
        };
        let id = field(ci, &args.customer_col)?;
        if id.is_empty() {
            bail!(
                "{file}:{line}: column {:?}: empty customer id",
                args.customer_col
            );
        }
        let date_text = field(di, &args.date_col)?;
        let date = parse_date(date_text).ok_or_else(|| {
            anyhow!(
                "{file}:{line}: column {:?}: invalid date {date_text:?} (use YYYY-MM-DD)",
                args.date_col
            )
        })?;
        let amount_text = field(ai, &args.amount_col)?;
        let amount = Money::parse(amount_text, currency)
            .map_err(|e| anyhow!("{file}:{line}: column {:?}: {e}", args.amount_col))?;
        let customer = match ids.get(id) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(customers.len())
                    .map_err(|_| anyhow!("{file}:{line}: too many customers"))?;
                ids.insert(id.to_owned(), c);
                customers.push(id.to_owned());
                c
            }
        };
        let order = match oi {
            Some(i) => Some(field(i, &args.order_col)?.to_owned()),
            None => None,
        };
        rows.push(Tx {
            customer,
            date,
            amount,
            order,
        });
    }
    let Some(latest) = rows.iter().map(|t| t.date).max() else {
        bail!("{file}: no transactions after the header");
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
        has_orders: oi.is_some(),
    })
}
