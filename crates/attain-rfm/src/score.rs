//! Scores: each metric binned into `2..=10` scores, higher always better.
//!
//! | [`Scoring`] | rule (for a metric where higher is better; recency is reversed) | ties |
//! |---|---|---|
//! | `Ties` (default) | `score = 1 + floor(bins * (rank_min - 1) / n)` | equal values, equal scores; some scores may be empty |
//! | `Ntile` | SQL `NTILE(bins) OVER (ORDER BY value, customer_id)`: the first `n mod bins` buckets hold one row more | split by customer id; sizes differ by at most one |
//! | `Even` | RFM benchmark job v1: position `k` (0-based) of `(value, customer_id)` gets `floor(k * bins / n) + 1` | split by customer id; the larger buckets are spread out |
//! | `QcutRank` | pandas `qcut(x.rank(method="first"), bins, labels=False) + 1` | split by customer id |
//! | `RRfm` | R package `rfm` 0.3.0 `rfm_table_order()`: breaks `quantile(type = 7) + 1`, `[lower, upper)` intervals, `upper = max + 1` | equal values, equal scores; bins may be empty |
//! | `Pymc` | PyMC-Marketing 0.19 `rfm_segments()`: `pandas.qcut(x, 4, duplicates="drop")`, fewer labels when quartiles collapse | equal values, equal scores |
//! | `Thresholds` | fixed cut points: `raw = 1 + #(cuts <= value)` | equal values, equal scores |
//!
//! `rank_min` is 1 plus the number of customers with a strictly worse value. For recency
//! "worse" means more days: the default rule ranks recency descending, so the most recent
//! customers get the top score. The positional rules (`Ntile`, `Even`, `QcutRank`), `RRfm` and
//! `Pymc` compute the bin of recency ascending and report `bins + 1 - bin` (PyMC: `labels + 1 -
//! bin`), exactly as SQL, job v1, the pandas recipe, R `rfm` and PyMC-Marketing do.
//!
//! # Compatibility modes
//!
//! `Ntile`, `QcutRank`, `RRfm` and `Pymc` are named after an anchor and equal the anchor's own output on
//! every customer (the workspace's `data/compat/` holds the expected files, the programs and
//! versions that made them, and the tests that compare):
//!
//! - `Ntile`: DuckDB 2.0.1 running `n + 1 - NTILE(n) OVER (ORDER BY recency_days, customer_id)`
//!   and `NTILE(n) OVER (ORDER BY x, customer_id)` for F and M (PostgreSQL, Spark and BigQuery
//!   define `NTILE` the same way).
//! - `RRfm`: R `rfm` 0.3.0's own code (`R/rfm-table-transaction.R`, `R/utils.R`), checked against
//!   the package's published article output (995 customers of `rfm_data_orders`). R computes in
//!   double precision, and so does this mode: its breaks are R's `quantile(type = 7)` in `f64`
//!   (the probabilities `seq(0, 1, length.out = bins + 1)`, `(1 - h) * x[lo] + h * x[hi]`), plus
//!   1, and each value is compared as an `f64` (monetary: the exact decimal total rounded to the
//!   nearest `f64`, as R holds its sum). R's frequency counts rows: use
//!   [`FrequencyMode::Rows`](crate::FrequencyMode::Rows).
//! - `QcutRank`: pandas 3.1.1 `qcut(x.rank(method="first"), bins, labels=False) + 1`, with the
//!   bin edges in `f64` as pandas computes them. pandas raises for a single customer (its edges
//!   are not unique); this mode gives that customer score 1 (recency `bins`).
//! - `Pymc`: PyMC-Marketing 0.19.0's `rfm_segments` (`pymc_marketing/clv/utils.py`), in `f64`
//!   as pandas computes: quartile edges by numpy's linear interpolation, equal edges dropped,
//!   right-closed bins with the lowest edge included; 4 labels, else 3, else 2 (recency
//!   reversed); fewer than two distinct edges is [`Error::QuantilesCollapsed`], where pandas
//!   raises. It needs `bins = 4`. PyMC's values are per purchase day: frequency = distinct
//!   days, monetary = mean spend per day ([`FrequencyMode::DistinctDays`](crate::FrequencyMode::DistinctDays),
//!   [`MonetaryMode::MeanPerDay`](crate::MonetaryMode::MeanPerDay)), recency = days from the
//!   last purchase to the observation end.

use attain_types::Decimal;

use crate::aggregate::CustomerValues;
use crate::{Error, Result};

/// The smallest number of bins.
pub const MIN_BINS: u8 = 2;
/// The largest number of bins.
pub const MAX_BINS: u8 = 10;

