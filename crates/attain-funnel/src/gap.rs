//! Gap diagnosis for the weekly review: "not enough leads, or low conversion?"
//!
//! Revenue is a product of factors, `R = N * r_1 * ... * r_k * D`. The gap between actual and
//! planned revenue is split into one contribution per factor (lead volume, each stage rate,
//! deal size) with the **Shapley value**: factor `j` gets its marginal effect
//! `R(S + j) - R(S)` averaged over every subset `S` of the other factors already moved from
//! plan to actual, weighted `|S|! (m - 1 - |S|)! / m!` (`m` factors). This is the only
//! decomposition that is exact (contributions sum to the gap), symmetric (it does not depend
//! on the order in which factors are listed or substituted, unlike chained substitution) and
//! gives nothing to a factor that did not change.
//!
//! # Exactness
//!
//! All `2^m` mixed revenues `R(S)` are exact `Decimal` products (an error if one needs more
//! than 28 digits). With `q` the largest number of decimals among them, everything is scaled
//! to integers of `10^-q`: `m! * contribution_j` is then an exact integer, and the gap is
//! exactly `sum_j (m! * contribution_j) / m!`. Each contribution is rounded to `q` decimals
//! by the largest-remainder method (floor, then one unit of `10^-q` to the largest
//! remainders, ties to the earlier factor), so the contributions add up **exactly** to the
//! gap and each is within `10^-q` of its exact Shapley value (equal to it when `m!` divides).
//! The work is `m * 2^m`; at most 18 stages are supported.
//!
//! **Shown in money.** `q` is often finer than the currency's minor unit (`-9999.9900 CNY`).
//! [`diagnose_gap_in_minor_units`] rounds the two revenues to the minor unit, takes the gap as
//! their difference, and allocates the contributions from their exact values by largest
//! remainder at the minor unit, so what is printed still adds up exactly.

use attain_types::{Decimal, Money, Rate};

use crate::error::{Error, Result};
use crate::plan::exact_mul;

/// The most stages [`diagnose_gap`] enumerates (`m = stages + 2` factors, `2^m` subsets).
pub const MAX_GAP_STAGES: usize = 18;

/// One side of the comparison: top entries, stage rates and deal size (plain input).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FunnelOutcome {
    /// Entries at the top of the funnel (leads).
    pub entries: u64,
    /// Each stage's conversion rate, top first.
    pub rates: Vec<Rate>,
    /// Average deal size.
    pub deal_size: Money,
}

impl FunnelOutcome {
    /// `entries * product of rates * deal_size`, exact.
    ///
    /// # Errors
    /// [`Error::Precision`] if the exact product needs more than 28 digits, overflow.
    pub fn revenue(&self) -> Result<Money> {
        let mut v = Decimal::from(self.entries);
        for r in &self.rates {
            v = exact_mul(v, r.to_decimal(), "funnel revenue")?;
        }
        let amount = exact_mul(v, self.deal_size.amount(), "funnel revenue")?;
        Ok(Money::new(amount, self.deal_size.currency()))
    }
}

/// The gap split into contributions that add up exactly to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GapDecomposition {
    /// Planned revenue.
    pub planned_revenue: Money,
    /// Actual revenue.
    pub actual_revenue: Money,
    /// `actual - planned` (negative when behind plan).
    pub gap: Money,
    /// Contribution of lead volume (top entries).
    pub volume: Money,
    /// Contribution of each stage's rate, top first.
    pub rates: Vec<Money>,
    /// Contribution of the deal size.
    pub deal_size: Money,
}

impl GapDecomposition {
    /// The sum of the stage-rate contributions: "conversion" in the weekly review.
    ///
    /// # Errors
    /// Overflow (not reachable for contributions built by [`diagnose_gap`]).
    pub fn conversion(&self) -> Result<Money> {
        Ok(Money::try_sum(
            self.rates.iter().copied(),
            self.gap.currency(),
        )?)
    }

    /// Every contribution in factor order: volume, each rate, deal size.
    #[must_use]
    pub fn contributions(&self) -> Vec<Money> {
        let mut v = Vec::with_capacity(self.rates.len() + 2);
        v.push(self.volume);
        v.extend(self.rates.iter().copied());
        v.push(self.deal_size);
        v
    }
}

