//! Diagnostics: how full each score is, how much of each metric is tied, and how customers
//! moved between segments from one `as_of` to another.

use std::collections::{BTreeMap, HashMap};

use crate::aggregate::CustomerValues;
use crate::score::RfmScore;

/// Customers per score, index `s - 1` for score `s`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BinOccupancy {
    /// Recency scores.
    pub recency: Vec<u64>,
    /// Frequency scores.
    pub frequency: Vec<u64>,
    /// Monetary scores.
    pub monetary: Vec<u64>,
}

/// Counts customers per score (scores above `bins` are ignored).
#[must_use]
pub fn bin_occupancy(scores: &[RfmScore], bins: u8) -> BinOccupancy {
    let n = usize::from(bins);
    let mut o = BinOccupancy {
        recency: vec![0; n],
        frequency: vec![0; n],
        monetary: vec![0; n],
    };
    for s in scores {
        for (v, x) in [
            (&mut o.recency, s.r),
            (&mut o.frequency, s.f),
            (&mut o.monetary, s.m),
        ] {
            if let Some(c) = usize::from(x).checked_sub(1).and_then(|i| v.get_mut(i)) {
                *c += 1;
            }
        }
    }
    o
}

/// How many customers share their value with at least one other customer, per metric, and
/// the size of the largest group of equal values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TieMass {
    /// Customers in total.
    pub customers: u64,
    /// Customers whose recency equals another customer's.
    pub recency_tied: u64,
    /// Largest group of equal recency.
    pub recency_largest: u64,
    /// Customers whose frequency equals another customer's.
    pub frequency_tied: u64,
    /// Largest group of equal frequency.
    pub frequency_largest: u64,
    /// Customers whose monetary value equals another customer's.
    pub monetary_tied: u64,
    /// Largest group of equal monetary value.
    pub monetary_largest: u64,
}

fn ties<T: Ord>(mut v: Vec<T>) -> (u64, u64) {
    v.sort_unstable();
    let (mut tied, mut largest, mut i) = (0u64, 0u64, 0usize);
    while i < v.len() {
        let j = i + v[i..].iter().take_while(|x| **x == v[i]).count();
        let g = (j - i) as u64;
        largest = largest.max(g);
        if g > 1 {
            tied += g;
        }
        i = j;
    }
    (tied, largest)
}

/// The tie mass of each metric. Under the default rule a tie group never splits, so a group
/// larger than `n / bins` empties the scores it spans (typical for frequency, where about
/// half of a shop's customers bought once).
#[must_use]
pub fn tie_mass(customers: &[CustomerValues]) -> TieMass {
    let (rt, rl) = ties(customers.iter().map(|c| c.recency_days).collect());
    let (ft, fl) = ties(customers.iter().map(|c| c.frequency).collect());
    let (mt, ml) = ties(customers.iter().map(|c| c.monetary).collect());
    TieMass {
        customers: customers.len() as u64,
        recency_tied: rt,
        recency_largest: rl,
        frequency_tied: ft,
        frequency_largest: fl,
        monetary_tied: mt,
        monetary_largest: ml,
    }
}

/// The label of customers present on one side of a migration only.
pub const ABSENT: &str = "(absent)";

/// Customers per (segment before, segment after). Labels are sorted, with [`ABSENT`] for
/// customers that exist on one side only (new or gone).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Migration {
    /// Row and column labels.
    pub labels: Vec<String>,
    /// `counts[i][j]`: customers in `labels[i]` before and `labels[j]` after.
    pub counts: Vec<Vec<u64>>,
}

impl Migration {
    /// The count from one segment to another (0 for unknown labels).
    #[must_use]
    pub fn get(&self, from: &str, to: &str) -> u64 {
        let i = self.labels.iter().position(|l| l == from);
        let j = self.labels.iter().position(|l| l == to);
        match (i, j) {
            (Some(i), Some(j)) => self.counts[i][j],
            _ => 0,
        }
    }
}

/// The segment migration matrix between two assignments of `(customer_id, segment)`, for
/// example the same log scored at two `as_of` dates.
///
/// ```
/// use attain_rfm::migration;
/// let before = [("a", "Lost"), ("b", "Champions")];
/// let after = [("a", "Champions"), ("c", "New")];
/// let m = migration(before, after);
/// assert_eq!(m.get("Lost", "Champions"), 1);
/// assert_eq!(m.get("Champions", "(absent)"), 1);
/// assert_eq!(m.get("(absent)", "New"), 1);
/// ```
#[must_use]
pub fn migration<'a, B, A>(before: B, after: A) -> Migration
where
    B: IntoIterator<Item = (&'a str, &'a str)>,
    A: IntoIterator<Item = (&'a str, &'a str)>,
{
    let before: HashMap<&str, &str> = before.into_iter().collect();
    let after: HashMap<&str, &str> = after.into_iter().collect();
    let mut pairs: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (c, b) in &before {
        *pairs
            .entry((b, after.get(c).copied().unwrap_or(ABSENT)))
            .or_default() += 1;
    }
    for (c, a) in &after {
        if !before.contains_key(c) {
            *pairs.entry((ABSENT, a)).or_default() += 1;
        }
    }
    let mut labels: Vec<String> = pairs
        .keys()
        .flat_map(|(a, b)| [a.to_string(), b.to_string()])
        .collect();
    labels.sort();
    labels.dedup();
    let idx = |l: &str| labels.iter().position(|x| x == l).unwrap_or(0);
    let mut counts = vec![vec![0u64; labels.len()]; labels.len()];
    for ((a, b), n) in &pairs {
        counts[idx(a)][idx(b)] += n;
    }
    Migration { labels, counts }
}
