//! `attain report`: one self-contained HTML file (inline CSS and SVG, no network) with the
//! plan, the funnel, RFM segments, cohort retention and the distribution of expected customer
//! value, all computed by the attain crates from one transaction CSV.
//!
//! The CLI holds no business logic: every number comes from `attain-goals`, `attain-funnel`,
//! `attain-rfm` or `attain-lifecycle`, called the same way as `attain plan`, `attain funnel
//! plan`, `attain rfm`, `attain cohort` and `attain clv` (the report prints the equivalent
//! commands, and the tests check that the numbers agree).

mod charts;
mod data;
mod html;
mod sections;
mod svg;

use std::path::PathBuf;

use attain_types::input::Quoted;
use attain_types::{Currency, Decimal, NaiveDate, Period};

use crate::usage::{UsageContext, usage};

/// One self-contained HTML report with charts from a transaction CSV.
///
/// Sections: the plan by month (stacked by customer type) against actuals and the run rate;
/// the funnel's required entries per stage (with --funnel-stages) against actual counts (with
/// --funnel-events); RFM segment sizes and revenue with the R x F heatmap; cohort retention;
/// the distribution of expected customer value (BG/NBD + Gamma-Gamma). Every section prints
/// the `attain` command that gives the same numbers as CSV.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  $ attain report data/cdnow_transactions.csv -o report.html\n  $ \
attain report data/cdnow_transactions.csv --target 120000 --year 1998 \\\n    \
--split customer=new:40,repeat:60 --funnel-stages lead:0.1,visit:0.3,proposal:0.2 \\\n    \
--deal-size 35 -o report.html\n\n\
Defaults: --as-of is the day after the latest purchase (rows after it are left out); --year is\n\
the year of the day before --as-of; --target is the revenue of the 12 months before --as-of\n\
plus 10%, rounded up to two significant digits; --split is customer=new:N,repeat:R with the\n\
revenue of first-purchase days (N) and of later days (R) in those 12 months; --deal-size is\n\
the mean order amount in those 12 months."
)]
pub(crate) struct ReportArgs {
    /// Transaction CSV with a header line (customer, order date, amount; order id optional).
    #[arg(value_name = "INPUT.csv")]
    input: PathBuf,
    /// The report date (YYYY-MM-DD): recency counts back from it, and rows dated after it are
    /// left out. Default: the day after the latest purchase.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date)]
    as_of: Option<NaiveDate>,
    /// The yearly target, as plain decimal text (`120000`). Default: see below.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    target: Option<String>,
    /// The calendar year to plan. Default: the year of the day before --as-of.
    #[arg(long)]
    year: Option<i32>,
    /// The customer-type split of the plan, `name=label:weight,...` (as `attain plan --split`).
    #[arg(long, value_name = "NAME=LABEL:WEIGHT,...")]
    split: Option<String>,
    /// Funnel stages from the top, `name:rate,...` (as `attain funnel plan --stages`); adds
    /// the funnel section, planned for --target.
    #[arg(long, value_delimiter = ',', value_name = "NAME:RATE,...")]
    funnel_stages: Vec<String>,
    /// Average deal size for the funnel. Default: the mean order amount of the last 12 months.
    #[arg(long, value_name = "AMOUNT", requires = "funnel_stages")]
    deal_size: Option<String>,
    /// Event CSV (columns --entity-col, --step-col, --time-col, read as by `attain funnel
    /// measure`) giving the actual count reaching each funnel stage (steps named as in
    /// --funnel-stages, plus `deal`).
    #[arg(long, value_name = "EVENTS.csv", requires = "funnel_stages")]
    funnel_events: Option<PathBuf>,
    /// Exclusion steps of the measured funnel, as `attain funnel measure --exclude`
    /// (`EVENT` or `EVENT:FROM>TO`); the chart shows the entities they disqualify.
    #[arg(long, value_name = "EVENT[:FROM>TO]", requires = "funnel_events")]
    funnel_exclude: Vec<String>,
    /// Conversion window of the measured funnel, as `attain funnel measure --window` (`30d`).
    #[arg(long, value_name = "DURATION", requires = "funnel_events")]
    funnel_window: Option<String>,
    /// Expected customer value horizon in months (BG/NBD + Gamma-Gamma, weekly model).
    #[arg(long, value_name = "MONTHS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    clv_months: u32,
    /// Monthly discount rate of the expected customer value (0.01 is 1% a month).
    #[arg(long, value_name = "RATE", default_value = "0.01")]
    discount: Decimal,
    /// Check the CLV model on a holdout: calibrate BG/NBD on purchases through DATE and compare
    /// it with the rest of the file (as `attain clv --holdout-end`); the CLV section then adds
    /// the tracking curve, the calibration histogram, holdout purchases by calibration
    /// frequency and the P(alive) matrix.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date)]
    clv_calibration_end: Option<NaiveDate>,
    /// ISO 4217 currency of the amounts: each amount must then be a whole number of its
    /// minor units (10.005 is refused in USD). Without it, amounts are taken exactly as
    /// written, as every subcommand reads them, and the page shows them with no unit ("no
    /// currency"); `--format json` then writes `"currency": "XXX"`, ISO 4217's code for no
    /// currency.
    #[arg(long, value_name = "CODE")]
    currency: Option<String>,
    #[command(flatten)]
    columns: crate::input::ColumnArgs,
    /// The columns of --funnel-events.
    #[command(flatten)]
    event_columns: crate::events::EventColumnArgs,
    /// Output format: the HTML page, or its numbers as JSON (key figures, tables and commands,
    /// as text formatted as on the page).
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    format: ReportFormat,
    /// Write to FILE instead of standard output: atomically (complete or not at all), keeping
    /// an existing file's permissions; never one of the inputs; through a symbolic link to the
    /// file it points to; directly into a device or FIFO.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress bar while reading the input (one is shown on standard error only when it is
    /// a terminal).
    #[arg(short = 'q', long)]
    quiet: bool,
}

