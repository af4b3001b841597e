//! Stage metrics (METHOD.md 2.1): awareness reach and its growth, interest conversion to
//! proposal, decision close rate, loyalty repurchase rate and referral share.
//!
//! Each function takes plain counts and returns an exact [`Rate`] or [`Growth`].
//! [`StageMetrics::from_counts`] measures all of them at once and gives `None` where a base is
//! zero, so one empty stage does not hide the others.

use core::fmt;

use attain_types::{Decimal, Growth, Rate};

use crate::error::{Error, Result};

/// A stage of the customer lifecycle, in the order customers move through them.
///
/// `Ord` follows the lifecycle: `Awareness < Interest < Decision < Loyalty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum LifecycleStage {
    /// Customers learn that the offer exists; measured by reach.
    Awareness,
    /// Prospects consider the offer; measured by conversion to proposal.
    Interest,
    /// Prospects decide; measured by close rate.
    Decision,
    /// Customers come back and bring others; measured by repurchase rate and referral share.
    Loyalty,
}

impl LifecycleStage {
    /// Every stage, in lifecycle order.
    pub const ALL: [LifecycleStage; 4] = [
        LifecycleStage::Awareness,
        LifecycleStage::Interest,
        LifecycleStage::Decision,
        LifecycleStage::Loyalty,
    ];

    /// The lower-case name (`"awareness"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            LifecycleStage::Awareness => "awareness",
            LifecycleStage::Interest => "interest",
            LifecycleStage::Decision => "decision",
            LifecycleStage::Loyalty => "loyalty",
        }
    }
}

/// The lower-case name: `awareness`, `interest`, `decision`, `loyalty`.
impl fmt::Display for LifecycleStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `part / whole` as a rate, with errors naming the metric.
fn share(
    metric: &'static str,
    part: u64,
    part_name: &'static str,
    whole: u64,
    whole_name: &'static str,
) -> Result<Rate> {
    if whole == 0 {
        return Err(Error::ZeroDenominator {
            metric,
            denominator: whole_name,
        });
    }
    if part > whole {
        return Err(Error::CountExceedsBase {
            metric,
            part,
            part_name,
            whole,
            whole_name,
        });
    }
    Ok(Rate::from_ratio(part, whole)?)
}

/// Awareness: the growth of reach (customers touched in a period) over the previous period.
///
/// Formula: `current / previous - 1`, signed and unbounded (a [`Growth`]).
/// Domain: any counts; `previous = 0` has no growth rate.
///
/// ```
/// use attain_lifecycle::stage::reach_growth;
/// use attain_types::dec;
/// // METHOD.md 2.1: exposure up 30%, 1,000 -> 1,300 customers reached a month.
/// assert_eq!(reach_growth(1000, 1300)?.to_decimal(), dec!(0.3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] if `previous` is 0.
pub fn reach_growth(previous: u64, current: u64) -> Result<Growth> {
    if previous == 0 {
        return Err(Error::ZeroDenominator {
            metric: "reach growth",
            denominator: "reach in the previous period",
        });
    }
    Ok(Growth::between(
        Decimal::from(previous),
        Decimal::from(current),
    )?)
}

/// Interest: the share of interested prospects who reach the proposal stage.
///
/// Formula: `proposals / interested`. Domain: `proposals <= interested`.
///
/// ```
/// use attain_lifecycle::stage::interest_conversion;
/// use attain_types::dec;
/// assert_eq!(interest_conversion(200, 100)?.to_decimal(), dec!(0.5)); // METHOD.md 2.1: 50%
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] if `interested` is 0, [`Error::CountExceedsBase`] if
/// `proposals > interested`.
pub fn interest_conversion(interested: u64, proposals: u64) -> Result<Rate> {
    share(
        "interest conversion",
        proposals,
        "proposals",
        interested,
        "interested prospects",
    )
}

