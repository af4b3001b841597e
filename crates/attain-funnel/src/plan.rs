//! Funnel planning on exact decimals: reverse (target to entries), forward (entries to
//! expected revenue) and the daily action list.
//!
//! # Rounding
//!
//! Counts are whole and always rounded **up**, exactly ([`attain_types::count`]): no `f64`
//! touches this path, so 21 deals at 35% need 60 prospects (in `f64`, `21.0 / 0.35` is
//! `60.000000000000007` and rounds up to 61).
//!
//! * **Deals** from a money target follow a [`DealRule`]: [`DealRule::Strict`] (the default)
//!   needs `deals * deal_size >= target` exactly, so 250,000 at 83,333.33 is **4** deals (3 fall
//!   0.01 short); [`DealRule::MinorUnitTolerance`] accepts a shortfall of less than one minor
//!   unit per deal, `target - deals * deal_size < deals * minor_unit`, which gives **3**.
//! * **Every stage** ([`Plan::stages`]): going up the funnel, each stage's entries are
//!   `ceil(needed outputs / rate)`, and those entries are what the stage above must produce.
//! * **Once at the top** ([`Plan::once_at_top`]): `ceil(deals / product of rates)`. It can need
//!   fewer top entries, because it does not round the intermediate stages; [`Plan::every_stage`]
//!   and [`Plan::once_at_top`] both report their expected deals and the overshoot.

use attain_types::{
    Decimal, Money, NaiveDate, Period, Rate, WorkingCalendar, allocate_units, count,
};

use crate::error::{Error, Result};

/// One stage of a funnel: its name and the rate at which its entries convert into the next
/// stage's entries (for the last stage: into deals).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stage {
    /// The stage's name (`"lead"`).
    pub name: String,
    /// The conversion rate from this stage to the next one.
    pub rate: Rate,
}

impl Stage {
    /// A stage from a name and its conversion rate.
    #[must_use]
    pub fn new(name: impl Into<String>, rate: Rate) -> Stage {
        Stage {
            name: name.into(),
            rate,
        }
    }
}

/// A funnel: ordered stages (top first) and the average deal size at the bottom.
///
/// ```
/// use attain_funnel::{Funnel, PlanOptions, Stage};
/// use attain_types::{Currency, Money, Rate, dec};
///
/// // METHOD.md 1.2: 150 leads at 10% -> 15 prospects at 20% -> 3 deals of 83,333.33.
/// let funnel = Funnel {
///     stages: vec![Stage::new("lead", Rate::new(dec!(0.1))?), Stage::new("prospect", Rate::new(dec!(0.2))?)],
///     deal_size: Money::new(dec!(83333.33), Currency::CNY),
/// };
/// let plan = funnel.plan_revenue(Money::new(dec!(250000), Currency::CNY), PlanOptions::default())?;
/// assert_eq!(plan.deals, 4); // strict: 3 x 83,333.33 is 0.01 short
/// let plan = funnel.plan_deals(3)?;
/// assert_eq!((plan.stages[0].entries, plan.stages[1].entries), (150, 15));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Funnel {
    /// The stages, from the top of the funnel (leads) down.
    pub stages: Vec<Stage>,
    /// The average value of one deal.
    pub deal_size: Money,
}

/// How many deals a money target needs when the deal size does not divide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DealRule {
    /// `deals * deal_size >= target`, exactly: 250,000 at 83,333.33 needs 4 deals.
    #[default]
    Strict,
    /// Accept a shortfall of less than one minor unit per deal:
    /// `target - deals * deal_size < deals * minor_unit`. 250,000 at 83,333.33 needs 3 deals
    /// (a 0.01 shortfall, below 3 x 0.01). The smallest such count is
    /// `floor(target / (deal_size + minor_unit)) + 1`, never more than the strict count.
    MinorUnitTolerance,
}

/// Options of [`Funnel::plan_revenue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PlanOptions {
    /// How deals are counted from a money target (default [`DealRule::Strict`]).
    pub deal_rule: DealRule,
    /// How [`Funnel::daily_actions`] spreads each count over the working days (default
    /// [`DailySpread::Exact`]).
    pub daily_spread: DailySpread,
}

