//! Pipeline metrics: sales velocity, coverage, the stage-weighted forecast and channel
//! economics (ROI, cost per lead, cost per acquisition). All exact in `Decimal`.

use attain_types::{Decimal, Money, Rate};

use crate::error::{Error, Result};

/// Sales velocity: revenue the pipeline produces per unit of time,
/// `opportunities * win_rate * deal_size / cycle_length` (cycle in days gives money per day).
///
/// Worked example: 40 opportunities, 25% win rate, 20,000 per deal, 50-day cycle:
/// `40 * 0.25 * 20000 / 50 = 4,000` per day.
///
/// ```
/// use attain_funnel::pipeline::sales_velocity;
/// use attain_types::{Currency, Money, Rate, dec};
/// let v = sales_velocity(40, Rate::new(dec!(0.25))?, Money::new(dec!(20000), Currency::USD), dec!(50))?;
/// assert_eq!(v.amount(), dec!(4000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::NonPositive`] if `cycle_length <= 0`, overflow.
pub fn sales_velocity(
    opportunities: u64,
    win_rate: Rate,
    deal_size: Money,
    cycle_length: Decimal,
) -> Result<Money> {
    if cycle_length <= Decimal::ZERO {
        return Err(Error::NonPositive {
            what: "cycle length",
            value: cycle_length.to_string(),
        });
    }
    Ok(deal_size
        .checked_mul(Decimal::from(opportunities))?
        .checked_mul_rate(win_rate)?
        .checked_div(cycle_length)?)
}

/// Pipeline coverage: `open pipeline / remaining target` (3 means three times the target is
/// in the pipeline).
///
/// Worked example: 900,000 open against 300,000 to go is `3`.
///
/// # Errors
/// A currency mismatch; division by zero if the target is zero.
pub fn coverage_ratio(pipeline: Money, target: Money) -> Result<Decimal> {
    Ok(pipeline.checked_ratio(target)?)
}

/// One pipeline bucket: the open amount at a stage and the probability that it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PipelineStage {
    /// Open amount at the stage.
    pub amount: Money,
    /// Probability that it closes (win rate from this stage).
    pub win_probability: Rate,
}

/// The stage-weighted forecast: `sum of amount * win_probability`. Empty input gives zero in
/// `currency`.
///
/// Worked example: 500,000 at 10% + 200,000 at 40% + 100,000 at 80% = 50,000 + 80,000 +
/// 80,000 = 210,000.
///
/// # Errors
/// A currency mismatch (an amount not in `currency`), overflow.
pub fn weighted_forecast(
    stages: &[PipelineStage],
    currency: attain_types::Currency,
) -> Result<Money> {
    let parts = stages
        .iter()
        .map(|s| s.amount.checked_mul_rate(s.win_probability))
        .collect::<attain_types::Result<Vec<_>>>()?;
    Ok(Money::try_sum(parts, currency)?)
}

/// One acquisition channel over a period: the shared input row of `attain-types`
/// (re-exported; attain-lifecycle's CAC per channel reads the same type).
pub use attain_types::ChannelSpend;

/// Channel economics.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ChannelMetrics {
    /// The channel's name.
    pub name: String,
    /// `spend / leads`; `None` without leads.
    pub cost_per_lead: Option<Money>,
    /// `spend / new customers` (CAC); `None` without new customers.
    pub cost_per_acquisition: Option<Money>,
    /// `(revenue - spend) / spend`; `None` for a free channel or without a revenue.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub roi: Option<Decimal>,
}

/// Cost per lead, cost per acquisition and ROI of a channel (METHOD.md 2.2: estimate each
/// channel's ROI before adding it).
///
/// Worked example: 20,000 spent, 400 leads, 10 customers, 50,000 revenue: 50 per lead,
/// 2,000 per customer, ROI `(50000 - 20000) / 20000 = 1.5`.
///
/// # Errors
/// A currency mismatch between spend and revenue, overflow.
pub fn channel_metrics(channel: &ChannelSpend) -> Result<ChannelMetrics> {
    let roi = match channel.revenue {
        Some(revenue) if !channel.spend.is_zero() => Some(
            revenue
                .checked_sub(channel.spend)?
                .checked_ratio(channel.spend)?,
        ),
        _ => None,
    };
    Ok(ChannelMetrics {
        name: channel.channel.clone(),
        cost_per_lead: channel.cost_per_lead()?,
        cost_per_acquisition: channel.cac()?,
        roi,
    })
}
