//! Sales capacity from headcount, and quotas that sum exactly to the team target.
//!
//! **Capacity and quota are different numbers.**
//!
//! * **Capacity** is what the team can be expected to sell: for each rep and month,
//!   `full productivity x ramp factor (tenure month) x share of the month employed x expected
//!   survival (1 - monthly attrition)^months`. It is an estimate, computed at full `Decimal`
//!   precision and rounded to the minor unit per rep and month; its totals are sums of those
//!   rounded cells.
//! * **Quota** is the target assigned to people: the team target split over reps and months
//!   in proportion to capacity, by the controlled rounding of [`crate::table`], so the quotas
//!   sum **exactly** to the team target along reps and along months, and a rep-month with no
//!   capacity gets no quota.
//!
//! The capacity gap is `target - capacity`; [`hires_to_close_gap`] turns it into hires by start
//! month.
//!
//! Ramp: a rep's tenure month 1 is the calendar month of the start date; `ramp[k - 1]` is the
//! share of full productivity in tenure month `k` (METHOD-style `25% / 50% / 75%`), and
//! 100% after the ramp ends. Attrition is a monthly leaving probability applied as expected
//! survival, counted from the later of the plan start and the rep's start.
//!
//! ```
//! use attain_goals::capacity::{capacity, CapacityModel, Rep};
//! use attain_types::{Currency, Money, NaiveDate, Period, Rate, dec};
//!
//! let model = CapacityModel {
//!     full_productivity: Money::new(dec!(100000), Currency::CNY), // per rep per month
//!     ramp: vec![Rate::new(dec!(0.25))?, Rate::new(dec!(0.5))?, Rate::new(dec!(0.75))?],
//!     monthly_attrition: Rate::ZERO,
//! };
//! let jan = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
//! let reps = [Rep { name: "new hire".into(), start: jan, end: None }];
//! let cap = capacity(&model, &reps, Period::year(2026)?)?;
//! assert_eq!(cap.monthly[0].amount(), dec!(25000)); // month 1 at 25%
//! assert_eq!(cap.monthly[3].amount(), dec!(100000)); // month 4 at 100%
//! assert_eq!(cap.total.amount(), dec!(1050000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use attain_types::{Decimal, Granularity, Money, NaiveDate, Period, Rate, count};
use chrono::Datelike;

use crate::error::{Error, Result};
use crate::table::{Table, round_table};

/// A sales rep on the team (or a planned hire).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rep {
    /// A name or id.
    pub name: String,
    /// The first day at work.
    pub start: NaiveDate,
    /// The first day no longer at work (a known leaving date), if any.
    pub end: Option<NaiveDate>,
}

/// How a rep's capacity builds up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CapacityModel {
    /// What a fully ramped rep sells in a month.
    pub full_productivity: Money,
    /// Share of full productivity in tenure months 1, 2, ...; 100% afterwards.
    pub ramp: Vec<Rate>,
    /// Probability that a rep leaves in a given month (expected-value survival).
    pub monthly_attrition: Rate,
}

/// Capacity per rep and month over a plan period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CapacityPlan {
    /// The months of the plan (clipped to the plan period).
    pub months: Vec<Period>,
    /// `per_rep[r][m]`: rep `r`'s capacity in month `m`, rounded to the minor unit.
    pub per_rep: Vec<Vec<Money>>,
    /// The team's capacity per month (sums of `per_rep`).
    pub monthly: Vec<Money>,
    /// Each rep's capacity over the plan.
    pub rep_totals: Vec<Money>,
    /// The team's capacity over the plan.
    pub total: Money,
}

fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// The factor of one rep in one month: ramp x employed share x survival.
fn factor(
    model: &CapacityModel,
    rep: &Rep,
    month: &Period,
    plan_start: NaiveDate,
) -> Result<Decimal> {
    let employed = Period::new(
        rep.start.max(month.start()),
        rep.end
            .unwrap_or(month.end())
            .min(month.end())
            .max(rep.start.max(month.start())),
    )?;
    if employed.is_empty() || month.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let share = Decimal::from(employed.days()) / Decimal::from(month.days());
    let tenure = month_index(month.start()) - month_index(rep.start) + 1;
    let ramp = usize::try_from(tenure - 1)
        .ok()
        .and_then(|k| model.ramp.get(k))
        .map_or(Decimal::ONE, |r| r.to_decimal());
    let from = month_index(rep.start.max(plan_start));
    let survived = model.monthly_attrition.complement().to_decimal();
    let mut survival = Decimal::ONE;
    for _ in 0..(month_index(month.start()) - from).max(0) {
        survival = survival.checked_mul(survived).ok_or(Error::Overflow {
            operation: "survival",
        })?;
    }
    ramp.checked_mul(share)
        .and_then(|x| x.checked_mul(survival))
        .ok_or(Error::Overflow {
            operation: "capacity factor",
        })
}

/// Capacity of `reps` over `period` (split into calendar months); see the [module docs](self).
///
/// # Errors
/// [`Error::Empty`] for an empty period; [`Error::NegativeAmount`] for negative productivity;
/// [`Error::Invalid`] for a rep whose end precedes the start; [`Error::Types`] on overflow.
pub fn capacity(model: &CapacityModel, reps: &[Rep], period: Period) -> Result<CapacityPlan> {
    if period.is_empty() {
        return Err(Error::Empty { what: "period" });
    }
    if model.full_productivity.is_negative() {
        return Err(Error::NegativeAmount {
            what: "full productivity",
            value: model.full_productivity.amount(),
        });
    }
    if let Some(r) = reps.iter().find(|r| r.end.is_some_and(|e| e < r.start)) {
        return Err(Error::Invalid {
            what: "rep",
            reason: format!("{} leaves before starting", r.name),
        });
    }
    let currency = model.full_productivity.currency();
    let months = period.split(Granularity::Month);
    let mut per_rep = Vec::with_capacity(reps.len());
    let mut monthly = vec![Money::zero(currency); months.len()];
    let mut rep_totals = Vec::with_capacity(reps.len());
    for rep in reps {
        let mut row = Vec::with_capacity(months.len());
        let mut total = Money::zero(currency);
        for (m, month) in months.iter().enumerate() {
            // A month clipped by the plan still ramps by its calendar month.
            let full = Period::month(month.start().year(), month.start().month())?;
            let f = factor(model, rep, &full, period.start())?;
            let clip = Decimal::from(month.days()) / Decimal::from(full.days());
            let c = model
                .full_productivity
                .checked_mul(f)?
                .checked_mul(clip)?
                .round_to_minor_unit();
            monthly[m] = monthly[m].checked_add(c)?;
            total = total.checked_add(c)?;
            row.push(c);
        }
        rep_totals.push(total);
        per_rep.push(row);
    }
    let total = Money::try_sum(rep_totals.iter().copied(), currency)?;
    Ok(CapacityPlan {
        months,
        per_rep,
        monthly,
        rep_totals,
        total,
    })
}

/// Quotas: the team target over reps and months.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct QuotaPlan {
    /// Reps x months, exact on both margins: `row_totals` are the per-rep quotas (summing to
    /// the team target), `column_totals` the team's monthly quotas.
    pub table: Table,
    /// `target - capacity` (positive: the quotas ask more than the team's capacity).
    pub capacity_gap: Money,
    /// `target / capacity` (how far quota is loaded over capacity), `None` for no capacity.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub quota_to_capacity: Option<Decimal>,
}

