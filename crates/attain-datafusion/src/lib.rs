//! attain's exact RFM and cohort semantics as Apache DataFusion functions: a mergeable RFM
//! aggregate, scoring and segment functions, and cohort tables, so a query engine (one
//! process, or Ballista across machines) gives exactly what `attain-rfm` and
//! `attain-lifecycle` give in memory.
//!
//! ```
//! use attain_datafusion::{RfmFunctions, register};
//! use attain_types::NaiveDate;
//! use datafusion::arrow::array::{Date32Array, Decimal128Array, RecordBatch, StringArray};
//! use datafusion::arrow::datatypes::{DataType, Field, Schema};
//! use datafusion::prelude::SessionContext;
//! use std::sync::Arc;
//!
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("customer_id", DataType::Utf8, false),
//!     Field::new("order_date", DataType::Date32, false),
//!     Field::new("amount", DataType::Decimal128(12, 2), false),
//! ]));
//! let batch = RecordBatch::try_new(schema, vec![
//!     Arc::new(StringArray::from(vec!["ann", "ann", "bob"])),
//!     Arc::new(Date32Array::from(vec![20_452, 20_453, 20_424])), // 2025-12-30, 2025-12-31, 2025-12-02
//!     Arc::new(Decimal128Array::from(vec![12_000, 8_050, 1_500]).with_precision_and_scale(12, 2)?),
//! ])?;
//!
//! let ctx = SessionContext::new();
//! ctx.register_batch("tx", batch)?;
//! let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
//! register(&ctx, &RfmFunctions::new(as_of))?;
//!
//! let sql = "
//!     WITH agg AS (SELECT customer_id, rfm(order_date, amount) AS v FROM tx GROUP BY customer_id),
//!          vals AS (SELECT customer_id, get_field(v, 'recency_days') AS recency_days,
//!                          get_field(v, 'frequency') AS frequency, get_field(v, 'monetary') AS monetary FROM agg)
//!     SELECT customer_id, recency_days, frequency, CAST(monetary AS VARCHAR) AS monetary,
//!            rfm_score(recency_days, frequency, monetary, customer_id, 'ties', 2) OVER () AS s
//!     FROM vals ORDER BY customer_id";
//! let batches = tokio::runtime::Runtime::new()?
//!     .block_on(async { ctx.sql(sql).await?.collect().await })?;
//! let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
//! assert!(text.contains("| ann         | 1            | 2         | 200.50   | {r: 2, f: 2, m: 2} |"), "{text}");
//! assert!(text.contains("| bob         | 30           | 1         | 15.00    | {r: 1, f: 1, m: 1} |"), "{text}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Functions
//!
//! | SQL | Rust | what it is |
//! |---|---|---|
//! | `rfm(order_date, amount [, order_id])` | [`RfmAggregate`] | aggregate: `{recency_days, frequency, monetary, first_purchase, last_purchase}` at a fixed `as_of` |
//! | `rfm_score(recency_days, frequency, monetary, customer_id [, method [, bins]]) OVER ()` | [`RfmScoreWindow`] | window: `{r, f, m}` scores over the window's customers |
//! | `rfm_segment(r, f, m [, map])` | [`RfmSegmentFunction`] | scalar: the segment name |
//! | `period_start(date, granularity)`, `period_index(date, granularity)` | [`PeriodFunction`] | scalar: calendar periods of the cohort table |
//! | `window_funnel(window, [modes,] ts, cond1, ...)` | [`WindowFunnelAggregate`] | aggregate: ClickHouse's `windowFunnel` level (`UInt8`) |
//! | `retention(cond1, ...)` | [`RetentionAggregate`] | aggregate: ClickHouse's `retention` flags (`List<UInt8>`) |
//! | | [`cohort_table`] | a DataFrame of acquisition cohorts |
//!
//! Struct fields are read with DataFusion's core function `get_field(v, 'recency_days')`;
//! the shorter `v['recency_days']` needs DataFusion's `nested_expressions` feature, which this
//! crate does not turn on (enable it in your own `datafusion` dependency to use it).
//!
//! [`register`] registers all of them on a `SessionContext`; [`RfmFunctions::register_into`]
//! on any DataFusion `FunctionRegistry` (a `SessionState`, an executor's registry).
//!
//! # Exactness
//!
//! Money is `DECIMAL` end to end: amounts are read as exact `rust_decimal` values (a scale
//! above 28 or a mantissa beyond 96 bits is an error naming the column, never a rounding),
//! sums are exact, and results are `Decimal128(38, S)` values rescaled exactly (overflow is
//! an error). `FLOAT` amounts are rejected at planning: money is never `f64`. The
//! mean monetary modes are rounded half-even to `S = max(amount scale, 10)` digits.
//!
//! # Partitions and distributed execution (Ballista)
//!
//! `rfm`'s partial state is a single `Binary` column holding
//! [`attain_rfm::CustomerState::to_bytes`], and partial states merge with
//! [`attain_rfm::CustomerState::merge`], an associative and commutative monoid. So any
//! split of the input over partitions, threads or machines gives exactly the in-memory
//! result (tested with `target_partitions` 1, 2 and 8 on split inputs), and the state
//! crosses a shuffle in Arrow IPC like any other column.
//!
//! In a distributed deployment such as Ballista, user-defined functions are looked up by
//! name where the plan is built *and* where it runs: register the same functions, built
//! from the same [`RfmFunctions`], in the scheduler's session state and in every executor's
//! function registry (for example with [`RfmFunctions::register_into`] on the
//! `SessionState` each process builds, or by passing [`RfmFunctions::aggregate_udfs`],
//! [`RfmFunctions::window_udfs`] and [`RfmFunctions::scalar_udfs`] to a
//! `SessionStateBuilder`). The options (`as_of`, modes, scoring) live in the function
//! objects, not in the plan, so every process must use the same ones. `rfm_score OVER ()`
//! needs all customers in one partition, as any unpartitioned window does; the aggregate
//! before it runs distributed. The `ballista` feature's `ballista` module builds the
//! scheduler's session state and the executors' registry this way.
//!
//! # Errors
//!
//! Planning errors (a `FLOAT` amount, a missing argument) are DataFusion plan errors whose
//! message names the function and the column. Errors found while running (a NULL date, an
//! overflow) are `DataFusionError::External` holding this crate's [`enum@Error`]. No
//! function panics.
//!
//! # Crate features
//!
//! - `ballista` (off by default): the `ballista` module, the session state of a Ballista 55
//!   scheduler and the function registry of its executors, each with every attain function.
//!   It builds `ballista-core` (gRPC, protobuf) and DataFusion's default features, which
//!   Ballista needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod aggregate;
#[cfg(feature = "ballista")]
#[cfg_attr(docsrs, doc(cfg(feature = "ballista")))]
pub mod ballista;
mod cohort;
mod convert;
mod error;
mod funnel;
mod score;
mod segment;

