//! The Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee 2005, "RFM and CLV";
//! Fader and Hardie 2013, "The Gamma-Gamma Model of Monetary Value").

use super::optimize::{self, Settings};
use super::special::{digamma, ln_gamma};
use super::{CustomerSummary, Fit, FitOptions, check_positive, fit_error};
use crate::{Error, Result};

const MODEL: &str = "gamma-gamma";

/// Parameters of the Gamma-Gamma spend model: each transaction's value is
/// `Gamma(p, ν)` and the customer's `ν ~ Gamma(q, gamma)`; all three finite and positive.
/// The population mean spend per transaction is `p·gamma / (q − 1)` (finite for `q > 1`).
///
/// An input (public fields), also the output of [`fit_gamma_gamma`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GammaGammaParams {
    /// Shape of a transaction's value.
    pub p: f64,
    /// Shape of the heterogeneity of the customers' scale.
    pub q: f64,
    /// Rate of the heterogeneity of the customers' scale (`v` in `lifetimes`).
    pub gamma: f64,
}

impl GammaGammaParams {
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        check_positive("p", self.p)?;
        check_positive("q", self.q)?;
        check_positive("gamma", self.gamma)
    }

    /// The log-likelihood of a repeat buyer's mean spend `m` over `x ≥ 1` transactions
    /// (Fader & Hardie 2013, in the form `lifetimes` uses):
    ///
    /// ```text
    /// ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x)
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters; [`Error::InvalidSummary`] (index 0)
    /// when `x = 0` or the mean spend is not positive.
    pub fn log_likelihood(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        check_spend_summary(summary, 0)?;
        let Self { p, q, gamma } = *self;
        let (x, m) = (summary.x as f64, summary.mean_repeat_spend);
        let px = p * x;
        Ok(ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * gamma.ln()
            + (px - 1.0) * m.ln()
            + px * x.ln()
            - (px + q) * (gamma + m * x).ln())
    }

    /// The expected mean spend per transaction of a customer with `x` repeat purchases of mean
    /// value `m` (Fader & Hardie 2013):
    ///
    /// ```text
    /// E[M | x, m] = p (γ + m x) / (p x + q − 1)
    /// ```
    ///
    /// a weighted average of the population mean `pγ/(q−1)` and the customer's own mean `m`.
    /// For `x = 0` it is the population mean.
    ///
    /// Example: with CDNOW's `p = 6.25, q = 3.74, gamma = 15.44`, the population mean is
    /// `6.25 × 15.44 / 2.74 = 35.22`.
    ///
    /// A repeat buyer whose mean spend is not positive has no prediction: the model cannot
    /// describe it (see [`CustomerSummary::is_spend_excluded`]; [`Self::spend_prediction`]
    /// returns `None` for it instead of an error).
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters, or when `p x + q <= 1` (no finite
    /// mean: for `x = 0` this means `q <= 1`); [`Error::InvalidSummary`] (index 0) for an
    /// invalid summary or a repeat buyer whose mean spend is not positive.
    pub fn conditional_expected_spend(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        if summary.x > 0 {
            check_spend_summary(summary, 0)?;
        }
        let Self { p, q, gamma } = *self;
        let x = summary.x as f64;
        let m = if summary.x == 0 {
            0.0
        } else {
            summary.mean_repeat_spend
        };
        let denominator = p * x + q - 1.0;
        if denominator.is_nan() || denominator <= 0.0 {
            return Err(Error::InvalidModelInput {
                name: "q",
                value: q,
                reason: "p·x + q must exceed 1 for a finite expected spend",
            });
        }
        Ok(p * (gamma + m * x) / denominator)
    }
}

impl GammaGammaParams {
    /// [`Self::conditional_expected_spend`], or `None` for a customer the model leaves out (a
    /// repeat buyer whose mean spend is zero or negative, see
    /// [`CustomerSummary::is_spend_excluded`]).
    ///
    /// # Errors
    /// As [`Self::conditional_expected_spend`] for every other customer.
    pub fn spend_prediction(&self, summary: &CustomerSummary) -> Result<Option<f64>> {
        summary.validate(0)?;
        if summary.is_spend_excluded() {
            return Ok(None);
        }
        self.conditional_expected_spend(summary).map(Some)
    }
}

fn check_spend_summary(s: &CustomerSummary, index: usize) -> Result<()> {
    s.validate(index)?;
    if s.x == 0 {
        return Err(Error::InvalidSummary {
            index,
            field: "x",
            value: 0.0,
            reason: "the gamma-gamma likelihood needs a repeat buyer",
        });
    }
    if s.mean_repeat_spend.is_nan() || s.mean_repeat_spend <= 0.0 {
        return Err(Error::InvalidSummary {
            index,
            field: "mean_repeat_spend",
            value: s.mean_repeat_spend,
            reason: "must be positive for a repeat buyer",
        });
    }
    Ok(())
}

/// Fits Gamma-Gamma by maximum likelihood with the default [`FitOptions`].
///
/// # Errors
/// As [`fit_gamma_gamma_with`].
pub fn fit_gamma_gamma(summaries: &[CustomerSummary]) -> Result<Fit<GammaGammaParams>> {
    fit_gamma_gamma_with(summaries, FitOptions::default())
}

