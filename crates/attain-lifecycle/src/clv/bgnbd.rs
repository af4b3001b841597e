//! The BG/NBD model (Fader, Hardie and Lee 2005).

use super::optimize::{self, Settings};
use super::special::{Hyp2f1Path, digamma, inv_one_plus_exp, ln_gamma, ln_hyp2f1};
use super::summary::Grouped;
use super::{
    CustomerSummary, Fit, FitOptions, PurchaseModel, check_horizon, check_positive, fit_error,
};
#[cfg(doc)]
use crate::Error;
use crate::Result;

const MODEL: &str = "bg/nbd";

/// Parameters of the BG/NBD model: purchase rates `λ ~ Gamma(r, alpha)` (shape `r`, rate
/// `alpha` in the model's time unit) and drop-out probabilities after each purchase
/// `p ~ Beta(a, b)`. All four must be finite and positive.
///
/// An input (public fields), also the output of [`fit_bg_nbd`]. Every method checks it and
/// returns [`Error::InvalidModelInput`] otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BgNbdParams {
    /// Shape of the purchase-rate heterogeneity.
    pub r: f64,
    /// Rate (inverse time scale) of the purchase-rate heterogeneity.
    pub alpha: f64,
    /// First shape of the drop-out probability's beta distribution.
    pub a: f64,
    /// Second shape of the drop-out probability's beta distribution.
    pub b: f64,
}

impl BgNbdParams {
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
}

/// Fits BG/NBD by maximum likelihood with the default [`FitOptions`].
///
/// See [`fit_bg_nbd_with`].
///
/// # Errors
/// As [`fit_bg_nbd_with`].
pub fn fit_bg_nbd(summaries: &[CustomerSummary]) -> Result<Fit<BgNbdParams>> {
    fit_bg_nbd_with(summaries, FitOptions::default())
}

