//! The modified BG/NBD model (Batislam, Denizel and Filiztekin 2007, "Empirical validation
//! and comparison of models for customer base analysis", *International Journal of Research in
//! Marketing* 24(3)): BG/NBD where a customer may also drop out right after the first purchase,
//! so customers without repeat purchases need not all be alive.

use super::bgnbd::BgNbdParams;
use super::optimize::{self, Settings};
use super::special::{inv_one_plus_exp, ln_gamma, log_add_exp};
use super::summary::Grouped;
use super::{
    CustomerSummary, Fit, FitOptions, PurchaseModel, check_horizon, check_increasing,
    check_positive, fit_error,
};
#[cfg(doc)]
use crate::Error;
use crate::Result;

const MODEL: &str = "mbg/nbd";

/// Parameters of the MBG/NBD model: purchase rates `λ ~ Gamma(r, alpha)` and drop-out
/// probabilities `p ~ Beta(a, b)`, the drop-out possible at time 0 and after each repeat
/// purchase. All four finite and positive.
///
/// ```
/// use attain_lifecycle::clv::{CustomerSummary, MbgNbdParams, PurchaseModel};
/// let p = MbgNbdParams { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
/// // Unlike BG/NBD, a customer who never came back may have left.
/// assert!(p.p_alive(&CustomerSummary::new(0, 0.0, 38.0))? < 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MbgNbdParams {
    /// Shape of the purchase-rate heterogeneity.
    pub r: f64,
    /// Rate (inverse time scale) of the purchase-rate heterogeneity.
    pub alpha: f64,
    /// First shape of the drop-out probability's beta distribution.
    pub a: f64,
    /// Second shape of the drop-out probability's beta distribution.
    pub b: f64,
}

impl MbgNbdParams {
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        check_positive("r", self.r)?;
        check_positive("alpha", self.alpha)?;
        check_positive("a", self.a)?;
        check_positive("b", self.b)
    }

    /// The BG/NBD parameters whose expectations equal this model's for a customer alive:
    /// MBG/NBD's `(a+b+x)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)]` is
    /// BG/NBD's bracket with `b + 1`, and its odds of having dropped out, `a/(b+x) ·
    /// ((α+T)/(α+t_x))^(r+x)`, are BG/NBD's with `b + 1` (for every `x`, 0 included).
    fn shifted(&self) -> BgNbdParams {
        BgNbdParams {
            r: self.r,
            alpha: self.alpha,
            a: self.a,
            b: self.b + 1.0,
        }
    }
}

/// `ln L` of one row: `ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b)
/// + ln((α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x))`.
fn ln_l(p: &MbgNbdParams, x: f64, t_x: f64, t: f64) -> f64 {
    let MbgNbdParams { r, alpha, a, b } = *p;
    let rx = r + x;
    let a1 = ln_gamma(rx) - ln_gamma(r) + r * alpha.ln();
    let a2 = ln_gamma(a + b) + ln_gamma(b + x + 1.0) - ln_gamma(b) - ln_gamma(a + b + x + 1.0);
    let a3 = -rx * (alpha + t).ln();
    let a4 = a.ln() - (b + x).ln() - rx * (alpha + t_x).ln();
    a1 + a2 + log_add_exp(a3, a4)
}

impl PurchaseModel for MbgNbdParams {
    fn model_name(&self) -> &'static str {
        MODEL
    }

    /// The MBG/NBD log-likelihood of one customer (Batislam et al. 2007, eq. 2):
    /// `ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b)
    /// + ln((α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x))`.
    fn log_likelihood(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        Ok(ln_l(self, summary.x as f64, summary.t_x, summary.t))
    }

    /// `P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))`, for every `x`.
    fn p_alive(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        Ok(inv_one_plus_exp(self.shifted().ln_odds_dead(summary)))
    }

    /// `E[Y(h) | x, t_x, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x)
    /// · 2F1(r+x, b+x+1; a+b+x; h/(α+T+h))] · P(alive)`, computed as BG/NBD's with `b + 1`.
    fn conditional_expected_purchases(
        &self,
        summary: &CustomerSummary,
        horizon: f64,
    ) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        check_horizon(horizon)?;
        if horizon == 0.0 {
            return Ok(0.0);
        }
        let p_alive = self.p_alive(summary)?;
        let if_alive = self.shifted().removing_a_one(
            |p| p.expected_if_alive(summary, horizon),
            |lo, hi| 0.5 * (lo + hi),
        )?;
        Ok((if_alive * p_alive).max(0.0))
    }

    fn conditional_expected_purchases_at(
        &self,
        summary: &CustomerSummary,
        horizons: &[f64],
    ) -> Result<Vec<f64>> {
        self.validate()?;
        summary.validate(0)?;
        for &h in horizons {
            check_horizon(h)?;
        }
        check_increasing(horizons)?;
        let p_alive = self.p_alive(summary)?;
        let if_alive = self.shifted().removing_a_one(
            |p| p.expected_if_alive_at(summary, horizons),
            |lo, hi| lo.iter().zip(&hi).map(|(l, h)| 0.5 * (l + h)).collect(),
        )?;
        Ok(if_alive
            .into_iter()
            .map(|e| (e * p_alive).max(0.0))
            .collect())
    }
}

