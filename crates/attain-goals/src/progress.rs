//! Progress against a plan: attainment, expected-to-date under the plan's own time weights,
//! pace, run-rate forecasts, the rate required per remaining working day, milestones, and a
//! re-plan of the remaining gap.
//!
//! The plan is a [`DailyPlan`] (finest grain, or [`NestedPlan::to_daily`](crate::NestedPlan::to_daily)),
//! so "expected to date" follows the plan's own seasonality and working days rather than a
//! straight line. `as_of` is the last day the actuals cover (inclusive); the library never
//! reads the clock.
//!
//! | metric | formula | when undefined |
//! |---|---|---|
//! | attainment | `actual / target` | target zero: `None` |
//! | expected to date | sum of the plan's days `<= as_of` | never |
//! | pace | `actual - expected` (`Ahead` if > 0, `Behind` if < 0) | never |
//! | pace ratio | `actual / expected` | expected zero: `None` |
//! | plan-weighted forecast | `actual * target / expected` | expected zero: `None` |
//! | straight-line forecast | `actual / elapsed working days * all working days` | no working day elapsed: `None` |
//! | required per working day | `max(target - actual, 0) / remaining working days`, rounded **up** to the minor unit | gap but no working day left: `None` |
//!
//! Forecasts are rounded half away from zero to the minor unit.
//!
//! [`run_rate`] is the plan-free twin of the straight-line forecast: actuals per elapsed
//! **calendar** day, projected over the whole period, at full precision (no plan, no working
//! days, no rounding), for a chart's run-rate line.
//!
//! ```
//! use attain_goals::{daily, progress::{progress, Actual, Pace, ProgressOptions}, TimeOptions};
//! use attain_types::{Currency, Money, NaiveDate, Period, dec};
//!
//! let cny = |x| Money::new(x, Currency::CNY);
//! let q1 = Period::quarter(2026, 1)?; // 90 days, 1,000 a day by calendar days
//! let plan = daily(cny(dec!(90000)), q1, &TimeOptions::default())?;
//! let jan_31 = NaiveDate::from_ymd_opt(2026, 1, 31).ok_or("date")?;
//! let actuals = [Actual { date: jan_31, amount: cny(dec!(40000)) }];
//! let p = progress(&plan, &actuals, jan_31, &ProgressOptions::default())?;
//! assert_eq!(p.expected_to_date.amount(), dec!(31000));
//! assert_eq!(p.pace, Pace::Ahead);
//! assert_eq!(p.forecast_plan_weighted.map(|m| m.amount()), Some(dec!(116129.03)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use attain_types::{
    Currency, Decimal, Money, NaiveDate, Period, Rate, RoundingStrategy, WorkingCalendar,
};

use crate::error::{Error, Result};
use crate::int;
use crate::time::{DailyPlan, day_offset};

/// One actual sale (or a day's total), dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Actual {
    /// The day it counts on.
    pub date: NaiveDate,
    /// The amount (negative for a refund).
    pub amount: Money,
}

/// Options of [`progress`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ProgressOptions {
    /// The working-day calendar for run rates and the required daily rate.
    pub calendar: WorkingCalendar,
    /// Shares of the target to report milestones for (default 25%, 50%, 75%, 100%).
    pub milestones: Vec<Rate>,
}

impl Default for ProgressOptions {
    fn default() -> Self {
        let m = [25, 50, 75, 100]
            .into_iter()
            .filter_map(|p| Rate::from_percent(Decimal::from(p)).ok())
            .collect();
        ProgressOptions {
            calendar: WorkingCalendar::default(),
            milestones: m,
        }
    }
}

impl ProgressOptions {
    /// Sets the working-day calendar.
    #[must_use]
    pub fn calendar(mut self, calendar: WorkingCalendar) -> Self {
        self.calendar = calendar;
        self
    }

    /// Sets the milestone shares.
    #[must_use]
    pub fn milestones(mut self, milestones: Vec<Rate>) -> Self {
        self.milestones = milestones;
        self
    }
}

/// Whether actuals are ahead of, on, or behind the plan's expected-to-date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Pace {
    /// Actual above expected.
    Ahead,
    /// Actual equal to expected.
    OnPlan,
    /// Actual below expected.
    Behind,
}

/// A milestone: a share of the target, the day the plan reaches it, and the day the actuals did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Milestone {
    /// The share of the target (`50%`).
    pub share: Rate,
    /// `share * target`, exact.
    pub amount: Money,
    /// The first day the plan's cumulative amount reaches it.
    pub planned_on: Option<NaiveDate>,
    /// The first day (up to `as_of`) the cumulative actuals reached it, if they have.
    pub reached_on: Option<NaiveDate>,
}