/// Fits BG/NBD by maximum likelihood.
///
/// The log-likelihood of one customer (Fader, Hardie & Lee 2005), in log space:
///
/// ```text
/// ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
///        + ln( (α+T)^−(r+x) + [x>0] a/(b+x−1) · (α+t_x)^−(r+x) )
/// ```
///
/// where the last term is a log-sum-exp of `−(r+x) ln(α+T)` and
/// `ln a − ln(b+x−1) − (r+x) ln(α+t_x)`, so `(α+T)^(r+x)` is never formed. The sum over
/// customers is maximised by BFGS over `(ln r, ln α, ln a, ln b)` with the analytic gradient
/// (digamma), on the distinct `(x, t_x, T)` rows weighted by their counts. The start is `r = 1`,
/// `alpha = ΣT / Σx`, `a = b = 1`.
///
/// Past 32,768 distinct rows the likelihood's sum runs on every core, in fixed chunks whose
/// partial sums are added in order: the same bits on any number of cores.
///
/// # Errors
/// [`Error::InvalidSummary`] for an invalid summary (naming its index);
/// [`Error::NotIdentifiable`] with no customers, no repeat buyer, or a parameter running off to
/// 0 or infinity; [`Error::FitDidNotConverge`] when the iteration budget runs out.
pub fn fit_bg_nbd_with(
    summaries: &[CustomerSummary],
    options: FitOptions,
) -> Result<Fit<BgNbdParams>> {
    let data = Grouped::fittable(summaries, MODEL)?;
    let alpha0 = data.rate_start();
    let start = [0.0, alpha0.ln(), 0.0, 0.0];
    let mut cache = Cache::default();
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance,
        bound: options.log_parameter_bound,
    };
    let mut objective =
        |theta: &[f64], grad: &mut [f64]| negative_ll(theta, &data, &mut cache, grad);
    let min = optimize::bfgs(&mut objective, &start, settings)
        .map_err(|failure| fit_error(MODEL, failure))?;
    let params = |v: &[f64]| BgNbdParams {
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

/// Per distinct `x`: the parts of the likelihood and gradient that depend only on `x`.
#[derive(Debug, Clone, Copy, Default)]
struct XTerms {
    /// ln Γ(r+x) − ln Γ(r), and its derivative in r.
    a1: f64,
    a1_r: f64,
    /// ln B(a, b+x) − ln B(a, b), and its derivatives in a and b.
    a2: f64,
    a2_a: f64,
    a2_b: f64,
    /// ln a − ln(b+x−1) (x > 0), and 1/(b+x−1).
    c4: f64,
    inv_bx1: f64,
}

/// Above this `x`, the per-`x` terms come from log-gamma and digamma differences; below, from
/// exact running sums, which do not cancel when `a` and `b` are large.
const SUM_LIMIT: f64 = 10_000.0;

/// Fills `out` with the [`XTerms`] of each distinct `x` (ascending), by running sums
/// `ln Γ(u+x) − ln Γ(u) = Σ_{k<x} ln(u+k)` and `ψ(u+x) − ψ(u) = Σ_{k<x} 1/(u+k)`, and
/// `ln B(a, b+x) − ln B(a, b) = Σ_{k<x} ln((b+k)/(a+b+k))`: log-gamma differences at large
/// `a + b` lose every digit to cancellation (1e-7 absolute at `a + b = 1e7`), and the
/// optimiser needs a smooth surface there to see that the model is not identified.
fn fill_x_terms(r: f64, a: f64, b: f64, xs: &[f64], out: &mut Vec<XTerms>) {
    out.clear();
    let (mut k, mut s_lr, mut s_dr, mut s_l2, mut s_db, mut s_dab) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let ln_a = a.ln();
    for &x in xs {
        if x == 0.0 {
            out.push(XTerms::default());
            continue;
        }
        let (a1, a1_r, a2, a2_a, a2_b) = if x <= SUM_LIMIT {
            while k < x {
                s_lr += (r + k).ln();
                s_dr += 1.0 / (r + k);
                s_l2 += (-a / (a + b + k)).ln_1p();
                s_db += 1.0 / (b + k);
                s_dab += 1.0 / (a + b + k);
                k += 1.0;
            }
            (s_lr, s_dr, s_l2, -s_dab, s_db - s_dab)
        } else {
            (
                ln_gamma(r + x) - ln_gamma(r),
                digamma(r + x) - digamma(r),
                ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x),
                digamma(a + b) - digamma(a + b + x),
                digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x),
            )
        };
        out.push(XTerms {
            a1,
            a1_r,
            a2,
            a2_a,
            a2_b,
            c4: ln_a - (b + x - 1.0).ln(),
            inv_bx1: 1.0 / (b + x - 1.0),
        });
    }
}

/// Scratch space reused across evaluations.
#[derive(Debug, Default)]
struct Cache {
    x: Vec<XTerms>,
    ln_t: Vec<f64>,
    ln_tx: Vec<f64>,
}