impl PlanOptions {
    /// Sets the deal-count rule.
    #[must_use]
    pub fn deal_rule(mut self, rule: DealRule) -> Self {
        self.deal_rule = rule;
        self
    }

    /// Sets how daily action lists are spread over the working days.
    #[must_use]
    pub fn daily_spread(mut self, spread: DailySpread) -> Self {
        self.daily_spread = spread;
        self
    }
}

/// How [`Funnel::daily_actions`] turns a period's count into one count per working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DailySpread {
    /// Largest remainder over the working days: each day gets `floor(count / days)` or one
    /// more, the extra units going to the earliest days (equal remainders, earlier first),
    /// and the days sum **exactly** to the period's count. 15 prospects over 5 days is
    /// 3 a day; 16 is 4, 3, 3, 3, 3.
    #[default]
    Exact,
    /// Every working day gets `ceil(count / days)`: doing it every day meets the period, but
    /// the days can ask for more than it needs (16 over 5 days: 4 a day, 20 in all).
    RoundUpEachDay,
}

/// One stage of a reverse plan (rounded up at every stage).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StagePlan {
    /// The stage's name.
    pub name: String,
    /// Its conversion rate.
    pub rate: Rate,
    /// Entries needed at this stage: `ceil(needed_outputs / rate)`.
    pub entries: u64,
    /// What the next stage needs from this one (deals, for the last stage).
    pub needed_outputs: u64,
    /// `entries * rate`, exact: never below `needed_outputs`.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub expected_outputs: Decimal,
}

/// The result of one rounding method: top-of-funnel entries and what they yield.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RoundingOutcome {
    /// Entries at the top of the funnel.
    pub top_entries: u64,
    /// `top_entries * product of rates`, the expected deals.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub expected_deals: Decimal,
    /// `expected_deals - deals`, never negative.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub deal_overshoot: Decimal,
}

/// A reverse plan: the deals a target needs and the entries at every stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Plan {
    /// The money target, if the plan started from one (not from a deal count).
    pub target: Option<Money>,
    /// The average deal size.
    pub deal_size: Money,
    /// The deal-count rule used ([`DealRule::Strict`] when planned from a deal count, where
    /// no rule applies).
    pub deal_rule: DealRule,
    /// Deals needed.
    pub deals: u64,
    /// `deals * deal_size`.
    pub deal_revenue: Money,
    /// `deal_revenue - target` (negative by less than `deals` minor units only under
    /// [`DealRule::MinorUnitTolerance`]); `None` when planned from a deal count.
    pub revenue_overshoot: Option<Money>,
    /// Every stage, top first, rounded up at every stage.
    pub stages: Vec<StagePlan>,
    /// Rounding up at every stage: `stages[0].entries` at the top.
    pub every_stage: RoundingOutcome,
    /// Rounding once at the top: `ceil(deals / product of rates)`.
    pub once_at_top: RoundingOutcome,
}

impl Plan {
    /// The conversion from `stage` down to deals: the product of the rates of `stage..`.
    /// `None` if `stage` is out of range.
    #[must_use]
    pub fn conversion_from(&self, stage: usize) -> Option<Rate> {
        if stage >= self.stages.len() {
            return None;
        }
        Some(
            self.stages[stage..]
                .iter()
                .fold(Rate::ONE, |acc, s| acc.chain(s.rate)),
        )
    }

    /// The probability that the planned entries at `stage` yield at least [`Plan::deals`]
    /// deals (see [`crate::risk::probability_at_least`]; exact binomial). `None` if `stage` is
    /// out of range. For METHOD.md 1.2, 15 prospects at 20% reach 3 deals with probability
    /// 0.6020.
    #[must_use]
    pub fn hit_probability(&self, stage: usize) -> Option<f64> {
        let rate = self.conversion_from(stage)?;
        Some(crate::risk::probability_at_least(
            self.stages[stage].entries,
            rate,
            self.deals,
        ))
    }

    /// Entries needed at `stage` to reach [`Plan::deals`] with probability at least
    /// `confidence` (see [`crate::risk::entries_for_confidence`]). `None` if `stage` is out
    /// of range.
    ///
    /// # Errors
    /// [`Error::InvalidConfidence`] unless `0 < confidence < 1`,
    /// [`Error::ConfidenceUnreachable`] if the rate is zero or the count is astronomically high.
    pub fn entries_for_confidence(&self, stage: usize, confidence: f64) -> Result<Option<u64>> {
        match self.conversion_from(stage) {
            None => Ok(None),
            Some(rate) => {
                crate::risk::entries_for_confidence(self.deals, rate, confidence).map(Some)
            }
        }
    }
}

