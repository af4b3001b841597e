//! The beta-geometric/beta-Bernoulli (BG/BB) model of repeat transactions at discrete
//! opportunities (Fader, Hardie and Shang 2010, "Customer-Base Analysis in a Discrete-Time
//! Noncontractual Setting", *Marketing Science* 29(6); "FHS 2010" below).

use super::optimize::{self, Settings};
use super::special::{hyp2f1_one_b_c, ln_beta, log_add_exp};
use super::{Fit, FitOptions, check_positive, fit_error};
use crate::{Error, Result};

const MODEL: &str = "bg/bb";

/// The largest number of opportunities a summary may have (observed or predicted): the model's
/// sums run over them.
pub const MAX_OPPORTUNITIES: u32 = 100_000;

/// One pattern of repeat transactions at discrete opportunities, and how many customers share
/// it: `x` transactions in the `n` opportunities after the first (the acquisition), the last of
/// them at opportunity `t_x` (`0` when `x = 0`).
///
/// The aggregated `(x, t_x, n, count)` table FHS 2010 fit; [`BgBbSummary::from_periods`]
/// builds one customer's row from the periods of a transaction log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BgBbSummary {
    /// Repeat transactions: opportunities with a transaction.
    pub x: u32,
    /// The opportunity of the last one, `1..=n` (0 when `x = 0`).
    pub t_x: u32,
    /// Opportunities observed after the first transaction.
    pub n: u32,
    /// Customers with this pattern.
    pub count: u64,
}

impl BgBbSummary {
    /// One customer with `x` transactions, the last at `t_x`, in `n` opportunities.
    #[must_use]
    pub fn new(x: u32, t_x: u32, n: u32) -> Self {
        BgBbSummary {
            x,
            t_x,
            n,
            count: 1,
        }
    }

    /// One customer's pattern from the periods (year, quarter, ... numbers) in which they
    /// bought, in any order and with repeats (several purchases in one period count once): the
    /// first is the acquisition, `end` the last period observed.
    ///
    /// ```
    /// use attain_lifecycle::clv::BgBbSummary;
    /// // Bought in 1995 (acquired), 1997 twice and 1999; observed through 2001.
    /// let s = BgBbSummary::from_periods(&[1997, 1995, 1999, 1997], 2001)?;
    /// assert_eq!((s.x, s.t_x, s.n), (2, 4, 6));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for no periods, a period after `end`, or more than
    /// [`MAX_OPPORTUNITIES`] opportunities.
    pub fn from_periods(periods: &[i64], end: i64) -> Result<Self> {
        let (Some(&first), Some(&last)) = (periods.iter().min(), periods.iter().max()) else {
            return Err(Error::InvalidModelInput {
                name: "periods",
                value: 0.0,
                reason: "a customer needs at least one purchase period",
            });
        };
        if last > end {
            return Err(Error::InvalidModelInput {
                name: "periods",
                value: last as f64,
                reason: "a purchase period is after the end of observation",
            });
        }
        let n = u32::try_from(end - first)
            .ok()
            .filter(|&n| n <= MAX_OPPORTUNITIES)
            .ok_or(Error::InvalidModelInput {
                name: "n",
                value: (end - first) as f64,
                reason: "too many opportunities",
            })?;
        let mut later: Vec<i64> = periods.iter().copied().filter(|&p| p > first).collect();
        later.sort_unstable();
        later.dedup();
        // n fits in u32, and every later period is within it.
        let x = later.len() as u32;
        let t_x = (last - first) as u32;
        Ok(BgBbSummary {
            x,
            t_x,
            n,
            count: 1,
        })
    }

