//! `attain cohort`: acquisition cohorts from a transaction CSV.
//!
//! Input: a CSV with a header line and (by default) the columns `customer_id`, `order_date`
//! and `amount` (other columns, such as `order_id`, are ignored; names can be remapped with
//! `--customer-col`, `--date-col`, `--amount-col`). Dates are `YYYY-MM-DD` or `YYYYMMDD`.
//!
//! Output, CSV: a wide cohort triangle, one row per acquisition cohort:
//! `cohort,cohort_start,size,0,1,2,...` where column `k` holds the chosen metric `k` periods
//! after acquisition, and an empty field marks a period not observed yet (after `--as-of`).
//! With `--layout long`: one row per observed cell with every metric,
//! `cohort,cohort_start,size,period,active,retention,revenue` (unobserved cells left out).
//! JSON: the same table as `{"cohorts": [{"cohort", "start", "size", "values": [...]}], ...}`
//! with `null` for unobserved cells; decimals are strings (lossless), counts are numbers.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use attain_lifecycle::cohort::{CohortBuilder, CohortCell, CohortOptions, CohortTable};
use attain_types::{Currency, Granularity, Money, NaiveDate, RoundingStrategy};

use crate::output::{Format, OutputArgs, open_with_progress};

/// Cohort period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum By {
    /// Calendar days.
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

impl By {
    fn granularity(self) -> Granularity {
        match self {
            By::Day => Granularity::Day,
            By::Week => Granularity::IsoWeek,
            By::Month => Granularity::Month,
            By::Quarter => Granularity::Quarter,
            By::Year => Granularity::Year,
        }
    }
}

/// The value shown in each cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Metric {
    /// Share of the cohort active in the period (0..=1), rounded to `--decimals`.
    Retention,
    /// Customers of the cohort active in the period.
    Active,
    /// The cohort's revenue in the period, exact.
    Revenue,
}

/// The shape of the CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Layout {
    /// One row per cohort, one column per period since acquisition (the `--metric` values).
    Wide,
    /// One row per observed cell with every metric:
    /// `cohort,cohort_start,size,period,active,retention,revenue`.
    Long,
}

/// Cohort retention, active customers or revenue by first-purchase period.
///
/// A customer's cohort is the period of its earliest transaction (rows may be in any order);
/// it is active in a period when it has a transaction there. Cells after `--as-of` (default:
/// the latest order date) are left empty, not zero.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  attain cohort data/cdnow_transactions.csv --by quarter --metric retention\n\n\
CSV output is a wide triangle: cohort,cohort_start,size,0,1,2,... where column k is the metric k\n\
periods after acquisition; an empty field is a period not observed yet. `--layout long` gives\n\
cohort,cohort_start,size,period,active,retention,revenue: one row per observed cell."
)]
pub(crate) struct CohortArgs {
    /// Transaction CSV with a header line (customer, order date, amount columns).
    #[arg(value_name = "INPUT.csv")]
    input: PathBuf,
    /// Cohort period length.
    #[arg(long, value_enum, default_value_t = By::Month)]
    by: By,
    /// Last day the data covers (YYYY-MM-DD); later rows are ignored. Default: latest date.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The value in each cell.
    #[arg(long, value_enum, default_value_t = Metric::Retention)]
    metric: Metric,
    /// CSV shape: a wide triangle of `--metric`, or a long table of every metric.
    #[arg(long, value_enum, default_value_t = Layout::Wide)]
    layout: Layout,
    /// Decimal places for retention (half away from zero).
    #[arg(long, default_value_t = 4)]
    decimals: u32,
    /// ISO 4217 currency of the amounts.
    #[arg(long, default_value = "XXX")]
    currency: String,
    /// Name of the customer column.
    #[arg(long, default_value = "customer_id")]
    customer_col: String,
    /// Name of the date column.
    #[arg(long, default_value = "order_date")]
    date_col: String,
    /// Name of the amount column.
    #[arg(long, default_value = "amount")]
    amount_col: String,
    #[command(flatten)]
    out: OutputArgs,
}

