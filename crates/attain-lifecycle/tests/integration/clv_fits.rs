//! The continuous-time fits on random small cohorts (finite or a typed error, in bounded
//! time), and the coverage of the parameter-draw intervals on simulated BG/NBD cohorts.

use std::time::{Duration, Instant};

use attain_lifecycle::Error;
use attain_lifecycle::clv::{
    BgNbdParams, CustomerSummary, ParameterDraws, PurchaseModel, fit_bg_nbd, fit_gamma_gamma,
    fit_mbg_nbd, fit_pareto_nbd,
};
use proptest::prelude::*;

/// The time one fit of a cohort of at most 40 customers may take: the default
/// `FitOptions::max_series_terms` is about half a second of an optimised build, and a debug
/// build is about 10 times slower (with room for a loaded 2-core machine).
const FIT_BOUND: Duration = Duration::from_secs(if cfg!(debug_assertions) { 15 } else { 2 });

/// A small cohort: up to 40 customers, up to 30 repeat purchases, up to 200 time units.
fn cohort() -> impl Strategy<Value = Vec<CustomerSummary>> {
    prop::collection::vec(
        (0u64..=30, 0.0f64..=1.0, 0.0f64..=200.0, 0.0f64..=500.0),
        1..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(x, frac, t, m)| CustomerSummary {
                x,
                t_x: if x == 0 { 0.0 } else { frac * t },
                t,
                mean_repeat_spend: if x == 0 { 0.0 } else { m },
            })
            .collect()
    })
}

/// A fit's result is finite parameters and log-likelihood, or one of the typed errors a
/// fit may give; and it came back within [`FIT_BOUND`].
fn check<P: std::fmt::Debug>(
    name: &str,
    started: Instant,
    fit: Result<attain_lifecycle::clv::Fit<P>, Error>,
    params: impl Fn(&P) -> Vec<f64>,
) -> Result<(), TestCaseError> {
    let took = started.elapsed();
    prop_assert!(took <= FIT_BOUND, "{name} took {took:?}");
    match fit {
        Ok(f) => {
            prop_assert!(f.log_likelihood.is_finite(), "{name}: {f:?}");
            prop_assert!(
                params(&f.params).iter().all(|v| v.is_finite() && *v > 0.0),
                "{name}: {f:?}"
            );
        }
        Err(e) => prop_assert!(
            matches!(
                e,
                Error::NotIdentifiable { .. }
                    | Error::FitDidNotConverge { .. }
                    | Error::InvalidSummary { .. }
                    | Error::InvalidModelInput { .. }
                    | Error::SeriesDidNotConverge { .. }
            ),
            "{name}: {e:?}"
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn prop_fits_are_finite_or_typed_errors_in_bounded_time(c in cohort()) {
        let t = Instant::now();
        check("bg/nbd", t, fit_bg_nbd(&c), |p| vec![p.r, p.alpha, p.a, p.b])?;
        let t = Instant::now();
        check("mbg/nbd", t, fit_mbg_nbd(&c), |p| vec![p.r, p.alpha, p.a, p.b])?;
        let t = Instant::now();
        check("pareto/nbd", t, fit_pareto_nbd(&c), |p| vec![p.r, p.alpha, p.s, p.beta])?;
        let t = Instant::now();
        check("gamma-gamma", t, fit_gamma_gamma(&c), |p| vec![p.p, p.q, p.gamma])?;
    }
}

/// SplitMix64 with the samplers a BG/NBD simulation needs.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000), with the boost for shape < 1.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }

    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }
}

/// A BG/NBD customer observed for `t` time units after the first purchase (FHL 2005, §2).
fn simulate_customer(p: &BgNbdParams, t: f64, rng: &mut Rng) -> CustomerSummary {
    let lambda = rng.gamma(p.r) / p.alpha;
    let drop = rng.beta(p.a, p.b);
    let (mut x, mut t_x, mut now) = (0, 0.0, 0.0);
    loop {
        now += rng.exponential(lambda);
        if now > t {
            break;
        }
        x += 1;
        t_x = now;
        if rng.uniform() < drop {
            break;
        }
    }
    CustomerSummary::new(x, t_x, t)
}

/// On cohorts simulated from known BG/NBD parameters, the 95% interval of the cohort's
/// expected purchases from the fit's parameter draws holds the expectation at the true
/// parameters about 95% of the time: the intervals measure the parameters' estimation error.
/// (A standard error off by a factor of 2 brings this below 70%.)
#[test]
fn cohort_intervals_cover_the_true_parameters_expectation() {
    let truth = BgNbdParams {
        r: 0.5,
        alpha: 5.0,
        a: 0.8,
        b: 2.5,
    };
    let (replicates, customers, horizon) = (24, 400, 26.0);
    let mut rng = Rng(2005);
    let mut covered = 0;
    for _ in 0..replicates {
        let cohort: Vec<CustomerSummary> = (0..customers)
            .map(|i| simulate_customer(&truth, 20.0 + f64::from(i % 20), &mut rng))
            .collect();
        let fit = fit_bg_nbd(&cohort).unwrap();
        let draws = ParameterDraws::new(&fit, 300, rng.next_u64()).unwrap();
        let out = draws
            .intervals_with_total(0.95, cohort.len(), |p, i| {
                p.conditional_expected_purchases(&cohort[i], horizon)
            })
            .unwrap();
        let at_truth: f64 = cohort
            .iter()
            .map(|s| truth.conditional_expected_purchases(s, horizon).unwrap())
            .sum();
        if out.total.lower <= at_truth && at_truth <= out.total.upper {
            covered += 1;
        }
    }
    // 95% of 24 is 22.8; below 20 has a probability under 3% for correct intervals.
    assert!(covered >= 20, "covered {covered} of {replicates}");
}
