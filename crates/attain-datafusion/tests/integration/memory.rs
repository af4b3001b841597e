//! Bounded memory: under a DataFusion memory pool the `rfm` aggregation either finishes with
//! exactly the in-memory result (spilling its partial states when the pool is small) or stops
//! with DataFusion's resources-exhausted error, never by exhausting the process.

use std::sync::Arc;

use attain_datafusion::{RfmFunctions, register};
use attain_rfm::AggregateOptions;
use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use attain_types::{Decimal, NaiveDate};

use crate::common::{Rng, Row, as_of, batch, run};

const AGG: &str = "SELECT customer_id, get_field(v, 'recency_days') AS r, get_field(v, 'frequency') AS f,
                          CAST(get_field(v, 'monetary') AS VARCHAR) AS m
                   FROM (SELECT customer_id, rfm(order_date, amount, order_id) AS v FROM tx GROUP BY customer_id)
                   ORDER BY customer_id";

/// 200,000 rows of 40,000 customers read by 4 partitions, aggregated in 2 (the machine's
/// cores), under a pool of `pool` bytes. DataFusion reserves
/// `sort_spill_reservation_bytes` (10 MiB by default) up front to merge what a spilling
/// aggregation wrote; a pool of a few MiB needs it lowered, as DataFusion's own
/// resources-exhausted message advises.
fn context(pool: Option<usize>, parts: &[Vec<RecordBatch>]) -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(2)
        .with_batch_size(8_192)
        .with_sort_spill_reservation_bytes(256 << 10);
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(bytes) = pool {
        runtime = runtime.with_memory_pool(Arc::new(FairSpillPool::new(bytes)));
    }
    let ctx = SessionContext::new_with_config_rt(config, runtime.build_arc().unwrap());
    let schema = parts[0][0].schema();
    ctx.register_table(
        "tx",
        Arc::new(MemTable::try_new(schema, parts.to_vec()).unwrap()),
    )
    .unwrap();
    register(
        &ctx,
        &RfmFunctions::new(as_of()).aggregate(AggregateOptions::default()),
    )
    .unwrap();
    ctx
}

fn text(batches: &[RecordBatch]) -> String {
    datafusion::arrow::util::pretty::pretty_format_batches(batches)
        .unwrap()
        .to_string()
}

#[test]
fn a_small_pool_gives_the_same_result_or_resources_exhausted() {
    // 200,000 rows of 40,000 customers; every fifth row repeats its customer's previous order.
    let mut rng = Rng(77);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let rows: Vec<Row> = (0..200_000_u64)
        .map(|i| Row {
            customer: format!("c{:05}", rng.below(40_000)),
            date: start + chrono::Days::new(rng.below(700)),
            amount: Decimal::new(rng.below(100_000) as i64 - 5_000, 2),
            order_id: Some(format!("o{}", if i % 5 == 4 { i - 1 } else { i })),
        })
        .collect();
    let parts: Vec<Vec<RecordBatch>> = rows
        .chunks(50_000)
        .map(|p| p.chunks(8_192).map(batch).collect())
        .collect();
    let unbounded = text(&run(&context(None, &parts), AGG).unwrap());
    // Every pool either gives exactly the unbounded result (spilling partial states as
    // needed) or DataFusion's resources-exhausted error, never a panic or an abort. An 8 MiB
    // pool finishes (the issue 8 state needed 64 MiB); 64 KiB cannot.
    let mut finished = Vec::new();
    for pool in [8 << 20, 4 << 20, 1 << 20, 64 << 10] {
        match run(&context(Some(pool), &parts), AGG) {
            Ok(b) => {
                assert_eq!(text(&b), unbounded, "pool {pool}");
                finished.push(pool);
            }
            Err(e) => assert!(
                matches!(e.find_root(), DataFusionError::ResourcesExhausted(_)),
                "pool {pool}: {e}"
            ),
        }
    }
    assert_eq!(finished.first(), Some(&(8 << 20)), "finished: {finished:?}");
    assert!(!finished.contains(&(64 << 10)));
}
