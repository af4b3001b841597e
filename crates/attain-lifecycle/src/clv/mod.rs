//! Probabilistic customer lifetime value: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma and the
//! shifted-beta-geometric model, fitted by maximum likelihood.
//!
//! ```
//! use attain_lifecycle::clv::{
//!     customer_lifetime_value, fit_bg_nbd, fit_gamma_gamma, ClvOptions, CustomerSummary,
//!     PurchaseModel,
//! };
//! use attain_types::{dec, Rate};
//!
//! // (x repeat purchases, t_x, T) in weeks, with each customer's mean repeat spend.
//! let mut summaries = Vec::new();
//! for i in 0..100_u32 {
//!     let t = 30.0 + f64::from(i % 10);
//!     let (x, t_x) = match i % 10 {
//!         0..=3 => (0, 0.0),                     // one purchase only
//!         4 => (1, 3.0 + f64::from(i % 7)),      // one early repeat
//!         5 => (1, t - f64::from(i % 5)),        // one recent repeat
//!         6 => (2, 4.0),                         // went quiet early
//!         7 => (3, t - 2.0),                     // regulars, recently seen
//!         8 => (5, 6.0 + f64::from(i % 4)),      // busy, then quiet
//!         _ => (9, t - 0.5),                     // heavy buyers
//!     };
//!     let spend = if x == 0 { 0.0 } else { 20.0 + f64::from(i % 11) };
//!     summaries.push(CustomerSummary { x, t_x, t, mean_repeat_spend: spend });
//! }
//! let purchases = fit_bg_nbd(&summaries)?;
//! assert!((purchases.params.r - 0.350).abs() < 1e-3 && (purchases.params.b - 18.89).abs() < 1e-2);
//! let spend = fit_gamma_gamma(&summaries)?;
//! let best = &summaries[9]; // x = 9
//! let p_alive = purchases.params.p_alive(best)?;
//! let next_quarter = purchases.params.conditional_expected_purchases(best, 13.0)?;
//! let clv = customer_lifetime_value(
//!     &purchases.params,
//!     &spend.params,
//!     best,
//!     ClvOptions::default().months(12.0).monthly_discount(Rate::new(dec!(0.01))?),
//! )?;
//! assert!(p_alive > 0.0 && p_alive <= 1.0 && next_quarter > 0.0 && clv > 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Models
//!
//! | model | for | fit | predictions |
//! |---|---|---|---|
//! | [BG/NBD](BgNbdParams) (Fader, Hardie & Lee 2005) | repeat purchases, non-contractual | [`fit_bg_nbd`] | [`PurchaseModel`]: P(alive), expected purchases |
//! | [Pareto/NBD](ParetoNbdParams) (Schmittlein, Morrison & Colombo 1987) | the same, drop-out at any time | [`fit_pareto_nbd`] | [`PurchaseModel`] |
//! | [Gamma-Gamma](GammaGammaParams) (Fader, Hardie & Lee 2005b; Fader & Hardie 2013) | spend per purchase | [`fit_gamma_gamma`] | [`GammaGammaParams::conditional_expected_spend`] |
//! | [shifted-beta-geometric](SbgParams) (Fader & Hardie 2007) | contractual renewals | [`fit_sbg`] | survival, retention, (discounted) expected lifetime |
//!
//! [`customer_lifetime_value`] combines a purchase model with Gamma-Gamma into a discounted value
//! over months.
//!
//! # Data: summaries, time units, months
//!
//! The models read one [`CustomerSummary`] `(x, t_x, T, mean repeat spend)` per customer, which
//! [`CustomerSummary::from_repeat`] makes from the shared, exact
//! [`attain_types::RepeatSummary`] (attain-rfm's aggregation produces it with
//! `AggregateOptions::repeat_summary`) with the usual convention: same-day purchases merged,
//! `x` = repeat purchase days, `t_x` = last − first, `T` = calibration end − first, converted
//! from days into an explicit [`TimeUnit`] (days or weeks). The fitted `alpha` (and `beta`) are in
//! that unit, and so are horizons. Months appear only in [`customer_lifetime_value`], as
//! discounting steps of [`DAYS_PER_MONTH`] days (30.4375 days = 4.348 weeks), converted with
//! [`TimeUnit::per_month`]; mixing days and weeks (a horizon in days on a model fitted in weeks)
//! is the classic mistake this makes explicit.
//!
//! # Numerics (f64)
//!
//! These are statistical models, so they compute in `f64` (money stays `Decimal` in
//! [`attain_types::RepeatSummary`]; model outputs such as CLV are `f64` estimates in the
//! currency of the amounts).
//! Likelihoods are evaluated in log space: `(alpha+T)^(r+x)` is never formed, sums of terms use
//! log-sum-exp, and the Gaussian hypergeometric function 2F1 is a series summed in log space with
//! a sign. Fits maximise over log-parameters with BFGS and analytic gradients (for
//! Pareto/NBD, the derivatives of the hypergeometric series are summed alongside it), on
//! distinct summaries weighted by their counts. Log-gamma and digamma come from `statrs`.
//!
//! # Errors
//!
//! Nothing returns NaN: an invalid summary is [`Error::InvalidSummary`] (naming the customer's
//! index and the field), an invalid parameter or horizon [`Error::InvalidModelInput`], data that
//! cannot identify a model (no customers, no repeat buyers, a parameter running off to 0 or
//! infinity) [`Error::NotIdentifiable`], a fit out of iterations
//! [`Error::FitDidNotConverge`], and a hypergeometric series at the edge of its domain (a horizon
//! or parameters so extreme that it needs more than its term budget)
//! [`Error::SeriesDidNotConverge`].
//!
//! # Golden results (CDNOW sample, 2,357 customers, 39 weeks)
//!
//! | model | published | source |
//! |---|---|---|
//! | BG/NBD | r 0.243, alpha 4.414, a 0.793, b 2.426, LL −9582.4 | Fader, Hardie & Lee (2005), *Marketing Science* 24(2) |
//! | Pareto/NBD | r 0.553, alpha 10.578, s 0.606, beta 11.669, LL −9595.0 | the same paper |
//! | Gamma-Gamma | p 6.25, q 3.74, gamma 15.44 (946 repeat buyers) | Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" |
//!
//! The integration tests reproduce them from the raw log.

