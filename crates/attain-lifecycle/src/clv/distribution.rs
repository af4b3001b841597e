//! The distribution of future purchases, P(alive) at a future time, discounted expected residual
//! transactions, and a cohort's expected cumulative repeat purchases (the "tracking" curve).
//!
//! Each conditional quantity uses one fact of these models: given the history and given that
//! the customer is alive at `T`, the future is the same model started afresh at `T` with
//! updated parameters (`r + x`, `α + T` for the purchase rate; `b + x` (BG/NBD), `b + x + 1`
//! (MBG/NBD), `β + T` (Pareto/NBD) for the drop-out), so
//! `P(X(T, T+t) = k | history) = (1 − P(alive)) · [k = 0] + P(alive) · P_fresh(X(t) = k)`.

use super::bgbb::{BgBbParams, BgBbSummary};
use super::special::{ln_beta, ln_gamma};
use super::{
    BgNbdParams, CustomerSummary, MbgNbdParams, ParetoNbdParams, PurchaseModel, check_horizon,
};
use crate::{Error, Result};

/// The largest purchase count a probability is asked for.
pub const MAX_PURCHASE_COUNT: u64 = 100_000;

/// What the purchase models predict beyond expectations (implemented by [`BgNbdParams`],
/// [`MbgNbdParams`] and [`ParetoNbdParams`]; BG/BB has the same quantities over discrete
/// opportunities as methods of [`BgBbParams`]).
///
/// ```
/// use attain_lifecycle::clv::{BgNbdParams, CustomerSummary, PurchaseDistribution};
/// let p = BgNbdParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// // A new customer's repeat purchases in 39 weeks: the probabilities add up to 1.
/// let total: f64 = (0..200).map(|k| p.probability_of_purchases(39.0, k).unwrap()).sum();
/// assert!((total - 1.0).abs() < 1e-9);
/// // Alive now, less so in a year if nothing is known in between.
/// let s = CustomerSummary::new(2, 30.43, 38.86);
/// assert!(p.p_alive_at(&s, 52.0)? < p.p_alive_at(&s, 0.0)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait PurchaseDistribution: PurchaseModel {
    /// `P(X(t) = k)`: the probability that a customer just acquired makes exactly `k` repeat
    /// purchases in `(0, t]`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for a parameter, a horizon that is negative or not finite,
    /// or `k` above [`MAX_PURCHASE_COUNT`].
    fn probability_of_purchases(&self, t: f64, k: u64) -> Result<f64>;

    /// `P(X(T, T+t) = k | x, t_x, T)`: the probability of exactly `k` purchases in the `t` after
    /// the calibration end, given the customer's history.
    ///
    /// # Errors
    /// As [`PurchaseDistribution::probability_of_purchases`]; [`Error::InvalidSummary`].
    fn conditional_probability_of_purchases(
        &self,
        summary: &CustomerSummary,
        t: f64,
        k: u64,
    ) -> Result<f64>;

    /// The probability that the customer is alive at `T + t`, given the history up to `T` and
    /// nothing after (at `t = 0` it is [`PurchaseModel::p_alive`]).
    ///
    /// # Errors
    /// As [`PurchaseDistribution::conditional_probability_of_purchases`];
    /// [`Error::SeriesDidNotConverge`] for a horizon so long that the sum over future purchase
    /// counts does not settle (BG/NBD, MBG/NBD).
    fn p_alive_at(&self, summary: &CustomerSummary, t: f64) -> Result<f64>;
}

fn check_count(k: u64) -> Result<()> {
    if k > MAX_PURCHASE_COUNT {
        return Err(Error::InvalidModelInput {
            name: "k",
            value: k as f64,
            reason: "more than MAX_PURCHASE_COUNT purchases",
        });
    }
    Ok(())
}

/// `ln NB(j)` for `j = 0..=k`: the negative binomial `Γ(r+j)/(Γ(r) j!) (α/(α+t))^r
/// (t/(α+t))^j`, the Poisson-gamma count of purchases in `t`.
fn ln_nb(r: f64, alpha: f64, t: f64, k: u64) -> Vec<f64> {
    let ln_p0 = -(t / alpha).ln_1p(); // ln(α/(α+t))
    let ln_q = if t > 0.0 {
        (t / (alpha + t)).ln()
    } else {
        f64::NEG_INFINITY
    };
    let mut out = Vec::with_capacity(k as usize + 1);
    let mut ln = r * ln_p0;
    out.push(ln);
    for j in 1..=k {
        let jf = j as f64;
        ln += ((r + jf - 1.0) / jf).ln() + ln_q;
        out.push(ln);
    }
    out
}