/// Expected flow through one stage (forward planning).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StageForecast {
    /// The stage's name.
    pub name: String,
    /// Its conversion rate.
    pub rate: Rate,
    /// Expected entries at this stage.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub expected_entries: Decimal,
    /// Expected outputs: `expected_entries * rate`.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub expected_outputs: Decimal,
}

/// Forward planning: what a number of top entries is expected to produce.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Forecast {
    /// Top-of-funnel entries.
    pub entries: u64,
    /// Every stage, top first.
    pub stages: Vec<StageForecast>,
    /// Expected deals: `entries * product of rates`.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub expected_deals: Decimal,
    /// Expected revenue: `expected_deals * deal_size` (not rounded).
    pub expected_revenue: Money,
}

/// One line of the daily action list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DailyAction {
    /// The stage name, or `"deal"` for the last line.
    pub name: String,
    /// The count needed over the whole period.
    pub per_period: u64,
    /// `per_period / working_days`, exact to 28 digits.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub per_day_exact: Decimal,
    /// `ceil(per_period / working_days)`: the most any working day asks for, under either
    /// [`DailySpread`].
    pub per_day: u64,
    /// The count of each working day, in date order (one per
    /// [`DailyActionPlan::working_dates`]): they sum exactly to `per_period` under
    /// [`DailySpread::Exact`], and are all `per_day` under [`DailySpread::RoundUpEachDay`].
    pub per_working_day: Vec<u64>,
}

/// A target turned into a daily action list over the working days of a period.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DailyActionPlan {
    /// The period.
    pub period: Period,
    /// Its working days under the calendar.
    pub working_days: u64,
    /// The working days themselves, in date order.
    pub working_dates: Vec<NaiveDate>,
    /// How the counts were spread over them.
    pub spread: DailySpread,
    /// The reverse plan for the whole period.
    pub plan: Plan,
    /// One line per stage (top first) and a last line for deals.
    pub actions: Vec<DailyAction>,
}

/// `a * b`, failing instead of rounding when the exact product needs more than 28 digits.
pub(crate) fn exact_mul(a: Decimal, b: Decimal, operation: &'static str) -> Result<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    if a.is_zero() || b.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let product = a
        .checked_mul(b)
        .ok_or(attain_types::Error::Overflow { operation })?;
    if a.scale() + b.scale() > 28 || product.scale() != a.scale() + b.scale() {
        return Err(Error::Precision { operation });
    }
    Ok(product)
}

impl Funnel {
    /// Checks the funnel: at least one stage, no zero rate, a positive deal size held exactly
    /// in whole minor units of its currency (`83333.33` JPY is refused).
    ///
    /// # Errors
    /// [`Error::NoStages`], [`Error::ZeroRate`] naming the stage,
    /// [`Error::NonPositiveDealSize`]; [`Error::Types`] with
    /// [`attain_types::Error::NotWholeMinorUnits`] or
    /// [`attain_types::Error::MinorUnitsOutOfRange`] for a deal size the currency cannot hold.
    pub fn check(&self) -> Result<()> {
        if self.stages.is_empty() {
            return Err(Error::NoStages);
        }
        if let Some(s) = self.stages.iter().find(|s| s.rate.is_zero()) {
            return Err(Error::ZeroRate {
                stage: s.name.clone(),
            });
        }
        if self.deal_size.amount() <= Decimal::ZERO {
            return Err(Error::NonPositiveDealSize {
                amount: self.deal_size.to_string(),
            });
        }
        self.deal_size.to_minor_units()?;
        Ok(())
    }

    /// The overall conversion from the top to deals: the product of the stage rates
    /// (exact up to 28 digits).
    #[must_use]
    pub fn overall_rate(&self) -> Rate {
        self.stages
            .iter()
            .fold(Rate::ONE, |acc, s| acc.chain(s.rate))
    }