/// Fits Gamma-Gamma by maximum likelihood on the repeat buyers (`x > 0`; customers with
/// `x = 0` are skipped, as in `lifetimes` and Fader & Hardie 2013), whose `mean_repeat_spend`
/// is the mean value of their repeat transactions (the first purchase left out).
///
/// Repeat buyers whose mean spend is zero or negative (refunds) are outside the model's domain:
/// they are left out of the fit and counted in [`Fit::excluded_non_positive_spend`], so one
/// such customer never stops the fit of all others.
///
/// BFGS over `(ln p, ln q, ln gamma)` with the analytic gradient; the likelihood is at
/// [`GammaGammaParams::log_likelihood`].
///
/// # Errors
/// [`Error::InvalidSummary`] naming the index of an invalid summary;
/// [`Error::NotIdentifiable`] with fewer than two repeat buyers of positive mean spend
/// or when a parameter runs off (for example when every repeat buyer has the same mean);
/// [`Error::FitDidNotConverge`] when the iteration budget runs out.
pub fn fit_gamma_gamma_with(
    summaries: &[CustomerSummary],
    options: FitOptions,
) -> Result<Fit<GammaGammaParams>> {
    let mut rows = Vec::new();
    let mut excluded = 0;
    for (i, s) in summaries.iter().enumerate() {
        s.validate(i)?;
        if s.is_spend_excluded() {
            excluded += 1;
        } else if s.x > 0 {
            rows.push((s.x as f64, s.mean_repeat_spend));
        }
    }
    if rows.len() < 2 {
        return Err(Error::NotIdentifiable {
            model: MODEL,
            reason: "it needs at least two repeat buyers with a positive mean spend",
        });
    }
    let mean_m = rows.iter().map(|r| r.1).sum::<f64>() / rows.len() as f64;
    let start = [0.0, 1.0_f64.ln_1p(), mean_m.ln()];
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        bound: options.log_parameter_bound,
    };
    // Per-row constants: ln m, ln x, x.
    let consts: Vec<(f64, f64, f64)> = rows.iter().map(|&(x, m)| (x, m.ln(), x.ln())).collect();
    // The gamma-function terms depend on x only: computed once per distinct x and evaluation
    // (the same calls on the same arguments, so the sums are the ones per row), which on a
    // large base is a few hundred evaluations instead of one per customer.
    let mut xs: Vec<f64> = rows.iter().map(|r| r.0).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let slot: Vec<usize> = rows
        .iter()
        .map(|r| xs.partition_point(|&x| x < r.0))
        .collect();
    let mut terms = vec![[0.0_f64; 4]; xs.len()];
    let mut objective = |theta: &[f64], grad: &mut [f64]| {
        let (p, q, gamma) = (theta[0].exp(), theta[1].exp(), theta[2].exp());
        let (lg_q, dg_q, ln_gamma_) = (ln_gamma(q), digamma(q), gamma.ln());
        for (t, &x) in terms.iter_mut().zip(&xs) {
            let px = p * x;
            *t = [ln_gamma(px + q), ln_gamma(px), digamma(px + q), digamma(px)];
        }
        let (mut ll, mut gp, mut gq, mut gg) = (0.0, 0.0, 0.0, 0.0);
        for ((&(x, ln_m, ln_x), &(_, m)), &k) in consts.iter().zip(&rows).zip(&slot) {
            let px = p * x;
            let ln_gm = (gamma + m * x).ln();
            let [lg_pxq, lg_px, dg_pxq, dg_px] = terms.get(k).copied().unwrap_or([f64::NAN; 4]);
            ll += lg_pxq - lg_px - lg_q + q * ln_gamma_ + (px - 1.0) * ln_m + px * ln_x
                - (px + q) * ln_gm;
            gp += x * (dg_pxq - dg_px + ln_m + ln_x - ln_gm);
            gq += dg_pxq - dg_q + ln_gamma_ - ln_gm;
            gg += q / gamma - (px + q) / (gamma + m * x);
        }
        grad[0] = -gp * p;
        grad[1] = -gq * q;
        grad[2] = -gg * gamma;
        -ll
    };
    let min = optimize::bfgs(&mut objective, &start, settings)
        .map_err(|failure| fit_error(MODEL, failure))?;
    let params = |v: &[f64]| GammaGammaParams {
        p: v[0],
        q: v[1],
        gamma: v[2],
    };
    let exp: Vec<f64> = min.x.iter().map(|t| t.exp()).collect();
    let uncertainty = optimize::standard_errors(&mut objective, &min.x);
    Ok(Fit {
        params: params(&exp),
        log_likelihood: -min.value,
        iterations: min.iterations,
        customers: rows.len(),
        excluded_non_positive_spend: excluded,
        standard_errors: uncertainty.as_ref().map(|u| params(&u.standard_errors)),
        log_covariance: uncertainty.map(|u| u.log_covariance),
    })
}
