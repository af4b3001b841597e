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
//! # A default target from the trailing year
//!
//! When no target is given, [`default_target`] proposes one from history: the revenue of the
//! 12 months before the report date ([`TrailingYear`]) plus [`DEFAULT_TARGET_GROWTH`] (10%),
//! rounded **up** to [`DEFAULT_TARGET_DIGITS`] (2) significant digits, so the proposal reads
//! as a round number and is never below "last year + 10%".
//!
//! ```
//! use attain_goals::calibrate::{default_target, TrailingYear};
//! use attain_goals::progress::Actual;
//! use attain_types::{Currency, Money, NaiveDate, dec};
//!
//! let usd = |x| Money::new(x, Currency::USD);
//! let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
//! let history = [
//!     Actual { date: day(1997, 3, 1)?, amount: usd(dec!(500)) },    // before the window
//!     Actual { date: day(1997, 7, 1)?, amount: usd(dec!(60000)) },  // first day of the window
//!     Actual { date: day(1998, 6, 30)?, amount: usd(dec!(37963.70)) },
//! ];
//! let trailing = TrailingYear::measure(&history, day(1998, 7, 1)?, Currency::USD)?;
//! assert_eq!(trailing.revenue.amount(), dec!(97963.70));
//! // 97,963.70 x 1.1 = 107,760.07, rounded up to two significant digits.
//! assert_eq!(default_target(&trailing)?.amount(), dec!(110000));
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

use attain_types::{Currency, Decimal, Growth, Money, NaiveDate, Period, Rate};

use crate::error::{Error, Result};
use crate::progress::Actual;

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

/// The growth [`default_target`] adds to the trailing year's revenue: `0.1` (10%).
pub const DEFAULT_TARGET_GROWTH: Growth = Growth::new(Decimal::from_parts(1, 0, 0, false, 1));

/// The significant digits [`default_target`] rounds up to: 2 (107,760.07 becomes 110,000).
pub const DEFAULT_TARGET_DIGITS: u32 = 2;

/// The revenue of the 12 months before a report date: the evidence behind
/// [`default_target`] (and, divided by [`count`](Self::count), a default deal size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TrailingYear {
    /// `[as_of - 12 months, as_of)`: the report date itself is not in the window.
    pub period: Period,
    /// The sum of the actuals dated in `period`, exact (refunds included).
    pub revenue: Money,
    /// How many actuals are dated in `period`.
    pub count: u64,
}

impl TrailingYear {
    /// Sums the actuals of `history` dated in `[as_of - 12 months, as_of)`; actuals outside
    /// the window (before it, or on or after `as_of`) are ignored. `history` may be in any
    /// order. The 12 months are calendar months (`chrono::Months`): from 1998-07-01 the window
    /// starts 1997-07-01; from a 29 February it starts on the 28th a year earlier.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `as_of` is so early that 12 months before it is not a date;
    /// [`Error::Types`] for an actual in another currency than `currency`, or an overflowing
    /// sum.
    pub fn measure(
        history: &[Actual],
        as_of: NaiveDate,
        currency: Currency,
    ) -> Result<TrailingYear> {
        Self::measure_totals(history.iter().map(|&a| (a, 1)), as_of, currency)
    }

    /// [`Self::measure`] of actuals that are already totals: each item is an actual and how
    /// many sales it sums (a day's revenue and its rows, say), and [`count`](Self::count) is
    /// the sum of those numbers, so that [`mean`](Self::mean) is the mean sale.
    ///
    /// ```
    /// use attain_goals::calibrate::TrailingYear;
    /// use attain_goals::progress::Actual;
    /// use attain_types::{Currency, Money, NaiveDate, dec};
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(1998, 6, d).ok_or("date");
    /// let usd = |a| Money::new(a, Currency::USD);
    /// let days = [
    ///     (Actual { date: day(29)?, amount: usd(dec!(100.00)) }, 3), // three sales
    ///     (Actual { date: day(30)?, amount: usd(dec!(20.00)) }, 1),
    /// ];
    /// let t = TrailingYear::measure_totals(days, day(30)?, Currency::USD)?;
    /// // The 30th is the report date, outside the window.
    /// assert_eq!((t.revenue, t.count), (usd(dec!(100.00)), 3));
    /// assert_eq!(t.mean()?, Some(usd(dec!(33.33))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Self::measure`]; [`Error::Overflow`] when the counts in the window add past
    /// `u64::MAX`.
    pub fn measure_totals(
        totals: impl IntoIterator<Item = (Actual, u64)>,
        as_of: NaiveDate,
        currency: Currency,
    ) -> Result<TrailingYear> {
        let start = as_of
            .checked_sub_months(chrono::Months::new(12))
            .ok_or_else(|| Error::Invalid {
                what: "report date",
                reason: format!("12 months before {as_of} is outside the calendar"),
            })?;
        let period = Period::new(start, as_of)?;
        let mut revenue = Money::zero(currency);
        let mut count = 0_u64;
        for (a, n) in totals.into_iter().filter(|(a, _)| period.contains(a.date)) {
            revenue = revenue.checked_add(a.amount)?;
            count = count.checked_add(n).ok_or(Error::Overflow {
                operation: "the trailing year's count",
            })?;
        }
        Ok(TrailingYear {
            period,
            revenue,
            count,
        })
    }

