//! The models' per-customer input `(x, t_x, T, mean repeat spend)`, from the shared
//! [`RepeatSummary`].

use std::collections::BTreeMap;

use attain_types::RepeatSummary;

use crate::{Error, Result};

/// The time unit in which `t_x`, `T`, horizons and the model's rate parameters are expressed.
///
/// The fitted parameters depend on it (`alpha` and `beta` are time scales), so a model fitted in
/// weeks must be asked about horizons in weeks. Months never serve as a model unit: a month is
/// [`DAYS_PER_MONTH`] days (365.25 / 12 = 30.4375), that is 4.348 weeks, and is used only for
/// the discounting steps of [`customer_lifetime_value`](crate::clv::customer_lifetime_value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks of 7 days (the unit of the published CDNOW results).
    #[default]
    Weeks,
}

/// The average month of the Gregorian calendar, in days: 365.25 / 12.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

impl TimeUnit {
    /// Length of one unit in days (1 or 7).
    #[must_use]
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }

    /// Units in one month of `days_per_month` days: `days_per_month / days()`
    /// (30.4375 days = 4.348 weeks with [`DAYS_PER_MONTH`]).
    #[must_use]
    pub fn per_month(self, days_per_month: f64) -> f64 {
        days_per_month / self.days()
    }
}

/// What the models need to know of one customer in the calibration period.
///
/// An input with public fields; every fit and prediction checks it (see
/// [`Error::InvalidSummary`]). Built from the exact, shared
/// [`RepeatSummary`](attain_types::RepeatSummary) with [`CustomerSummary::from_repeat`]
/// (attain-rfm's aggregation produces those); same-day purchases are one purchase, and:
///
/// | field | meaning | paper |
/// |---|---|---|
/// | `x` | number of repeat purchase days (purchase days after the first) | `x` |
/// | `t_x` | time from the first to the last purchase day | `t_x` (recency) |
/// | `t` | time from the first purchase day to the end of calibration | `T` |
/// | `mean_repeat_spend` | mean amount of the `x` repeat purchase days, 0 if `x = 0` | `m_x` |
///
/// Times are in the model's [`TimeUnit`]. Valid: `0 <= t_x <= t`, all finite, `t_x = 0` when
/// `x = 0`, and `mean_repeat_spend` finite. A repeat buyer whose mean repeat spend is zero or
/// negative (refunds) is valid for the purchase models, but Gamma-Gamma leaves it out of its
/// fit and makes no spend prediction for it (see [`CustomerSummary::is_spend_excluded`]).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerSummary {
    /// Repeat purchases (purchase days after the first one).
    pub x: u64,
    /// Time of the last purchase, from the first (recency).
    pub t_x: f64,
    /// Time from the first purchase to the end of the calibration period (`T`).
    pub t: f64,
    /// Mean spend of the repeat purchases (same-day purchases summed), 0 when `x = 0`.
    pub mean_repeat_spend: f64,
}

