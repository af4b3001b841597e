//! What a measured funnel says: time to convert per step (mean, median, percentiles and a
//! histogram), conversion over time (by entry day, week or month, with Wilson intervals),
//! breakdown groups tested against the rest, and takeaways (the largest drop-off, the
//! slowest step), all as data.
//!
//! Everything here reads a [`FunnelMeasurement`] measured with
//! [`MeasureOptions::keep_paths`](crate::measure::MeasureOptions::keep_paths) (the per-entity
//! chains); timestamps are taken as seconds since 1970-01-01T00:00:00Z where calendar periods
//! are involved.
//!
//! ```
//! use attain_funnel::insight::{conversion_over_time, takeaways, time_to_convert, Period};
//! use attain_funnel::measure::{measure, Event, MeasureOptions};
//! let ev = |entity, step, timestamp| Event { entity, step, timestamp, group: 0 };
//! let day = 86_400;
//! let events = [ev(1, 0, 0), ev(1, 1, 600), ev(2, 0, 10), ev(3, 0, day), ev(3, 1, day + 60)];
//! let m = measure(&events, 2, &MeasureOptions::default().keep_paths(true))?;
//! let t = time_to_convert(&m.paths, 1).unwrap();
//! assert_eq!((t.samples, t.median, t.max), (2, 60, 600));
//! let weeks = conversion_over_time(&m.paths, 2, Period::Day, 0.95)?;
//! assert_eq!((weeks[0].entered, weeks[0].converted), (2, 1));
//! assert_eq!(takeaways(&m.total).largest_drop_off.map(|d| d.step), Some(1));
//! # Ok::<(), attain_funnel::Error>(())
//! ```

use attain_types::Rate;

use crate::error::{Error, Result};
use crate::measure::{EntityPath, FunnelMeasurement, StepTable};
use crate::stats::{Counts, IntervalMethod, RateInterval, rate_interval, two_proportion_z_test};

/// One bin of a histogram: `from <= time < to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HistogramBin {
    /// Inclusive lower bound.
    pub from: i64,
    /// Exclusive upper bound.
    pub to: i64,
    /// Samples in the bin.
    pub count: u64,
}

/// Time to convert into one step from the previous one.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TimeToConvert {
    /// The step converted into (at least 1).
    pub step: usize,
    /// Entities that converted.
    pub samples: u64,
    /// The mean (`f64`).
    pub mean: f64,
    /// Smallest time.
    pub min: i64,
    /// Nearest-rank percentiles: the `ceil(q n)`-th smallest.
    pub p25: i64,
    /// The median (nearest rank).
    pub median: i64,
    /// 75th percentile.
    pub p75: i64,
    /// 90th percentile.
    pub p90: i64,
    /// 95th percentile.
    pub p95: i64,
    /// Largest time.
    pub max: i64,
    /// Bins of a "nice" width (1 s, 5 s, 10 s, 30 s, 1 min, 5, 10, 30 min, 1 h, 2, 6, 12 h,
    /// 1 d, 2, 7, 14, 30 d, then multiples of 30 d): the narrowest giving at most 20 bins,
    /// aligned to multiples of the width. Bins add up to `samples`.
    pub histogram: Vec<HistogramBin>,
}

const NICE_WIDTHS: [i64; 17] = [
    1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21_600, 43_200, 86_400, 172_800, 604_800,
    1_209_600, 2_592_000,
];
const MAX_BINS: i64 = 20;

