//! `attain cohort`: acquisition cohorts from a transaction CSV.
//!
//! Input: a CSV (or Parquet) file with a header line and (by default) the columns
//! `customer_id`, `order_date` and `amount`, read by the shared transaction reader
//! ([`crate::input`], the same grammar and column flags as every subcommand). A plain CSV file
//! without `--currency` is read in one pass of the parallel fast reader instead (the same
//! grammar; any file it does not take falls back to the shared reader).
//!
//! Output, CSV: a wide cohort triangle, one row per acquisition cohort:
//! `cohort,cohort_start,size,0,1,2,...` where column `k` holds the chosen metric `k` periods
//! after acquisition, and an empty field marks a period not observed yet (after `--as-of`).
//! With `--layout long`: one row per observed cell with every metric,
//! `cohort,cohort_start,size,period,active,retention,revenue` (unobserved cells left out).
//! JSON: the same table as `{"cohorts": [{"cohort", "start", "size", "values": [...]}], ...}`
//! with `null` for unobserved cells; decimals are strings (lossless), counts are numbers.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use attain_lifecycle::cohort::{
    CohortBuilder, CohortCell, CohortCells, CohortCounts, CohortOptions, CohortTable,
};
use attain_rfm::csv::{read_activity_path, read_ordered_cohorts_path};
use attain_types::{Currency, Granularity, NaiveDate, RoundingStrategy};

use crate::input::{self, ColumnArgs};
use crate::output::{Format, OutputArgs, with_progress};

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
    /// One row per cell with at least one active customer, the exact counts behind every
    /// metric and nothing rounded: `cohort,period,size,active,revenue` (cohort job v1's output,
    /// `benches/cohort/README.md`).
    Cells,
}