    /// Checks `x <= t_x <= n <= MAX_OPPORTUNITIES`, `t_x = 0` exactly when `x = 0`.
    ///
    /// # Errors
    /// [`Error::InvalidSummary`] with `index`.
    pub fn validate(&self, index: usize) -> Result<()> {
        let bad = |field, value: u32, reason| Error::InvalidSummary {
            index,
            field,
            value: f64::from(value),
            reason,
        };
        if self.n > MAX_OPPORTUNITIES {
            return Err(bad("n", self.n, "too many opportunities"));
        }
        if self.t_x > self.n {
            return Err(bad("t_x", self.t_x, "must not exceed n"));
        }
        if self.x > self.t_x {
            return Err(bad("x", self.x, "must not exceed t_x"));
        }
        if (self.x == 0) != (self.t_x == 0) {
            return Err(bad("t_x", self.t_x, "must be 0 exactly when x is 0"));
        }
        Ok(())
    }
}

/// Parameters of BG/BB: while alive a customer transacts at each opportunity with probability
/// `p ~ Beta(alpha, beta)`, and becomes inactive at the start of each opportunity with
/// probability `θ ~ Beta(gamma, delta)`. All four finite and positive.
///
/// ```
/// use attain_lifecycle::clv::{BgBbParams, BgBbSummary};
/// // FHS 2010's estimates for the donations data, and their Table 6: P(alive in 2002) of a
/// // donor with 2 repeat donations, the last in 1999 (x = 2, t_x = 4, n = 6) is 0.59.
/// let p = BgBbParams { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
/// assert!((p.p_alive(&BgBbSummary::new(2, 4, 6))? - 0.59).abs() < 0.005);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BgBbParams {
    /// First shape of the transaction probability's beta distribution.
    pub alpha: f64,
    /// Second shape of the transaction probability's beta distribution.
    pub beta: f64,
    /// First shape of the drop-out probability's beta distribution.
    pub gamma: f64,
    /// Second shape of the drop-out probability's beta distribution.
    pub delta: f64,
}

