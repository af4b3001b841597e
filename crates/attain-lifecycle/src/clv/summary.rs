//! Per-customer `(x, t_x, T, mean repeat spend)` summaries from a transaction log.

use std::collections::BTreeMap;

use attain_types::{Decimal, NaiveDate};

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

/// One purchase in a transaction log: an input row with no invariants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Purchase<K> {
    /// The customer's identifier.
    pub customer: K,
    /// The day of the purchase.
    pub date: NaiveDate,
    /// The amount spent (any currency, the same for every row).
    pub amount: Decimal,
}

/// What the models need to know of one customer in the calibration period.
///
/// An input with public fields; every fit and prediction checks it (see
/// [`Error::InvalidSummary`]). With [`summarize`], same-day purchases are one purchase, and:
///
/// | field | meaning | paper |
/// |---|---|---|
/// | `x` | number of repeat purchase days (purchase days after the first) | `x` |
/// | `t_x` | time from the first to the last purchase day | `t_x` (recency) |
/// | `t` | time from the first purchase day to the end of calibration | `T` |
/// | `mean_repeat_spend` | mean amount of the `x` repeat purchase days, 0 if `x = 0` | `m_x` |
///
/// Times are in the model's [`TimeUnit`]. Valid: `0 <= t_x <= t`, all finite, `t_x = 0` when
/// `x = 0`, and `mean_repeat_spend` finite and not negative (positive for Gamma-Gamma).
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
        if !self.mean_repeat_spend.is_finite() || self.mean_repeat_spend < 0.0 {
            return Err(bad(
                "mean_repeat_spend",
                self.mean_repeat_spend,
                "must be finite and not negative",
            ));
        }
        Ok(())
    }
}

/// Builds the per-customer summaries of a transaction log for the calibration period that ends
/// on `calibration_end` (inclusive), in `unit`.
///
/// Conventions (those of Fader, Hardie and Lee 2005 and of the `lifetimes` package):
/// purchases on the same day are one purchase whose amount is their sum; `x` is the number of
/// purchase days after the first; `t_x = last day − first day`; `T = calibration_end − first
/// day` (so a customer who first bought on 1997-01-01 has `T = 272 days = 38.857 weeks` when
/// calibration ends on 1997-09-30); `mean_repeat_spend` is the mean daily amount over the `x`
/// repeat days (the first purchase is left out). Purchases after `calibration_end` are ignored,
/// so customers whose first purchase is later do not appear. The result is sorted by customer.
///
/// Amounts are summed exactly in `Decimal`; the mean is converted to `f64` for the models.
///
/// ```
/// use attain_lifecycle::clv::{summarize, Purchase, TimeUnit};
/// use attain_types::{dec, NaiveDate};
///
/// let d = |m, d| NaiveDate::from_ymd_opt(1997, m, d).unwrap();
/// let log = vec![
///     Purchase { customer: "a", date: d(1, 1), amount: dec!(10) },
///     Purchase { customer: "a", date: d(1, 15), amount: dec!(4) },
///     Purchase { customer: "a", date: d(1, 15), amount: dec!(6) }, // same day: merged
///     Purchase { customer: "a", date: d(1, 29), amount: dec!(20) },
///     Purchase { customer: "b", date: d(1, 8), amount: dec!(7) },
/// ];
/// let s = summarize(log, d(2, 26), TimeUnit::Weeks)?;
/// assert_eq!(s[0].0, "a");
/// assert_eq!((s[0].1.x, s[0].1.t_x, s[0].1.t), (2, 4.0, 8.0));
/// assert_eq!(s[0].1.mean_repeat_spend, 15.0);
/// assert_eq!((s[1].1.x, s[1].1.t_x, s[1].1.t), (0, 0.0, 7.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Types`] with an overflow if one customer's amounts overflow `Decimal`.
pub fn summarize<K, I>(
    purchases: I,
    calibration_end: NaiveDate,
    unit: TimeUnit,
) -> Result<Vec<(K, CustomerSummary)>>
where
    K: Ord,
    I: IntoIterator<Item = Purchase<K>>,
{
    let mut by_customer: BTreeMap<K, BTreeMap<NaiveDate, Decimal>> = BTreeMap::new();
    for p in purchases {
        if p.date > calibration_end {
            continue;
        }
        let day = by_customer
            .entry(p.customer)
            .or_default()
            .entry(p.date)
            .or_default();
        *day = day
            .checked_add(p.amount)
            .ok_or(attain_types::Error::Overflow {
                operation: "clv summary amount",
            })?;
    }
    let unit_days = unit.days();
    let mut out = Vec::with_capacity(by_customer.len());
    for (customer, days) in by_customer {
        let (Some((&first, _)), Some((&last, _))) = (days.first_key_value(), days.last_key_value())
        else {
            continue;
        };
        let x = days.len() - 1;
        let mut repeat_total = Decimal::ZERO;
        for amount in days.values().skip(1) {
            repeat_total =
                repeat_total
                    .checked_add(*amount)
                    .ok_or(attain_types::Error::Overflow {
                        operation: "clv summary amount",
                    })?;
        }
        let mean_repeat_spend = if x == 0 {
            0.0
        } else {
            f64::try_from(repeat_total).unwrap_or(f64::NAN) / x as f64
        };
        out.push((
            customer,
            CustomerSummary {
                x: x as u64,
                t_x: (last - first).num_days() as f64 / unit_days,
                t: (calibration_end - first).num_days() as f64 / unit_days,
                mean_repeat_spend,
            },
        ));
    }
    Ok(out)
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

impl Grouped {
    /// Validates and groups; deterministic whatever the input order.
    pub(crate) fn new(summaries: &[CustomerSummary]) -> Result<Grouped> {
        let mut counts: BTreeMap<(u64, u64, u64), u64> = BTreeMap::new();
        let mut repeat_buyers = 0;
        for (i, s) in summaries.iter().enumerate() {
            s.validate(i)?;
            // Non-negative floats order like their bit patterns (+0.0 for -0.0).
            let key = (s.x, (s.t_x + 0.0).to_bits(), (s.t + 0.0).to_bits());
            *counts.entry(key).or_default() += 1;
            if s.x > 0 {
                repeat_buyers += 1;
            }
        }
        let mut xs: Vec<f64> = Vec::new();
        let mut last_x = None;
        let mut t_index: BTreeMap<u64, usize> = BTreeMap::new();
        let mut t_x_index: BTreeMap<u64, usize> = BTreeMap::new();
        for &(_, t_x, t) in counts.keys() {
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
            rows,
            xs,
            ts,
            t_xs,
            customers: summaries.len(),
            repeat_buyers,
        })
    }
}