/// Cohort retention, active customers or revenue by first-purchase period.
///
/// A customer's cohort is the period of its earliest transaction (rows may be in any order);
/// it is active in a period when it has a transaction there. Cells after `--as-of` (default:
/// the latest order date) are left empty, not zero.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  $ attain cohort data/cdnow_transactions.csv --by quarter --metric retention\n\n\
CSV output is a wide triangle: cohort,cohort_start,size,0,1,2,... where column k is the metric k\n\
periods after acquisition; an empty field is a period not observed yet. `--layout long` gives\n\
cohort,cohort_start,size,period,active,retention,revenue: one row per observed cell.\n\
`--layout cells` gives cohort,period,size,active,revenue for every cell with an active customer."
)]
pub(crate) struct CohortArgs {
    /// Transaction CSV with a header line (customer, order date, amount columns).
    #[arg(value_name = "INPUT.csv")]
    input: PathBuf,
    /// Cohort period length.
    #[arg(long, value_enum, default_value_t = By::Month)]
    by: By,
    /// Last day the data covers (YYYY-MM-DD); later rows are ignored. Default: latest date.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date)]
    as_of: Option<NaiveDate>,
    /// The value in each cell.
    #[arg(long, value_enum, default_value_t = Metric::Retention)]
    metric: Metric,
    /// CSV shape: a wide triangle of `--metric`, a long table of every metric, or the exact
    /// counts of every cell with an active customer.
    #[arg(long, value_enum, default_value_t = Layout::Wide)]
    layout: Layout,
    /// Decimal places for retention (half away from zero).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(0..=28))]
    decimals: u32,
    /// ISO 4217 currency of the amounts: each amount must then be a whole number of its
    /// minor units (10.005 is refused in USD). Without it, amounts are taken exactly as
    /// written, as every subcommand reads them, and shown in the unit-less XXX.
    #[arg(long, value_name = "CODE")]
    currency: Option<String>,
    #[command(flatten)]
    columns: ColumnArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// Reads the transactions once into a cohort table; with `--currency`, amounts must be whole
/// minor units of it. A plain CSV file without `--currency` is read by the parallel fast reader
/// ([`fast_table`]); everything else, and every file the fast reader does not take, by the
/// general reader ([`general_table`]), with the same table or the same error.
fn read_table(
    args: &CohortArgs,
    currency: Option<Currency>,
    options: CohortOptions,
) -> anyhow::Result<CohortTable> {
    if currency.is_none()
        && args.input.as_os_str() != "-"
        && input::kind(&args.input) == input::Kind::Csv
        && let Some(table) = fast_table(args, options)
    {
        return Ok(table);
    }
    general_table(args, currency, options)
}

/// The cohort table from one pass of the fast reader (amounts as written, in the unit-less
/// currency), or `None` when the fast reader does not take the file or anything fails: the
/// general reader then reads it and reports any error at its line and column.
fn fast_table(args: &CohortArgs, options: CohortOptions) -> Option<CohortTable> {
    let path = &args.input;
    let csv = args.columns.csv_options(path, 0).ok()?;
    let g = options.granularity;
    let currency = input::unchecked_currency();
    // A log in date order: the cells are counted during the pass.
    let ordered = with_progress(&args.input, args.out.quiet, |progress| {
        read_ordered_cohorts_path(path, g, options.as_of, &csv, progress)
    });
    if let Ok(Some(o)) = ordered {
        let mut cells = CohortCells::new(currency, options);
        for &(cohort, k, active, revenue) in &o.cells {
            cells
                .add_cell(cohort, u64::try_from(k).ok()?, active, revenue)
                .ok()?;
        }
        return cells
            .finish(&CohortCounts {
                transactions: o.report.rows_used,
                excluded_after_as_of: o.report.after_as_of,
                latest: o.latest,
            })
            .ok();
    }
    // Any order: each customer's periods, walked one thread per partition and merged.
    let activity = with_progress(&args.input, args.out.quiet, |progress| {
        read_activity_path(path, g, options.as_of, &csv, progress)
    })
    .ok()??;
    let parts = activity
        .fold_customers(
            || (CohortCells::new(currency, options), None),
            |(cells, latest): &mut (CohortCells, Option<NaiveDate>), c| {
                *latest = Some(latest.map_or(c.last, |l: NaiveDate| l.max(c.last)));
                cells.add_customer(&c.periods).map_err(anyhow::Error::from)
            },
        )
        .ok()?;
    let mut cells = CohortCells::new(currency, options);
    let mut latest: Option<NaiveDate> = None;
    for (part, part_latest) in parts {
        cells.merge(part).ok()?;
        latest = latest.max(part_latest);
    }
    let report = activity.report();
    cells
        .finish(&CohortCounts {
            transactions: report.rows_used,
            excluded_after_as_of: report.after_as_of,
            latest,
        })
        .ok()
}

/// The cohort table from the general reader (any input the shared grammar accepts).
fn general_table(
    args: &CohortArgs,
    currency: Option<Currency>,
    options: CohortOptions,
) -> anyhow::Result<CohortTable> {
    let path = &args.input;
    let checked = currency.is_some();
    let currency = currency.unwrap_or_else(input::unchecked_currency);
    let mut builder = CohortBuilder::new(currency, options);
    input::for_each_transaction(path, &args.columns, args.out.quiet, |t, at| {
        let amount = input::money(t, at, currency, checked)?;
        builder
            .push(t.customer_id, t.date, amount)
            .map_err(|e| at.error("", e.to_string()))
    })?;
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

/// `--layout cells`: the exact counts of every cell with an active customer.
fn write_cells_csv(w: &mut dyn Write, table: &CohortTable) -> io::Result<()> {
    writeln!(w, "cohort,period,size,active,revenue")?;
    for c in &table.cohorts {
        for (k, cell) in c.cells.iter().enumerate() {
            let Some(cell) = cell.as_ref().filter(|cell| cell.active > 0) else {
                continue;
            };
            writeln!(
                w,
                "{},{k},{},{},{}",
                c.label,
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
    let out = args.out.open(&[&args.input])?;
    let currency = input::currency(args.currency.as_deref())?;
    let mut options = CohortOptions::default().granularity(args.by.granularity());
    if let Some(d) = args.as_of {
        options = options.as_of(d);
    }
    let table = read_table(args, currency, options)?;
    out.write_with(|w| match args.out.format {
        Format::Csv if args.layout == Layout::Long => write_long_csv(w, &table, args.decimals),
        Format::Csv if args.layout == Layout::Cells => write_cells_csv(w, &table),
        Format::Csv => write_csv(w, &table, args.metric, args.decimals),
        Format::Json => write_json(w, &table, args),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_files::{file, temp_csv};
    use clap::Parser;
    use proptest::prelude::*;

    /// `attain cohort ...` arguments, parsed as the command parses them.
    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: CohortArgs,
    }

    fn args(path: &std::path::Path, extra: &[&str]) -> CohortArgs {
        let mut argv = vec!["cohort", path.to_str().unwrap(), "-q"];
        argv.extend_from_slice(extra);
        Wrapper::try_parse_from(argv).unwrap().args
    }

    fn options(args: &CohortArgs) -> CohortOptions {
        let mut o = CohortOptions::default().granularity(args.by.granularity());
        if let Some(d) = args.as_of {
            o = o.as_of(d);
        }
        o
    }

    fn flags() -> impl Strategy<Value = Vec<&'static str>> {
        (
            prop::sample::select(vec!["day", "week", "month", "quarter", "year"]),
            prop::sample::select(vec![
                None,
                Some("2026-01-31"),
                Some("2026-02-28"),
                Some("2020-01-01"),
            ]),
        )
            .prop_map(|(by, as_of)| {
                let mut f = vec!["--by", by];
                if let Some(d) = as_of {
                    f.extend(["--as-of", d]);
                }
                f
            })
    }

    /// The table, or the error as the command prints it.
    fn shown(r: anyhow::Result<CohortTable>) -> Result<CohortTable, String> {
        r.map_err(|e| format!("{e:#}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// One grammar: whenever the fast reader gives a table, the general reader accepts
        /// the file and gives the same table; the routed reader always gives the general
        /// reader's table or error, word for word.
        #[test]
        fn prop_fast_reader_equals_general_reader(text in file(), flags in flags()) {
            let path = temp_csv(&text);
            let args = args(&path, &flags);
            let general = shown(general_table(&args, None, options(&args)));
            let fast = fast_table(&args, options(&args));
            let routed = shown(read_table(&args, None, options(&args)));
            std::fs::remove_file(&path).unwrap();
            if let Some(fast) = fast {
                prop_assert_eq!(Ok(fast), general.clone(), "{:?}", text);
            }
            prop_assert_eq!(routed, general, "{:?}", text);
        }
    }

    #[test]
    fn plain_files_take_the_fast_path_with_every_option() {
        let text = "customer_id,order_id,order_date,amount\n\
                    d,o8,2026-03-20,8\na,o1,2026-01-05,10\nb,o2,2026-01-09,7.5\n\
                    a,o3,2026-01-28,-5.25\na,,2026-02-02,20\nc,o5,2026-02-14,40\n";
        let path = temp_csv(text);
        for flags in [
            &["--by", "month"][..],
            &["--by", "day", "--as-of", "2026-02-01"],
            &["--by", "week"],
            &["--by", "quarter", "--layout", "long"],
            &["--by", "year", "--format", "json"],
        ] {
            let args = args(&path, flags);
            let fast = fast_table(&args, options(&args));
            assert!(fast.is_some(), "{flags:?}");
            assert_eq!(
                fast.map(Ok),
                Some(shown(general_table(&args, None, options(&args))))
            );
        }
        std::fs::remove_file(&path).unwrap();
    }
}