/// Splits `actual revenue - planned revenue` into the Shapley contributions of lead volume,
/// each stage rate and deal size (see the module docs), summing exactly to the gap.
///
/// Worked example (one stage): plan 150 leads at 10% and 10,000 per deal (150,000); actual 120
/// leads at 12.5% and 10,000 (150,000): gap 0; volume `((120-150)*0.1*10000 +
/// (120-150)*0.125*10000) / 2 = (-30000 - 37500) / 2 = -33,750`; rate `+33,750`.
///
/// # Errors
/// [`Error::LengthMismatch`] if the two sides have different stage counts,
/// [`Error::TooManyStages`] above [`MAX_GAP_STAGES`], a currency mismatch between the deal
/// sizes, [`Error::Precision`] if an exact product needs more than 28 digits, overflow.
pub fn diagnose_gap(planned: &FunnelOutcome, actual: &FunnelOutcome) -> Result<GapDecomposition> {
    let s = shapley(planned, actual)?;
    // Contributions at the revenues' own scale `10^-q`: W_j / m! units.
    let money = |u: i128| s.money(u, s.q);
    let gap_units = s.units[s.full()]
        .checked_sub(s.units[0])
        .ok_or_else(overflow)?;
    let parts = largest_remainder(&s.scaled, s.m_fact, gap_units)?;
    s.decomposition(
        money(s.units[0])?,
        money(s.units[s.full()])?,
        money(gap_units)?,
        &parts,
        s.q,
    )
}

/// [`diagnose_gap`] shown in the currency's minor unit: planned and actual revenue rounded half
/// away from zero to the minor unit, the gap their difference (so the three printed figures
/// agree), and the contributions allocated by largest remainder from their **exact** Shapley
/// values (not from the rounded ones) so they add up exactly to that gap. Each contribution is
/// within one minor unit of its exact value.
///
/// Worked example (`examples/weekly_funnel.rs`): plan 150 leads at 10% and 20% with deals of
/// 83,333.33 (249,999.99), actual 120 leads at 10% and 25% with deals of 80,000 (240,000): gap
/// `-9,999.99 CNY`, not `-9999.9900 CNY`; volume `-55,083.33` (exactly -55,083.33225), rates
/// `0` and `+55,166.66` (55,166.6655), deal size `-10,083.32` (-10,083.32325): the floors sum
/// to -10,000.01 and the two missing cents go to the two largest remainders.
///
/// # Errors
/// As [`diagnose_gap`].
pub fn diagnose_gap_in_minor_units(
    planned: &FunnelOutcome,
    actual: &FunnelOutcome,
) -> Result<GapDecomposition> {
    let s = shapley(planned, actual)?;
    let p = s.currency.minor_units();
    let planned_revenue = s.money(s.units[0], s.q)?.round_to_minor_unit();
    let actual_revenue = s.money(s.units[s.full()], s.q)?.round_to_minor_unit();
    let gap = actual_revenue.checked_sub(planned_revenue)?;
    let gap_units = gap.to_minor_units()?;
    // Contribution j in minor units is W_j * 10^p / (m! * 10^q), exactly.
    let ten = |e: u32| 10i128.checked_pow(e).ok_or_else(overflow);
    let (num_scale, den_scale) = if p >= s.q {
        (ten(p - s.q)?, 1)
    } else {
        (1, ten(s.q - p)?)
    };
    let divisor = s.m_fact.checked_mul(den_scale).ok_or_else(overflow)?;
    let numerators = s
        .scaled
        .iter()
        .map(|w| w.checked_mul(num_scale).ok_or_else(overflow))
        .collect::<Result<Vec<_>>>()?;
    let parts = largest_remainder(&numerators, divisor, gap_units)?;
    s.decomposition(planned_revenue, actual_revenue, gap, &parts, p)
}

fn overflow() -> Error {
    Error::from(attain_types::Error::Overflow {
        operation: "gap diagnosis",
    })
}

/// The exact Shapley sums of one comparison.
struct Shapley {
    currency: attain_types::Currency,
    /// Mixed revenues `R(S)` as integers of `10^-q`.
    units: Vec<i128>,
    q: u32,
    /// `m! * contribution_j`, in units of `10^-q`.
    scaled: Vec<i128>,
    m_fact: i128,
    m: usize,
}

impl Shapley {
    fn full(&self) -> usize {
        (1usize << self.m) - 1
    }

    fn money(&self, u: i128, scale: u32) -> Result<Money> {
        let d = Decimal::try_from_i128_with_scale(u, scale).map_err(|_| overflow())?;
        Ok(Money::new(d, self.currency))
    }

    fn decomposition(
        &self,
        planned_revenue: Money,
        actual_revenue: Money,
        gap: Money,
        parts: &[i128],
        scale: u32,
    ) -> Result<GapDecomposition> {
        let m = self.m;
        Ok(GapDecomposition {
            planned_revenue,
            actual_revenue,
            gap,
            volume: self.money(parts[0], scale)?,
            rates: parts[1..m - 1]
                .iter()
                .map(|&u| self.money(u, scale))
                .collect::<Result<Vec<_>>>()?,
            deal_size: self.money(parts[m - 1], scale)?,
        })
    }
}

