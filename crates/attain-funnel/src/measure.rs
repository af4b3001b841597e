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
//! **Ordering** ([`StepOrder`]). [`StepOrder::NonStrict`] (the default) asks
//! `t(e_0) <= t(e_1) <= ...`: events with **equal timestamps** may chain, and are taken in
//! funnel order whatever their input order (so a lead and a visit logged in the same second
//! count as lead then visit). [`StepOrder::Strict`] asks `t(e_0) < t(e_1) < ...`: equal
//! timestamps never advance the funnel. [`StepOrder::AnyOrder`] takes the steps in any order
//! within the window. [`StepOrder::WindowFunnel`] is ClickHouse's `windowFunnel` with its
//! modes ([`WindowFunnelModes`]: `strict_deduplication`, `strict_order`, `strict_increase`,
//! `allow_reentry`, `strict_once`), ported rule for rule. Whatever the order, the result does
//! not depend on the order of the input.
//!
//! **Checked against ClickHouse.** On a 100 k-event adversarial log (equal timestamps,
//! shuffled rows, repeated steps, events exactly at the window edge), every entity's level
//! equals ClickHouse 26.9's (`tests/data/clickhouse/`): [`StepOrder::NonStrict`] equals
//! `windowFunnel(w)`, [`StepOrder::Strict`] equals `windowFunnel(w, 'strict_increase',
//! 'strict_once')`, and every mode combination of [`StepOrder::WindowFunnel`] equals
//! ClickHouse's. **Deliberate difference:** ClickHouse's plain `'strict_increase'` keeps one
//! chain per level, so a first step repeated at the second step's timestamp replaces the chain
//! the second step could extend (visit at 3, visit at 5, signup at 5: level 1); attain's
//! [`StepOrder::Strict`] keeps the earlier chain (level 2). Use
//! `StepOrder::WindowFunnel` with `strict_increase` for ClickHouse's number.
//!
//! **Repeated steps** are allowed: every occurrence is considered, and the entity's level is
//! the furthest step reachable by any chain. The chain reported (per-entity timestamps and
//! the times to convert) is the one that **starts latest** among the chains reaching the
//! entity's furthest step, with each later step at its latest qualifying event, which is also
//! the chain every further step would extend ([`StepOrder::WindowFunnel`] stops, as
//! ClickHouse does, at the first chain reaching the last step).
//!
//! **Exclusions** ([`Exclusion`]) drop a chain when an exclusion event falls strictly between
//! two of its steps; **other events** ([`OTHER_STEP`]) only matter to `strict_order`.
//! **Breakdown attribution** ([`Attribution`]): first touch, last touch, a chosen step, or
//! all steps (the property held constant across the steps).
//!
//! **Algorithm.** Per entity, events are sorted by `(timestamp, step)` (other events first,
//! exclusion events last at equal timestamps), and the latest-starting chain reaching each
//! level is kept (`windowFunnel`'s greedy): a step-0 event starts a chain; a step-`i` event
//! extends the chain kept at level `i - 1` if the windows allow (strict order extends only
//! chains made at an earlier timestamp). Any order slides a window over the events with two
//! pointers. Keeping the latest start (and latest last step) at each level
//! is optimal, because that chain is at least as good as any other for every later check.
//! Cost: a counting sort by entity for [`measure`] (a comparison sort when ids are sparse),
//! a sort of each entity's events, and `O(events * steps)` after it (totals:
//! `O(first steps * events)` per entity);
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

