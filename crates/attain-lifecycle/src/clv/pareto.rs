//! The Pareto/NBD model (Schmittlein, Morrison and Colombo 1987), in the form of Fader and
//! Hardie's note "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005).

use super::optimize::{self, Settings};
use super::special::{digamma, hyp2f1_one_b_c, hyp2f1_one_b_c_with_gradient, ln_gamma};
use super::summary::Grouped;
use super::{
    CustomerSummary, Fit, FitOptions, PurchaseModel, check_horizon, check_positive, fit_error,
};
use crate::{Error, Result};

const MODEL: &str = "pareto/nbd";

/// Parameters of the Pareto/NBD model: purchase rates `λ ~ Gamma(r, alpha)` and drop-out rates
/// `μ ~ Gamma(s, beta)` (rates per unit of the model's time unit). All four finite and positive.
///
/// An input (public fields), also the output of [`fit_pareto_nbd`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ParetoNbdParams {
    /// Shape of the purchase-rate heterogeneity.
    pub r: f64,
    /// Rate of the purchase-rate heterogeneity.
    pub alpha: f64,
    /// Shape of the drop-out-rate heterogeneity.
    pub s: f64,
    /// Rate of the drop-out-rate heterogeneity.
    pub beta: f64,
}

impl ParetoNbdParams {
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        check_positive("r", self.r)?;
        check_positive("alpha", self.alpha)?;
        check_positive("s", self.s)?;
        check_positive("beta", self.beta)
    }
}

/// Fits Pareto/NBD by maximum likelihood with the default [`FitOptions`].
///
/// # Errors
/// As [`fit_pareto_nbd_with`].
pub fn fit_pareto_nbd(summaries: &[CustomerSummary]) -> Result<Fit<ParetoNbdParams>> {
    fit_pareto_nbd_with(summaries, FitOptions::default())
}

/// Fits Pareto/NBD by maximum likelihood.
///
/// The likelihood of one customer is (Fader & Hardie 2005 note; `D(t) = (α+t)^−(r+x)
/// (β+t)^−s`)
///
/// ```text
/// L = Γ(r+x) α^r β^s / Γ(r) · [ D(T) + s ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ ]
/// ```
///
/// and the integral is `A₀ / (r+s+x)` with `A₀` a difference of two Gaussian hypergeometric
/// functions `2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t))` (for `α ≥ β`; with `β` and `r+x` in the
/// other case). We evaluate them after Euler's transformation, `2F1(a, b; a+1; z) = (1−z)^(1−b)
/// 2F1(1, a+1−b; a+1; z)`, whose series has only positive terms, each below `z` times the
/// previous one, so it cannot cancel; powers are taken relative to `D(t_x)` and combined in
/// log space, and the integral is clamped at zero against rounding, so the bracket is never
/// below `D(T) > 0` and the log-likelihood is finite for any valid summary.
///
/// The fit is BFGS over `(ln r, ln α, ln s, ln β)` with the analytic gradient (the series'
/// derivatives are summed alongside it), on the
/// distinct `(x, t_x, T)` rows weighted by their counts. The likelihood is flat along `beta`
/// on data like CDNOW: compare fits by log-likelihood.
///
/// # Errors
/// [`Error::InvalidSummary`] for an invalid summary; [`Error::NotIdentifiable`] with no
/// customers, no repeat buyer, or a parameter running off; [`Error::FitDidNotConverge`] when
/// the iteration budget runs out.
pub fn fit_pareto_nbd_with(
    summaries: &[CustomerSummary],
    options: FitOptions,
) -> Result<Fit<ParetoNbdParams>> {
    let data = Grouped::fittable(summaries, MODEL)?;
    let alpha0 = data.rate_start();
    let total_t: f64 = data.rows.iter().map(|r| r.weight * r.t).sum();
    let beta0 = (total_t / data.customers as f64).clamp(1e-6, 1e6);
    let start = [0.0, alpha0.ln(), 0.0, beta0.ln()];
    let mut lg = Vec::new();
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        bound: options.log_parameter_bound,
    };
    let mut budget = options.max_series_terms;
    let mut objective =
        |theta: &[f64], grad: &mut [f64]| negative_ll(theta, &data, &mut lg, grad, &mut budget);
    let min = optimize::bfgs(&mut objective, &start, settings);
    let uncertainty = min
        .as_ref()
        .ok()
        .and_then(|min| optimize::standard_errors(&mut objective, &min.x));
    if budget == 0 {
        return Err(Error::FitDidNotConverge {
            model: MODEL,
            iterations: match &min {
                Ok(m) => m.iterations,
                Err((_, iterations)) => *iterations,
            },
            reason: "the likelihood's series ran past FitOptions::max_series_terms: the search went where s and beta grow together (dropout the same for everyone) or where the series converges slowly",
        });
    }
    let min = min.map_err(|failure| fit_error(MODEL, failure))?;
    let params = |v: &[f64]| ParetoNbdParams {
        r: v[0],
        alpha: v[1],
        s: v[2],
        beta: v[3],
    };
    let exp: Vec<f64> = min.x.iter().map(|t| t.exp()).collect();
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

