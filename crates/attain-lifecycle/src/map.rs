//! The lifecycle map (METHOD.md 2.1): current and target values per stage, the gap, the
//! efficiency gain of closing it, and the stage to work on.

use core::cmp::Ordering;

use attain_types::{Decimal, Growth, Rate};

use crate::error::{Error, Result};
use crate::stage::LifecycleStage;

/// The value of a stage goal: a count (reach), a rate (conversion, close, repurchase,
/// referral share) or a growth (exposure up 30%).
///
/// Every value in the map is read as *higher is better*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum StageValue {
    /// A whole count, such as customers reached a month.
    Count(u64),
    /// A rate in `0..=1`, such as a conversion rate.
    Rate(Rate),
    /// A signed change, such as growth in exposure.
    Growth(Growth),
}

impl StageValue {
    /// The kind as text: `"count"`, `"rate"` or `"growth"`.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            StageValue::Count(_) => "count",
            StageValue::Rate(_) => "rate",
            StageValue::Growth(_) => "growth",
        }
    }

    /// The value as a decimal (a rate or growth as a fraction: 25% is `0.25`).
    #[must_use]
    pub fn to_decimal(&self) -> Decimal {
        match self {
            StageValue::Count(n) => Decimal::from(*n),
            StageValue::Rate(r) => r.to_decimal(),
            StageValue::Growth(g) => g.to_decimal(),
        }
    }

    /// The level that gains are measured against: the value itself for counts and rates, and
    /// the multiplier `1 + g` for a growth (so +10% -> +30% is `1.3 / 1.1 - 1`).
    /// `None` when `1 + g` overflows (a growth near `Decimal::MAX`).
    fn level(&self) -> Option<Decimal> {
        match self {
            StageValue::Growth(g) => Decimal::ONE.checked_add(g.to_decimal()),
            other => Some(other.to_decimal()),
        }
    }
}

/// The levels and gap of a goal, or an overflow error for growth values near `Decimal::MAX`.
fn levels_and_gap(goal: &StageGoal) -> Result<(Decimal, Decimal, Decimal)> {
    let overflow = attain_types::Error::Overflow {
        operation: "lifecycle map gap",
    };
    let c = goal.current.level().ok_or(overflow.clone())?;
    let t = goal.target.level().ok_or(overflow.clone())?;
    let gap = goal
        .target
        .to_decimal()
        .checked_sub(goal.current.to_decimal())
        .ok_or(overflow)?;
    Ok((c, t, gap))
}

/// One goal of the map: a named metric of a stage with its current and target values.
///
/// A plain input; [`LifecycleMap::with_goal`] checks that both values are the same kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageGoal {
    /// The lifecycle stage.
    pub stage: LifecycleStage,
    /// The metric's name, such as `"trial-class conversion"`.
    pub name: String,
    /// Where the metric stands now.
    pub current: StageValue,
    /// Where it should be.
    pub target: StageValue,
}

impl StageGoal {
    /// A goal from its parts.
    #[must_use]
    pub fn new(
        stage: LifecycleStage,
        name: impl Into<String>,
        current: StageValue,
        target: StageValue,
    ) -> Self {
        StageGoal {
            stage,
            name: name.into(),
            current,
            target,
        }
    }
}

/// Current and target values per lifecycle stage (METHOD.md 2.1).
///
/// Build it goal by goal, then call [`LifecycleMap::report`].
///
/// ```
/// use attain_lifecycle::{LifecycleMap, LifecycleStage, StageGoal, StageValue};
/// use attain_types::{Rate, dec};
/// let pct = |p| Rate::from_percent(p);
/// let map = LifecycleMap::new()
///     .with_goal(StageGoal::new(LifecycleStage::Awareness, "reach a month",
///         StageValue::Count(1000), StageValue::Count(1300)))?
///     .with_goal(StageGoal::new(LifecycleStage::Interest, "trial-class conversion",
///         StageValue::Rate(pct(dec!(25))?), StageValue::Rate(pct(dec!(42))?)))?;
/// let report = map.report();
/// // The education case: 25% -> 42% is a 68% gain, the largest here, so work on interest.
/// let focus = report.focus().ok_or("no focus")?;
/// assert_eq!(focus.stage, LifecycleStage::Interest);
/// assert_eq!(focus.gain.map(|g| g.to_decimal()), Some(dec!(0.68)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "MapRepr"))]
pub struct LifecycleMap {
    goals: Vec<StageGoal>,
}

