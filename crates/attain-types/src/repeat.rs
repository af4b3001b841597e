//! The per-customer repeat-purchase summary that the probabilistic CLV models read.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{Error, Result};

/// One customer's repeat purchases at a cut-off date: the `(x, t_x, T, m_x)` of BG/NBD,
/// Pareto/NBD and Gamma-Gamma (Fader, Hardie & Lee 2005; the `lifetimes` package's
/// `summary_data_from_transaction_data` with daily periods).
///
/// attain-rfm's mergeable per-customer state produces it (`CustomerValues::repeat_summary`),
/// attain-lifecycle's CLV models consume it (`CustomerSummary::from_repeat`). Purchases on the
/// same day are one purchase whose amount is their sum.
///
/// | field | meaning | paper |
/// |---|---|---|
/// | [`frequency`](Self::frequency) | repeat purchase days: distinct purchase days after the first | `x` |
/// | [`t_x_days`](Self::t_x_days) | days from the first to the last purchase day (the models' recency, not RFM recency) | `t_x` |
/// | [`age_days`](Self::age_days) | days from the first purchase day to the cut-off | `T` |
/// | [`mean_repeat_spend`](Self::mean_repeat_spend) | exact mean of the daily sums after the first day; 0 without a repeat day | `m_x` |
///
/// Invariants, checked by [`RepeatSummary::new`]: `0 <= t_x_days <= age_days`, and a customer
/// without repeat days has `t_x_days = 0` and a zero mean. The mean repeat spend may be zero
/// or negative (refunds): the models decide what to do with such customers.
///
/// ```
/// use attain_types::{RepeatSummary, dec};
/// // Bought on day 0, then on days 10 and 30 for 0.10 and 0.30; cut-off on day 40.
/// let s = RepeatSummary::new(2, 30, 40, dec!(0.20))?;
/// assert_eq!(s.frequency(), 2);
/// assert_eq!(s.mean_repeat_spend().to_string(), "0.20");
/// assert!(RepeatSummary::new(0, 5, 40, dec!(0)).is_err()); // t_x without a repeat
/// # Ok::<(), attain_types::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "RawRepeatSummary"))]
pub struct RepeatSummary {
    frequency: u64,
    t_x_days: i64,
    age_days: i64,
    #[cfg_attr(feature = "serde", serde(with = "crate::serde::decimal"))]
    mean_repeat_spend: Decimal,
}

/// The unchecked wire form; deserializing goes through [`RepeatSummary::new`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct RawRepeatSummary {
    frequency: u64,
    t_x_days: i64,
    age_days: i64,
    #[cfg_attr(feature = "serde", serde(with = "crate::serde::decimal"))]
    mean_repeat_spend: Decimal,
}

#[cfg(feature = "serde")]
impl TryFrom<RawRepeatSummary> for RepeatSummary {
    type Error = Error;
    fn try_from(r: RawRepeatSummary) -> Result<RepeatSummary> {
        RepeatSummary::new(r.frequency, r.t_x_days, r.age_days, r.mean_repeat_spend)
    }
}

impl RepeatSummary {
    /// A checked summary.
    ///
    /// # Errors
    /// [`Error::InvalidRepeatSummary`] when `t_x_days` is negative or above `age_days`, or when
    /// a customer without repeat days (`frequency = 0`) has a non-zero `t_x_days` or mean.
    pub fn new(
        frequency: u64,
        t_x_days: i64,
        age_days: i64,
        mean_repeat_spend: Decimal,
    ) -> Result<RepeatSummary> {
        let bad = |reason| Error::InvalidRepeatSummary {
            frequency,
            t_x_days,
            age_days,
            reason,
        };
        if t_x_days < 0 {
            return Err(bad("t_x is negative"));
        }
        if t_x_days > age_days {
            return Err(bad("the last purchase is after the cut-off"));
        }
        if frequency == 0 && (t_x_days != 0 || !mean_repeat_spend.is_zero()) {
            return Err(bad("without a repeat purchase t_x and the mean must be 0"));
        }
        Ok(RepeatSummary {
            frequency,
            t_x_days,
            age_days,
            mean_repeat_spend,
        })
    }

