//! Unit economics: simple LTV, CAC, LTV:CAC, CAC payback and CAC per channel.
//!
//! Every result is exact at full `Decimal` precision (28 significant digits); round at the
//! output boundary with [`Money::round_to_minor_unit`] or `Decimal::round_dp`.

use attain_types::{Currency, Decimal, Money, Rate};

use crate::error::{Error, Result};

fn non_negative(field: &str, m: Money) -> Result<()> {
    if m.is_negative() {
        return Err(Error::NegativeAmount {
            field: field.to_owned(),
            amount: m.amount(),
        });
    }
    Ok(())
}

fn same_currency(context: &str, expected: Currency, m: Money) -> Result<()> {
    if m.currency() != expected {
        return Err(Error::CurrencyMismatch {
            context: context.to_owned(),
            expected,
            found: m.currency(),
        });
    }
    Ok(())
}

/// Simple customer lifetime value: the margin an average account earns over its expected
/// lifetime of `1 / churn` periods.
///
/// Formula: `LTV = ARPA x gross_margin / churn`, with ARPA (average revenue per account) and
/// churn over the same period (both monthly, or both yearly). Domain: `churn > 0`, ARPA not
/// negative.
///
/// Worked example: ARPA 500 a month, gross margin 80%, monthly churn 2%:
/// `500 x 0.8 / 0.02 = 20,000`.
///
/// ```
/// use attain_lifecycle::economics::simple_ltv;
/// use attain_types::{Currency, Money, Rate, dec};
/// let ltv = simple_ltv(Money::new(dec!(500), Currency::USD), Rate::new(dec!(0.8))?, Rate::new(dec!(0.02))?)?;
/// assert_eq!(ltv.amount(), dec!(20000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] when churn is zero (an account that never churns has no
/// finite simple LTV), [`Error::NegativeAmount`] for a negative ARPA, [`Error::Types`] on
/// overflow.
pub fn simple_ltv(arpa: Money, gross_margin: Rate, churn: Rate) -> Result<Money> {
    non_negative("arpa", arpa)?;
    if churn.is_zero() {
        return Err(Error::ZeroDenominator {
            metric: "simple ltv",
            denominator: "churn rate",
        });
    }
    Ok(arpa
        .checked_mul_rate(gross_margin)?
        .checked_div(churn.to_decimal())?)
}

/// Customer acquisition cost: sales and marketing spend per new customer.
///
/// Formula: `CAC = spend / new_customers`. Domain: `new_customers > 0`, spend not negative.
///
/// Worked example: 30,000 spent for 60 new customers is a CAC of 500.
///
/// ```
/// use attain_lifecycle::economics::cac;
/// use attain_types::{Currency, Money, dec};
/// assert_eq!(cac(Money::new(dec!(30000), Currency::USD), 60)?.amount(), dec!(500));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] with no new customers, [`Error::NegativeAmount`] for a negative
/// spend.
pub fn cac(spend: Money, new_customers: u64) -> Result<Money> {
    non_negative("sales and marketing spend", spend)?;
    if new_customers == 0 {
        return Err(Error::ZeroDenominator {
            metric: "cac",
            denominator: "new customers",
        });
    }
    Ok(spend.checked_div(Decimal::from(new_customers))?)
}

/// The LTV:CAC ratio (3 or more is the usual rule of thumb for a healthy business).
///
/// Formula: `ltv / cac`. Domain: `cac > 0`, same currency.
///
/// ```
/// use attain_lifecycle::economics::ltv_to_cac;
/// use attain_types::{Currency, Money, dec};
/// let usd = |d| Money::new(d, Currency::USD);
/// assert_eq!(ltv_to_cac(usd(dec!(20000)), usd(dec!(500)))?, dec!(40));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] when CAC is zero, [`Error::Types`] on a currency mismatch.
pub fn ltv_to_cac(ltv: Money, cac: Money) -> Result<Decimal> {
    if cac.is_zero() {
        return Err(Error::ZeroDenominator {
            metric: "ltv:cac",
            denominator: "cac",
        });
    }
    Ok(ltv.checked_ratio(cac)?)
}

