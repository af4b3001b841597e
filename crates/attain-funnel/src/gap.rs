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
    // Fails on a currency mismatch.
    actual.deal_size.checked_sub(planned.deal_size)?;
    let overflow = || {
        Error::from(attain_types::Error::Overflow {
            operation: "gap diagnosis",
        })
    };

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
    // Largest remainder: floor each W_j / m!, then hand out the missing units.
    let gap_units = units[full].checked_sub(units[0]).ok_or_else(overflow)?;
    let mut parts: Vec<i128> = scaled.iter().map(|w| w.div_euclid(m_fact)).collect();
    let rems: Vec<i128> = scaled.iter().map(|w| w.rem_euclid(m_fact)).collect();
    let floor_sum = parts
        .iter()
        .try_fold(0i128, |a, &p| a.checked_add(p))
        .ok_or_else(overflow)?;
    let missing = gap_units.checked_sub(floor_sum).ok_or_else(overflow)?;
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| rems[b].cmp(&rems[a]).then(a.cmp(&b)));
    // 0 <= missing < m because sum of rems = missing * m! and each rem < m!.
    for &j in order.iter().take(usize::try_from(missing).unwrap_or(0)) {
        parts[j] += 1;
    }
    let money = |u: i128| -> Result<Money> {
        let d = Decimal::try_from_i128_with_scale(u, q).map_err(|_| overflow())?;
        Ok(Money::new(d, currency))
    };
    let planned_revenue = money(units[0])?;
    let actual_revenue = money(units[full])?;
    Ok(GapDecomposition {
        planned_revenue,
        actual_revenue,
        gap: money(gap_units)?,
        volume: money(parts[0])?,
        rates: parts[1..m - 1]
            .iter()
            .map(|&u| money(u))
            .collect::<Result<Vec<_>>>()?,
        deal_size: money(parts[m - 1])?,
    })
}