/// A date as `YYYY-MM-DD` or `YYYYMMDD` (the CDNOW layout); shared with `attain report`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y%m%d"))
        .ok()
}

/// The index of the column `name` in the header, or an error naming the columns found; shared
/// with `attain report`.
pub(crate) fn column(
    headers: &csv::StringRecord,
    name: &str,
    path: &Path,
) -> anyhow::Result<usize> {
    headers
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| {
            let found: Vec<&str> = headers.iter().collect();
            anyhow!(
                "{}:1: no column {name:?} in the header (found: {})",
                path.display(),
                found.join(", ")
            )
        })
}

/// Streams the CSV once into a cohort table.
fn read_table(
    args: &CohortArgs,
    currency: Currency,
    options: CohortOptions,
) -> anyhow::Result<CohortTable> {
    let path = &args.input;
    let file = open_with_progress(path, args.out.quiet)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(io::BufReader::with_capacity(1 << 16, file));
    let headers = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the header", path.display()))?
        .clone();
    let c_customer = column(&headers, &args.customer_col, path)?;
    let c_date = column(&headers, &args.date_col, path)?;
    let c_amount = column(&headers, &args.amount_col, path)?;
    let mut builder = CohortBuilder::new(currency, options);
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow!("{}:{line}: {e}", path.display())
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize, name: &str| {
            record
                .get(i)
                .ok_or_else(|| anyhow!("{}:{line}: column {name:?}: missing field", path.display()))
        };
        let customer = field(c_customer, &args.customer_col)?.trim();
        if customer.is_empty() {
            bail!(
                "{}:{line}: column {:?}: empty customer id",
                path.display(),
                args.customer_col
            );
        }
        let date_text = field(c_date, &args.date_col)?;
        let date = parse_date(date_text).ok_or_else(|| {
            anyhow!(
                "{}:{line}: column {:?}: invalid date {date_text:?} (use YYYY-MM-DD)",
                path.display(),
                args.date_col
            )
        })?;
        let amount_text = field(c_amount, &args.amount_col)?;
        let amount = Money::parse(amount_text.trim(), currency).map_err(|e| {
            anyhow!(
                "{}:{line}: column {:?}: {e}",
                path.display(),
                args.amount_col
            )
        })?;
        builder
            .push(customer, date, amount)
            .map_err(|e| anyhow!("{}:{line}: {e}", path.display()))?;
    }
    builder
        .finish()
        .with_context(|| format!("{}: cannot build the cohort table", path.display()))
}

/// The cell's value as text, or `None` for an unobserved cell.
fn cell_text(cell: Option<&CohortCell>, metric: Metric, decimals: u32) -> Option<String> {
    cell.map(|c| match metric {
        Metric::Retention => c
            .retention
            .to_decimal()
            .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .to_string(),
        Metric::Active => c.active.to_string(),
        Metric::Revenue => c.revenue.amount().to_string(),
    })
}

fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Retention => "retention",
        Metric::Active => "active",
        Metric::Revenue => "revenue",
    }
}

