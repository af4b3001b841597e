//! `attain sql`: SQL over transaction and event files with every attain function registered
//! (Apache DataFusion). Files are read by the command's own readers, so a file is accepted or
//! rejected here exactly as by `attain rfm` or `attain funnel measure`, at the same line and
//! column; the query then runs on the checked rows.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use attain_datafusion::{RetentionAggregate, RfmFunctions, WindowFunnelAggregate};
use attain_types::{Decimal, NaiveDate};
use datafusion::arrow::array::{
    ArrayRef, Date32Builder, Decimal128Array, RecordBatch, StringBuilder, TimestampSecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::events::{self, EventColumnArgs};
use crate::input::{self, ColumnArgs};
use crate::output::Output;
use crate::usage::usage;

/// The output format of `attain sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum SqlFormat {
    /// Comma-separated values with a header line.
    #[default]
    Csv,
    /// One JSON array of objects, one per row.
    Json,
    /// Apache Parquet (Zstandard-compressed).
    Parquet,
}

/// Run SQL over transaction and event files, with every attain function registered.
///
/// Transaction tables (--table NAME=PATH, CSV or Parquet) have the columns customer_id,
/// order_id (NULL without one), order_date (DATE) and amount (DECIMAL(38, S), S the largest
/// scale in the file: exact). Event tables (--events NAME=PATH, CSV) have entity_id, step and
/// timestamp (TIMESTAMP in seconds, UTC). Functions: rfm(order_date, amount [, order_id]) (needs
/// --as-of), rfm_score(...) OVER (), rfm_segment(r, f, m [, map]), period_start,
/// period_index, window_funnel(window, [modes,] ts, cond1, ...) and retention(cond1, ...).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  $ attain sql \"SELECT customer_id, rfm(order_date, amount) AS v FROM tx GROUP BY 1\" \\\n    --table tx=data/cdnow_transactions.csv --as-of 1998-07-01 --format json"
)]
pub(crate) struct SqlArgs {
    /// The query (one statement).
    query: String,
    /// A transaction table: NAME=PATH (CSV or Parquet), read with the column flags below.
    #[arg(long = "table", value_name = "NAME=PATH")]
    tables: Vec<String>,
    /// An event table: NAME=PATH (CSV), read with the event column flags below.
    #[arg(long = "events", value_name = "NAME=PATH")]
    event_tables: Vec<String>,
    /// The date rfm() counts recency back from (YYYY-MM-DD); without it rfm() is not
    /// registered.
    #[arg(long, value_name = "DATE", value_parser = crate::args::date)]
    as_of: Option<NaiveDate>,
    #[command(flatten)]
    columns: ColumnArgs,
    #[command(flatten)]
    event_columns: EventColumnArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SqlFormat::Csv)]
    format: SqlFormat,
    /// Write to FILE instead of standard output (atomically; never one of the inputs).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress bar while reading input.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Run the query on an Apache Ballista cluster (df://HOST:PORT) started with
    /// attain-ballista-scheduler and attain-ballista-executor. Each --table is then a Parquet
    /// file or directory the executors read themselves (columns customer_id, order_id,
    /// order_date DATE, amount DECIMAL, as `attain sql -o x.parquet` writes them); --as-of
    /// must be the one the cluster was started with (checked).
    #[cfg(feature = "ballista")]
    #[arg(long, value_name = "URL")]
    ballista: Option<String>,
}

/// `NAME=PATH`, with NAME a plain SQL identifier.
fn table_arg(text: &str, flag: &str) -> anyhow::Result<(String, PathBuf)> {
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| usage(format!("{flag} {text:?}: expected NAME=PATH")))?;
    let plain = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(usage(format!(
            "{flag} {text:?}: the table name must be letters, digits and _ (not starting with a digit)"
        )));
    }
    Ok((name.to_ascii_lowercase(), PathBuf::from(path)))
}

