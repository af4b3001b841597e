//! Decomposition of a target over time, exact to the minor unit.
//!
//! Two modes, both exact:
//!
//! * **Nested** ([`nested`]): each [`Level`] splits every period of the level above it, as in
//!   METHOD.md 1.2's "12,000,000 > 3,000,000 a quarter > 1,000,000 a month > 250,000 a week of
//!   four". Every slot sums exactly to its parent, at every level.
//! * **Finest grain** ([`daily`]): the target is allocated to days once, and any calendar is a
//!   roll-up of those days ([`DailyPlan::roll_up`]): months, ISO weeks that straddle months,
//!   quarters, retail periods, fiscal years. Every view agrees with every other because each
//!   is a sum of the same days.
//!
//! # Rounding
//!
//! * Nested: each split is `attain_types::allocate_units` (largest remainder, equal remainders
//!   to the earlier period). Every slot is its exact share *of its rounded parent* rounded down
//!   or up.
//! * Finest grain: **cumulative rounding**: day `k` gets `floor(T * W_k / W) -
//!   floor(T * W_(k-1) / W)`, where `W_k` is the running weight through day `k`. Every day, and
//!   every run of consecutive days (so every month, ISO week, quarter or retail period of any
//!   calendar), is its exact share of the target rounded down or up. Largest remainder per day
//!   would keep each day within a unit but let a month drift by up to a unit per day.
//!
//! In both modes a zero weight gets exactly zero, a non-negative total gives no negative part,
//! and the parts sum exactly to the total. A negative total is split as the mirror image of
//! its absolute value.
//!
//! # Weights
//!
//! Which rule applies at which level under the default [`Weighting::Equal`] (nested mode):
//!
//! | level | rule |
//! |---|---|
//! | quarters, months, fiscal or retail periods, whole | equal: 3,000,000 a quarter, 1,000,000 a month |
//! | [`Level::Parts`] (`--parts 4`) | equal: the method's four weeks of 250,000 |
//! | ISO weeks (clipped at month ends), days | by calendar days |
//! | any level with a period clipped by the plan's ends (custom start or end) | by calendar days, for that parent's children |
//!
//! [`Weighting::WorkingDays`] weighs every level by working days instead. A row's amount per
//! day therefore stays within twice the median of its level unless seasonality or locks ask
//! otherwise (a property test checks it).
//!
//! [`Weighting`] says how much each period weighs: equally ([`Weighting::Equal`]), by calendar
//! days, by working days of a [`WorkingCalendar`], or by a seasonality [`Profile`] (monthly
//! indices, or last year's actuals per period), spread inside each profile period by calendar
//! or working days. Profile day weights are exact rationals `index / days`, brought to one
//! integer scale through the least common multiple of the day counts.
//!
//! ```
//! use attain_goals::{nested, Level, TimeOptions};
//! use attain_types::{Currency, Granularity, Money, Period, dec};
//!
//! // METHOD.md 1.2: 12,000,000 > quarters > months > four weeks a month.
//! let target = Money::new(dec!(12000000), Currency::CNY);
//! let levels = [
//!     Level::Calendar(Granularity::Quarter),
//!     Level::Calendar(Granularity::Month),
//!     Level::Parts(4),
//! ];
//! let plan = nested(target, Period::year(2026)?, &levels, &TimeOptions::default())?;
//! assert_eq!(plan.levels[0][0].amount.amount(), dec!(3000000));
//! assert_eq!(plan.levels[1][0].amount.amount(), dec!(1000000));
//! assert_eq!(plan.levels[2][0].amount.amount(), dec!(250000));
//! assert_eq!(plan.levels[2].len(), 48);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{Datelike, Days};

use attain_types::{
    Currency, Decimal, Granularity, Money, NaiveDate, Period, WorkingCalendar, allocate_units,
};

use crate::error::{Error, Result};
use crate::int;

/// A period with a label, such as `2026-03` or `FY2026-P01`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NamedPeriod {
    /// The label printed in tables.
    pub label: String,
    /// The dates.
    pub period: Period,
}