fn write_csv(
    w: &mut dyn Write,
    table: &CohortTable,
    metric: Metric,
    decimals: u32,
) -> io::Result<()> {
    write!(w, "cohort,cohort_start,size")?;
    for k in 0..table.width() {
        write!(w, ",{k}")?;
    }
    writeln!(w)?;
    for c in &table.cohorts {
        write!(w, "{},{},{}", c.label, c.period.start(), c.size)?;
        for cell in &c.cells {
            write!(
                w,
                ",{}",
                cell_text(cell.as_ref(), metric, decimals).unwrap_or_default()
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// One row per observed cell; unobserved cells are left out.
fn write_long_csv(w: &mut dyn Write, table: &CohortTable, decimals: u32) -> io::Result<()> {
    writeln!(
        w,
        "cohort,cohort_start,size,period,active,retention,revenue"
    )?;
    for c in &table.cohorts {
        for (k, cell) in c.cells.iter().enumerate() {
            let Some(cell) = cell else { continue };
            let retention = cell_text(Some(cell), Metric::Retention, decimals).unwrap_or_default();
            writeln!(
                w,
                "{},{},{},{k},{},{retention},{}",
                c.label,
                c.period.start(),
                c.size,
                cell.active,
                cell.revenue.amount()
            )?;
        }
    }
    Ok(())
}

/// `--format json`. Keys are declared in alphabetical order, the order of the
/// `serde_json::Value` this document was first built as; amounts are exact decimal strings.
#[derive(Debug, serde::Serialize)]
struct CohortTableJson<'a> {
    as_of: Option<String>,
    by: String,
    cohorts: Vec<CohortJson<'a>>,
    currency: &'a str,
    customers: u64,
    excluded_after_as_of: u64,
    input: String,
    metric: &'static str,
    periods: usize,
    total_revenue: String,
    transactions: u64,
}

/// One cohort of [`CohortTableJson`]: `values[k]` is the metric `k` periods after
/// acquisition, `null` where not observed yet.
#[derive(Debug, serde::Serialize)]
struct CohortJson<'a> {
    cohort: &'a str,
    size: u64,
    start: String,
    values: Vec<Option<CellJson>>,
}

/// A cell: a count (`--metric active`) or the metric as decimal text.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
enum CellJson {
    Count(u64),
    Text(Option<String>),
}

fn write_json(w: &mut dyn Write, table: &CohortTable, args: &CohortArgs) -> io::Result<()> {
    let cohorts = table
        .cohorts
        .iter()
        .map(|c| CohortJson {
            cohort: &c.label,
            size: c.size,
            start: c.period.start().to_string(),
            values: c
                .cells
                .iter()
                .map(|cell| match (cell, args.metric) {
                    (None, _) => None,
                    (Some(x), Metric::Active) => Some(CellJson::Count(x.active)),
                    (Some(x), m) => Some(CellJson::Text(cell_text(Some(x), m, args.decimals))),
                })
                .collect(),
        })
        .collect();
    let doc = CohortTableJson {
        as_of: table.as_of.map(|d| d.to_string()),
        by: format!("{:?}", args.by).to_lowercase(),
        cohorts,
        currency: table.currency.code(),
        customers: table.customers,
        excluded_after_as_of: table.excluded_after_as_of,
        input: args.input.display().to_string(),
        metric: metric_name(args.metric),
        periods: table.width(),
        total_revenue: table.total_revenue.amount().to_string(),
        transactions: table.transactions,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

pub(crate) fn run(args: &CohortArgs) -> anyhow::Result<()> {
    let currency = Currency::new(&args.currency).context("--currency")?;
    let mut options = CohortOptions::default().granularity(args.by.granularity());
    if let Some(text) = &args.as_of {
        let d = parse_date(text)
            .ok_or_else(|| anyhow!("--as-of: invalid date {text:?} (use YYYY-MM-DD)"))?;
        options = options.as_of(d);
    }
    if args.decimals > 28 {
        bail!("--decimals: {} is above 28", args.decimals);
    }
    let table = read_table(args, currency, options)?;
    args.out.write_with(|w| match args.out.format {
        Format::Csv if args.layout == Layout::Long => write_long_csv(w, &table, args.decimals),
        Format::Csv => write_csv(w, &table, args.metric, args.decimals),
        Format::Json => write_json(w, &table, args),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_forms() {
        assert_eq!(
            parse_date("1997-01-18"),
            NaiveDate::from_ymd_opt(1997, 1, 18)
        );
        assert_eq!(parse_date("19970118"), NaiveDate::from_ymd_opt(1997, 1, 18));
        assert_eq!(parse_date("1997/01/18"), None);
        assert_eq!(parse_date("1997-02-30"), None);
    }
}