/// `P(X(t) = k)` of a process where a customer drops out with probability `p ~ Beta(a, b)` at
/// each of the chances after a purchase (and, with `at_zero`, also right at the start): dropping
/// at the chance after the `k`-th purchase needs that purchase by `t`.
///
/// BG/NBD (`at_zero = false`): `B(a, b+k)/B(a,b) NB(k) + [k>0] B(a+1, b+k−1)/B(a,b) (1 − Σ_{j<k}
/// NB(j))` (Fader, Hardie & Lee 2005, eq. 8); MBG/NBD (`at_zero = true`): `B(a, b+k+1)/B(a,b)
/// NB(k) + B(a+1, b+k)/B(a,b) (1 − Σ_{j<k} NB(j))`.
fn beta_geometric_pmf(r: f64, alpha: f64, a: f64, b: f64, at_zero: bool, t: f64, k: u64) -> f64 {
    let nb = ln_nb(r, alpha, t, k);
    let kf = k as f64;
    let shift = if at_zero { 1.0 } else { 0.0 };
    let lb = ln_beta(a, b);
    let survived = (ln_beta(a, b + kf + shift) - lb + nb[k as usize]).exp();
    let dropped = if k == 0 && !at_zero {
        0.0
    } else {
        let below: f64 = nb[..k as usize].iter().map(|l| l.exp()).sum();
        let tail = (1.0 - below).max(0.0);
        (ln_beta(a + 1.0, b + kf + shift - 1.0) - lb).exp() * tail
    };
    (survived + dropped).clamp(0.0, 1.0)
}