/// How a level splits each period of the level above it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Level {
    /// At calendar boundaries (quarters, months, ISO weeks, days), clipped to the parent: an
    /// ISO week straddling two months gives one piece in each.
    Calendar(Granularity),
    /// Into `n` consecutive pieces of near-equal days (31 days in four: 8, 8, 8, 7). This is
    /// METHOD.md's "four weeks to a month". Labels are `parent/1` .. `parent/n`.
    Parts(u32),
    /// At the boundaries of explicit periods (a retail or fiscal calendar): each parent is
    /// split into its overlaps with these periods, which must not overlap and must cover
    /// every parent exactly.
    Periods(Vec<NamedPeriod>),
}

/// The days a seasonality period's weight is spread over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DayBasis {
    /// Every day of the period.
    #[default]
    CalendarDays,
    /// The working days of the calendar in [`TimeOptions::calendar`].
    WorkingDays,
}

/// A seasonality profile: one weight per period of `by` (as it splits the plan's period), for
/// example twelve monthly indices, or last year's actual sales per month.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Profile {
    /// The periods the weights belong to (often `Level::Calendar(Granularity::Month)`).
    pub by: Level,
    /// One non-negative weight per period, in order. Indices (`1.2`) and amounts (last year's
    /// actuals) both work: only ratios matter.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_vec"))]
    pub weights: Vec<Decimal>,
    /// How each period's weight is spread over its days.
    pub within: DayBasis,
}

impl Profile {
    /// Monthly indices spread over calendar days.
    #[must_use]
    pub fn monthly(weights: Vec<Decimal>) -> Profile {
        Profile {
            by: Level::Calendar(Granularity::Month),
            weights,
            within: DayBasis::CalendarDays,
        }
    }

    /// Last year's actual amounts per period of `by`, used as weights (only their ratios
    /// matter; the currency is not checked against the target's).
    #[must_use]
    pub fn from_actuals(by: Level, actuals: &[Money], within: DayBasis) -> Profile {
        Profile {
            by,
            weights: actuals.iter().map(Money::amount).collect(),
            within,
        }
    }
}

impl Level {
    /// The periods this level splits `parent` into, in date order, covering it exactly
    /// (labels of [`Level::Parts`] are `parent/1` .. `parent/n`).
    ///
    /// # Errors
    /// [`Error::TooManyParts`] or [`Error::LevelGap`] (reported as level 0).
    pub fn periods_of(&self, parent: &NamedPeriod) -> Result<Vec<NamedPeriod>> {
        children(parent, self, 0, false)
    }
}

/// How much each period weighs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Weighting {
    /// Nested: the children of a parent weigh the same when each is a whole period of its
    /// kind (quarters of 3,000,000 and months of 1,000,000 whatever their days; the
    /// [`Level::Parts`] of the method's four weeks a month). When any child is **clipped**,
    /// shorter than the period of its kind because the parent or the plan's ends cut it (ISO
    /// weeks at month ends, a month cut by a custom start), that parent's children weigh by
    /// calendar days instead, so a one-day piece of a week gets one day's worth, not a week's.
    /// Finest grain: every day weighs the same, like [`Weighting::CalendarDays`]; for equal
    /// months at day grain use a [`Profile`] of equal monthly weights.
    #[default]
    Equal,
    /// In proportion to calendar days.
    CalendarDays,
    /// In proportion to working days (weekend and holidays weigh zero).
    WorkingDays,
    /// A seasonality profile.
    Profile(Profile),
}

/// Options of a time decomposition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TimeOptions {
    /// How periods are weighted (default: equal).
    pub weighting: Weighting,
    /// The working-day calendar (default: Saturday and Sunday off, no holidays).
    pub calendar: WorkingCalendar,
}

impl TimeOptions {
    /// Sets the weighting.
    #[must_use]
    pub fn weighting(mut self, weighting: Weighting) -> Self {
        self.weighting = weighting;
        self
    }

    /// Sets the working-day calendar.
    #[must_use]
    pub fn calendar(mut self, calendar: WorkingCalendar) -> Self {
        self.calendar = calendar;
        self
    }
}

