//! Intervals from the uncertainty of the fitted parameters: draws of the parameters from their
//! asymptotic distribution, and any prediction evaluated at each draw.
//!
//! What an interval covers: the sampling error of the parameters (the fit saw a finite
//! cohort), so a prediction's interval narrows as the cohort grows. What it does not cover:
//! the randomness of the customer's own future (a customer expected to buy 1.2 times buys 0, 1,
//! 2, ... times; see [`PurchaseDistribution`](super::PurchaseDistribution) for that
//! distribution), and the model being the wrong model (check that on a holdout).

use super::{
    BgBbParams, BgNbdParams, Fit, GammaGammaParams, MbgNbdParams, ParetoNbdParams, SbgParams,
};
use crate::{Error, Result};

/// The most draws [`ParameterDraws::new`] makes (a bound on the time an interval takes).
pub const MAX_DRAWS: usize = 100_000;

/// Parameters that can be written as logarithms (all the models' parameters are positive, and
/// the fits work, and are approximately normal, on the log scale).
pub trait LogParameters: Sized {
    /// The logarithms of the parameters, in field order.
    fn to_log(&self) -> Vec<f64>;
    /// The parameters from their logarithms, in field order.
    fn from_log(log: &[f64]) -> Self;
}

macro_rules! log_parameters {
    ($params:ident { $($field:ident),+ }) => {
        impl LogParameters for $params {
            fn to_log(&self) -> Vec<f64> {
                vec![$(self.$field.ln()),+]
            }
            fn from_log(log: &[f64]) -> Self {
                let mut it = log.iter().map(|v| v.exp());
                $params { $($field: it.next().unwrap_or(f64::NAN)),+ }
            }
        }
    };
}

log_parameters!(BgNbdParams { r, alpha, a, b });
log_parameters!(MbgNbdParams { r, alpha, a, b });
log_parameters!(ParetoNbdParams { r, alpha, s, beta });
log_parameters!(BgBbParams {
    alpha,
    beta,
    gamma,
    delta
});
log_parameters!(GammaGammaParams { p, q, gamma });
log_parameters!(SbgParams { alpha, beta });

/// Seeded draws of a fit's parameters from their asymptotic distribution,
/// `ln θ ~ Normal(ln θ̂, Σ)` with `Σ` the fit's [`Fit::log_covariance`]. The same seed gives
/// the same draws on every machine (a SplitMix64 generator and Box-Muller normals, no platform
/// randomness).
///
/// ```
/// use attain_lifecycle::clv::{fit_sbg, ParameterDraws};
/// // Fader & Hardie (2007), "high end" customers: 1000 at the start, then alive after 1..7 years.
/// let fit = fit_sbg(&[1000, 869, 743, 653, 593, 551, 517, 491])?;
/// let draws = ParameterDraws::new(&fit, 500, 7)?;
/// // The share still a customer in year 12, with a 90% interval.
/// let i = draws.interval(0.9, |p| p.survival(12))?;
/// assert!(i.lower < i.estimate && i.estimate < i.upper);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterDraws<P> {
    estimate: P,
    draws: Vec<P>,
}

/// A prediction and the equal-tailed interval of its values over the parameter draws.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Interval {
    /// The prediction at the fitted parameters.
    pub estimate: f64,
    /// The lower quantile `(1 − level) / 2` of the draws' predictions.
    pub lower: f64,
    /// The upper quantile `(1 + level) / 2`.
    pub upper: f64,
    /// The coverage asked for, such as 0.95.
    pub level: f64,
    /// Draws whose prediction could be computed (a draw far in a tail can make a series
    /// diverge; those are left out and counted here as missing).
    pub draws: usize,
}

/// SplitMix64: a small, fast generator with a fixed, documented output for a seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `(0, 1]`.
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Two independent standard normals (Box-Muller).
    fn normals(&mut self) -> (f64, f64) {
        let (u, v) = (self.uniform(), self.uniform());
        let radius = (-2.0 * u.ln()).sqrt();
        let angle = std::f64::consts::TAU * v;
        (radius * angle.cos(), radius * angle.sin())
    }
}