/// Decision: the share of proposals that close.
///
/// Formula: `deals / proposals`. Domain: `deals <= proposals`.
///
/// ```
/// use attain_lifecycle::stage::close_rate;
/// use attain_types::dec;
/// assert_eq!(close_rate(100, 40)?.to_decimal(), dec!(0.4)); // METHOD.md 2.1: 40%
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] if `proposals` is 0, [`Error::CountExceedsBase`] if
/// `deals > proposals`.
pub fn close_rate(proposals: u64, deals: u64) -> Result<Rate> {
    share("close rate", deals, "deals", proposals, "proposals")
}

/// Loyalty: the share of a period's customers who buy again in the next period (yearly in
/// METHOD.md 2.1).
///
/// Formula: `repurchasers / customers`. Domain: `repurchasers <= customers`.
///
/// ```
/// use attain_lifecycle::stage::repurchase_rate;
/// use attain_types::dec;
/// assert_eq!(repurchase_rate(400, 300)?.to_decimal(), dec!(0.75)); // METHOD.md 2.1: 75%
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] if `customers` is 0, [`Error::CountExceedsBase`] if
/// `repurchasers > customers`.
pub fn repurchase_rate(customers: u64, repurchasers: u64) -> Result<Rate> {
    share(
        "repurchase rate",
        repurchasers,
        "repurchasers",
        customers,
        "customers",
    )
}

/// Loyalty: the share of new customers who came by referral.
///
/// Formula: `referred / new_customers`. Domain: `referred <= new_customers`.
///
/// ```
/// use attain_lifecycle::stage::referral_share;
/// use attain_types::dec;
/// assert_eq!(referral_share(50, 10)?.to_decimal(), dec!(0.2)); // METHOD.md 2.1: 20%
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] if `new_customers` is 0, [`Error::CountExceedsBase`] if
/// `referred > new_customers`.
pub fn referral_share(new_customers: u64, referred: u64) -> Result<Rate> {
    share(
        "referral share",
        referred,
        "referred customers",
        new_customers,
        "new customers",
    )
}

/// The efficiency gain of raising a conversion rate from `before` to `after`.
///
/// Formula: `after / before - 1`. With the same input (trial attendees, proposals), the
/// output grows by this fraction; equivalently, one result needs `before / after` of the
/// input it needed before. A fall gives a negative gain.
///
/// Worked example (METHOD.md 2.1, the education case): trial-class conversion 25% -> 42% is a
/// 68% gain, `42 / 25 = 1.68`; one enrolment then needs `25 / 42 = 0.595...` of the trial
/// attendees it used to.
///
/// ```
/// use attain_lifecycle::stage::efficiency_gain;
/// use attain_types::{Rate, dec};
/// let gain = efficiency_gain(Rate::new(dec!(0.25))?, Rate::new(dec!(0.42))?)?;
/// assert_eq!(gain.to_decimal(), dec!(0.68));
/// assert_eq!(gain.to_string(), "+68%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] if `before` is zero (any gain from nothing is unbounded).
pub fn efficiency_gain(before: Rate, after: Rate) -> Result<Growth> {
    if before.is_zero() {
        return Err(Error::ZeroDenominator {
            metric: "efficiency gain",
            denominator: "rate before the change",
        });
    }
    Ok(Growth::between(before.to_decimal(), after.to_decimal())?)
}

/// Counts measured over one period, from which [`StageMetrics`] are computed.
///
/// A plain input: fill in what you have and leave the rest at zero (a zero base gives `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageCounts {
    /// Customers touched in the period (awareness reach).
    pub reached: u64,
    /// Customers touched in the previous period (for reach growth).
    pub reached_previous: u64,
    /// Interested prospects.
    pub interested: u64,
    /// Interested prospects who reached the proposal stage.
    pub proposals: u64,
    /// Proposals that closed.
    pub deals: u64,
    /// Customers of the earlier period whose repurchase is measured.
    pub customers: u64,
    /// Of those, customers who bought again.
    pub repurchasers: u64,
    /// New customers won in the period.
    pub new_customers: u64,
    /// Of those, customers who came by referral.
    pub referred: u64,
}

