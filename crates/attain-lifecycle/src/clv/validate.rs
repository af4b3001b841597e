//! Holdout validation of the purchase models: a calibration/holdout split of a transaction log,
//! the three diagnostics of Fader, Hardie & Lee (2005), error measures on the holdout, and
//! information criteria for choosing between models.
//!
//! # Counting rules
//!
//! [`split_holdout`] counts exactly as the fits do ([`CustomerSummary::from_repeat`] on the
//! shared [`RepeatSummary`], which attain-rfm's `repeat_summaries` produces):
//!
//! - **a transaction is a purchase day**: every row of a customer on one date is one
//!   transaction, whose amount is the rows' (net) sum; a day whose amounts net to zero is still a
//!   purchase day;
//! - **the cohort** is the customers whose first purchase is on or before the calibration end;
//!   customers whose first purchase falls in the holdout are left out (counted in
//!   [`HoldoutSplit::customers_first_seen_in_holdout`]), as are rows after the holdout end
//!   ([`HoldoutSplit::rows_after_holdout`]);
//! - **calibration** is each customer's [`RepeatSummary`] at the calibration end (`x` repeat
//!   purchase days, `t_x`, `T` in days; the first purchase day is the acquisition, not a repeat);
//! - **holdout actuals** are the purchase days in `(calibration end, holdout end]` and their
//!   exact spend (`Decimal`, net of refunds);
//! - **time** is converted from days into the model's [`TimeUnit`] only where a model is asked,
//!   and every customer's holdout is the same length, `holdout end − calibration end`.
//!
//! # Diagnostics (FHL 2005, figures 2 to 4)
//!
//! | function | what | model side |
//! |---|---|---|
//! | [`tracking`] | cumulative repeat transactions of the cohort per period (week), actual and expected | `Σ_i E[X(age_i)]`, each customer's age counted from their own first purchase ([`PurchaseModel::expected_purchases`]) |
//! | [`calibration_histogram`] | customers by calibration repeat transactions `0, 1, …, top−1, top+` | `Σ_i P(X(T_i) = k)` from a distribution the caller passes |
//! | [`holdout_by_frequency`] | mean holdout transactions by calibration frequency | mean of the conditional expectations |
//!
//! # Error measures and model choice
//!
//! [`HoldoutErrors`] compares per-customer predictions with the holdout actuals (MAE, RMSE,
//! MSLE, aggregate bias); [`InformationCriteria`] gives AIC and BIC from a fit's
//! log-likelihood with `n` = customers.
//!
//! **No likelihood-ratio test is offered.** A likelihood-ratio test needs one model to be the
//! other with some parameters fixed inside their domain. BG/NBD, MBG/NBD and Pareto/NBD have
//! four parameters each and none is a restriction of another: MBG/NBD is not BG/NBD with a
//! parameter fixed (the drop-out after the first purchase changes the likelihood of every
//! customer without repeats), and Pareto/NBD's exponential lifetimes are a limit of BG/NBD's
//! geometric ones only as `a, b → ∞` with `a/b` fixed, on the boundary of the domain, where the
//! χ² distribution of the statistic does not hold. Compare these models with AIC/BIC (equal
//! parameter counts: the same ranking as the log-likelihood) and with the holdout errors.

use std::collections::BTreeMap;
use std::ops::Bound;

use attain_types::{Decimal, NaiveDate, RepeatSummary, Transaction};

use super::{CustomerSummary, PurchaseModel, TimeUnit, expected_cumulative_purchases};
use crate::{Error, Result};

/// At most this many periods in a [`tracking`] curve (a period of one day over 270 years).
pub const MAX_TRACKING_PERIODS: u64 = 100_000;

/// One customer of a [`HoldoutSplit`]: the calibration summary and the holdout actuals.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct HoldoutCustomer {
    /// The customer's id, as in the log.
    pub customer_id: String,
    /// The first purchase day (the acquisition).
    pub first_purchase: NaiveDate,
    /// The exact calibration summary at the calibration end (same-day purchases merged).
    pub calibration: RepeatSummary,
    /// Purchase days in `(calibration end, holdout end]`.
    pub holdout_transactions: u64,
    /// The exact (net) spend of those days.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub holdout_spend: Decimal,
}

