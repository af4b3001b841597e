//! Special functions in `f64` for the statistical models (binomial tails, normal quantiles,
//! Beta posteriors). Hand-written so that the default build needs no numerics dependency;
//! cross-checked against `statrs` in the tests.

use core::f64::consts::PI;

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms; relative error about 1e-15).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        return (PI / (PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// `ln B(a, b)`.
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// `ln C(n, k)`.
pub(crate) fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// The regularized upper incomplete gamma function `Q(a, x)` for `a > 0`, `x >= 0`
/// (series below `a + 1`, Lentz continued fraction above; Numerical Recipes 6.2).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut ap, mut del) = (a, 1.0 / a);
        let mut sum = del;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * front
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        front * h
    }
}

/// The complementary error function.
pub(crate) fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x >= 0.0 {
        gamma_q(0.5, x * x)
    } else {
        2.0 - gamma_q(0.5, x * x)
    }
}

/// The standard normal CDF `Φ(x)`.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / core::f64::consts::SQRT_2)
}

/// The standard normal quantile `Φ⁻¹(p)` for `0 < p < 1` (Acklam's rational approximation,
/// then one Halley step on [`normal_cdf`]; about 1e-15 relative).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    // One Halley refinement step.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Adds `log_term` to a running log-sum-exp `(max, scaled_sum)`.
fn log_add(acc: &mut (f64, f64), log_term: f64) {
    if log_term == f64::NEG_INFINITY {
        return;
    }
    if acc.1 == 0.0 {
        *acc = (log_term, 1.0);
    } else if log_term > acc.0 {
        acc.1 = acc.1 * (acc.0 - log_term).exp() + 1.0;
        acc.0 = log_term;
    } else {
        acc.1 += (log_term - acc.0).exp();
    }
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`, computed in log space.
///
/// The tail away from the mean is summed directly, starting next to the mean and walking
/// outwards until the terms no longer change the sum (`e^-40` relative): when `k - 1` is
/// below the mean, the lower tail `P(X <= k - 1)` is summed from `i = k - 1` down and
/// subtracted from 1; otherwise the upper tail is summed from `i = k` up. The first term is
/// `ln C(n, i) + i ln p + (n - i) ln(1 - p)`; the next ones use the ratio
/// `pmf(i + 1) / pmf(i) = (n - i) / (i + 1) * p / (1 - p)`. Terms fall monotonically away from
/// the mode, so the walk takes `O(sqrt(n p (1 - p)))` steps, whatever `n` and `k`.
pub(crate) fn binomial_sf(n: u64, p: f64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    let odds = lp - lq;
    let ln_pmf = |i: u64| ln_choose(n, i) + i as f64 * lp + (n - i) as f64 * lq;
    let mean = n as f64 * p;
    let mut acc = (0.0, 0.0);
    if ((k - 1) as f64) < mean {
        let mut i = k - 1;
        let mut lt = ln_pmf(i);
        loop {
            log_add(&mut acc, lt);
            if i == 0 || lt - acc.0 < -40.0 {
                break;
            }
            // pmf(i - 1) / pmf(i) = i / (n - i + 1) * (1 - p) / p
            lt += (i as f64).ln() - ((n - i + 1) as f64).ln() - odds;
            i -= 1;
        }
        let lower = if acc.1 == 0.0 {
            0.0
        } else {
            acc.1 * acc.0.exp()
        };
        (1.0 - lower).clamp(0.0, 1.0)
    } else {
        let mut i = k;
        let mut lt = ln_pmf(i);
        loop {
            log_add(&mut acc, lt);
            if i == n || lt - acc.0 < -40.0 {
                break;
            }
            lt += ((n - i) as f64).ln() - ((i + 1) as f64).ln() + odds;
            i += 1;
        }
        let upper = if acc.1 == 0.0 {
            0.0
        } else {
            acc.1 * acc.0.exp()
        };
        upper.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_known_values() {
        // Γ(5) = 24, Γ(0.5) = √π.
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-13);
        assert!((ln_gamma(101.0) - 363.739_375_555_563_5).abs() < 1e-10);
    }

    #[test]
    fn erfc_matches_mpmath() {
        // Reference: mpmath.erfc at 30 digits (statrs 0.18's erfc is off by 5e-11 at -0.5).
        let cases = [
            (-3.0, 1.999_977_909_503_001_4),
            (-0.5, 1.520_499_877_813_046_5),
            (0.0, 1.0),
            (0.3, 0.671_373_240_540_872_6),
            (1.7, 0.016_209_541_409_225_44),
            (4.0, 1.541_725_790_028_002e-8),
        ];
        for (x, want) in cases {
            let got = erfc(x);
            assert!(
                (got - want).abs() <= 1e-15 * want.abs().max(1.0) * 4.0,
                "erfc({x}) = {got} vs {want}"
            );
        }
    }

    #[test]
    fn normal_quantile_known_values() {
        // Published: z(0.975) = 1.959963984540054, z(0.95) = 1.6448536269514722.
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-12);
        assert!((normal_quantile(0.001) + 3.090_232_306_167_813_5).abs() < 1e-11);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-14);
    }

    #[test]
    fn binomial_sf_method_case() {
        // 1 - [0.8^15 + 15*0.2*0.8^14 + 105*0.04*0.8^13]
        //   = 1 - (0.0351844 + 0.1319414 + 0.2308974) = 0.6019768
        assert!((binomial_sf(15, 0.2, 3) - 0.601_976_790_745_087_7).abs() < 1e-12);
        assert_eq!(binomial_sf(15, 0.2, 0), 1.0);
        assert_eq!(binomial_sf(15, 0.2, 16), 0.0);
        // Upper branch: P(X >= 15 | 15, 0.2) = 0.2^15.
        assert!((binomial_sf(15, 0.2, 15) - 0.2f64.powi(15)).abs() < 1e-22);
        // Huge counts finish quickly: the walk is O(sd) terms. Mean 5e8, sd 2e4:
        // k at the mean gives about one half, 10 sd below it nearly 1.
        let half = binomial_sf(1_000_000_000, 0.5, 500_000_000);
        assert!((half - 0.5).abs() < 1e-4, "{half}");
        assert!(binomial_sf(1_000_000_000, 0.5, 499_800_000) > 1.0 - 1e-15);
    }

    #[cfg(feature = "stats")]
    #[test]
    fn matches_statrs() {
        use statrs::distribution::{Binomial, DiscreteCDF};
        for &(n, p, k) in &[
            (15u64, 0.2, 3u64),
            (150, 0.02, 3),
            (1000, 0.3, 320),
            (40, 0.9, 39),
        ] {
            let b = Binomial::new(p, n).unwrap();
            let want = 1.0 - b.cdf(k - 1);
            let got = binomial_sf(n, p, k);
            assert!(
                (got - want).abs() < 1e-10,
                "n={n} p={p} k={k}: {got} vs {want}"
            );
        }
        for &x in &[0.7, 3.3, 12.5, 1e4] {
            let want = statrs::function::gamma::ln_gamma(x);
            assert!(
                (ln_gamma(x) - want).abs() < 1e-10 * want.abs().max(1.0),
                "ln_gamma({x})"
            );
        }
    }
}
