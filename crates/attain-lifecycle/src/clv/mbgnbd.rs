//! The modified BG/NBD model (Batislam, Denizel and Filiztekin 2007, "Empirical validation
//! and comparison of models for customer base analysis", *International Journal of Research in
//! Marketing* 24(3)): BG/NBD where a customer may also drop out right after the first purchase,
//! so customers without repeat purchases need not all be alive.

use super::bgnbd::{self, BgNbdParams};
use super::optimize::{self, Settings};
use super::special::{digamma, inv_one_plus_exp, ln_gamma, log_add_exp};
use super::summary::Grouped;
use super::{CustomerSummary, Fit, FitOptions, PurchaseModel, check_positive, fit_error};
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
        bgnbd::expected_given_alive_by(self, self.validate(), &self.shifted(), summary, horizon)
    }

    fn predict_each(
        &self,
        summaries: &[CustomerSummary],
        horizon: f64,
    ) -> std::result::Result<Vec<(f64, f64)>, (usize, crate::Error)> {
        bgnbd::predict_each_given_alive_by(self, &self.shifted(), summaries, horizon)
    }

    fn conditional_expected_purchases_at_each(
        &self,
        summaries: &[CustomerSummary],
        horizons: &[f64],
    ) -> std::result::Result<Vec<Vec<f64>>, (usize, crate::Error)> {
        let shifted = self.shifted();
        bgnbd::expected_at_each_given_alive_by(self, self.validate(), &shifted, summaries, horizons)
    }

    fn conditional_expected_purchases_at(
        &self,
        summary: &CustomerSummary,
        horizons: &[f64],
    ) -> Result<Vec<f64>> {
        bgnbd::expected_at_given_alive_by(self, self.validate(), &self.shifted(), summary, horizons)
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
/// log-parameters with the analytic gradient (digamma). The start is BG/NBD's.
///
/// Past 32,768 distinct rows the likelihood's sum runs on every core, in fixed chunks whose
/// partial sums are added in order: the same bits on any number of cores.
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
    let mut objective = |theta: &[f64], grad: &mut [f64]| negative_ll(theta, &data, grad);
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
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

/// The negative log-likelihood over the log-parameters and its analytic gradient; the per-x
/// terms (log-gamma and digamma of r+x, b+x+1, a+b+x+1) are computed once per distinct x.
fn negative_ll(theta: &[f64], data: &Grouped, grad: &mut [f64]) -> f64 {
    let (r, alpha, a, b) = (
        theta[0].exp(),
        theta[1].exp(),
        theta[2].exp(),
        theta[3].exp(),
    );
    let (lg_r, dg_r, ln_alpha) = (ln_gamma(r), digamma(r), alpha.ln());
    let (lg_ab, dg_ab, lg_b, dg_b, ln_a) = (
        ln_gamma(a + b),
        digamma(a + b),
        ln_gamma(b),
        digamma(b),
        a.ln(),
    );
    let per_x: Vec<[f64; 6]> = data
        .xs
        .iter()
        .map(|&x| {
            [
                ln_gamma(r + x),
                digamma(r + x),
                ln_gamma(b + x + 1.0),
                digamma(b + x + 1.0),
                ln_gamma(a + b + x + 1.0),
                digamma(a + b + x + 1.0),
            ]
        })
        .collect();
    let per_x = &per_x;
    let [ll, gr, ga_, ga, gb] = data.sum_rows(|rows| {
        let (mut ll, mut gr, mut ga_, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for row in rows {
            let [lg_rx, dg_rx, lg_bx, dg_bx, lg_abx, dg_abx] = per_x[row.x_index];
            let (x, w) = (row.x, row.weight);
            let rx = r + x;
            let (ln_t, ln_tx) = ((alpha + row.t).ln(), (alpha + row.t_x).ln());
            let a3 = -rx * ln_t;
            let a4 = ln_a - (b + x).ln() - rx * ln_tx;
            let lse = log_add_exp(a3, a4);
            let (w3, w4) = ((a3 - lse).exp(), (a4 - lse).exp());
            ll += w * (lg_rx - lg_r + r * ln_alpha + lg_ab + lg_bx - lg_b - lg_abx + lse);
            gr += w * (dg_rx - dg_r + ln_alpha - w3 * ln_t - w4 * ln_tx);
            ga_ += w * (r / alpha - rx * (w3 / (alpha + row.t) + w4 / (alpha + row.t_x)));
            ga += w * (dg_ab - dg_abx + w4 / a);
            gb += w * (dg_ab + dg_bx - dg_b - dg_abx - w4 / (b + x));
        }
        [ll, gr, ga_, ga, gb]
    });
    grad[0] = -gr * r;
    grad[1] = -ga_ * alpha;
    grad[2] = -ga * a;
    grad[3] = -gb * b;
    -ll
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
    fn the_analytic_gradient_matches_central_differences() {
        let data = Grouped::new(&[
            CustomerSummary::new(0, 0.0, 38.0),
            CustomerSummary::new(1, 12.0, 30.0),
            CustomerSummary::new(4, 33.5, 36.0),
            CustomerSummary::new(9, 20.0, 38.0),
        ])
        .unwrap();
        let theta = [P.r.ln(), P.alpha.ln(), P.a.ln(), P.b.ln()];
        let mut grad = [0.0; 4];
        negative_ll(&theta, &data, &mut grad);
        for k in 0..4 {
            let (mut up, mut down) = (theta, theta);
            up[k] += 1e-6;
            down[k] -= 1e-6;
            let mut scratch = [0.0; 4];
            let numeric = (negative_ll(&up, &data, &mut scratch)
                - negative_ll(&down, &data, &mut scratch))
                / 2e-6;
            assert!(
                (grad[k] - numeric).abs() < 1e-6 * (1.0 + numeric.abs()),
                "{k}: {} vs {numeric}",
                grad[k]
            );
        }
        // The value is the sum of the per-customer log-likelihoods.
        let direct: f64 = [
            (0, 0.0, 38.0),
            (1, 12.0, 30.0),
            (4, 33.5, 36.0),
            (9, 20.0, 38.0),
        ]
        .iter()
        .map(|&(x, t_x, t)| P.log_likelihood(&CustomerSummary::new(x, t_x, t)).unwrap())
        .sum();
        assert!((negative_ll(&theta, &data, &mut grad) + direct).abs() < 1e-9);
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