/// Negative log-likelihood over log-parameters, and its gradient.
fn negative_ll(theta: &[f64], data: &Grouped, cache: &mut Cache, grad: &mut [f64]) -> f64 {
    let (r, alpha, a, b) = (
        theta[0].exp(),
        theta[1].exp(),
        theta[2].exp(),
        theta[3].exp(),
    );
    fill_x_terms(r, a, b, &data.xs, &mut cache.x);
    let ln_alpha = alpha.ln();
    // ln(α+T) and ln(α+t_x) once per distinct value.
    let mut ln_t = std::mem::take(&mut cache.ln_t);
    ln_t.clear();
    ln_t.extend(data.ts.iter().map(|t| (alpha + t).ln()));
    let mut ln_tx = std::mem::take(&mut cache.ln_tx);
    ln_tx.clear();
    ln_tx.extend(data.t_xs.iter().map(|t| (alpha + t).ln()));
    let (x_terms, l_ts, l_txs) = (&cache.x, &ln_t, &ln_tx);
    let [ll, g_r, g_alpha, g_a, g_b] = data.sum_rows(|rows| {
        let (mut ll, mut g_r, mut g_alpha, mut g_a, mut g_b) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for row in rows {
            let xt = x_terms[row.x_index];
            let rx = r + row.x;
            let l_t = l_ts[row.t_index];
            let a3 = -rx * l_t;
            let (lse, w4, l_tx, inv_tx) = if row.x > 0.0 {
                let l_tx = l_txs[row.t_x_index];
                let a4 = xt.c4 - rx * l_tx;
                // ln(e^a3 + e^a4) with one exp: e = e^−|a3−a4|.
                let e = (-(a3 - a4).abs()).exp();
                let w_small = e / (1.0 + e);
                let w4 = if a4 > a3 { 1.0 - w_small } else { w_small };
                (a3.max(a4) + e.ln_1p(), w4, l_tx, 1.0 / (alpha + row.t_x))
            } else {
                (a3, 0.0, 0.0, 0.0)
            };
            let w3 = 1.0 - w4;
            let w = row.weight;
            ll += w * (xt.a1 + r * ln_alpha + xt.a2 + lse);
            g_r += w * (xt.a1_r + ln_alpha - w3 * l_t - w4 * l_tx);
            g_alpha += w * (r / alpha - rx * (w3 / (alpha + row.t) + w4 * inv_tx));
            g_a += w * (xt.a2_a + w4 / a);
            g_b += w * (xt.a2_b - w4 * xt.inv_bx1);
        }
        [ll, g_r, g_alpha, g_a, g_b]
    });
    cache.ln_t = ln_t;
    cache.ln_tx = ln_tx;
    // d/d ln θ = θ d/dθ; minimise the negative.
    grad[0] = -g_r * r;
    grad[1] = -g_alpha * alpha;
    grad[2] = -g_a * a;
    grad[3] = -g_b * b;
    -ll
}

impl PurchaseModel for BgNbdParams {
    fn model_name(&self) -> &'static str {
        MODEL
    }

    /// The BG/NBD log-likelihood of one customer (formula at [`fit_bg_nbd_with`]).
    fn log_likelihood(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        let Self { r, alpha, a, b } = *self;
        let x = summary.x as f64;
        let rx = r + x;
        let mut terms = Vec::with_capacity(1);
        fill_x_terms(r, a, b, &[x], &mut terms);
        let xt = terms.first().copied().unwrap_or_default();
        let a1 = xt.a1 + r * alpha.ln();
        let a2 = xt.a2;
        let a3 = -rx * (alpha + summary.t).ln();
        let lse = if summary.x > 0 {
            let a4 = xt.c4 - rx * (alpha + summary.t_x).ln();
            super::special::log_add_exp(a3, a4)
        } else {
            a3
        };
        Ok(a1 + a2 + lse)
    }

    /// `P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))`
    /// (Fader, Hardie & Lee 2005), evaluated in log space; exactly 1 when `x = 0`, because the BG/NBD
    /// customer can only drop out right after a repeat purchase.
    fn p_alive(&self, summary: &CustomerSummary) -> Result<f64> {
        self.validate()?;
        summary.validate(0)?;
        if summary.x == 0 {
            return Ok(1.0);
        }
        Ok(inv_one_plus_exp(self.ln_odds_dead(summary)))
    }

    /// `E[Y(h) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x)
    /// · 2F1(r+x, b+x; a+b+x−1; h/(α+T+h))] · P(alive)` (Fader, Hardie & Lee 2005). The series is
    /// summed in whichever of two equal forms converges faster: this one (best when `a` and `b`
    /// are large) or Euler's transformation `(1−z)^(r+x) 2F1(r+x, b+x; c; z) = (1−z)^(a−1)
    /// 2F1(a+b−1−r, a−1; c; z)`, which converges fast even for huge `x`. For `|a − 1| <
    /// 1e-6` (a removable 0/0) it averages `a = 1 ± 1e-4`, accurate to about 1e-8.
    fn conditional_expected_purchases(
        &self,
        summary: &CustomerSummary,
        horizon: f64,
    ) -> Result<f64> {
        expected_given_alive_by(self, self.validate(), self, summary, horizon)
    }

    fn predict_each(
        &self,
        summaries: &[CustomerSummary],
        horizon: f64,
    ) -> std::result::Result<Vec<(f64, f64)>, (usize, crate::Error)> {
        predict_each_given_alive_by(self, self, summaries, horizon)
    }

    fn conditional_expected_purchases_at_each(
        &self,
        summaries: &[CustomerSummary],
        horizons: &[f64],
    ) -> std::result::Result<Vec<Vec<f64>>, (usize, crate::Error)> {
        expected_at_each_given_alive_by(self, self.validate(), self, summaries, horizons)
    }

    /// As [`Self::conditional_expected_purchases`] at each horizon, in one sweep whose cost is
    /// linear in the number of horizons (see [`PurchaseModel::conditional_expected_purchases_at`]).
    fn conditional_expected_purchases_at(
        &self,
        summary: &CustomerSummary,
        horizons: &[f64],
    ) -> Result<Vec<f64>> {
        expected_at_given_alive_by(self, self.validate(), self, summary, horizons)
    }
}