/// Negative log-likelihood over log-parameters and its gradient; infinity outside the domain
/// of the series or once the series have used up `budget` terms.
fn negative_ll(
    theta: &[f64],
    data: &Grouped,
    lg: &mut Vec<(f64, f64)>,
    grad: &mut [f64],
    budget: &mut usize,
) -> f64 {
    let p = ParetoNbdParams {
        r: theta[0].exp(),
        alpha: theta[1].exp(),
        s: theta[2].exp(),
        beta: theta[3].exp(),
    };
    if p.validate().is_err() {
        return f64::INFINITY;
    }
    let (lg_r, dg_r) = (ln_gamma(p.r), digamma(p.r));
    lg.clear();
    lg.extend(data.xs.iter().map(|&x| {
        if x == 0.0 {
            (0.0, 0.0)
        } else {
            (ln_gamma(p.r + x) - lg_r, digamma(p.r + x) - dg_r)
        }
    }));
    let (ln_alpha, ln_beta) = (p.alpha.ln(), p.beta.ln());
    let head = p.r * ln_alpha + p.s * ln_beta;
    let mut ll = 0.0;
    let mut g = [0.0; 4];
    for row in &data.rows {
        match p.bracket_with_gradient(row.x, row.t_x, row.t, budget) {
            Ok((bracket, db)) => {
                let (lgx, dgx) = lg[row.x_index];
                let w = row.weight;
                ll += w * (lgx + head + bracket);
                g[0] += w * (dgx + ln_alpha + db[0]);
                g[1] += w * (p.r / p.alpha + db[1]);
                g[2] += w * (ln_beta + db[2]);
                g[3] += w * (p.s / p.beta + db[3]);
            }
            Err(_) => return f64::INFINITY,
        }
    }
    grad[0] = -g[0] * p.r;
    grad[1] = -g[1] * p.alpha;
    grad[2] = -g[2] * p.s;
    grad[3] = -g[3] * p.beta;
    -ll
}

impl ParetoNbdParams {
    /// `(ln [D(T) + s·∫...], ln D(T))` for one summary (see [`fit_pareto_nbd_with`]).
    fn bracket(&self, x: f64, t_x: f64, t: f64) -> Result<(f64, f64)> {
        let Self { r, alpha, s, beta } = *self;
        let rx = r + x;
        let d_t = -rx * (alpha + t).ln() - s * (beta + t).ln();
        let d_tx = -rx * (alpha + t_x).ln() - s * (beta + t_x).ln();
        let c = s / (r + s + x);
        let (g1k1, g2k2) = if alpha >= beta {
            let g1 = hyp2f1_one_b_c(rx, rx + s + 1.0, (alpha - beta) / (alpha + t_x))?;
            let g2 = hyp2f1_one_b_c(rx, rx + s + 1.0, (alpha - beta) / (alpha + t))?;
            (g1, g2)
        } else {
            let g1 = hyp2f1_one_b_c(s + 1.0, rx + s + 1.0, (beta - alpha) / (beta + t_x))?;
            let g2 = hyp2f1_one_b_c(s + 1.0, rx + s + 1.0, (beta - alpha) / (beta + t))?;
            (
                g1 * (alpha + t_x) / (beta + t_x),
                g2 * (alpha + t) / (beta + t),
            )
        };
        let ratio = (d_t - d_tx).exp(); // D(T) / D(t_x) <= 1
        let integral = (c * (g1k1 - g2k2 * ratio)).max(0.0);
        Ok((d_tx + (integral + ratio).ln(), d_t))
    }
}

