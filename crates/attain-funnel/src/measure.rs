//! Funnels measured from event logs, with semantics like ClickHouse's `windowFunnel`.
//!
//! # Input
//!
//! [`Event`]s `(entity, step, timestamp, group)`, in any order: `step` indexes the funnel's
//! steps (`0` is the first), timestamps are integers in any unit (seconds, say) and windows
//! use the same unit, `group` is a breakdown value (use 0 when there is none).
//!
//! # Semantics
//!
//! An entity **reaches step `k`** if it has events `e_0, ..., e_k` with `step(e_i) = i` whose
//! timestamps follow the funnel order and where:
//!
//! * **window**: `t(e_k) - t(e_0) <= window` (inclusive, measured from the first step, like
//!   `windowFunnel`); no window means unlimited;
//! * **per-step windows** (optional): `t(e_i) - t(e_{i-1}) <= step_window[i]`.
//!
//! **Ordering.** [`StepOrder::NonStrict`] (the default) asks `t(e_0) <= t(e_1) <= ...`: events
//! with **equal timestamps** may chain, and are taken in funnel order whatever their input
//! order (so a lead and a visit logged in the same second count as lead then visit).
//! [`StepOrder::Strict`] asks `t(e_0) < t(e_1) < ...` (like `windowFunnel`'s
//! `strict_increase`): equal timestamps never advance the funnel. Either way the result does
//! not depend on the order of the input, which is where the anchors' bugs with equal
//! timestamps came from (`windowFunnel` used the input order of ties).
//!
//! **Repeated steps** are allowed: every occurrence is considered, and the entity's level is
//! the furthest step reachable by any chain. Events of steps out of order in between do not
//! break a chain (no `strict_order` mode). The chain reported (per-entity timestamps and the
//! times to convert) is the one that **starts latest** among the chains reaching the
//! entity's furthest step, with each later step at its latest qualifying event, which is also
//! the chain every further step would extend.
//!
//! **Algorithm.** Per entity, events are sorted by `(timestamp, step)` (step descending for
//! strict order), and the latest-starting chain reaching each level is kept (`windowFunnel`'s
//! greedy): a step-0 event starts a chain; a step-`i` event extends the chain kept at level
//! `i - 1` if the windows allow. Keeping the latest start (and latest last step) at each level
//! is optimal, because that chain is at least as good as any other for every later check.
//! Cost: `O(events log events)` for [`measure`] (a sort) and `O(events * steps)` after it;
//! [`FunnelMeter`] takes input already grouped by ascending entity and keeps only one
//! entity's events at a time, so its memory is proportional to the entities reaching steps
//! (the time samples and, on request, the paths), not to the events.
//!
//! # Output
//!
//! Per step: entities reaching it ("reached step `k`", never increasing along the steps),
//! entities whose furthest step it is, conversion from the previous step and from the first,
//! and the time to convert from the previous step and from the first (median and p90, nearest
//! rank: the `ceil(q n)`-th smallest of the `n` samples). A breakdown attributes each entity
//! to the `group` of the step-0 event that starts its reported chain (first touch), or of its
//! earliest event if it never reached step 0.
//!
//! ```
//! use attain_funnel::measure::{measure, Event, MeasureOptions};
//! let ev = |entity, step, timestamp| Event { entity, step, timestamp, group: 0 };
//! let events = [ev(1, 0, 0), ev(1, 1, 5), ev(1, 2, 50), ev(2, 0, 3), ev(2, 1, 3), ev(3, 1, 1)];
//! let m = measure(&events, 3, &MeasureOptions::default().window(30))?;
//! let reached: Vec<u64> = m.total.steps.iter().map(|s| s.reached).collect();
//! assert_eq!(reached, [2, 2, 0]); // entity 1's step 2 is outside the 30-unit window
//! assert_eq!(m.total.entities, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use attain_types::Rate;

use crate::error::{Error, Result};

/// One event: an entity reached a step at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Event {
    /// The entity (customer, lead, account), as an interned id.
    pub entity: u64,
    /// The step index, `0` for the first step of the funnel.
    pub step: u32,
    /// The time, as an integer in any unit (windows use the same unit).
    pub timestamp: i64,
    /// The breakdown value (an interned property such as the channel); 0 when unused.
    pub group: u32,
}