/// A transaction file as one Arrow batch, read by the command's one transaction reader.
fn transaction_batch(path: &Path, args: &SqlArgs) -> anyhow::Result<RecordBatch> {
    let (mut customers, mut orders) = (StringBuilder::new(), StringBuilder::new());
    let mut dates = Date32Builder::new();
    let mut amounts: Vec<Decimal> = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    input::for_each_transaction(path, &args.columns, args.quiet, |t, _| {
        customers.append_value(t.customer_id);
        orders.append_option(t.order_id);
        let days = (t.date - epoch).num_days();
        dates.append_value(i32::try_from(days).unwrap_or(i32::MAX));
        amounts.push(t.amount);
        Ok(())
    })?;
    let scale = amounts.iter().map(Decimal::scale).max().unwrap_or(0);
    let mantissas = amounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            10i128
                .checked_pow(scale - a.scale())
                .and_then(|f| a.mantissa().checked_mul(f))
                .filter(|m| m.unsigned_abs() < 10u128.pow(38))
                .ok_or_else(|| {
                    anyhow!(
                        "{}: row {}: amount {a} cannot be held exactly as DECIMAL(38, {scale})",
                        path.display(),
                        i + 1
                    )
                })
        })
        .collect::<anyhow::Result<Vec<i128>>>()?;
    let amount = Decimal128Array::from(mantissas).with_precision_and_scale(38, scale as i8)?;
    let schema = Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("order_id", DataType::Utf8, true),
        Field::new("order_date", DataType::Date32, false),
        Field::new("amount", DataType::Decimal128(38, scale as i8), false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(customers.finish()),
        Arc::new(orders.finish()),
        Arc::new(dates.finish()),
        Arc::new(amount),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
}