impl BgBbParams {
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        check_positive("alpha", self.alpha)?;
        check_positive("beta", self.beta)?;
        check_positive("gamma", self.gamma)?;
        check_positive("delta", self.delta)
    }

    fn checked(&self, s: &BgBbSummary) -> Result<()> {
        self.validate()?;
        s.validate(0)
    }

    /// `ln B(α+x+a, β+n−x)/B(α,β)`: the transaction part of a path with `x + a` transactions
    /// in `n` opportunities.
    fn ln_purchases(&self, x: f64, extra: f64, n: f64) -> f64 {
        ln_beta(self.alpha + x + extra, self.beta + n - x) - ln_beta(self.alpha, self.beta)
    }

    /// `ln B(γ+g, δ+k)/B(γ,δ)`: alive through `k` opportunities (`g = 0`), or alive through
    /// `k` and gone at `k + 1` (`g = 1`).
    fn ln_alive(&self, g: f64, k: f64) -> f64 {
        ln_beta(self.gamma + g, self.delta + k) - ln_beta(self.gamma, self.delta)
    }

    /// The log-likelihood of one customer's pattern (FHS 2010, eq. 4):
    /// `L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
    ///    + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`], [`Error::InvalidSummary`].
    pub fn log_likelihood(&self, s: &BgBbSummary) -> Result<f64> {
        self.checked(s)?;
        Ok(self.ln_l(s))
    }

    fn ln_l(&self, s: &BgBbSummary) -> f64 {
        let (x, t_x, n) = (f64::from(s.x), f64::from(s.t_x), f64::from(s.n));
        let mut ll = self.ln_purchases(x, 0.0, n) + self.ln_alive(0.0, n);
        for i in 0..(s.n - s.t_x) {
            let i = f64::from(i);
            ll = log_add_exp(
                ll,
                self.ln_purchases(x, 0.0, t_x + i) + self.ln_alive(1.0, t_x + i),
            );
        }
        ll
    }

    /// The probability that the customer is alive at opportunity `n + 1` (FHS 2010, eq. 11):
    /// `B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L`.
    ///
    /// # Errors
    /// As [`BgBbParams::log_likelihood`].
    pub fn p_alive(&self, s: &BgBbSummary) -> Result<f64> {
        self.checked(s)?;
        let (x, n) = (f64::from(s.x), f64::from(s.n));
        let ln = self.ln_purchases(x, 0.0, n) + self.ln_alive(0.0, n + 1.0) - self.ln_l(s);
        Ok(ln.exp().clamp(0.0, 1.0))
    }

    /// Expected transactions in the next `future` opportunities, `n + 1 ..= n + future`, given
    /// the pattern (FHS 2010, eq. 13, as the sum it is:
    /// `Σ_{k=1}^{future} B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+k)/B(γ,δ) / L`).
    ///
    /// # Errors
    /// As [`BgBbParams::log_likelihood`]; [`Error::InvalidModelInput`] when `future` exceeds
    /// [`MAX_OPPORTUNITIES`].
    pub fn conditional_expected_transactions(&self, s: &BgBbSummary, future: u32) -> Result<f64> {
        self.checked(s)?;
        check_future(future)?;
        let (x, n) = (f64::from(s.x), f64::from(s.n));
        let base = self.ln_purchases(x, 1.0, n) - self.ln_l(s);
        Ok((1..=future)
            .map(|k| (base + self.ln_alive(0.0, n + f64::from(k))).exp())
            .sum())
    }

    /// Expected transactions of a customer just acquired in their first `n` opportunities
    /// (FHS 2010, eq. 7): `α/(α+β) · Σ_{t=1}^{n} B(γ, δ+t)/B(γ,δ)`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for a parameter or `n` above [`MAX_OPPORTUNITIES`].
    pub fn expected_transactions(&self, n: u32) -> Result<f64> {
        self.validate()?;
        check_future(n)?;
        let p = self.alpha / (self.alpha + self.beta);
        Ok((1..=n)
            .map(|t| p * self.ln_alive(0.0, f64::from(t)).exp())
            .sum())
    }

    /// The probability that a customer just acquired makes exactly `x` transactions in their
    /// first `n` opportunities (FHS 2010, eq. 5):
    /// `C(n,x) B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
    ///  + Σ_{i=x}^{n−1} C(i,x) B(α+x, β+i−x)/B(α,β) · B(γ+1, δ+i)/B(γ,δ)`.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for a parameter, `x > n` or `n` above
    /// [`MAX_OPPORTUNITIES`].
    pub fn probability_of_transactions(&self, n: u32, x: u32) -> Result<f64> {
        self.validate()?;
        check_future(n)?;
        if x > n {
            return Err(Error::InvalidModelInput {
                name: "x",
                value: f64::from(x),
                reason: "more transactions than opportunities",
            });
        }
        let xf = f64::from(x);
        let ln_choose = |m: u32| {
            super::special::ln_gamma(f64::from(m) + 1.0)
                - super::special::ln_gamma(xf + 1.0)
                - super::special::ln_gamma(f64::from(m - x) + 1.0)
        };
        let mut ln = ln_choose(n)
            + self.ln_purchases(xf, 0.0, f64::from(n))
            + self.ln_alive(0.0, f64::from(n));
        for i in x..n {
            let i_f = f64::from(i);
            ln = log_add_exp(
                ln,
                ln_choose(i) + self.ln_purchases(xf, 0.0, i_f) + self.ln_alive(1.0, i_f),
            );
        }
        Ok(ln.exp().clamp(0.0, 1.0))
    }

    /// Discounted expected residual transactions (FHS 2010, eq. 14): the expected transactions
    /// from opportunity `n + 1` on, the one at `n + k` discounted by `(1 + d)^-k`:
    /// `B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / (1+d)
    ///  · 2F1(1, δ+n+1; γ+δ+n+1; 1/(1+d)) / L`.
    ///
    /// # Errors
    /// As [`BgBbParams::log_likelihood`]; [`Error::InvalidModelInput`] unless `d` is finite and
    /// positive; [`Error::SeriesDidNotConverge`] for a rate so small that the series does not
    /// converge (about `d < 1e-5`).
    pub fn discounted_expected_residual_transactions(
        &self,
        s: &BgBbSummary,
        d: f64,
    ) -> Result<f64> {
        self.checked(s)?;
        check_positive("d", d)?;
        let (x, n) = (f64::from(s.x), f64::from(s.n));
        let z = 1.0 / (1.0 + d);
        let f = hyp2f1_one_b_c(self.delta + n + 1.0, self.gamma + self.delta + n + 1.0, z)?;
        let ln = self.ln_purchases(x, 1.0, n) + self.ln_alive(0.0, n + 1.0) - self.ln_l(s);
        Ok(ln.exp() * z * f)
    }
}

