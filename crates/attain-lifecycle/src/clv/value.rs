//! Discounted customer lifetime value from a purchase model and the Gamma-Gamma spend model.

use attain_types::{Decimal, Rate};

use super::summary::{DAYS_PER_MONTH, TimeUnit};
use super::{CustomerSummary, GammaGammaParams, PurchaseModel, check_positive};
use crate::{Error, Result};

/// The longest horizon the CLV functions accept, in days: a century (100 × 365.25 days, 1,200
/// months). Longer horizons are [`Error::HorizonTooLong`].
pub const MAX_HORIZON_DAYS: f64 = 36_525.0;

/// Checks a horizon given in days: finite, not negative, at most [`MAX_HORIZON_DAYS`].
///
/// ```
/// use attain_lifecycle::clv::check_horizon_days;
/// assert!(check_horizon_days(273.0).is_ok());
/// assert!(check_horizon_days(1e300 * 7.0).is_err()); // --horizon 1e300w
/// ```
///
/// # Errors
/// [`Error::InvalidModelInput`] for a negative or non-finite horizon,
/// [`Error::HorizonTooLong`] above the maximum.
pub fn check_horizon_days(days: f64) -> Result<()> {
    if !days.is_finite() || days < 0.0 {
        return Err(Error::InvalidModelInput {
            name: "horizon",
            value: days,
            reason: "must be finite and not negative",
        });
    }
    if days > MAX_HORIZON_DAYS {
        return Err(Error::HorizonTooLong {
            days,
            max_days: MAX_HORIZON_DAYS,
        });
    }
    Ok(())
}

/// Horizon, discounting and time unit of [`customer_lifetime_value`].
///
/// Defaults: 12 months, 1% a month, a model fitted in weeks, months of 30.4375 days.
///
/// ```
/// use attain_lifecycle::clv::{ClvOptions, TimeUnit};
/// use attain_types::{dec, Rate};
///
/// // A model fitted in days; value over 2 years at 0.8% a month; lifetimes' 30-day months.
/// let options = ClvOptions::default()
///     .months(24.0)
///     .monthly_discount(Rate::new(dec!(0.008))?)
///     .unit(TimeUnit::Days)
///     .days_per_month(30.0);
/// assert_eq!(options.unit.per_month(options.days_per_month), 30.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClvOptions {
    /// Horizon in months (a fraction makes the last step partial). Default 12.
    pub months: f64,
    /// Discount rate per month. Default 1%.
    pub monthly_discount: Rate,
    /// The time unit the purchase model was fitted in. Default weeks.
    pub unit: TimeUnit,
    /// Days in a month. Default [`DAYS_PER_MONTH`] (365.25 / 12); `lifetimes` uses 30 for daily
    /// models and 4.345 weeks (30.415 days) for weekly ones.
    pub days_per_month: f64,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            months: 12.0,
            monthly_discount: Rate::new(Decimal::new(1, 2)).unwrap_or(Rate::ZERO),
            unit: TimeUnit::Weeks,
            days_per_month: DAYS_PER_MONTH,
        }
    }
}

impl ClvOptions {
    /// Sets the horizon in months.
    #[must_use]
    pub fn months(mut self, months: f64) -> Self {
        self.months = months;
        self
    }

    /// Sets the monthly discount rate.
    #[must_use]
    pub fn monthly_discount(mut self, rate: Rate) -> Self {
        self.monthly_discount = rate;
        self
    }

    /// Sets the model's time unit.
    #[must_use]
    pub fn unit(mut self, unit: TimeUnit) -> Self {
        self.unit = unit;
        self
    }

    /// Sets the number of days in a month.
    #[must_use]
    pub fn days_per_month(mut self, days: f64) -> Self {
        self.days_per_month = days;
        self
    }
}