    /// Deals needed for a money target under a rule (0 for a target of zero or less).
    ///
    /// # Errors
    /// [`Error::NonPositiveDealSize`]; from `attain-types`: a currency mismatch, a target or
    /// deal size that is not held exactly in whole minor units of its currency
    /// ([`attain_types::Error::NotWholeMinorUnits`]: `250000.005` USD;
    /// [`attain_types::Error::MinorUnitsOutOfRange`]), overflow.
    pub fn deals_for(&self, target: Money, rule: DealRule) -> Result<u64> {
        let deal = self.deal_size;
        if deal.amount() <= Decimal::ZERO {
            return Err(Error::NonPositiveDealSize {
                amount: deal.to_string(),
            });
        }
        target.same_currency(&deal)?;
        deal.to_minor_units()?;
        target.to_minor_units()?;
        let t = target.amount();
        let strict = count::ceil_div(t, deal.amount())?;
        match rule {
            DealRule::Strict => Ok(strict),
            DealRule::MinorUnitTolerance => {
                if t <= Decimal::ZERO {
                    return Ok(0);
                }
                let padded = deal
                    .amount()
                    .checked_add(deal.currency().minor_unit())
                    .ok_or(attain_types::Error::Overflow {
                        operation: "deal count",
                    })?;
                let ceil = count::ceil_div(t, padded)?;
                let exact = Decimal::from(ceil)
                    .checked_mul(padded)
                    .is_some_and(|p| p == t);
                let floor = if exact { ceil } else { ceil - 1 };
                Ok(floor.saturating_add(1).min(strict))
            }
        }
    }

    /// Reverse planning from a money target: deals under `options.deal_rule`, then entries at
    /// every stage, rounded up at every stage (and once at the top, for comparison).
    ///
    /// Worked example (METHOD.md 1.2): 250,000 at 83,333.33 is 4 deals strictly
    /// (`ceil(3.0000012)`), 3 with [`DealRule::MinorUnitTolerance`]; 3 deals at 20% need
    /// `ceil(3 / 0.2) = 15` prospects and 15 prospects at 10% need `ceil(15 / 0.1) = 150` leads.
    ///
    /// # Errors
    /// [`Error::NoStages`], [`Error::ZeroRate`], [`Error::NonPositiveDealSize`], a currency
    /// mismatch between target and deal size, a target or deal size not held exactly in whole
    /// minor units ([`Error::Types`]; see [`Funnel::deals_for`]), overflow.
    pub fn plan_revenue(&self, target: Money, options: PlanOptions) -> Result<Plan> {
        self.check()?;
        let deals = self.deals_for(target, options.deal_rule)?;
        let mut plan = self.plan_deals(deals)?;
        plan.target = Some(target);
        plan.deal_rule = options.deal_rule;
        plan.revenue_overshoot = Some(plan.deal_revenue.checked_sub(target)?);
        Ok(plan)
    }

    /// Reverse planning from a deal count: entries at every stage, rounded up at every stage
    /// (and once at the top, for comparison).
    ///
    /// # Errors
    /// [`Error::NoStages`], [`Error::ZeroRate`], [`Error::NonPositiveDealSize`], a deal size
    /// not held exactly in whole minor units ([`Error::Types`]), [`Error::Precision`] or
    /// overflow if `deals * deal_size` cannot be held exactly.
    pub fn plan_deals(&self, deals: u64) -> Result<Plan> {
        self.check()?;
        let mut needed = deals;
        let mut stages = Vec::with_capacity(self.stages.len());
        for stage in self.stages.iter().rev() {
            let entries = count::entries_needed(needed, stage.rate)?;
            let expected_outputs = Decimal::from(entries)
                .checked_mul(stage.rate.to_decimal())
                .ok_or(attain_types::Error::Overflow {
                    operation: "plan stage",
                })?;
            stages.push(StagePlan {
                name: stage.name.clone(),
                rate: stage.rate,
                entries,
                needed_outputs: needed,
                expected_outputs,
            });
            needed = entries;
        }
        stages.reverse();
        let overall = self.overall_rate().to_decimal();
        let top_once = match self.exact_overall() {
            Ok(exact) => count::ceil_div(Decimal::from(deals), exact)?,
            // Rates with too many digits: the product was rounded at 28 digits, so forgive
            // that noise (documented in `attain_types::count::ceil_count`).
            Err(_) => count::ceil_count(Decimal::from(deals).checked_div(overall).ok_or(
                attain_types::Error::Overflow {
                    operation: "plan once at top",
                },
            )?)?,
        };
        let outcome = |top: u64| -> Result<RoundingOutcome> {
            let expected =
                Decimal::from(top)
                    .checked_mul(overall)
                    .ok_or(attain_types::Error::Overflow {
                        operation: "plan outcome",
                    })?;
            Ok(RoundingOutcome {
                top_entries: top,
                expected_deals: expected,
                deal_overshoot: (expected - Decimal::from(deals)).max(Decimal::ZERO),
            })
        };
        let every_stage = outcome(stages[0].entries)?;
        let once_at_top = outcome(top_once)?;
        Ok(Plan {
            target: None,
            deal_size: self.deal_size,
            deal_rule: DealRule::Strict,
            deals,
            deal_revenue: Money::try_new(
                exact_mul(
                    self.deal_size.amount(),
                    Decimal::from(deals),
                    "deal revenue",
                )?,
                self.deal_size.currency(),
            )?,
            revenue_overshoot: None,
            stages,
            every_stage,
            once_at_top,
        })
    }

