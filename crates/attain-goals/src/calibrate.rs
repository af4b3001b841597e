//! Calibration: targets from evidence, side by side, with the gaps between them.
//!
//! Four methods, each optional:
//!
//! | method | formula |
//! |---|---|
//! | [`GrowthOnBase`] | `base x (1 + growth)`, growth from a [`GrowthPlan`] |
//! | [`MarketCapacity`] | `addressable budget x attainable share` |
//! | [`Resources`] | `reps x productivity x ramp factor + floor(marketing spend / cost per lead) x lead-to-deal rate x average deal` |
//! | [`BottomUp`] | `entries x product(stage rates) x average deal` (expected deals, not rounded) |
//!
//! Each estimate is rounded half away from zero to the minor unit. [`Calibration::gap`] gives
//! the difference between any two methods, and [`Calibration::low`]/[`Calibration::high`]
//! the range. METHOD.md 1.1's SaaS case: a 1,500,000 plan re-based to 2,200,000 from what the
//! target customers spend on software (addressable budget x attainable share); the room to
//! grow is `2,200,000 / 1,500,000 - 1 = 46.7%` ("about 45%").
//!
//! ```
//! use attain_goals::calibrate::{calibrate, CalibrationInputs, GrowthOnBase, MarketCapacity, Method};
//! use attain_types::{Currency, Growth, Money, Rate, dec};
//!
//! let usd = |x| Money::new(x, Currency::USD);
//! let inputs = CalibrationInputs {
//!     growth: Some(GrowthOnBase { base: usd(dec!(1500000)), growth: Growth::new(dec!(0.2)) }),
//!     market: Some(MarketCapacity {
//!         addressable_budget: usd(dec!(22000000)),
//!         attainable_share: Rate::new(dec!(0.1))?,
//!     }),
//!     ..CalibrationInputs::default()
//! };
//! let c = calibrate(&inputs)?;
//! assert_eq!(c.target(Method::Market).map(|m| m.amount()), Some(dec!(2200000)));
//! // "Last year x 1.2" falls 400,000 short of the market-based target.
//! assert_eq!(c.gap(Method::Growth, Method::Market).map(|m| m.amount()), Some(dec!(400000)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Growth built from named adjustments (METHOD.md 2.2)
//!
//! [`GrowthPlan`] expresses a growth rate as a base rate plus named adjustments in percentage
//! points, and checks it against the market's growth. METHOD.md 2.2 says that with the
//! industry growing 15% and a competitor gaining 8 points of share, a straight-line 10% should
//! become 18%, without giving the arithmetic. attain reads it as: straight-line 10% plus 8
//! points to answer the competitor's gain = 18%, and the industry's 15% as the market floor the
//! plan must clear to hold its share (18% >= 15%, so [`GrowthPlan::keeps_share`] is true,
//! while the straight-line 10% alone would lose share to the market).
//!
//! ```
//! use attain_goals::calibrate::{GrowthAdjustment, GrowthPlan};
//! use attain_types::{Growth, dec};
//!
//! let plan = GrowthPlan {
//!     base: Growth::new(dec!(0.10)),
//!     adjustments: vec![GrowthAdjustment {
//!         label: "competitor gains 8 points of share".into(),
//!         points: Growth::new(dec!(0.08)),
//!     }],
//!     market_growth: Some(Growth::new(dec!(0.15))),
//! };
//! assert_eq!(plan.rate()?.to_decimal(), dec!(0.18));
//! assert!(plan.keeps_share()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use attain_types::{Decimal, Growth, Money, Rate};

use crate::error::{Error, Result};

/// Growth on a base (last year's actual or plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GrowthOnBase {
    /// The base amount.
    pub base: Money,
    /// The growth applied (see [`GrowthPlan::rate`] to build one from adjustments).
    pub growth: Growth,
}

/// Market capacity: what the target customers spend, times the share you can win.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MarketCapacity {
    /// The customers' yearly budget for what you sell (for example software).
    pub addressable_budget: Money,
    /// The share of that budget you can win.
    pub attainable_share: Rate,
}

