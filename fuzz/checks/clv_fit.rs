//! The CLV fitters on arbitrary small summaries (including NaN, infinite, negative and
//! inconsistent values): no panic, no NaN or infinity anywhere in an `Ok` fit, predictions
//! from an `Ok` fit are finite with `p_alive` in `[0, 1]`, and every fit ends within a time
//! bound.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use arbitrary::{Result, Unstructured};
use attain_lifecycle::clv::{
    BgBbSummary, CustomerSummary, Fit, PurchaseModel, fit_bg_bb, fit_bg_nbd, fit_gamma_gamma,
    fit_mbg_nbd, fit_pareto_nbd, fit_sbg,
};

/// The most one fit of a few customers may take (an optimised build takes milliseconds; the
/// fitters bound their own work, see `FitOptions`).
const FIT_BOUND: Duration = Duration::from_secs(20);

fn number(u: &mut Unstructured<'_>) -> Result<f64> {
    Ok(match u.int_in_range(0..=9)? {
        0 => u.arbitrary()?,
        1 => [f64::NAN, f64::INFINITY, -1.0, 0.0, f64::MIN_POSITIVE, 1e300][u.choose_index(6)?],
        _ => f64::from(u.int_in_range(0..=4000)?) / 8.0,
    })
}

fn summary(u: &mut Unstructured<'_>) -> Result<CustomerSummary> {
    let x = if u.ratio(1, 16)? {
        u.arbitrary()?
    } else {
        u.int_in_range(0..=20)?
    };
    let mut s = CustomerSummary::new(x, number(u)?, number(u)?);
    if u.ratio(3, 4)? && s.t_x > s.t {
        std::mem::swap(&mut s.t_x, &mut s.t);
    }
    s.mean_repeat_spend = number(u)?;
    Ok(s)
}

fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < FIT_BOUND,
        "{name} took {:?}",
        start.elapsed()
    );
    out
}

fn finite<P: Debug>(name: &str, fit: &Fit<P>) {
    let text = format!("{fit:?}");
    assert!(
        !text.contains("NaN") && !text.contains("inf"),
        "{name} returned a non-finite fit: {text}"
    );
}

fn predictions<M: PurchaseModel>(name: &str, model: &M, summaries: &[CustomerSummary]) {
    for s in summaries {
        if let Ok(p) = model.p_alive(s) {
            assert!((0.0..=1.0).contains(&p), "{name}: p_alive {p} for {s:?}");
        }
        if let Ok(e) = model.conditional_expected_purchases(s, 30.0) {
            assert!(
                e.is_finite() && e >= 0.0,
                "{name}: expected purchases {e} for {s:?}"
            );
        }
        if let Ok(l) = model.log_likelihood(s) {
            assert!(
                !l.is_nan() && l != f64::INFINITY,
                "{name}: log-likelihood {l} for {s:?}"
            );
        }
    }
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let n = u.int_in_range(0..=12)?;
    let summaries: Vec<CustomerSummary> = (0..n).map(|_| summary(u)).collect::<Result<_>>()?;
    match u.int_in_range(0..=5)? {
        0 => {
            if let Ok(f) = timed("bg/nbd", || fit_bg_nbd(&summaries)) {
                finite("bg/nbd", &f);
                predictions("bg/nbd", &f.params, &summaries);
            }
        }
        1 => {
            if let Ok(f) = timed("pareto/nbd", || fit_pareto_nbd(&summaries)) {
                finite("pareto/nbd", &f);
                predictions("pareto/nbd", &f.params, &summaries);
            }
        }
        2 => {
            if let Ok(f) = timed("mbg/nbd", || fit_mbg_nbd(&summaries)) {
                finite("mbg/nbd", &f);
                predictions("mbg/nbd", &f.params, &summaries);
            }
        }
        3 => {
            if let Ok(f) = timed("gamma-gamma", || fit_gamma_gamma(&summaries)) {
                finite("gamma-gamma", &f);
                for s in &summaries {
                    if let Ok(Some(v)) = f.params.spend_prediction(s) {
                        assert!(v.is_finite(), "gamma-gamma spend {v} for {s:?}");
                    }
                }
            }
        }
        4 => {
            let rows: Vec<BgBbSummary> = (0..n)
                .map(|_| -> Result<BgBbSummary> {
                    let mut s = BgBbSummary::new(
                        u.int_in_range(0..=8)?,
                        u.int_in_range(0..=8)?,
                        u.int_in_range(0..=8)?,
                    );
                    s.count = u.int_in_range(0..=1000)?;
                    Ok(s)
                })
                .collect::<Result<_>>()?;
            if let Ok(f) = timed("bg/bb", || fit_bg_bb(&rows)) {
                finite("bg/bb", &f);
            }
        }
        _ => {
            let survivors: Vec<u64> = (0..n)
                .map(|_| u.int_in_range(0..=1000))
                .collect::<Result<_>>()?;
            if let Ok(f) = timed("sbg", || fit_sbg(&survivors)) {
                finite("sbg", &f);
            }
        }
    }
    Ok(())
}

pub fn check(data: &[u8]) {
    let _ = run(&mut Unstructured::new(data));
}