/// Assigns `team_target` over reps and months in proportion to capacity.
///
/// # Errors
/// [`Error::NegativeAmount`] for a negative target; [`Error::Empty`] with no rep;
/// [`Error::Types`] if the team has no capacity at all (`ZeroWeights`) or on a currency
/// mismatch.
pub fn assign_quotas(team_target: Money, capacity: &CapacityPlan) -> Result<QuotaPlan> {
    if team_target.is_negative() {
        return Err(Error::NegativeAmount {
            what: "team target",
            value: team_target.amount(),
        });
    }
    if capacity.per_rep.is_empty() {
        return Err(Error::Empty { what: "reps" });
    }
    let weights: Vec<Vec<Decimal>> = capacity
        .per_rep
        .iter()
        .map(|row| row.iter().map(|m| m.amount().max(Decimal::ZERO)).collect())
        .collect();
    let table = round_table(team_target, &weights)?;
    let capacity_gap = team_target.checked_sub(capacity.total)?;
    let quota_to_capacity = if capacity.total.is_zero() {
        None
    } else {
        Some(team_target.checked_ratio(capacity.total)?)
    };
    Ok(QuotaPlan {
        table,
        capacity_gap,
        quota_to_capacity,
    })
}

/// What one hire starting on a month's first day adds, and how many such hires close the gap.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct HireOption {
    /// The start date (first day of a plan month).
    pub start: NaiveDate,
    /// The capacity one such hire adds by the plan's end.
    pub capacity_per_hire: Money,
    /// `ceil(gap / capacity_per_hire)`, 0 if there is no gap, `None` if a hire this late adds
    /// nothing.
    pub hires: Option<u64>,
}

/// The reverse of [`capacity`]: for each month of `period`, how many hires starting that month
/// close `target - capacity(reps)`. Later starts need more hires (less time, more ramp).
///
/// # Errors
/// As [`capacity`]; [`Error::Types`] if a count overflows.
pub fn hires_to_close_gap(
    model: &CapacityModel,
    reps: &[Rep],
    period: Period,
    target: Money,
) -> Result<Vec<HireOption>> {
    let current = capacity(model, reps, period)?;
    let gap = target.checked_sub(current.total)?;
    let mut out = Vec::new();
    for month in period.split(Granularity::Month) {
        let hire = Rep {
            name: "hire".into(),
            start: month.start(),
            end: None,
        };
        let per = capacity(model, &[hire], period)?.total;
        let hires = if !gap.amount().is_sign_positive() || gap.is_zero() {
            Some(0)
        } else if per.is_zero() {
            None
        } else {
            Some(count::ceil_div(gap.amount(), per.amount())?)
        };
        out.push(HireOption {
            start: month.start(),
            capacity_per_hire: per,
            hires,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::{Currency, dec};

    fn model() -> CapacityModel {
        CapacityModel {
            full_productivity: Money::new(dec!(100000), Currency::CNY),
            ramp: [25, 50, 75]
                .iter()
                .map(|p| Rate::from_percent(Decimal::from(*p)).unwrap())
                .collect(),
            monthly_attrition: Rate::ZERO,
        }
    }

    #[test]
    fn capacity_prorates_start_mid_month() {
        let start = NaiveDate::from_ymd_opt(2026, 4, 16).unwrap(); // 15 of 30 days in April
        let reps = [Rep {
            name: "a".into(),
            start,
            end: None,
        }];
        let cap = capacity(&model(), &reps, Period::year(2026).unwrap()).unwrap();
        assert_eq!(cap.monthly[2].amount(), dec!(0));
        assert_eq!(cap.monthly[3].amount(), dec!(12500)); // 25% x half a month
        assert_eq!(cap.monthly[4].amount(), dec!(50000));
    }

    #[test]
    fn hires_later_need_more() {
        let veteran = Rep {
            name: "v".into(),
            start: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            end: None,
        };
        let target = Money::new(dec!(2000000), Currency::CNY);
        let opts =
            hires_to_close_gap(&model(), &[veteran], Period::year(2026).unwrap(), target).unwrap();
        // Gap 800,000; a January hire adds 1,050,000 -> 1 hire; an October hire adds
        // 25k + 50k + 75k = 150,000 -> 6 hires.
        assert_eq!(opts[0].hires, Some(1));
        assert_eq!(opts[9].capacity_per_hire.amount(), dec!(150000));
        assert_eq!(opts[9].hires, Some(6));
    }
}
