//! `attain`: sales goal-setting and attainment practice as exact, tested calculations.
//!
//! This facade re-exports the attain crates, one feature each (all on by default):
//!
//! | module | crate | feature | concern |
//! |---|---|---|---|
//! | [`types`] | `attain-types` | always | money, rates, counts, periods, calendars |
//! | `goals` | `attain-goals` | `goals` | goal decomposition, calibration, progress vs plan |
//! | `funnel` | `attain-funnel` | `funnel` | funnel planning, measured funnels, rate statistics |
//! | `rfm` | `attain-rfm` | `rfm` | RFM aggregation, scoring, segments |
//! | `lifecycle` | `attain-lifecycle` | `lifecycle` | stage metrics, churn, cohorts, LTV, CLV |
//! | `datafusion` | `attain-datafusion` | `datafusion` (off by default) | RFM and cohorts as Apache DataFusion functions |
//!
//! ```
//! use attain::types::{allocate, Currency, Money, dec};
//!
//! let year = Money::new(dec!(12000000), Currency::CNY);
//! let quarters = allocate(year, &[dec!(1); 4])?;
//! assert_eq!(quarters[0].amount(), dec!(3000000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! * `goals`, `funnel`, `rfm`, `lifecycle` (default): re-export the crate of that name.
//! * `serde`: `Serialize`/`Deserialize` on the public data types of every enabled crate.
//! * `arrow`, `parquet` (off by default): Arrow `RecordBatch` and Parquet input and output in
//!   `rfm` (`attain::rfm::arrow`, `attain::rfm::parquet`).
//! * `datafusion` (off by default; Rust 1.94): the `datafusion` module.
//! * `ballista` (off by default; implies `datafusion`): `datafusion::ballista`, attain's
//!   functions in an Apache Ballista cluster (scheduler state, executor registry).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use attain_types as types;

#[cfg(feature = "goals")]
pub use attain_goals as goals;

#[cfg(feature = "funnel")]
pub use attain_funnel as funnel;

#[cfg(feature = "rfm")]
pub use attain_rfm as rfm;

#[cfg(feature = "lifecycle")]
pub use attain_lifecycle as lifecycle;

#[cfg(feature = "datafusion")]
pub use attain_datafusion as datafusion;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
