//! `attain rfm`: RFM values, scores and segments per customer from a transaction CSV.

use std::path::PathBuf;
use std::time::Instant;

use attain_rfm::csv::{read_path_with_progress, read_reader, write_csv};
use attain_rfm::{
    AfterAsOf, AggregateOptions, FrequencyMode, MonetaryMode, ReturnsMode, ScoreOptions, Scoring,
    SegmentMap, score,
};
use attain_types::{Granularity, NaiveDate};

use crate::input::{self, ColumnArgs};
use crate::output::{Format, OutputArgs, file_progress};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScoringArg {
    /// Equal values get equal scores: 1 + floor(bins * (rank_min - 1) / n) (attain's own).
    Ties,
    /// SQL NTILE(bins) OVER (ORDER BY value, customer_id); checked against DuckDB 2.0.1.
    Ntile,
    /// RFM benchmark job v1: floor(k * bins / n) + 1 over (value, customer_id).
    Even,
    /// pandas qcut(x.rank(method="first"), bins, labels=False) + 1; checked against pandas 3.1.
    QcutRank,
    /// R rfm 0.3.0 rfm_table_order(); checked against R's own output. Frequency counts rows and
    /// rows after --as-of are kept, as in R.
    RRfm,
    /// PyMC-Marketing 0.19.0 rfm_segments() quartiles (4 bins; frequency = purchase days,
    /// monetary = mean per day); checked against PyMC-Marketing's own output.
    Pymc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FrequencyArg {
    /// Rows (order lines).
    Rows,
    /// Distinct order ids.
    Orders,
    /// Distinct purchase days.
    Days,
    /// Distinct purchase days minus one (BG/NBD).
    RepeatDays,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MonetaryArg {
    /// Exact sum.
    Sum,
    /// Sum per order.
    MeanOrder,
    /// Sum per purchase day.
    MeanDay,
    /// Mean daily spend after the first day (Gamma-Gamma input).
    MeanRepeat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PeriodArg {
    /// Calendar days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReturnsArg {
    /// Refunds subtract.
    Net,
    /// Only amounts >= 0 count as money.
    Gross,
    /// Refund rows are dropped.
    Excluded,
}

/// Arguments of `attain rfm`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  $ attain rfm data/cdnow_transactions.csv --as-of 1998-07-01 --segments standard11 -o rfm.csv\n\n\
Compatibility modes (each equals its anchor's own output on every customer; data/compat/):\n  \
--scoring ntile                      SQL NTILE (DuckDB, PostgreSQL, Spark, BigQuery)\n  \
--scoring r-rfm --segments r-rfm     R rfm 0.3.0 rfm_table_order() + rfm_segment()\n  \
--scoring pymc --segments pymc       PyMC-Marketing 0.19.0 rfm_segments()\n  \
--scoring qcut-rank                  pandas qcut(rank(method=\"first\"))\n  \
--scoring even                       RFM benchmark job v1, byte for byte without --segments\n\n\
Segment maps: standard11 (the published 125-code table), rf10 (its R/F regex map), r-rfm,\n\
pymc, pypi-rfm (PyPI rfm 1.0.9), three (METHOD.md 3.1), attain11 (attain's own boxes).\n\
`attain segments` lists each map's codes, gaps and shadowed rules."
)]
pub(crate) struct RfmArgs {
    /// Transaction CSV (`-` for standard input) with a header line, or a Parquet file
    /// (recognised by its contents). `-o NAME.parquet` writes the result as Parquet.
    input: PathBuf,
    /// The date recency counts back from (YYYY-MM-DD); later rows are excluded and counted.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date)]
    as_of: NaiveDate,
    /// Bins per metric (2..=10) [default: 5, 4 with --scoring pymc].
    #[arg(long, value_parser = clap::value_parser!(u8).range(2..=10))]
    bins: Option<u8>,
    /// How values become scores.
    #[arg(long, value_enum, default_value_t = ScoringArg::Ties)]
    scoring: ScoringArg,
    /// Segment map: a built-in name (standard11, rf10, r-rfm, pymc, pypi-rfm, three,
    /// attain11) or a map file; adds a `segment` column.
    #[arg(long, value_name = "MAP")]
    segments: Option<String>,
    #[command(flatten)]
    columns: ColumnArgs,
    /// What frequency counts [default: orders; rows with --scoring r-rfm, days with pymc].
    #[arg(long, value_enum)]
    frequency: Option<FrequencyArg>,
    /// What monetary is [default: sum; mean-day with --scoring pymc].
    #[arg(long, value_enum)]
    monetary: Option<MonetaryArg>,
    /// The purchase period of --frequency days|repeat-days and --monetary mean-day|mean-repeat:
    /// purchases in the same period count once.
    #[arg(long, value_enum, default_value_t = PeriodArg::Day)]
    period: PeriodArg,
    /// How negative amounts count.
    #[arg(long, value_enum, default_value_t = ReturnsArg::Net)]
    returns: ReturnsArg,
    /// Use rows dated after --as-of too (negative recency), as job v1 and R rfm do (always on
    /// with --scoring r-rfm).
    #[arg(long)]
    include_after_as_of: bool,
    /// Memory for exact distinct-order counting, in MiB: a file with more orders is read in
    /// several passes, each over a part of the customers, so memory follows the customers.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    order_memory_mib: u32,
    /// Print `phases: parse=S compute=S write=S` on standard error.
    #[arg(long)]
    phases: bool,
    #[command(flatten)]
    out: OutputArgs,
}

pub(crate) fn run(args: &RfmArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let map_file = args
        .segments
        .as_deref()
        .filter(|name| SegmentMap::builtin(name).is_none())
        .map(std::path::Path::new);
    let mut inputs = vec![args.input.as_path()];
    inputs.extend(map_file);
    let out = args.out.open(&inputs)?;
    let mode = args.scoring;
    let frequency = args.frequency.unwrap_or(match mode {
        ScoringArg::RRfm => FrequencyArg::Rows,
        ScoringArg::Pymc => FrequencyArg::Days,
        _ => FrequencyArg::Orders,
    });
    let monetary = args.monetary.unwrap_or(match mode {
        ScoringArg::Pymc => MonetaryArg::MeanDay,
        _ => MonetaryArg::Sum,
    });
    let bins = args.bins.unwrap_or(match mode {
        ScoringArg::Pymc => attain_rfm::PYMC_BINS,
        _ => 5,
    });
    let include_after_as_of = args.include_after_as_of || mode == ScoringArg::RRfm;
    let options = AggregateOptions::default()
        .frequency(match frequency {
            FrequencyArg::Rows => FrequencyMode::Rows,
            FrequencyArg::Orders => FrequencyMode::DistinctOrders,
            FrequencyArg::Days => FrequencyMode::DistinctDays,
            FrequencyArg::RepeatDays => FrequencyMode::RepeatDays,
        })
        .monetary(match monetary {
            MonetaryArg::Sum => MonetaryMode::Sum,
            MonetaryArg::MeanOrder => MonetaryMode::MeanPerOrder,
            MonetaryArg::MeanDay => MonetaryMode::MeanPerDay,
            MonetaryArg::MeanRepeat => MonetaryMode::MeanRepeatDays,
        })
        .period(match args.period {
            PeriodArg::Day => Granularity::Day,
            PeriodArg::Week => Granularity::IsoWeek,
            PeriodArg::Month => Granularity::Month,
            PeriodArg::Quarter => Granularity::Quarter,
            PeriodArg::Year => Granularity::Year,
        })
        .returns(match args.returns {
            ReturnsArg::Net => ReturnsMode::Net,
            ReturnsArg::Gross => ReturnsMode::Gross,
            ReturnsArg::Excluded => ReturnsMode::Excluded,
        })
        .after_as_of(if include_after_as_of {
            AfterAsOf::Include
        } else {
            AfterAsOf::Exclude
        });
    let segments = match &args.segments {
        None => None,
        Some(name) => Some(crate::segments::load(name, "--segments ")?),
    };
    let scoring = ScoreOptions::default().bins(bins).scoring(match mode {
        ScoringArg::Ties => Scoring::Ties,
        ScoringArg::Ntile => Scoring::Ntile,
        ScoringArg::Even => Scoring::Even,
        ScoringArg::QcutRank => Scoring::QcutRank,
        ScoringArg::RRfm => Scoring::RRfm,
        ScoringArg::Pymc => Scoring::Pymc,
    });
    // R adds the amounts as doubles: the R mode reads the rows once more for those totals.
    let r_totals =
        mode == ScoringArg::RRfm && monetary == MonetaryArg::Sum && args.returns == ReturnsArg::Net;

    let parquet_in = input::kind(&args.input) == input::Kind::Parquet;
    let csv = args.columns.csv_options(&args.input, order_memory(args))?;
    let mut totals = None;
    let table = if r_totals {
        let (table, t) = read_with_float_totals(args, options)?;
        totals = Some(t);
        table
    } else if parquet_in {
        read_parquet(args, &options)?
    } else if args.input.as_os_str() == "-" {
        read_reader(
            std::io::stdin().lock(),
            "<stdin>",
            args.as_of,
            &options,
            &csv,
        )?
    } else {
        let bar = file_progress(&args.input, args.out.quiet);
        let table = read_path_with_progress(&args.input, args.as_of, &options, &csv, &|bytes| {
            if let Some(bar) = &bar {
                bar.set_position(bytes);
            }
        });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        table?
    };
    if table.report.after_as_of > 0 && !include_after_as_of {
        eprintln!(
            "attain: note: {} rows dated after {} were excluded (use --include-after-as-of to keep them)",
            table.report.after_as_of, args.as_of
        );
    }
    let t1 = Instant::now();
    let scores = match &totals {
        Some(t) => attain_rfm::score_r_rfm(&table.customers, t, bins)?,
        None => score(&table.customers, &scoring)?,
    };
    let names = match &segments {
        Some(map) => Some(map.assign_all(&scores, bins)?),
        None => None,
    };
    let t2 = Instant::now();
    if parquet_out(args) {
        return write_parquet(
            args,
            &out,
            &table.customers,
            &scores,
            names.as_deref(),
            [t0, t1, t2],
        );
    }
    match args.out.format {
        Format::Csv => {
            out.write_with(|w| write_csv(w, &table.customers, &scores, names.as_deref()))?;
        }
        Format::Json => {
            let rows: Vec<CustomerJson<'_>> = table
                .customers
                .iter()
                .zip(&scores)
                .enumerate()
                .map(|(i, (c, s))| CustomerJson {
                    code: s.code_string(),
                    customer_id: &c.customer_id,
                    f: s.f,
                    frequency: c.frequency,
                    m: s.m,
                    monetary: c.monetary.to_string(),
                    r: s.r,
                    recency_days: c.recency_days,
                    segment: names.as_ref().map(|n| n[i]),
                })
                .collect();
            let doc = RfmJson {
                as_of: args.as_of.to_string(),
                bins,
                customers: rows,
                refund_rows: table.report.refunds,
                rows_after_as_of: table.report.after_as_of,
                rows_read: table.report.rows_read,
                rows_used: table.report.rows_used,
                scoring: scoring.scoring.name(),
            };
            out.write_with(|w| {
                serde_json::to_writer_pretty(&mut *w, &doc)?;
                w.write_all(b"\n")
            })?;
        }
    }
    if args.phases {
        let t3 = Instant::now();
        eprintln!(
            "phases: parse={:.3} compute={:.3} write={:.3}",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64()
        );
    }
    Ok(())
}

/// Whether the output goes to a `.parquet` file.
fn parquet_out(args: &RfmArgs) -> bool {
    args.out.output.as_ref().is_some_and(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
    })
}