/// [`PurchaseModel::conditional_expected_purchases`] of `model` (whose parameter check is
/// `validated`), with the expectation given alive of `given` (BG/NBD: its own parameters;
/// MBG/NBD: BG/NBD's with `b + 1`) times P(alive), never below 0.
pub(super) fn expected_given_alive_by(
    model: &impl PurchaseModel,
    validated: Result<()>,
    given: &BgNbdParams,
    summary: &CustomerSummary,
    horizon: f64,
) -> Result<f64> {
    validated?;
    summary.validate(0)?;
    check_horizon(horizon)?;
    if horizon == 0.0 {
        return Ok(0.0);
    }
    let p_alive = model.p_alive(summary)?;
    let if_alive = given.given_alive(summary, horizon)?;
    Ok((if_alive * p_alive).max(0.0))
}

/// [`PurchaseModel::conditional_expected_purchases_at`] of `model`, as
/// [`expected_given_alive_by`] at each horizon.
pub(super) fn expected_at_given_alive_by(
    model: &impl PurchaseModel,
    validated: Result<()>,
    given: &BgNbdParams,
    summary: &CustomerSummary,
    horizons: &[f64],
) -> Result<Vec<f64>> {
    super::check_at(validated, summary, horizons)?;
    let p_alive = model.p_alive(summary)?;
    let if_alive = given.given_alive_at(summary, horizons)?;
    Ok(if_alive
        .into_iter()
        .map(|e| (e * p_alive).max(0.0))
        .collect())
}

/// [`PurchaseModel::predict_each`] of `model`, whose expectation given alive is `given`'s
/// [`BgNbdParams::given_alive`] (BG/NBD: its own; MBG/NBD: BG/NBD's with `b + 1`), computed
/// once per distinct `(x, T)`.
pub(super) fn predict_each_given_alive_by(
    model: &impl PurchaseModel,
    given: &BgNbdParams,
    summaries: &[CustomerSummary],
    horizon: f64,
) -> std::result::Result<Vec<(f64, f64)>, (usize, crate::Error)> {
    super::predict_sharing_x_t(
        summaries,
        horizon,
        |s| model.p_alive(s),
        |s| given.given_alive(s, horizon),
    )
}

/// [`PurchaseModel::conditional_expected_purchases_at_each`] of `model` (whose parameters'
/// check is `validate`), whose expectation given alive is `given`'s
/// [`BgNbdParams::given_alive_at`], computed once per distinct `(x, T)`.
pub(super) fn expected_at_each_given_alive_by(
    model: &impl PurchaseModel,
    validate: Result<()>,
    given: &BgNbdParams,
    summaries: &[CustomerSummary],
    horizons: &[f64],
) -> std::result::Result<Vec<Vec<f64>>, (usize, crate::Error)> {
    super::expected_at_sharing_x_t(
        summaries,
        |s| super::check_at(validate.clone(), s, horizons),
        |s| model.p_alive(s),
        |s| given.given_alive_at(s, horizons),
    )
}

impl BgNbdParams {
    /// The expected purchases in `(0, horizon]` of a customer alive, with the removable
    /// `a = 1` taken out ([`Self::removing_a_one`]).
    pub(super) fn given_alive(&self, s: &CustomerSummary, horizon: f64) -> Result<f64> {
        self.removing_a_one(
            |p| p.expected_if_alive(s, horizon),
            |lo, hi| 0.5 * (lo + hi),
        )
    }