/// One period of a plan and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Slot {
    /// The label (`2026-Q1`, `2026-03`, `2026-03/2`, `2026-W10`).
    pub label: String,
    /// The dates.
    pub period: Period,
    /// The amount, in whole minor units.
    pub amount: Money,
    /// The index of the parent slot in the level above, or `None` at the first level.
    pub parent: Option<usize>,
}

/// A nested decomposition: `levels[0]` splits the whole period, `levels[k]` splits the slots
/// of `levels[k - 1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct NestedPlan {
    /// The whole period.
    pub period: Period,
    /// The target.
    pub total: Money,
    /// The slots of each level, in date order.
    pub levels: Vec<Vec<Slot>>,
}

/// Splits `total` over `period` level by level; each slot sums exactly to its parent.
///
/// With no levels the plan has no slots. See the [module docs](self) for the guarantees.
///
/// # Errors
/// [`Error::Empty`] for an empty period; [`Error::TooManyParts`], [`Error::LevelGap`],
/// [`Error::LengthMismatch`] and [`Error::ProfileWithoutDays`] for bad levels or profiles;
/// [`Error::Types`] if the total is not held exactly in whole minor units (finer than the
/// minor unit, or too large to hold at it, like `10^27` USD: never rescaled), or if a parent
/// has only zero weights (for example a week without working days under
/// [`Weighting::WorkingDays`]).
pub fn nested(
    total: Money,
    period: Period,
    levels: &[Level],
    options: &TimeOptions,
) -> Result<NestedPlan> {
    let units = total.to_minor_units()?;
    let currency = total.currency();
    let prefix = match options.weighting {
        Weighting::Equal => None,
        _ => Some(prefix_sums(&day_weights(period, options)?)?),
    };
    let root = NamedPeriod {
        label: root_label(period),
        period,
    };
    let mut parents: Vec<(NamedPeriod, i128)> = vec![(root, units)];
    let mut out = Vec::with_capacity(levels.len());
    for (index, level) in levels.iter().enumerate() {
        let mut slots = Vec::new();
        let mut next = Vec::new();
        for (parent_index, (parent, parent_units)) in parents.iter().enumerate() {
            let kids = children(parent, level, index, index == 0)?;
            let weights: Vec<Decimal> = match &prefix {
                // Equal: whole periods weigh the same; clipped ones weigh by days.
                None if kids.iter().any(|k| is_clipped(level, k)) => kids
                    .iter()
                    .map(|k| Decimal::from(k.period.days()))
                    .collect(),
                None => vec![Decimal::ONE; kids.len()],
                Some(prefix) => {
                    let mut w: Vec<u128> = kids
                        .iter()
                        .map(|k| range_weight(prefix, period, &k.period))
                        .collect();
                    int::reduce(&mut w);
                    w.into_iter().map(int::to_decimal).collect::<Result<_>>()?
                }
            };
            let parts = if *parent_units == 0 {
                vec![0; kids.len()]
            } else {
                allocate_units(*parent_units, &weights)?
            };
            for (kid, part) in kids.into_iter().zip(parts) {
                slots.push(Slot {
                    label: kid.label.clone(),
                    period: kid.period,
                    amount: Money::from_minor_units(part, currency)?,
                    parent: (index > 0).then_some(parent_index),
                });
                next.push((kid, part));
            }
        }
        out.push(slots);
        parents = next;
    }
    Ok(NestedPlan {
        period,
        total,
        levels: out,
    })
}

impl NestedPlan {
    /// The slots of the finest level (empty if the plan has no level).
    #[must_use]
    pub fn leaves(&self) -> &[Slot] {
        self.levels.last().map_or(&[], Vec::as_slice)
    }