/// CAC payback: the months of gross margin it takes to earn back the cost of acquiring a
/// customer.
///
/// Formula: `cac / (arpa_monthly x gross_margin)`, a fraction of months (round up with
/// `Decimal::ceil` for whole months). Domain: `arpa x margin > 0`.
///
/// Worked example: CAC 500, ARPA 500 a month at 80% margin: `500 / 400 = 1.25` months.
///
/// ```
/// use attain_lifecycle::economics::cac_payback_months;
/// use attain_types::{Currency, Money, Rate, dec};
/// let usd = |d| Money::new(d, Currency::USD);
/// assert_eq!(cac_payback_months(usd(dec!(500)), usd(dec!(500)), Rate::new(dec!(0.8))?)?, dec!(1.25));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::ZeroDenominator`] when the monthly margin is zero, [`Error::NegativeAmount`] for
/// a negative ARPA, [`Error::Types`] on a currency mismatch.
pub fn cac_payback_months(cac: Money, arpa_monthly: Money, gross_margin: Rate) -> Result<Decimal> {
    non_negative("arpa", arpa_monthly)?;
    let margin = arpa_monthly.checked_mul_rate(gross_margin)?;
    if margin.is_zero() {
        return Err(Error::ZeroDenominator {
            metric: "cac payback",
            denominator: "monthly gross margin per account",
        });
    }
    Ok(cac.checked_ratio(margin)?)
}

/// The inputs of [`UnitEconomics::compute`], over one period (say, a month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UnitEconomicsInput {
    /// Average revenue per account per month.
    pub arpa_monthly: Money,
    /// Gross margin on that revenue.
    pub gross_margin: Rate,
    /// Monthly churn (logo churn, or revenue churn for a revenue-weighted LTV).
    pub monthly_churn: Rate,
    /// Sales and marketing spend in the month.
    pub spend: Money,
    /// New customers won in the month.
    pub new_customers: u64,
}

/// LTV, CAC, LTV:CAC and CAC payback together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct UnitEconomics {
    /// [`simple_ltv`].
    pub ltv: Money,
    /// [`cac`].
    pub cac: Money,
    /// [`ltv_to_cac`]; `None` when CAC is zero (free acquisition).
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub ltv_to_cac: Option<Decimal>,
    /// [`cac_payback_months`].
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub payback_months: Decimal,
}

impl UnitEconomics {
    /// Computes every unit-economics figure from one period's inputs.
    ///
    /// ```
    /// use attain_lifecycle::economics::{UnitEconomics, UnitEconomicsInput};
    /// use attain_types::{Currency, Money, Rate, dec};
    /// let usd = |d| Money::new(d, Currency::USD);
    /// let u = UnitEconomics::compute(&UnitEconomicsInput {
    ///     arpa_monthly: usd(dec!(500)), gross_margin: Rate::new(dec!(0.8))?,
    ///     monthly_churn: Rate::new(dec!(0.02))?, spend: usd(dec!(30000)), new_customers: 60,
    /// })?;
    /// assert_eq!(u.ltv_to_cac, Some(dec!(40)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`simple_ltv`], [`cac`] and [`cac_payback_months`]; [`Error::CurrencyMismatch`]
    /// when spend and ARPA differ in currency.
    pub fn compute(input: &UnitEconomicsInput) -> Result<UnitEconomics> {
        same_currency(
            "sales and marketing spend",
            input.arpa_monthly.currency(),
            input.spend,
        )?;
        let ltv = simple_ltv(input.arpa_monthly, input.gross_margin, input.monthly_churn)?;
        let cac = cac(input.spend, input.new_customers)?;
        Ok(UnitEconomics {
            ltv,
            cac,
            ltv_to_cac: if cac.is_zero() {
                None
            } else {
                Some(ltv_to_cac(ltv, cac)?)
            },
            payback_months: cac_payback_months(cac, input.arpa_monthly, input.gross_margin)?,
        })
    }
}

/// One acquisition channel's spend and the new customers it brought: the shared row of
/// `attain-types` (re-exported; attain-funnel's channel ROI reads the same type).
pub use attain_types::ChannelSpend;

/// One channel's CAC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ChannelCac {
    /// The channel's name.
    pub channel: String,
    /// Its spend.
    pub spend: Money,
    /// Its new customers.
    pub new_customers: u64,
    /// `spend / new_customers`; `None` when the channel brought no customer.
    pub cac: Option<Money>,
}