/// Rounds `numerators[j] / divisor` to integers summing to `target`: floors, then one unit to
/// the largest remainders (ties to the earlier factor), or one unit off the smallest when the
/// floors already exceed the target. The caller's target is within `m` units of the floors.
fn largest_remainder(numerators: &[i128], divisor: i128, target: i128) -> Result<Vec<i128>> {
    let m = numerators.len();
    let mut parts: Vec<i128> = numerators.iter().map(|w| w.div_euclid(divisor)).collect();
    let rems: Vec<i128> = numerators.iter().map(|w| w.rem_euclid(divisor)).collect();
    let floor_sum = parts
        .iter()
        .try_fold(0i128, |a, &p| a.checked_add(p))
        .ok_or_else(overflow)?;
    let missing = target.checked_sub(floor_sum).ok_or_else(overflow)?;
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| rems[b].cmp(&rems[a]).then(a.cmp(&b)));
    let count = usize::try_from(missing.unsigned_abs()).unwrap_or(usize::MAX);
    if count > m {
        return Err(overflow());
    }
    if missing >= 0 {
        for &j in order.iter().take(count) {
            parts[j] += 1;
        }
    } else {
        for &j in order.iter().rev().take(count) {
            parts[j] -= 1;
        }
    }
    Ok(parts)
}

/// The exact Shapley sums (see the module docs).
fn shapley(planned: &FunnelOutcome, actual: &FunnelOutcome) -> Result<Shapley> {
    let k = planned.rates.len();
    if actual.rates.len() != k {
        return Err(Error::LengthMismatch {
            what: "actual rates",
            got: actual.rates.len(),
            expected: k,
        });
    }
    if k > MAX_GAP_STAGES {
        return Err(Error::TooManyStages {
            got: k,
            max: MAX_GAP_STAGES,
        });
    }
    let currency = planned.deal_size.currency();
    actual.deal_size.same_currency(&planned.deal_size)?;

    // Factors: volume, rates, deal size.
    let mut x0 = vec![Decimal::from(planned.entries)];
    x0.extend(planned.rates.iter().map(|r| r.to_decimal()));
    x0.push(planned.deal_size.amount());
    let mut x1 = vec![Decimal::from(actual.entries)];
    x1.extend(actual.rates.iter().map(|r| r.to_decimal()));
    x1.push(actual.deal_size.amount());
    let m = x0.len();

    // f[S]: revenue with the factors in mask S at actual, the others at plan.
    let mut f = vec![Decimal::ONE];
    for j in 0..m {
        let mut next = Vec::with_capacity(f.len() * 2);
        next.extend(
            f.iter()
                .map(|&v| exact_mul(v, x0[j], "gap revenue"))
                .collect::<Result<Vec<_>>>()?,
        );
        next.extend(
            f.iter()
                .map(|&v| exact_mul(v, x1[j], "gap revenue"))
                .collect::<Result<Vec<_>>>()?,
        );
        f = next;
    }
    // Bit j of the index is factor j: the loop above appends the bit-j = 1 half after the
    // bit-j = 0 half, so index = sum of 2^j over the factors at actual.
    let q = f.iter().map(|v| v.normalize().scale()).max().unwrap_or(0);
    let units = f
        .iter()
        .map(|v| {
            let v = v.normalize();
            10i128
                .checked_pow(q - v.scale())
                .and_then(|p| v.mantissa().checked_mul(p))
                .ok_or_else(overflow)
        })
        .collect::<Result<Vec<i128>>>()?;

    // Shapley weights times m!: c[s] = s! (m - 1 - s)!.
    let fact = |n: usize| -> Result<i128> {
        (1..=n as i128)
            .try_fold(1i128, |acc, i| acc.checked_mul(i))
            .ok_or_else(overflow)
    };
    let m_fact = fact(m)?;
    let c = (0..m)
        .map(|s| fact(s)?.checked_mul(fact(m - 1 - s)?).ok_or_else(overflow))
        .collect::<Result<Vec<i128>>>()?;

    let full = (1usize << m) - 1;
    let mut scaled = vec![0i128; m];
    for (j, w) in scaled.iter_mut().enumerate() {
        let bit = 1usize << j;
        for s in 0..=full {
            if s & bit != 0 {
                continue;
            }
            let size = s.count_ones() as usize;
            let delta = units[s | bit].checked_sub(units[s]).ok_or_else(overflow)?;
            let term = delta.checked_mul(c[size]).ok_or_else(overflow)?;
            *w = w.checked_add(term).ok_or_else(overflow)?;
        }
    }
    Ok(Shapley {
        currency,
        units,
        q,
        scaled,
        m_fact,
        m,
    })
}