/// The discounted expected value of a customer's purchases over the next `months`:
///
/// ```text
/// CLV = Σ_{i=1}^{⌈M⌉} [E(min(i, M)·u) − E((i−1)·u)] · spend / (1+d)^i
/// ```
///
/// where `E(h)` is the model's conditional expected purchases in `(T, T+h]`, `u` the model units
/// in a month (`days_per_month / unit.days()`: 4.348 weeks, or 30.4375 days), `M` the months,
/// `d` the monthly discount rate, and `spend` the Gamma-Gamma conditional expected spend per
/// purchase. This is the monthly-discounting scheme of Fader, Hardie and Lee (2005b) and of the
/// `lifetimes` package (which uses 30 days or 4.345 weeks per month; set
/// [`ClvOptions::days_per_month`] to match it).
///
/// The result is an `f64` estimate in the currency of the amounts summarised; round it at
/// your output boundary (for example into `Money` via `Decimal::try_from`).
///
/// Cost: one call of [`PurchaseModel::conditional_expected_purchases_at`] over the month ends,
/// linear in the number of months (BG/NBD continues its hypergeometric function from month to
/// month; Pareto/NBD is closed form). The horizon is at most [`MAX_HORIZON_DAYS`]. For many
/// customers use [`customer_lifetime_values`], which gives the same numbers and evaluates
/// BG/NBD and MBG/NBD once per distinct `(x, T)`.
///
/// Worked example: with no discount, one month, and a model expecting 0.5 purchases in the
/// month, a customer expected to spend 40 a purchase is worth 20.
///
/// # Errors
/// [`Error::InvalidModelInput`] for a horizon that is negative or not finite, a month length
/// that is not positive, or invalid parameters; [`Error::HorizonTooLong`] for more than
/// [`MAX_HORIZON_DAYS`]; [`Error::InvalidSummary`] (index 0) for an invalid summary, or a repeat
/// buyer whose mean repeat spend is not positive (no spend prediction, see
/// [`CustomerSummary::is_spend_excluded`]); errors of the model's
/// `conditional_expected_purchases` and of [`GammaGammaParams::conditional_expected_spend`].
pub fn customer_lifetime_value<M: PurchaseModel + ?Sized>(
    model: &M,
    spend: &GammaGammaParams,
    summary: &CustomerSummary,
    options: ClvOptions,
) -> Result<f64> {
    let horizon = MonthEnds::new(options)?;
    let per_purchase = spend.conditional_expected_spend(summary)?;
    Ok(horizon.discounted_purchases(model, summary)? * per_purchase)
}

/// The month ends of a CLV horizon, in model units, and the monthly discount rate: what
/// [`customer_lifetime_value`] needs besides the customer.
#[derive(Debug, Clone)]
struct MonthEnds {
    ends: Vec<f64>,
    discount: f64,
}

impl MonthEnds {
    fn new(options: ClvOptions) -> Result<Self> {
        if !options.months.is_finite() || options.months < 0.0 {
            return Err(Error::InvalidModelInput {
                name: "months",
                value: options.months,
                reason: "must be finite and not negative",
            });
        }
        check_positive("days_per_month", options.days_per_month)?;
        check_horizon_days(options.months * options.days_per_month)?;
        let discount = f64::try_from(options.monthly_discount.to_decimal()).unwrap_or(0.0);
        let unit_per_month = options.unit.per_month(options.days_per_month);
        // At most 1,200 month ends (MAX_HORIZON_DAYS with 30.4375-day months; more only for
        // shorter months), evaluated in one sweep.
        let steps = options.months.ceil() as u64;
        let ends: Vec<f64> = (1..=steps)
            .map(|i| (i as f64).min(options.months) * unit_per_month)
            .collect();
        Ok(MonthEnds { ends, discount })
    }

    /// `Σ [E(end_i) − E(end_{i−1})] / (1+d)^i`: the discounted expected purchases, which
    /// depend on the customer's `(x, t_x, T)` only.
    fn discounted_purchases<M: PurchaseModel + ?Sized>(
        &self,
        model: &M,
        summary: &CustomerSummary,
    ) -> Result<f64> {
        Ok(self.discount(model.conditional_expected_purchases_at(summary, &self.ends)?))
    }

