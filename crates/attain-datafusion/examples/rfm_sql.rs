//! RFM benchmark job v1 in DataFusion SQL with attain's functions.
//!
//! ```text
//! cargo run --release -p attain-datafusion --example rfm_sql -- INPUT.csv [AS_OF] OUTPUT.csv
//! cargo run --release -p attain-datafusion --example rfm_sql -- INPUT.parquet [AS_OF] OUTPUT.csv
//! ```
//!
//! Reads `customer_id,order_id,order_date,amount` with DataFusion's streaming CSV reader
//! (explicit schema, amounts `DECIMAL(15, 2)`) or, for a `.parquet` file (such as the twin
//! made by `benches/peers/csv_to_parquet.py`), streams its row groups with the `parquet`
//! crate's Arrow reader, one table partition per `target_partitions` (this crate builds
//! DataFusion without its own Parquet feature). Then it aggregates with `rfm` (every row counts, as
//! job v1 says: `AfterAsOf::Include`), scores with `rfm_score(..., 'even', 5)` (job v1's rule), and writes
//! `customer_id,recency_days,frequency,monetary,r,f,m` sorted by `customer_id`. Only the
//! per-customer result is held in memory, never the input. Prints nothing on stdout and one
//! `phases:` line on stderr (parsing is streamed into the aggregation, so it is counted in
//! `compute`).
#![allow(clippy::print_stderr)]

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use attain_datafusion::{RfmFunctions, register};
use attain_rfm::{AfterAsOf, AggregateOptions};
use attain_types::{Decimal, NaiveDate};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Field, Int64Type, Schema, SchemaRef, UInt8Type, UInt64Type,
};
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::{CsvReadOptions, SessionConfig, SessionContext};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const SQL: &str = "
    WITH agg AS (
        SELECT customer_id, rfm(order_date, amount, order_id) AS v FROM tx GROUP BY customer_id
    ), vals AS (
        SELECT customer_id, get_field(v, 'recency_days') AS recency_days, get_field(v, 'frequency') AS frequency,
               get_field(v, 'monetary') AS monetary
        FROM agg
    ), scored AS (
        SELECT customer_id, recency_days, frequency, monetary,
               rfm_score(recency_days, frequency, monetary, customer_id, 'even', 5) OVER () AS s
        FROM vals
    )
    SELECT customer_id, recency_days, frequency, monetary, get_field(s, 'r') AS r, get_field(s, 'f') AS f, get_field(s, 'm') AS m
    FROM scored ORDER BY customer_id";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, as_of, output) = match args.as_slice() {
        [input, output] => (input, "2026-01-01", output),
        [input, as_of, output] => (input, as_of.as_str(), output),
        _ => return Err("usage: rfm_sql INPUT.csv [AS_OF] OUTPUT.csv".into()),
    };
    let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d")?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(input, as_of, output))
}