/// How values become scores (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Scoring {
    /// Ties together: `1 + floor(bins * (rank_min - 1) / n)`. The default.
    #[default]
    Ties,
    /// SQL `NTILE(bins)` with `customer_id` as the tie key: the first `n mod bins` buckets get
    /// one customer more.
    Ntile,
    /// RFM benchmark job v1's equal-count rule, `floor(k * bins / n) + 1` over
    /// `(value, customer_id)`: the larger buckets are spread out instead of coming first.
    Even,
    /// pandas `qcut(rank(method="first"))`, ties by `customer_id`.
    QcutRank,
    /// R package `rfm` 0.3.0 (`rfm_table_order`): type-7 quantile breaks plus one, in `f64`.
    RRfm,
    /// PyMC-Marketing 0.19 (`rfm_segments`): pandas `qcut` quartiles of the values, in `f64`;
    /// needs 4 bins.
    Pymc,
    /// Fixed thresholds, fitted before or given by the user.
    Thresholds(Thresholds),
}

impl Scoring {
    /// The method's name as the CLI spells it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Scoring::Ties => "ties",
            Scoring::Ntile => "ntile",
            Scoring::Even => "even",
            Scoring::QcutRank => "qcut-rank",
            Scoring::RRfm => "r-rfm",
            Scoring::Pymc => "pymc",
            Scoring::Thresholds(_) => "thresholds",
        }
    }
}

/// How to score: the number of bins and the method.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreOptions {
    /// Bins per metric, `2..=10` (default 5).
    pub bins: u8,
    /// The method (default [`Scoring::Ties`]).
    pub scoring: Scoring,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            bins: 5,
            scoring: Scoring::Ties,
        }
    }
}

impl ScoreOptions {
    /// Sets the number of bins.
    #[must_use]
    pub fn bins(mut self, bins: u8) -> Self {
        self.bins = bins;
        self
    }
    /// Sets the method.
    #[must_use]
    pub fn scoring(mut self, scoring: Scoring) -> Self {
        self.scoring = scoring;
        self
    }
}

/// The three scores of one customer, each in `1..=bins`, higher better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RfmScore {
    /// Recency score (recent is high).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
}

impl RfmScore {
    /// A score triple (not checked against a number of bins).
    #[must_use]
    pub fn new(r: u8, f: u8, m: u8) -> Self {
        RfmScore { r, f, m }
    }

    /// `100 R + 10 F + M` (with 10 bins, F or M of 10 carries into the next digit; use
    /// [`RfmScore::code_string`] there).
    #[must_use]
    pub fn code(&self) -> u16 {
        100 * u16::from(self.r) + 10 * u16::from(self.f) + u16::from(self.m)
    }

    /// The scores as text, `"545"`; with 10 bins a score of 10 is written `A`.
    #[must_use]
    pub fn code_string(&self) -> String {
        [self.r, self.f, self.m]
            .iter()
            .map(|&s| char::from_digit(u32::from(s), 11).map_or('?', |c| c.to_ascii_uppercase()))
            .collect()
    }
}

/// Cut points per metric: `raw = 1 + #(cuts <= value)`, so each score covers `[lower, upper)`.
/// F and M scores are `raw`; the R score is `bins + 1 - raw` over `recency_days`.
///
/// Serializable, so thresholds fitted once ([`fit_thresholds`]) can score new customers the
/// same way later.
///
/// Deserialization validates as [`Thresholds::new`] does: stored thresholds with bins out of
/// range, too many cut points or cut points out of order are refused, never used.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "ThresholdsRepr"))]
pub struct Thresholds {
    bins: u8,
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_vec"))]
    recency: Vec<Decimal>,
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_vec"))]
    frequency: Vec<Decimal>,
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_vec"))]
    monetary: Vec<Decimal>,
}

/// The serialized form of [`Thresholds`], validated by [`Thresholds::new`] on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ThresholdsRepr {
    bins: u8,
    #[serde(with = "attain_types::serde::decimal_vec")]
    recency: Vec<Decimal>,
    #[serde(with = "attain_types::serde::decimal_vec")]
    frequency: Vec<Decimal>,
    #[serde(with = "attain_types::serde::decimal_vec")]
    monetary: Vec<Decimal>,
}

#[cfg(feature = "serde")]
impl TryFrom<ThresholdsRepr> for Thresholds {
    type Error = Error;

    fn try_from(r: ThresholdsRepr) -> Result<Self> {
        Thresholds::new(r.bins, r.recency, r.frequency, r.monetary)
    }
}

