//! One acquisition channel's spend and results: the input of CAC, cost per lead and ROI.

use rust_decimal::Decimal;

use crate::{Money, Result};

/// One acquisition channel over a period: what it cost and what it brought. A plain input
/// row, shared by attain-lifecycle (CAC per channel, blended CAC) and attain-funnel (cost per
/// lead, cost per acquisition, ROI).
///
/// ```
/// use attain_types::{ChannelSpend, Currency, Money, dec};
/// let usd = |d| Money::new(d, Currency::USD);
/// let live = ChannelSpend::new("live stream", usd(dec!(20000)), 10)
///     .leads(400)
///     .revenue(usd(dec!(50000)));
/// assert_eq!(live.cac()?.map(|m| m.amount()), Some(dec!(2000)));
/// assert_eq!(live.cost_per_lead()?.map(|m| m.amount()), Some(dec!(50)));
/// # Ok::<(), attain_types::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelSpend {
    /// The channel's name (`"live stream"`, `"partners"`).
    pub channel: String,
    /// Sales and marketing spend attributed to the channel.
    pub spend: Money,
    /// Leads it brought (0 when not tracked).
    pub leads: u64,
    /// New customers (won deals) attributed to it.
    pub new_customers: u64,
    /// Revenue (or gross margin, for a margin ROI) from those customers, if known.
    pub revenue: Option<Money>,
}

impl ChannelSpend {
    /// A channel with its spend and new customers; no leads and no revenue recorded.
    #[must_use]
    pub fn new(channel: &str, spend: Money, new_customers: u64) -> ChannelSpend {
        ChannelSpend {
            channel: channel.to_owned(),
            spend,
            leads: 0,
            new_customers,
            revenue: None,
        }
    }

    /// Sets the leads.
    #[must_use]
    pub fn leads(mut self, leads: u64) -> ChannelSpend {
        self.leads = leads;
        self
    }

    /// Sets the revenue.
    #[must_use]
    pub fn revenue(mut self, revenue: Money) -> ChannelSpend {
        self.revenue = Some(revenue);
        self
    }

    /// CAC: `spend / new_customers`, exact; `None` without a new customer.
    ///
    /// # Errors
    /// [`Error::Overflow`](crate::Error::Overflow) if the quotient cannot be represented.
    pub fn cac(&self) -> Result<Option<Money>> {
        per(self.spend, self.new_customers)
    }

    /// `spend / leads`, exact; `None` without a lead.
    ///
    /// # Errors
    /// [`Error::Overflow`](crate::Error::Overflow) if the quotient cannot be represented.
    pub fn cost_per_lead(&self) -> Result<Option<Money>> {
        per(self.spend, self.leads)
    }
}

fn per(spend: Money, n: u64) -> Result<Option<Money>> {
    if n == 0 {
        Ok(None)
    } else {
        spend.checked_div(Decimal::from(n)).map(Some)
    }
}
