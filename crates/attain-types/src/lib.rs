//! The shared vocabulary of [attain](https://github.com/attain-rs/attain): exact money,
//! validated rates, exact allocation, whole-unit counts, periods and working-day calendars.
//!
//! ```
//! use attain_types::{allocate, count, Currency, Granularity, Money, Period, Rate, dec};
//!
//! // METHOD.md 1.2: 12,000,000 a year is 3,000,000 a quarter, to the cent.
//! let year = Money::new(dec!(12000000), Currency::CNY);
//! let quarters = Period::year(2026)?.split(Granularity::Quarter);
//! let parts = allocate(year, &vec![dec!(1); quarters.len()])?;
//! assert_eq!(parts[0].amount(), dec!(3000000));
//! assert_eq!(Money::try_sum(parts, Currency::CNY)?, year);
//!
//! // 3 deals at a 20% close rate need 15 prospects (rounded up, exactly).
//! assert_eq!(count::entries_needed(3, Rate::new(dec!(0.2))?)?, 15);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! | type or function | what it is |
//! |---|---|
//! | [`Money`], [`Currency`] | an exact amount (`rust_decimal`) in an ISO 4217 currency with its minor unit |
//! | [`allocate()`], [`allocate_units`] | split an amount by weights into parts that sum back exactly (largest remainder) |
//! | [`Rate`] | a probability or share in `0..=1`; [`Growth`] is a signed change |
//! | [`count`] | whole counts from amounts and rates, rounded up exactly |
//! | [`Period`], [`Granularity`] | half-open date ranges; years, quarters, months, ISO weeks, days, fiscal years |
//! | [`input`] | the input grammar every reader shares: ids, amounts, dates, timestamps, header names |
//! | [`Transaction`] | one order line of a transaction log, as every reader produces it |
//! | [`ChannelSpend`] | one acquisition channel's spend, leads, new customers and revenue: the input of CAC and channel ROI |
//! | [`RepeatSummary`] | one customer's repeat purchases `(x, t_x, T, mean repeat spend)`, exact, as the CLV models read them |
//! | [`WorkingCalendar`] | a weekend mask and holidays; working days in any period |
//!
//! # Errors and panics
//!
//! Every fallible function returns [`Result`] with the crate's [`enum@Error`], whose messages
//! name the offending value. Arithmetic is checked: overflow is an error, never a wrap or a
//! panic. No public function panics on any input.
//!
//! # Precision and rounding
//!
//! Money is `rust_decimal::Decimal` (96-bit mantissa, 28 decimal digits), never `f64`; this
//! crate is compiled with `clippy::float_arithmetic` denied. Rounding is never implicit:
//! [`Money::round_to_minor_unit`] (half away from zero) or [`Money::round`] with a named
//! [`RoundingStrategy`]. Splits use the largest-remainder method in exact integer arithmetic
//! (see [`allocate`](mod@allocate)).
//!
//! # Crate features
//!
//! * `serde`: `Serialize`/`Deserialize` for every public data type; deserializing re-checks
//!   invariants. Decimals are strings of plain decimal text, pinned by the
//!   [`serde`](mod@crate::serde) modules so that no `rust_decimal` feature enabled elsewhere
//!   in a build can change the format.
//! * `proptest`: strategies for `Money`, `Rate` and `Period` in [`proptest`](mod@crate::proptest),
//!   for downstream property tests.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(clippy::float_arithmetic)]

pub mod allocate;
mod calendar;
mod channel;
pub mod count;
mod dec_macro;
mod error;
pub mod input;
mod money;
mod period;
#[cfg(feature = "proptest")]
pub mod proptest;
mod rate;
mod repeat;
#[cfg(feature = "serde")]
pub mod serde;
mod transaction;
pub mod wide;

pub use allocate::{allocate, allocate_f64, allocate_units};
pub use calendar::WorkingCalendar;
pub use channel::ChannelSpend;
pub use error::{Error, Result};
pub use money::{Currency, Money, ParseOptions, group_thousands};
pub use period::{Granularity, Period};
pub use rate::{Growth, Rate};
pub use repeat::RepeatSummary;
pub use transaction::Transaction;

/// Re-exported so every attain crate names exactly one `chrono`.
pub use chrono::{NaiveDate, Weekday};
#[doc(hidden)]
pub use dec_macro::__parse_decimal_literal;
/// Re-exported so every attain crate names exactly one `rust_decimal`.
pub use rust_decimal::{Decimal, RoundingStrategy};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