/// The serialized form of a [`LifecycleMap`]; deserializing re-checks every goal.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct MapRepr {
    goals: Vec<StageGoal>,
}

#[cfg(feature = "serde")]
impl TryFrom<MapRepr> for LifecycleMap {
    type Error = Error;
    fn try_from(repr: MapRepr) -> Result<Self> {
        let mut map = LifecycleMap::new();
        for g in repr.goals {
            map.push(g)?;
        }
        Ok(map)
    }
}

impl LifecycleMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        LifecycleMap::default()
    }

    /// Adds a goal and returns the map (a by-value builder).
    ///
    /// # Errors
    /// [`Error::ValueKindMismatch`] if current and target are different kinds,
    /// [`Error::DuplicateGoal`] if the stage already has a goal of that name,
    /// [`Error::Types`] (overflow) for growth values near `Decimal::MAX`.
    pub fn with_goal(mut self, goal: StageGoal) -> Result<Self> {
        self.push(goal)?;
        Ok(self)
    }

    /// Adds a goal.
    ///
    /// # Errors
    /// [`Error::ValueKindMismatch`] if current and target are different kinds,
    /// [`Error::DuplicateGoal`] if the stage already has a goal of that name,
    /// [`Error::Types`] (overflow) for growth values near `Decimal::MAX`.
    pub fn push(&mut self, goal: StageGoal) -> Result<()> {
        if goal.current.kind() != goal.target.kind() {
            return Err(Error::ValueKindMismatch {
                name: goal.name,
                current: goal.current.kind(),
                target: goal.target.kind(),
            });
        }
        if self
            .goals
            .iter()
            .any(|g| g.stage == goal.stage && g.name == goal.name)
        {
            return Err(Error::DuplicateGoal {
                stage: goal.stage,
                name: goal.name,
            });
        }
        levels_and_gap(&goal)?;
        self.goals.push(goal);
        Ok(())
    }

    /// The goals, in the order they were added.
    #[must_use]
    pub fn goals(&self) -> &[StageGoal] {
        &self.goals
    }

    /// The gap and gain of every goal, and the goal to work on.
    ///
    /// # The stage to work on
    /// Among goals not yet met (`target > current`), the one whose target needs the largest
    /// relative improvement, `target / current` (the largest efficiency gain; a goal whose
    /// current level is zero needs an unbounded one and ranks first). Relative, not absolute,
    /// so counts and rates compare fairly. Ties go to the earlier stage, because an upstream
    /// gain carries through every later stage; remaining ties to the goal added first. When
    /// every goal is met there is no focus.
    #[must_use]
    pub fn report(&self) -> MapReport {
        let goals: Vec<GoalReport> = self.goals.iter().map(GoalReport::of).collect();
        let mut focus: Option<usize> = None;
        for (i, g) in goals.iter().enumerate() {
            if g.met {
                continue;
            }
            focus = match focus {
                None => Some(i),
                Some(j) if needs_more(g, &goals[j]) => Some(i),
                keep => keep,
            };
        }
        MapReport { goals, focus }
    }
}

/// Whether unmet goal `a` needs a larger relative improvement than `b`, or the same one at
/// an earlier stage.
fn needs_more(a: &GoalReport, b: &GoalReport) -> bool {
    // `None` gain (current level zero) is an unbounded need.
    let by_gain = match (a.gain, b.gain) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(&y),
    };
    match by_gain {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => a.stage < b.stage,
    }
}

/// The gap and gain of one goal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GoalReport {
    /// The stage.
    pub stage: LifecycleStage,
    /// The goal's name.
    pub name: String,
    /// The current value.
    pub current: StageValue,
    /// The target value.
    pub target: StageValue,
    /// `target - current` in the value's own unit: customers for a count, a fraction
    /// (percentage points / 100) for a rate or growth. Negative when the target is exceeded.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub gap: Decimal,
    /// The efficiency gain of moving from current to target, `target / current - 1` (for a
    /// growth, of the multipliers `(1 + target) / (1 + current) - 1`); `None` when the current
    /// level is zero, since any gain from nothing is unbounded.
    pub gain: Option<Growth>,
    /// Whether the target is already reached (`current >= target`).
    pub met: bool,
}

impl GoalReport {
    fn of(goal: &StageGoal) -> GoalReport {
        // `push` (and deserializing, which goes through it) admits only goals whose levels
        // and gap are computable; the fallback is never used.
        let (c, t, gap) = levels_and_gap(goal).unwrap_or_default();
        GoalReport {
            stage: goal.stage,
            name: goal.name.clone(),
            current: goal.current,
            target: goal.target,
            gap,
            gain: Growth::between(c, t).ok(),
            met: c >= t,
        }
    }
}