/// `E[(1 − p)^N]` for `p ~ Beta(a, b)` and `N` negative binomial `(r, α, t)`: the probability of
/// surviving every drop-out chance after the purchases of the next `t`.
fn survive_purchases(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> Result<f64> {
    if t == 0.0 {
        return Ok(1.0);
    }
    let ln_p0 = -(t / alpha).ln_1p();
    let ln_q = (t / (alpha + t)).ln();
    let lb = ln_beta(a, b);
    let q = t / (alpha + t);
    let (mut ln_nb, mut sum) = (r * ln_p0, 0.0);
    for j in 0..10_000_000_u64 {
        let jf = j as f64;
        if j > 0 {
            ln_nb += ((r + jf - 1.0) / jf).ln() + ln_q;
        }
        let nb = ln_nb.exp();
        sum += nb * (ln_beta(a, b + jf) - lb).exp();
        // Each summand is at most its count probability, and past the mode those fall by the
        // ratio (r+j)/(j+1)·q < 1 (falling towards q): the rest is at most nb·ρ/(1−ρ).
        let ratio = (r + jf) / (jf + 1.0) * q;
        if ratio < 1.0 && nb * ratio / (1.0 - ratio) < 1e-16 {
            return Ok(sum.clamp(0.0, 1.0));
        }
    }
    Err(Error::SeriesDidNotConverge {
        function: "P(alive) sum over future purchases",
        terms: 10_000_000,
        argument: t,
    })
}

/// The BG/NBD family as [`PurchaseDistribution`] needs it: `(r, α, a, b)`, whether a drop-out
/// chance also comes right at the start (MBG/NBD), and how many chances a customer alive at `T`
/// with `x` repeat purchases has survived (`x` for BG/NBD, `x + 1` for MBG/NBD).
struct BetaGeometric {
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    at_zero: bool,
}

impl BetaGeometric {
    fn survived(&self, x: f64) -> f64 {
        if self.at_zero { x + 1.0 } else { x }
    }

    fn pmf(&self, t: f64, k: u64) -> Result<f64> {
        check_horizon(t)?;
        check_count(k)?;
        Ok(beta_geometric_pmf(
            self.r,
            self.alpha,
            self.a,
            self.b,
            self.at_zero,
            t,
            k,
        ))
    }

    /// Given alive at `T`: `λ ~ Gamma(r+x, α+T)`, `p ~ Beta(a, b + survived)`, and the next
    /// drop-out chance comes after the next purchase (a fresh BG/NBD).
    fn conditional_pmf(&self, alive: f64, s: &CustomerSummary, t: f64, k: u64) -> Result<f64> {
        check_horizon(t)?;
        check_count(k)?;
        let x = s.x as f64;
        let fresh = beta_geometric_pmf(
            self.r + x,
            self.alpha + s.t,
            self.a,
            self.b + self.survived(x),
            false,
            t,
            k,
        );
        Ok(mixture(alive, fresh, k))
    }

    fn p_alive_at(&self, alive: f64, s: &CustomerSummary, t: f64) -> Result<f64> {
        check_horizon(t)?;
        let x = s.x as f64;
        let keep = survive_purchases(
            self.r + x,
            self.alpha + s.t,
            self.a,
            self.b + self.survived(x),
            t,
        )?;
        Ok(alive * keep)
    }
}

impl BgNbdParams {
    fn family(&self) -> Result<BetaGeometric> {
        self.validate()?;
        Ok(BetaGeometric {
            r: self.r,
            alpha: self.alpha,
            a: self.a,
            b: self.b,
            at_zero: false,
        })
    }
}

impl MbgNbdParams {
    fn family(&self) -> Result<BetaGeometric> {
        self.validate()?;
        Ok(BetaGeometric {
            r: self.r,
            alpha: self.alpha,
            a: self.a,
            b: self.b,
            at_zero: true,
        })
    }
}

/// BG/NBD and MBG/NBD answer through their [`BetaGeometric`] family.
macro_rules! beta_geometric_distribution {
    ($params:ty) => {
        impl PurchaseDistribution for $params {
            fn probability_of_purchases(&self, t: f64, k: u64) -> Result<f64> {
                self.family()?.pmf(t, k)
            }

            fn conditional_probability_of_purchases(
                &self,
                summary: &CustomerSummary,
                t: f64,
                k: u64,
            ) -> Result<f64> {
                let alive = self.p_alive(summary)?;
                self.family()?.conditional_pmf(alive, summary, t, k)
            }

            fn p_alive_at(&self, summary: &CustomerSummary, t: f64) -> Result<f64> {
                let alive = self.p_alive(summary)?;
                self.family()?.p_alive_at(alive, summary, t)
            }
        }
    };
}

beta_geometric_distribution!(BgNbdParams);
beta_geometric_distribution!(MbgNbdParams);

/// `(1 − alive) [k = 0] + alive · fresh`.
fn mixture(alive: f64, fresh: f64, k: u64) -> f64 {
    let dead = if k == 0 { 1.0 - alive } else { 0.0 };
    (dead + alive * fresh).clamp(0.0, 1.0)
}

impl ParetoNbdParams {
    /// `P(X(t) = k)` of a customer just acquired. With lifetime `τ ~ Exp(μ)` and purchases
    /// Poisson(λ) while alive, `P(X(t) = k | λ, μ) = e^{−μt} Pois(k; λt) + ∫_0^t μ e^{−μτ}
    /// Pois(k; λτ) dτ`; over `λ ~ Gamma(r, α)` and `μ ~ Gamma(s, β)` this is
    /// `NB(k; r, α, t) (β/(β+t))^s + Γ(r+k)/(Γ(r) k!) α^r s β^s ∫_0^t τ^k (α+τ)^−(r+k)
    /// (β+τ)^−(s+1) dτ` (the integral by adaptive Simpson quadrature, relative error about
    /// 1e-12; Fader & Hardie's 2006 note gives the same in Gaussian hypergeometric functions).
    fn pmf(&self, t: f64, k: u64) -> Result<f64> {
        if t == 0.0 {
            return Ok(if k == 0 { 1.0 } else { 0.0 });
        }
        let Self { r, alpha, s, beta } = *self;
        let kf = k as f64;
        let ln_coef = ln_gamma(r + kf) - ln_gamma(r) - ln_gamma(kf + 1.0);
        let first = (ln_coef
            + r * (alpha / (alpha + t)).ln()
            + kf * (t / (alpha + t)).ln()
            + s * (beta / (beta + t)).ln())
        .exp();
        let g = |tau: f64| {
            let lead = if k == 0 { 0.0 } else { kf * tau.ln() };
            lead - (r + kf) * (alpha + tau).ln() - (s + 1.0) * (beta + tau).ln()
        };
        // Scale by the integrand's largest value on a grid so the tolerance is relative.
        let peak = (1..=64)
            .map(|i| g(t * f64::from(i) / 64.0))
            .fold(g(t * 1e-9), f64::max);
        let scaled = |tau: f64| {
            if tau <= 0.0 && k > 0 {
                0.0
            } else {
                (g(tau) - peak).exp()
            }
        };
        let integral = adaptive_simpson(&scaled, 0.0, t, 1e-13 * t, 50);
        let ln_second = ln_coef + r * alpha.ln() + s.ln() + s * beta.ln() + peak;
        let second = ln_second.exp() * integral;
        if !(first + second).is_finite() {
            return Err(Error::InvalidModelInput {
                name: "t",
                value: t,
                reason: "the purchase probability is not finite there",
            });
        }
        Ok((first + second).clamp(0.0, 1.0))
    }
}

impl PurchaseDistribution for ParetoNbdParams {
    fn probability_of_purchases(&self, t: f64, k: u64) -> Result<f64> {
        self.validate()?;
        check_horizon(t)?;
        check_count(k)?;
        self.pmf(t, k)
    }

    /// Given alive at `T`: `λ ~ Gamma(r+x, α+T)`, `μ ~ Gamma(s, β+T)`, a fresh Pareto/NBD.
    fn conditional_probability_of_purchases(
        &self,
        summary: &CustomerSummary,
        t: f64,
        k: u64,
    ) -> Result<f64> {
        check_horizon(t)?;
        check_count(k)?;
        let alive = self.p_alive(summary)?;
        let x = summary.x as f64;
        let fresh = ParetoNbdParams {
            r: self.r + x,
            alpha: self.alpha + summary.t,
            s: self.s,
            beta: self.beta + summary.t,
        }
        .pmf(t, k)?;
        Ok(mixture(alive, fresh, k))
    }

    /// `P(alive) · ((β+T)/(β+T+t))^s`.
    fn p_alive_at(&self, summary: &CustomerSummary, t: f64) -> Result<f64> {
        check_horizon(t)?;
        let alive = self.p_alive(summary)?;
        Ok(alive * (-self.s * (t / (self.beta + summary.t)).ln_1p()).exp())
    }
}

impl ParetoNbdParams {
    /// Discounted expected residual transactions under continuous discounting at rate `delta`
    /// per unit of time (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 2): `P(alive) ·
    /// (r+x)/(α+T) · E[1/(μ+δ)]` with `μ ~ Gamma(s, β+T)`, the expectation computed as
    /// `∫_0^∞ e^{−δu} ((β+T)/(β+T+u))^s du` by adaptive Simpson quadrature (relative error
    /// about 1e-12). Multiply by a spend per transaction for a customer's residual value.
    ///
    /// ```
    /// use attain_lifecycle::clv::{CustomerSummary, ParetoNbdParams};
    /// let p = ParetoNbdParams { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
    /// // 15% a year, continuously compounded per week.
    /// let delta = 1.15_f64.ln() / 52.0;
    /// let dert = p.discounted_expected_residual_transactions(&CustomerSummary::new(2, 30.43, 38.86), delta)?;
    /// assert!(dert > 0.0 && dert.is_finite());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for a parameter or a `delta` that is not finite and
    /// positive; [`Error::InvalidSummary`].
    pub fn discounted_expected_residual_transactions(
        &self,
        summary: &CustomerSummary,
        delta: f64,
    ) -> Result<f64> {
        super::check_positive("delta", delta)?;
        let alive = self.p_alive(summary)?;
        let x = summary.x as f64;
        let c = self.beta + summary.t;
        let s = self.s;
        // ∫_0^∞ e^{−δu} (1 + u/c)^{−s} du = (1/δ) ∫_0^W e^{−w} (1 + w/(δc))^{−s} dw, W = 60.
        let f = |w: f64| (-w - s * (w / (delta * c)).ln_1p()).exp();
        let integral = adaptive_simpson(&f, 0.0, 60.0, 1e-13, 50) / delta;
        Ok(alive * (self.r + x) / (self.alpha + summary.t) * integral)
    }
}

/// `∫_a^b f` by adaptive Simpson to an absolute tolerance, at most `depth` halvings.
fn adaptive_simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64, depth: u32) -> f64 {
    fn step(
        f: &dyn Fn(f64) -> f64,
        (a, fa): (f64, f64),
        (m, fm): (f64, f64),
        (b, fb): (f64, f64),
        whole: f64,
        tol: f64,
        depth: u32,
    ) -> f64 {
        let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
        let (flm, frm) = (f(lm), f(rm));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        let delta = left + right - whole;
        if depth == 0 || delta.abs() <= 15.0 * tol {
            return left + right + delta / 15.0;
        }
        step(f, (a, fa), (lm, flm), (m, fm), left, tol / 2.0, depth - 1)
            + step(f, (m, fm), (rm, frm), (b, fb), right, tol / 2.0, depth - 1)
    }
    let m = 0.5 * (a + b);
    let (fa, fm, fb) = (f(a), f(m), f(b));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    step(f, (a, fa), (m, fm), (b, fb), whole, tol, depth)
}