    /// The mean actual, `revenue / count`, rounded to the currency's minor unit half to even
    /// (banker's rounding: 12.345 USD is 12.34); `None` when the window holds no actual.
    ///
    /// # Errors
    /// [`Error::Types`] on overflow (not reachable with a `u64` count, kept for safety).
    pub fn mean(&self) -> Result<Option<Money>> {
        if self.count == 0 {
            return Ok(None);
        }
        let currency = self.revenue.currency();
        let mean = self.revenue.checked_div(Decimal::from(self.count))?;
        Ok(Some(mean.round(
            currency.minor_units(),
            attain_types::RoundingStrategy::MidpointNearestEven,
        )))
    }
}

/// The target proposed when none is given: `trailing.revenue x (1 + 10%)`, rounded up to two
/// significant digits ([`round_up_significant`]). See the [module docs](self) for an example.
///
/// | trailing revenue | x 1.1 | target |
/// |---|---|---|
/// | 97,963.70 | 107,760.07 | 110,000 |
/// | 100,000 | 110,000 | 110,000 |
/// | 10.00 | 11.00 | 11 |
/// | 0.40 | 0.44 | 1 |
///
/// # Errors
/// [`Error::Invalid`] when the trailing revenue is zero or negative (no evidence to grow
/// from: give a target); [`Error::Overflow`] or [`Error::Types`] near `Decimal`'s limit.
pub fn default_target(trailing: &TrailingYear) -> Result<Money> {
    let revenue = trailing.revenue;
    if revenue.is_negative() || revenue.is_zero() {
        return Err(Error::Invalid {
            what: "trailing-year revenue",
            reason: format!(
                "no revenue in the 12 months before {} ({}), so no target can be derived from it",
                trailing.period.end(),
                revenue.amount()
            ),
        });
    }
    let grown = revenue.checked_mul(DEFAULT_TARGET_GROWTH.factor())?;
    Ok(Money::new(
        round_up_significant(grown.amount(), DEFAULT_TARGET_DIGITS)?,
        revenue.currency(),
    ))
}