/// A progress report; see the [module docs](self) for each formula.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Progress {
    /// The last day the actuals cover.
    pub as_of: NaiveDate,
    /// The plan's total.
    pub target: Money,
    /// The sum of actuals up to `as_of`.
    pub actual_to_date: Money,
    /// The plan's amount up to `as_of`, under its own day weights.
    pub expected_to_date: Money,
    /// `actual / target`.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub attainment: Option<Decimal>,
    /// `actual - expected`.
    pub variance: Money,
    /// Ahead, on plan or behind.
    pub pace: Pace,
    /// `actual / expected`.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub pace_ratio: Option<Decimal>,
    /// `target - actual` (negative once the target is passed).
    pub remaining: Money,
    /// Working days after `as_of` to the plan's end.
    pub remaining_working_days: u64,
    /// `max(remaining, 0)` per remaining working day, rounded up.
    pub required_per_working_day: Option<Money>,
    /// `actual * target / expected`.
    pub forecast_plan_weighted: Option<Money>,
    /// `actual / elapsed working days * all working days`.
    pub forecast_straight_line: Option<Money>,
    /// One per requested share, in the order given.
    pub milestones: Vec<Milestone>,
    /// `max(remaining, 0)` spread over the days after `as_of` with the plan's own weights
    /// (`None` when no day remains).
    pub replan: Option<DailyPlan>,
}

/// Measures `actuals` up to `as_of` against `plan`; see the [module docs](self).
///
/// # Errors
/// [`Error::NegativeAmount`] if the plan's target is negative; [`Error::OutsidePlan`] if
/// `as_of` or an actual's date lies outside the plan; [`Error::ActualInFuture`] for an actual
/// after `as_of`; [`Error::Infeasible`] if a gap remains but the plan gives the remaining days
/// no weight; [`Error::Types`] for a currency mismatch or overflow.
pub fn progress(
    plan: &DailyPlan,
    actuals: &[Actual],
    as_of: NaiveDate,
    options: &ProgressOptions,
) -> Result<Progress> {
    let period = plan.period();
    let currency = plan.currency();
    let target = plan.total()?;
    if target.is_negative() {
        return Err(Error::NegativeAmount {
            what: "target",
            value: target.amount(),
        });
    }
    let outside = |what, date| Error::OutsidePlan {
        what,
        date,
        start: period.start(),
        end: period.end(),
    };
    if !period.contains(as_of) {
        return Err(outside("as_of", as_of));
    }
    let n = plan.len();
    let mut per_day = vec![0i128; n];
    for (index, a) in actuals.iter().enumerate() {
        if a.date > as_of {
            return Err(Error::ActualInFuture {
                index,
                date: a.date,
                as_of,
            });
        }
        if !period.contains(a.date) {
            return Err(outside("actual", a.date));
        }
        if a.amount.currency() != currency {
            return Err(attain_types::Error::CurrencyMismatch {
                left: currency.code().to_owned(),
                right: a.amount.currency().code().to_owned(),
            }
            .into());
        }
        let slot = &mut per_day[day_offset(period, a.date)];
        *slot = slot
            .checked_add(a.amount.to_minor_units()?)
            .ok_or(Error::Overflow {
                operation: "actuals sum",
            })?;
    }
    let cut = day_offset(period, as_of) + 1;
    let money = |u: i128| -> Result<Money> { Ok(Money::from_minor_units(u, currency)?) };
    let actual_u = checked_sum(&per_day)?;
    let actual = money(actual_u)?;
    let expected = plan.sum_units(0, cut)?;
    let variance = actual.checked_sub(expected)?;
    let pace = match variance.amount().cmp(&Decimal::ZERO) {
        core::cmp::Ordering::Greater => Pace::Ahead,
        core::cmp::Ordering::Equal => Pace::OnPlan,
        core::cmp::Ordering::Less => Pace::Behind,
    };
    let ratio = |a: Money, b: Money| {
        if b.is_zero() {
            Ok(None)
        } else {
            a.checked_ratio(b).map(Some)
        }
    };
    let attainment = ratio(actual, target)?;
    let pace_ratio = ratio(actual, expected)?;
    let remaining = target.checked_sub(actual)?;
    let gap = if remaining.is_negative() {
        Money::zero(currency)
    } else {
        remaining
    };
    let cal = &options.calendar;
    let days: Vec<NaiveDate> = period.iter_days().collect();
    let elapsed_wd = days[..cut]
        .iter()
        .filter(|d| cal.is_working_day(**d))
        .count() as u64;
    let remaining_wd = days[cut..]
        .iter()
        .filter(|d| cal.is_working_day(**d))
        .count() as u64;
    let required_per_working_day = if gap.is_zero() {
        Some(Money::zero(currency))
    } else if remaining_wd == 0 {
        None
    } else {
        Some(
            gap.checked_div(Decimal::from(remaining_wd))?
                .round(currency.minor_units(), RoundingStrategy::AwayFromZero),
        )
    };
    let forecast_plan_weighted = if expected.is_zero() {
        None
    } else {
        Some(round(
            actual.checked_mul(target.checked_ratio(expected)?)?,
            currency,
        ))
    };
    let forecast_straight_line = if elapsed_wd == 0 {
        None
    } else {
        let per = actual.checked_div(Decimal::from(elapsed_wd))?;
        Some(round(
            per.checked_mul(Decimal::from(elapsed_wd + remaining_wd))?,
            currency,
        ))
    };
    let milestones = options
        .milestones
        .iter()
        .map(|&share| milestone(plan, &per_day, cut, target, share))
        .collect::<Result<Vec<_>>>()?;
    let replan = if cut >= n {
        None
    } else {
        let rest = &plan.minor_units()[cut..];
        let gap_u = gap.to_minor_units()?;
        let units = if gap_u == 0 {
            vec![0; rest.len()]
        } else {
            let w: Vec<u128> = rest.iter().map(|u| u.unsigned_abs()).collect();
            if w.iter().all(|x| *x == 0) {
                return Err(Error::Infeasible {
                    reason: format!(
                        "a gap of {} remains but the plan gives the remaining days no weight",
                        gap.amount()
                    ),
                });
            }
            int::cumulative(gap_u, &w)?
        };
        let amounts = units.into_iter().map(money).collect::<Result<Vec<_>>>()?;
        Some(DailyPlan::from_amounts(days[cut], &amounts)?)
    };
    Ok(Progress {
        as_of,
        target,
        actual_to_date: actual,
        expected_to_date: expected,
        attainment,
        variance,
        pace,
        pace_ratio,
        remaining,
        remaining_working_days: remaining_wd,
        required_per_working_day,
        forecast_plan_weighted,
        forecast_straight_line,
        milestones,
        replan,
    })
}