    /// `Σ [E(end_i) − E(end_{i−1})] / (1+d)^i` of the expectations at the month ends.
    fn discount(&self, expected: Vec<f64>) -> f64 {
        let mut value = 0.0;
        let mut previous = 0.0;
        let mut factor = 1.0;
        for e in expected {
            factor /= 1.0 + self.discount;
            value += (e - previous).max(0.0) * factor;
            previous = e;
        }
        value
    }
}

/// [`customer_lifetime_value`] of every customer of `summaries`, for one model, horizon and
/// discount: each value is bit for bit the one the function gives, and the error is the first
/// failing customer's (its index and the function's error). The purchase model, the costly
/// part, is asked for the whole base at once
/// ([`PurchaseModel::conditional_expected_purchases_at_each`]): BG/NBD and MBG/NBD then
/// compute the expectation given alive once per distinct `(x, T)`, far fewer evaluations than
/// customers on a large base.
///
/// ```
/// use attain_lifecycle::clv::{
///     BgNbdParams, ClvOptions, CustomerSummary, GammaGammaParams, customer_lifetime_value,
///     customer_lifetime_values,
/// };
/// let model = BgNbdParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let spend = GammaGammaParams { p: 6.25, q: 3.74, gamma: 15.44 };
/// let options = ClvOptions::default().months(12.0);
/// let base = [
///     CustomerSummary { x: 3, t_x: 30.0, t: 38.0, mean_repeat_spend: 40.0 },
///     CustomerSummary { x: 3, t_x: 12.0, t: 38.0, mean_repeat_spend: 55.0 }, // same (x, T)
/// ];
/// let values = customer_lifetime_values(&model, &spend, &base, options).map_err(|(_, e)| e)?;
/// for (s, v) in base.iter().zip(values) {
///     assert_eq!(v, customer_lifetime_value(&model, &spend, s, options)?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The first failing customer's index and the error [`customer_lifetime_value`] gives it.
pub fn customer_lifetime_values<M: PurchaseModel + ?Sized>(
    model: &M,
    spend: &GammaGammaParams,
    summaries: &[CustomerSummary],
    options: ClvOptions,
) -> std::result::Result<Vec<f64>, (usize, Error)> {
    if summaries.is_empty() {
        return Ok(Vec::new());
    }
    let horizon = MonthEnds::new(options).map_err(|e| (0, e))?;
    // Spend first, as the one-customer function checks it first: only the customers before
    // the first spend error need the model.
    let mut per_purchase = Vec::with_capacity(summaries.len());
    let mut spend_error = None;
    for (i, s) in summaries.iter().enumerate() {
        match spend.conditional_expected_spend(s) {
            Ok(v) => per_purchase.push(v),
            Err(e) => {
                spend_error = Some((i, e));
                break;
            }
        }
    }
    let expected = model
        .conditional_expected_purchases_at_each(&summaries[..per_purchase.len()], &horizon.ends)?;
    if let Some(error) = spend_error {
        return Err(error);
    }
    Ok(expected
        .into_iter()
        .zip(per_purchase)
        .map(|(e, per)| horizon.discount(e) * per)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::BgNbdParams;

    #[test]
    fn clv_without_discount_is_spend_times_expected_purchases() {
        let model = BgNbdParams {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let spend = GammaGammaParams {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let s = CustomerSummary {
            x: 3,
            t_x: 30.0,
            t: 38.0,
            mean_repeat_spend: 40.0,
        };
        let options = ClvOptions::default()
            .months(6.5)
            .monthly_discount(Rate::ZERO);
        let clv = customer_lifetime_value(&model, &spend, &s, options).unwrap();
        let weeks = 6.5 * DAYS_PER_MONTH / 7.0;
        let want = model.conditional_expected_purchases(&s, weeks).unwrap()
            * spend.conditional_expected_spend(&s).unwrap();
        assert!((clv - want).abs() < 1e-9 * want, "{clv} vs {want}");
        // Discounting can only lower the value.
        let discounted = customer_lifetime_value(
            &model,
            &spend,
            &s,
            options.monthly_discount(Rate::new(Decimal::new(1, 2)).unwrap()),
        )
        .unwrap();
        assert!(discounted < clv);
    }
}