impl<P: LogParameters + Clone> ParameterDraws<P> {
    /// `draws` seeded draws of the fit's parameters.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] when `draws` is 0 or above [`MAX_DRAWS`], or the fit has
    /// no covariance (its Hessian was not positive definite).
    pub fn new(fit: &Fit<P>, draws: usize, seed: u64) -> Result<Self> {
        if draws == 0 || draws > MAX_DRAWS {
            return Err(Error::InvalidModelInput {
                name: "draws",
                value: draws as f64,
                reason: "must be in 1..=MAX_DRAWS",
            });
        }
        let no_covariance = Error::InvalidModelInput {
            name: "log_covariance",
            value: f64::NAN,
            reason: "the fit has no covariance (the parameters are not pinned down)",
        };
        let cov = fit.log_covariance.as_ref().ok_or(no_covariance.clone())?;
        let l = super::optimize::cholesky(cov).ok_or(no_covariance)?;
        let mean = fit.params.to_log();
        let n = mean.len();
        let mut rng = SplitMix64(seed);
        let mut z = Vec::with_capacity(n + 1);
        let out = (0..draws)
            .map(|_| {
                z.clear();
                while z.len() < n {
                    let (a, b) = rng.normals();
                    z.push(a);
                    z.push(b);
                }
                let theta: Vec<f64> = (0..n)
                    .map(|i| mean[i] + (0..=i).map(|k| l[i][k] * z[k]).sum::<f64>())
                    .collect();
                P::from_log(&theta)
            })
            .collect();
        Ok(ParameterDraws {
            estimate: fit.params.clone(),
            draws: out,
        })
    }
}

/// Per-item intervals and the interval of their total, from
/// [`ParameterDraws::intervals_with_total`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PredictionIntervals {
    /// One interval per item, in item order.
    pub items: Vec<Interval>,
    /// The total over the items: its estimate is the sum of the items' estimates, its bounds
    /// are quantiles of the per-draw totals (over the draws where every item's prediction is
    /// finite), so it is narrower than the sum of the items' bounds.
    pub total: Interval,
}

impl<P> ParameterDraws<P> {
    /// The same draws (and estimate) through `f`: for instance boxed as
    /// `Box<dyn PurchaseDistribution>` to treat several models alike.
    #[must_use]
    pub fn map<Q>(self, f: impl Fn(P) -> Q) -> ParameterDraws<Q> {
        ParameterDraws {
            estimate: f(self.estimate),
            draws: self.draws.into_iter().map(f).collect(),
        }
    }

