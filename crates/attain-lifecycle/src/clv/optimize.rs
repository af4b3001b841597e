//! A small BFGS minimiser for the maximum-likelihood fits (2 to 4 log-parameters).
//!
//! Why not `argmin`: its error type is `anyhow::Error` and it brings a numeric-backend
//! abstraction and several crates for what is, at this size, 100 lines: dense BFGS on the
//! inverse Hessian with a backtracking Armijo line search and the usual curvature guard. The
//! tests below check it on Rosenbrock's function and on a quadratic.

/// Why a minimisation stopped without converging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The objective is not finite at the starting point.
    NonFiniteStart,
    /// A log-parameter ran past ±`bound` (a parameter heading to 0 or infinity).
    Diverged,
    /// No step along the search direction lowers the objective, before convergence.
    LineSearch,
    /// The iteration budget ran out.
    MaxIterations,
}

/// A converged minimum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) value: f64,
    pub(crate) iterations: usize,
}

/// Stopping rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Settings {
    pub(crate) max_iterations: usize,
    /// Converged when `max |gradient| <= gradient_tolerance * (1 + |value|)`.
    pub(crate) gradient_tolerance: f64,
    /// A coordinate beyond `±bound` means divergence.
    pub(crate) bound: f64,
}

/// Minimises `f` from `x0`; `f(x, grad)` returns the value and writes the gradient (a
/// non-finite value means "outside the domain" and makes the line search step back).
pub(crate) fn bfgs<F>(mut f: F, x0: &[f64], settings: Settings) -> Result<Minimum, (Failure, usize)>
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err((Failure::NonFiniteStart, 0));
    }
    let mut h = identity(n);
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut stalls = 0;
    for iteration in 0..settings.max_iterations {
        let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if gmax <= settings.gradient_tolerance * (1.0 + fx.abs()) {
            return Ok(Minimum {
                x,
                value: fx,
                iterations: iteration,
            });
        }
        // p = -H g; fall back to steepest descent if it is not a descent direction.
        for i in 0..n {
            p[i] = -(0..n).map(|j| h[i][j] * g[j]).sum::<f64>();
        }
        let mut slope: f64 = p.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope >= 0.0 {
            h = identity(n);
            for i in 0..n {
                p[i] = -g[i];
            }
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Keep the first steps modest: at most 1 in any log-parameter.
        let pmax = p.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let mut step = if pmax > 1.0 { 1.0 / pmax } else { 1.0 };
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * p[i];
            }
            let f_new = f(&x_new, &mut g_new);
            if f_new.is_finite()
                && g_new.iter().all(|v| v.is_finite())
                && f_new <= fx + 1e-4 * step * slope
            {
                let decrease = fx - f_new;
                // Curvature pair.
                let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
                let ss: f64 = s.iter().map(|v| v * v).sum();
                let yy: f64 = y.iter().map(|v| v * v).sum();
                if sy > 1e-12 * (ss * yy).sqrt() && sy > 0.0 {
                    if iteration == 0 {
                        // Scale the initial inverse Hessian (Nocedal & Wright 6.20).
                        h = identity(n);
                        for (i, row) in h.iter_mut().enumerate() {
                            row[i] = sy / yy;
                        }
                    }
                    update_inverse_hessian(&mut h, &s, &y, sy);
                }
                x.copy_from_slice(&x_new);
                g.copy_from_slice(&g_new);
                fx = f_new;
                accepted = true;
                // Stalled: no measurable progress for a few iterations (noisy gradients).
                if decrease <= 1e-15 * (1.0 + fx.abs()) && ss.sqrt() < 1e-10 {
                    stalls += 1;
                } else {
                    stalls = 0;
                }
                break;
            }
            step *= if f_new.is_finite() { 0.5 } else { 0.1 };
        }
        if x.iter().any(|v| v.abs() > settings.bound) {
            return Err((Failure::Diverged, iteration + 1));
        }
        if stalls >= 3 {
            // No progress left in f64: accept only near a stationary point.
            let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if gmax <= 1e3 * settings.gradient_tolerance * (1.0 + fx.abs()) {
                return Ok(Minimum {
                    x,
                    value: fx,
                    iterations: iteration + 1,
                });
            }
            // Creeping along a flat valley towards a far bound: a parameter running off.
            let far = x.iter().any(|v| v.abs() > 0.5 * settings.bound);
            let failure = if far {
                Failure::Diverged
            } else {
                Failure::LineSearch
            };
            return Err((failure, iteration + 1));
        }
        if !accepted {
            // No descent along p: converged as far as f64 allows if the gradient is small.
            let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if gmax <= 1e3 * settings.gradient_tolerance * (1.0 + fx.abs()) {
                return Ok(Minimum {
                    x,
                    value: fx,
                    iterations: iteration + 1,
                });
            }
            return Err((Failure::LineSearch, iteration + 1));
        }
    }
    Err((Failure::MaxIterations, settings.max_iterations))
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ`, `ρ = 1 / yᵀs`.
fn update_inverse_hessian(h: &mut [Vec<f64>], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i][j] * y[j]).sum())
        .collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
    for i in 0..n {
        for j in 0..n {
            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

/// An objective for [`bfgs`] from a value-only function: the gradient by central differences
/// with step `1e-6` in each coordinate (log-parameters of order 1, so the truncation error is
/// about `1e-12` relative), for likelihoods whose analytic gradient is not written out.
pub(crate) fn with_central_gradient<F>(f: F) -> impl FnMut(&[f64], &mut [f64]) -> f64
where
    F: Fn(&[f64]) -> f64,
{
    move |theta: &[f64], grad: &mut [f64]| {
        let value = f(theta);
        let mut at = theta.to_vec();
        for k in 0..theta.len() {
            let h = 1e-6;
            at[k] = theta[k] + h;
            let up = f(&at);
            at[k] = theta[k] - h;
            let down = f(&at);
            at[k] = theta[k];
            grad[k] = (up - down) / (2.0 * h);
        }
        value
    }
}

/// Asymptotic standard errors of the parameters `exp(θ_i)` at a minimum `θ` of `f`, a
/// negative log-likelihood over log-parameters that writes its gradient: the observed
/// information `H` (the Hessian of `f` at `θ`, by central differences of the gradient with
/// step `1e-5`, symmetrised) is inverted, and the delta method gives
/// `se(exp(θ_i)) = exp(θ_i) · sqrt((H⁻¹)_ii)` (the gradient is zero at the minimum, so the
/// change of variables adds no other term). `None` when `H` is not positive definite there.
/// The standard errors of the parameters and the covariance of their logarithms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Uncertainty {
    pub(crate) standard_errors: Vec<f64>,
    pub(crate) log_covariance: Vec<Vec<f64>>,
}

#[allow(clippy::needless_range_loop)] // matrix code reads as the formulas do
pub(crate) fn standard_errors<F>(mut f: F, theta: &[f64]) -> Option<Uncertainty>
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = theta.len();
    let h = 1e-5;
    let mut hess = vec![vec![0.0; n]; n];
    let mut probe = theta.to_vec();
    let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        probe[i] = theta[i] + h;
        f(&probe, &mut up);
        probe[i] = theta[i] - h;
        f(&probe, &mut down);
        probe[i] = theta[i];
        for j in 0..n {
            hess[i][j] = (up[j] - down[j]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (hess[i][j] + hess[j][i]);
            hess[i][j] = m;
            hess[j][i] = m;
        }
    }
    let cov = invert_positive_definite(&hess)?;
    let se: Vec<f64> = (0..n).map(|i| theta[i].exp() * cov[i][i].sqrt()).collect();
    se.iter().all(|v| v.is_finite()).then_some(Uncertainty {
        standard_errors: se,
        log_covariance: cov,
    })
}

/// The Cholesky factor `L` (lower triangular, `a = L Lᵀ`) of a symmetric positive definite
/// matrix, `None` otherwise.
#[allow(clippy::needless_range_loop)] // matrix code reads as the formulas do
pub(crate) fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// The inverse of a symmetric positive definite matrix by Cholesky, `None` otherwise.
#[allow(clippy::needless_range_loop)] // matrix code reads as the formulas do
fn invert_positive_definite(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let l = cholesky(a)?;
    // Solve L Lᵀ x = e_c for each column c.
    let mut inv = vec![vec![0.0; n]; n];
    for c in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let e = if i == c { 1.0 } else { 0.0 };
            y[i] = (e - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
        }
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| l[k][i] * inv[k][c]).sum();
            inv[i][c] = (y[i] - s) / l[i][i];
        }
    }
    Some(inv)
}

/// Central-difference gradient of `f` at `x` (step `1e-5 · max(1, |x_i|)`), for objectives
/// without an analytic gradient (the tests). Returns the value at `x`.
#[cfg(test)]
pub(crate) fn value_and_numeric_gradient<F>(f: &mut F, x: &[f64], grad: &mut [f64]) -> f64
where
    F: FnMut(&[f64]) -> f64,
{
    let fx = f(x);
    if !fx.is_finite() {
        return fx;
    }
    let mut probe = x.to_vec();
    for i in 0..x.len() {
        let h = 1e-5 * x[i].abs().max(1.0);
        probe[i] = x[i] + h;
        let up = f(&probe);
        probe[i] = x[i] - h;
        let down = f(&probe);
        probe[i] = x[i];
        grad[i] = (up - down) / (2.0 * h);
    }
    fx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_errors_of_a_known_quadratic() {
        // f = (θ0² / 2) / 0.25 + (θ1² / 2) / 4 at θ = 0: H = diag(4, 0.25), H⁻¹ = diag(0.25, 4),
        // so se = exp(0) · (0.5, 2).
        let f = |t: &[f64], g: &mut [f64]| {
            g[0] = 4.0 * t[0];
            g[1] = 0.25 * t[1];
            2.0 * t[0] * t[0] + 0.125 * t[1] * t[1]
        };
        let se = standard_errors(f, &[0.0, 0.0]).unwrap().standard_errors;
        assert!(
            (se[0] - 0.5).abs() < 1e-9 && (se[1] - 2.0).abs() < 1e-9,
            "{se:?}"
        );
        // A saddle has no standard errors.
        let saddle = |t: &[f64], g: &mut [f64]| {
            g[0] = t[0];
            g[1] = -t[1];
            0.5 * (t[0] * t[0] - t[1] * t[1])
        };
        assert!(standard_errors(saddle, &[0.0, 0.0]).is_none());
    }

    const SETTINGS: Settings = Settings {
        max_iterations: 500,
        gradient_tolerance: 1e-12,
        bound: 1e6,
    };

    #[test]
    fn bfgs_rosenbrock() {
        let rosen = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let m = bfgs(rosen, &[-1.2, 1.0], SETTINGS).unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
        assert!(m.value < 1e-12);
    }

    #[test]
    fn bfgs_quadratic_with_numeric_gradient() {
        let mut quad = |x: &[f64]| (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2) + x[0] * x[1];
        let m = bfgs(
            |x: &[f64], g: &mut [f64]| value_and_numeric_gradient(&mut quad, x, g),
            &[0.0, 0.0],
            Settings {
                gradient_tolerance: 1e-9,
                ..SETTINGS
            },
        )
        .unwrap();
        // Minimum of the quadratic: solve [2 1; 1 20] x = [6; -20].
        let det = 2.0 * 20.0 - 1.0;
        let (x0, x1) = ((6.0 * 20.0 + 20.0) / det, (2.0 * -20.0 - 6.0) / det);
        assert!(
            (m.x[0] - x0).abs() < 1e-6 && (m.x[1] - x1).abs() < 1e-6,
            "{m:?}"
        );
    }

    #[test]
    fn bfgs_reports_divergence_and_bad_start() {
        // Unbounded below along x: the coordinate runs off.
        let slope = |x: &[f64], g: &mut [f64]| {
            g[0] = -1.0;
            -x[0]
        };
        let e = bfgs(
            slope,
            &[0.0],
            Settings {
                bound: 50.0,
                ..SETTINGS
            },
        )
        .unwrap_err();
        assert_eq!(e.0, Failure::Diverged);
        let nan = |_: &[f64], _: &mut [f64]| f64::NAN;
        assert_eq!(
            bfgs(nan, &[0.0], SETTINGS).unwrap_err().0,
            Failure::NonFiniteStart
        );
    }
}