#[cfg(feature = "parquet")]
fn read_parquet(
    args: &RfmArgs,
    options: &AggregateOptions,
) -> anyhow::Result<attain_rfm::RfmTable> {
    let columns = args
        .columns
        .arrow_columns(&args.input, order_memory(args))?;
    Ok(attain_rfm::parquet::read_path(
        &args.input,
        args.as_of,
        options,
        &columns,
    )?)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(args: &RfmArgs, _: &AggregateOptions) -> anyhow::Result<attain_rfm::RfmTable> {
    anyhow::bail!(
        "{}: a Parquet file, but this attain was built without the `parquet` feature",
        args.input.display()
    )
}

#[cfg(feature = "parquet")]
fn write_parquet(
    args: &RfmArgs,
    out: &crate::output::Output,
    customers: &[attain_rfm::CustomerValues],
    scores: &[attain_rfm::RfmScore],
    names: Option<&[Option<&str>]>,
    [t0, t1, t2]: [Instant; 3],
) -> anyhow::Result<()> {
    let batch = attain_rfm::arrow::to_record_batch(customers, Some(scores), names)?;
    // The result is one row per customer: encode it in memory, then write atomically.
    let mut bytes = Vec::new();
    attain_rfm::parquet::write_to(&mut bytes, &batch)?;
    out.write_with(|w| w.write_all(&bytes))?;
    if args.phases {
        eprintln!(
            "phases: parse={:.3} compute={:.3} write={:.3}",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            t2.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(
    _: &RfmArgs,
    _: &crate::output::Output,
    _: &[attain_rfm::CustomerValues],
    _: &[attain_rfm::RfmScore],
    _: Option<&[Option<&str>]>,
    _: [Instant; 3],
) -> anyhow::Result<()> {
    anyhow::bail!("a .parquet output needs attain built with the `parquet` feature")
}

/// One pass over the rows (CSV, Parquet or standard input, through the shared reader) into
/// the aggregation and R's double-precision monetary totals ([`attain_rfm::FloatTotals`]).
fn read_with_float_totals(
    args: &RfmArgs,
    options: AggregateOptions,
) -> anyhow::Result<(attain_rfm::RfmTable, attain_rfm::FloatTotals)> {
    let mut agg = attain_rfm::Aggregator::new(args.as_of, options);
    let mut totals = attain_rfm::FloatTotals::new();
    input::for_each_transaction(&args.input, &args.columns, args.out.quiet, |tx, _| {
        agg.push(tx)?;
        totals.add(tx.customer_id, tx.amount);
        Ok(())
    })?;
    Ok((agg.finish()?, totals))
}

fn order_memory(args: &RfmArgs) -> usize {
    usize::try_from(args.order_memory_mib).map_or(usize::MAX, |m| m.saturating_mul(1 << 20))
}
/// `--format json`. Keys are declared in alphabetical order, the order of the
/// `serde_json::Value` this document was first built as; amounts are exact decimal strings.
#[derive(Debug, serde::Serialize)]
struct RfmJson<'a> {
    as_of: String,
    bins: u8,
    customers: Vec<CustomerJson<'a>>,
    refund_rows: u64,
    rows_after_as_of: u64,
    rows_read: u64,
    rows_used: u64,
    scoring: &'static str,
}

/// One customer of [`RfmJson`]; `segment` only with `--segments` (`null` when no rule
/// matched).
#[derive(Debug, serde::Serialize)]
struct CustomerJson<'a> {
    code: String,
    customer_id: &'a str,
    f: u8,
    frequency: u64,
    m: u8,
    monetary: String,
    r: u8,
    recency_days: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    segment: Option<Option<&'a str>>,
}
