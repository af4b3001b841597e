//! Retention from events: ClickHouse's `retention(cond1, ..., condN)` per entity, and the
//! classic N-day retention table.
//!
//! Both are checked against ClickHouse 26.9 (chdb 4.4.0) entity by entity in
//! `tests/integration/clickhouse.rs`.
//!
//! ```
//! use attain_funnel::retention::{condition_retention, day_retention, RetentionEvent};
//! // ClickHouse: retention(c1, c2, c3) = [c1, c1 and c2, c1 and c3] over an entity's rows.
//! assert_eq!(condition_retention(&[true, false, true]), [true, false, true]);
//! assert_eq!(condition_retention(&[false, true, true]), [false, false, false]);
//! // Entity 1 first visits on day 0 and comes back on day 2.
//! let ev = |entity, day: i64| RetentionEvent { entity, timestamp: day * 86_400 + 60, starts: true, returns: true };
//! let table = day_retention(&[ev(1, 0), ev(1, 2), ev(2, 0)], 2);
//! assert_eq!(table.cohorts[0].entities, 2);
//! assert_eq!(table.cohorts[0].retained, [2, 0, 1]);
//! ```

use std::collections::BTreeMap;

/// Seconds in a UTC day.
pub const DAY: i64 = 86_400;

/// ClickHouse's `retention(cond1, ..., condN)` of one entity, given whether each condition
/// holds on at least one of its events: element 0 is `cond1`, element `i` is
/// `cond1 and cond(i+1)`.
#[must_use]
pub fn condition_retention(holds: &[bool]) -> Vec<bool> {
    let first = holds.first().copied().unwrap_or(false);
    holds
        .iter()
        .enumerate()
        .map(|(i, &h)| if i == 0 { h } else { first && h })
        .collect()
}

/// One event for day retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RetentionEvent {
    /// The entity.
    pub entity: u64,
    /// Seconds since 1970-01-01T00:00:00Z.
    pub timestamp: i64,
    /// Whether the event can start the entity's cohort (its first such event does).
    pub starts: bool,
    /// Whether the event counts as the entity coming back.
    pub returns: bool,
}

/// One cohort of a [`RetentionTable`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RetentionCohort {
    /// The cohort's UTC day, in days since 1970-01-01.
    pub day: i64,
    /// Entities whose first starting event falls on that day.
    pub entities: u64,
    /// `retained[k]`: of those, how many have a returning event on day `day + k`.
    pub retained: Vec<u64>,
}

/// The classic N-day retention table: one row per cohort day, by ascending day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RetentionTable {
    /// Days after the cohort day measured (`retained` has `days + 1` entries).
    pub days: usize,
    /// The cohorts.
    pub cohorts: Vec<RetentionCohort>,
}

/// Per entity (ascending): its cohort day and flags `0..=days`, flag `k` telling whether it
/// has a returning event on UTC day `cohort + k`. Entities without a starting event are left
/// out. This equals, per entity, ClickHouse's
/// `retention(returns AND day = first_day + 0, ..., returns AND day = first_day + days)` where
/// `first_day` is the day of its first starting event (see the test data's `queries.sql`).
#[must_use]
pub fn entity_day_retention(
    events: &[RetentionEvent],
    days: usize,
) -> BTreeMap<u64, (i64, Vec<bool>)> {
    let mut cohort: BTreeMap<u64, i64> = BTreeMap::new();
    for e in events.iter().filter(|e| e.starts) {
        let d = e.timestamp.div_euclid(DAY);
        cohort
            .entry(e.entity)
            .and_modify(|c| *c = (*c).min(d))
            .or_insert(d);
    }
    let mut out: BTreeMap<u64, (i64, Vec<bool>)> = cohort
        .iter()
        .map(|(&e, &d)| (e, (d, vec![false; days + 1])))
        .collect();
    for e in events.iter().filter(|e| e.returns) {
        if let Some((d, flags)) = out.get_mut(&e.entity) {
            let k = e.timestamp.div_euclid(DAY).saturating_sub(*d);
            if let Some(f) = usize::try_from(k).ok().and_then(|k| flags.get_mut(k)) {
                *f = true;
            }
        }
    }
    // ClickHouse's retention: a later day counts only with day 0 (the first condition).
    for (_, flags) in out.values_mut() {
        let kept = condition_retention(flags);
        *flags = kept;
    }
    out
}

/// The N-day retention table of [`entity_day_retention`], cohorts by first starting day.
#[must_use]
pub fn day_retention(events: &[RetentionEvent], days: usize) -> RetentionTable {
    let mut cohorts: BTreeMap<i64, RetentionCohort> = BTreeMap::new();
    for (day, flags) in entity_day_retention(events, days).into_values() {
        let c = cohorts.entry(day).or_insert_with(|| RetentionCohort {
            day,
            entities: 0,
            retained: vec![0; days + 1],
        });
        c.entities += 1;
        for (r, f) in c.retained.iter_mut().zip(flags) {
            *r += u64::from(f);
        }
    }
    RetentionTable {
        days,
        cohorts: cohorts.into_values().collect(),
    }
}