/// A transaction log split at the calibration end, with holdout actuals (see the
/// [`split_holdout`] for the counting rules).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct HoldoutSplit {
    /// The last day of calibration (inclusive).
    pub calibration_end: NaiveDate,
    /// The last day of the holdout (inclusive), after `calibration_end`.
    pub holdout_end: NaiveDate,
    /// The cohort, in customer-id order, each customer once.
    pub customers: Vec<HoldoutCustomer>,
    /// The cohort's repeat purchase days per date (a customer's first purchase day is not a
    /// repeat), through the holdout end, in date order; the actual side of [`tracking`].
    pub repeat_transactions_by_date: Vec<(NaiveDate, u64)>,
    /// Customers whose first purchase is in the holdout (not in the cohort).
    pub customers_first_seen_in_holdout: usize,
    /// Rows dated after the holdout end (ignored).
    pub rows_after_holdout: usize,
}

impl HoldoutSplit {
    /// The holdout length in `unit`.
    #[must_use]
    pub fn holdout_length(&self, unit: TimeUnit) -> f64 {
        (self.holdout_end - self.calibration_end).num_days() as f64 / unit.days()
    }

    /// Every customer's holdout transactions, in the order of [`HoldoutSplit::customers`].
    #[must_use]
    pub fn holdout_transactions(&self) -> Vec<u64> {
        self.customers
            .iter()
            .map(|c| c.holdout_transactions)
            .collect()
    }

    /// Every customer's calibration repeat transactions `x`, in customer order.
    #[must_use]
    pub fn calibration_frequencies(&self) -> Vec<u64> {
        self.customers
            .iter()
            .map(|c| c.calibration.frequency())
            .collect()
    }

    /// The model inputs of the cohort in `unit`, in customer order.
    ///
    /// # Errors
    /// [`Error::InvalidSummary`] naming the customer's index if a mean repeat spend has no
    /// finite `f64`.
    pub fn summaries(&self, unit: TimeUnit) -> Result<Vec<CustomerSummary>> {
        self.customers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                CustomerSummary::from_repeat(&c.calibration, unit).map_err(|e| reindex(e, i))
            })
            .collect()
    }

    /// The total holdout transactions of the cohort.
    #[must_use]
    pub fn total_holdout_transactions(&self) -> u64 {
        self.customers.iter().map(|c| c.holdout_transactions).sum()
    }
}

fn reindex(e: Error, index: usize) -> Error {
    match e {
        Error::InvalidSummary {
            field,
            value,
            reason,
            ..
        } => Error::InvalidSummary {
            index,
            field,
            value,
            reason,
        },
        other => other,
    }
}