/// Time to convert into `step` from `step - 1` over the chains that reached `step`; `None`
/// when none did (or `step` is 0).
#[must_use]
pub fn time_to_convert(paths: &[EntityPath], step: usize) -> Option<TimeToConvert> {
    let prev = step.checked_sub(1)?;
    let mut times: Vec<i64> = paths
        .iter()
        .filter_map(|p| {
            Some(
                p.timestamps
                    .get(step)?
                    .saturating_sub(*p.timestamps.get(prev)?),
            )
        })
        .collect();
    if times.is_empty() {
        return None;
    }
    times.sort_unstable();
    let n = times.len();
    let rank = |q: usize| times[(n * q).div_ceil(100).clamp(1, n) - 1];
    let (min, max) = (times[0], times[n - 1]);
    let span = i128::from(max) - i128::from(min);
    let width = NICE_WIDTHS
        .iter()
        .copied()
        .find(|&w| span / i128::from(w) < i128::from(MAX_BINS))
        .unwrap_or_else(|| {
            let month = 2_592_000_i128;
            let months = (span / i128::from(MAX_BINS)) / month + 1;
            i64::try_from(months * month).unwrap_or(i64::MAX)
        });
    let start = min.div_euclid(width).saturating_mul(width);
    let mut histogram: Vec<HistogramBin> = Vec::new();
    for &t in &times {
        let index = (i128::from(t) - i128::from(start)) / i128::from(width);
        let from = i64::try_from(i128::from(start) + index * i128::from(width)).unwrap_or(t);
        match histogram.last_mut() {
            Some(b) if b.from == from => b.count += 1,
            _ => histogram.push(HistogramBin {
                from,
                to: from.saturating_add(width),
                count: 1,
            }),
        }
    }
    // Empty bins in between are kept, so the bins tile [start, end).
    let mut tiled = Vec::with_capacity(histogram.len());
    for b in histogram {
        while let Some(&HistogramBin { to, .. }) = tiled.last()
            && to < b.from
        {
            tiled.push(HistogramBin {
                from: to,
                to: to.saturating_add(width),
                count: 0,
            });
        }
        tiled.push(b);
    }
    Some(TimeToConvert {
        step,
        samples: n as u64,
        mean: times.iter().map(|&t| t as f64).sum::<f64>() / n as f64,
        min,
        p25: rank(25),
        median: rank(50),
        p75: rank(75),
        p90: rank(90),
        p95: rank(95),
        max,
        histogram: tiled,
    })
}

/// A calendar period of entry (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Period {
    /// A UTC day.
    Day,
    /// An ISO week, from Monday.
    Week,
    /// A calendar month.
    Month,
}

/// Entries of one period and how many of them converted through the last step.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PeriodConversion {
    /// The period's first day, in days since 1970-01-01 (see [`civil_date`]).
    pub start_day: i64,
    /// Entities whose reported chain entered the funnel (step 0) in the period.
    pub entered: u64,
    /// Of those, the ones that reached the last step.
    pub converted: u64,
    /// `converted / entered`, exact.
    pub rate: Rate,
    /// The Wilson interval of the rate.
    pub interval: RateInterval,
}

/// The first day (days since 1970-01-01) of the period holding day `day`.
#[must_use]
pub fn period_start(day: i64, period: Period) -> i64 {
    match period {
        Period::Day => day,
        // 1970-01-01 was a Thursday: Monday is day -3.
        Period::Week => (day + 3).div_euclid(7) * 7 - 3,
        Period::Month => {
            let (y, m, _) = civil_date(day);
            days_from_civil(y, m, 1)
        }
    }
}

/// `(year, month, day)` of a day number (days since 1970-01-01), proleptic Gregorian.
#[must_use]
pub fn civil_date(day: i64) -> (i64, u32, u32) {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Entries grouped by the period of their step-0 time, with the conversion rate to the last of
/// `steps` steps and its Wilson interval at `confidence`, by ascending period.
///
/// # Errors
/// [`Error::InvalidConfidence`] unless `0 < confidence < 1`.
pub fn conversion_over_time(
    paths: &[EntityPath],
    steps: usize,
    period: Period,
    confidence: f64,
) -> Result<Vec<PeriodConversion>> {
    let mut by: std::collections::BTreeMap<i64, (u64, u64)> = std::collections::BTreeMap::new();
    for p in paths {
        let Some(&t0) = p.timestamps.first() else {
            continue;
        };
        let e = by
            .entry(period_start(t0.div_euclid(86_400), period))
            .or_default();
        e.0 += 1;
        e.1 += u64::from(p.timestamps.len() >= steps);
    }
    by.into_iter()
        .map(|(start_day, (entered, converted))| {
            let counts = Counts {
                successes: converted,
                trials: entered,
            };
            let interval = rate_interval(counts, confidence, IntervalMethod::Wilson)?;
            Ok(PeriodConversion {
                start_day,
                entered,
                converted,
                rate: interval.estimate,
                interval,
            })
        })
        .collect()
}

/// A multiple-comparison correction of p-values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Correction {
    /// Holm's step-down (controls the family-wise error, uniformly more powerful than
    /// Bonferroni).
    #[default]
    Holm,
    /// Bonferroni: every p-value times the number of tests.
    Bonferroni,
}

impl Correction {
    /// The name shown in outputs (`holm`, `bonferroni`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Correction::Holm => "holm",
            Correction::Bonferroni => "bonferroni",
        }
    }

    /// Adjusted p-values, in the order given, each at most 1.
    #[must_use]
    pub fn adjust(self, p_values: &[f64]) -> Vec<f64> {
        let m = p_values.len() as f64;
        match self {
            Correction::Bonferroni => p_values.iter().map(|p| (p * m).min(1.0)).collect(),
            Correction::Holm => {
                let mut order: Vec<usize> = (0..p_values.len()).collect();
                order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
                let mut out = vec![1.0; p_values.len()];
                let mut running: f64 = 0.0;
                for (rank, &i) in order.iter().enumerate() {
                    running = running.max(((m - rank as f64) * p_values[i]).min(1.0));
                    out[i] = running;
                }
                out
            }
        }
    }
}

