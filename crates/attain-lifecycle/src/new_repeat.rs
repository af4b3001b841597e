//! New and repeat revenue: a customer's purchases on the day of its **first purchase** are
//! new revenue, its purchases on any later day are repeat revenue.
//!
//! The first purchase day is the customer's earliest date in the whole log given (wherever
//! that row appears), not within each period: a customer acquired in January whose second
//! order comes in March counts as repeat revenue in March. Several orders on the first day
//! are all new. Amounts are summed exactly, refunds included, so `new + repeat` of a period
//! equals the log's revenue in that period to the last digit.
//!
//! ```
//! use attain_lifecycle::new_repeat::new_repeat_by_period;
//! use attain_types::{Currency, NaiveDate, Period, Transaction, dec};
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("date");
//! let t = |customer_id, date, amount| Transaction { customer_id, date, amount, order_id: None };
//! let log = [
//!     t("ann", day(1, 5)?, dec!(10)),  // ann's first day: new
//!     t("ann", day(1, 5)?, dec!(5)),   // the same day: new
//!     t("ann", day(2, 1)?, dec!(20)),  // later: repeat
//!     t("bob", day(2, 9)?, dec!(7.5)), // bob's first day: new
//! ];
//! let months = [Period::month(2026, 1)?, Period::month(2026, 2)?];
//! let split = new_repeat_by_period(log, &months, Currency::USD)?;
//! assert_eq!((split[0].new.amount(), split[0].repeat.amount()), (dec!(15), dec!(0)));
//! assert_eq!((split[1].new.amount(), split[1].repeat.amount()), (dec!(7.5), dec!(20)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use attain_types::wide::exact_add;
use attain_types::{Currency, Decimal, Money, NaiveDate, Period, Transaction};

use crate::error::Result;

/// The revenue of one period, split into new and repeat; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct NewRepeatRevenue {
    /// Revenue on customers' first-purchase days.
    pub new: Money,
    /// Revenue on customers' later days.
    pub repeat: Money,
}

impl NewRepeatRevenue {
    /// `new + repeat`, exact.
    ///
    /// # Errors
    /// [`crate::Error::Types`] on overflow.
    pub fn total(&self) -> Result<Money> {
        Ok(self.new.checked_add(self.repeat)?)
    }

    /// The split as plan weights `[new, repeat]` (for a customer-type split of a target):
    /// each part's revenue, a negative part (refunds above sales) counted as zero, trailing
    /// zeros removed (`15.50` is `15.5`). With no positive revenue at all the weights are
    /// `[0, 1]`: everything is planned as repeat revenue, since nothing shows new customers
    /// arriving.
    #[must_use]
    pub fn plan_weights(&self) -> [Decimal; 2] {
        let new = self.new.amount().max(Decimal::ZERO);
        let mut repeat = self.repeat.amount().max(Decimal::ZERO);
        if new.is_zero() && repeat.is_zero() {
            repeat = Decimal::ONE;
        }
        [new.normalize(), repeat.normalize()]
    }
}

/// New and repeat revenue of each of `periods`, from a transaction log in any order (all
/// amounts in `currency`). First-purchase days come from the whole log, including rows
/// outside every period. A row counts in every period containing its date (periods may
/// overlap); rows in no period only set first-purchase days. `transactions` is iterated twice.
///
/// # Errors
/// [`crate::Error::Types`] when a sum overflows.
pub fn new_repeat_by_period<'a, I>(
    transactions: I,
    periods: &[Period],
    currency: Currency,
) -> Result<Vec<NewRepeatRevenue>>
where
    I: IntoIterator<Item = Transaction<'a>> + Clone,
{
    let mut first: HashMap<&'a str, NaiveDate> = HashMap::new();
    for t in transactions.clone() {
        first
            .entry(t.customer_id)
            .and_modify(|d| *d = (*d).min(t.date))
            .or_insert(t.date);
    }
    let overflow = || attain_types::Error::Overflow {
        operation: "new and repeat revenue",
    };
    let mut sums = vec![[Decimal::ZERO; 2]; periods.len()];
    for t in transactions {
        let part = usize::from(first.get(t.customer_id) != Some(&t.date));
        for (sum, period) in sums.iter_mut().zip(periods) {
            if period.contains(t.date) {
                sum[part] = exact_add(sum[part], t.amount).ok_or_else(overflow)?;
            }
        }
    }
    Ok(revenues(sums, currency))
}