impl ParetoNbdParams {
    /// The bracket of [`ParetoNbdParams::bracket`] and its gradient in `(r, α, s, β)`, by the
    /// chain rule through the series derivatives of
    /// [`hyp2f1_one_b_c_with_gradient`].
    fn bracket_with_gradient(
        &self,
        x: f64,
        t_x: f64,
        t: f64,
        budget: &mut usize,
    ) -> Result<(f64, [f64; 4])> {
        let Self { r, alpha, s, beta } = *self;
        let rx = r + x;
        let (l_at, l_bt) = ((alpha + t).ln(), (beta + t).ln());
        let (l_atx, l_btx) = ((alpha + t_x).ln(), (beta + t_x).ln());
        let d_t = -rx * l_at - s * l_bt;
        let d_tx = -rx * l_atx - s * l_btx;
        let dd_t = [-l_at, -rx / (alpha + t), -l_bt, -s / (beta + t)];
        let dd_tx = [-l_atx, -rx / (alpha + t_x), -l_btx, -s / (beta + t_x)];
        let rsx = r + s + x;
        let c = s / rsx;
        let dc = [-s / (rsx * rsx), 0.0, rx / (rsx * rsx), 0.0];
        // H(τ) = G(z(τ)) k(τ) and its gradient, for τ = t_x and τ = T.
        let mut h = |tau: f64| -> Result<(f64, [f64; 4])> {
            if alpha >= beta {
                let z = (alpha - beta) / (alpha + tau);
                let [g, g_b, g_c, g_z] = hyp2f1_one_b_c_with_gradient(rx, rx + s + 1.0, z, budget)?;
                let z_alpha = (beta + tau) / ((alpha + tau) * (alpha + tau));
                let z_beta = -1.0 / (alpha + tau);
                Ok((g, [g_b + g_c, g_z * z_alpha, g_c, g_z * z_beta]))
            } else {
                let z = (beta - alpha) / (beta + tau);
                let [g, g_b, g_c, g_z] =
                    hyp2f1_one_b_c_with_gradient(s + 1.0, rx + s + 1.0, z, budget)?;
                let z_alpha = -1.0 / (beta + tau);
                let z_beta = (alpha + tau) / ((beta + tau) * (beta + tau));
                let k = (alpha + tau) / (beta + tau);
                let k_alpha = 1.0 / (beta + tau);
                let k_beta = -k / (beta + tau);
                Ok((
                    g * k,
                    [
                        g_c * k,
                        g_z * z_alpha * k + g * k_alpha,
                        (g_b + g_c) * k,
                        g_z * z_beta * k + g * k_beta,
                    ],
                ))
            }
        };
        let (h1, dh1) = h(t_x)?;
        let (h2, dh2) = h(t)?;
        let ratio = (d_t - d_tx).exp();
        let raw = c * (h1 - h2 * ratio);
        let mut grad = [0.0; 4];
        let integral = raw.max(0.0);
        let total = integral + ratio;
        for i in 0..4 {
            let d_ratio = ratio * (dd_t[i] - dd_tx[i]);
            let d_integral = if raw > 0.0 {
                dc[i] * (h1 - h2 * ratio) + c * (dh1[i] - dh2[i] * ratio - h2 * d_ratio)
            } else {
                0.0
            };
            grad[i] = dd_tx[i] + (d_integral + d_ratio) / total;
        }
        Ok((d_tx + total.ln(), grad))
    }
}