/// The report of a [`LifecycleMap`]: one [`GoalReport`] per goal and the goal to work on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MapReport {
    /// One report per goal, in the map's order.
    pub goals: Vec<GoalReport>,
    /// The index in `goals` of the goal to work on (see [`LifecycleMap::report`]).
    pub focus: Option<usize>,
}

impl MapReport {
    /// The goal to work on, if any goal is unmet.
    #[must_use]
    pub fn focus(&self) -> Option<&GoalReport> {
        self.focus.and_then(|i| self.goals.get(i))
    }

    /// The reports of one stage's goals.
    pub fn stage(&self, stage: LifecycleStage) -> impl Iterator<Item = &GoalReport> {
        self.goals.iter().filter(move |g| g.stage == stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    fn rate(p: Decimal) -> StageValue {
        StageValue::Rate(Rate::from_percent(p).unwrap())
    }

    #[test]
    fn kind_mismatch_and_duplicates_are_rejected() {
        let bad = StageGoal::new(
            LifecycleStage::Interest,
            "x",
            StageValue::Count(1),
            rate(dec!(10)),
        );
        assert_eq!(
            LifecycleMap::new().with_goal(bad).unwrap_err().to_string(),
            "goal \"x\": current is a count but target is a rate"
        );
        let g = StageGoal::new(LifecycleStage::Interest, "x", rate(dec!(1)), rate(dec!(2)));
        let map = LifecycleMap::new().with_goal(g.clone()).unwrap();
        assert!(matches!(map.with_goal(g), Err(Error::DuplicateGoal { .. })));
    }

    #[test]
    fn zero_current_ranks_first_and_met_goals_never() {
        let map = LifecycleMap::new()
            .with_goal(StageGoal::new(
                LifecycleStage::Loyalty,
                "referrals",
                rate(dec!(0)),
                rate(dec!(20)),
            ))
            .unwrap()
            .with_goal(StageGoal::new(
                LifecycleStage::Interest,
                "conv",
                rate(dec!(10)),
                rate(dec!(90)),
            ))
            .unwrap()
            .with_goal(StageGoal::new(
                LifecycleStage::Decision,
                "met",
                rate(dec!(50)),
                rate(dec!(40)),
            ))
            .unwrap();
        let r = map.report();
        assert_eq!(r.focus, Some(0));
        assert_eq!(r.goals[0].gain, None);
        assert!(r.goals[2].met);
        assert_eq!(r.goals[2].gap, dec!(-0.1));
    }

    #[test]
    fn ties_go_to_the_earlier_stage() {
        let map = LifecycleMap::new()
            .with_goal(StageGoal::new(
                LifecycleStage::Decision,
                "close",
                rate(dec!(20)),
                rate(dec!(40)),
            ))
            .unwrap()
            .with_goal(StageGoal::new(
                LifecycleStage::Awareness,
                "reach",
                StageValue::Count(500),
                StageValue::Count(1000),
            ))
            .unwrap();
        assert_eq!(
            map.report().focus().map(|g| g.stage),
            Some(LifecycleStage::Awareness)
        );
    }

    #[test]
    fn huge_growth_is_an_overflow_error_not_a_panic() {
        let g = |d| StageValue::Growth(Growth::new(d));
        let huge = StageGoal::new(
            LifecycleStage::Awareness,
            "x",
            g(Decimal::MIN),
            g(Decimal::MAX),
        );
        assert!(matches!(
            LifecycleMap::new().with_goal(huge),
            Err(Error::Types(_))
        ));
        let max = StageGoal::new(LifecycleStage::Awareness, "y", g(dec!(0)), g(Decimal::MAX));
        assert!(matches!(
            LifecycleMap::new().with_goal(max),
            Err(Error::Types(_))
        ));
    }

    #[test]
    fn growth_gain_compares_multipliers() {
        let g = |d| StageValue::Growth(Growth::new(d));
        let map = LifecycleMap::new()
            .with_goal(StageGoal::new(
                LifecycleStage::Awareness,
                "exposure",
                g(dec!(0)),
                g(dec!(0.3)),
            ))
            .unwrap();
        let r = map.report();
        assert_eq!(r.goals[0].gain, Some(Growth::new(dec!(0.3))));
        assert_eq!(r.goals[0].gap, dec!(0.3));
    }
}