/// Resources: reps and marketing spend turned into sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Resources {
    /// Headcount (fractional for part-timers).
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub reps: Decimal,
    /// What a fully ramped rep sells over the plan period.
    pub productivity_per_rep: Money,
    /// Average share of full productivity over the period (ramp of new hires), `1` if none.
    pub ramp_factor: Rate,
    /// Marketing spend over the period.
    pub marketing_spend: Money,
    /// The channel's cost per lead (whole leads only: the count is rounded down).
    pub cost_per_lead: Money,
    /// Lead-to-deal conversion of the channel.
    pub lead_to_deal: Rate,
    /// Average deal size.
    pub average_deal: Money,
}

/// Bottom-up from funnel rates: entries through the stages to deals, times the deal size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BottomUp {
    /// Entries at the top of the funnel (leads) over the period.
    pub entries: u64,
    /// Stage-to-stage conversion rates, in order (lead to prospect, prospect to deal, ...).
    pub stage_rates: Vec<Rate>,
    /// Average deal size.
    pub average_deal: Money,
}

/// The evidence for each method (any may be missing).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CalibrationInputs {
    /// Growth on a base.
    pub growth: Option<GrowthOnBase>,
    /// Market capacity.
    pub market: Option<MarketCapacity>,
    /// Resources.
    pub resources: Option<Resources>,
    /// Bottom-up from funnel rates.
    pub bottom_up: Option<BottomUp>,
}

/// A calibration method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Method {
    /// Growth on a base.
    Growth,
    /// Market capacity.
    Market,
    /// Resources.
    Resources,
    /// Bottom-up from funnel rates.
    BottomUp,
}

/// One method's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Estimate {
    /// The method.
    pub method: Method,
    /// Its target, rounded to the minor unit.
    pub target: Money,
}

/// Targets side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Calibration {
    /// One estimate per method given, in [`Method`] order.
    pub estimates: Vec<Estimate>,
}

impl Calibration {
    /// The target of one method, if it was given.
    #[must_use]
    pub fn target(&self, method: Method) -> Option<Money> {
        self.estimates
            .iter()
            .find(|e| e.method == method)
            .map(|e| e.target)
    }

    /// `target(to) - target(from)`, if both were given (and the currencies match).
    #[must_use]
    pub fn gap(&self, from: Method, to: Method) -> Option<Money> {
        self.target(to)?.checked_sub(self.target(from)?).ok()
    }

    /// Every other method's target minus `reference`'s, in [`Method`] order (empty if
    /// `reference` was not given).
    #[must_use]
    pub fn gaps_from(&self, reference: Method) -> Vec<(Method, Money)> {
        self.estimates
            .iter()
            .filter(|e| e.method != reference)
            .filter_map(|e| Some((e.method, self.gap(reference, e.method)?)))
            .collect()
    }

    /// The lowest estimate.
    #[must_use]
    pub fn low(&self) -> Option<Estimate> {
        self.estimates
            .iter()
            .copied()
            .min_by_key(|e| e.target.amount())
    }

    /// The highest estimate.
    #[must_use]
    pub fn high(&self) -> Option<Estimate> {
        self.estimates
            .iter()
            .copied()
            .max_by_key(|e| e.target.amount())
    }
}