/// The output format of `attain report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// One self-contained HTML page with the charts.
    Html,
    /// The page's numbers as one JSON document (no charts).
    Json,
}

/// The page's numbers as JSON: what the charts show, for pipelines and tests.
///
/// The keys of every object are declared in alphabetical order: the document was first built
/// as a `serde_json::Value`, whose maps sort their keys, and that order is kept.
#[derive(Debug, serde::Serialize)]
struct JsonPage<'a> {
    as_of: String,
    currency: &'a str,
    data_end: String,
    input: &'a str,
    key_figures: Vec<KeyFigure<'a>>,
    rows_after_as_of: u64,
    sections: Vec<JsonSection<'a>>,
}

/// One key figure of the page or a section.
#[derive(Debug, serde::Serialize)]
struct KeyFigure<'a> {
    label: &'a str,
    value: &'a str,
}

/// One section without its charts (their count only) and lead text.
#[derive(Debug, serde::Serialize)]
struct JsonSection<'a> {
    charts: usize,
    command: Option<&'a str>,
    id: &'a str,
    key_figures: Vec<KeyFigure<'a>>,
    notes: &'a [String],
    tables: Vec<JsonTable<'a>>,
    title: &'a str,
}

/// A table behind a chart.
#[derive(Debug, serde::Serialize)]
struct JsonTable<'a> {
    headers: &'a [String],
    id: &'a str,
    rows: &'a [Vec<String>],
}

fn key_figures(items: &[(String, String)]) -> Vec<KeyFigure<'_>> {
    items
        .iter()
        .map(|(label, value)| KeyFigure { label, value })
        .collect()
}

fn to_json<'a>(log: &'a data::Log, sections: &'a sections::Sections) -> JsonPage<'a> {
    JsonPage {
        as_of: log.as_of.to_string(),
        currency: log.currency.code(),
        data_end: log.data_end.to_string(),
        input: &log.file,
        key_figures: key_figures(&sections.summary),
        rows_after_as_of: log.after_as_of,
        sections: sections
            .list
            .iter()
            .map(|s| JsonSection {
                charts: s.charts.len(),
                command: s.command.as_deref(),
                id: s.id,
                key_figures: key_figures(&s.kpis),
                notes: &s.notes,
                tables: s
                    .tables
                    .iter()
                    .map(|t| JsonTable {
                        headers: &t.headers,
                        id: &t.id,
                        rows: &t.rows,
                    })
                    .collect(),
                title: &s.title,
            })
            .collect(),
    }
}

/// `label (CNY)`, or `label` alone without a currency (`XXX`, ISO 4217's "no currency", the
/// default): people never see the placeholder code. The JSON format keeps the code.
pub(super) fn with_unit(label: &str, currency: Currency) -> String {
    match crate::plan::currency_unit(&currency) {
        Some(code) => format!("{label} ({code})"),
        None => label.to_owned(),
    }
}

/// `12,000.00 CNY`, or `12,000.00` without a currency.
pub(super) fn with_code(amount: String, currency: Currency) -> String {
    match crate::plan::currency_unit(&currency) {
        Some(code) => format!("{amount} {code}"),
        None => amount,
    }
}

/// ` --currency CNY` for a suggested command line, or nothing without a currency (the
/// commands' default).
pub(super) fn currency_flag(currency: Currency) -> String {
    crate::plan::currency_unit(&currency).map_or_else(String::new, |c| format!(" --currency {c}"))
}

/// Checks every option value before the input is read (a bad one is a usage error, exit
/// status 2), with the parsers of `attain plan` and `attain funnel plan`; returns the currency
/// named by `--currency`, if any.
fn check_options(args: &ReportArgs) -> anyhow::Result<Option<Currency>> {
    let checked = crate::input::currency(args.currency.as_deref())?;
    let currency = checked.unwrap_or(Currency::XXX);
    attain_types::Rate::new(args.discount).usage("--discount")?;
    if let Some(t) = &args.target {
        crate::plan::money_arg(t, currency).usage("--target")?;
    }
    if let Some(d) = &args.deal_size {
        crate::plan::money_arg(d, currency).usage("--deal-size")?;
    }
    if let Some(y) = args.year {
        Period::year(y).usage("--year")?;
    }
    if let Some(s) = &args.split {
        crate::plan::parse_split(s).with_usage(|| format!("--split {}", Quoted::new(s)))?;
    }
    for (i, item) in args.funnel_stages.iter().enumerate() {
        let stage = crate::funnel::parse_stage("--funnel-stages", item, i)?;
        if stage.name == "deal" {
            return Err(usage(format!(
                "--funnel-stages item {} ({}): a stage needs a name other than `deal`",
                i + 1,
                Quoted::new(item)
            )));
        }
    }
    Ok(checked)
}

pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let mut inputs = vec![args.input.as_path()];
    inputs.extend(args.funnel_events.as_deref());
    let out = crate::output::Output::create(args.output.as_deref(), &inputs)?;
    let currency = check_options(args)?;
    let log = data::load(args, currency)?;
    let sections = sections::build(args, &log)?;
    let page = match args.format {
        ReportFormat::Html => html::page(&log, &sections),
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(&log, &sections))?;
            text.push('\n');
            text
        }
    };
    out.write_with(|w| w.write_all(page.as_bytes()))
}