/// Splits a transaction log at `calibration_end` into the cohort's calibration summaries and
/// holdout actuals through `holdout_end` (rows in any order).
///
/// # Counting rules
///
/// [`split_holdout`] counts exactly as the fits do ([`CustomerSummary::from_repeat`] on the
/// shared [`RepeatSummary`], which attain-rfm's `repeat_summaries` produces):
///
/// - **a transaction is a purchase day**: every row of a customer on one date is one
///   transaction, whose amount is the rows' (net) sum; a day whose amounts net to zero is still a
///   purchase day;
/// - **the cohort** is the customers whose first purchase is on or before the calibration end;
///   customers whose first purchase falls in the holdout are left out (counted in
///   [`HoldoutSplit::customers_first_seen_in_holdout`]), as are rows after the holdout end
///   ([`HoldoutSplit::rows_after_holdout`]);
/// - **calibration** is each customer's [`RepeatSummary`] at the calibration end (`x` repeat
///   purchase days, `t_x`, `T` in days; the first purchase day is the acquisition, not a repeat);
/// - **holdout actuals** are the purchase days in `(calibration end, holdout end]` and their
///   exact spend (`Decimal`, net of refunds);
/// - **time** is converted from days into the model's [`TimeUnit`] only where a model is asked,
///   and every customer's holdout is the same length, `holdout end − calibration end`.
///
/// ```
/// use attain_lifecycle::clv::split_holdout;
/// use attain_types::{NaiveDate, Transaction, dec};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
/// let tx = |c, date, amount| Transaction { customer_id: c, date, amount, order_id: None };
/// let log = [
///     tx("a", d(1, 1)?, dec!(10)), tx("a", d(1, 20)?, dec!(5)),
///     tx("a", d(2, 3)?, dec!(4)), tx("a", d(2, 3)?, dec!(6)), // one purchase day
///     tx("b", d(2, 10)?, dec!(7)),                             // first seen in the holdout
/// ];
/// let split = split_holdout(log, d(1, 31)?, d(2, 28)?)?;
/// assert_eq!(split.customers.len(), 1);
/// let a = &split.customers[0];
/// assert_eq!((a.calibration.frequency(), a.holdout_transactions), (1, 1));
/// assert_eq!(a.holdout_spend, dec!(10));
/// assert_eq!(split.customers_first_seen_in_holdout, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::InvalidModelInput`] (`holdout_end`, its distance in days) unless the holdout end
/// is after the calibration end; [`Error::NotIdentifiable`] when nobody bought on or before
/// the calibration end; [`Error::Types`] with an overflow when a customer's daily or holdout
/// spend leaves the `Decimal` range.
pub fn split_holdout<'a, I>(
    transactions: I,
    calibration_end: NaiveDate,
    holdout_end: NaiveDate,
) -> Result<HoldoutSplit>
where
    I: IntoIterator<Item = Transaction<'a>>,
{
    if holdout_end <= calibration_end {
        return Err(Error::InvalidModelInput {
            name: "holdout_end",
            value: (holdout_end - calibration_end).num_days() as f64,
            reason: "the holdout must end after the calibration end (days after it)",
        });
    }
    let overflow = || {
        Error::Types(attain_types::Error::Overflow {
            operation: "holdout split spend",
        })
    };
    let mut days: BTreeMap<String, BTreeMap<NaiveDate, Decimal>> = BTreeMap::new();
    let mut rows_after_holdout = 0;
    for t in transactions {
        if t.date > holdout_end {
            rows_after_holdout += 1;
            continue;
        }
        let customer = match days.get_mut(t.customer_id) {
            Some(c) => c,
            None => days.entry(t.customer_id.to_owned()).or_default(),
        };
        let total = customer.entry(t.date).or_insert(Decimal::ZERO);
        *total = total.checked_add(t.amount).ok_or_else(overflow)?;
    }
    let mut customers = Vec::with_capacity(days.len());
    let mut repeats: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut customers_first_seen_in_holdout = 0;
    for (customer_id, by_day) in days {
        let Some((&first_purchase, _)) = by_day.first_key_value() else {
            continue;
        };
        if first_purchase > calibration_end {
            customers_first_seen_in_holdout += 1;
            continue;
        }
        let Some(calibration) = RepeatSummary::from_days(
            by_day.range(..=calibration_end).map(|(d, a)| (*d, *a)),
            calibration_end,
        )?
        else {
            continue;
        };
        let (mut holdout_transactions, mut holdout_spend) = (0_u64, Decimal::ZERO);
        for amount in by_day
            .range((Bound::Excluded(calibration_end), Bound::Unbounded))
            .map(|(_, a)| a)
        {
            holdout_transactions += 1;
            holdout_spend = holdout_spend.checked_add(*amount).ok_or_else(overflow)?;
        }
        for day in by_day.keys().skip(1) {
            *repeats.entry(*day).or_insert(0) += 1;
        }
        customers.push(HoldoutCustomer {
            customer_id,
            first_purchase,
            calibration,
            holdout_transactions,
            holdout_spend,
        });
    }
    if customers.is_empty() {
        return Err(Error::NotIdentifiable {
            model: "holdout split",
            reason: "no customer bought on or before the calibration end",
        });
    }
    Ok(HoldoutSplit {
        calibration_end,
        holdout_end,
        customers,
        repeat_transactions_by_date: repeats.into_iter().collect(),
        customers_first_seen_in_holdout,
        rows_after_holdout,
    })
}