/// The stage metrics of one period; `None` where the base count is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StageMetrics {
    /// Awareness: customers touched in the period.
    pub reach: u64,
    /// Awareness: growth of reach over the previous period ([`reach_growth`]).
    pub reach_growth: Option<Growth>,
    /// Interest: conversion to proposal ([`interest_conversion`]).
    pub interest_conversion: Option<Rate>,
    /// Decision: close rate ([`close_rate`]).
    pub close_rate: Option<Rate>,
    /// Loyalty: repurchase rate ([`repurchase_rate`]).
    pub repurchase_rate: Option<Rate>,
    /// Loyalty: share of new customers who were referred ([`referral_share`]).
    pub referral_share: Option<Rate>,
}

impl StageMetrics {
    /// Every stage metric from one period's counts.
    ///
    /// ```
    /// use attain_lifecycle::stage::{StageCounts, StageMetrics};
    /// use attain_types::dec;
    /// let counts = StageCounts {
    ///     reached: 1300, reached_previous: 1000, interested: 200, proposals: 100, deals: 40,
    ///     ..StageCounts::default()
    /// };
    /// let m = StageMetrics::from_counts(&counts)?;
    /// assert_eq!(m.reach_growth.map(|g| g.to_decimal()), Some(dec!(0.3)));
    /// assert_eq!(m.close_rate.map(|r| r.to_decimal()), Some(dec!(0.4)));
    /// assert_eq!(m.repurchase_rate, None); // no customers given
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CountExceedsBase`] when a part exceeds its base (such as more deals than
    /// proposals). Zero bases are not errors here: the metric is `None`.
    pub fn from_counts(counts: &StageCounts) -> Result<StageMetrics> {
        fn optional<T>(base: u64, f: impl FnOnce() -> Result<T>) -> Result<Option<T>> {
            if base == 0 { Ok(None) } else { f().map(Some) }
        }
        let c = counts;
        Ok(StageMetrics {
            reach: c.reached,
            reach_growth: optional(c.reached_previous, || {
                reach_growth(c.reached_previous, c.reached)
            })?,
            interest_conversion: optional(c.interested, || {
                interest_conversion(c.interested, c.proposals)
            })?,
            close_rate: optional(c.proposals, || close_rate(c.proposals, c.deals))?,
            repurchase_rate: optional(c.customers, || {
                repurchase_rate(c.customers, c.repurchasers)
            })?,
            referral_share: optional(c.new_customers, || {
                referral_share(c.new_customers, c.referred)
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn share_errors_name_the_counts() {
        assert_eq!(
            interest_conversion(10, 12).unwrap_err().to_string(),
            "interest conversion: 12 proposals exceed 10 interested prospects"
        );
        assert_eq!(
            close_rate(0, 0).unwrap_err().to_string(),
            "close rate is undefined: proposals is zero"
        );
    }

    #[test]
    fn efficiency_gain_of_a_fall_is_negative() {
        let g = efficiency_gain(
            Rate::new(dec!(0.5)).unwrap(),
            Rate::new(dec!(0.25)).unwrap(),
        );
        assert_eq!(g.unwrap().to_decimal(), dec!(-0.5));
        assert!(efficiency_gain(Rate::ZERO, Rate::ONE).is_err());
    }

    #[test]
    fn stage_order_follows_lifecycle() {
        let mut s = [
            LifecycleStage::Loyalty,
            LifecycleStage::Awareness,
            LifecycleStage::Decision,
            LifecycleStage::Interest,
        ];
        s.sort();
        assert_eq!(s, LifecycleStage::ALL);
        assert_eq!(LifecycleStage::Decision.to_string(), "decision");
    }
}
