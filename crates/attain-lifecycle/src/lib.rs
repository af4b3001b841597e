//! Customer lifecycle metrics for sales goals: the stage map of METHOD.md 2.1, contract (SaaS)
//! MRR movements and retention, unit economics, acquisition cohorts, and probabilistic
//! customer lifetime value.
//!
//! ```
//! use attain_lifecycle::{LifecycleMap, LifecycleStage, StageGoal, StageValue};
//! use attain_lifecycle::stage::efficiency_gain;
//! use attain_types::{Rate, dec};
//!
//! // METHOD.md 2.1, the education case: trial-class conversion 25% -> 42% is a 68% gain.
//! let (before, after) = (Rate::from_percent(dec!(25))?, Rate::from_percent(dec!(42))?);
//! assert_eq!(efficiency_gain(before, after)?.to_decimal(), dec!(0.68));
//!
//! // A lifecycle map holds current and target values per stage and says where to work.
//! let map = LifecycleMap::new()
//!     .with_goal(StageGoal::new(LifecycleStage::Interest, "trial-class conversion",
//!         StageValue::Rate(before), StageValue::Rate(after)))?
//!     .with_goal(StageGoal::new(LifecycleStage::Loyalty, "yearly repurchase",
//!         StageValue::Rate(Rate::from_percent(dec!(60))?),
//!         StageValue::Rate(Rate::from_percent(dec!(75))?)))?;
//! let report = map.report();
//! assert_eq!(report.focus().map(|g| g.stage), Some(LifecycleStage::Interest));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! | module | what it computes |
//! |---|---|
//! | [`stage`] | stage metrics: reach growth, interest conversion, close rate, repurchase rate, referral share, efficiency gain |
//! | [`map`] | [`LifecycleMap`]: current and target per stage, gap, gain, and the stage to work on |
//! | [`contract`] | MRR movements (new, expansion, contraction, churn, reactivation), GRR, NRR, logo and revenue churn, the contract goal of METHOD.md 1.1 (ChartMogul definitions) |
//! | [`economics`] | simple LTV, CAC, LTV:CAC, CAC payback months, CAC per channel |
//! | [`new_repeat`] | revenue on customers' first-purchase days (new) and later days (repeat), per period |
//! | [`cohort`] | acquisition cohorts from a transaction log: active customers, retention and revenue per period since acquisition |
//! | [`clv`] | probabilistic CLV for non-contractual (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma) and contractual (shifted-beta-geometric) settings, with standard errors, purchase distributions and parameter intervals |
//!
//! # Errors and panics
//!
//! Every fallible function returns [`Result`] with the crate's [`enum@Error`]; messages are
//! lower-case and name the offending value, customer or metric. A ratio whose base is zero
//! (no customers at the start of a window, zero churn in an LTV) is
//! [`Error::ZeroDenominator`] or `None`, never NaN. Arithmetic is checked: overflow is an
//! error. No public function panics on any input.
//!
//! # Precision and rounding
//!
//! Money is exact ([`attain_types::Money`] on `rust_decimal`); rates are
//! [`attain_types::Rate`] (validated `0..=1`) and signed changes [`attain_types::Growth`].
//! Divisions keep full `Decimal` precision (28 significant digits) and nothing is rounded
//! implicitly: round at the output with `Money::round_to_minor_unit` or `Decimal::round_dp`.
//! Cohort revenue is summed exactly, so the cells add up to the log's total to the last
//! digit. Only the [`clv`] models use `f64`, as statistical models must; their docs say so.
//!
//! # Crate features
//!
//! * `serde`: `Serialize`/`Deserialize` for every public data type (implies
//!   `attain-types/serde`; decimals as strings).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod clv;
pub mod cohort;
pub mod contract;
pub mod economics;
mod error;
pub mod map;
pub mod new_repeat;
pub mod stage;

pub use cohort::{
    Cohort, CohortBuilder, CohortCell, CohortCells, CohortCounts, CohortOptions, CohortTable,
    cohort_table,
};
pub use contract::{
    ContractGoal, CustomerMrr, MrrChange, MrrMovements, Window, mrr_bridge, mrr_movements,
};
pub use economics::{ChannelSpend, UnitEconomics, UnitEconomicsInput};
pub use error::{Error, Result};
pub use map::{GoalReport, LifecycleMap, MapReport, StageGoal, StageValue};
pub use stage::{LifecycleStage, StageCounts, StageMetrics};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