/// CAC per channel and blended over all channels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ChannelCacReport {
    /// One entry per channel, in input order.
    pub channels: Vec<ChannelCac>,
    /// Total spend of all channels.
    pub total_spend: Money,
    /// Total new customers of all channels.
    pub total_new_customers: u64,
    /// `total_spend / total_new_customers`; `None` with no new customer at all.
    pub blended: Option<Money>,
}

/// CAC per acquisition channel, to compare channels before adding spend (METHOD.md 2.2).
///
/// Per channel: `spend / new_customers` (`None` for a channel with no customers, whose spend
/// still counts in the blended figure). Blended: `sum(spend) / sum(new_customers)`, which is
/// the customer-weighted mean of the channel CACs, not their plain average.
///
/// ```
/// use attain_lifecycle::economics::{channel_cac, ChannelSpend};
/// use attain_types::{Currency, Money, dec};
/// let ch = |name, spend, n| ChannelSpend::new(name, Money::new(spend, Currency::CNY), n);
/// let r = channel_cac(&[ch("live-stream", dec!(20000), 50), ch("partners", dec!(10000), 10)], Currency::CNY)?;
/// assert_eq!(r.channels[0].cac.map(|m| m.amount()), Some(dec!(400)));
/// assert_eq!(r.channels[1].cac.map(|m| m.amount()), Some(dec!(1000)));
/// assert_eq!(r.blended.map(|m| m.amount()), Some(dec!(500))); // 30,000 / 60
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::CurrencyMismatch`] or [`Error::NegativeAmount`] naming the channel;
/// [`Error::Types`] on overflow.
pub fn channel_cac(channels: &[ChannelSpend], currency: Currency) -> Result<ChannelCacReport> {
    let mut total_spend = Money::zero(currency);
    let mut total_new: u64 = 0;
    let mut out = Vec::with_capacity(channels.len());
    for c in channels {
        let field = format!("spend of channel {}", c.channel);
        same_currency(&field, currency, c.spend)?;
        non_negative(&field, c.spend)?;
        total_spend = total_spend.checked_add(c.spend)?;
        total_new =
            total_new
                .checked_add(c.new_customers)
                .ok_or(attain_types::Error::Overflow {
                    operation: "new customers sum",
                })?;
        out.push(ChannelCac {
            channel: c.channel.clone(),
            spend: c.spend,
            new_customers: c.new_customers,
            cac: c.cac()?,
        });
    }
    Ok(ChannelCacReport {
        channels: out,
        total_spend,
        total_new_customers: total_new,
        blended: if total_new == 0 {
            None
        } else {
            Some(cac(total_spend, total_new)?)
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn zero_denominators_are_typed_errors() {
        let usd = |d| Money::new(d, Currency::USD);
        assert_eq!(
            simple_ltv(usd(dec!(1)), Rate::ONE, Rate::ZERO)
                .unwrap_err()
                .to_string(),
            "simple ltv is undefined: churn rate is zero"
        );
        assert!(matches!(
            cac(usd(dec!(1)), 0),
            Err(Error::ZeroDenominator { .. })
        ));
        assert!(matches!(
            ltv_to_cac(usd(dec!(1)), usd(dec!(0))),
            Err(Error::ZeroDenominator { .. })
        ));
        assert!(matches!(
            cac_payback_months(usd(dec!(1)), usd(dec!(1)), Rate::ZERO),
            Err(Error::ZeroDenominator { .. })
        ));
    }

    #[test]
    fn channel_with_no_customers_has_no_cac_but_counts_in_blended() {
        let ch = |n, s, k| ChannelSpend::new(n, Money::new(s, Currency::USD), k);
        let r = channel_cac(
            &[ch("a", dec!(100), 0), ch("b", dec!(100), 4)],
            Currency::USD,
        )
        .unwrap();
        assert_eq!(r.channels[0].cac, None);
        assert_eq!(r.blended.unwrap().amount(), dec!(50));
        let none = channel_cac(&[ch("a", dec!(100), 0)], Currency::USD).unwrap();
        assert_eq!(none.blended, None);
        let e = channel_cac(&[ch("x", dec!(-1), 1)], Currency::USD).unwrap_err();
        assert_eq!(
            e.to_string(),
            "spend of channel x must not be negative, got -1"
        );
    }
}
