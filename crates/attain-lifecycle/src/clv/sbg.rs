//! The shifted-beta-geometric (sBG) model of contractual retention (Fader and Hardie 2007,
//! "How to Project Customer Retention", *Journal of Interactive Marketing* 21(1)).

use super::optimize::{self, Settings};
use super::special::{digamma, hyp2f1_one_b_c, ln_beta};
use super::{Fit, FitOptions, check_positive, fit_error};
use crate::{Error, Result};

const MODEL: &str = "shifted-beta-geometric";

/// Parameters of the sBG model: each customer churns at the end of each period with a constant
/// probability `θ ~ Beta(alpha, beta)`, so cohort retention rises over time as the
/// likelier churners leave. Both finite and positive.
///
/// Periods are the contract's renewal periods (months, years); `t = 0` is the start.
///
/// ```
/// use attain_lifecycle::clv::fit_sbg;
///
/// // Fader & Hardie (2007), "high end" customers: 1000 at the start, then alive after 1..7 years.
/// let fit = fit_sbg(&[1000, 869, 743, 653, 593, 551, 517, 491])?;
/// assert!((fit.params.alpha - 0.668).abs() < 5e-4 && (fit.params.beta - 3.806).abs() < 5e-4);
/// // Projected survival in year 12, and the year-8 retention rate.
/// assert!(fit.params.survival(12)? < 0.491);
/// assert!(fit.params.retention_rate(8)? > fit.params.retention_rate(7)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SbgParams {
    /// First shape of the churn probability's beta distribution.
    pub alpha: f64,
    /// Second shape of the churn probability's beta distribution.
    pub beta: f64,
}

impl SbgParams {
    /// Checks that both parameters are finite and positive.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        check_positive("alpha", self.alpha)?;
        check_positive("beta", self.beta)
    }

    /// `P(T = t) = B(α+1, β+t−1) / B(α, β)`: the probability of churning at the end of period
    /// `t ≥ 1`; `α/(α+β)` for `t = 1`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters or `t = 0`.
    pub fn churn_probability(&self, t: u32) -> Result<f64> {
        self.validate()?;
        check_period(t)?;
        let t = f64::from(t);
        Ok((ln_beta(self.alpha + 1.0, self.beta + t - 1.0) - ln_beta(self.alpha, self.beta)).exp())
    }

    /// `S(t) = B(α, β+t) / B(α, β)`: the share of the cohort still a customer after `t`
    /// renewal decisions; `S(0) = 1`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters.
    pub fn survival(&self, t: u32) -> Result<f64> {
        self.validate()?;
        let t = f64::from(t);
        Ok((ln_beta(self.alpha, self.beta + t) - ln_beta(self.alpha, self.beta)).exp())
    }

    /// `r(t) = S(t) / S(t−1) = (β+t−1) / (α+β+t−1)`, the retention rate of period `t ≥ 1`;
    /// it rises with `t` towards 1.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters or `t = 0`.
    pub fn retention_rate(&self, t: u32) -> Result<f64> {
        self.validate()?;
        check_period(t)?;
        let t = f64::from(t);
        Ok((self.beta + t - 1.0) / (self.alpha + self.beta + t - 1.0))
    }

    /// The projected retention curve `r(1), ..., r(periods)` (see
    /// [`SbgParams::retention_rate`]), for plotting or comparing with observed rates.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters.
    pub fn retention_curve(&self, periods: u32) -> Result<Vec<f64>> {
        (1..=periods).map(|t| self.retention_rate(t)).collect()
    }

    /// Expected lifetime in periods of a new customer, `E[T] = Σ_{t≥0} S(t) = (α+β−1)/(α−1)`,
    /// or `None` when `α <= 1`, where it is infinite.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters.
    pub fn expected_lifetime(&self) -> Result<Option<f64>> {
        self.validate()?;
        Ok((self.alpha > 1.0).then(|| (self.alpha + self.beta - 1.0) / (self.alpha - 1.0)))
    }

    /// Discounted expected residual lifetime (Fader & Hardie 2010, "Customer-Base Valuation in
    /// a Contractual Setting") of a customer who has made `renewals` renewals (is in
    /// period `n = renewals + 1`), at a discount rate `d > 0` per period:
    ///
    /// ```text
    /// DERL = (β+n−1)/(α+β+n−1) · 2F1(1, β+n; α+β+n; 1/(1+d))
    ///      = Σ_{k≥1} S(n−1+k)/S(n−1) · (1+d)^−(k−1)
    /// ```
    ///
    /// the expected discounted number of payments still to come, with the payment right after the
    /// coming renewal decision undiscounted. Multiply by the margin per period for a value.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for invalid parameters or a discount rate that is not finite
    /// and positive; [`Error::SeriesDidNotConverge`] for `d` below about 1e-5.
    pub fn discounted_expected_residual_lifetime(
        &self,
        renewals: u32,
        discount: f64,
    ) -> Result<f64> {
        self.validate()?;
        check_positive("discount", discount)?;
        let n = f64::from(renewals) + 1.0;
        let Self { alpha, beta } = *self;
        let f = hyp2f1_one_b_c(beta + n, alpha + beta + n, 1.0 / (1.0 + discount))?;
        Ok((beta + n - 1.0) / (alpha + beta + n - 1.0) * f)
    }
}