impl Thresholds {
    /// Validated thresholds: `bins` in `2..=10`, each list non-decreasing with at most
    /// `bins - 1` cut points (fewer leave the top scores unreachable).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBins`], [`Error::InvalidThresholds`].
    pub fn new(
        bins: u8,
        recency: Vec<Decimal>,
        frequency: Vec<Decimal>,
        monetary: Vec<Decimal>,
    ) -> Result<Self> {
        check_bins(bins)?;
        for (metric, cuts) in [
            ("recency", &recency),
            ("frequency", &frequency),
            ("monetary", &monetary),
        ] {
            if cuts.len() >= usize::from(bins) {
                return Err(Error::InvalidThresholds {
                    metric,
                    reason: "more than bins - 1 cut points",
                });
            }
            if cuts.windows(2).any(|w| w[0] > w[1]) {
                return Err(Error::InvalidThresholds {
                    metric,
                    reason: "cut points must be non-decreasing",
                });
            }
        }
        Ok(Thresholds {
            bins,
            recency,
            frequency,
            monetary,
        })
    }

    /// The number of bins.
    #[must_use]
    pub fn bins(&self) -> u8 {
        self.bins
    }
    /// Recency cut points (days).
    #[must_use]
    pub fn recency(&self) -> &[Decimal] {
        &self.recency
    }
    /// Frequency cut points.
    #[must_use]
    pub fn frequency(&self) -> &[Decimal] {
        &self.frequency
    }
    /// Monetary cut points.
    #[must_use]
    pub fn monetary(&self) -> &[Decimal] {
        &self.monetary
    }

    fn raw(&self, cuts: &[Decimal], v: Decimal) -> u8 {
        let n = cuts.partition_point(|c| *c <= v);
        u8::try_from(n + 1).unwrap_or(u8::MAX).min(self.bins.max(1))
    }

    /// Scores one customer's values.
    #[must_use]
    pub fn score_values(&self, recency_days: i64, frequency: u64, monetary: Decimal) -> RfmScore {
        let r = self.raw(&self.recency, Decimal::from(recency_days));
        RfmScore {
            // r <= bins, so this never underflows; saturating guards bins = 255 (deserialized).
            r: self.bins.max(1).saturating_add(1).saturating_sub(r).max(1),
            f: self.raw(&self.frequency, Decimal::from(frequency)),
            m: self.raw(&self.monetary, monetary),
        }
    }
}

pub(crate) fn check_bins(bins: u8) -> Result<()> {
    if (MIN_BINS..=MAX_BINS).contains(&bins) {
        Ok(())
    } else {
        Err(Error::InvalidBins { bins })
    }
}

/// Positions of customers by customer id (the tie key), cheap when already sorted.
fn id_ranks(customers: &[CustomerValues]) -> Option<Vec<u32>> {
    if customers
        .windows(2)
        .all(|w| w[0].customer_id <= w[1].customer_id)
    {
        return None;
    }
    let mut idx: Vec<u32> = (0..customers.len() as u32).collect();
    idx.sort_by(|&a, &b| {
        customers[a as usize]
            .customer_id
            .cmp(&customers[b as usize].customer_id)
    });
    let mut rank = vec![0u32; customers.len()];
    for (k, &i) in idx.iter().enumerate() {
        rank[i as usize] = k as u32;
    }
    Some(rank)
}

/// Values that may be sorted through an integer key (counting sort or packed 64-bit keys).
pub(crate) trait SortKey: Ord + Copy {
    /// The value as an integer with the same order, if it has one.
    fn int_key(self) -> Option<i128>;
}

impl SortKey for i64 {
    fn int_key(self) -> Option<i128> {
        Some(i128::from(self))
    }
}
impl SortKey for u64 {
    fn int_key(self) -> Option<i128> {
        Some(i128::from(self))
    }
}
impl SortKey for i128 {
    fn int_key(self) -> Option<i128> {
        Some(self)
    }
}
impl SortKey for std::cmp::Reverse<i64> {
    fn int_key(self) -> Option<i128> {
        Some(-i128::from(self.0))
    }
}
impl SortKey for Decimal {
    fn int_key(self) -> Option<i128> {
        None
    }
}