/// A calendar-day run rate; see [`run_rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RunRate {
    /// The period projected over (a plan year).
    pub period: Period,
    /// Days of `period` up to and including `as_of` (at least 1).
    pub elapsed_days: i64,
    /// `actual / elapsed_days`, full precision.
    pub per_day: Money,
    /// `per_day x period days`: the period's total at this rate, full precision.
    pub projected: Money,
}

impl RunRate {
    /// The projection spread evenly over `parts` equal parts (`parts = 12` gives the average
    /// month of a year at this rate): `projected / parts`, full precision.
    ///
    /// # Errors
    /// [`Error::Types`] for `parts == 0` (division by zero).
    pub fn per_part(&self, parts: u32) -> Result<Money> {
        Ok(self.projected.checked_div(Decimal::from(parts))?)
    }
}

/// The straight-line run rate of `actual_to_date` over `period`: `per_day = actual /
/// elapsed days`, `projected = per_day x days of period`, where the elapsed days are the days
/// of `period` from its start up to and including `as_of` (the last day the actuals cover).
/// Nothing is rounded. `None` when no day of `period` has elapsed (`as_of` before its start).
/// Once `as_of` is past the period's end, every day has elapsed and `projected` equals
/// `actual_to_date`.
///
/// ```
/// use attain_goals::progress::run_rate;
/// use attain_types::{Currency, Money, NaiveDate, Period, dec};
///
/// let year = Period::year(1998)?;
/// let june_30 = NaiveDate::from_ymd_opt(1998, 6, 30).ok_or("date")?;
/// let r = run_rate(Money::new(dec!(36200), Currency::USD), year, june_30)?.ok_or("no day")?;
/// assert_eq!(r.elapsed_days, 181);
/// assert_eq!(r.per_day.amount(), dec!(200));
/// assert_eq!(r.projected.amount(), dec!(73000)); // 200 a day x 365 days
/// assert_eq!(r.per_part(12)?.amount().round_dp(2), dec!(6083.33));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Types`] on overflow.
pub fn run_rate(
    actual_to_date: Money,
    period: Period,
    as_of: NaiveDate,
) -> Result<Option<RunRate>> {
    let days = period.days();
    let through = as_of
        .succ_opt()
        .map_or(period.end(), |d| d.min(period.end()));
    let elapsed_days = (through - period.start()).num_days().clamp(0, days);
    if elapsed_days == 0 {
        return Ok(None);
    }
    let per_day = actual_to_date.checked_div(Decimal::from(elapsed_days))?;
    let projected = per_day.checked_mul(Decimal::from(days))?;
    Ok(Some(RunRate {
        period,
        elapsed_days,
        per_day,
        projected,
    }))
}