/// One point of the tracking curve: cumulative repeat transactions of the cohort through the
/// end of a period.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TrackingPoint {
    /// The period's number, from 1.
    pub period: u64,
    /// Its last day (inclusive; the last period ends at the holdout end).
    pub end: NaiveDate,
    /// Whether the period ends after the calibration end (a holdout period).
    pub holdout: bool,
    /// Actual cumulative repeat transactions through `end`.
    pub actual: u64,
    /// Expected cumulative repeat transactions through `end`: the sum over the customers
    /// acquired by then of `E[X(end − first purchase)]`.
    pub expected: f64,
}

/// The tracking curve (FHL 2005, figure 2): the cohort's cumulative repeat transactions at the
/// end of each period of `period_days` days (7 for weeks), the first period starting on the
/// cohort's earliest first purchase and the last one ending at the holdout end, actual beside
/// the model's expectation.
///
/// Customers join on different days, so the expectation is
/// [`expected_cumulative_purchases`]: [`PurchaseModel::expected_purchases`] summed at each
/// customer's own age at the period's end (in `unit`, the unit the model was fitted in); a
/// customer not yet acquired adds nothing.
///
/// # Errors
/// [`Error::InvalidModelInput`] for `period_days` 0 or more than [`MAX_TRACKING_PERIODS`]
/// periods; the model's errors (as [`PurchaseModel::expected_purchases`]).
pub fn tracking(
    split: &HoldoutSplit,
    model: &dyn PurchaseModel,
    unit: TimeUnit,
    period_days: u32,
) -> Result<Vec<TrackingPoint>> {
    let Some(start) = split.customers.iter().map(|c| c.first_purchase).min() else {
        return Ok(Vec::new());
    };
    let span = (split.holdout_end - start).num_days() + 1;
    let periods = if period_days == 0 {
        0
    } else {
        span.unsigned_abs().div_ceil(u64::from(period_days))
    };
    if period_days == 0 || periods > MAX_TRACKING_PERIODS {
        return Err(Error::InvalidModelInput {
            name: "period_days",
            value: f64::from(period_days),
            reason: "must be at least 1, with at most 100,000 periods to the holdout end",
        });
    }
    let unit_days = unit.days();
    let joins: Vec<f64> = split
        .customers
        .iter()
        .map(|c| (c.first_purchase - start).num_days() as f64 / unit_days)
        .collect();
    let mut ends = Vec::with_capacity(usize::try_from(periods).unwrap_or(0));
    for period in 1..=periods {
        let offset = i64::try_from(period * u64::from(period_days)).unwrap_or(i64::MAX) - 1;
        ends.push(
            start
                .checked_add_signed(chrono::Duration::days(offset))
                .map_or(split.holdout_end, |d| d.min(split.holdout_end)),
        );
    }
    let at: Vec<f64> = ends
        .iter()
        .map(|end| (*end - start).num_days() as f64 / unit_days)
        .collect();
    let expected = expected_cumulative_purchases(model, &joins, &at)?;
    let mut points = Vec::with_capacity(ends.len());
    let mut repeats = split.repeat_transactions_by_date.iter().peekable();
    let mut actual = 0_u64;
    for ((period, end), expected) in (1..).zip(ends).zip(expected) {
        while let Some((_, n)) = repeats.next_if(|(d, _)| *d <= end) {
            actual += n;
        }
        points.push(TrackingPoint {
            period,
            end,
            holdout: end > split.calibration_end,
            actual,
            expected,
        });
    }
    Ok(points)
}