async fn run(
    input: &str,
    as_of: NaiveDate,
    output: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    // DataFusion settings may be tuned from the environment, for example
    // DATAFUSION_EXECUTION_TARGET_PARTITIONS=2.
    // RFM_SQL_POOL_MIB=256 runs the query under a FairSpillPool of that many MiB (the
    // aggregation spills to disk, or fails with ResourcesExhausted).
    let config = SessionConfig::from_env()?;
    let ctx = match std::env::var("RFM_SQL_POOL_MIB") {
        Ok(mib) => {
            let bytes = mib.parse::<usize>()? << 20;
            let runtime = RuntimeEnvBuilder::new()
                .with_memory_pool(Arc::new(FairSpillPool::new(bytes)))
                .build_arc()?;
            SessionContext::new_with_config_rt(config, runtime)
        }
        Err(_) => SessionContext::new_with_config(config),
    };
    let schema = Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("order_id", DataType::Utf8, false),
        Field::new("order_date", DataType::Date32, false),
        Field::new("amount", DataType::Decimal128(15, 2), false),
    ]);
    if input.ends_with(".parquet") {
        register_parquet(&ctx, input)?;
    } else {
        let options = CsvReadOptions::new().has_header(true).schema(&schema);
        ctx.register_csv("tx", input, options).await?;
    }
    let functions = RfmFunctions::new(as_of)
        .aggregate(AggregateOptions::default().after_as_of(AfterAsOf::Include));
    register(&ctx, &functions)?;
    // The input is streamed through the aggregation; what is collected is the sorted
    // per-customer result, which the final sort holds in memory anyway.
    let batches = ctx.sql(SQL).await?.collect().await?;
    let compute = t0.elapsed();

    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(output)?);
    out.write_all(b"customer_id,recency_days,frequency,monetary,r,f,m\n")?;
    let t = Instant::now();
    for batch in &batches {
        let ids = datafusion::arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        let rec = batch.column(1).as_primitive::<Int64Type>();
        let freq = batch.column(2).as_primitive::<UInt64Type>();
        let mon = batch.column(3).as_primitive::<Decimal128Type>();
        let scale = match batch.column(3).data_type() {
            DataType::Decimal128(_, s) => u32::try_from(*s)?,
            other => return Err(format!("unexpected monetary type {other}").into()),
        };
        let (r, f, m) = (
            batch.column(4).as_primitive::<UInt8Type>(),
            batch.column(5).as_primitive::<UInt8Type>(),
            batch.column(6).as_primitive::<UInt8Type>(),
        );
        for i in 0..batch.num_rows() {
            if mon.is_null(i) {
                return Err(format!("customer {} has no rows to score", ids.value(i)).into());
            }
            writeln!(
                out,
                "{},{},{},{},{},{},{}",
                ids.value(i),
                rec.value(i),
                freq.value(i),
                Decimal::from_i128_with_scale(mon.value(i), scale),
                r.value(i),
                f.value(i),
                m.value(i)
            )?;
        }
    }
    drop(out.into_inner().map_err(|e| e.into_error())?);
    let t_write = t.elapsed();
    eprintln!(
        "phases: parse=0.000 compute={:.3} write={:.3}",
        compute.as_secs_f64(),
        t_write.as_secs_f64()
    );
    Ok(())
}

/// Registers the Parquet file `path` as table `tx`: its row groups dealt out round-robin to
/// `target_partitions` streams, each decoded on a blocking thread.
fn register_parquet(ctx: &SessionContext, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path)?)?;
    let schema = builder.schema().clone();
    let groups = builder.metadata().num_row_groups();
    let parts = ctx
        .state()
        .config()
        .target_partitions()
        .clamp(1, groups.max(1));
    let streams: Vec<Arc<dyn PartitionStream>> = (0..parts)
        .map(|p| {
            Arc::new(RowGroups {
                path: PathBuf::from(path),
                groups: (p..groups).step_by(parts).collect(),
                schema: schema.clone(),
            }) as Arc<dyn PartitionStream>
        })
        .collect();
    ctx.register_table("tx", Arc::new(StreamingTable::try_new(schema, streams)?))?;
    Ok(())
}

/// Some row groups of one Parquet file, as one partition of a table.
#[derive(Debug)]
struct RowGroups {
    path: PathBuf,
    groups: Vec<usize>,
    schema: SchemaRef,
}

impl PartitionStream for RowGroups {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let mut builder = RecordBatchReceiverStreamBuilder::new(self.schema.clone(), 2);
        let tx = builder.tx();
        let (path, groups) = (self.path.clone(), self.groups.clone());
        let batch_size = ctx.session_config().batch_size();
        builder.spawn_blocking(move || {
            let external =
                |e: parquet::errors::ParquetError| DataFusionError::External(Box::new(e));
            let file = std::fs::File::open(&path)?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(external)?
                .with_row_groups(groups)
                .with_batch_size(batch_size)
                .build()
                .map_err(external)?;
            for batch in reader {
                if tx
                    .blocking_send(batch.map_err(DataFusionError::from))
                    .is_err()
                {
                    break;
                }
            }
            Ok(())
        });
        builder.build()
    }
}