use std::sync::Arc;

use attain_rfm::{AggregateOptions, ScoreOptions, SegmentMap};
use attain_types::NaiveDate;
use datafusion::error::Result as DFResult;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF, WindowUDF};
use datafusion::prelude::SessionContext;

pub use aggregate::{MEAN_SCALE, RfmAggregate};
pub use cohort::{PeriodFunction, PeriodOutput, cohort_table, granularity_name};
pub use error::{Error, Result};
pub use funnel::{MAX_CONDITIONS, RetentionAggregate, WindowFunnelAggregate};
pub use score::RfmScoreWindow;
pub use segment::RfmSegmentFunction;

/// What the registered functions compute: the `as_of` date and aggregation options of
/// `rfm`, the default scoring of `rfm_score`, and the default map of `rfm_segment`.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmFunctions {
    /// The date recency counts back from.
    pub as_of: NaiveDate,
    /// How `rfm` aggregates.
    pub aggregate: AggregateOptions,
    /// How `rfm_score` scores when a call names no method or bins.
    pub score: ScoreOptions,
    /// The map `rfm_segment` uses when a call names none.
    pub segments: SegmentMap,
}

impl RfmFunctions {
    /// Default options at `as_of`: [`AggregateOptions::default`], [`ScoreOptions::default`]
    /// (5 bins, ties) and [`SegmentMap::standard11`].
    #[must_use]
    pub fn new(as_of: NaiveDate) -> Self {
        RfmFunctions {
            as_of,
            aggregate: AggregateOptions::default(),
            score: ScoreOptions::default(),
            segments: SegmentMap::standard11(),
        }
    }

    /// Sets the aggregation options.
    #[must_use]
    pub fn aggregate(mut self, options: AggregateOptions) -> Self {
        self.aggregate = options;
        self
    }

    /// Sets the default scoring.
    #[must_use]
    pub fn score(mut self, options: ScoreOptions) -> Self {
        self.score = options;
        self
    }

    /// Sets the default segment map.
    #[must_use]
    pub fn segments(mut self, map: SegmentMap) -> Self {
        self.segments = map;
        self
    }

    /// `rfm`, `window_funnel` and `retention`.
    #[must_use]
    pub fn aggregate_udfs(&self) -> Vec<Arc<AggregateUDF>> {
        vec![
            Arc::new(RfmAggregate::new(self.as_of, self.aggregate).into()),
            Arc::new(WindowFunnelAggregate::new().into()),
            Arc::new(RetentionAggregate::new().into()),
        ]
    }

    /// `rfm_score`.
    #[must_use]
    pub fn window_udfs(&self) -> Vec<Arc<WindowUDF>> {
        vec![Arc::new(RfmScoreWindow::new(self.score.clone()).into())]
    }

    /// `rfm_segment`, `period_start` and `period_index`.
    #[must_use]
    pub fn scalar_udfs(&self) -> Vec<Arc<ScalarUDF>> {
        vec![
            Arc::new(RfmSegmentFunction::new(self.segments.clone()).into()),
            Arc::new(PeriodFunction::new(PeriodOutput::Start).into()),
            Arc::new(PeriodFunction::new(PeriodOutput::Index).into()),
        ]
    }

    /// Registers every function in `registry` (a `SessionState`, a Ballista executor's
    /// registry), replacing functions of the same names.
    ///
    /// # Errors
    ///
    /// Whatever the registry returns (DataFusion's own registries do not fail).
    pub fn register_into(&self, registry: &mut dyn FunctionRegistry) -> DFResult<()> {
        for f in self.aggregate_udfs() {
            registry.register_udaf(f)?;
        }
        for f in self.window_udfs() {
            registry.register_udwf(f)?;
        }
        for f in self.scalar_udfs() {
            registry.register_udf(f)?;
        }
        Ok(())
    }
}

/// Registers `rfm`, `window_funnel`, `retention`, `rfm_score`, `rfm_segment`,
/// `period_start` and `period_index` on `ctx`.
///
/// # Errors
///
/// None today; the `Result` leaves room for registries that can fail.
pub fn register(ctx: &SessionContext, functions: &RfmFunctions) -> DFResult<()> {
    for f in functions.aggregate_udfs() {
        ctx.register_udaf(Arc::unwrap_or_clone(f));
    }
    for f in functions.window_udfs() {
        ctx.register_udwf(Arc::unwrap_or_clone(f));
    }
    for f in functions.scalar_udfs() {
        ctx.register_udf(Arc::unwrap_or_clone(f));
    }
    Ok(())
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