    /// Spreads each leaf slot over its days with the plan's weighting (calendar days for
    /// [`Weighting::Equal`]), giving a day-grain plan whose roll-up to the leaves is this plan.
    /// A plan with no level is spread as one slot.
    ///
    /// # Errors
    /// As [`daily`], for any leaf.
    pub fn to_daily(&self, options: &TimeOptions) -> Result<DailyPlan> {
        let weights = day_weights(self.period, options)?;
        let currency = self.total.currency();
        let whole = [Slot {
            label: root_label(self.period),
            period: self.period,
            amount: self.total,
            parent: None,
        }];
        let leaves = if self.levels.is_empty() {
            &whole[..]
        } else {
            self.leaves()
        };
        let mut units = vec![0i128; weights.len()];
        for leaf in leaves {
            if !self.period.contains_period(&leaf.period) {
                return Err(Error::OutsidePlan {
                    what: "slot start",
                    date: leaf.period.start(),
                    start: self.period.start(),
                    end: self.period.end(),
                });
            }
            let offset = day_offset(self.period, leaf.period.start());
            let len = usize::try_from(leaf.period.days()).unwrap_or(0);
            let total = leaf.amount.to_minor_units()?;
            if total == 0 || len == 0 {
                continue;
            }
            let w = &weights[offset..offset + len];
            if w.iter().all(|x| *x == 0) {
                return Err(Error::ProfileWithoutDays {
                    label: leaf.label.clone(),
                });
            }
            for (slot, part) in units[offset..offset + len]
                .iter_mut()
                .zip(int::cumulative(total, w)?)
            {
                *slot = part;
            }
        }
        Ok(DailyPlan {
            period: self.period,
            currency,
            units,
        })
    }
}

/// A plan at day grain: one amount per day. Every coarser view is a roll-up of these days.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "DailyPlanRepr"))]
pub struct DailyPlan {
    period: Period,
    currency: Currency,
    units: Vec<i128>,
}

/// The unchecked wire form of a [`DailyPlan`]; deserializing re-checks one amount per day.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct DailyPlanRepr {
    period: Period,
    currency: Currency,
    units: Vec<i128>,
}

#[cfg(feature = "serde")]
impl TryFrom<DailyPlanRepr> for DailyPlan {
    type Error = Error;
    fn try_from(r: DailyPlanRepr) -> Result<DailyPlan> {
        let days = usize::try_from(r.period.days()).unwrap_or(usize::MAX);
        if days != r.units.len() {
            return Err(Error::LengthMismatch {
                what: "daily plan amounts",
                expected: days,
                got: r.units.len(),
            });
        }
        Ok(DailyPlan {
            period: r.period,
            currency: r.currency,
            units: r.units,
        })
    }
}

/// Allocates `total` to the days of `period` once (finest-grain mode); see the
/// [module docs](self).
///
/// # Errors
/// [`Error::Empty`] for an empty period; [`Error::LengthMismatch`],
/// [`Error::ProfileWithoutDays`] or [`Error::LevelGap`] for a bad profile; [`Error::Overflow`]
/// if profile weights need more than 96 bits at one scale; [`Error::Types`] if the total is not
/// held exactly in whole minor units (see [`nested`]) or every day weighs zero (no working day).
pub fn daily(total: Money, period: Period, options: &TimeOptions) -> Result<DailyPlan> {
    let units = total.to_minor_units()?;
    let w = day_weights(period, options)?;
    let parts = if units == 0 {
        vec![0; w.len()]
    } else {
        int::cumulative(units, &w)?
    };
    Ok(DailyPlan {
        period,
        currency: total.currency(),
        units: parts,
    })
}

impl DailyPlan {
    /// A day-grain plan from amounts you already have, one per day from `start`.
    ///
    /// # Errors
    /// [`Error::Empty`] for no amounts; [`Error::Types`] for a currency mismatch, an amount
    /// that is not whole minor units, or a period past the end of the calendar.
    pub fn from_amounts(start: NaiveDate, amounts: &[Money]) -> Result<DailyPlan> {
        let first = amounts.first().ok_or(Error::Empty {
            what: "daily amounts",
        })?;
        let currency = first.currency();
        let units = amounts
            .iter()
            .map(|m| {
                if m.currency() != currency {
                    return Err(attain_types::Error::CurrencyMismatch {
                        left: currency.code().to_owned(),
                        right: m.currency().code().to_owned(),
                    }
                    .into());
                }
                Ok(m.to_minor_units()?)
            })
            .collect::<Result<Vec<_>>>()?;
        let days = u64::try_from(units.len()).unwrap_or(u64::MAX);
        let end = start
            .checked_add_days(Days::new(days))
            .ok_or(Error::Overflow {
                operation: "plan end date",
            })?;
        Ok(DailyPlan {
            period: Period::new(start, end)?,
            currency,
            units,
        })
    }