mod bgbb;
mod bgnbd;
mod distribution;
mod gamma_gamma;
mod mbgnbd;
mod optimize;
mod pareto;
mod sbg;
mod special;
mod summary;
mod uncertainty;
mod validate;
mod value;

pub use bgbb::{BgBbParams, BgBbSummary, MAX_OPPORTUNITIES, fit_bg_bb, fit_bg_bb_with};
pub use bgnbd::{BgNbdParams, fit_bg_nbd, fit_bg_nbd_with};
pub use distribution::{MAX_PURCHASE_COUNT, PurchaseDistribution, expected_cumulative_purchases};
pub use gamma_gamma::{GammaGammaParams, fit_gamma_gamma, fit_gamma_gamma_with};
pub use mbgnbd::{MbgNbdParams, fit_mbg_nbd, fit_mbg_nbd_with};
pub use pareto::{ParetoNbdParams, fit_pareto_nbd, fit_pareto_nbd_with};
pub use sbg::{SbgParams, fit_sbg, fit_sbg_with};
pub use summary::{CustomerSummary, DAYS_PER_MONTH, TimeUnit};
pub use uncertainty::{Interval, LogParameters, MAX_DRAWS, ParameterDraws, PredictionIntervals};
pub use validate::{
    FrequencyBin, HoldoutCustomer, HoldoutErrors, HoldoutSplit, InformationCriteria,
    MAX_TRACKING_PERIODS, TrackingPoint, calibration_histogram, holdout_by_frequency,
    holdout_predictions, split_holdout, tracking,
};
pub use value::{
    ClvOptions, MAX_HORIZON_DAYS, check_horizon_days, customer_lifetime_value,
    customer_lifetime_values,
};

use crate::{Error, Result};