    /// [`Self::given_alive`] at every horizon, in one sweep ([`Self::expected_if_alive_at`]).
    pub(super) fn given_alive_at(&self, s: &CustomerSummary, horizons: &[f64]) -> Result<Vec<f64>> {
        self.removing_a_one(
            |p| p.expected_if_alive_at(s, horizons),
            |lo, hi| lo.iter().zip(&hi).map(|(l, h)| 0.5 * (l + h)).collect(),
        )
    }

    /// `f(self)`; for `|a − 1| < 1e-6` (a removable 0/0 in the expectation) the `mean` of `f`
    /// at `a = 1 ± 1e-4`, accurate to about 1e-8.
    pub(super) fn removing_a_one<T>(
        &self,
        f: impl Fn(&BgNbdParams) -> Result<T>,
        mean: impl Fn(T, T) -> T,
    ) -> Result<T> {
        if (self.a - 1.0).abs() < 1e-6 {
            let lo = BgNbdParams {
                a: 1.0 - 1e-4,
                ..*self
            };
            let hi = BgNbdParams {
                a: 1.0 + 1e-4,
                ..*self
            };
            Ok(mean(f(&lo)?, f(&hi)?))
        } else {
            f(self)
        }
    }

    /// [`Self::expected_if_alive`] at every horizon (non-decreasing, finite, not negative) in
    /// one sweep: the hypergeometric function is continued from one `z = h/(α+T+h)` to the next
    /// ([`Hyp2f1Path`]) instead of being summed afresh, so the cost is linear in the number of
    /// horizons and almost independent of their length.
    pub(super) fn expected_if_alive_at(
        &self,
        s: &CustomerSummary,
        horizons: &[f64],
    ) -> Result<Vec<f64>> {
        let Self { r, alpha, a, b } = *self;
        let x = s.x as f64;
        let c = a + b + x - 1.0;
        let (a1, b1) = (r + x, b + x);
        let (a2, b2) = (a + b - 1.0 - r, a - 1.0);
        let (fa, fb, power) = if (a1 * b1).abs() <= (a2 * b2).abs() {
            (a1, b1, r + x)
        } else {
            (a2, b2, a - 1.0)
        };
        let base = alpha + s.t;
        // Extreme parameters (a + b in the thousands: a drop-out all but identified) make the
        // continuation's steps short, while the direct series converges in a few terms there:
        // sum each horizon directly when the path would cost more than about 100 steps a
        // horizon.
        let z_of = |h: f64| h / (base + h);
        let first = horizons.iter().copied().find(|&h| h > 0.0);
        if let (Some(first), Some(&last)) = (first, horizons.last()) {
            let (z_from, z_to) = (z_of(first).min(0.25), z_of(last));
            let budget = 100.0 * horizons.len() as f64 + 10_000.0;
            let steps = Hyp2f1Path::estimated_steps(fa, fb, c, z_from, z_to);
            if steps.is_nan() || steps > budget {
                return horizons
                    .iter()
                    .map(|&h| {
                        if h == 0.0 {
                            Ok(0.0)
                        } else {
                            self.expected_if_alive_direct(s, h)
                        }
                    })
                    .collect();
            }
        }
        let mut path: Option<Hyp2f1Path> = None;
        let mut out = Vec::with_capacity(horizons.len());
        for &h in horizons {
            if h == 0.0 {
                out.push(0.0);
                continue;
            }
            let z = z_of(h);
            let ln_one_minus_z = -(h / base).ln_1p();
            let f = match &mut path {
                Some(p) => p.advance_to(z)?,
                None => {
                    // Start where the direct series converges fast, then continue.
                    let mut p = Hyp2f1Path::new(fa, fb, c, z.min(0.25))?;
                    let f = p.advance_to(z)?;
                    path = Some(p);
                    f
                }
            };
            let product = f.sign * (power * ln_one_minus_z + f.ln_abs).exp();
            out.push(c / (a - 1.0) * (1.0 - product));
        }
        Ok(out)
    }

