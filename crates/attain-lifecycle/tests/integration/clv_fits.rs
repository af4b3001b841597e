//! The continuous-time fits on random small transaction logs (finite or a typed error, in
//! bounded time), and the coverage of the parameter-draw intervals on simulated BG/NBD cohorts.

use std::time::{Duration, Instant};

use attain_lifecycle::Error;
use attain_lifecycle::clv::{
    BgNbdParams, CustomerSummary, ParameterDraws, PurchaseModel, TimeUnit, fit_bg_nbd,
    fit_gamma_gamma, fit_mbg_nbd, fit_pareto_nbd,
};
use attain_rfm::{Transaction, repeat_summaries};
use attain_types::{Decimal, NaiveDate};
use proptest::prelude::*;

/// The time one fit of a cohort of at most 40 customers may take: the default
/// `FitOptions::max_series_terms` is about half a second of an optimised build, and a debug
/// build is about 10 times slower (with room for a loaded 2-core machine).
const FIT_BOUND: Duration = Duration::from_secs(if cfg!(debug_assertions) { 15 } else { 2 });

/// A small random transaction log (up to 40 customers, up to 120 rows over 200 days, amounts
/// from 0.00 to 500.00, zero included), summarised as the fits read it: by
/// `attain_rfm::repeat_summaries` at the end of the period, in weeks.
fn cohort_from_log() -> impl Strategy<Value = Vec<CustomerSummary>> {
    prop::collection::vec((0u8..40, 0u32..200, 0i64..=50_000), 1..120).prop_map(|rows| {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let log: Vec<(String, NaiveDate, Decimal)> = rows
            .into_iter()
            .map(|(c, day, cents)| {
                (
                    format!("c{c}"),
                    start + chrono::Days::new(u64::from(day)),
                    Decimal::new(cents, 2),
                )
            })
            .collect();
        let transactions = log.iter().map(|(c, date, amount)| Transaction {
            customer_id: c,
            date: *date,
            amount: *amount,
            order_id: None,
        });
        let end = start + chrono::Days::new(200);
        repeat_summaries(transactions, end)
            .unwrap()
            .iter()
            .map(|(_, r)| CustomerSummary::from_repeat(r, TimeUnit::Weeks).unwrap())
            .collect()
    })
}

/// A small cohort of summaries drawn directly (up to 40 customers, up to 30 repeat
/// purchases, up to 200 time units): reaches corners a short log rarely does (this one found a
/// Pareto/NBD fit that took seconds).
fn cohort_of_summaries() -> impl Strategy<Value = Vec<CustomerSummary>> {
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

fn cohort() -> impl Strategy<Value = Vec<CustomerSummary>> {
    prop_oneof![cohort_from_log(), cohort_of_summaries()]
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
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn prop_fits_on_small_logs_are_finite_or_typed_errors_in_bounded_time(c in cohort()) {
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

/// The cohort on which a Pareto/NBD fit once searched for seconds (found by the property test
/// above, before `FitOptions::max_series_terms`): `s` and `beta` grow together and each
/// likelihood needs about a million series terms. Now a typed error within the bound.
#[test]
fn pareto_fit_that_ran_for_seconds_now_stops_within_its_budget() {
    let rows: [(u64, f64, f64); 15] = [
        (7, 39.97560538247924, 55.66184798168018),
        (21, 53.89831398413759, 87.96446610422902),
        (5, 1.7430022910863687, 12.177739536597205),
        (21, 17.195170473009217, 124.37500743830898),
        (16, 76.12914235911332, 94.81955043718281),
        (21, 104.05005807192161, 154.32407438256965),
        (4, 115.08271926575604, 176.2496997833649),
        (24, 10.74983238051625, 175.00293218844593),
        (22, 8.961235387536716, 160.75763033157799),
        (1, 73.60701005811164, 86.24286803745112),
        (0, 0.0, 9.132552476630785),
        (30, 0.6952869167963931, 0.8507435150177596),
        (7, 86.76198456074039, 99.74450423576542),
        (27, 121.39752779677112, 174.4715474932054),
        (25, 133.35640077919777, 175.34168659042734),
    ];
    let cohort: Vec<CustomerSummary> = rows
        .iter()
        .map(|&(x, t_x, t)| CustomerSummary::new(x, t_x, t))
        .collect();
    let started = Instant::now();
    let fit = fit_pareto_nbd(&cohort);
    assert!(started.elapsed() <= FIT_BOUND, "{:?}", started.elapsed());
    assert!(
        matches!(fit, Err(Error::FitDidNotConverge { reason, .. }) if reason.contains("max_series_terms")),
        "{fit:?}"
    );
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
