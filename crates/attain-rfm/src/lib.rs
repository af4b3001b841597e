//! Exact, mergeable RFM: per-customer recency, frequency and monetary values from a
//! transaction log, scores with explicit tie rules, and segment maps as data.
//!
//! ```
//! use attain_rfm::{aggregate, score, AggregateOptions, ScoreOptions, SegmentMap, Transaction};
//! use attain_types::{dec, NaiveDate};
//!
//! let day = |d| NaiveDate::from_ymd_opt(2025, 12, d).ok_or("bad date");
//! let log = [
//!     Transaction { customer_id: "ann", date: day(30)?, amount: dec!(120.00), order_id: Some("o1") },
//!     Transaction { customer_id: "ann", date: day(31)?, amount: dec!(80.50), order_id: Some("o2") },
//!     Transaction { customer_id: "bob", date: day(1)?, amount: dec!(15.00), order_id: Some("o3") },
//! ];
//! let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
//! let table = aggregate(log, as_of, AggregateOptions::default())?;
//! let ann = &table.customers[0];
//! assert_eq!((ann.recency_days, ann.frequency, ann.monetary), (1, 2, dec!(200.50)));
//!
//! // Two customers, two bins: ann is better on every metric.
//! let scores = score(&table.customers, &ScoreOptions::default().bins(2))?;
//! assert_eq!((scores[0].code_string(), scores[1].code_string()), ("222".into(), "111".into()));
//! let map = SegmentMap::parse("mine", "@bins 2\nBest = r2 f2 m2\nEveryone else = *\n")?;
//! assert_eq!(map.assign(scores[0]), Some("Best"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! | item | what it is |
//! |---|---|
//! | [`Transaction`], [`TransactionColumns`] | input rows (or aligned columns): customer, date, amount, optional order id |
//! | [`aggregate`], [`Aggregator`], `aggregate_par` | per-customer values at an explicit `as_of`; later rows excluded and counted |
//! | [`AggregateOptions`] | [`FrequencyMode`], [`MonetaryMode`], [`ReturnsMode`], [`AfterAsOf`], repeat summary |
//! | [`CustomerState`] | the mergeable per-customer state (a monoid) |
//! | [`CustomerValues`], [`RfmTable`], [`IngestReport`] | results |
//! | [`repeat_summaries`], [`RepeatSummary`] | the per-customer repeat summary the CLV models read |
//! | [`score`](fn@score), [`ScoreOptions`], [`Scoring`], [`Thresholds`], [`fit_thresholds`] | scores `1..=bins`, higher better; compatibility modes equal to SQL `NTILE`, R `rfm` 0.3.0 ([`score_r_rfm`], [`FloatTotals`]) and PyMC-Marketing 0.19 |
//! | [`SegmentMap`] | rules over scores, first match wins; the published maps ([`BUILTIN_MAPS`]), a text format, a linter |
//! | [`bin_occupancy`], [`tie_mass`], [`migration`] | diagnostics |
//! | `csv` (feature) | a streaming parallel CSV reader and a fast writer, byte-exact with RFM benchmark job v1 |
//! | `arrow` (feature) | RFM from Arrow `RecordBatch`es, results as a `RecordBatch` |
//! | `parquet` (feature) | streaming Parquet reader and writer |
//! | [`CustomerState::to_bytes`] | the state's binary encoding, for engines that ship partial aggregates |
//!
//! ## Definitions
//!
//! * `recency_days = as_of - last purchase` in whole days.
//! * `frequency` as [`FrequencyMode`] says (default: distinct order ids, exact text).
//! * `monetary` as [`MonetaryMode`] says (default: exact sum), net of refunds by default.
//! * The CLV-model summary keeps its own names: `repeat_days` (x), `t_x_days` (last - first),
//!   `age_days` (T = as_of - first), `mean_repeat_spend`.
//!
//! Scoring rules and their tie behaviour are tabled in [`score`](mod@score).
//!
//! # Errors and panics
//!
//! Fallible functions return [`Result`] with the crate's [`enum@Error`], whose messages name
//! the value, and for files the line and column. Sums are checked: overflow is an error. No
//! public function panics.
//!
//! # Precision and rounding
//!
//! Amounts are `Decimal` and sums are exact. Means (`MeanPerOrder`, `MeanPerDay`,
//! `MeanRepeatDays`) are one `Decimal` division, correct to 28 significant digits; round them
//! at output with an explicit policy. Floating point is used in two places only, on purpose: the
//! compatibility modes `Scoring::RRfm` and `Scoring::Pymc` compute their breaks and compare
//! values in `f64`, because R and pandas do, and a value on a break lands where the anchor's
//! doubles put it (see [`score`](mod@score)). Everything else is exact.
//!
//! # Crate features
//!
//! * `parallel` (default): `aggregate_par` and the parallel CSV reader, on rayon.
//! * `csv`: the `csv` module (memchr for the fast path, the csv crate for quoted files).
//! * `arrow`: the `arrow` module (arrow-array, arrow-schema, arrow-buffer; no compute kernels).
//! * `parquet`: the `parquet` module (implies `arrow`; Snappy, Zstd, LZ4 and Gzip codecs).
//! * `serde`: `Serialize`/`Deserialize` for every public data type (decimals as strings).
//!
//! None of the optional features is on by default: a user of the aggregation and scoring alone
//! compiles neither a CSV parser nor Arrow.
//!
//! # Memory
//!
//! The CSV and Parquet readers keep one compact slot per customer and, for exact distinct-order
//! counting, 8 bytes per (customer, order) pair. When the pairs would exceed a budget
//! ([`csv::CsvOptions::order_memory`], 256 MiB by default) the file is read in several passes,
//! each over a hash partition of the customers, so peak memory follows the number of customers,
//! not the number of rows. `FrequencyMode::Rows` keeps no pairs at all.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "csv")]
#[cfg_attr(docsrs, doc(cfg(feature = "csv")))]
pub mod activity;
mod aggregate;
#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub mod arrow;
#[cfg(feature = "csv")]
#[cfg_attr(docsrs, doc(cfg(feature = "csv")))]
pub mod csv;
mod diagnostics;
mod encode;
mod error;
#[cfg(any(feature = "csv", feature = "arrow"))]
mod fast;
mod hash;
#[cfg(any(feature = "csv", feature = "arrow"))]
mod location;
#[cfg(feature = "parquet")]
#[cfg_attr(docsrs, doc(cfg(feature = "parquet")))]
pub mod parquet;
#[cfg(feature = "csv")]
#[cfg_attr(docsrs, doc(cfg(feature = "csv")))]
pub mod repeat;
pub mod score;
mod segment;

#[cfg(feature = "parallel")]
pub use aggregate::aggregate_par;
pub use aggregate::{
    AfterAsOf, AggregateOptions, Aggregator, CustomerState, CustomerValues, DayTotal,
    FrequencyMode, IngestReport, MonetaryMode, RepeatSummary, ReturnsMode, RfmTable, Tracking,
    Transaction, TransactionColumns, aggregate, repeat_summaries,
};
pub use diagnostics::{
    ABSENT, BinOccupancy, Migration, TieMass, bin_occupancy, migration, tie_mass,
};
pub use error::{Error, Result};
#[cfg(any(feature = "csv", feature = "arrow"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "csv", feature = "arrow"))))]
pub use location::RowLocation;
pub use score::{
    FloatTotals, PYMC_BINS, RfmScore, ScoreOptions, Scoring, Thresholds, fit_thresholds, score,
    score_r_rfm,
};
pub use segment::{
    BETWEEN_GROUPS, BUILTIN_MAPS, MapLint, Matcher, ScoreRange, SegmentMap, SegmentRule,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