fn round(m: Money, currency: Currency) -> Money {
    m.round(
        currency.minor_units(),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

fn checked_sum(v: &[i128]) -> Result<i128> {
    v.iter()
        .try_fold(0i128, |a, &x| a.checked_add(x))
        .ok_or(Error::Overflow { operation: "sum" })
}

fn milestone(
    plan: &DailyPlan,
    actual: &[i128],
    cut: usize,
    target: Money,
    share: Rate,
) -> Result<Milestone> {
    let currency = target.currency();
    let amount = target.checked_mul_rate(share)?;
    let threshold = amount.amount();
    let first_reaching = |units: &[i128]| -> Result<Option<usize>> {
        let mut acc = 0i128;
        for (i, &u) in units.iter().enumerate() {
            acc = acc.checked_add(u).ok_or(Error::Overflow {
                operation: "milestone sum",
            })?;
            if Money::from_minor_units(acc, currency)?.amount() >= threshold {
                return Ok(Some(i));
            }
        }
        Ok(None)
    };
    let date_at = |i: usize| plan.period().iter_days().nth(i);
    Ok(Milestone {
        share,
        amount,
        planned_on: first_reaching(plan.minor_units())?.and_then(date_at),
        reached_on: first_reaching(&actual[..cut])?.and_then(date_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TimeOptions, daily};
    use attain_types::{Period, dec};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn run_rate_counts_calendar_days_through_as_of() {
        let usd = |x| Money::new(x, Currency::USD);
        let y1998 = Period::year(1998).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Before the year: no run rate.
        assert_eq!(
            run_rate(usd(dec!(5)), y1998, day(1997, 12, 31)).unwrap(),
            None
        );
        // The first day: one day elapsed.
        let r = run_rate(usd(dec!(10)), y1998, day(1998, 1, 1))
            .unwrap()
            .unwrap();
        assert_eq!((r.elapsed_days, r.per_day.amount()), (1, dec!(10)));
        assert_eq!(r.projected.amount(), dec!(3650));
        // After the year: every day elapsed, the projection is the actual.
        let r = run_rate(usd(dec!(730)), y1998, day(2001, 5, 5))
            .unwrap()
            .unwrap();
        assert_eq!((r.elapsed_days, r.projected.amount()), (365, dec!(730)));
        assert_eq!(r.per_part(12).unwrap().amount(), dec!(730) / dec!(12));
        assert!(r.per_part(0).is_err());
        // NaiveDate::MAX has no next day: the whole period has elapsed.
        let r = run_rate(usd(dec!(1)), y1998, NaiveDate::MAX)
            .unwrap()
            .unwrap();
        assert_eq!(r.elapsed_days, 365);
        // Full precision: 100 over 3 days is not rounded.
        let r = run_rate(usd(dec!(100)), y1998, day(1998, 1, 3))
            .unwrap()
            .unwrap();
        assert_eq!(r.per_day.amount(), dec!(100) / dec!(3));
        assert!(run_rate(usd(Decimal::MAX), y1998, day(1998, 1, 1)).is_err());
    }

    #[test]
    fn progress_errors() {
        let cny = |x| Money::new(x, Currency::CNY);
        let plan = daily(
            cny(dec!(90000)),
            Period::quarter(2026, 1).unwrap(),
            &TimeOptions::default(),
        )
        .unwrap();
        let o = ProgressOptions::default();
        let future = [Actual {
            date: d(2, 2),
            amount: cny(dec!(1)),
        }];
        assert!(matches!(
            progress(&plan, &future, d(2, 1), &o),
            Err(Error::ActualInFuture { index: 0, .. })
        ));
        assert!(matches!(
            progress(&plan, &[], d(4, 1), &o),
            Err(Error::OutsidePlan { .. })
        ));
        let neg = daily(
            cny(dec!(-10)),
            Period::quarter(2026, 1).unwrap(),
            &TimeOptions::default(),
        )
        .unwrap();
        assert!(matches!(
            progress(&neg, &[], d(2, 1), &o),
            Err(Error::NegativeAmount { .. })
        ));
    }
}