/// A fitted model: the maximum-likelihood parameters and what the fit saw.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Fit<P> {
    /// The parameters at the maximum.
    pub params: P,
    /// The log-likelihood there (natural log, summed over customers).
    pub log_likelihood: f64,
    /// BFGS iterations used.
    pub iterations: usize,
    /// Observations used (customers; for Gamma-Gamma the repeat buyers with a positive mean
    /// repeat spend; for sBG the cohort).
    pub customers: usize,
    /// Gamma-Gamma only (0 for the other models): repeat buyers left out of the fit because
    /// their mean repeat spend is zero or negative (see
    /// [`CustomerSummary::is_spend_excluded`]); they get no spend prediction.
    pub excluded_non_positive_spend: usize,
    /// The asymptotic standard error of each parameter, in the same fields as `params`: the
    /// inverse of the observed information (the Hessian of the negative log-likelihood at the
    /// optimum over log-parameters, by central differences of the gradient), through the delta
    /// method. A 95% interval is `exp(ln θ ± 1.96 · se / θ)` (on the log scale, where the fit
    /// is done, so it stays positive) or `θ ± 1.96 · se`. `None` when the Hessian is not
    /// positive definite at the optimum (the data do not pin every parameter down).
    ///
    /// Golden: the CDNOW sample's BG/NBD fit has r 0.0126, alpha 0.378, a 0.186, b 0.705.
    pub standard_errors: Option<P>,
    /// The asymptotic covariance matrix of the logarithms of the parameters (rows and columns
    /// in the order of `params`' fields), the inverse observed information of the fit: what
    /// [`ParameterDraws`] samples from. `None` with `standard_errors`.
    pub log_covariance: Option<Vec<Vec<f64>>>,
}

/// Stopping rules of the maximum-likelihood fits.
///
/// ```
/// use attain_lifecycle::clv::FitOptions;
/// let options = FitOptions::default().max_iterations(1_000);
/// assert_eq!(options.max_iterations, 1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct FitOptions {
    /// BFGS iteration budget (default 500).
    pub max_iterations: usize,
    /// Converged when every gradient component (in log-parameters) is at most this times
    /// `1 + |log-likelihood|` (default 1e-9).
    pub gradient_tolerance: f64,
    /// A log-parameter beyond ± this during the search or at the optimum (default 20: a
    /// parameter below 2e-9 or above 4.9e8) means the data cannot identify the model: the
    /// likelihood keeps improving towards a boundary (for BG/NBD, `a` and `b` growing together
    /// means every customer has the same drop-out probability).
    pub log_parameter_bound: f64,
    /// The most terms the likelihood's hypergeometric series may sum over a whole fit
    /// (Pareto/NBD; default 50,000,000, about half a second of an optimised build): a bound
    /// on a fit's time. Past it the fit stops with [`Error::FitDidNotConverge`](crate::Error).
    /// CDNOW's fit uses under 0.1% of it; the series slow down only where the search drifts
    /// toward an argument of 1, typically while `s` and `beta` grow together.
    pub max_series_terms: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_iterations: 500,
            gradient_tolerance: 1e-9,
            log_parameter_bound: 20.0,
            max_series_terms: 50_000_000,
        }
    }
}

impl FitOptions {
    /// Sets the iteration budget.
    #[must_use]
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }

    /// Sets the relative gradient tolerance.
    #[must_use]
    pub fn gradient_tolerance(mut self, tolerance: f64) -> Self {
        self.gradient_tolerance = tolerance;
        self
    }

    /// Sets the budget of series terms of a fit.
    #[must_use]
    pub fn max_series_terms(mut self, terms: usize) -> Self {
        self.max_series_terms = terms;
        self
    }

    /// Sets the bound on log-parameters.
    #[must_use]
    pub fn log_parameter_bound(mut self, bound: f64) -> Self {
        self.log_parameter_bound = bound;
        self
    }
}

/// What a model of repeat purchases predicts for one customer (implemented by
/// [`BgNbdParams`] and [`ParetoNbdParams`]). Horizons are in the model's time unit.
pub trait PurchaseModel {
    /// A short name (`"bg/nbd"`, `"pareto/nbd"`).
    fn model_name(&self) -> &'static str;

    /// The log-likelihood of one customer's `(x, t_x, T)`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for an invalid parameter, [`Error::InvalidSummary`] (index
    /// 0) for an invalid summary.
    fn log_likelihood(&self, summary: &CustomerSummary) -> Result<f64>;

    /// The probability that the customer is still active at the end of calibration, in `[0, 1]`.
    ///
    /// # Errors
    /// As [`PurchaseModel::log_likelihood`].
    fn p_alive(&self, summary: &CustomerSummary) -> Result<f64>;

    /// Expected purchases in `(T, T + horizon]` given the customer's history.
    ///
    /// # Errors
    /// As [`PurchaseModel::log_likelihood`]; [`Error::InvalidModelInput`] for a negative or
    /// non-finite horizon; [`Error::SeriesDidNotConverge`] for a horizon so long that the
    /// hypergeometric series does not converge.
    fn conditional_expected_purchases(
        &self,
        summary: &CustomerSummary,
        horizon: f64,
    ) -> Result<f64>;