/// A bar of [`calibration_histogram`] or a row of [`holdout_by_frequency`]: the customers with
/// `repeat_transactions` calibration repeat transactions (or at least that many, when
/// `open_ended`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FrequencyBin {
    /// Calibration repeat transactions (the lower bound when `open_ended`).
    pub repeat_transactions: u64,
    /// Whether the bin holds every customer with at least `repeat_transactions`.
    pub open_ended: bool,
    /// Customers in the bin.
    pub customers: u64,
    /// The actual value: in [`calibration_histogram`] the customers again (as `f64`), in
    /// [`holdout_by_frequency`] their mean holdout transactions.
    pub actual: f64,
    /// The model's value: in [`calibration_histogram`] the expected number of customers, in
    /// [`holdout_by_frequency`] the mean conditional expectation. `None` in a histogram made
    /// without a distribution.
    pub expected: Option<f64>,
}

fn check_top(top: u64) -> Result<()> {
    if top == 0 || top > 1_000 {
        return Err(Error::InvalidModelInput {
            name: "top",
            value: top as f64,
            reason: "the open-ended bin must start at 1 to 1,000 repeat transactions",
        });
    }
    Ok(())
}

/// The calibration histogram (FHL 2005, figure 3): customers with `0, 1, …, top − 1` and
/// `top` or more repeat transactions in calibration, actual beside the model's
/// `Σ_i P(X(T_i) = k)`.
///
/// `probability(k, t)` is the model's probability of exactly `k` repeat transactions in `t`
/// units (in `unit`) for a new customer; the open-ended bin is `1 − Σ_{k<top}`. Pass `None`
/// for the actual side only. It is evaluated once per distinct `T` in days.
///
/// # Errors
/// [`Error::InvalidModelInput`] for `top` outside `1..=1000` or a probability outside
/// `[0, 1]` (or not finite); the errors of `probability`.
pub fn calibration_histogram(
    split: &HoldoutSplit,
    unit: TimeUnit,
    top: u64,
    probability: Option<&dyn Fn(u64, f64) -> Result<f64>>,
) -> Result<Vec<FrequencyBin>> {
    check_top(top)?;
    let bins = usize::try_from(top).unwrap_or(1_000) + 1;
    let mut actual = vec![0_u64; bins];
    let mut ages: BTreeMap<i64, u64> = BTreeMap::new();
    for c in &split.customers {
        let k = usize::try_from(c.calibration.frequency().min(top)).unwrap_or(bins - 1);
        actual[k] += 1;
        *ages.entry(c.calibration.age_days()).or_insert(0) += 1;
    }
    let expected = match probability {
        None => None,
        Some(p) => {
            let mut expected = vec![0.0; bins];
            for (age, count) in &ages {
                let t = *age as f64 / unit.days();
                let mut below = 0.0;
                for (k, e) in expected.iter_mut().take(bins - 1).enumerate() {
                    let pk = p(k as u64, t)?;
                    if !(0.0..=1.0).contains(&pk) {
                        return Err(Error::InvalidModelInput {
                            name: "probability",
                            value: pk,
                            reason: "a probability must be in [0, 1]",
                        });
                    }
                    below += pk;
                    *e += pk * *count as f64;
                }
                expected[bins - 1] += (1.0 - below).max(0.0) * *count as f64;
            }
            Some(expected)
        }
    };
    Ok((0..bins)
        .map(|k| FrequencyBin {
            repeat_transactions: k as u64,
            open_ended: k == bins - 1,
            customers: actual[k],
            actual: actual[k] as f64,
            expected: expected.as_ref().map(|e| e[k]),
        })
        .collect())
}