/// [`new_repeat_by_period`] from each customer's purchase days: `customers` yields, for every
/// customer once, its purchases as `(date, amount)` pairs (in any order; several on one day
/// allowed), so that no map by customer id is needed. The result is the one
/// [`new_repeat_by_period`] gives for the same rows.
///
/// ```
/// use attain_lifecycle::new_repeat::new_repeat_by_customer;
/// use attain_types::{Currency, NaiveDate, Period, dec};
/// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("date");
/// let ann = vec![(day(1, 5)?, dec!(15)), (day(2, 1)?, dec!(20))];
/// let bob = vec![(day(2, 9)?, dec!(7.5))];
/// let months = [Period::month(2026, 1)?, Period::month(2026, 2)?];
/// let split = new_repeat_by_customer([ann, bob], &months, Currency::USD)?;
/// assert_eq!((split[1].new.amount(), split[1].repeat.amount()), (dec!(7.5), dec!(20)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`crate::Error::Types`] when a sum overflows.
pub fn new_repeat_by_customer<C, D>(
    customers: C,
    periods: &[Period],
    currency: Currency,
) -> Result<Vec<NewRepeatRevenue>>
where
    C: IntoIterator<Item = D>,
    D: IntoIterator<Item = (NaiveDate, Decimal)> + Clone,
{
    let overflow = || attain_types::Error::Overflow {
        operation: "new and repeat revenue",
    };
    let mut sums = vec![[Decimal::ZERO; 2]; periods.len()];
    for purchases in customers {
        let Some(first) = purchases.clone().into_iter().map(|(d, _)| d).min() else {
            continue;
        };
        for (date, amount) in purchases {
            let part = usize::from(date != first);
            for (sum, period) in sums.iter_mut().zip(periods) {
                if period.contains(date) {
                    sum[part] = exact_add(sum[part], amount).ok_or_else(overflow)?;
                }
            }
        }
    }
    Ok(revenues(sums, currency))
}

/// The `[new, repeat]` sums of each period as money.
fn revenues(sums: Vec<[Decimal; 2]>, currency: Currency) -> Vec<NewRepeatRevenue> {
    sums.into_iter()
        .map(|[new, repeat]| NewRepeatRevenue {
            new: Money::new(new, currency),
            repeat: Money::new(repeat, currency),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn t(customer_id: &str, date: NaiveDate, amount: Decimal) -> Transaction<'_> {
        Transaction {
            customer_id,
            date,
            amount,
            order_id: None,
        }
    }

    #[test]
    fn first_day_comes_from_the_whole_log_in_any_order() {
        // Bob's first purchase (December) is outside every period and listed last.
        let log = [
            t("bob", day(3, 2), dec!(4)),
            t("ann", day(3, 1), dec!(1.10)),
            t("ann", day(2, 1), dec!(2)),
            t(
                "bob",
                NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
                dec!(100),
            ),
        ];
        let periods = [
            Period::month(2026, 2).unwrap(),
            Period::month(2026, 3).unwrap(),
            Period::quarter(2026, 1).unwrap(),
        ];
        let s = new_repeat_by_period(log, &periods, Currency::USD).unwrap();
        let pair = |r: &NewRepeatRevenue| (r.new.amount(), r.repeat.amount());
        assert_eq!(pair(&s[0]), (dec!(2), dec!(0)));
        assert_eq!(pair(&s[1]), (dec!(0), dec!(5.10)));
        // Overlapping periods each count the row.
        assert_eq!(pair(&s[2]), (dec!(2), dec!(5.10)));
        assert_eq!(s[2].total().unwrap().amount(), dec!(7.10));
        assert!(
            new_repeat_by_period(log, &[], Currency::USD)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn plan_weights_clamp_negatives_and_default_to_repeat() {
        let usd = |x| Money::new(x, Currency::USD);
        let w = |new, repeat| {
            NewRepeatRevenue {
                new: usd(new),
                repeat: usd(repeat),
            }
            .plan_weights()
        };
        assert_eq!(w(dec!(15.50), dec!(30.00)), [dec!(15.5), dec!(30)]);
        assert_eq!(w(dec!(-3), dec!(8)), [dec!(0), dec!(8)]);
        assert_eq!(w(dec!(0), dec!(0)), [dec!(0), dec!(1)]);
        assert_eq!(w(dec!(-1), dec!(-2)), [dec!(0), dec!(1)]);
    }

    #[test]
    fn overflow_is_an_error() {
        let log = [
            t("a", day(1, 1), Decimal::MAX),
            t("a", day(1, 1), Decimal::MAX),
        ];
        let jan = [Period::month(2026, 1).unwrap()];
        assert!(new_repeat_by_period(log, &jan, Currency::USD).is_err());
    }

    proptest::proptest! {
        /// Grouped by customer, the split is the one of the rows in any order.
        #[test]
        fn prop_by_customer_equals_by_period(
            rows in proptest::collection::vec((0u8..4, 0u32..90, -500i64..5_000), 0..40),
        ) {
            let ids = ["a", "b", "c", "d"];
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let date = |d: u32| start + chrono::Days::new(u64::from(d));
            let log: Vec<Transaction<'_>> = rows
                .iter()
                .map(|&(c, d, cents)| t(ids[usize::from(c)], date(d), Decimal::new(cents, 2)))
                .collect();
            let periods = [
                Period::month(2026, 1).unwrap(),
                Period::month(2026, 2).unwrap(),
                Period::quarter(2026, 1).unwrap(),
                Period::new(date(10), date(20)).unwrap(),
            ];
            let grouped: Vec<Vec<(NaiveDate, Decimal)>> = ids
                .iter()
                .map(|id| {
                    log.iter()
                        .filter(|t| t.customer_id == *id)
                        .map(|t| (t.date, t.amount))
                        .collect()
                })
                .collect();
            let want = new_repeat_by_period(log.iter().copied(), &periods, Currency::USD).unwrap();
            let got = new_repeat_by_customer(grouped, &periods, Currency::USD).unwrap();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