    fn exact_overall(&self) -> Result<Decimal> {
        self.stages.iter().try_fold(Decimal::ONE, |acc, s| {
            exact_mul(acc, s.rate.to_decimal(), "overall rate")
        })
    }

    /// Forward planning: expected entries and outputs at every stage, expected deals and
    /// expected revenue, from `entries` at the top. Exact up to 28 significant digits.
    ///
    /// Worked example: 150 leads at 10% -> 15 prospects at 20% -> 3 deals -> 3 x 83,333.33 =
    /// 249,999.99.
    ///
    /// # Errors
    /// [`Error::NoStages`], a deal size not held exactly in whole minor units
    /// ([`Error::Types`]), overflow.
    pub fn forward(&self, entries: u64) -> Result<Forecast> {
        if self.stages.is_empty() {
            return Err(Error::NoStages);
        }
        self.deal_size.to_minor_units()?;
        let mut flow = Decimal::from(entries);
        let mut stages = Vec::with_capacity(self.stages.len());
        for stage in &self.stages {
            let out =
                flow.checked_mul(stage.rate.to_decimal())
                    .ok_or(attain_types::Error::Overflow {
                        operation: "forecast",
                    })?;
            stages.push(StageForecast {
                name: stage.name.clone(),
                rate: stage.rate,
                expected_entries: flow,
                expected_outputs: out,
            });
            flow = out;
        }
        Ok(Forecast {
            entries,
            stages,
            expected_deals: flow,
            expected_revenue: self.deal_size.checked_mul(flow)?,
        })
    }