/// Customer indices in strict order of `(value, tie key)`, where the tie key is the index
/// itself or `ties[index]` (a permutation of `0..n`).
fn strict_order<T: SortKey>(values: &[T], ties: Option<&[u32]>) -> Vec<u32> {
    let n = values.len();
    // Indices in tie-key order: a stable sort by value over them gives (value, tie key).
    let by_tie: Vec<u32> = match ties {
        None => (0..n as u32).collect(),
        Some(t) => {
            let mut inv = vec![0u32; n];
            for (i, &r) in t.iter().enumerate() {
                inv[r as usize] = i as u32;
            }
            inv
        }
    };
    if n > 0
        && let Some(keys) = values
            .iter()
            .map(|v| v.int_key())
            .collect::<Option<Vec<i128>>>()
    {
        let (min, max) = keys
            .iter()
            .fold((i128::MAX, i128::MIN), |(a, b), &k| (a.min(k), b.max(k)));
        let range = (max - min) as u128;
        if range <= (n as u128) * 4 + 4096 {
            // Counting sort: stable, linear.
            let mut next = vec![0u32; range as usize + 2];
            for &k in &keys {
                next[(k - min) as usize + 1] += 1;
            }
            for b in 1..next.len() {
                next[b] += next[b - 1];
            }
            let mut out = vec![0u32; n];
            for &i in &by_tie {
                let slot = &mut next[(keys[i as usize] - min) as usize];
                out[*slot as usize] = i;
                *slot += 1;
            }
            return out;
        }
        let idx_bits = usize::BITS - n.leading_zeros();
        if range < (1u128 << (64 - idx_bits)) {
            let mut packed: Vec<u64> = by_tie
                .iter()
                .enumerate()
                .map(|(r, &i)| (((keys[i as usize] - min) as u64) << idx_bits) | r as u64)
                .collect();
            packed.sort_unstable();
            let mask = (1u64 << idx_bits) - 1;
            return packed.iter().map(|p| by_tie[(p & mask) as usize]).collect();
        }
    }
    let mut order = by_tie;
    order.sort_by_key(|&i| values[i as usize]);
    order
}

/// SQL `NTILE(bins)` buckets of values ascending, ties by the tie key (index order if `None`):
/// with `n = q * bins + extra`, the first `extra` buckets hold `q + 1` rows, the others `q`.
pub(crate) fn ntile_bins<T: SortKey>(values: &[T], ties: Option<&[u32]>, bins: u8) -> Vec<u8> {
    let n = values.len() as u64;
    let b = u64::from(bins);
    let (q, extra) = (n / b, n % b);
    let big = extra * (q + 1); // rows in the larger buckets
    let mut out = vec![0u8; values.len()];
    for (k, i) in strict_order(values, ties).into_iter().enumerate() {
        let k = k as u64;
        // q = 0 only when n < bins, and then every row is in the first `extra = n` buckets.
        let bucket = if k < big {
            k / (q + 1)
        } else {
            extra + (k - big) / q.max(1)
        };
        out[i as usize] = bucket as u8 + 1;
    }
    out
}

/// RFM job v1's buckets: position `k` of `(value, tie key)` gets `floor(k * bins / n) + 1`.
pub(crate) fn even_bins<T: SortKey>(values: &[T], ties: Option<&[u32]>, bins: u8) -> Vec<u8> {
    let n = values.len() as u64;
    let mut out = vec![0u8; values.len()];
    for (k, i) in strict_order(values, ties).into_iter().enumerate() {
        out[i as usize] = (k as u64 * u64::from(bins) / n) as u8 + 1;
    }
    out
}

/// pandas `qcut(rank(method="first"), bins)` bins of values ascending.
///
/// The bin edges are computed in `f64` exactly as pandas 3 and numpy compute them
/// (`linspace` quantiles nudged up when not representable, numpy's "linear" interpolation
/// with its two-sided lerp), because their rounding decides where a rank lying on an edge
/// goes; checked against pandas 3.1 for every `n < 1200` and bins `2..=10`.
pub(crate) fn qcut_bins<T: SortKey>(values: &[T], ties: Option<&[u32]>, bins: u8) -> Vec<u8> {
    let n = values.len() as u64;
    let mut out = vec![1u8; values.len()];
    if n < 2 {
        return out;
    }
    let edges = qcut_edges(n, bins);
    for (k, i) in strict_order(values, ties).into_iter().enumerate() {
        let r = (k + 1) as f64;
        let j = edges.partition_point(|e| *e < r).max(1);
        out[i as usize] = j.min(usize::from(bins)) as u8;
    }
    out
}

fn qcut_edges(n: u64, bins: u8) -> Vec<f64> {
    let b = f64::from(bins);
    let step = 1.0 / b;
    let last = (n - 1) as f64;
    (0..=bins)
        .map(|j| {
            let jf = f64::from(j);
            let mut q = if j == bins { 1.0 } else { jf * step };
            if b * q != jf {
                q = q.next_up();
            }
            let v = last * q;
            let prev = v.floor().clamp(0.0, last);
            let g = v - prev;
            let a = prev + 1.0;
            let hi = (prev + 1.0).min(last) + 1.0;
            let d = hi - a;
            if g >= 0.5 {
                hi - d * (1.0 - g)
            } else {
                a + d * g
            }
        })
        .collect()
}

