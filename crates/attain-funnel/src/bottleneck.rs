//! Bottlenecks and sensitivity: which stage's improvement lifts revenue most.
//!
//! Revenue is `R = N * r_1 * ... * r_k * D` (top entries, stage rates, deal size). For stage
//! `i` write `R_-i = N * D * product of the other rates`. Then, exactly in `Decimal`:
//!
//! | measure | formula | favours |
//! |---|---|---|
//! | [`BottleneckMeasure::LiftToBenchmark`] (default) | `R_-i * (b_i - r_i)` | the stage with the most money behind its gap to benchmark: "where is the money" |
//! | [`BottleneckMeasure::LiftPerPoint`] | `R_-i * min(0.01, 1 - r_i)` | the lowest rate (a point is worth most where the rate is small) |
//! | [`BottleneckMeasure::Elasticity`] | `(dR / R) / (dr_i / r_i) = 1` | nobody: in a product every rate has elasticity exactly 1 |
//!
//! The elasticity is reported so that this fact is visible: relative improvements are worth
//! the same at every stage, so any ranking comes from how far a stage *can* move (its
//! benchmark) or from the unit of improvement (a point). Ties keep stage order.

use attain_types::{Decimal, Money, Rate};

use crate::error::{Error, Result};
use crate::plan::Funnel;

/// How stages are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum BottleneckMeasure {
    /// Revenue gained if the stage reached its benchmark rate (default).
    #[default]
    LiftToBenchmark,
    /// Revenue gained from one more percentage point at the stage.
    LiftPerPoint,
    /// Revenue elasticity (always 1: ranks by stage order).
    Elasticity,
}

/// The sensitivity of revenue to one stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StageSensitivity {
    /// The stage's index, top first.
    pub index: usize,
    /// The stage's name.
    pub name: String,
    /// Its current rate.
    pub rate: Rate,
    /// Its benchmark rate.
    pub benchmark: Rate,
    /// Revenue lift from `+0.01` (capped at a rate of 1).
    pub lift_per_point: Money,
    /// Revenue lift from moving to the benchmark (negative if the stage is above it).
    pub lift_to_benchmark: Money,
    /// Revenue elasticity: 1 when the rate is positive, `None` at a zero rate (revenue 0).
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub elasticity: Option<Decimal>,
}

/// Bottleneck report: every stage's sensitivity and the ranking under a measure.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BottleneckReport {
    /// Expected revenue now: `N * product of rates * D`.
    pub revenue: Money,
    /// Every stage, top first.
    pub stages: Vec<StageSensitivity>,
    /// The measure of the ranking.
    pub measure: BottleneckMeasure,
    /// Stage indices, the one to fix first first.
    pub ranking: Vec<usize>,
}

impl BottleneckReport {
    /// The stage to fix first under the report's measure.
    #[must_use]
    pub fn first(&self) -> Option<&StageSensitivity> {
        self.ranking.first().and_then(|&i| self.stages.get(i))
    }
}

/// Ranks the stages of `funnel` by how much improving each lifts revenue from `entries` top
/// entries, against one benchmark rate per stage (see the module docs for the formulas).
///
/// Worked example (METHOD.md 2.2 history 10% / 30% / 20%, benchmarks 12% / 40% / 25%, 1,000
/// leads, deals of 10,000; revenue `1000 * 0.1 * 0.3 * 0.2 * 10000 = 60,000`): lift to
/// benchmark lead `600,000 * 0.02 = 12,000`, visit `200,000 * 0.1 = 20,000`, proposal
/// `300,000 * 0.05 = 15,000`, so fix visit > proposal first; per point lead `6,000`,
/// visit `2,000`, proposal `3,000`, which favours the lowest rate (lead).
///
/// # Errors
/// [`Error::NoStages`], [`Error::LengthMismatch`] if `benchmarks` does not have one rate per
/// stage, overflow.
pub fn bottlenecks(
    funnel: &Funnel,
    entries: u64,
    benchmarks: &[Rate],
    measure: BottleneckMeasure,
) -> Result<BottleneckReport> {
    let k = funnel.stages.len();
    if k == 0 {
        return Err(Error::NoStages);
    }
    if benchmarks.len() != k {
        return Err(Error::LengthMismatch {
            what: "benchmarks",
            got: benchmarks.len(),
            expected: k,
        });
    }
    let overflow = || {
        Error::from(attain_types::Error::Overflow {
            operation: "bottlenecks",
        })
    };
    let base = funnel.deal_size.checked_mul(Decimal::from(entries))?;
    let revenue = funnel
        .stages
        .iter()
        .try_fold(base, |m, s| m.checked_mul_rate(s.rate))?;
    let point = Decimal::new(1, 2);
    let mut stages = Vec::with_capacity(k);
    for (i, (stage, bench)) in funnel.stages.iter().zip(benchmarks).enumerate() {
        let others = funnel
            .stages
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .try_fold(base, |m, (_, s)| m.checked_mul_rate(s.rate))?;
        let r = stage.rate.to_decimal();
        let step = point.min(Decimal::ONE - r);
        let gap = bench.to_decimal().checked_sub(r).ok_or_else(overflow)?;
        stages.push(StageSensitivity {
            index: i,
            name: stage.name.clone(),
            rate: stage.rate,
            benchmark: *bench,
            lift_per_point: others.checked_mul(step)?,
            lift_to_benchmark: others.checked_mul(gap)?,
            elasticity: if stage.rate.is_zero() {
                None
            } else {
                Some(Decimal::ONE)
            },
        });
    }
    let key = |s: &StageSensitivity| match measure {
        BottleneckMeasure::LiftToBenchmark => s.lift_to_benchmark.amount(),
        BottleneckMeasure::LiftPerPoint => s.lift_per_point.amount(),
        BottleneckMeasure::Elasticity => s.elasticity.unwrap_or(Decimal::ZERO),
    };
    let mut ranking: Vec<usize> = (0..k).collect();
    // Stable: ties keep stage order.
    ranking.sort_by(|&a, &b| key(&stages[b]).cmp(&key(&stages[a])));
    Ok(BottleneckReport {
        revenue,
        stages,
        measure,
        ranking,
    })
}