/// How the steps of a chain must be ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StepOrder {
    /// `t_0 <= t_1 <= ...`: equal timestamps chain, in funnel order (default). Equals
    /// ClickHouse's `windowFunnel` without modes on every entity's level.
    #[default]
    NonStrict,
    /// `t_0 < t_1 < ...`: equal timestamps never advance the funnel, and every chain is
    /// considered (equals ClickHouse's `windowFunnel(w, 'strict_increase', 'strict_once')`;
    /// ClickHouse's plain `'strict_increase'` can miss a chain when a first step repeats at the
    /// second step's timestamp, see [`WindowFunnelModes`]).
    Strict,
    /// Steps in any order: an entity reaches step `k` if one window (from its earliest event)
    /// holds an event of each of the steps `0..=k`. Per-step windows and exclusions do not
    /// apply. Times to convert are then `t(first event of step i in the window) - t(...)` and
    /// may be negative.
    AnyOrder,
    /// ClickHouse's `windowFunnel` with these modes, ported rule for rule (including where it
    /// stops early), and checked entity by entity against ClickHouse 26.9 through chdb.
    WindowFunnel(WindowFunnelModes),
}

/// The modes of ClickHouse's `windowFunnel(window, 'mode', ...)`, combinable.
///
/// * `strict_deduplication`: a step seen again once reached stops the search (the level so
///   far is the result);
/// * `strict_order`: any other event (a funnel step out of order, an event of no step given
///   as [`OTHER_STEP`], or an exclusion event) after the first step stops the search;
/// * `strict_increase`: a step must come strictly after the previous one. ClickHouse keeps one
///   chain per level, so a first step repeated at the second step's timestamp replaces the
///   chain the second step could have extended (A at 3, A at 5, B at 5 reaches 1, not 2);
/// * `allow_reentry` (with `strict_order` only): a step out of order is skipped instead of
///   stopping the search;
/// * `strict_once`: every chain is kept (ClickHouse's `strict_once`, which also stops one row
///   matching several conditions from counting twice; here a row is always one step).
///
/// Equal timestamps are taken in the order: other events, then steps `0, 1, ...`, then
/// exclusion events, which is ClickHouse's `(timestamp, condition)` sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[allow(clippy::struct_excessive_bools)] // five independent switches, as in ClickHouse
pub struct WindowFunnelModes {
    /// `strict_deduplication`.
    pub strict_deduplication: bool,
    /// `strict_order`.
    pub strict_order: bool,
    /// `strict_increase`.
    pub strict_increase: bool,
    /// `allow_reentry` (needs `strict_order`).
    pub allow_reentry: bool,
    /// `strict_once`.
    pub strict_once: bool,
}

impl WindowFunnelModes {
    /// Parses ClickHouse's mode names separated by commas or `+`
    /// (`strict_order,strict_increase`); the empty text is no mode.
    ///
    /// ```
    /// use attain_funnel::measure::WindowFunnelModes;
    /// let m = WindowFunnelModes::parse("strict_order+allow_reentry")?;
    /// assert!(m.strict_order && m.allow_reentry && !m.strict_increase);
    /// assert!(WindowFunnelModes::parse("allow_reentry").is_err()); // needs strict_order
    /// assert!(WindowFunnelModes::parse("strict").is_err());
    /// # Ok::<(), attain_funnel::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] for an unknown name, or `allow_reentry` without
    /// `strict_order` (ClickHouse refuses both).
    pub fn parse(text: &str) -> Result<Self> {
        let mut m = WindowFunnelModes::default();
        for name in text
            .split([',', '+'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match name {
                "strict_deduplication" => m.strict_deduplication = true,
                "strict_order" => m.strict_order = true,
                "strict_increase" => m.strict_increase = true,
                "allow_reentry" => m.allow_reentry = true,
                "strict_once" => m.strict_once = true,
                other => {
                    return Err(Error::InvalidOptions {
                        reason: format!(
                            "unknown windowFunnel mode {other:?} (expected strict_deduplication, \
                             strict_order, strict_increase, allow_reentry or strict_once)"
                        ),
                    });
                }
            }
        }
        m.check()?;
        Ok(m)
    }

    fn check(self) -> Result<()> {
        if self.allow_reentry && !self.strict_order {
            return Err(Error::InvalidOptions {
                reason: "windowFunnel mode allow_reentry needs strict_order".into(),
            });
        }
        Ok(())
    }
}

/// The `step` of an [`Event`] that is no step of the funnel (a page view, say). Such events
/// only matter to `strict_order` ([`WindowFunnelModes`]), which they interrupt.
pub const OTHER_STEP: u32 = u32::MAX;

/// An exclusion: an entity whose chain has an exclusion event strictly after its step
/// `from_step` and strictly before its step `to_step` does not convert from one to the other
/// through that chain. `from_step = 0, to_step = last` excludes anywhere in the funnel.
///
/// Exclusion events are [`Event`]s whose `step` is `steps + i` for the `i`-th exclusion of
/// [`MeasureOptions::exclusions`]. The kept chain is dropped at every level from `from_step`
/// up to `to_step - 1` when an exclusion event arrives; a later start may still convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Exclusion {
    /// The step after which the exclusion event disqualifies.
    pub from_step: usize,
    /// The step before which it disqualifies (greater than `from_step`).
    pub to_step: usize,
}