/// Every cohort customer's expected transactions in the holdout given the calibration
/// history ([`PurchaseModel::conditional_expected_purchases`] over the holdout length in
/// `unit`), in customer order.
///
/// # Errors
/// The model's errors; [`Error::InvalidSummary`] naming the customer's index.
pub fn holdout_predictions(
    split: &HoldoutSplit,
    model: &dyn PurchaseModel,
    unit: TimeUnit,
) -> Result<Vec<f64>> {
    let horizon = split.holdout_length(unit);
    let summaries = split.summaries(unit)?;
    let mut cache: BTreeMap<(u64, u64, u64), f64> = BTreeMap::new();
    summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let key = (s.x, s.t_x.to_bits(), s.t.to_bits());
            if let Some(e) = cache.get(&key) {
                return Ok(*e);
            }
            let e = model
                .conditional_expected_purchases(s, horizon)
                .map_err(|e| reindex(e, i))?;
            cache.insert(key, e);
            Ok(e)
        })
        .collect()
}

fn check_pairs(actual: &[u64], predicted: &[f64]) -> Result<()> {
    if actual.len() != predicted.len() {
        return Err(Error::InvalidModelInput {
            name: "predictions",
            value: predicted.len() as f64,
            reason: "need one prediction per customer",
        });
    }
    if let Some(p) = predicted.iter().find(|p| !p.is_finite() || **p < 0.0) {
        return Err(Error::InvalidModelInput {
            name: "prediction",
            value: *p,
            reason: "predictions must be finite and not negative",
        });
    }
    Ok(())
}

/// Holdout transactions by calibration frequency (FHL 2005, figure 4): for customers with
/// `0, 1, …, top − 1` and `top` or more calibration repeat transactions, the mean actual
/// holdout transactions beside the mean prediction. Bins without customers are left out.
///
/// `calibration_x`, `actual` and `predicted` are per customer, in one order (from
/// [`HoldoutSplit::calibration_frequencies`], [`HoldoutSplit::holdout_transactions`] and
/// [`holdout_predictions`]).
///
/// # Errors
/// [`Error::InvalidModelInput`] for `top` outside `1..=1000`, slices of different lengths or
/// a prediction that is negative or not finite.
pub fn holdout_by_frequency(
    calibration_x: &[u64],
    actual: &[u64],
    predicted: &[f64],
    top: u64,
) -> Result<Vec<FrequencyBin>> {
    check_top(top)?;
    check_pairs(actual, predicted)?;
    if calibration_x.len() != actual.len() {
        return Err(Error::InvalidModelInput {
            name: "calibration_x",
            value: calibration_x.len() as f64,
            reason: "need one calibration frequency per customer",
        });
    }
    let mut sums: BTreeMap<u64, (u64, u64, f64)> = BTreeMap::new();
    for ((x, a), p) in calibration_x.iter().zip(actual).zip(predicted) {
        let bin = sums.entry((*x).min(top)).or_insert((0, 0, 0.0));
        bin.0 += 1;
        bin.1 += a;
        bin.2 += p;
    }
    Ok(sums
        .into_iter()
        .map(|(k, (n, a, p))| FrequencyBin {
            repeat_transactions: k,
            open_ended: k == top,
            customers: n,
            actual: a as f64 / n as f64,
            expected: Some(p / n as f64),
        })
        .collect())
}

/// Error measures of per-customer holdout predictions against the actual holdout
/// transactions.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct HoldoutErrors {
    /// Customers compared.
    pub customers: usize,
    /// Total actual holdout transactions.
    pub actual_total: u64,
    /// Total predicted holdout transactions.
    pub predicted_total: f64,
    /// Mean absolute error per customer.
    pub mae: f64,
    /// Root mean squared error per customer.
    pub rmse: f64,
    /// Mean squared logarithmic error, `mean((ln(1 + predicted) − ln(1 + actual))²)`.
    pub msle: f64,
    /// Aggregate bias in percent, `100 · (predicted total − actual total) / actual total`;
    /// `None` when nobody bought in the holdout.
    pub bias_percent: Option<f64>,
}