    /// `ln(a/(b+x−1)) + (r+x) ln((α+T)/(α+t_x))` for `x > 0`.
    pub(super) fn ln_odds_dead(&self, s: &CustomerSummary) -> f64 {
        let x = s.x as f64;
        self.a.ln() - (self.b + x - 1.0).ln()
            + (self.r + x) * ((s.t - s.t_x) / (self.alpha + s.t_x)).ln_1p()
    }

    /// The conditional-expectation bracket times `(a+b+x−1)/(a−1)`. The direct series needs
    /// about `h/(α+T)` terms; far beyond the customer's time scale the continuation of
    /// [`Self::expected_if_alive_at`] takes over, whose cost grows with the logarithm.
    pub(super) fn expected_if_alive(&self, s: &CustomerSummary, horizon: f64) -> Result<f64> {
        if horizon / (self.alpha + s.t) > 1e3 {
            let at = self.expected_if_alive_at(s, &[horizon])?;
            return Ok(at.first().copied().unwrap_or(0.0));
        }
        self.expected_if_alive_direct(s, horizon)
    }

    /// [`Self::expected_if_alive`] by the direct series.
    fn expected_if_alive_direct(&self, s: &CustomerSummary, horizon: f64) -> Result<f64> {
        let Self { r, alpha, a, b } = *self;
        let x = s.x as f64;
        let c = a + b + x - 1.0;
        let z = horizon / (alpha + s.t + horizon);
        let ln_one_minus_z = -(horizon / (alpha + s.t)).ln_1p();
        // Sum whichever of the two equal forms has the smaller first ratio |AB/C|·z: Euler's for
        // large x, the original when a and b are large (a nearly identified drop-out).
        let (a1, b1) = (r + x, b + x);
        let (a2, b2) = (a + b - 1.0 - r, a - 1.0);
        let product = if (a1 * b1).abs() <= (a2 * b2).abs() {
            let f = ln_hyp2f1(a1, b1, c, z)?;
            f.sign * ((r + x) * ln_one_minus_z + f.ln_abs).exp()
        } else {
            let f = ln_hyp2f1(a2, b2, c, z)?;
            f.sign * ((a - 1.0) * ln_one_minus_z + f.ln_abs).exp()
        };
        Ok(c / (a - 1.0) * (1.0 - product))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    /// More than one chunk of distinct rows, so that the likelihood is summed on several
    /// threads: the same as the customers' own log-likelihoods added up.
    fn many_distinct_summaries() -> Vec<CustomerSummary> {
        (0..super::super::summary::SUM_CHUNK + 5_000)
            .map(|i| {
                let t = 20.0 + i as f64 * 1e-3;
                let x = (i % 7) as u64;
                let t_x = if x == 0 {
                    0.0
                } else {
                    t * (i % 13 + 1) as f64 / 14.0
                };
                CustomerSummary::new(x, t_x, t)
            })
            .collect()
    }

    #[test]
    fn the_chunked_likelihood_is_the_sum_over_customers() {
        let summaries = many_distinct_summaries();
        let data = Grouped::new(&summaries).unwrap();
        assert!(data.rows.len() > super::super::summary::SUM_CHUNK);
        let theta = [P.r.ln(), P.alpha.ln(), P.a.ln(), P.b.ln()];
        let ll = -negative_ll(&theta, &data, &mut Cache::default(), &mut [0.0; 4]);
        let direct: f64 = summaries.iter().map(|s| P.log_likelihood(s).unwrap()).sum();
        assert!(
            (ll - direct).abs() < 1e-9 * direct.abs(),
            "{ll} vs {direct}"
        );
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let summaries = [
            CustomerSummary::new(0, 0.0, 30.0),
            CustomerSummary::new(3, 20.0, 38.0),
            CustomerSummary::new(1, 2.0, 39.0),
            CustomerSummary::new(12, 35.5, 36.0),
        ];
        let data = Grouped::new(&summaries).unwrap();
        let theta = [0.2_f64.ln(), 3.0_f64.ln(), 0.9_f64.ln(), 2.0_f64.ln()];
        let mut cache = Cache::default();
        let mut grad = [0.0; 4];
        let f0 = negative_ll(&theta, &data, &mut cache, &mut grad);
        let direct: f64 = summaries
            .iter()
            .map(|s| {
                let p = BgNbdParams {
                    r: 0.2,
                    alpha: 3.0,
                    a: 0.9,
                    b: 2.0,
                };
                p.log_likelihood(s).unwrap()
            })
            .sum();
        assert!((f0 + direct).abs() < 1e-10, "{f0} vs {direct}");
        for i in 0..4 {
            let mut up = theta;
            let mut down = theta;
            up[i] += 1e-6;
            down[i] -= 1e-6;
            let mut scratch = [0.0; 4];
            let numeric = (negative_ll(&up, &data, &mut cache, &mut scratch)
                - negative_ll(&down, &data, &mut cache, &mut scratch))
                / 2e-6;
            assert!(
                (numeric - grad[i]).abs() < 1e-5 * (1.0 + grad[i].abs()),
                "{i}: {numeric} vs {}",
                grad[i]
            );
        }
    }

    #[test]
    fn expected_purchases_near_a_equal_one_is_continuous() {
        let s = CustomerSummary::new(2, 30.0, 39.0);
        let at = |a: f64| {
            BgNbdParams { a, ..P }
                .conditional_expected_purchases(&s, 39.0)
                .unwrap()
        };
        let (below, at_one, above) = (at(1.0 - 2e-6), at(1.0), at(1.0 + 2e-6));
        // Smooth in a: the value at 1 is the midpoint of its neighbours to second order.
        assert!(
            (at_one - 0.5 * (below + above)).abs() < 1e-8,
            "{below} {at_one} {above}"
        );
    }

    #[test]
    fn expected_purchases_with_huge_a_and_b() {
        // A drop-out probability pinned near a/(a+b) = 0.27: a and b near 1e9 (the original
        // series converges fast, Euler's form would need ~1e8 terms).
        let p = BgNbdParams {
            r: 1.075,
            alpha: 8.74,
            a: 9.2e8,
            b: 2.5e9,
        };
        for x in [0, 1, 4] {
            let s = CustomerSummary::new(x, if x == 0 { 0.0 } else { 20.0 }, 38.0);
            let e = p.conditional_expected_purchases(&s, 13.0).unwrap();
            // Never more than without drop-out: (r+x)/(α+T) · h.
            let nbd = (p.r + x as f64) / (p.alpha + 38.0) * 13.0;
            assert!(e > 0.0 && e <= nbd, "x={x}: {e} vs {nbd}");
        }
    }

    #[test]
    fn both_series_forms_agree() {
        let (r, a, b, x, z) = (0.8, 3.5, 6.0, 3.0, 0.4);
        let c = a + b + x - 1.0;
        let ln_1mz = (1.0_f64 - z).ln();
        let f1 = ln_hyp2f1(r + x, b + x, c, z).unwrap();
        let f2 = ln_hyp2f1(a + b - 1.0 - r, a - 1.0, c, z).unwrap();
        let original = ((r + x) * ln_1mz + f1.ln_abs).exp() * f1.sign;
        let euler = ((a - 1.0) * ln_1mz + f2.ln_abs).exp() * f2.sign;
        assert!((original - euler).abs() < 1e-13, "{original} vs {euler}");
    }

    #[test]
    fn unconditional_expected_purchases_by_series_definition() {
        // E[X(t)] = (a+b-1)/(a-1) [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))] with the plain
        // (untransformed) series, against the transformed evaluation.
        let t = 39.0;
        let z = t / (P.alpha + t);
        let f = ln_hyp2f1(P.r, P.b, P.a + P.b - 1.0, z).unwrap().value();
        let want =
            (P.a + P.b - 1.0) / (P.a - 1.0) * (1.0 - (P.alpha / (P.alpha + t)).powf(P.r) * f);
        let got = P.expected_purchases(t).unwrap();
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
}