/// What a funnel counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Counting {
    /// Each entity once, at its furthest step (default).
    #[default]
    Unique,
    /// Every entry: each first-step event starts an entry followed on its own (later first
    /// steps do not restart it), so an entity counts once per entry. `entities` still counts
    /// distinct entities; `reached` counts entries and is never below [`Counting::Unique`]'s.
    /// Costs `O(first steps * events)` per entity.
    Totals,
    /// Hold a property constant: every step of a chain must carry the same `group` (say a
    /// deal or session id); each entity counts once, at its best value. The `group` then
    /// holds that property, not a breakdown.
    HoldConstant,
}

/// Which breakdown value an entity is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Attribution {
    /// The value on the first step of the reported chain (the entity's earliest event if it
    /// reached no step).
    #[default]
    FirstTouch,
    /// The value on the furthest step reached by the reported chain.
    LastTouch,
    /// The value on this step of the chain; entities that did not reach it take their first
    /// touch.
    Step(usize),
    /// Every step must carry the same value: the funnel is measured per entity and value, and
    /// an entity counts once under each value it has events with (so the groups can add up to
    /// more than the total).
    AllSteps,
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
    /// Which group an entity counts under in a breakdown.
    pub attribution: Attribution,
    /// Exclusion steps (see [`Exclusion`]).
    pub exclusions: Vec<Exclusion>,
    /// Unique entities, every entry, or a property held constant.
    pub counting: Counting,
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
    /// Sets the breakdown attribution.
    #[must_use]
    pub fn attribution(mut self, attribution: Attribution) -> Self {
        self.attribution = attribution;
        self
    }
    /// Sets what is counted.
    #[must_use]
    pub fn counting(mut self, counting: Counting) -> Self {
        self.counting = counting;
        self
    }
    /// Sets the exclusions (exclusion `i` has events of step `steps + i`).
    #[must_use]
    pub fn exclusions(mut self, exclusions: Vec<Exclusion>) -> Self {
        self.exclusions = exclusions;
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

impl EntityPath {
    /// A chain: `timestamps[i]` is when `entity` (counted under `group`) reached step `i`.
    #[must_use]
    pub fn new(entity: u64, group: u32, timestamps: Vec<i64>) -> Self {
        EntityPath {
            entity,
            group,
            timestamps,
        }
    }
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
/// [`Error::InvalidWindow`] for a negative window or a per-step list of the wrong length,
/// [`Error::InvalidOptions`] for options that do not go together.
pub fn measure(
    events: &[Event],
    steps: usize,
    options: &MeasureOptions,
) -> Result<FunnelMeasurement> {
    let mut meter = FunnelMeter::new(steps, options.clone())?;
    if let Some((index, e)) = events
        .iter()
        .enumerate()
        .find(|(_, e)| !meter.step_known(e.step))
    {
        return Err(Error::StepOutOfRange {
            index,
            step: e.step,
            steps,
        });
    }
    for e in group_by_entity(events) {
        meter.push(e)?;
    }
    Ok(meter.finish())
}

/// The events grouped by ascending entity (within an entity, in input order): a counting sort
/// when the entity ids are dense (at most twice as many ids as events, as interned ids are),
/// else a comparison sort.
fn group_by_entity(events: &[Event]) -> Vec<Event> {
    let Some(max) = events.iter().map(|e| e.entity).max() else {
        return Vec::new();
    };
    let dense_limit = (events.len() as u64).saturating_mul(2).max(1024);
    let Some(ids) = usize::try_from(max)
        .ok()
        .filter(|_| max < dense_limit)
        .and_then(|m| m.checked_add(1))
    else {
        let mut sorted = events.to_vec();
        sorted.sort_unstable();
        return sorted;
    };
    let mut next = vec![0usize; ids + 1];
    for e in events {
        next[e.entity as usize + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    let mut sorted = events.to_vec();
    for e in events {
        let slot = &mut next[e.entity as usize];
        sorted[*slot] = *e;
        *slot += 1;
    }
    sorted
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
        self.add_entry(level, chain, true);
    }

    fn add_entry(&mut self, level: usize, chain: &[i64], new_entity: bool) {
        self.entities += u64::from(new_entity);
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

    /// Adds the counts and time samples of `other` (a funnel with as many steps).
    fn merge(&mut self, other: Accumulator) {
        self.entities += other.entities;
        let pairs = self.reached.iter_mut().zip(other.reached);
        pairs.for_each(|(a, b)| *a += b);
        let pairs = self.deepest.iter_mut().zip(other.deepest);
        pairs.for_each(|(a, b)| *a += b);
        let pairs = self.time_prev.iter_mut().zip(other.time_prev);
        pairs.for_each(|(a, b)| a.extend(b));
        let pairs = self.time_first.iter_mut().zip(other.time_first);
        pairs.for_each(|(a, b)| a.extend(b));
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
    rules: Option<Rules>,
    current: Option<u64>,
    // (timestamp, rank, group): rank is `step + 1` wrapping, so other events sort first at
    // equal timestamps, then the steps in order, then the exclusions.
    buffer: Vec<(i64, u32, u32)>,
    index: u64,
    total: Accumulator,
    groups: BTreeMap<u32, Accumulator>,
    paths: Vec<EntityPath>,
    kept: Slots,
    pending: Slots,
    any_counts: Vec<u32>,
    // Another meter was merged in: the paths are put back in entity order at the end.
    merged: bool,
}

/// The rules of the ordered engine (every order but [`StepOrder::AnyOrder`]).
#[derive(Debug, Clone, Copy)]
#[allow(clippy::struct_excessive_bools)]
struct Rules {
    dedup: bool,
    order: bool,
    increase: bool,
    reentry: bool,
    // Keep the chains made at the current timestamp apart (ClickHouse's `strict_once` keeps
    // every chain; with one step per event, this is the same level).
    once: bool,
    stop_at_full: bool,
}

impl Rules {
    fn of(order: StepOrder) -> Option<Rules> {
        let plain = Rules {
            dedup: false,
            order: false,
            increase: false,
            reentry: false,
            once: false,
            stop_at_full: false,
        };
        match order {
            StepOrder::NonStrict => Some(plain),
            StepOrder::Strict => Some(Rules {
                increase: true,
                once: true,
                ..plain
            }),
            StepOrder::AnyOrder => None,
            StepOrder::WindowFunnel(m) => Some(Rules {
                dedup: m.strict_deduplication,
                order: m.strict_order,
                increase: m.strict_increase,
                reentry: m.allow_reentry,
                once: m.strict_once,
                stop_at_full: true,
            }),
        }
    }
}

/// One kept chain per level: `time[level * steps + i]` and `group[...]` of its step `i`.
#[derive(Debug, Clone)]
struct Slots {
    steps: usize,
    has: Vec<bool>,
    time: Vec<i64>,
    group: Vec<u32>,
}

impl Slots {
    fn new(steps: usize) -> Self {
        Slots {
            steps,
            has: vec![false; steps],
            time: vec![0; steps * steps],
            group: vec![0; steps * steps],
        }
    }
    fn clear(&mut self) {
        self.has.iter_mut().for_each(|h| *h = false);
    }
    fn first(&self, level: usize) -> i64 {
        self.time[level * self.steps]
    }
    fn last(&self, level: usize) -> i64 {
        self.time[level * self.steps + level]
    }
    fn start(&mut self, t: i64, g: u32) {
        self.has[0] = true;
        self.time[0] = t;
        self.group[0] = g;
    }
    /// Sets level `s` to `from`'s level `s - 1` extended by `(t, g)`.
    fn extend_from(&mut self, from: &Slots, s: usize, t: i64, g: u32) {
        let (src, dst) = ((s - 1) * self.steps, s * self.steps);
        self.time[dst..dst + s].copy_from_slice(&from.time[src..src + s]);
        self.group[dst..dst + s].copy_from_slice(&from.group[src..src + s]);
        self.time[dst + s] = t;
        self.group[dst + s] = g;
        self.has[s] = true;
    }
    fn extend_within(&mut self, s: usize, t: i64, g: u32) {
        let (src, dst) = ((s - 1) * self.steps, s * self.steps);
        self.time.copy_within(src..src + s, dst);
        self.group.copy_within(src..src + s, dst);
        self.time[dst + s] = t;
        self.group[dst + s] = g;
        self.has[s] = true;
    }
    /// Copies level `level` of `from` over this one when it starts at least as late.
    fn merge_level(&mut self, from: &Slots, level: usize) {
        if !from.has[level] || (self.has[level] && from.first(level) < self.first(level)) {
            return;
        }
        let r = level * self.steps..level * self.steps + level + 1;
        self.time[r.clone()].copy_from_slice(&from.time[r.clone()]);
        self.group[r.clone()].copy_from_slice(&from.group[r]);
        self.has[level] = true;
    }
    fn level(&self) -> usize {
        self.has.iter().rposition(|&h| h).map_or(0, |i| i + 1)
    }
}

/// An entity's events split by the `group` of its step events (`is_step(rank)`), other and
/// exclusion events copied into every part; one part of all events when it has no step.
fn partitions(
    events: &[(i64, u32, u32)],
    is_step: impl Fn(u32) -> bool,
) -> Vec<Vec<(i64, u32, u32)>> {
    let mut values: Vec<u32> = events
        .iter()
        .filter(|e| is_step(e.1))
        .map(|e| e.2)
        .collect();
    values.sort_unstable();
    values.dedup();
    if values.is_empty() {
        return vec![events.to_vec()];
    }
    values
        .into_iter()
        .map(|g| {
            events
                .iter()
                .filter(|e| !is_step(e.1) || e.2 == g)
                .copied()
                .collect()
        })
        .collect()
}

impl FunnelMeter {
    /// A meter for a funnel of `steps` steps.
    ///
    /// # Errors
    /// [`Error::NoSteps`], [`Error::InvalidWindow`] for a negative window or a per-step list
    /// whose length is not `steps`, [`Error::InvalidOptions`] for an exclusion whose steps are
    /// not `from < to < steps`, `allow_reentry` without `strict_order`, or per-step windows
    /// or exclusions with [`StepOrder::AnyOrder`].
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
        if let Some(x) = options
            .exclusions
            .iter()
            .find(|x| x.from_step >= x.to_step || x.to_step >= steps)
        {
            return Err(Error::InvalidOptions {
                reason: format!(
                    "exclusion between steps {} and {} of a {steps}-step funnel: needs from < to < steps",
                    x.from_step, x.to_step
                ),
            });
        }
        if let Attribution::Step(s) = options.attribution
            && s >= steps
        {
            return Err(Error::InvalidOptions {
                reason: format!("attribution step {s} of a {steps}-step funnel"),
            });
        }
        if let StepOrder::WindowFunnel(m) = options.order {
            m.check()?;
        }
        if options.order == StepOrder::AnyOrder
            && (options.step_windows.iter().any(Option::is_some) || !options.exclusions.is_empty())
        {
            return Err(Error::InvalidOptions {
                reason: "an any-order funnel takes neither per-step windows nor exclusions".into(),
            });
        }
        if u32::try_from(steps + options.exclusions.len()).map_or(true, |n| n == OTHER_STEP) {
            return Err(Error::InvalidOptions {
                reason: format!("{steps} steps and {} exclusions", options.exclusions.len()),
            });
        }
        Ok(FunnelMeter {
            steps,
            rules: Rules::of(options.order),
            options,
            current: None,
            buffer: Vec::new(),
            index: 0,
            total: Accumulator::new(steps),
            groups: BTreeMap::new(),
            paths: Vec::new(),
            kept: Slots::new(steps),
            pending: Slots::new(steps),
            any_counts: vec![0; steps],
            merged: false,
        })
    }

    /// Adds what `other` measured to this meter, so that hash partitions of one log can be
    /// measured apart (on several threads) and combined: the result is the one a single meter
    /// would give on all the events, the time-to-convert percentiles included (the samples
    /// are kept until [`FunnelMeter::finish`]). The two meters must measure disjoint sets of
    /// entities (no entity in both); this meter may go on taking events afterwards, and the
    /// paths come out by ascending entity (stable: an entity's entries keep their order).
    ///
    /// ```
    /// use attain_funnel::measure::{Event, FunnelMeter, MeasureOptions, measure};
    /// let ev = |entity, step, timestamp| Event { entity, step, timestamp, group: 0 };
    /// let (odd, even) = ([ev(1, 0, 0), ev(1, 1, 7)], [ev(2, 0, 3), ev(2, 1, 5), ev(4, 0, 1)]);
    /// let mut a = FunnelMeter::new(2, MeasureOptions::default())?;
    /// let mut b = FunnelMeter::new(2, MeasureOptions::default())?;
    /// odd.iter().try_for_each(|&e| a.push(e))?;
    /// even.iter().try_for_each(|&e| b.push(e))?;
    /// a.merge(b)?;
    /// let all = [odd.as_slice(), even.as_slice()].concat();
    /// assert_eq!(a.finish(), measure(&all, 2, &MeasureOptions::default())?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] when the meters measure different funnels (steps or options).
    pub fn merge(&mut self, mut other: FunnelMeter) -> Result<()> {
        if other.steps != self.steps || other.options != self.options {
            return Err(Error::InvalidOptions {
                reason: "only meters of the same funnel and options can be merged".into(),
            });
        }
        other.flush();
        self.index += other.index;
        self.total.merge(other.total);
        for (group, acc) in other.groups {
            match self.groups.entry(group) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(acc);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => o.get_mut().merge(acc),
            }
        }
        self.paths.append(&mut other.paths);
        self.merged = true;
        Ok(())
    }

    /// Whether `step` is a step, an exclusion event or [`OTHER_STEP`] of this funnel.
    fn step_known(&self, step: u32) -> bool {
        step == OTHER_STEP || (step as usize) < self.steps + self.options.exclusions.len()
    }

    /// Adds one event. Events must come grouped by entity, entities in ascending order.
    ///
    /// # Errors
    /// [`Error::StepOutOfRange`] for a step that is neither a step, an exclusion event nor
    /// [`OTHER_STEP`]; [`Error::UnsortedInput`] if the entity id goes down.
    pub fn push(&mut self, event: Event) -> Result<()> {
        let index = self.index;
        self.index += 1;
        if !self.step_known(event.step) {
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
        self.buffer
            .push((event.timestamp, event.step.wrapping_add(1), event.group));
        Ok(())
    }

    /// Finishes the measurement.
    #[must_use]
    pub fn finish(mut self) -> FunnelMeasurement {
        self.flush();
        if self.merged {
            self.paths.sort_by_key(|p| p.entity);
        }
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
        let Some(entity) = self.current.take() else {
            return;
        };
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.sort_unstable();
        let first_group = buffer.first().map_or(0, |e| e.2);
        let steps = self.steps;
        let is_step = |rank: u32| (1..=steps).contains(&(rank as usize));
        let entries: Vec<(usize, Vec<i64>, Vec<u32>)> = match self.options.counting {
            Counting::Unique => vec![self.run(&buffer)],
            Counting::HoldConstant => {
                // The best funnel over the values of the held property (`group`).
                let mut best = (0, Vec::new(), Vec::new());
                for part in partitions(&buffer, is_step) {
                    let found = self.run(&part);
                    let later = |a: &[i64], b: &[i64]| a.first() > b.first();
                    if found.0 > best.0 || (found.0 == best.0 && later(&found.1, &best.1)) {
                        best = found;
                    }
                }
                vec![best]
            }
            Counting::Totals => {
                // Every first step starts an entry, followed on its own.
                let mut entries = Vec::new();
                let mut part = Vec::with_capacity(buffer.len());
                for (j, e) in buffer.iter().enumerate() {
                    if e.1 != 1 {
                        continue;
                    }
                    part.clear();
                    part.extend(
                        buffer[j..]
                            .iter()
                            .enumerate()
                            .filter(|(i, x)| *i == 0 || x.1 != 1)
                            .map(|(_, x)| *x),
                    );
                    entries.push(self.run(&part));
                }
                if entries.is_empty() {
                    entries.push((0, Vec::new(), Vec::new()));
                }
                entries
            }
        };
        for (n, (level, row, groups)) in entries.into_iter().enumerate() {
            let group = if level == 0 {
                first_group
            } else {
                match self.options.attribution {
                    Attribution::LastTouch => groups[level - 1],
                    Attribution::Step(s) if s < level => groups[s],
                    _ => groups[0],
                }
            };
            self.total.add_entry(level, &row, n == 0);
            if self.options.breakdown && self.options.attribution != Attribution::AllSteps {
                self.groups
                    .entry(group)
                    .or_insert_with(|| Accumulator::new(steps))
                    .add_entry(level, &row, n == 0);
            }
            if self.options.keep_paths && level > 0 {
                self.paths.push(EntityPath {
                    entity,
                    group,
                    timestamps: row,
                });
            }
        }
        if self.options.breakdown && self.options.attribution == Attribution::AllSteps {
            // The funnel again on each value's step events alone (other and exclusion
            // events apply to every value).
            for part in partitions(&buffer, is_step) {
                let g = part
                    .iter()
                    .find(|e| is_step(e.1))
                    .map_or(first_group, |e| e.2);
                let (lv, r, _) = self.run(&part);
                self.groups
                    .entry(g)
                    .or_insert_with(|| Accumulator::new(steps))
                    .add(lv, &r);
            }
        }
        buffer.clear();
        self.buffer = buffer;
    }

    /// The level, chain timestamps and chain groups of one entity's sorted events.
    fn run(&mut self, events: &[(i64, u32, u32)]) -> (usize, Vec<i64>, Vec<u32>) {
        match self.rules {
            Some(rules) => self.run_ordered(events, rules),
            None => self.run_any_order(events),
        }
    }

    fn run_ordered(
        &mut self,
        events: &[(i64, u32, u32)],
        rules: Rules,
    ) -> (usize, Vec<i64>, Vec<u32>) {
        let k = self.steps;
        let window = self.options.window;
        let kept = &mut self.kept;
        let pending = &mut self.pending;
        kept.clear();
        pending.clear();
        let mut pending_time = i64::MIN;
        let mut started = false;
        // The deepest chain an exclusion made unextendable: (times, groups).
        let mut record: (Vec<i64>, Vec<u32>) = (Vec::new(), Vec::new());
        let nonempty =
            |kept: &Slots, pending: &Slots, l: usize| kept.has[l] || (rules.once && pending.has[l]);
        for &(t, rank, g) in events {
            if rules.once && t != pending_time {
                for l in 0..k {
                    kept.merge_level(pending, l);
                }
                pending.clear();
                pending_time = t;
            }
            let rank = rank as usize;
            if rank == 0 || rank > k {
                if let Some(x) = rank
                    .checked_sub(k + 1)
                    .and_then(|i| self.options.exclusions.get(i))
                {
                    for slots in [&mut *kept, &mut *pending] {
                        for l in x.from_step..x.to_step {
                            if slots.has[l] && slots.time[l * k + x.from_step] < t {
                                // The entity did reach this level: keep the deepest such
                                // chain as a record, no longer extendable.
                                slots.has[l] = false;
                                if l + 1 > record.0.len() {
                                    let r = l * k..l * k + l + 1;
                                    record =
                                        (slots.time[r.clone()].to_vec(), slots.group[r].to_vec());
                                }
                            }
                        }
                    }
                }
                if rules.order && started {
                    break;
                }
                continue;
            }
            let s = rank - 1;
            if s == 0 {
                if rules.once {
                    pending.start(t, g);
                } else {
                    kept.start(t, g);
                }
                started = true;
                continue;
            }
            if rules.dedup && nonempty(&*kept, &*pending, s) {
                break;
            }
            if rules.order && started && !nonempty(&*kept, &*pending, s - 1) {
                if rules.reentry {
                    continue;
                }
                break;
            }
            let step_window = self.options.step_windows.get(s).copied().flatten();
            let fits = |slots: &Slots| {
                slots.has[s - 1]
                    && window.is_none_or(|w| t.saturating_sub(slots.first(s - 1)) <= w)
                    && step_window.is_none_or(|w| t.saturating_sub(slots.last(s - 1)) <= w)
                    && (!rules.increase || slots.last(s - 1) < t)
            };
            let from_kept = fits(&*kept);
            let from_pending = rules.once && fits(&*pending);
            let use_pending =
                from_pending && (!from_kept || pending.first(s - 1) >= kept.first(s - 1));
            if !(from_kept || from_pending) {
                continue;
            }
            if rules.once {
                let first = if use_pending {
                    pending.first(s - 1)
                } else {
                    kept.first(s - 1)
                };
                if pending.has[s] && pending.first(s) > first {
                    continue;
                }
                if use_pending {
                    pending.extend_within(s, t, g);
                } else {
                    pending.extend_from(kept, s, t, g);
                }
            } else {
                kept.extend_within(s, t, g);
            }
            if rules.stop_at_full && s + 1 == k {
                break;
            }
        }
        if rules.once {
            for l in 0..k {
                kept.merge_level(pending, l);
            }
        }
        let level = kept.level();
        if record.0.len() > level {
            return (record.0.len(), record.0, record.1);
        }
        if level == 0 {
            return (0, Vec::new(), Vec::new());
        }
        let r = (level - 1) * k..(level - 1) * k + level;
        (level, kept.time[r.clone()].to_vec(), kept.group[r].to_vec())
    }

    /// Any order: the widest prefix of steps all present in one window, by two pointers.
    fn run_any_order(&mut self, events: &[(i64, u32, u32)]) -> (usize, Vec<i64>, Vec<u32>) {
        let k = self.steps;
        let steps: Vec<(i64, usize, u32)> = events
            .iter()
            .filter(|e| (1..=k).contains(&(e.1 as usize)))
            .map(|e| (e.0, e.1 as usize - 1, e.2))
            .collect();
        let counts = &mut self.any_counts;
        counts.iter_mut().for_each(|c| *c = 0);
        let (mut best, mut best_range) = (0, (0, 0));
        let mut left = 0;
        for right in 0..steps.len() {
            counts[steps[right].1] += 1;
            while let Some(w) = self.options.window
                && steps[right].0.saturating_sub(steps[left].0) > w
            {
                counts[steps[left].1] -= 1;
                left += 1;
            }
            let level = counts.iter().position(|&c| c == 0).unwrap_or(k);
            if level > best {
                best = level;
                best_range = (left, right);
            }
            if best == k {
                break;
            }
        }
        let mut time = vec![i64::MAX; best];
        let mut group = vec![0; best];
        for &(t, s, g) in steps.get(best_range.0..=best_range.1).unwrap_or(&[]) {
            if s < best && t < time[s] {
                time[s] = t;
                group[s] = g;
            }
        }
        (best, time, group)
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