impl BgBbParams {
    /// The probability that the customer is alive at opportunity `n + k`, given the pattern and
    /// nothing after: `B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+k)/B(γ,δ) / L` (`k = 1` is
    /// [`BgBbParams::p_alive`]; `k = 0` the probability of being alive at `n`).
    ///
    /// # Errors
    /// As [`BgBbParams::log_likelihood`].
    pub fn p_alive_at(&self, s: &BgBbSummary, k: u32) -> Result<f64> {
        let ll = self.log_likelihood(s)?;
        let (x, n) = (f64::from(s.x), f64::from(s.n));
        let ln = ln_beta(self.alpha + x, self.beta + n - x) - ln_beta(self.alpha, self.beta)
            + ln_beta(self.gamma, self.delta + n + f64::from(k))
            - ln_beta(self.gamma, self.delta)
            - ll;
        Ok(ln.exp().clamp(0.0, 1.0))
    }

    /// `P(X(n, n+future) = k | x, t_x, n)`: given alive at `n` (probability
    /// [`BgBbParams::p_alive_at`] with 0), the future is a fresh BG/BB with `α+x`, `β+n−x`, `γ`,
    /// `δ+n` (FHS 2010, eq. 12 in this form).
    ///
    /// # Errors
    /// As [`BgBbParams::probability_of_transactions`].
    pub fn conditional_probability_of_transactions(
        &self,
        s: &BgBbSummary,
        future: u32,
        k: u32,
    ) -> Result<f64> {
        let alive = self.p_alive_at(s, 0)?;
        let (x, n) = (f64::from(s.x), f64::from(s.n));
        let fresh = BgBbParams {
            alpha: self.alpha + x,
            beta: self.beta + n - x,
            gamma: self.gamma,
            delta: self.delta + n,
        }
        .probability_of_transactions(future, k)?;
        Ok(mixture(alive, fresh, u64::from(k)))
    }
}