impl HoldoutErrors {
    /// The measures of `predicted` against `actual`, both per customer in one order.
    ///
    /// ```
    /// use attain_lifecycle::clv::HoldoutErrors;
    /// let e = HoldoutErrors::new(&[0, 2, 4], &[1.0, 2.0, 3.0])?;
    /// assert_eq!((e.mae, e.predicted_total, e.actual_total), (2.0 / 3.0, 6.0, 6));
    /// assert_eq!(e.bias_percent, Some(0.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for no customers, slices of different lengths, or a
    /// prediction that is negative or not finite.
    pub fn new(actual: &[u64], predicted: &[f64]) -> Result<HoldoutErrors> {
        check_pairs(actual, predicted)?;
        if actual.is_empty() {
            return Err(Error::InvalidModelInput {
                name: "customers",
                value: 0.0,
                reason: "need at least one customer",
            });
        }
        let n = actual.len() as f64;
        let (mut abs, mut sq, mut log_sq, mut predicted_total) = (0.0, 0.0, 0.0, 0.0);
        let mut actual_total = 0_u64;
        for (a, p) in actual.iter().zip(predicted) {
            let af = *a as f64;
            abs += (p - af).abs();
            sq += (p - af) * (p - af);
            let l = p.ln_1p() - af.ln_1p();
            log_sq += l * l;
            predicted_total += p;
            actual_total = actual_total.saturating_add(*a);
        }
        Ok(HoldoutErrors {
            customers: actual.len(),
            actual_total,
            predicted_total,
            mae: abs / n,
            rmse: (sq / n).sqrt(),
            msle: log_sq / n,
            bias_percent: (actual_total > 0)
                .then(|| 100.0 * (predicted_total - actual_total as f64) / actual_total as f64),
        })
    }
}

/// AIC and BIC of a maximum-likelihood fit.
///
/// **No likelihood-ratio test is offered.** A likelihood-ratio test needs one model to be the
/// other with some parameters fixed inside their domain. BG/NBD, MBG/NBD and Pareto/NBD have
/// four parameters each and none is a restriction of another: MBG/NBD is not BG/NBD with a
/// parameter fixed (the drop-out after the first purchase changes the likelihood of every
/// customer without repeats), and Pareto/NBD's exponential lifetimes are a limit of BG/NBD's
/// geometric ones only as `a, b → ∞` with `a/b` fixed, on the boundary of the domain, where the
/// χ² distribution of the statistic does not hold. Compare these models with AIC/BIC (equal
/// parameter counts: the same ranking as the log-likelihood) and with the holdout errors.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct InformationCriteria {
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
    /// Free parameters `k`.
    pub parameters: usize,
    /// Observations `n` (customers).
    pub observations: usize,
    /// `2k − 2 ln L`.
    pub aic: f64,
    /// `k ln n − 2 ln L`.
    pub bic: f64,
}

impl InformationCriteria {
    /// The criteria of a fit with `parameters` free parameters on `observations` customers.
    ///
    /// ```
    /// use attain_lifecycle::clv::InformationCriteria;
    /// let ic = InformationCriteria::new(-9582.43, 4, 2357)?;
    /// assert!((ic.aic - 19172.86).abs() < 1e-9);
    /// assert!((ic.bic - (4.0 * 2357_f64.ln() + 19164.86)).abs() < 1e-9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidModelInput`] for a log-likelihood that is not finite or no
    /// observations.
    pub fn new(
        log_likelihood: f64,
        parameters: usize,
        observations: usize,
    ) -> Result<InformationCriteria> {
        if !log_likelihood.is_finite() {
            return Err(Error::InvalidModelInput {
                name: "log_likelihood",
                value: log_likelihood,
                reason: "must be finite",
            });
        }
        if observations == 0 {
            return Err(Error::InvalidModelInput {
                name: "observations",
                value: 0.0,
                reason: "need at least one observation",
            });
        }
        let k = parameters as f64;
        Ok(InformationCriteria {
            log_likelihood,
            parameters,
            observations,
            aic: 2.0 * k - 2.0 * log_likelihood,
            bic: k * (observations as f64).ln() - 2.0 * log_likelihood,
        })
    }
}
