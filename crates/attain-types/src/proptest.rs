//! proptest strategies for downstream property tests (feature `proptest`).

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::{Currency, Granularity, Money, Period, Rate};

/// Amounts of `currency` with whole minor units, between `-max` and `max` units.
pub fn money(currency: Currency, max_units: i64) -> impl Strategy<Value = Money> {
    (-max_units..=max_units)
        .prop_map(move |u| Money::new(Decimal::new(u, currency.minor_units()), currency))
}

/// Non-negative amounts of `currency` with whole minor units, up to `max_units` units.
pub fn non_negative_money(currency: Currency, max_units: i64) -> impl Strategy<Value = Money> {
    (0..=max_units.max(0))
        .prop_map(move |u| Money::new(Decimal::new(u, currency.minor_units()), currency))
}

/// One of USD, JPY, KWD, CNY (0, 2 and 3 minor units).
pub fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::USD),
        Just(Currency::JPY),
        Just(Currency::KWD),
        Just(Currency::CNY)
    ]
}

/// Rates in `0..=1` with up to 4 decimals (including exactly 0 and 1).
pub fn rate() -> impl Strategy<Value = Rate> {
    (0i64..=10_000).prop_map(|n| Rate::new(Decimal::new(n, 4)).unwrap_or(Rate::ZERO))
}

/// Dates between 1990-01-01 and 2059-12-31.
pub fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..25_567).prop_map(|n| {
        NaiveDate::from_ymd_opt(1990, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(n.unsigned_abs())))
            .unwrap_or(NaiveDate::MIN)
    })
}

/// Periods of 0 to `max_days` days starting at a [`date`].
pub fn period(max_days: u64) -> impl Strategy<Value = Period> {
    (date(), 0..=max_days).prop_filter_map("period end out of range", |(start, len)| {
        let end = start.checked_add_days(chrono::Days::new(len))?;
        Period::new(start, end).ok()
    })
}

/// Every [`Granularity`]: day, ISO week, month, quarter, year.
pub fn granularity() -> impl Strategy<Value = Granularity> {
    prop_oneof![
        Just(Granularity::Day),
        Just(Granularity::IsoWeek),
        Just(Granularity::Month),
        Just(Granularity::Quarter),
        Just(Granularity::Year),
    ]
}