/// The default rule: `1 + floor(bins * (rank_min - 1) / n)` over values ascending.
pub(crate) fn ties_bins<T: SortKey>(values: &[T], bins: u8) -> Vec<u8> {
    let n = values.len() as u64;
    let mut out = vec![0u8; values.len()];
    let order = strict_order(values, None);
    let mut rank_min = 0u64; // 0-based
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && values[order[k - 1] as usize] != values[i as usize] {
            rank_min = k as u64;
        }
        out[i as usize] = (u64::from(bins) * rank_min / n) as u8 + 1;
    }
    out
}

/// R `rfm` 0.3.0's breaks (`bins()` in `R/utils.R`): R's `quantile(x, type = 7)` at
/// `seq(0, 1, length.out = bins + 1)` without its two ends, plus 1, all in `f64` as R computes.
/// `sorted` is ascending and not empty.
pub(crate) fn r_rfm_breaks(sorted: &[f64], bins: u8) -> Vec<f64> {
    let n = sorted.len();
    // seq.default(0, 1, length.out = bins + 1): from + (1:(n1 - 1)) * ((to - from) / n1).
    let by = 1.0 / f64::from(bins);
    (1..bins)
        .map(|j| {
            let p = f64::from(j) * by;
            // quantile.default, type 7: index <- 1 + max(n - 1, 0) * probs (1-based).
            let index = 1.0 + (n.saturating_sub(1)) as f64 * p;
            let lo = index.floor();
            let hi = index.ceil();
            let at = |i: f64| sorted[(i as usize).clamp(1, n) - 1];
            let (x_lo, x_hi) = (at(lo), at(hi));
            let q = if index > lo && x_hi != x_lo {
                let h = index - lo;
                (1.0 - h) * x_lo + h * x_hi
            } else {
                x_lo
            };
            q + 1.0
        })
        .collect()
}

/// R `rfm` 0.3.0's scores of one metric (`rfm_prep_bins`): the intervals
/// `[lower[i], upper[i])` with `lower = c(min, breaks)` and `upper = c(breaks, max + 1)`, the
/// score `i` (1-based) of the last interval holding the value, as R's loop leaves it.
pub(crate) fn r_rfm_scores(values: &[f64], bins: u8) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let breaks = r_rfm_breaks(&sorted, bins);
    let mut lower = vec![min];
    lower.extend_from_slice(&breaks);
    let mut upper = breaks;
    upper.push(max + 1.0);
    values
        .iter()
        .map(|&v| {
            // The intervals are contiguous (upper[i] == lower[i + 1]) from min to max + 1, so
            // one always holds v; 1 is never used.
            let i = (0..lower.len())
                .rev()
                .find(|&i| v >= lower[i] && v < upper[i])
                .unwrap_or(0);
            i as u8 + 1
        })
        .collect()
}

/// PyMC-Marketing 0.19's quartile label of one metric (`rfm_segments`):
/// `pandas.qcut(x, q=4, labels, duplicates="drop")` with 4 labels, else 3, else 2, in `f64`.
/// Labels count up (`1..=k`), or down (`k..=1`, `labels = range(k, 0, -1)`) for recency.
pub(crate) fn pymc_quartiles(values: &[f64], metric: &'static str, down: bool) -> Result<Vec<u8>> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    if sorted.is_empty() {
        return Ok(Vec::new());
    }
    // Series.quantile([0, .25, .5, .75, 1]): numpy "linear", virtual index (n - 1) * q, and
    // numpy's two-sided lerp.
    let last = (sorted.len() - 1) as f64;
    let mut edges: Vec<f64> = Vec::with_capacity(5);
    for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let v = last * q;
        let prev = v.floor().clamp(0.0, last);
        let g = v - prev;
        let a = sorted[prev as usize];
        let b = sorted[(prev + 1.0).min(last) as usize];
        let d = b - a;
        let e = if g >= 0.5 {
            b - d * (1.0 - g)
        } else {
            a + d * g
        };
        // duplicates="drop": pandas keeps the unique edges (they come sorted).
        if edges.last() != Some(&e) {
            edges.push(e);
        }
    }
    let n_bins = edges.len() - 1;
    if !(2..=4).contains(&n_bins) {
        return Err(Error::QuantilesCollapsed { metric });
    }
    Ok(values
        .iter()
        .map(|&v| {
            // searchsorted(side="left") with the lowest edge included.
            let id = edges.partition_point(|e| *e < v).clamp(1, n_bins) as u8;
            if down { n_bins as u8 + 1 - id } else { id }
        })
        .collect())
}