    /// The plan's period.
    #[must_use]
    pub fn period(&self) -> Period {
        self.period
    }

    /// The currency.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The number of days.
    #[must_use]
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the plan has no day.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The amount of each day as whole minor units, in date order.
    #[must_use]
    pub fn minor_units(&self) -> &[i128] {
        &self.units
    }

    /// Each day and its amount, in date order.
    ///
    /// # Errors
    /// None in practice (the amounts came from valid `Money`); [`Error::Types`] on overflow.
    pub fn days(&self) -> Result<Vec<(NaiveDate, Money)>> {
        self.period()
            .iter_days()
            .zip(&self.units)
            .map(|(d, &u)| Ok((d, Money::from_minor_units(u, self.currency)?)))
            .collect()
    }

    /// The whole plan.
    ///
    /// # Errors
    /// [`Error::Types`] on overflow (not reachable for a plan made by [`daily`]).
    pub fn total(&self) -> Result<Money> {
        self.sum_units(0, self.units.len())
    }

    /// The amount of one day, or `None` outside the plan.
    #[must_use]
    pub fn amount_on(&self, day: NaiveDate) -> Option<Money> {
        if !self.period.contains(day) {
            return None;
        }
        let offset = day_offset(self.period, day);
        let u = *self.units.get(offset)?;
        Money::from_minor_units(u, self.currency).ok()
    }

    /// The sum over the days of `period` that lie in the plan (zero if none do).
    ///
    /// # Errors
    /// [`Error::Types`] on overflow (not reachable for a plan made by [`daily`]).
    pub fn sum_over(&self, period: &Period) -> Result<Money> {
        match self.period().intersect(period) {
            None => Ok(Money::zero(self.currency)),
            Some(p) => {
                let a = day_offset(self.period(), p.start());
                self.sum_units(a, a + usize::try_from(p.days()).unwrap_or(0))
            }
        }
    }

    pub(crate) fn sum_units(&self, from: usize, to: usize) -> Result<Money> {
        let to = to.min(self.units.len());
        let s = self.units[from.min(to)..to]
            .iter()
            .try_fold(0i128, |a, &u| a.checked_add(u))
            .ok_or(Error::Overflow {
                operation: "plan sum",
            })?;
        Ok(Money::from_minor_units(s, self.currency)?)
    }

    /// Rolls the days up to the periods of `level` over the plan's period (for example
    /// `Level::Calendar(Granularity::IsoWeek)`, clipped at the plan's ends, or a retail
    /// calendar's months). The slots sum exactly to the plan.
    ///
    /// # Errors
    /// [`Error::LevelGap`] or [`Error::TooManyParts`] for a level that cannot split the period.
    pub fn roll_up(&self, level: &Level) -> Result<Vec<Slot>> {
        let period = self.period();
        let root = NamedPeriod {
            label: root_label(period),
            period,
        };
        children(&root, level, 0, true)?
            .into_iter()
            .map(|k| {
                Ok(Slot {
                    amount: self.sum_over(&k.period)?,
                    label: k.label,
                    period: k.period,
                    parent: None,
                })
            })
            .collect()
    }

    /// The plan restricted to the days of `period` (for example one quarter of a year plan).
    ///
    /// # Errors
    /// [`Error::OutsidePlan`] if `period` is not inside the plan.
    pub fn restrict(&self, period: &Period) -> Result<DailyPlan> {
        let own = self.period();
        if !own.contains_period(period) {
            return Err(Error::OutsidePlan {
                what: "period start",
                date: period.start(),
                start: own.start(),
                end: own.end(),
            });
        }
        let a = day_offset(own, period.start());
        let b = a + usize::try_from(period.days()).unwrap_or(0);
        Ok(DailyPlan {
            period: *period,
            currency: self.currency,
            units: self.units[a..b].to_vec(),
        })
    }
}