impl CustomerSummary {
    /// A summary with no spend information.
    #[must_use]
    pub fn new(x: u64, t_x: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            x,
            t_x,
            t,
            mean_repeat_spend: 0.0,
        }
    }

    /// The model input of an exact [`RepeatSummary`] in `unit`: `x` = frequency, `t_x` and `T`
    /// converted from days, the mean repeat spend converted to `f64` (the nearest value;
    /// keep the `RepeatSummary` to report the exact amount).
    ///
    /// ```
    /// use attain_lifecycle::clv::{CustomerSummary, TimeUnit};
    /// use attain_types::{RepeatSummary, dec};
    /// let exact = RepeatSummary::new(2, 28, 56, dec!(15))?;
    /// let s = CustomerSummary::from_repeat(&exact, TimeUnit::Weeks)?;
    /// assert_eq!((s.x, s.t_x, s.t, s.mean_repeat_spend), (2, 4.0, 8.0, 15.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidSummary`] (index 0) if the mean repeat spend has no finite `f64`.
    pub fn from_repeat(summary: &RepeatSummary, unit: TimeUnit) -> Result<CustomerSummary> {
        let unit_days = unit.days();
        let mean = f64::try_from(summary.mean_repeat_spend()).unwrap_or(f64::NAN);
        let s = CustomerSummary {
            x: summary.frequency(),
            t_x: summary.t_x_days() as f64 / unit_days,
            t: summary.age_days() as f64 / unit_days,
            mean_repeat_spend: mean,
        };
        s.validate(0)?;
        Ok(s)
    }

    /// Whether Gamma-Gamma leaves this customer out: a repeat buyer (`x > 0`) whose mean repeat
    /// spend is not positive (zero, or negative after refunds). Such customers are not part of
    /// the spend fit (counted in [`Fit::excluded_non_positive_spend`](crate::clv::Fit)) and get
    /// no spend prediction or CLV; the purchase models still use them.
    #[must_use]
    pub fn is_spend_excluded(&self) -> bool {
        self.x > 0 && (self.mean_repeat_spend.is_nan() || self.mean_repeat_spend <= 0.0)
    }

    /// Checks the summary; `index` is only used in the error.
    ///
    /// # Errors
    /// [`Error::InvalidSummary`] naming the index and field.
    pub fn validate(&self, index: usize) -> Result<()> {
        let bad = |field, value, reason| Error::InvalidSummary {
            index,
            field,
            value,
            reason,
        };
        if !self.t.is_finite() || self.t < 0.0 {
            return Err(bad("T", self.t, "must be finite and not negative"));
        }
        if !self.t_x.is_finite() || self.t_x < 0.0 {
            return Err(bad("t_x", self.t_x, "must be finite and not negative"));
        }
        if self.t_x > self.t {
            return Err(bad(
                "t_x",
                self.t_x,
                "the last purchase is after the end of calibration",
            ));
        }
        if self.x == 0 && self.t_x != 0.0 {
            return Err(bad("t_x", self.t_x, "must be 0 when x = 0"));
        }
        if !self.mean_repeat_spend.is_finite() {
            return Err(bad(
                "mean_repeat_spend",
                self.mean_repeat_spend,
                "must be finite",
            ));
        }
        Ok(())
    }
}

/// Distinct `(x, t_x, T)` rows with their counts, and the distinct `x` values, so that the
/// likelihoods do the per-`x` special functions once per distinct `x` and the per-row work once
/// per distinct row (CDNOW: 2,357 customers, 1,016 distinct rows, 28 distinct `x`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grouped {
    pub(crate) rows: Vec<Row>,
    pub(crate) xs: Vec<f64>,
    /// Distinct `T` values (rows point into it with `t_index`).
    pub(crate) ts: Vec<f64>,
    /// Distinct `t_x` values (rows point into it with `t_x_index`).
    pub(crate) t_xs: Vec<f64>,
    pub(crate) customers: usize,
    pub(crate) repeat_buyers: usize,
    /// Threads for the likelihood sums ([`Grouped::sum_rows`]): the core count past one chunk
    /// of rows, asked once per data set; 1 otherwise.
    pub(crate) threads: usize,
}

/// One distinct summary and its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub(crate) x_index: usize,
    pub(crate) t_index: usize,
    pub(crate) t_x_index: usize,
    pub(crate) x: f64,
    pub(crate) t_x: f64,
    pub(crate) t: f64,
    pub(crate) weight: f64,
}

/// Rows per chunk of [`Grouped::sum_rows`]: at or below it a sum runs on the calling thread, in row
/// order, exactly as a plain loop would.
pub(crate) const SUM_CHUNK: usize = 32_768;

/// The threads [`Grouped::sum_rows`] uses for `rows` distinct rows: every core past one
/// chunk (the core count is only asked for then), else the calling thread alone.
fn sum_threads(rows: usize) -> usize {
    if rows > SUM_CHUNK {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        1
    }
}