/// Each customer's monetary total as R adds it (`sum()` over doubles): every amount rounded to
/// the nearest `f64` first, the rounded amounts added exactly (a double-double accumulator, 106
/// bits) and the total rounded once. It can differ from the exact decimal total rounded to the
/// nearest `f64` by one unit in the last place, which moves a customer whose total sits on an R
/// break (1,851 of CDNOW's 23,570 customers have a different total; one changes score).
///
/// Feed it the rows the aggregation uses, then score with [`score_r_rfm`].
///
/// ```
/// use attain_rfm::FloatTotals;
/// use attain_types::dec;
///
/// let mut totals = FloatTotals::new();
/// totals.add("00502", dec!(15.36));
/// totals.add("00502", dec!(16.99));
/// // R: 15.36 + 16.99 is one unit below the double nearest 32.35.
/// assert_eq!(totals.get("00502"), Some(32.35_f64.next_down()));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FloatTotals {
    sums: std::collections::HashMap<String, (f64, f64)>,
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

impl FloatTotals {
    /// No customers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn add_f64(&mut self, customer_id: &str, x: f64) {
        let entry = match self.sums.get_mut(customer_id) {
            Some(e) => e,
            None => self
                .sums
                .entry(customer_id.to_owned())
                .or_insert((0.0, 0.0)),
        };
        let (s, e) = two_sum(entry.0, x);
        *entry = two_sum(s, entry.1 + e);
    }

    /// Adds one amount (rounded to the nearest `f64`) to a customer's total.
    pub fn add(&mut self, customer_id: &str, amount: Decimal) {
        self.add_f64(customer_id, nearest_f64(amount));
    }

    /// Adds every total of `other` (for partitions read apart).
    pub fn merge(&mut self, other: FloatTotals) {
        for (id, (hi, lo)) in other.sums {
            self.add_f64(&id, hi);
            self.add_f64(&id, lo);
        }
    }

    /// A customer's total, rounded once to `f64`.
    #[must_use]
    pub fn get(&self, customer_id: &str) -> Option<f64> {
        self.sums.get(customer_id).map(|(hi, lo)| hi + lo)
    }
}

/// [`Scoring::RRfm`] scores with the monetary totals R computes ([`FloatTotals`]) instead of
/// the exact totals rounded to `f64`: R `rfm` 0.3.0's result customer for customer when
/// `customers` are R's values (frequency counting rows, monetary the sum, rows after the
/// analysis date kept).
///
/// # Errors
///
/// [`Error::InvalidBins`]; [`Error::MissingTotal`] for a customer `totals` has not seen.
pub fn score_r_rfm(
    customers: &[CustomerValues],
    totals: &FloatTotals,
    bins: u8,
) -> Result<Vec<RfmScore>> {
    check_bins(bins)?;
    let m: Vec<f64> = customers
        .iter()
        .map(|c| {
            totals
                .get(&c.customer_id)
                .ok_or_else(|| Error::MissingTotal {
                    customer_id: c.customer_id.clone(),
                })
        })
        .collect::<Result<_>>()?;
    Ok(r_rfm_triples(customers, &m, bins))
}

/// R `rfm`'s scores of every customer, with the monetary values as R holds them: recency and
/// frequency as `f64`, each metric binned by [`r_rfm_scores`], recency reversed.
fn r_rfm_triples(customers: &[CustomerValues], monetary: &[f64], bins: u8) -> Vec<RfmScore> {
    let rec: Vec<f64> = customers.iter().map(|c| c.recency_days as f64).collect();
    let freq: Vec<f64> = customers.iter().map(|c| c.frequency as f64).collect();
    r_rfm_scores(&rec, bins)
        .into_iter()
        .zip(r_rfm_scores(&freq, bins))
        .zip(r_rfm_scores(monetary, bins))
        .map(|((r, f), m)| RfmScore {
            r: bins + 1 - r,
            f,
            m,
        })
        .collect()
}