/// Whether chained steps may share a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StepOrder {
    /// `t_0 <= t_1 <= ...`: equal timestamps chain, in funnel order (default).
    #[default]
    NonStrict,
    /// `t_0 < t_1 < ...`: equal timestamps never advance the funnel.
    Strict,
}

/// Options of [`measure`] and [`FunnelMeter`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MeasureOptions {
    /// Maximum `t(last step) - t(first step)`, inclusive; `None` is unlimited.
    pub window: Option<i64>,
    /// Empty, or one entry per step: `step_windows[i]` bounds `t(step i) - t(step i-1)`
    /// (entry 0 is ignored).
    pub step_windows: Vec<Option<i64>>,
    /// Strict or non-strict ordering of timestamps along a chain.
    pub order: StepOrder,
    /// Return each converting entity's step timestamps ([`FunnelMeasurement::paths`]).
    pub keep_paths: bool,
    /// Also measure per group ([`FunnelMeasurement::groups`]).
    pub breakdown: bool,
}

impl MeasureOptions {
    /// Sets the conversion window (from the first step).
    #[must_use]
    pub fn window(mut self, window: i64) -> Self {
        self.window = Some(window);
        self
    }
    /// Sets per-step windows (one entry per step; entry 0 ignored).
    #[must_use]
    pub fn step_windows(mut self, windows: Vec<Option<i64>>) -> Self {
        self.step_windows = windows;
        self
    }
    /// Sets the ordering rule.
    #[must_use]
    pub fn order(mut self, order: StepOrder) -> Self {
        self.order = order;
        self
    }
    /// Keeps per-entity paths.
    #[must_use]
    pub fn keep_paths(mut self, yes: bool) -> Self {
        self.keep_paths = yes;
        self
    }
    /// Measures per group as well.
    #[must_use]
    pub fn breakdown(mut self, yes: bool) -> Self {
        self.breakdown = yes;
        self
    }
}

/// Median and 90th percentile of a time to convert (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TimeStats {
    /// How many entities converted (the sample size).
    pub samples: u64,
    /// The `ceil(n / 2)`-th smallest time.
    pub median: i64,
    /// The `ceil(9 n / 10)`-th smallest time.
    pub p90: i64,
}

/// One step of a measured funnel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StepStats {
    /// The step index.
    pub step: usize,
    /// Entities that reached this step (and so every step before it).
    pub reached: u64,
    /// Entities whose furthest step is this one.
    pub deepest: u64,
    /// `reached / reached at the previous step`; `None` for step 0 or when the previous step
    /// was reached by nobody.
    pub conversion_from_previous: Option<Rate>,
    /// `reached / reached at step 0`; `None` when step 0 was reached by nobody.
    pub conversion_from_first: Option<Rate>,
    /// Time from the previous step (`None` for step 0 or without conversions).
    pub time_from_previous: Option<TimeStats>,
    /// Time from the first step (`None` for step 0 or without conversions).
    pub time_from_first: Option<TimeStats>,
}

/// A measured funnel: entities seen and one row per step.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StepTable {
    /// Distinct entities with at least one event.
    pub entities: u64,
    /// One row per step.
    pub steps: Vec<StepStats>,
}

/// One group of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GroupTable {
    /// The group value.
    pub group: u32,
    /// Its funnel.
    pub table: StepTable,
}

/// The timestamps of an entity's reported chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct EntityPath {
    /// The entity.
    pub entity: u64,
    /// Its breakdown group.
    pub group: u32,
    /// `timestamps[i]` is when it reached step `i`; the length is its furthest step + 1.
    pub timestamps: Vec<i64>,
}

/// The result of measuring a funnel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FunnelMeasurement {
    /// All entities.
    pub total: StepTable,
    /// Per group, in ascending group order (empty unless a breakdown was asked for).
    pub groups: Vec<GroupTable>,
    /// Per-entity chains of entities that reached step 0, by ascending entity (empty unless
    /// asked for).
    pub paths: Vec<EntityPath>,
}