    /// Pairs these draws with `other`'s, draw by draw, to evaluate a prediction that needs
    /// both fits (CLV needs the purchase model and the spend model). The two fits are
    /// estimated separately, so their draws are independent: seed them differently.
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] when the two have different numbers of draws.
    pub fn zip<Q>(self, other: ParameterDraws<Q>) -> Result<ParameterDraws<(P, Q)>> {
        if self.draws.len() != other.draws.len() {
            return Err(Error::InvalidModelInput {
                name: "draws",
                value: other.draws.len() as f64,
                reason: "both sets of draws must have the same length",
            });
        }
        Ok(ParameterDraws {
            estimate: (self.estimate, other.estimate),
            draws: self.draws.into_iter().zip(other.draws).collect(),
        })
    }

    /// The draws.
    #[must_use]
    pub fn draws(&self) -> &[P] {
        &self.draws
    }

    /// `prediction` at the fitted parameters and its equal-tailed `level` interval over the
    /// draws (quantiles by the nearest rank of the sorted values).
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] unless `0 < level < 1`; the prediction's own error at the
    /// fitted parameters; [`Error::NotIdentifiable`] when no draw gives a finite prediction.
    pub fn interval(&self, level: f64, prediction: impl Fn(&P) -> Result<f64>) -> Result<Interval> {
        check_level(level)?;
        let estimate = prediction(&self.estimate)?;
        let values = self
            .draws
            .iter()
            .filter_map(|p| prediction(p).ok())
            .filter(|v| v.is_finite())
            .collect();
        quantile_interval(estimate, values, level)
    }

    /// For each of `items` items (customers, say) the prediction `prediction(p, i)` with its
    /// `level` interval, and the interval of the items' total (a cohort's expected
    /// purchases). Each (draw, item) pair is evaluated once; memory is one value per draw,
    /// and time is `draws × items` evaluations.
    ///
    /// ```
    /// use attain_lifecycle::clv::{fit_sbg, ParameterDraws};
    /// // Fader & Hardie (2007), "high end" customers: 1000 at the start, then alive after 1..7 years.
    /// let fit = fit_sbg(&[1000, 869, 743, 653, 593, 551, 517, 491])?;
    /// let draws = ParameterDraws::new(&fit, 500, 42)?;
    /// // Items: the share still a customer in years 8 to 12; the total is their sum, the
    /// // expected customer-years per starting customer over those five years.
    /// let years = [8, 9, 10, 11, 12];
    /// let out = draws.intervals_with_total(0.95, years.len(), |p, i| p.survival(years[i]))?;
    /// let sum_of_estimates: f64 = out.items.iter().map(|i| i.estimate).sum();
    /// assert!((out.total.estimate - sum_of_estimates).abs() < 1e-12);
    /// assert!(out.total.lower < out.total.estimate && out.total.estimate < out.total.upper);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`interval`](Self::interval), for any item; and [`Error::NotIdentifiable`] when no
    /// draw gives a finite prediction for every item.
    pub fn intervals_with_total(
        &self,
        level: f64,
        items: usize,
        prediction: impl Fn(&P, usize) -> Result<f64>,
    ) -> Result<PredictionIntervals> {
        check_level(level)?;
        let mut totals = vec![0.0_f64; self.draws.len()];
        let mut estimate_total = 0.0;
        let mut out = Vec::with_capacity(items);
        let mut values = Vec::with_capacity(self.draws.len());
        for i in 0..items {
            let estimate = prediction(&self.estimate, i)?;
            estimate_total += estimate;
            values.clear();
            for (p, total) in self.draws.iter().zip(&mut totals) {
                // A draw that fails for one item is left out of the total (NaN stays NaN).
                let v = prediction(p, i).ok().filter(|v| v.is_finite());
                *total += v.unwrap_or(f64::NAN);
                values.extend(v);
            }
            out.push(quantile_interval(
                estimate,
                std::mem::take(&mut values),
                level,
            )?);
        }
        let totals = totals.into_iter().filter(|v| v.is_finite()).collect();
        Ok(PredictionIntervals {
            items: out,
            total: quantile_interval(estimate_total, totals, level)?,
        })
    }
}

fn check_level(level: f64) -> Result<()> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidModelInput {
            name: "level",
            value: level,
            reason: "must be between 0 and 1",
        })
    }
}