fn check_future(n: u32) -> Result<()> {
    if n > MAX_OPPORTUNITIES {
        return Err(Error::InvalidModelInput {
            name: "opportunities",
            value: f64::from(n),
            reason: "more than MAX_OPPORTUNITIES",
        });
    }
    Ok(())
}

/// Fits BG/BB by maximum likelihood with the default [`FitOptions`].
///
/// # Errors
/// As [`fit_bg_bb_with`].
pub fn fit_bg_bb(summaries: &[BgBbSummary]) -> Result<Fit<BgBbParams>> {
    fit_bg_bb_with(summaries, FitOptions::default())
}

/// Fits BG/BB by maximum likelihood to a table of patterns, `LL = Σ count · ln L(x, t_x, n)`,
/// maximised by BFGS over the log-parameters. Equal patterns are merged first, so the cost
/// follows the number of distinct patterns (at most `(n + 1)(n + 2) / 2` per `n`), not of
/// customers. The gradient is a central difference of the log-likelihood (step `1e-6` in each
/// log-parameter); the optimum is checked against FHS 2010's published estimates.
///
/// ```
/// use attain_lifecycle::clv::{fit_bg_bb, BgBbSummary};
/// // Three patterns of 6 opportunities, 100 customers.
/// let table = [
///     BgBbSummary { x: 0, t_x: 0, n: 6, count: 40 },
///     BgBbSummary { x: 2, t_x: 4, n: 6, count: 35 },
///     BgBbSummary { x: 6, t_x: 6, n: 6, count: 25 },
/// ];
/// let fit = fit_bg_bb(&table)?;
/// assert_eq!(fit.customers, 100);
/// assert!(fit.log_likelihood < 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::InvalidSummary`] for an invalid pattern (index into `summaries`);
/// [`Error::InvalidModelInput`] when no customer is given; [`Error::NotIdentifiable`] when
/// nobody repeats, or a parameter runs off to zero or infinity; [`Error::FitDidNotConverge`].
pub fn fit_bg_bb_with(summaries: &[BgBbSummary], options: FitOptions) -> Result<Fit<BgBbParams>> {
    let mut patterns: std::collections::BTreeMap<(u32, u32, u32), f64> =
        std::collections::BTreeMap::new();
    let mut customers = 0_u64;
    for (i, s) in summaries.iter().enumerate() {
        s.validate(i)?;
        if s.count > 0 {
            *patterns.entry((s.x, s.t_x, s.n)).or_insert(0.0) += s.count as f64;
            customers = customers.saturating_add(s.count);
        }
    }
    if customers == 0 {
        return Err(Error::InvalidModelInput {
            name: "summaries",
            value: 0.0,
            reason: "no customers to fit",
        });
    }
    if patterns.keys().all(|&(x, _, _)| x == 0) {
        return Err(Error::NotIdentifiable {
            model: MODEL,
            reason: "no customer made a repeat transaction",
        });
    }
    let table: Vec<(BgBbSummary, f64)> = patterns
        .into_iter()
        .map(|((x, t_x, n), c)| {
            (
                BgBbSummary {
                    x,
                    t_x,
                    n,
                    count: 1,
                },
                c,
            )
        })
        .collect();
    let neg_ll = |theta: &[f64]| -> f64 {
        let p = BgBbParams {
            alpha: theta[0].exp(),
            beta: theta[1].exp(),
            gamma: theta[2].exp(),
            delta: theta[3].exp(),
        };
        -table.iter().map(|(s, c)| c * p.ln_l(s)).sum::<f64>()
    };
    let settings = Settings {
        max_iterations: options.max_iterations,
        gradient_tolerance: options.gradient_tolerance.max(1e-8),
        bound: options.log_parameter_bound,
    };
    let mut objective = optimize::with_central_gradient(neg_ll);
    let min = optimize::bfgs(&mut objective, &[0.0, 0.0, 0.0, 0.0], settings)
        .map_err(|failure| fit_error(MODEL, failure))?;
    let params = |v: &[f64]| BgBbParams {
        alpha: v[0],
        beta: v[1],
        gamma: v[2],
        delta: v[3],
    };
    let exp: Vec<f64> = min.x.iter().map(|t| t.exp()).collect();
    let uncertainty = optimize::standard_errors(&mut objective, &min.x);
    Ok(Fit {
        params: params(&exp),
        log_likelihood: -min.value,
        iterations: min.iterations,
        customers: usize::try_from(customers).unwrap_or(usize::MAX),
        excluded_non_positive_spend: 0,
        standard_errors: uncertainty.as_ref().map(|u| params(&u.standard_errors)),
        log_covariance: uncertainty.map(|u| u.log_covariance),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FHS: BgBbParams = BgBbParams {
        alpha: 1.204,
        beta: 0.750,
        gamma: 0.657,
        delta: 2.783,
    };

    #[test]
    fn probabilities_of_every_count_sum_to_one() {
        for n in [0_u32, 1, 6, 20] {
            let total: f64 = (0..=n)
                .map(|x| FHS.probability_of_transactions(n, x).unwrap())
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "n={n}: {total}");
            let mean: f64 = (0..=n)
                .map(|x| f64::from(x) * FHS.probability_of_transactions(n, x).unwrap())
                .sum();
            assert!((mean - FHS.expected_transactions(n).unwrap()).abs() < 1e-10);
        }
    }

    #[test]
    fn likelihoods_of_every_pattern_sum_to_one() {
        // Each path of n opportunities maps to one (x, t_x); the patterns' likelihoods times
        // their number of paths (C(t_x - 1, x - 1) for x > 0) sum to 1.
        let n = 7_u32;
        let mut total = FHS
            .log_likelihood(&BgBbSummary::new(0, 0, n))
            .unwrap()
            .exp();
        for t_x in 1..=n {
            for x in 1..=t_x {
                let paths = (1..x).fold(1.0, |c, k| c * f64::from(t_x - k) / f64::from(k));
                total += paths
                    * FHS
                        .log_likelihood(&BgBbSummary::new(x, t_x, n))
                        .unwrap()
                        .exp();
            }
        }
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }

    #[test]
    fn dert_is_the_discounted_sum_of_expected_transactions() {
        let s = BgBbSummary::new(3, 5, 6);
        let d: f64 = 0.1;
        let mut sum = 0.0;
        let mut before = 0.0;
        for k in 1..3000_u32 {
            let upto = FHS.conditional_expected_transactions(&s, k).unwrap();
            sum += (upto - before) / (1.0 + d).powi(k as i32);
            before = upto;
        }
        let got = FHS
            .discounted_expected_residual_transactions(&s, d)
            .unwrap();
        assert!((got - sum).abs() < 1e-9, "{got} vs {sum}");
    }

    #[test]
    fn invalid_patterns_are_refused() {
        assert!(BgBbSummary::new(3, 2, 6).validate(0).is_err());
        assert!(BgBbSummary::new(0, 2, 6).validate(0).is_err());
        assert!(BgBbSummary::new(1, 7, 6).validate(0).is_err());
        assert!(FHS.p_alive(&BgBbSummary::new(1, 0, 6)).is_err());
        assert!(fit_bg_bb(&[BgBbSummary::new(0, 0, 6)]).is_err());
        assert!(fit_bg_bb(&[]).is_err());
    }
}