fn check_period(t: u32) -> Result<()> {
    if t == 0 {
        Err(Error::InvalidModelInput {
            name: "t",
            value: 0.0,
            reason: "periods start at 1",
        })
    } else {
        Ok(())
    }
}

/// Fits sBG by maximum likelihood with the default [`FitOptions`].
///
/// # Errors
/// As [`fit_sbg_with`].
pub fn fit_sbg(survivors: &[u64]) -> Result<Fit<SbgParams>> {
    fit_sbg_with(survivors, FitOptions::default())
}

/// Fits sBG by maximum likelihood to a cohort's survivors: `survivors[0]` customers at the
/// start, `survivors[t]` still customers after `t` renewal decisions (non-increasing).
///
/// `LL = Σ_{t=1}^{n} (S_{t−1} − S_t) ln P(T = t) + S_n ln S(n)` (Fader & Hardie 2007, appendix),
/// maximised by BFGS over `(ln α, ln β)` with the analytic gradient.
///
/// # Errors
/// [`Error::InvalidModelInput`] when fewer than two counts are given or the cohort is empty;
/// [`Error::InvalidSummary`] when a count exceeds the one before (index = the period); [`Error::NotIdentifiable`] when nobody
/// churns or everybody churns in period 1 (a parameter runs off); [`Error::FitDidNotConverge`].
pub fn fit_sbg_with(survivors: &[u64], options: FitOptions) -> Result<Fit<SbgParams>> {
    if survivors.len() < 2 {
        return Err(Error::InvalidModelInput {
            name: "survivors",
            value: survivors.len() as f64,
            reason: "give the cohort size and at least one later count",
        });
    }
    if survivors[0] == 0 {
        return Err(Error::InvalidModelInput {
            name: "survivors[0]",
            value: 0.0,
            reason: "the cohort is empty",
        });
    }
    for (t, w) in survivors.windows(2).enumerate() {
        if w[1] > w[0] {
            return Err(Error::InvalidSummary {
                index: t + 1,
                field: "survivors",
                value: w[1] as f64,
                reason: "a count exceeds the count of the period before",
            });
        }
    }
    let last = survivors.len() - 1;
    if survivors[last] == survivors[0] {
        return Err(Error::NotIdentifiable {
            model: MODEL,
            reason: "nobody churned",
        });
    }
    if survivors[1] == 0 {
        return Err(Error::NotIdentifiable {
            model: MODEL,
            reason: "everybody churned in the first period",
        });
    }
    let churned: Vec<f64> = survivors.windows(2).map(|w| (w[0] - w[1]) as f64).collect();
    let still = survivors[last] as f64;
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        bound: options.log_parameter_bound,
    };
    let mut objective = |theta: &[f64], grad: &mut [f64]| {
        let (a, b) = (theta[0].exp(), theta[1].exp());
        let lb = ln_beta(a, b);
        let (dg_a, dg_b, dg_ab) = (digamma(a), digamma(b), digamma(a + b));
        let (mut ll, mut ga, mut gb) = (0.0, 0.0, 0.0);
        for (i, &n) in churned.iter().enumerate() {
            if n == 0.0 {
                continue;
            }
            let t = i as f64 + 1.0;
            let dg_abt = digamma(a + b + t);
            ll += n * (ln_beta(a + 1.0, b + t - 1.0) - lb);
            ga += n * (digamma(a + 1.0) - dg_abt - dg_a + dg_ab);
            gb += n * (digamma(b + t - 1.0) - dg_abt - dg_b + dg_ab);
        }
        if still > 0.0 {
            let t = last as f64;
            let dg_abt = digamma(a + b + t);
            ll += still * (ln_beta(a, b + t) - lb);
            ga += still * (dg_ab - dg_abt);
            gb += still * (digamma(b + t) - dg_abt - dg_b + dg_ab);
        }
        grad[0] = -ga * a;
        grad[1] = -gb * b;
        -ll
    };
    let min = optimize::bfgs(&mut objective, &[0.0, 0.0], settings)
        .map_err(|failure| fit_error(MODEL, failure))?;
    let params = |v: &[f64]| SbgParams {
        alpha: v[0],
        beta: v[1],
    };
    let exp: Vec<f64> = min.x.iter().map(|t| t.exp()).collect();
    let uncertainty = optimize::standard_errors(&mut objective, &min.x);
    Ok(Fit {
        params: params(&exp),
        log_likelihood: -min.value,
        iterations: min.iterations,
        customers: survivors[0] as usize,
        excluded_non_positive_spend: 0,
        standard_errors: uncertainty.as_ref().map(|u| params(&u.standard_errors)),
        log_covariance: uncertainty.map(|u| u.log_covariance),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: SbgParams = SbgParams {
        alpha: 0.668,
        beta: 3.806,
    };

    #[test]
    fn survival_is_the_product_of_retention_rates() {
        let mut s = 1.0;
        for t in 1..=20 {
            s *= P.retention_rate(t).unwrap();
            assert!((P.survival(t).unwrap() - s).abs() < 1e-11, "t={t}");
            let churn = P.survival(t - 1).unwrap() - P.survival(t).unwrap();
            assert!(
                (P.churn_probability(t).unwrap() - churn).abs() < 1e-11,
                "t={t}"
            );
        }
    }

    #[test]
    fn retention_curve_rises() {
        let curve = P.retention_curve(10).unwrap();
        assert_eq!(curve.len(), 10);
        assert!(curve.windows(2).all(|w| w[0] < w[1] && w[1] < 1.0));
        assert!(P.retention_curve(0).unwrap().is_empty());
    }

    #[test]
    fn derl_matches_the_discounted_sum() {
        let d: f64 = 0.1;
        for renewals in [0_u32, 1, 4] {
            let n = renewals + 1;
            let base = P.survival(n - 1).unwrap();
            let mut sum = 0.0;
            for k in 1..4000_u32 {
                sum += P.survival(n - 1 + k).unwrap() / base / (1.0 + d).powi(k as i32 - 1);
            }
            let got = P
                .discounted_expected_residual_lifetime(renewals, d)
                .unwrap();
            assert!(
                (got - sum).abs() < 1e-9,
                "renewals={renewals}: {got} vs {sum}"
            );
        }
    }

    #[test]
    fn expected_lifetime_is_the_sum_of_survival() {
        let p = SbgParams {
            alpha: 3.0,
            beta: 2.0,
        };
        let sum: f64 = (0..20_000).map(|t| p.survival(t).unwrap()).sum();
        assert!((p.expected_lifetime().unwrap().unwrap() - sum).abs() < 1e-3);
        assert_eq!(P.expected_lifetime().unwrap(), None);
    }
}