/// The equal-tailed `level` interval of `values` (finite), by the nearest rank.
fn quantile_interval(estimate: f64, mut values: Vec<f64>, level: f64) -> Result<Interval> {
    if values.is_empty() {
        return Err(Error::NotIdentifiable {
            model: "parameter draws",
            reason: "no draw gives a finite prediction",
        });
    }
    values.sort_unstable_by(f64::total_cmp);
    let rank = |q: f64| {
        let i = (q * values.len() as f64).ceil() as usize;
        values[i.clamp(1, values.len()) - 1]
    };
    Ok(Interval {
        estimate,
        lower: rank((1.0 - level) / 2.0),
        upper: rank((1.0 + level) / 2.0),
        level,
        draws: values.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An sBG fit with a known log-covariance, the fixture of both tests.
    fn sbg_fit() -> Fit<SbgParams> {
        Fit {
            params: SbgParams {
                alpha: 0.7,
                beta: 3.8,
            },
            log_likelihood: 0.0,
            iterations: 0,
            customers: 0,
            excluded_non_positive_spend: 0,
            standard_errors: None,
            log_covariance: Some(vec![vec![0.04, 0.01], vec![0.01, 0.09]]),
        }
    }

    #[test]
    fn draws_have_the_fits_mean_and_covariance() {
        let fit = sbg_fit();
        let d = ParameterDraws::new(&fit, 40_000, 1).unwrap();
        let logs: Vec<Vec<f64>> = d.draws().iter().map(LogParameters::to_log).collect();
        let n = logs.len() as f64;
        let mean: Vec<f64> = (0..2)
            .map(|i| logs.iter().map(|v| v[i]).sum::<f64>() / n)
            .collect();
        assert!((mean[0] - 0.7_f64.ln()).abs() < 0.005 && (mean[1] - 3.8_f64.ln()).abs() < 0.005);
        let cov = |i: usize, j: usize| {
            logs.iter()
                .map(|v| (v[i] - mean[i]) * (v[j] - mean[j]))
                .sum::<f64>()
                / n
        };
        assert!((cov(0, 0) - 0.04).abs() < 0.002);
        assert!((cov(1, 1) - 0.09).abs() < 0.004);
        assert!((cov(0, 1) - 0.01).abs() < 0.002);
        // Seeded: the same draws again; another seed, others.
        assert_eq!(
            ParameterDraws::new(&fit, 10, 1).unwrap().draws(),
            &d.draws()[..10]
        );
        assert_ne!(
            ParameterDraws::new(&fit, 10, 2).unwrap().draws(),
            &d.draws()[..10]
        );
        // A 90% interval of alpha holds about 90% of the draws.
        let i = d.interval(0.9, |p| Ok(p.alpha)).unwrap();
        let inside = d
            .draws()
            .iter()
            .filter(|p| p.alpha >= i.lower && p.alpha <= i.upper)
            .count() as f64;
        assert!((inside / n - 0.9).abs() < 0.005);
        assert!(d.interval(1.0, |p| Ok(p.alpha)).is_err());
        assert!(ParameterDraws::new(&fit, 0, 1).is_err());
    }

    #[test]
    fn intervals_with_total_agree_with_interval_and_pair_draws() {
        let fit = sbg_fit();
        let d = ParameterDraws::new(&fit, 2_000, 3).unwrap();
        let years = [1_u32, 4, 12];
        let out = d
            .intervals_with_total(0.9, years.len(), |p, i| p.survival(years[i]))
            .unwrap();
        for (i, &y) in years.iter().enumerate() {
            assert_eq!(out.items[i], d.interval(0.9, |p| p.survival(y)).unwrap());
        }
        let estimate: f64 = years.iter().map(|&y| fit.params.survival(y).unwrap()).sum();
        assert_eq!(out.total.estimate, estimate);
        // The total's interval is narrower than the sum of the items' bounds would be, and
        // is exactly the quantiles of the per-draw totals.
        let mut totals: Vec<f64> = d
            .draws()
            .iter()
            .map(|p| years.iter().map(|&y| p.survival(y).unwrap()).sum())
            .collect();
        totals.sort_unstable_by(f64::total_cmp);
        assert_eq!(out.total.lower, totals[99]);
        assert_eq!(out.total.upper, totals[1_899]);
        assert!(out.total.lower >= out.items.iter().map(|i| i.lower).sum::<f64>());
        assert!(out.total.upper <= out.items.iter().map(|i| i.upper).sum::<f64>());
        // A draw that fails for one item leaves the total but not the other items.
        let partial = d
            .intervals_with_total(0.9, 2, |p, i| {
                if i == 1 && p.alpha > 0.7 {
                    Err(Error::NotIdentifiable {
                        model: "test",
                        reason: "test",
                    })
                } else {
                    Ok(p.alpha)
                }
            })
            .unwrap();
        assert_eq!(partial.items[0].draws, 2_000);
        assert_eq!(partial.items[1].draws, partial.total.draws);
        assert!(partial.total.draws < 2_000);
        // Pairs: draw k of each, and lengths must match.
        let other = ParameterDraws::new(&fit, 2_000, 4).unwrap();
        let zipped = d.clone().zip(other.clone()).unwrap();
        assert_eq!(zipped.draws()[7], (d.draws()[7], other.draws()[7]));
        assert!(d.zip(ParameterDraws::new(&fit, 10, 4).unwrap()).is_err());
    }
}