    /// The summary of purchase days with their total amounts, in increasing date order (as a
    /// `BTreeMap<NaiveDate, Decimal>` iterates), at the cut-off `as_of`; `None` without a day.
    ///
    /// ```
    /// use attain_types::{NaiveDate, RepeatSummary, dec};
    /// let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("bad date");
    /// let days = [(d(1, 1)?, dec!(5)), (d(1, 11)?, dec!(0.10)), (d(1, 21)?, dec!(0.20)),
    ///             (d(1, 31)?, dec!(0.30))];
    /// let s = RepeatSummary::from_days(days, d(2, 10)?)?.ok_or("no purchase")?;
    /// assert_eq!((s.frequency(), s.t_x_days(), s.age_days()), (3, 30, 40));
    /// assert_eq!(s.mean_repeat_spend().normalize().to_string(), "0.2"); // exact
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidRepeatSummary`] when the days are not in increasing order or the last is
    /// after `as_of`; [`Error::Overflow`] when the repeat total leaves the `Decimal` range.
    pub fn from_days<I>(days: I, as_of: NaiveDate) -> Result<Option<RepeatSummary>>
    where
        I: IntoIterator<Item = (NaiveDate, Decimal)>,
    {
        let mut days = days.into_iter();
        let Some((first, _)) = days.next() else {
            return Ok(None);
        };
        let overflow = || Error::Overflow {
            operation: "repeat spend",
        };
        let (mut last, mut repeats, mut total) = (first, 0_u64, Decimal::ZERO);
        for (day, amount) in days {
            if day <= last {
                return Err(Error::InvalidRepeatSummary {
                    frequency: repeats,
                    t_x_days: (last - first).num_days(),
                    age_days: (as_of - first).num_days(),
                    reason: "purchase days are not in increasing order",
                });
            }
            last = day;
            repeats += 1;
            total = total.checked_add(amount).ok_or_else(overflow)?;
        }
        RepeatSummary::from_totals(first, last, repeats, total, as_of).map(Some)
    }

    /// The summary of a customer whose first purchase day is `first`, last is `last`, with
    /// `repeat_days` purchase days after the first whose amounts total `repeat_total`, at the
    /// cut-off `as_of`: what [`RepeatSummary::from_days`] computes from the days themselves
    /// (the mean is the same exact division), for readers that keep only these totals.
    ///
    /// ```
    /// use attain_types::{NaiveDate, RepeatSummary, dec};
    /// let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("bad date");
    /// let s = RepeatSummary::from_totals(d(1, 1)?, d(1, 31)?, 3, dec!(0.60), d(2, 10)?)?;
    /// let days = [(d(1, 1)?, dec!(5)), (d(1, 11)?, dec!(0.10)), (d(1, 21)?, dec!(0.20)),
    ///             (d(1, 31)?, dec!(0.30))];
    /// assert_eq!(Some(s), RepeatSummary::from_days(days, d(2, 10)?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidRepeatSummary`] when `last` is before `first` or after `as_of`, or when
    /// there is no repeat day but `last` differs from `first` or the total is not zero;
    /// [`Error::Overflow`] when the mean cannot be computed.
    pub fn from_totals(
        first: NaiveDate,
        last: NaiveDate,
        repeat_days: u64,
        repeat_total: Decimal,
        as_of: NaiveDate,
    ) -> Result<RepeatSummary> {
        let mean = if repeat_days == 0 {
            repeat_total
        } else {
            repeat_total
                .checked_div(Decimal::from(repeat_days))
                .ok_or(Error::Overflow {
                    operation: "repeat spend",
                })?
        };
        RepeatSummary::new(
            repeat_days,
            (last - first).num_days(),
            (as_of - first).num_days(),
            mean,
        )
    }

    /// `x`: repeat purchase days (distinct purchase days after the first).
    #[must_use]
    pub fn frequency(&self) -> u64 {
        self.frequency
    }

    /// `t_x`: days from the first to the last purchase day.
    #[must_use]
    pub fn t_x_days(&self) -> i64 {
        self.t_x_days
    }

    /// `T`: days from the first purchase day to the cut-off.
    #[must_use]
    pub fn age_days(&self) -> i64 {
        self.age_days
    }

    /// `m_x`: the exact mean of the daily sums after the first purchase day (zero without a
    /// repeat day). Not rounded: round at the output with the currency's minor unit if needed.
    #[must_use]
    pub fn mean_repeat_spend(&self) -> Decimal {
        self.mean_repeat_spend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_days_rejects_unsorted_days() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 1, day).unwrap_or_default();
        let days = [(d(5), Decimal::ONE), (d(3), Decimal::ONE)];
        assert!(matches!(
            RepeatSummary::from_days(days, d(9)),
            Err(Error::InvalidRepeatSummary { .. })
        ));
        assert_eq!(RepeatSummary::from_days([], d(9)), Ok(None));
        // A purchase after the cut-off makes t_x exceed T.
        let late = [(d(5), Decimal::ONE), (d(20), Decimal::ONE)];
        assert!(RepeatSummary::from_days(late, d(9)).is_err());
    }

    #[test]
    fn new_checks_invariants() {
        assert!(RepeatSummary::new(1, -1, 3, Decimal::ONE).is_err());
        assert!(RepeatSummary::new(1, 4, 3, Decimal::ONE).is_err());
        assert!(RepeatSummary::new(0, 0, 3, Decimal::ONE).is_err());
        assert!(RepeatSummary::new(0, 0, 3, Decimal::ZERO).is_ok());
        assert!(RepeatSummary::new(2, 3, 3, Decimal::NEGATIVE_ONE).is_ok());
    }
}