/// `f` summed over `rows`: `f(chunk)` gives a chunk's `N` partial sums, each a plain in-order
/// loop from `0.0`. The rows are cut into chunks of [`SUM_CHUNK`] whatever the machine, the
/// chunks run on up to `threads` threads, and their partial sums are added in chunk order, so
/// the result is the same bits on any number of cores (and, for at most one chunk, the bits
/// of the sequential loop). A thread the system refuses is not an error: the calling thread
/// sums those chunks itself, with the same result.
pub(crate) fn sum_rows_on<const N: usize>(
    rows: &[Row],
    threads: usize,
    f: impl Fn(&[Row]) -> [f64; N] + Sync,
) -> [f64; N] {
    let chunks: Vec<&[Row]> = rows.chunks(SUM_CHUNK).collect();
    let partials: Vec<[f64; N]> = if chunks.len() <= 1 || threads <= 1 {
        chunks.iter().map(|c| f(c)).collect()
    } else {
        // Contiguous runs of chunks, one per thread; the calling thread takes the first.
        let per = chunks.len().div_ceil(threads.min(chunks.len()));
        let f = &f;
        std::thread::scope(|scope| {
            let mut runs = chunks.chunks(per);
            let first = runs.next().unwrap_or(&[]);
            let spawned: Vec<_> = runs
                .map(|run| {
                    let handle = std::thread::Builder::new()
                        .spawn_scoped(scope, move || run.iter().map(|c| f(c)).collect::<Vec<_>>())
                        .ok();
                    (run, handle)
                })
                .collect();
            let mut all: Vec<[f64; N]> = first.iter().map(|c| f(c)).collect();
            for (run, handle) in spawned {
                match handle.map(std::thread::ScopedJoinHandle::join) {
                    Some(Ok(part)) => all.extend(part),
                    // A worker only runs `f`; should it panic, the panic is the caller's.
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    None => all.extend(run.iter().map(|c| f(c))),
                }
            }
            all
        })
    };
    let mut total = [0.0; N];
    for p in partials {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    total
}

impl Grouped {
    /// `f` summed over the rows (see [`sum_rows_on`]), on every core when there is more than
    /// one chunk of them.
    pub(crate) fn sum_rows<const N: usize>(
        &self,
        f: impl Fn(&[Row]) -> [f64; N] + Sync,
    ) -> [f64; N] {
        sum_rows_on(&self.rows, self.threads, f)
    }

    /// [`Grouped::new`], refusing data a purchase model cannot be fitted to: no customers, or
    /// no repeat buyer ([`Error::NotIdentifiable`] naming `model`).
    pub(crate) fn fittable(summaries: &[CustomerSummary], model: &'static str) -> Result<Grouped> {
        let data = Grouped::new(summaries)?;
        let reason = if data.customers == 0 {
            "there are no customers"
        } else if data.repeat_buyers == 0 {
            "no customer made a repeat purchase"
        } else {
            return Ok(data);
        };
        Err(Error::NotIdentifiable { model, reason })
    }

    /// The starting purchase-rate parameter of the fits: total time over total repeat
    /// purchases (`ΣT / Σx`), clamped to `[1e-6, 1e6]`.
    pub(crate) fn rate_start(&self) -> f64 {
        let total_x: f64 = self.rows.iter().map(|r| r.weight * r.x).sum();
        let total_t: f64 = self.rows.iter().map(|r| r.weight * r.t).sum();
        (total_t / total_x).clamp(1e-6, 1e6)
    }

    /// Validates and groups; deterministic whatever the input order.
    pub(crate) fn new(summaries: &[CustomerSummary]) -> Result<Grouped> {
        let mut keys: Vec<(u64, u64, u64)> = Vec::with_capacity(summaries.len());
        let mut repeat_buyers = 0;
        for (i, s) in summaries.iter().enumerate() {
            s.validate(i)?;
            // Non-negative floats order like their bit patterns (+0.0 for -0.0).
            keys.push((s.x, (s.t_x + 0.0).to_bits(), (s.t + 0.0).to_bits()));
            if s.x > 0 {
                repeat_buyers += 1;
            }
        }
        // Sorted distinct keys with their counts (one sort: a map of a million keys is slower).
        keys.sort_unstable();
        let mut counts: Vec<((u64, u64, u64), u64)> = Vec::new();
        for key in keys {
            match counts.last_mut() {
                Some((last, n)) if *last == key => *n += 1,
                _ => counts.push((key, 1)),
            }
        }
        let mut xs: Vec<f64> = Vec::new();
        let mut last_x = None;
        let mut t_index: BTreeMap<u64, usize> = BTreeMap::new();
        let mut t_x_index: BTreeMap<u64, usize> = BTreeMap::new();
        for &((_, t_x, t), _) in &counts {
            let next = t_index.len();
            t_index.entry(t).or_insert(next);
            let next = t_x_index.len();
            t_x_index.entry(t_x).or_insert(next);
        }
        let mut ts = vec![0.0; t_index.len()];
        for (&bits, &i) in &t_index {
            ts[i] = f64::from_bits(bits);
        }
        let mut t_xs = vec![0.0; t_x_index.len()];
        for (&bits, &i) in &t_x_index {
            t_xs[i] = f64::from_bits(bits);
        }
        let mut rows = Vec::with_capacity(counts.len());
        for ((x, t_x, t), n) in counts {
            if last_x != Some(x) {
                xs.push(x as f64);
                last_x = Some(x);
            }
            rows.push(Row {
                x_index: xs.len() - 1,
                t_index: t_index.get(&t).copied().unwrap_or(0),
                t_x_index: t_x_index.get(&t_x).copied().unwrap_or(0),
                x: x as f64,
                t_x: f64::from_bits(t_x),
                t: f64::from_bits(t),
                weight: n as f64,
            });
        }
        Ok(Grouped {
            threads: sum_threads(rows.len()),
            rows,
            xs,
            ts,
            t_xs,
            customers: summaries.len(),
            repeat_buyers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of a grouped table with awkward magnitudes, so that a different summation order
    /// would show in the low bits.
    fn rows(n: usize) -> Vec<Row> {
        (0..n)
            .map(|i| {
                let f = i as f64;
                Row {
                    x_index: 0,
                    t_index: 0,
                    t_x_index: 0,
                    x: (i % 7) as f64,
                    t_x: f * 0.1,
                    t: 1e8 / (f + 1.0),
                    weight: 1.0 + (i % 3) as f64 / 3.0,
                }
            })
            .collect()
    }

    fn partial(rows: &[Row]) -> [f64; 2] {
        let (mut a, mut b) = (0.0, 0.0);
        for r in rows {
            a += r.weight * r.t;
            b += (r.x + r.t_x).ln_1p();
        }
        [a, b]
    }

    #[test]
    fn sum_rows_is_the_sequential_loop_up_to_one_chunk() {
        for n in [0, 1, 1000, SUM_CHUNK] {
            let rows = rows(n);
            for threads in [1, 2, 8] {
                let got = sum_rows_on(&rows, threads, partial);
                assert_eq!(
                    got.map(f64::to_bits),
                    partial(&rows).map(f64::to_bits),
                    "{n}"
                );
            }
        }
    }

    #[test]
    fn sum_rows_gives_the_same_bits_on_any_number_of_threads() {
        let rows = rows(5 * SUM_CHUNK + 123);
        let one = sum_rows_on(&rows, 1, partial);
        for threads in [2, 3, 4, 6, 64] {
            let many = sum_rows_on(&rows, threads, partial);
            assert_eq!(many.map(f64::to_bits), one.map(f64::to_bits), "{threads}");
        }
        // And it is the sum: within rounding of the sequential loop, but not its bits (so the
        // data would show a summation order that depended on the thread count).
        let seq = partial(&rows);
        for (a, b) in one.iter().zip(seq) {
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}");
        }
        assert_ne!(one.map(f64::to_bits), seq.map(f64::to_bits));
        let grouped = |threads| Grouped {
            rows: rows.clone(),
            xs: Vec::new(),
            ts: Vec::new(),
            t_xs: Vec::new(),
            customers: rows.len(),
            repeat_buyers: 0,
            threads,
        };
        assert_eq!(
            grouped(sum_threads(rows.len()))
                .sum_rows(partial)
                .map(f64::to_bits),
            one.map(f64::to_bits)
        );
        assert_eq!(
            grouped(3).sum_rows(partial).map(f64::to_bits),
            one.map(f64::to_bits)
        );
        assert_eq!(sum_threads(SUM_CHUNK), 1);
    }
}