/// Computes each given method's target; see the [module docs](self) for the formulas.
///
/// # Errors
/// [`Error::Empty`] if no method is given; [`Error::NegativeAmount`] for a negative budget,
/// productivity, spend, deal size or rep count; [`Error::Types`] for a zero cost per lead,
/// currency mismatch or overflow. All estimates must share one currency.
pub fn calibrate(inputs: &CalibrationInputs) -> Result<Calibration> {
    let mut estimates = Vec::new();
    let non_neg = |m: Money, what: &'static str| {
        if m.is_negative() {
            Err(Error::NegativeAmount {
                what,
                value: m.amount(),
            })
        } else {
            Ok(m)
        }
    };
    if let Some(g) = &inputs.growth {
        estimates.push((Method::Growth, g.growth.apply(non_neg(g.base, "base")?)?));
    }
    if let Some(m) = &inputs.market {
        let b = non_neg(m.addressable_budget, "addressable budget")?;
        estimates.push((Method::Market, b.checked_mul_rate(m.attainable_share)?));
    }
    if let Some(r) = &inputs.resources {
        if r.reps.is_sign_negative() && !r.reps.is_zero() {
            return Err(Error::NegativeAmount {
                what: "reps",
                value: r.reps,
            });
        }
        let reps = non_neg(r.productivity_per_rep, "productivity per rep")?
            .checked_mul(r.reps)?
            .checked_mul_rate(r.ramp_factor)?;
        let spend = non_neg(r.marketing_spend, "marketing spend")?;
        let cpl = non_neg(r.cost_per_lead, "cost per lead")?;
        let leads = spend.checked_ratio(cpl)?.floor();
        let marketing = non_neg(r.average_deal, "average deal")?
            .checked_mul(leads)?
            .checked_mul_rate(r.lead_to_deal)?;
        estimates.push((Method::Resources, reps.checked_add(marketing)?));
    }
    if let Some(b) = &inputs.bottom_up {
        let rate = b.stage_rates.iter().fold(Rate::ONE, |acc, r| acc.chain(*r));
        let deals = Decimal::from(b.entries)
            .checked_mul(rate.to_decimal())
            .ok_or(Error::Overflow {
                operation: "bottom-up deals",
            })?;
        estimates.push((
            Method::BottomUp,
            non_neg(b.average_deal, "average deal")?.checked_mul(deals)?,
        ));
    }
    let first = estimates
        .first()
        .ok_or(Error::Empty {
            what: "calibration inputs",
        })?
        .1
        .currency();
    let estimates = estimates
        .into_iter()
        .map(|(method, m)| {
            if m.currency() != first {
                return Err(attain_types::Error::CurrencyMismatch {
                    left: first.code().to_owned(),
                    right: m.currency().code().to_owned(),
                }
                .into());
            }
            Ok(Estimate {
                method,
                target: m.round_to_minor_unit(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Calibration { estimates })
}

/// A named adjustment to a growth rate, in percentage points (`0.08` is +8 points).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GrowthAdjustment {
    /// Why (`"competitor gains 8 points of share"`).
    pub label: String,
    /// The points added (negative to subtract).
    pub points: Growth,
}

/// A growth rate built from a base rate and named adjustments; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GrowthPlan {
    /// The starting rate (for example straight-line 10%).
    pub base: Growth,
    /// Adjustments added to it, in points.
    pub adjustments: Vec<GrowthAdjustment>,
    /// The market's (industry's) growth, if known, to check share.
    pub market_growth: Option<Growth>,
}

impl GrowthPlan {
    /// `base + sum(points)`.
    ///
    /// # Errors
    /// [`Error::Overflow`].
    pub fn rate(&self) -> Result<Growth> {
        self.adjustments
            .iter()
            .try_fold(self.base.to_decimal(), |acc, a| {
                acc.checked_add(a.points.to_decimal())
            })
            .map(|d| Growth::new(d.normalize()))
            .ok_or(Error::Overflow {
                operation: "growth plan",
            })
    }

    /// Whether the planned rate at least matches the market's growth (true if unknown):
    /// growing slower than the market loses share.
    ///
    /// # Errors
    /// As [`GrowthPlan::rate`].
    pub fn keeps_share(&self) -> Result<bool> {
        let r = self.rate()?;
        Ok(self.market_growth.is_none_or(|m| r >= m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::{Currency, dec};

    #[test]
    fn bottom_up_matches_method_funnel() {
        // METHOD.md 1.2: 150 leads x 10% x 20% = 3 deals of 83,333.33 = 249,999.99.
        let b = BottomUp {
            entries: 150,
            stage_rates: vec![Rate::new(dec!(0.1)).unwrap(), Rate::new(dec!(0.2)).unwrap()],
            average_deal: Money::new(dec!(83333.33), Currency::CNY),
        };
        let c = calibrate(&CalibrationInputs {
            bottom_up: Some(b),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            c.target(Method::BottomUp).unwrap().amount(),
            dec!(249999.99)
        );
        assert!(calibrate(&CalibrationInputs::default()).is_err());
    }
}