    /// [`PurchaseModel::conditional_expected_purchases`] at each of several horizons, in
    /// non-decreasing order (the month ends of a CLV). Models override it when a sweep is
    /// cheaper than separate evaluations (BG/NBD continues its hypergeometric function from one
    /// horizon to the next, so the cost grows linearly with the number of horizons).
    ///
    /// # Errors
    /// As [`PurchaseModel::conditional_expected_purchases`]; [`Error::InvalidModelInput`] when
    /// the horizons are not in non-decreasing order.
    fn conditional_expected_purchases_at(
        &self,
        summary: &CustomerSummary,
        horizons: &[f64],
    ) -> Result<Vec<f64>> {
        check_increasing(horizons)?;
        horizons
            .iter()
            .map(|&h| self.conditional_expected_purchases(summary, h))
            .collect()
    }

    /// `(P(alive), expected purchases in (T, T + horizon])` of every customer: exactly, bit for
    /// bit, the pair [`PurchaseModel::p_alive`] and
    /// [`PurchaseModel::conditional_expected_purchases`] give one customer at a time. BG/NBD and
    /// MBG/NBD compute the hypergeometric part of the expectation, which depends only on `x`
    /// and `T`, once for all the customers that share them (on a large cohort, far fewer
    /// evaluations than customers).
    ///
    /// ```
    /// use attain_lifecycle::clv::{BgNbdParams, CustomerSummary, PurchaseModel};
    /// let p = BgNbdParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let cohort = [CustomerSummary::new(2, 30.43, 38.86), CustomerSummary::new(2, 12.0, 38.86)];
    /// let each = p.predict_each(&cohort, 39.0).map_err(|(_, e)| e)?;
    /// for (s, &(alive, expected)) in cohort.iter().zip(&each) {
    ///     assert_eq!(alive, p.p_alive(s)?);
    ///     assert_eq!(expected, p.conditional_expected_purchases(s, 39.0)?);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The first failing customer's index and error, as the two methods give it.
    fn predict_each(
        &self,
        summaries: &[CustomerSummary],
        horizon: f64,
    ) -> std::result::Result<Vec<(f64, f64)>, (usize, Error)> {
        summaries
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p_alive = self.p_alive(s).map_err(|e| (i, e))?;
                let expected = self
                    .conditional_expected_purchases(s, horizon)
                    .map_err(|e| (i, e))?;
                Ok((p_alive, expected))
            })
            .collect()
    }

    /// [`PurchaseModel::conditional_expected_purchases_at`] of every customer: exactly, bit for
    /// bit, what the method gives one customer at a time (the CLV's month ends of a whole
    /// customer base). BG/NBD and MBG/NBD compute the expectation given alive, which depends
    /// only on `x` and `T`, once for all the customers that share them.
    ///
    /// # Errors
    /// The first failing customer's index and error, as the method gives it.
    fn conditional_expected_purchases_at_each(
        &self,
        summaries: &[CustomerSummary],
        horizons: &[f64],
    ) -> std::result::Result<Vec<Vec<f64>>, (usize, Error)> {
        summaries
            .iter()
            .enumerate()
            .map(|(i, s)| {
                self.conditional_expected_purchases_at(s, horizons)
                    .map_err(|e| (i, e))
            })
            .collect()
    }

    /// Expected purchases in `(0, horizon]` of a customer just acquired (`x = t_x = T = 0`).
    ///
    /// # Errors
    /// As [`PurchaseModel::conditional_expected_purchases`].
    fn expected_purchases(&self, horizon: f64) -> Result<f64> {
        self.conditional_expected_purchases(&CustomerSummary::new(0, 0.0, 0.0), horizon)
    }
}

/// [`PurchaseModel::predict_each`] for a model whose expectation is `P(alive)` times an
/// expectation given alive that depends only on `(x, T)` (and the horizon): the latter computed
/// once per distinct `(x, T)`. `conditional` must be the model's own one-customer function,
/// used for its checks and for horizon 0, so that every number is the one it gives.
pub(crate) fn predict_sharing_x_t(
    summaries: &[CustomerSummary],
    horizon: f64,
    p_alive: impl Fn(&CustomerSummary) -> Result<f64>,
    if_alive: impl Fn(&CustomerSummary) -> Result<f64>,
) -> std::result::Result<Vec<(f64, f64)>, (usize, Error)> {
    let mut cache: std::collections::HashMap<(u64, u64), f64> = std::collections::HashMap::new();
    summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = |e| (i, e);
            let alive = p_alive(s).map_err(at)?;
            check_horizon(horizon).map_err(at)?;
            if horizon == 0.0 {
                return Ok((alive, 0.0));
            }
            let key = (s.x, s.t.to_bits());
            let e = match cache.get(&key) {
                Some(&e) => e,
                None => {
                    let e = if_alive(s).map_err(at)?;
                    cache.insert(key, e);
                    e
                }
            };
            Ok((alive, (e * alive).max(0.0)))
        })
        .collect()
}