/// Measures a funnel of `steps` steps from events in any order (copies and sorts them).
///
/// # Errors
/// [`Error::NoSteps`], [`Error::StepOutOfRange`] naming the event's index,
/// [`Error::InvalidWindow`] for a negative window or a per-step list of the wrong length.
pub fn measure(
    events: &[Event],
    steps: usize,
    options: &MeasureOptions,
) -> Result<FunnelMeasurement> {
    let mut meter = FunnelMeter::new(steps, options.clone())?;
    if let Some((index, e)) = events
        .iter()
        .enumerate()
        .find(|(_, e)| e.step as usize >= steps)
    {
        return Err(Error::StepOutOfRange {
            index,
            step: e.step,
            steps,
        });
    }
    let mut sorted = events.to_vec();
    sorted.sort_unstable();
    for e in sorted {
        meter.push(e)?;
    }
    Ok(meter.finish())
}

#[derive(Debug, Clone, Default)]
struct Accumulator {
    entities: u64,
    reached: Vec<u64>,
    deepest: Vec<u64>,
    time_prev: Vec<Vec<i64>>,
    time_first: Vec<Vec<i64>>,
}

impl Accumulator {
    fn new(steps: usize) -> Self {
        Accumulator {
            entities: 0,
            reached: vec![0; steps],
            deepest: vec![0; steps],
            time_prev: vec![Vec::new(); steps],
            time_first: vec![Vec::new(); steps],
        }
    }

    fn add(&mut self, level: usize, chain: &[i64]) {
        self.entities += 1;
        if level == 0 {
            return;
        }
        self.deepest[level - 1] += 1;
        for i in 0..level {
            self.reached[i] += 1;
            if i > 0 {
                self.time_prev[i].push(chain[i].saturating_sub(chain[i - 1]));
                self.time_first[i].push(chain[i].saturating_sub(chain[0]));
            }
        }
    }

    fn finish(mut self) -> StepTable {
        let n = self.reached.len();
        let first = self.reached.first().copied().unwrap_or(0);
        let steps = (0..n)
            .map(|i| {
                let ratio = |part: u64, whole: u64| {
                    if whole == 0 {
                        None
                    } else {
                        Rate::from_ratio(part, whole).ok()
                    }
                };
                StepStats {
                    step: i,
                    reached: self.reached[i],
                    deepest: self.deepest[i],
                    conversion_from_previous: if i == 0 {
                        None
                    } else {
                        ratio(self.reached[i], self.reached[i - 1])
                    },
                    conversion_from_first: ratio(self.reached[i], first),
                    time_from_previous: time_stats(&mut self.time_prev[i]),
                    time_from_first: time_stats(&mut self.time_first[i]),
                }
            })
            .collect();
        StepTable {
            entities: self.entities,
            steps,
        }
    }
}

fn time_stats(samples: &mut [i64]) -> Option<TimeStats> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let rank = |num: usize| (n * num).div_ceil(10).max(1) - 1;
    let (m, p) = (rank(5), rank(9));
    let median = *samples.select_nth_unstable(m).1;
    let p90 = *samples.select_nth_unstable(p).1;
    Some(TimeStats {
        samples: n as u64,
        median,
        p90,
    })
}

/// A streaming funnel meter for events grouped by ascending entity id (within an entity,
/// any order): memory proportional to the entities, not the events.
///
/// ```
/// use attain_funnel::measure::{Event, FunnelMeter, MeasureOptions};
/// let mut meter = FunnelMeter::new(2, MeasureOptions::default())?;
/// meter.push(Event { entity: 1, step: 1, timestamp: 9, group: 0 })?;
/// meter.push(Event { entity: 1, step: 0, timestamp: 2, group: 0 })?;
/// meter.push(Event { entity: 2, step: 0, timestamp: 4, group: 0 })?;
/// let m = meter.finish();
/// assert_eq!(m.total.steps[1].reached, 1);
/// assert_eq!(m.total.steps[1].time_from_previous.map(|t| t.median), Some(7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FunnelMeter {
    steps: usize,
    options: MeasureOptions,
    current: Option<u64>,
    buffer: Vec<(i64, u32, u32)>,
    index: u64,
    total: Accumulator,
    groups: BTreeMap<u32, Accumulator>,
    paths: Vec<EntityPath>,
    // Scratch: `chain[level * steps + i]`, the kept chain reaching `level`.
    chain: Vec<i64>,
    has: Vec<bool>,
    chain_group: Vec<u32>,
}

