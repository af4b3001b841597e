//! Sales targets made exact: decompose an annual number over time and dimensions so every
//! level adds up to the minor unit, calibrate it from evidence, size the team, and track
//! progress against it.
//!
//! ```
//! use attain_goals::{nested, table, Level, TimeOptions};
//! use attain_types::{Currency, Granularity, Money, Period, dec};
//!
//! // METHOD.md 1.2, the FMCG case: 12,000,000 a year.
//! let target = Money::new(dec!(12000000), Currency::CNY);
//! let levels = [Level::Calendar(Granularity::Quarter), Level::Calendar(Granularity::Month), Level::Parts(4)];
//! let plan = nested(target, Period::year(2026)?, &levels, &TimeOptions::default())?;
//! assert_eq!(plan.levels[0][0].amount.amount(), dec!(3000000)); // a quarter
//! assert_eq!(plan.levels[1][0].amount.amount(), dec!(1000000)); // a month
//! assert_eq!(plan.levels[2][0].amount.amount(), dec!(250000)); // a week of four
//!
//! // Customer new 40 / repeat 60 by product new 60 / mature 40, exact on both margins.
//! let t = table::round_product(target, &[dec!(40), dec!(60)], &[dec!(60), dec!(40)])?;
//! assert_eq!(t.row_totals[1].amount(), dec!(7200000)); // repeat customers
//! assert_eq!(t.column_totals[1].amount(), dec!(4800000)); // mature products
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! | item | what it does |
//! |---|---|
//! | [`nested`], [`Level`] | split level by level: year > quarter > month > week > day, each slot summing to its parent |
//! | [`daily`], [`DailyPlan`] | finest grain: allocate to days once, roll up to any calendar ([`DailyPlan::roll_up`]) |
//! | [`Weighting`], [`Profile`], [`TimeOptions`] | equal, calendar days, working days, seasonality (indices or last year's actuals) |
//! | [`calendar`] | ISO 53-week years, fiscal years, retail 4-4-5 / 4-5-4 / 5-4-4 calendars |
//! | [`table`] | share dimensions, 2-D tables by the nearest controlled rounding (min-cost network flow) with its exact deviation, fixed margins, 3-D nesting |
//! | [`apportion`] | locked parts, floors and caps, tie rule, Alabama-paradox note |
//! | [`progress`] | attainment, expected-to-date, pace, forecasts, required daily rate, milestones, re-plan |
//! | [`capacity`] | headcount with ramp and attrition, quotas summing to the team target, hires to close a gap |
//! | [`calibrate`] | growth, market capacity, resources, bottom-up funnel targets side by side |
//!
//! # Errors and panics
//!
//! Every fallible function returns [`Result`] with this crate's [`enum@Error`]; errors from
//! `attain-types` arrive as [`Error::Types`]. Messages name the offending value, field or
//! index. Integer arithmetic is checked (overflow is [`Error::Overflow`]), and no public
//! function panics on any input.
//!
//! # Precision and rounding
//!
//! Money is `rust_decimal` through `attain_types::Money`, never `f64`. Splits happen in whole
//! minor units of the target's currency (0 for JPY, 2 for USD, 3 for KWD) in exact integer
//! arithmetic (256-bit intermediates): largest remainder for nested levels and 1-D shares,
//! cumulative rounding for day grain, controlled rounding for tables. Every split sums
//! exactly to its parent. Estimates that are not splits (capacity, forecasts, calibration) are
//! computed at full `Decimal` precision and rounded half away from zero to the minor unit;
//! each says so.
//!
//! # Crate features
//!
//! * `serde`: `Serialize`/`Deserialize` for every public data type (decimals as strings).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod apportion;
pub mod calendar;
pub mod calibrate;
pub mod capacity;
mod error;
mod flow;
mod int;
pub mod progress;
pub mod table;
pub mod time;

pub use error::{Error, Result};
pub use time::{
    DailyPlan, DayBasis, Level, NamedPeriod, NestedPlan, Profile, Slot, TimeOptions, Weighting,
    daily, nested,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