impl PurchaseModel for ParetoNbdParams {
    fn model_name(&self) -> &'static str {
        MODEL
    }

    /// The Pareto/NBD log-likelihood of one customer (formula at [`fit_pareto_nbd_with`]).
    fn log_likelihood(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        let x = summary.x as f64;
        let (bracket, _) = self.bracket(x, summary.t_x, summary.t)?;
        Ok(ln_gamma(self.r + x) - ln_gamma(self.r)
            + self.r * self.alpha.ln()
            + self.s * self.beta.ln()
            + bracket)
    }

    /// `P(alive | x, t_x, T) = D(T) / [D(T) + s·∫_{t_x}^{T} ...]` (Fader & Hardie 2005
    /// note), from the same log-space bracket as the likelihood. Below 1 even for `x = 0`:
    /// a Pareto/NBD customer can drop out at any time.
    fn p_alive(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        let (bracket, d_t) = self.bracket(summary.x as f64, summary.t_x, summary.t)?;
        Ok((d_t - bracket).exp().clamp(0.0, 1.0))
    }

    /// `E[Y(h) | x, t_x, T] = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+h))^(s−1)] ·
    /// P(alive)` (the same note), with the bracket over `s − 1` computed as `−expm1(−(s−1) L) / (s−1)`,
    /// `L = ln(1 + h/(β+T))`, which is exact in the limit `s = 1` (it is `L` there).
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
        let Self { r, alpha, s, beta } = *self;
        let t = summary.t;
        let l = (horizon / (beta + t)).ln_1p();
        let sm1 = s - 1.0;
        let g = if sm1 == 0.0 {
            l
        } else {
            -(-sm1 * l).exp_m1() / sm1
        };
        let rx = r + summary.x as f64;
        Ok((rx / (alpha + t) * (beta + t) * g * p_alive).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ln [D(T) + s ∫ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ]` by Simpson's rule on 20,000 intervals.
    fn bracket_by_quadrature(p: &ParetoNbdParams, x: f64, t_x: f64, t: f64) -> f64 {
        let rx = p.r + x;
        let f = |tau: f64| (-rx * (p.alpha + tau).ln() - (p.s + 1.0) * (p.beta + tau).ln()).exp();
        let n = 20_000;
        let h = (t - t_x) / n as f64;
        let mut sum = f(t_x) + f(t);
        for i in 1..n {
            sum += f(t_x + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        let integral = sum * h / 3.0;
        let d_t = (-rx * (p.alpha + t).ln() - p.s * (p.beta + t).ln()).exp();
        (d_t + p.s * integral).ln()
    }

    #[test]
    fn bracket_matches_quadrature_in_both_branches() {
        for p in [
            ParetoNbdParams {
                r: 0.553,
                alpha: 10.578,
                s: 0.606,
                beta: 11.669,
            },
            ParetoNbdParams {
                r: 0.553,
                alpha: 15.0,
                s: 0.606,
                beta: 3.0,
            },
            ParetoNbdParams {
                r: 2.0,
                alpha: 1.0,
                s: 1.7,
                beta: 1.2,
            },
        ] {
            for (x, t_x, t) in [
                (0.0, 0.0, 39.0),
                (3.0, 20.0, 38.0),
                (1.0, 1.7, 38.86),
                (7.0, 36.0, 36.5),
            ] {
                let (got, _) = p.bracket(x, t_x, t).unwrap();
                let want = bracket_by_quadrature(&p, x, t_x, t);
                assert!(
                    (got - want).abs() < 1e-9,
                    "{p:?} ({x},{t_x},{t}): {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        for p in [
            ParetoNbdParams {
                r: 0.553,
                alpha: 10.578,
                s: 0.606,
                beta: 11.669,
            },
            ParetoNbdParams {
                r: 0.553,
                alpha: 15.0,
                s: 0.606,
                beta: 3.0,
            },
        ] {
            for (x, t_x, t) in [(0.0, 0.0, 39.0), (3.0, 20.0, 38.0), (7.0, 36.0, 36.5)] {
                let (b0, grad) = p
                    .bracket_with_gradient(x, t_x, t, &mut { usize::MAX })
                    .unwrap();
                assert!((b0 - p.bracket(x, t_x, t).unwrap().0).abs() < 1e-12);
                let v = [p.r, p.alpha, p.s, p.beta];
                for i in 0..4 {
                    let at = |d: f64| {
                        let mut w = v;
                        w[i] += d;
                        let q = ParetoNbdParams {
                            r: w[0],
                            alpha: w[1],
                            s: w[2],
                            beta: w[3],
                        };
                        q.bracket(x, t_x, t).unwrap().0
                    };
                    let h = 1e-6 * v[i];
                    let numeric = (at(h) - at(-h)) / (2.0 * h);
                    assert!(
                        (numeric - grad[i]).abs() < 1e-6 * (1.0 + numeric.abs()),
                        "{p:?} ({x},{t_x},{t}) [{i}]: {numeric} vs {}",
                        grad[i]
                    );
                }
            }
        }
    }

    #[test]
    fn expected_purchases_at_s_equal_one_is_the_limit() {
        let s = CustomerSummary::new(2, 30.0, 39.0);
        let p = |s_: f64| ParetoNbdParams {
            r: 0.5,
            alpha: 10.0,
            s: s_,
            beta: 12.0,
        };
        let at_one = p(1.0).conditional_expected_purchases(&s, 52.0).unwrap();
        let near = p(1.0 + 1e-9)
            .conditional_expected_purchases(&s, 52.0)
            .unwrap();
        assert!((at_one - near).abs() < 1e-8, "{at_one} {near}");
    }
}