/// One breakdown group's conversion (step 0 to the last step) tested against the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GroupTest {
    /// The group.
    pub group: u32,
    /// Its entries and conversions.
    pub counts: Counts,
    /// The other groups' entries and conversions together.
    pub rest: Counts,
    /// The pooled two-proportion z (positive when the group converts better).
    pub z: f64,
    /// The two-sided p-value.
    pub p_value: f64,
    /// The p-value after the correction.
    pub adjusted_p_value: f64,
    /// `adjusted_p_value < alpha`.
    pub significant: bool,
}

/// Every breakdown group's conversion against the rest's, by a pooled two-proportion z-test,
/// with `correction` over the groups tested. Groups or rests without entries are left out.
/// With [`Attribution::AllSteps`](crate::measure::Attribution::AllSteps) an entity may be in
/// several groups, so the rest may count it too.
///
/// # Errors
/// None in practice (counts are consistent by construction); typed for safety.
pub fn breakdown_tests(
    m: &FunnelMeasurement,
    alpha: f64,
    correction: Correction,
) -> Result<Vec<GroupTest>> {
    let count = |t: &StepTable| Counts {
        successes: t.steps.last().map_or(0, |s| s.reached),
        trials: t.steps.first().map_or(0, |s| s.reached),
    };
    let all = m
        .groups
        .iter()
        .map(|g| count(&g.table))
        .fold((0, 0), |a, c| (a.0 + c.successes, a.1 + c.trials));
    let mut out = Vec::new();
    for g in &m.groups {
        let c = count(&g.table);
        let rest = Counts {
            successes: all.0 - c.successes,
            trials: all.1 - c.trials,
        };
        if c.trials == 0 || rest.trials == 0 {
            continue;
        }
        let (z, p_value) = two_proportion_z_test(rest, c)?;
        out.push(GroupTest {
            group: g.group,
            counts: c,
            rest,
            z,
            p_value,
            adjusted_p_value: p_value,
            significant: false,
        });
    }
    let adjusted = correction.adjust(&out.iter().map(|t| t.p_value).collect::<Vec<_>>());
    for (t, a) in out.iter_mut().zip(adjusted) {
        t.adjusted_p_value = a;
        t.significant = a < alpha;
    }
    if out.iter().any(|t| !t.p_value.is_finite()) {
        return Err(Error::InvalidOptions {
            reason: "a p-value is not finite".into(),
        });
    }
    Ok(out)
}

/// The step losing the most entities from the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DropOff {
    /// The step (at least 1) entered by fewest of the previous step's entities.
    pub step: usize,
    /// Entities that reached `step - 1` but not `step`.
    pub lost: u64,
    /// `reached(step) / reached(step - 1)`.
    pub conversion: Option<Rate>,
}

/// The step with the longest median time from the previous step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SlowStep {
    /// The step (at least 1).
    pub step: usize,
    /// Its median time from the previous step.
    pub median: i64,
}

/// Takeaways of a funnel, like Amplitude's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Takeaways {
    /// The largest drop-off in entities (the earliest step on a tie); `None` for one step.
    pub largest_drop_off: Option<DropOff>,
    /// The slowest step by median (the earliest on a tie); `None` without conversions.
    pub slowest_step: Option<SlowStep>,
}

/// The largest drop-off and the slowest step of a step table.
#[must_use]
pub fn takeaways(table: &StepTable) -> Takeaways {
    let mut drop: Option<DropOff> = None;
    let mut slow: Option<SlowStep> = None;
    for pair in table.steps.windows(2) {
        let (prev, s) = (&pair[0], &pair[1]);
        let lost = prev.reached.saturating_sub(s.reached);
        if drop.is_none_or(|d| lost > d.lost) {
            drop = Some(DropOff {
                step: s.step,
                lost,
                conversion: s.conversion_from_previous,
            });
        }
        if let Some(t) = s.time_from_previous
            && slow.is_none_or(|x| t.median > x.median)
        {
            slow = Some(SlowStep {
                step: s.step,
                median: t.median,
            });
        }
    }
    Takeaways {
        largest_drop_off: drop,
        slowest_step: slow,
    }
}