impl FunnelMeter {
    /// A meter for a funnel of `steps` steps.
    ///
    /// # Errors
    /// [`Error::NoSteps`], [`Error::InvalidWindow`] for a negative window or a per-step list
    /// whose length is not `steps`.
    pub fn new(steps: usize, options: MeasureOptions) -> Result<Self> {
        if steps == 0 {
            return Err(Error::NoSteps);
        }
        if options.window.is_some_and(|w| w < 0) {
            return Err(Error::InvalidWindow {
                reason: format!("window {} is negative", options.window.unwrap_or(0)),
            });
        }
        if !options.step_windows.is_empty() && options.step_windows.len() != steps {
            return Err(Error::InvalidWindow {
                reason: format!(
                    "{} per-step windows for {steps} steps",
                    options.step_windows.len()
                ),
            });
        }
        if let Some((i, w)) = options
            .step_windows
            .iter()
            .enumerate()
            .find(|(_, w)| w.is_some_and(|w| w < 0))
        {
            return Err(Error::InvalidWindow {
                reason: format!("window of step {i} is negative ({w:?})"),
            });
        }
        Ok(FunnelMeter {
            steps,
            options,
            current: None,
            buffer: Vec::new(),
            index: 0,
            total: Accumulator::new(steps),
            groups: BTreeMap::new(),
            paths: Vec::new(),
            chain: vec![0; steps * steps],
            has: vec![false; steps],
            chain_group: vec![0; steps],
        })
    }

    /// Adds one event. Events must come grouped by entity, entities in ascending order.
    ///
    /// # Errors
    /// [`Error::StepOutOfRange`], [`Error::UnsortedInput`] if the entity id goes down.
    pub fn push(&mut self, event: Event) -> Result<()> {
        let index = self.index;
        self.index += 1;
        if event.step as usize >= self.steps {
            return Err(Error::StepOutOfRange {
                index: usize::try_from(index).unwrap_or(usize::MAX),
                step: event.step,
                steps: self.steps,
            });
        }
        match self.current {
            Some(c) if c == event.entity => {}
            Some(c) if c > event.entity => {
                return Err(Error::UnsortedInput {
                    index,
                    entity: event.entity,
                    previous: c,
                });
            }
            _ => {
                self.flush();
                self.current = Some(event.entity);
            }
        }
        self.buffer.push((event.timestamp, event.step, event.group));
        Ok(())
    }

    /// Finishes the measurement.
    #[must_use]
    pub fn finish(mut self) -> FunnelMeasurement {
        self.flush();
        FunnelMeasurement {
            total: self.total.finish(),
            groups: self
                .groups
                .into_iter()
                .map(|(group, acc)| GroupTable {
                    group,
                    table: acc.finish(),
                })
                .collect(),
            paths: self.paths,
        }
    }