    /// A target over a period (for example a year or a week) turned into a daily action
    /// list: the reverse plan for the whole period, then each count spread over the period's
    /// working days as [`PlanOptions::daily_spread`] says. By default
    /// ([`DailySpread::Exact`]) the days add up exactly to the period's need, never more;
    /// [`DailySpread::RoundUpEachDay`] asks `ceil(per_period / working_days)` every day.
    ///
    /// Worked example: 12,000,000 over 2026 (261 working days Monday to Friday) at 83,333.33
    /// per deal with [`DealRule::MinorUnitTolerance`] is 144 deals, 720 prospects at 20% and
    /// 7,200 leads at 10%: 27.59 leads a working day, so the exact spread asks 28 leads on the
    /// first 153 working days and 27 on the other 108 (7,200 in all); rounding up each day
    /// asks 28 every day (7,308). A week of 250,000 (3 deals, 15 prospects, 150 leads over 5
    /// days) is 30 leads and 3 prospects a day either way, and 1, 1, 1, 0, 0 deals exactly
    /// (1 a day, 5 in all, rounded up).
    ///
    /// # Errors
    /// [`Error::NonPositive`] if the period has no working day, and the errors of
    /// [`Funnel::plan_revenue`].
    pub fn daily_actions(
        &self,
        target: Money,
        period: &Period,
        calendar: &WorkingCalendar,
        options: PlanOptions,
    ) -> Result<DailyActionPlan> {
        let working_days = calendar.working_days(period);
        if working_days == 0 {
            return Err(Error::NonPositive {
                what: "working days in period",
                value: period_text(period),
            });
        }
        let plan = self.plan_revenue(target, options)?;
        let days = Decimal::from(working_days);
        let working_dates: Vec<NaiveDate> = period
            .iter_days()
            .filter(|d| calendar.is_working_day(*d))
            .collect();
        let equal = vec![Decimal::ONE; working_dates.len()];
        let line = |name: &str, per_period: u64| -> Result<DailyAction> {
            let per_day = count::ceil_div(Decimal::from(per_period), days)?;
            let per_working_day = match options.daily_spread {
                DailySpread::RoundUpEachDay => vec![per_day; working_dates.len()],
                DailySpread::Exact if per_period == 0 => vec![0; working_dates.len()],
                DailySpread::Exact => allocate_units(i128::from(per_period), &equal)?
                    .into_iter()
                    // Parts of a non-negative count are non-negative and at most the count.
                    .map(|u| u64::try_from(u).unwrap_or(0))
                    .collect(),
            };
            Ok(DailyAction {
                name: name.to_owned(),
                per_period,
                per_day_exact: Decimal::from(per_period) / days,
                per_day,
                per_working_day,
            })
        };
        let mut actions = plan
            .stages
            .iter()
            .map(|s| line(&s.name, s.entries))
            .collect::<Result<Vec<_>>>()?;
        actions.push(line("deal", plan.deals)?);
        Ok(DailyActionPlan {
            period: *period,
            working_days,
            working_dates,
            spread: options.daily_spread,
            plan,
            actions,
        })
    }
}

fn period_text(p: &Period) -> String {
    format!("{}..{}", p.start(), p.end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::{Currency, dec};

    #[test]
    fn exact_mul_detects_rounding() {
        assert_eq!(exact_mul(dec!(0.1), dec!(0.2), "t").unwrap(), dec!(0.02));
        let third = dec!(1) / dec!(3);
        assert!(exact_mul(third, third, "t").is_err());
    }

    #[test]
    fn money_the_currency_cannot_hold_is_a_typed_error() {
        let stages = vec![Stage::new("a", Rate::ONE)];
        let jpy = Funnel {
            stages: stages.clone(),
            deal_size: Money::new(dec!(83333.33), Currency::JPY),
        };
        let whole = |r: Result<Plan>| {
            matches!(
                r,
                Err(Error::Types(attain_types::Error::NotWholeMinorUnits { .. }))
            )
        };
        assert!(whole(jpy.plan_deals(3)));
        assert!(whole(jpy.plan_revenue(
            Money::new(dec!(250000), Currency::JPY),
            PlanOptions::default()
        )));
        assert!(jpy.forward(3).is_err());
        let usd = Funnel {
            stages,
            deal_size: Money::new(dec!(83333.33), Currency::USD),
        };
        assert!(whole(usd.plan_revenue(
            Money::new(dec!(250000.005), Currency::USD),
            PlanOptions::default()
        )));
        assert!(matches!(
            usd.plan_revenue(
                Money::new(dec!(1000000000000000000000000000), Currency::USD),
                PlanOptions::default()
            ),
            Err(Error::Types(
                attain_types::Error::MinorUnitsOutOfRange { .. }
            ))
        ));
        // The same target in whole cents plans as before.
        let plan = usd
            .plan_revenue(
                Money::new(dec!(250000.00), Currency::USD),
                PlanOptions::default(),
            )
            .unwrap();
        assert_eq!(
            (plan.deals, plan.deal_revenue.amount()),
            (4, dec!(333333.32))
        );
    }

    #[test]
    fn deals_for_rejects_other_currency() {
        let f = Funnel {
            stages: vec![Stage::new("a", Rate::ONE)],
            deal_size: Money::new(dec!(10), Currency::USD),
        };
        assert!(
            f.deals_for(Money::new(dec!(10), Currency::EUR), DealRule::Strict)
                .is_err()
        );
        assert_eq!(
            f.deals_for(Money::new(dec!(-5), Currency::USD), DealRule::Strict)
                .unwrap(),
            0
        );
        assert_eq!(
            f.deals_for(
                Money::new(dec!(0), Currency::USD),
                DealRule::MinorUnitTolerance
            )
            .unwrap(),
            0
        );
    }
}
