//! Sales funnel math on exact decimals: what a target needs at every stage, how likely the
//! plan is to make it, which stage to fix, why a week fell short, and what a funnel measured
//! from an event log actually did.
//!
//! ```
//! use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
//! use attain_types::{Currency, Money, Rate, dec};
//!
//! // METHOD.md 1.2: a weekly 250,000 is 3 deals of about 83,333; at 20% that is 15 prospects,
//! // and at 10% that is 150 leads.
//! let funnel = Funnel {
//!     stages: vec![
//!         Stage::new("lead", Rate::new(dec!(0.1))?),
//!         Stage::new("prospect", Rate::new(dec!(0.2))?),
//!     ],
//!     deal_size: Money::new(dec!(83333.33), Currency::CNY),
//! };
//! let week = Money::new(dec!(250000), Currency::CNY);
//!
//! // Strict by default: 3 x 83,333.33 = 249,999.99 falls 0.01 short, so 4 deals.
//! assert_eq!(funnel.plan_revenue(week, PlanOptions::default())?.deals, 4);
//!
//! // Opt in to a tolerance of less than one minor unit per deal: 3 deals.
//! let plan = funnel.plan_revenue(week, PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance))?;
//! assert_eq!(plan.deals, 3);
//! assert_eq!(plan.stages[1].entries, 15); // prospects
//! assert_eq!(plan.stages[0].entries, 150); // leads
//!
//! // Risk: 15 prospects at 20% reach 3 deals only about 60% of the time.
//! let p = plan.hit_probability(1).unwrap_or(0.0);
//! assert!((p - 0.6020).abs() < 1e-4);
//! // For 90% confidence, plan 25 prospects.
//! assert_eq!(plan.entries_for_confidence(1, 0.9)?, Some(25));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! | item | what it answers |
//! |---|---|
//! | [`Funnel`], [`Funnel::plan_revenue`], [`Funnel::plan_deals`] | reverse: entries needed at every stage (see [`plan`] for the rounding) |
//! | [`Funnel::forward`] | forward: expected outputs per stage and expected revenue |
//! | [`Funnel::daily_actions`], [`DailySpread`] | a target as a daily action list per working day, spread exactly (or rounded up each day) |
//! | [`risk`] | probability of hitting the target with the planned entries; entries for a confidence |
//! | [`stats`] | Wilson and Jeffreys intervals, two-proportion z-test, P(B beats A), calibration from history |
//! | [`bottleneck`] | which stage to fix first: lift to benchmark, lift per point, elasticity |
//! | [`pipeline`] | sales velocity, coverage, stage-weighted forecast, channel ROI / CPL / CAC |
//! | [`gap`] | planned minus actual revenue split exactly into volume, rates and deal size (Shapley), also in the minor unit |
//! | [`measure`] | funnels measured from `(entity, step, timestamp)` events, `windowFunnel`-style |
//!
//! # Errors and panics
//!
//! Every fallible function returns [`Result`] with the crate's [`enum@Error`], whose messages
//! name the offending stage, value or event index; errors of `attain-types` pass through
//! transparently. Arithmetic is checked: overflow is an error. No public function panics.
//!
//! # Precision and rounding
//!
//! Planning, sensitivity, pipeline metrics and the gap diagnosis are exact `Decimal`
//! arithmetic (money is [`attain_types::Money`], rates [`attain_types::Rate`]); counts are
//! rounded **up** exactly with [`attain_types::count`], never through `f64`. The statistical
//! models ([`risk`], [`stats`]) compute in `f64` internally, as documented on each function.
//! The measured funnel counts exactly; its conversion rates are exact ratios.
//!
//! # Crate features
//!
//! * `stats` (default): kept for compatibility and does nothing: `statrs` (the special
//!   functions, the Jeffreys interval of [`stats::IntervalMethod`]) is always a dependency.
//! * `serde`: `Serialize`/`Deserialize` on every public data type.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bottleneck;
mod error;
pub mod gap;
pub mod insight;
pub mod measure;
pub mod pipeline;
pub mod plan;
pub mod retention;
pub mod risk;
mod special;
pub mod stats;

pub use error::{Error, Result};
pub use plan::{
    DailyAction, DailyActionPlan, DailySpread, DealRule, Forecast, Funnel, Plan, PlanOptions,
    RoundingOutcome, Stage, StageForecast, StagePlan,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