    fn flush(&mut self) {
        let Some(entity) = self.current else { return };
        let k = self.steps;
        match self.options.order {
            StepOrder::NonStrict => self.buffer.sort_unstable(),
            StepOrder::Strict => self
                .buffer
                .sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))),
        }
        self.has.iter_mut().for_each(|h| *h = false);
        let strict = self.options.order == StepOrder::Strict;
        for &(t, s, g) in &self.buffer {
            let s = s as usize;
            if s == 0 {
                self.has[0] = true;
                self.chain[0] = t;
                self.chain_group[0] = g;
                continue;
            }
            if !self.has[s - 1] {
                continue;
            }
            let prev = (s - 1) * k;
            let (first, last) = (self.chain[prev], self.chain[prev + s - 1]);
            if strict && t <= last {
                continue;
            }
            if self
                .options
                .window
                .is_some_and(|w| t.saturating_sub(first) > w)
            {
                continue;
            }
            if self
                .options
                .step_windows
                .get(s)
                .copied()
                .flatten()
                .is_some_and(|w| t.saturating_sub(last) > w)
            {
                continue;
            }
            let cur = s * k;
            self.chain.copy_within(prev..prev + s, cur);
            self.chain[cur + s] = t;
            self.has[s] = true;
            self.chain_group[s] = self.chain_group[s - 1];
        }
        let level = self.has.iter().rposition(|&h| h).map_or(0, |i| i + 1);
        let row = if level == 0 {
            &[][..]
        } else {
            &self.chain[(level - 1) * k..(level - 1) * k + level]
        };
        let group = if level == 0 {
            self.buffer.first().map_or(0, |e| e.2)
        } else {
            self.chain_group[level - 1]
        };
        self.total.add(level, row);
        if self.options.breakdown {
            let steps = self.steps;
            self.groups
                .entry(group)
                .or_insert_with(|| Accumulator::new(steps))
                .add(level, row);
        }
        if self.options.keep_paths && level > 0 {
            self.paths.push(EntityPath {
                entity,
                group,
                timestamps: row.to_vec(),
            });
        }
        self.buffer.clear();
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(entity: u64, step: u32, timestamp: i64) -> Event {
        Event {
            entity,
            step,
            timestamp,
            group: 0,
        }
    }

    #[test]
    fn equal_timestamps_chain_only_when_non_strict() {
        let events = [ev(1, 1, 5), ev(1, 0, 5), ev(1, 2, 5)];
        let m = measure(&events, 3, &MeasureOptions::default()).unwrap();
        assert_eq!(m.total.steps[2].reached, 1);
        let m = measure(
            &events,
            3,
            &MeasureOptions::default().order(StepOrder::Strict),
        )
        .unwrap();
        assert_eq!(m.total.steps[0].reached, 1);
        assert_eq!(m.total.steps[1].reached, 0);
    }

    #[test]
    fn later_start_rescues_the_window() {
        // Start at 0 is too early for step 1 at 100 (window 10), the repeated start at 95 works.
        let events = [ev(1, 0, 0), ev(1, 0, 95), ev(1, 1, 100)];
        let m = measure(
            &events,
            2,
            &MeasureOptions::default().window(10).keep_paths(true),
        )
        .unwrap();
        assert_eq!(m.total.steps[1].reached, 1);
        assert_eq!(m.paths[0].timestamps, vec![95, 100]);
    }

    #[test]
    fn step_windows_bound_each_gap() {
        let events = [ev(1, 0, 0), ev(1, 1, 3), ev(1, 2, 20)];
        let opts = MeasureOptions::default().step_windows(vec![None, Some(5), Some(10)]);
        let m = measure(&events, 3, &opts).unwrap();
        assert_eq!(
            m.total.steps.iter().map(|s| s.reached).collect::<Vec<_>>(),
            [1, 1, 0]
        );
        assert!(FunnelMeter::new(3, MeasureOptions::default().step_windows(vec![None])).is_err());
        assert!(FunnelMeter::new(3, MeasureOptions::default().window(-1)).is_err());
    }

    #[test]
    fn meter_rejects_unsorted_entities() {
        let mut m = FunnelMeter::new(2, MeasureOptions::default()).unwrap();
        m.push(ev(5, 0, 0)).unwrap();
        assert!(matches!(
            m.push(ev(4, 0, 0)),
            Err(Error::UnsortedInput { index: 1, .. })
        ));
        assert!(matches!(
            m.push(ev(6, 2, 0)),
            Err(Error::StepOutOfRange { .. })
        ));
    }

    #[test]
    fn time_stats_nearest_rank() {
        let mut v = vec![10, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let t = time_stats(&mut v).unwrap();
        // n = 10: median is the 5th smallest (5), p90 the 9th (9).
        assert_eq!((t.median, t.p90, t.samples), (5, 9, 10));
        assert_eq!(time_stats(&mut []), None);
        let t = time_stats(&mut [7]).unwrap();
        assert_eq!((t.median, t.p90), (7, 7));
    }
}