/// Rounds `value` up (towards positive infinity) to whole units, then up to `digits`
/// significant digits: `107759.4` to 2 digits is `110000`, `99.5` is `100`, `7.2` is `8`,
/// `0.44` is `1`. Values of up to `digits` integer digits are only rounded up to whole units.
/// The result has scale 0.
///
/// # Errors
/// [`Error::Invalid`] for `digits == 0`; [`Error::Overflow`] when rounding up passes
/// `Decimal::MAX`.
pub fn round_up_significant(value: Decimal, digits: u32) -> Result<Decimal> {
    let overflow = || Error::Overflow {
        operation: "round up to significant digits",
    };
    if digits == 0 {
        return Err(Error::Invalid {
            what: "significant digits",
            reason: "must be at least 1".to_owned(),
        });
    }
    let mut whole = value.ceil();
    whole.rescale(0);
    let integer_digits = whole
        .mantissa()
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |l| l + 1);
    if integer_digits <= digits {
        return Ok(whole);
    }
    // 10^(integer_digits - digits) <= 10^28 fits an i128 and a Decimal.
    let scale = 10_i128
        .checked_pow(integer_digits - digits)
        .and_then(|p| Decimal::try_from_i128_with_scale(p, 0).ok())
        .ok_or_else(overflow)?;
    let mut rounded = value
        .checked_div(scale)
        .map(|q| q.ceil())
        .and_then(|q| q.checked_mul(scale))
        .ok_or_else(overflow)?;
    rounded.rescale(0);
    Ok(rounded)
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

    #[test]
    fn round_up_significant_table() {
        for (value, digits, expected) in [
            (dec!(107759.4), 2, dec!(110000)),
            (dec!(110000), 2, dec!(110000)),
            (dec!(110000.01), 2, dec!(120000)),
            (dec!(99.5), 2, dec!(100)),
            (dec!(7.2), 2, dec!(8)),
            (dec!(0.44), 2, dec!(1)),
            (dec!(12), 2, dec!(12)),
            (dec!(123), 2, dec!(130)),
            (dec!(123), 1, dec!(200)),
            (dec!(123), 3, dec!(123)),
            (
                dec!(1000000000000000000000000001),
                2,
                dec!(1100000000000000000000000000),
            ),
        ] {
            let got = round_up_significant(value, digits).unwrap();
            assert_eq!(got, expected, "{value} to {digits} digits");
            assert_eq!(got.scale(), 0, "{value}: scale");
        }
        assert!(round_up_significant(dec!(1), 0).is_err());
        assert!(matches!(
            round_up_significant(Decimal::MAX, 2),
            Err(Error::Overflow { .. })
        ));
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn trailing_year_window_is_half_open() {
        let usd = |x| Money::new(x, Currency::USD);
        let history = [
            Actual {
                date: day(1997, 6, 30),
                amount: usd(dec!(1000)),
            }, // before
            Actual {
                date: day(1997, 7, 1),
                amount: usd(dec!(10.01)),
            }, // first day
            Actual {
                date: day(1998, 6, 30),
                amount: usd(dec!(20.02)),
            }, // last day
            Actual {
                date: day(1998, 7, 1),
                amount: usd(dec!(5000)),
            }, // the report date
        ];
        let t = TrailingYear::measure(&history, day(1998, 7, 1), Currency::USD).unwrap();
        assert_eq!(
            t.period,
            Period::new(day(1997, 7, 1), day(1998, 7, 1)).unwrap()
        );
        assert_eq!((t.revenue.amount(), t.count), (dec!(30.03), 2));
        // 30.03 / 2 = 15.015, half to even: 15.02 (the 2 is even).
        assert_eq!(t.mean().unwrap().map(|m| m.amount()), Some(dec!(15.02)));
        // 30.03 x 1.1 = 33.033, up to whole units: 34.
        assert_eq!(default_target(&t).unwrap().amount(), dec!(34));
        let leap = TrailingYear::measure(&[], day(2024, 2, 29), Currency::USD).unwrap();
        assert_eq!(leap.period.start(), day(2023, 2, 28));
        assert_eq!(leap.mean().unwrap(), None);
        assert!(matches!(default_target(&leap), Err(Error::Invalid { .. })));
        let eur = [Actual {
            date: day(1998, 1, 1),
            amount: Money::new(dec!(1), Currency::EUR),
        }];
        assert!(TrailingYear::measure(&eur, day(1998, 7, 1), Currency::USD).is_err());
        assert!(TrailingYear::measure(&[], NaiveDate::MIN, Currency::USD).is_err());
        // Totals: a day's revenue and its rows; the count is the rows, the mean per row.
        let days = history.map(|a| (a, 3));
        let t = TrailingYear::measure_totals(days, day(1998, 7, 1), Currency::USD).unwrap();
        assert_eq!((t.revenue.amount(), t.count), (dec!(30.03), 6));
        assert_eq!(t.mean().unwrap().map(|m| m.amount()), Some(dec!(5.00)));
        let many = history.map(|a| (a, u64::MAX));
        assert!(matches!(
            TrailingYear::measure_totals(many, day(1998, 7, 1), Currency::USD),
            Err(Error::Overflow { .. })
        ));
    }

    #[test]
    fn default_target_pins_the_cdnow_report() {
        // The CDNOW sample's 12 months before 1998-07-01 sum to 97,963.70: `attain report`
        // proposes 110,000 (107,760.07 rounded up to two significant digits).
        let t = TrailingYear {
            period: Period::new(day(1997, 7, 1), day(1998, 7, 1)).unwrap(),
            revenue: Money::new(dec!(97963.70), Currency::XXX),
            count: 1,
        };
        let target = default_target(&t).unwrap();
        assert_eq!(target.amount(), dec!(110000));
        assert_eq!(target.amount().to_string(), "110000");
        // One refund-only year: no target.
        let refunds = TrailingYear {
            revenue: Money::new(dec!(-5), Currency::XXX),
            ..t
        };
        assert!(default_target(&refunds).is_err());
    }
}