/// Fits MBG/NBD by maximum likelihood with the default [`FitOptions`].
///
/// # Errors
/// As [`fit_mbg_nbd_with`].
pub fn fit_mbg_nbd(summaries: &[CustomerSummary]) -> Result<Fit<MbgNbdParams>> {
    fit_mbg_nbd_with(summaries, FitOptions::default())
}

/// Fits MBG/NBD by maximum likelihood: the sum of [`PurchaseModel::log_likelihood`] over the
/// distinct `(x, t_x, T)` rows weighted by their counts, maximised by BFGS over the
/// log-parameters with a central-difference gradient (step `1e-6`). The start is BG/NBD's.
///
/// # Errors
/// [`Error::InvalidSummary`] (naming the index); [`Error::NotIdentifiable`] with no customers,
/// no repeat buyer, or a parameter running off; [`Error::FitDidNotConverge`].
pub fn fit_mbg_nbd_with(
    summaries: &[CustomerSummary],
    options: FitOptions,
) -> Result<Fit<MbgNbdParams>> {
    let data = Grouped::fittable(summaries, MODEL)?;
    let alpha0 = data.rate_start();
    let neg_ll = |theta: &[f64]| -> f64 {
        let p = MbgNbdParams {
            r: theta[0].exp(),
            alpha: theta[1].exp(),
            a: theta[2].exp(),
            b: theta[3].exp(),
        };
        -data
            .rows
            .iter()
            .map(|row| row.weight * ln_l(&p, row.x, row.t_x, row.t))
            .sum::<f64>()
    };
    let mut objective = optimize::with_central_gradient(neg_ll);
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance.max(1e-8),
        bound: options.log_parameter_bound,
    };
    let min = optimize::bfgs(&mut objective, &[0.0, alpha0.ln(), 0.0, 0.0], settings)
        .map_err(|failure| fit_error(MODEL, failure))?;
    let params = |v: &[f64]| MbgNbdParams {
        r: v[0],
        alpha: v[1],
        a: v[2],
        b: v[3],
    };
    let exp: Vec<f64> = min.x.iter().map(|t| t.exp()).collect();
    let uncertainty = optimize::standard_errors(&mut objective, &min.x);
    Ok(Fit {
        params: params(&exp),
        log_likelihood: -min.value,
        iterations: min.iterations,
        customers: data.customers,
        excluded_non_positive_spend: 0,
        standard_errors: uncertainty.as_ref().map(|u| params(&u.standard_errors)),
        log_covariance: uncertainty.map(|u| u.log_covariance),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: MbgNbdParams = MbgNbdParams {
        r: 0.525,
        alpha: 6.183,
        a: 0.891,
        b: 1.614,
    };

    #[test]
    fn likelihood_matches_the_closed_form() {
        // x = 0 (t_x = 0): L = α^r · B(a, b+1)/B(a, b) · ((α+T)^−r + a/b · α^−r), and
        // B(a, b+1)/B(a, b) = b/(a+b), so L = a/(a+b) + b/(a+b) · (α/(α+T))^r: gone at time 0,
        // or alive and silent for T.
        let s = CustomerSummary::new(0, 0.0, 30.0);
        let got = P.log_likelihood(&s).unwrap().exp();
        let want = P.a / (P.a + P.b) + P.b / (P.a + P.b) * (P.alpha / (P.alpha + 30.0)).powf(P.r);
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
    }

    #[test]
    fn expected_purchases_grow_with_the_horizon_and_need_p_alive() {
        let s = CustomerSummary::new(2, 20.0, 38.0);
        let e: Vec<f64> = [1.0, 10.0, 52.0]
            .iter()
            .map(|&h| P.conditional_expected_purchases(&s, h).unwrap())
            .collect();
        assert!(e.windows(2).all(|w| w[0] < w[1]), "{e:?}");
        let at = P
            .conditional_expected_purchases_at(&s, &[1.0, 10.0, 52.0])
            .unwrap();
        for (a, b) in e.iter().zip(&at) {
            assert!((a - b).abs() < 1e-10);
        }
        // A long-gone customer is expected to buy less than a recent one with the same history.
        let gone = CustomerSummary::new(2, 2.0, 38.0);
        assert!(P.conditional_expected_purchases(&gone, 52.0).unwrap() < e[2]);
    }
}