/// An event file as one Arrow batch, read by the command's one event reader.
fn event_batch(path: &Path, args: &SqlArgs) -> anyhow::Result<RecordBatch> {
    let (mut entities, mut steps) = (StringBuilder::new(), StringBuilder::new());
    let mut times = Vec::new();
    events::for_each_event(path, &args.event_columns, None, args.quiet, |e, _| {
        entities.append_value(e.entity);
        steps.append_value(e.step);
        times.push(e.time);
        Ok(())
    })?;
    let schema = Schema::new(vec![
        Field::new("entity_id", DataType::Utf8, false),
        Field::new("step", DataType::Utf8, false),
        Field::new(
            "timestamp",
            DataType::Timestamp(TimeUnit::Second, None),
            false,
        ),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(entities.finish()),
        Arc::new(steps.finish()),
        Arc::new(TimestampSecondArray::from(times)),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
}

pub(crate) fn run(args: &SqlArgs) -> anyhow::Result<()> {
    let mut tables = Vec::new();
    for t in &args.tables {
        tables.push((table_arg(t, "--table")?, false));
    }
    for t in &args.event_tables {
        tables.push((table_arg(t, "--events")?, true));
    }
    let mut names: Vec<&str> = tables.iter().map(|((n, _), _)| n.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(usage(format!("table {:?} is given twice", w[0])));
    }
    let inputs: Vec<&Path> = tables.iter().map(|((_, p), _)| p.as_path()).collect();
    let out = Output::create(args.output.as_deref(), &inputs)?;
    #[cfg(feature = "ballista")]
    if let Some(url) = &args.ballista {
        let batches = ballista::run(url, &tables, args)?;
        return write(&out, args.format, &batches);
    }

    let ctx = SessionContext::new();
    for ((name, path), is_events) in &tables {
        let batch = if *is_events {
            event_batch(path, args)?
        } else {
            transaction_batch(path, args)?
        };
        let table = MemTable::try_new(batch.schema(), vec![vec![batch]])?;
        ctx.register_table(name.as_str(), Arc::new(table))?;
    }
    register_functions(&ctx, args.as_of)?;
    let batches = collect(&query_runtime()?, &ctx, args)?;
    write(&out, args.format, &batches)
}

/// Registers every attain function on `ctx`; `rfm()` only with an `as_of` date.
fn register_functions(ctx: &SessionContext, as_of: Option<NaiveDate>) -> anyhow::Result<()> {
    match as_of {
        Some(as_of) => attain_datafusion::register(ctx, &RfmFunctions::new(as_of))?,
        None => {
            // Everything but rfm(), which needs the date recency counts back from.
            let f = RfmFunctions::new(NaiveDate::default());
            for w in f.window_udfs() {
                ctx.register_udwf(Arc::unwrap_or_clone(w));
            }
            for s in f.scalar_udfs() {
                ctx.register_udf(Arc::unwrap_or_clone(s));
            }
            ctx.register_udaf(WindowFunnelAggregate::new().into());
            ctx.register_udaf(RetentionAggregate::new().into());
        }
    }
    Ok(())
}

/// The runtime queries run on.
fn query_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the query runtime")
}

/// Runs the query on `ctx`: at least one batch (an empty one with the result's schema when
/// there are no rows, so the output still has its header, `[]` or schema).
fn collect(
    runtime: &tokio::runtime::Runtime,
    ctx: &SessionContext,
    args: &SqlArgs,
) -> anyhow::Result<Vec<RecordBatch>> {
    let (schema, mut batches) = runtime
        .block_on(async {
            let frame = ctx.sql(&args.query).await?;
            let schema = Arc::new(frame.schema().as_arrow().clone());
            Ok::<_, datafusion::error::DataFusionError>((schema, frame.collect().await?))
        })
        .map_err(|e| {
            let hint = if args.as_of.is_none() && e.to_string().contains("'rfm'") {
                " (rfm() needs --as-of DATE)"
            } else {
                ""
            };
            usage(format!("the query: {e}{hint}"))
        })?;
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    Ok(batches)
}

/// `attain sql --ballista`: the query planned here and run on a Ballista cluster whose
/// executors read the Parquet tables themselves.
#[cfg(feature = "ballista")]
mod ballista {
    use std::path::PathBuf;

    use anyhow::Context;
    use ballista::prelude::SessionContextExt;
    use datafusion::arrow::array::RecordBatch;
    use datafusion::prelude::{ParquetReadOptions, SessionContext};

    use super::SqlArgs;
    use crate::usage::usage;

    /// A table path as the executors must see it: absolute, a directory ending in `/`.
    fn listing_path(path: &std::path::Path) -> anyhow::Result<String> {
        let absolute = path
            .canonicalize()
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let mut text = absolute
            .to_str()
            .ok_or_else(|| usage(format!("{}: the path must be UTF-8", path.display())))?
            .to_owned();
        if absolute.is_dir() && !text.ends_with('/') {
            text.push('/');
        }
        Ok(text)
    }

    pub(super) fn run(
        url: &str,
        tables: &[((String, PathBuf), bool)],
        args: &SqlArgs,
    ) -> anyhow::Result<Vec<RecordBatch>> {
        if tables.iter().any(|(_, is_events)| *is_events) {
            return Err(usage(
                "--events is not supported with --ballista: give event tables as Parquet with --table",
            ));
        }
        let mut paths = Vec::with_capacity(tables.len());
        for ((name, path), _) in tables {
            let is_parquet = path.is_dir()
                || path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
            if !is_parquet {
                return Err(usage(format!(
                    "--table {name}={}: with --ballista a table is a Parquet file or a directory of them",
                    path.display()
                )));
            }
            paths.push((name.as_str(), listing_path(path)?));
        }
        let runtime = super::query_runtime()?;
        let ctx = runtime
            .block_on(async {
                let ctx = SessionContext::remote(url).await?;
                for (name, path) in &paths {
                    ctx.register_parquet(*name, path, ParquetReadOptions::default())
                        .await?;
                }
                Ok::<_, datafusion::error::DataFusionError>(ctx)
            })
            .with_context(|| format!("cannot use the Ballista cluster at {url}"))?;
        // After connecting: Ballista's remote context replaces a given state's functions.
        // The cluster's own registrations (and its --as-of) are what run; these let the
        // query plan here.
        super::register_functions(&ctx, args.as_of)?;
        if let Some(as_of) = args.as_of {
            check_cluster_as_of(&runtime, &ctx, as_of)?;
        }
        super::collect(&runtime, &ctx, args)
    }

    /// Fails unless the cluster's `rfm()` counts recency back from `as_of`: the date lives in
    /// the functions the scheduler and executors registered, not in the plan, so a cluster
    /// started with another `--as-of` would silently give other recencies.
    fn check_cluster_as_of(
        runtime: &tokio::runtime::Runtime,
        ctx: &SessionContext,
        as_of: attain_types::NaiveDate,
    ) -> anyhow::Result<()> {
        use datafusion::arrow::array::{Array, AsArray};
        use datafusion::arrow::datatypes::Int64Type;
        let probe = "SELECT CAST(get_field(rfm(d, a), 'recency_days') AS BIGINT) AS days \
                     FROM (VALUES (CAST('1970-01-01' AS DATE), CAST(1 AS DECIMAL(10, 2)))) AS t(d, a)";
        let batches = runtime
            .block_on(async { ctx.sql(probe).await?.collect().await })
            .context("cannot ask the Ballista cluster for its --as-of")?;
        let days = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .and_then(|b| b.column(0).as_primitive_opt::<Int64Type>())
            .filter(|c| !c.is_null(0))
            .map(|c| c.value(0));
        let epoch = attain_types::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let cluster = days.and_then(|d| epoch.checked_add_signed(chrono::Duration::days(d)));
        match cluster {
            Some(date) if date == as_of => Ok(()),
            Some(date) => Err(usage(format!(
                "--as-of {as_of}: the Ballista cluster's rfm() counts recency back from {date}; \
                 start its scheduler and executors with --as-of {as_of}"
            ))),
            None => Err(anyhow::anyhow!(
                "the Ballista cluster did not answer the --as-of probe"
            )),
        }
    }
}

/// `batch` with every `DECIMAL` column as its exact text (`"29.33"`), as money is written in
/// every attain JSON document: a JSON number would be read as a float by most consumers.
fn decimals_as_text(batch: &RecordBatch) -> datafusion::arrow::error::Result<RecordBatch> {
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if matches!(field.data_type(), DataType::Decimal128(..)) {
            fields.push(Field::new(
                field.name(),
                DataType::Utf8,
                field.is_nullable(),
            ));
            columns.push(datafusion::arrow::compute::cast(column, &DataType::Utf8)?);
        } else {
            fields.push(field.as_ref().clone());
            columns.push(Arc::clone(column));
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

/// Writes the result in `format`.
fn write(out: &Output, format: SqlFormat, batches: &[RecordBatch]) -> anyhow::Result<()> {
    use datafusion::arrow::{csv, json};
    let io = |e: datafusion::arrow::error::ArrowError| std::io::Error::other(e);
    match format {
        SqlFormat::Csv => out.write_with(|w| {
            let mut writer = csv::WriterBuilder::new().with_header(true).build(&mut *w);
            for b in batches {
                writer.write(b).map_err(io)?;
            }
            Ok(())
        }),
        SqlFormat::Json => out.write_with(|w| {
            let mut writer = json::ArrayWriter::new(&mut *w);
            for b in batches {
                writer
                    .write(&decimals_as_text(b).map_err(io)?)
                    .map_err(io)?;
            }
            writer.finish().map_err(io)?;
            writeln!(w)
        }),
        SqlFormat::Parquet => {
            let Some(schema) = batches.first().map(RecordBatch::schema) else {
                bail!("the query returned no batch to write as Parquet");
            };
            let mut bytes = Vec::new();
            let props = parquet::file::properties::WriterProperties::builder()
                .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
                .build();
            let mut writer = parquet::arrow::ArrowWriter::try_new(&mut bytes, schema, Some(props))?;
            for b in batches {
                writer.write(b)?;
            }
            writer.close()?;
            out.write_with(|w| w.write_all(&bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_args_are_name_equals_path() {
        let (name, path) = table_arg("Tx=data/a=b.csv", "--table").unwrap();
        assert_eq!((name.as_str(), path), ("tx", PathBuf::from("data/a=b.csv")));
        assert!(table_arg("tx", "--table").is_err());
        assert!(table_arg("1tx=a.csv", "--table").is_err());
        assert!(table_arg("t x=a.csv", "--table").is_err());
    }
}