/// [`PurchaseModel::conditional_expected_purchases_at_each`] for a model whose expectation at
/// each horizon is `max(P(alive) · E(given alive), 0)` with the latter depending only on
/// `(x, T)`: computed once per distinct `(x, T)`. `checks` must be the model's own checks of
/// the one-customer method before `P(alive)` (parameters, summary, horizons), so that every
/// number and every error is the one it gives.
pub(crate) fn expected_at_sharing_x_t(
    summaries: &[CustomerSummary],
    checks: impl Fn(&CustomerSummary) -> Result<()>,
    p_alive: impl Fn(&CustomerSummary) -> Result<f64>,
    if_alive_at: impl Fn(&CustomerSummary) -> Result<Vec<f64>>,
) -> std::result::Result<Vec<Vec<f64>>, (usize, Error)> {
    let mut cache: std::collections::HashMap<(u64, u64), Vec<f64>> =
        std::collections::HashMap::new();
    summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = |e| (i, e);
            checks(s).map_err(at)?;
            let alive = p_alive(s).map_err(at)?;
            let key = (s.x, s.t.to_bits());
            let given_alive = match cache.get(&key) {
                Some(e) => e,
                None => {
                    let e = if_alive_at(s).map_err(at)?;
                    cache.entry(key).or_insert(e)
                }
            };
            Ok(given_alive.iter().map(|e| (e * alive).max(0.0)).collect())
        })
        .collect()
}

/// The checks of `conditional_expected_purchases_at` before any number: the parameters
/// (`validate`, the model's own), the summary, each horizon, their order.
pub(crate) fn check_at(
    validate: Result<()>,
    summary: &CustomerSummary,
    horizons: &[f64],
) -> Result<()> {
    validate?;
    summary.validate(0)?;
    for &h in horizons {
        check_horizon(h)?;
    }
    check_increasing(horizons)
}

pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidModelInput {
            name,
            value,
            reason: "must be finite and positive",
        })
    }
}

pub(crate) fn check_increasing(horizons: &[f64]) -> Result<()> {
    for w in horizons.windows(2) {
        if w[1].is_nan() || w[1] < w[0] {
            return Err(Error::InvalidModelInput {
                name: "horizon",
                value: w[1],
                reason: "horizons must be in non-decreasing order",
            });
        }
    }
    Ok(())
}

pub(crate) fn check_horizon(horizon: f64) -> Result<()> {
    if horizon.is_finite() && horizon >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidModelInput {
            name: "horizon",
            value: horizon,
            reason: "must be finite and not negative",
        })
    }
}

pub(crate) fn fit_error(
    model: &'static str,
    (failure, iterations): (optimize::Failure, usize),
) -> Error {
    use optimize::Failure;
    match failure {
        Failure::NonFiniteStart => Error::NotIdentifiable {
            model,
            reason: "the log-likelihood is not finite at the starting point",
        },
        Failure::Diverged => Error::NotIdentifiable {
            model,
            reason: "a parameter runs off to zero or infinity (the likelihood is flat there)",
        },
        Failure::LineSearch => Error::FitDidNotConverge {
            model,
            iterations,
            reason: "the line search found no better point",
        },
        Failure::MaxIterations => Error::FitDidNotConverge {
            model,
            iterations,
            reason: "the iteration budget ran out",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_sync() {
        fn is<T: Send + Sync>() {}
        is::<BgNbdParams>();
        is::<ParetoNbdParams>();
        is::<GammaGammaParams>();
        is::<SbgParams>();
        is::<BgBbParams>();
        is::<MbgNbdParams>();
        is::<BgBbSummary>();
        is::<Fit<BgNbdParams>>();
        is::<FitOptions>();
        is::<ClvOptions>();
        is::<CustomerSummary>();
        is::<TimeUnit>();
    }
}