/// The label of a whole plan period: `2026` for a calendar year, else `start..end`.
pub(crate) fn root_label(period: Period) -> String {
    match Period::year(period.start().year()) {
        Ok(y) if y == period => period.label(Granularity::Year),
        _ => period.to_string(),
    }
}

/// Days from `origin.start()` to `day` (callers pass days inside `origin`).
pub(crate) fn day_offset(origin: Period, day: NaiveDate) -> usize {
    usize::try_from((day - origin.start()).num_days()).unwrap_or(0)
}

/// The children of `parent` under `level`, covering it exactly.
pub(crate) fn children(
    parent: &NamedPeriod,
    level: &Level,
    level_index: usize,
    is_root: bool,
) -> Result<Vec<NamedPeriod>> {
    let p = parent.period;
    match level {
        Level::Calendar(g) => Ok(p
            .split(*g)
            .into_iter()
            .map(|period| NamedPeriod {
                label: period.label(*g),
                period,
            })
            .collect()),
        Level::Parts(n) => {
            let days = p.days();
            if *n == 0 || days < i64::from(*n) {
                return Err(Error::TooManyParts {
                    parent: parent.label.clone(),
                    days,
                    parts: *n,
                });
            }
            let sizes = allocate_units(i128::from(days), &vec![Decimal::ONE; *n as usize])?;
            let mut start = p.start();
            let mut out = Vec::with_capacity(sizes.len());
            for (k, size) in sizes.into_iter().enumerate() {
                let end = start
                    .checked_add_days(Days::new(u64::try_from(size).unwrap_or(0)))
                    .ok_or(Error::Overflow {
                        operation: "part end date",
                    })?;
                let label = if is_root {
                    format!("{}", k + 1)
                } else {
                    format!("{}/{}", parent.label, k + 1)
                };
                out.push(NamedPeriod {
                    label,
                    period: Period::new(start, end)?,
                });
                start = end;
            }
            Ok(out)
        }
        Level::Periods(periods) => {
            let gap = || Error::LevelGap {
                level: level_index,
                parent: parent.label.clone(),
            };
            let mut out: Vec<NamedPeriod> = periods
                .iter()
                .filter_map(|np| {
                    np.period.intersect(&p).map(|period| NamedPeriod {
                        label: np.label.clone(),
                        period,
                    })
                })
                .collect();
            out.sort_by_key(|np| np.period.start());
            let mut cursor = p.start();
            for np in &out {
                if np.period.start() != cursor {
                    return Err(gap());
                }
                cursor = np.period.end();
            }
            if cursor != p.end() {
                return Err(gap());
            }
            Ok(out)
        }
    }
}

/// Whether `child` (made by `level`) is shorter than the period of its kind: an ISO week or
/// month cut by its parent or by the plan's ends, or an explicit period cut the same way.
/// [`Level::Parts`] pieces are never clipped: they are the method's equal parts.
pub(crate) fn is_clipped(level: &Level, child: &NamedPeriod) -> bool {
    match level {
        Level::Calendar(g) => Period::containing(child.period.start(), *g) != Ok(child.period),
        Level::Parts(_) => false,
        Level::Periods(periods) => periods
            .iter()
            .find(|np| np.label == child.label)
            .is_none_or(|np| np.period != child.period),
    }
}