/// The expected cumulative repeat purchases of a cohort whose members joined at different times
/// (the "tracking" curve of Fader, Hardie & Lee 2005, fig. 1): at each time `t` of `at`,
/// `Σ_i E[X(t − join_i)]` over the members with `join_i < t`, each member's expectation from
/// the model for a customer just acquired ([`PurchaseModel::expected_purchases`]). Times are
/// in the model's unit from any common origin.
///
/// ```
/// use attain_lifecycle::clv::{expected_cumulative_purchases, BgNbdParams};
/// let p = BgNbdParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// // Two customers who joined at weeks 0 and 10, seen at weeks 10 and 20.
/// let curve = expected_cumulative_purchases(&p, &[0.0, 10.0], &[10.0, 20.0])?;
/// assert!(curve[0] > 0.0 && curve[1] > curve[0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`PurchaseModel::expected_purchases`]; [`Error::InvalidModelInput`] for a join time or a
/// time that is not finite.
pub fn expected_cumulative_purchases<M: PurchaseModel + ?Sized>(
    model: &M,
    joins: &[f64],
    at: &[f64],
) -> Result<Vec<f64>> {
    for &v in joins.iter().chain(at) {
        if !v.is_finite() {
            return Err(Error::InvalidModelInput {
                name: "time",
                value: v,
                reason: "must be finite",
            });
        }
    }
    // Members with the same join time share one evaluation.
    let mut by_join: std::collections::BTreeMap<u64, (f64, f64)> =
        std::collections::BTreeMap::new();
    for &j in joins {
        by_join.entry(j.to_bits()).or_insert((j, 0.0)).1 += 1.0;
    }
    at.iter()
        .map(|&t| {
            by_join
                .values()
                .filter(|(j, _)| *j < t)
                .map(|&(j, n)| Ok(n * model.expected_purchases(t - j)?))
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BG: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    const MBG: MbgNbdParams = MbgNbdParams {
        r: 0.525,
        alpha: 6.183,
        a: 0.891,
        b: 1.614,
    };
    const PARETO: ParetoNbdParams = ParetoNbdParams {
        r: 0.553,
        alpha: 10.578,
        s: 0.606,
        beta: 11.669,
    };

    fn check_pmf(m: &dyn PurchaseDistribution, s: Option<&CustomerSummary>, t: f64, mean: f64) {
        let probs: Vec<f64> = (0..400)
            .map(|k| match s {
                None => m.probability_of_purchases(t, k).unwrap(),
                Some(s) => m.conditional_probability_of_purchases(s, t, k).unwrap(),
            })
            .collect();
        let total: f64 = probs.iter().sum();
        let got_mean: f64 = probs.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "{}: total {total}",
            m.model_name()
        );
        assert!(
            (got_mean - mean).abs() < 1e-7 * (1.0 + mean),
            "{}: mean {got_mean} vs {mean}",
            m.model_name()
        );
    }

    #[test]
    fn every_pmf_sums_to_one_with_the_models_expectation() {
        let s = CustomerSummary::new(3, 25.0, 38.0);
        let models: [&dyn PurchaseDistribution; 3] = [&BG, &MBG, &PARETO];
        for m in models {
            for t in [0.0, 1.0, 39.0, 78.0] {
                check_pmf(m, None, t, m.expected_purchases(t).unwrap());
                check_pmf(
                    m,
                    Some(&s),
                    t,
                    m.conditional_expected_purchases(&s, t).unwrap(),
                );
            }
        }
    }

    #[test]
    fn p_alive_at_starts_at_p_alive_and_falls() {
        let s = CustomerSummary::new(2, 30.43, 38.86);
        let models: [&dyn PurchaseDistribution; 3] = [&BG, &MBG, &PARETO];
        for m in models {
            let now = m.p_alive(&s).unwrap();
            assert!((m.p_alive_at(&s, 0.0).unwrap() - now).abs() < 1e-12);
            let later: Vec<f64> = [10.0, 52.0, 520.0]
                .iter()
                .map(|&t| m.p_alive_at(&s, t).unwrap())
                .collect();
            assert!(
                later[0] <= now && later.windows(2).all(|w| w[1] <= w[0]),
                "{later:?}"
            );
        }
    }

    #[test]
    fn pareto_dert_is_the_discounted_sum_of_expected_purchases() {
        let s = CustomerSummary::new(2, 30.43, 38.86);
        let delta = 0.01;
        // Σ over small steps of e^{−δ u} dE(u): E from the closed form.
        let (mut sum, mut before, step) = (0.0, 0.0, 0.05);
        let mut u = step;
        while u < 4000.0 {
            let e = PARETO.conditional_expected_purchases(&s, u).unwrap();
            sum += (-delta * (u - step / 2.0)).exp() * (e - before);
            before = e;
            u += step;
        }
        let got = PARETO
            .discounted_expected_residual_transactions(&s, delta)
            .unwrap();
        assert!((got - sum).abs() < 1e-4 * got, "{got} vs {sum}");
    }

    #[test]
    fn bg_bb_conditional_pmf_sums_to_one_with_its_expectation() {
        let p = BgBbParams {
            alpha: 1.204,
            beta: 0.750,
            gamma: 0.657,
            delta: 2.783,
        };
        let s = BgBbSummary::new(2, 4, 6);
        for future in [1_u32, 5, 10] {
            let probs: Vec<f64> = (0..=future)
                .map(|k| {
                    p.conditional_probability_of_transactions(&s, future, k)
                        .unwrap()
                })
                .collect();
            let total: f64 = probs.iter().sum();
            let mean: f64 = probs.iter().enumerate().map(|(k, q)| k as f64 * q).sum();
            assert!((total - 1.0).abs() < 1e-12);
            let want = p.conditional_expected_transactions(&s, future).unwrap();
            assert!((mean - want).abs() < 1e-12, "{mean} vs {want}");
        }
        assert!((p.p_alive_at(&s, 1).unwrap() - p.p_alive(&s).unwrap()).abs() < 1e-15);
    }

    #[test]
    fn tracking_sums_members_by_age() {
        let one = expected_cumulative_purchases(&BG, &[0.0], &[39.0]).unwrap()[0];
        let two = expected_cumulative_purchases(&BG, &[0.0, 0.0, 50.0], &[39.0]).unwrap()[0];
        assert!((two - 2.0 * one).abs() < 1e-12);
        assert!(expected_cumulative_purchases(&BG, &[f64::NAN], &[1.0]).is_err());
    }
}