/// A decimal as the nearest `f64` (how R and pandas hold it).
pub(crate) fn nearest_f64(d: Decimal) -> f64 {
    // Rust's float parsing rounds correctly; a Decimal always prints as a plain number.
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// Scores every customer (values in any order; `customer_id` is the tie key of the positional
/// methods).
///
/// Edge cases: an empty slice gives an empty result; a single customer gets 1 under the
/// positional methods and the bottom score under `Ties`.
///
/// ```
/// use attain_rfm::{score, CustomerValues, ScoreOptions, Scoring};
/// use attain_types::dec;
///
/// let customers = [
///     CustomerValues::new("a", 3, 1, dec!(10)),
///     CustomerValues::new("b", 30, 1, dec!(50)),
/// ];
/// let s = score(&customers, &ScoreOptions::default().bins(2).scoring(Scoring::Ties))?;
/// assert_eq!((s[0].r, s[0].f, s[0].m), (2, 1, 1)); // ties in F stay together
/// assert_eq!((s[1].r, s[1].f, s[1].m), (1, 1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidBins`] when `bins` is outside `2..=10`; [`Error::InvalidThresholds`] when it
/// differs from the thresholds'; [`Error::ModeBins`] for `Pymc` with other than 4 bins;
/// [`Error::QuantilesCollapsed`] for `Pymc` when a metric has fewer than three distinct
/// quartile edges (pandas raises there too).
pub fn score(customers: &[CustomerValues], options: &ScoreOptions) -> Result<Vec<RfmScore>> {
    let bins = options.bins;
    check_bins(bins)?;
    let rec: Vec<i64> = customers.iter().map(|c| c.recency_days).collect();
    let freq: Vec<u64> = customers.iter().map(|c| c.frequency).collect();
    let mon: Vec<Decimal> = customers.iter().map(|c| c.monetary).collect();
    let zip = |r: Vec<u8>, f: Vec<u8>, m: Vec<u8>| {
        r.into_iter()
            .zip(f)
            .zip(m)
            .map(|((r, f), m)| RfmScore { r, f, m })
            .collect::<Vec<_>>()
    };
    let flip = |v: Vec<u8>| v.into_iter().map(|s| bins + 1 - s).collect::<Vec<_>>();
    Ok(match &options.scoring {
        Scoring::Ties | Scoring::Ntile | Scoring::Even | Scoring::QcutRank => {
            let ranks = match options.scoring {
                Scoring::Ties => None,
                _ => id_ranks(customers),
            };
            let t = ranks.as_deref();
            let method = &options.scoring;
            let neg: Vec<std::cmp::Reverse<i64>> =
                rec.iter().map(|&r| std::cmp::Reverse(r)).collect();
            let r_bins = || match method {
                Scoring::Ties => by_position(method, &neg, t, bins),
                _ => flip(by_position(method, &rec, t, bins)),
            };
            let f_bins = || by_position(method, &freq, t, bins);
            let m_bins = || match same_scale_mantissas(&mon) {
                Some(keys) => by_position(method, &keys, t, bins),
                None => by_position(method, &mon, t, bins),
            };
            #[cfg(feature = "parallel")]
            let (r, (f, m)) = rayon::join(r_bins, || rayon::join(f_bins, m_bins));
            #[cfg(not(feature = "parallel"))]
            let (r, f, m) = (r_bins(), f_bins(), m_bins());
            zip(r, f, m)
        }
        Scoring::RRfm => {
            let m: Vec<f64> = mon.iter().map(|&v| nearest_f64(v)).collect();
            r_rfm_triples(customers, &m, bins)
        }
        Scoring::Pymc => {
            if bins != PYMC_BINS {
                return Err(Error::ModeBins {
                    method: "pymc",
                    expected: PYMC_BINS,
                    bins,
                });
            }
            let (r, f, m) = as_f64(&rec, &freq, &mon);
            zip(
                pymc_quartiles(&r, "recency", true)?,
                pymc_quartiles(&f, "frequency", false)?,
                pymc_quartiles(&m, "monetary", false)?,
            )
        }
        Scoring::Thresholds(th) => {
            if th.bins != bins {
                return Err(Error::InvalidThresholds {
                    metric: "all",
                    reason: "they were made for a different number of bins",
                });
            }
            customers
                .iter()
                .map(|c| th.score_values(c.recency_days, c.frequency, c.monetary))
                .collect()
        }
    })
}

/// The number of bins of [`Scoring::Pymc`] (PyMC-Marketing's quartiles).
pub const PYMC_BINS: u8 = 4;

/// The three metrics as `f64`, as R and pandas hold them.
fn as_f64(rec: &[i64], freq: &[u64], mon: &[Decimal]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    (
        rec.iter().map(|&v| v as f64).collect(),
        freq.iter().map(|&v| v as f64).collect(),
        mon.iter().map(|&v| nearest_f64(v)).collect(),
    )
}

/// The mantissas when every value has the same scale (they then order as the values do).
fn same_scale_mantissas(v: &[Decimal]) -> Option<Vec<i128>> {
    let scale = v.first().map_or(0, Decimal::scale);
    v.iter()
        .map(|d| (d.scale() == scale).then(|| d.mantissa()))
        .collect()
}

fn by_position<T: SortKey>(
    method: &Scoring,
    values: &[T],
    ties: Option<&[u32]>,
    bins: u8,
) -> Vec<u8> {
    match method {
        Scoring::Ntile => ntile_bins(values, ties, bins),
        Scoring::Even => even_bins(values, ties, bins),
        Scoring::QcutRank => qcut_bins(values, ties, bins),
        _ => ties_bins(values, bins),
    }
}

fn fit_r_rfm(rec: &[i64], freq: &[u64], mon: &[Decimal], bins: u8) -> Result<Thresholds> {
    let (r, f, m) = as_f64(rec, freq, mon);
    let cuts = |mut v: Vec<f64>| -> Result<Vec<Decimal>> {
        if v.is_empty() {
            return Ok(Vec::new());
        }
        v.sort_unstable_by(f64::total_cmp);
        r_rfm_breaks(&v, bins)
            .into_iter()
            .map(|b| {
                // The shortest decimal that reads back as the same f64.
                format!("{b}")
                    .parse::<Decimal>()
                    .map_err(|_| Error::Overflow {
                        operation: "R rfm break as a decimal",
                    })
            })
            .collect()
    };
    Ok(Thresholds {
        bins,
        recency: cuts(r)?,
        frequency: cuts(f)?,
        monetary: cuts(m)?,
    })
}

/// Cut points that reproduce a value-based scoring: for each raw score `k + 1`, the smallest
/// value that reaches it.
fn cuts_from_raw(values: &[Decimal], raw: &[u8], bins: u8) -> Vec<Decimal> {
    let mut pairs: Vec<(Decimal, u8)> = values.iter().copied().zip(raw.iter().copied()).collect();
    pairs.sort_unstable();
    let mut cuts = Vec::new();
    for k in 1..bins {
        match pairs.iter().find(|(_, s)| *s > k) {
            Some((v, _)) => cuts.push(*v),
            None => break,
        }
    }
    cuts
}

/// Fits thresholds that give the same scores as `options` on these customers and can score
/// new customers later (`Scoring::Thresholds`).
///
/// A value between two observed values gets the score of the lower one's bin unless it
/// reaches the next cut (the smallest observed value of the higher bin).
///
/// # Errors
///
/// [`Error::NotValueBased`] for `Ntile`, `Even` and `QcutRank`, which split tied values, and
/// for `Pymc`, whose bins are closed on the right (`(lower, upper]`), not on the left;
/// [`Error::InvalidBins`]; [`Error::Overflow`].
pub fn fit_thresholds(customers: &[CustomerValues], options: &ScoreOptions) -> Result<Thresholds> {
    let bins = options.bins;
    check_bins(bins)?;
    let rec: Vec<i64> = customers.iter().map(|c| c.recency_days).collect();
    let freq: Vec<u64> = customers.iter().map(|c| c.frequency).collect();
    let mon: Vec<Decimal> = customers.iter().map(|c| c.monetary).collect();
    match &options.scoring {
        Scoring::RRfm => fit_r_rfm(&rec, &freq, &mon, bins),
        Scoring::Thresholds(t) => Ok(t.clone()),
        Scoring::Ntile | Scoring::Even | Scoring::QcutRank | Scoring::Pymc => {
            Err(Error::NotValueBased {
                method: options.scoring.name(),
            })
        }
        Scoring::Ties => {
            let s = score(customers, options)?;
            let rd: Vec<Decimal> = rec.iter().map(|&v| Decimal::from(v)).collect();
            let fd: Vec<Decimal> = freq.iter().map(|&v| Decimal::from(v)).collect();
            let rr: Vec<u8> = s.iter().map(|x| bins + 1 - x.r).collect();
            let fr: Vec<u8> = s.iter().map(|x| x.f).collect();
            let mr: Vec<u8> = s.iter().map(|x| x.m).collect();
            Ok(Thresholds {
                bins,
                recency: cuts_from_raw(&rd, &rr, bins),
                frequency: cuts_from_raw(&fd, &fr, bins),
                monetary: cuts_from_raw(&mon, &mr, bins),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_from_cuts(cuts: &[Decimal], v: Decimal) -> u8 {
        cuts.partition_point(|c| *c <= v) as u8 + 1
    }

    #[test]
    fn raw_from_cuts_is_lower_closed() {
        let cuts = [Decimal::from(2), Decimal::from(4)];
        assert_eq!(raw_from_cuts(&cuts, Decimal::from(1)), 1);
        assert_eq!(raw_from_cuts(&cuts, Decimal::from(2)), 2);
        assert_eq!(raw_from_cuts(&cuts, Decimal::from(4)), 3);
    }
}