/// Integer weight of each day of `period` under the weighting (`Equal` weighs every day 1).
pub(crate) fn day_weights(period: Period, options: &TimeOptions) -> Result<Vec<u128>> {
    if period.is_empty() {
        return Err(Error::Empty { what: "period" });
    }
    let cal = &options.calendar;
    let working = |d: NaiveDate| u128::from(cal.is_working_day(d));
    match &options.weighting {
        Weighting::Equal | Weighting::CalendarDays => {
            Ok(vec![1; usize::try_from(period.days()).unwrap_or(0)])
        }
        Weighting::WorkingDays => Ok(period.iter_days().map(working).collect()),
        Weighting::Profile(profile) => {
            let root = NamedPeriod {
                label: root_label(period),
                period,
            };
            let kids = children(&root, &profile.by, 0, true)?;
            if kids.len() != profile.weights.len() {
                return Err(Error::LengthMismatch {
                    what: "seasonality profile",
                    expected: kids.len(),
                    got: profile.weights.len(),
                });
            }
            let w = int::integer_weights("seasonality weight", &profile.weights)?;
            let base = |d: NaiveDate| match profile.within {
                DayBasis::CalendarDays => 1,
                DayBasis::WorkingDays => working(d),
            };
            let mut sums = Vec::with_capacity(kids.len());
            let mut l: u128 = 1;
            for (kid, &wk) in kids.iter().zip(&w) {
                let s: u128 = kid.period.iter_days().map(base).sum();
                if wk > 0 {
                    if s == 0 {
                        return Err(Error::ProfileWithoutDays {
                            label: kid.label.clone(),
                        });
                    }
                    l = int::lcm(l, s)?;
                }
                sums.push(s);
            }
            let mut out = Vec::with_capacity(usize::try_from(period.days()).unwrap_or(0));
            for ((kid, &wk), &s) in kids.iter().zip(&w).zip(&sums) {
                let per_day = if wk == 0 {
                    0
                } else {
                    wk.checked_mul(l / s).ok_or(Error::Overflow {
                        operation: "profile day weight",
                    })?
                };
                out.extend(kid.period.iter_days().map(|d| per_day * base(d)));
            }
            Ok(out)
        }
    }
}

fn prefix_sums(w: &[u128]) -> Result<Vec<u128>> {
    let mut out = Vec::with_capacity(w.len() + 1);
    let mut acc: u128 = 0;
    out.push(0);
    for &x in w {
        acc = acc.checked_add(x).ok_or(Error::Overflow {
            operation: "day weight sum",
        })?;
        out.push(acc);
    }
    Ok(out)
}

fn range_weight(prefix: &[u128], origin: Period, p: &Period) -> u128 {
    let a = day_offset(origin, p.start());
    let b = a + usize::try_from(p.days()).unwrap_or(0);
    prefix[b.min(prefix.len() - 1)] - prefix[a.min(prefix.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    fn cny(x: Decimal) -> Money {
        Money::new(x, Currency::CNY)
    }

    #[test]
    fn parts_split_days_evenly() {
        let root = NamedPeriod {
            label: "2026-01".into(),
            period: Period::month(2026, 1).unwrap(),
        };
        let kids = children(&root, &Level::Parts(4), 0, false).unwrap();
        let days: Vec<i64> = kids.iter().map(|k| k.period.days()).collect();
        assert_eq!(days, [8, 8, 8, 7]);
        assert_eq!(kids[1].label, "2026-01/2");
        assert!(children(&root, &Level::Parts(40), 0, false).is_err());
    }

    #[test]
    fn profile_day_weights_are_exact() {
        let p = Period::year(2026).unwrap();
        let mut idx = vec![dec!(1); 12];
        idx[11] = dec!(2);
        let opts = TimeOptions::default().weighting(Weighting::Profile(Profile::monthly(idx)));
        let plan = daily(cny(dec!(13000000)), p, &opts).unwrap();
        let months = plan.roll_up(&Level::Calendar(Granularity::Month)).unwrap();
        assert_eq!(months[0].amount.amount(), dec!(1000000));
        assert_eq!(months[11].amount.amount(), dec!(2000000));
    }

    #[test]
    fn nested_working_days_zero_week() {
        // A week with no working day under working-day weights gets zero.
        let p = Period::new(
            NaiveDate::from_ymd_opt(2026, 1, 3).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 12).unwrap(),
        )
        .unwrap();
        let opts = TimeOptions::default().weighting(Weighting::WorkingDays);
        let plan = nested(
            cny(dec!(100)),
            p,
            &[Level::Calendar(Granularity::IsoWeek)],
            &opts,
        )
        .unwrap();
        assert_eq!(plan.levels[0][0].amount.amount(), dec!(0)); // Sat 3 - Sun 4
        assert_eq!(plan.levels[0][1].amount.amount(), dec!(100));
    }
}
