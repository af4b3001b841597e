//! Contract (B2B / SaaS) metrics: MRR movements, revenue retention, logo and revenue churn,
//! and the contract goal of METHOD.md 1.1 (new signed customers, renewal rate, cross-sell).
//!
//! # Definition family
//! The definitions follow ChartMogul's published SaaS metric definitions (its help center at
//! <https://help.chartmogul.com>: the MRR movement types, customer churn rate, gross and net
//! MRR churn rate, and net revenue retention):
//!
//! * **Start-of-period base.** Rates divide by the customers (or MRR) in place at the start of
//!   the window: the state after every change dated *before* the window's first day.
//! * **Customers who join and churn inside the window are excluded**: they were not in the
//!   base and are not there at the end, so they count neither as new nor as churned.
//! * **Movements are per customer, start versus end of the window**: a customer with no MRR
//!   at the start and some at the end is *new* (never paid before) or *reactivation* (paid
//!   at some time before the window); one with MRR at both ends is *expansion* or
//!   *contraction* by the difference; one with MRR at the start and none at the end is
//!   *churn* of its starting MRR. Changes that cancel out inside the window (a downgrade
//!   undone a week later) leave no movement. The bridge always balances:
//!   `end = start + new + reactivation + expansion - contraction - churn`.
//! * **Window.** A calendar period ([`Window::Period`], such as a month) or ChartMogul's
//!   rolling 30 days ([`Window::Rolling30Days`]): the 30 days ending on `as_of`, inclusive,
//!   whose base is the state at the start of the first of them.
//!
//! All money is exact; every ratio returns a typed error when its base is zero, never NaN.

use std::collections::HashMap;

use attain_types::{Currency, Decimal, Money, NaiveDate, Period, Rate};
use chrono::{Datelike, Days};

use crate::error::{Error, Result};

/// A change of one customer's MRR: from `date` on, the customer pays `mrr` a month
/// (zero when the subscription ends).
///
/// Subscription events map directly (start, upgrade, downgrade, cancel). A series of monthly
/// MRR snapshots works too: each snapshot is a change to its value on its date. Several
/// changes of one customer on the same date: the last in input order wins.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MrrChange {
    /// The customer.
    pub customer: String,
    /// The first day the new MRR applies.
    pub date: NaiveDate,
    /// The monthly recurring revenue from `date` on (not negative).
    pub mrr: Money,
}

/// One customer's MRR at the start and the end of a window: a pair of snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerMrr {
    /// The customer.
    pub customer: String,
    /// MRR at the start of the window (zero if not a customer then).
    pub start: Money,
    /// MRR at the end of the window (zero if not a customer then).
    pub end: Money,
    /// Whether the customer paid at some time before the window (decides whether a customer
    /// with zero start MRR is new or a reactivation).
    pub paid_before: bool,
}

/// The window over which movements and rates are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Window {
    /// A calendar period, such as a month; its base is the state on its first day, before
    /// that day's changes.
    Period(Period),
    /// ChartMogul's rolling window: the 30 days ending on `as_of` (inclusive).
    Rolling30Days {
        /// The last day of the window.
        as_of: NaiveDate,
    },
}

impl Window {
    /// The window as a half-open period: a rolling window is `[as_of - 29 days, as_of + 1 day)`.
    ///
    /// # Errors
    /// [`Error::Types`] with an invalid date at the ends of chrono's range.
    pub fn period(&self) -> Result<Period> {
        match *self {
            Window::Period(p) => Ok(p),
            Window::Rolling30Days { as_of } => {
                let bad = || attain_types::Error::InvalidDate {
                    what: "as_of",
                    value: i64::from(as_of.year()),
                };
                let start = as_of.checked_sub_days(Days::new(29)).ok_or_else(bad)?;
                Ok(Period::from_inclusive(start, as_of)?)
            }
        }
    }
}

/// MRR movements over a window, with the counts behind them (an MRR bridge).
///
/// All amounts are non-negative; counts are customers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MrrMovements {
    /// The currency of every amount.
    pub currency: Currency,
    /// MRR at the start of the window.
    pub start_mrr: Money,
    /// MRR at the end of the window.
    pub end_mrr: Money,
    /// MRR of customers who never paid before.
    pub new: Money,
    /// MRR of returning customers (paid before, not at the start).
    pub reactivation: Money,
    /// Increases of customers paying at both ends.
    pub expansion: Money,
    /// Decreases of customers paying at both ends.
    pub contraction: Money,
    /// Starting MRR of customers paying at the start but not at the end.
    pub churn: Money,
    /// Customers paying at the start.
    pub customers_at_start: u64,
    /// Customers paying at the end.
    pub customers_at_end: u64,
    /// Customers counted in `new`.
    pub new_customers: u64,
    /// Customers counted in `reactivation`.
    pub reactivated_customers: u64,
    /// Customers counted in `expansion`.
    pub expanded_customers: u64,
    /// Customers counted in `contraction`.
    pub contracted_customers: u64,
    /// Customers counted in `churn`.
    pub churned_customers: u64,
}

fn check_mrr(customer: &str, what: &str, m: Money, currency: Currency) -> Result<()> {
    if m.currency() != currency {
        return Err(Error::CurrencyMismatch {
            context: format!("{what} mrr of customer {customer}"),
            expected: currency,
            found: m.currency(),
        });
    }
    if m.is_negative() {
        return Err(Error::NegativeAmount {
            field: format!("{what} mrr of customer {customer}"),
            amount: m.amount(),
        });
    }
    Ok(())
}

impl MrrMovements {
    /// Movements from per-customer start and end MRR (a pair of snapshots).
    ///
    /// Worked example: A pays 100 at both ends, B goes 100 -> 150 (expansion 50), C 200 -> 0
    /// (churn 200), D is new at 80: start 400, end 330 = 400 + 80 + 50 - 200.
    ///
    /// ```
    /// use attain_lifecycle::contract::{CustomerMrr, MrrMovements};
    /// use attain_types::{Currency, Money, dec};
    /// let usd = |d| Money::new(d, Currency::USD);
    /// let row = |c: &str, s, e| CustomerMrr {
    ///     customer: c.into(), start: usd(s), end: usd(e), paid_before: false,
    /// };
    /// let m = MrrMovements::from_customers(&[
    ///     row("A", dec!(100), dec!(100)),
    ///     row("B", dec!(100), dec!(150)),
    ///     row("C", dec!(200), dec!(0)),
    ///     row("D", dec!(0), dec!(80)),
    /// ], Currency::USD)?;
    /// assert_eq!(m.end_mrr.amount(), dec!(330));
    /// assert_eq!(m.logo_churn()?.to_decimal(), dec!(0.3333333333333333333333333333)); // 1 of 3
    /// // NRR = (400 + 50 - 0 - 200) / 400 = 0.625
    /// assert_eq!(m.net_revenue_retention()?, dec!(0.625));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] for an amount in another currency,
    /// [`Error::NegativeAmount`] for negative MRR, [`Error::Types`] on overflow.
    pub fn from_customers(rows: &[CustomerMrr], currency: Currency) -> Result<MrrMovements> {
        let zero = Money::zero(currency);
        let mut m = MrrMovements {
            currency,
            start_mrr: zero,
            end_mrr: zero,
            new: zero,
            reactivation: zero,
            expansion: zero,
            contraction: zero,
            churn: zero,
            customers_at_start: 0,
            customers_at_end: 0,
            new_customers: 0,
            reactivated_customers: 0,
            expanded_customers: 0,
            contracted_customers: 0,
            churned_customers: 0,
        };
        for r in rows {
            m.add(&r.customer, r.start, r.end, r.paid_before)?;
        }
        Ok(m)
    }

    fn add(&mut self, customer: &str, start: Money, end: Money, paid_before: bool) -> Result<()> {
        check_mrr(customer, "start", start, self.currency)?;
        check_mrr(customer, "end", end, self.currency)?;
        self.start_mrr = self.start_mrr.checked_add(start)?;
        self.end_mrr = self.end_mrr.checked_add(end)?;
        let inc = |n: &mut u64| *n += 1; // at most one per row: cannot overflow a u64
        if !start.is_zero() {
            inc(&mut self.customers_at_start);
        }
        if !end.is_zero() {
            inc(&mut self.customers_at_end);
        }
        match (start.is_zero(), end.is_zero()) {
            // Not paying at either end: joined and churned inside the window, or never a
            // customer. Excluded (ChartMogul).
            (true, true) => {}
            (true, false) if paid_before => {
                self.reactivation = self.reactivation.checked_add(end)?;
                inc(&mut self.reactivated_customers);
            }
            (true, false) => {
                self.new = self.new.checked_add(end)?;
                inc(&mut self.new_customers);
            }
            (false, true) => {
                self.churn = self.churn.checked_add(start)?;
                inc(&mut self.churned_customers);
            }
            (false, false) => {
                if end.amount() > start.amount() {
                    self.expansion = self.expansion.checked_add(end.checked_sub(start)?)?;
                    inc(&mut self.expanded_customers);
                } else if end.amount() < start.amount() {
                    self.contraction = self.contraction.checked_add(start.checked_sub(end)?)?;
                    inc(&mut self.contracted_customers);
                }
            }
        }
        Ok(())
    }

    /// Net new MRR: `new + reactivation + expansion - contraction - churn`, which equals
    /// `end_mrr - start_mrr`.
    ///
    /// # Errors
    /// [`Error::Types`] on overflow.
    pub fn net_new_mrr(&self) -> Result<Money> {
        Ok(self
            .new
            .checked_add(self.reactivation)?
            .checked_add(self.expansion)?
            .checked_sub(self.contraction)?
            .checked_sub(self.churn)?)
    }

    fn over_start_mrr(&self, metric: &'static str, amount: Money) -> Result<Decimal> {
        if self.start_mrr.is_zero() {
            return Err(Error::ZeroDenominator {
                metric,
                denominator: "mrr at window start",
            });
        }
        Ok(amount.checked_ratio(self.start_mrr)?)
    }

    /// Gross revenue retention: the share of starting MRR kept, ignoring expansion.
    ///
    /// Formula: `(start_mrr - contraction - churn) / start_mrr`, in `0..=1`. New and
    /// reactivated customers are outside the base.
    ///
    /// # Errors
    /// [`Error::ZeroDenominator`] when starting MRR is zero.
    pub fn gross_revenue_retention(&self) -> Result<Rate> {
        let kept = self
            .start_mrr
            .checked_sub(self.contraction)?
            .checked_sub(self.churn)?;
        Ok(Rate::new(
            self.over_start_mrr("gross revenue retention", kept)?,
        )?)
    }

    /// Net revenue retention: the starting customers' MRR at the end over their MRR at the
    /// start.
    ///
    /// Formula: `(start_mrr + expansion - contraction - churn) / start_mrr`; above 1 when
    /// expansion outweighs losses. New and reactivated customers are outside the base.
    ///
    /// # Errors
    /// [`Error::ZeroDenominator`] when starting MRR is zero.
    pub fn net_revenue_retention(&self) -> Result<Decimal> {
        let kept = self
            .start_mrr
            .checked_add(self.expansion)?
            .checked_sub(self.contraction)?
            .checked_sub(self.churn)?;
        self.over_start_mrr("net revenue retention", kept)
    }

    /// Revenue churn (ChartMogul's gross MRR churn rate): `(churn + contraction) / start_mrr`,
    /// in `0..=1`; equals `1 - gross_revenue_retention`.
    ///
    /// # Errors
    /// [`Error::ZeroDenominator`] when starting MRR is zero.
    pub fn revenue_churn(&self) -> Result<Rate> {
        let lost = self.churn.checked_add(self.contraction)?;
        Ok(Rate::new(self.over_start_mrr("revenue churn", lost)?)?)
    }

    /// Net revenue churn (ChartMogul's net MRR churn rate):
    /// `(churn + contraction - expansion - reactivation) / start_mrr`; negative when gains
    /// outweigh losses ("negative churn"). Reactivation offsets churn here but is not part
    /// of [`net_revenue_retention`](Self::net_revenue_retention).
    ///
    /// # Errors
    /// [`Error::ZeroDenominator`] when starting MRR is zero.
    pub fn net_revenue_churn(&self) -> Result<Decimal> {
        let net = self
            .churn
            .checked_add(self.contraction)?
            .checked_sub(self.expansion)?
            .checked_sub(self.reactivation)?;
        self.over_start_mrr("net revenue churn", net)
    }

    /// Logo (customer) churn: `churned_customers / customers_at_start`, in `0..=1`.
    ///
    /// # Errors
    /// [`Error::ZeroDenominator`] when no customer paid at the start.
    pub fn logo_churn(&self) -> Result<Rate> {
        if self.customers_at_start == 0 {
            return Err(Error::ZeroDenominator {
                metric: "logo churn",
                denominator: "customers at window start",
            });
        }
        Ok(Rate::from_ratio(
            self.churned_customers,
            self.customers_at_start,
        )?)
    }

    /// Renewal rate: the share of starting customers still paying at the end,
    /// `1 - logo_churn`.
    ///
    /// # Errors
    /// [`Error::ZeroDenominator`] when no customer paid at the start.
    pub fn renewal_rate(&self) -> Result<Rate> {
        Ok(self.logo_churn()?.complement())
    }
}

/// MRR movements over a window from a log of MRR changes (ChartMogul-style, see the
/// [module docs](self)).
///
/// Each customer's MRR at the start of the window is its last change dated before the
/// window's first day (zero if none); at the end, its last change dated inside or before the
/// window. A customer with zero start MRR is a reactivation if any earlier change gave it
/// positive MRR. Input may be in any order.
///
/// Worked example, March 2026: A starts at 100 in January and moves to 120 on March 10
/// (expansion 20); B pays 50 from January, cancels in February and returns at 60 on March 3
/// (reactivation 60); C starts on March 5 and cancels on March 20 (excluded).
///
/// ```
/// use attain_lifecycle::contract::{mrr_movements, MrrChange, Window};
/// use attain_types::{Currency, Money, NaiveDate, Period, dec};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
/// let ch = |c: &str, date, amount| MrrChange {
///     customer: c.into(), date, mrr: Money::new(amount, Currency::EUR),
/// };
/// let log = vec![
///     ch("A", d(1, 1)?, dec!(100)), ch("A", d(3, 10)?, dec!(120)),
///     ch("B", d(1, 1)?, dec!(50)), ch("B", d(2, 1)?, dec!(0)), ch("B", d(3, 3)?, dec!(60)),
///     ch("C", d(3, 5)?, dec!(90)), ch("C", d(3, 20)?, dec!(0)),
/// ];
/// let m = mrr_movements(&log, Window::Period(Period::month(2026, 3)?), Currency::EUR)?;
/// assert_eq!((m.start_mrr.amount(), m.end_mrr.amount()), (dec!(100), dec!(180)));
/// assert_eq!((m.expansion.amount(), m.reactivation.amount()), (dec!(20), dec!(60)));
/// assert_eq!((m.new_customers, m.churned_customers), (0, 0)); // C is excluded
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::CurrencyMismatch`], [`Error::NegativeAmount`] (naming the customer),
/// [`Error::Types`] on overflow or a window at the ends of the calendar.
pub fn mrr_movements(
    changes: &[MrrChange],
    window: Window,
    currency: Currency,
) -> Result<MrrMovements> {
    let period = window.period()?;
    // Per customer: (start, end, paid_before, date of start change, date of end change);
    // keeping the latest-dated change (last in input order on ties) for each end.
    struct State {
        start: Option<(NaiveDate, Money)>,
        end: Option<(NaiveDate, Money)>,
        paid_before: bool,
    }
    let mut by_customer: HashMap<&str, State> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for c in changes {
        check_mrr(&c.customer, "changed", c.mrr, currency)?;
        if c.date >= period.end() {
            continue;
        }
        let s = by_customer.entry(c.customer.as_str()).or_insert_with(|| {
            order.push(c.customer.as_str());
            State {
                start: None,
                end: None,
                paid_before: false,
            }
        });
        let later = |slot: &Option<(NaiveDate, Money)>| slot.is_none_or(|(d, _)| c.date >= d);
        if c.date < period.start() {
            if !c.mrr.is_zero() {
                s.paid_before = true;
            }
            if later(&s.start) {
                s.start = Some((c.date, c.mrr));
            }
        }
        if later(&s.end) {
            s.end = Some((c.date, c.mrr));
        }
    }
    let zero = Money::zero(currency);
    let rows: Vec<CustomerMrr> = order
        .iter()
        .filter_map(|name| by_customer.get(name).map(|s| (name, s)))
        .map(|(name, s)| CustomerMrr {
            customer: (*name).to_owned(),
            start: s.start.map_or(zero, |(_, m)| m),
            end: s.end.map_or(zero, |(_, m)| m),
            paid_before: s.paid_before,
        })
        .collect();
    MrrMovements::from_customers(&rows, currency)
}

/// MRR movements for each consecutive period of a span (a monthly MRR bridge), from one
/// log of MRR changes.
///
/// The span is split at the boundaries of `granularity` (clipped at both ends, as
/// [`Period::split`] does) and [`mrr_movements`] is computed for each piece, so every
/// period's end MRR is the next period's start MRR. Cost: one pass over the log per period.
///
/// ```
/// use attain_lifecycle::contract::{mrr_bridge, MrrChange};
/// use attain_types::{Currency, Granularity, Money, NaiveDate, Period, dec};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
/// let ch = |date, amount| MrrChange {
///     customer: "A".into(), date, mrr: Money::new(amount, Currency::USD),
/// };
/// let log = [ch(d(1, 10)?, dec!(100)), ch(d(2, 3)?, dec!(150)), ch(d(3, 9)?, dec!(0))];
/// let q1 = Period::quarter(2026, 1)?;
/// let bridge = mrr_bridge(&log, q1, Granularity::Month, Currency::USD)?;
/// let moves: Vec<_> = bridge.iter().map(|(_, m)| (m.new.amount(), m.expansion.amount(), m.churn.amount())).collect();
/// assert_eq!(moves, [(dec!(100), dec!(0), dec!(0)), (dec!(0), dec!(50), dec!(0)), (dec!(0), dec!(0), dec!(150))]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`mrr_movements`].
pub fn mrr_bridge(
    changes: &[MrrChange],
    span: Period,
    granularity: attain_types::Granularity,
    currency: Currency,
) -> Result<Vec<(Period, MrrMovements)>> {
    span.split(granularity)
        .into_iter()
        .map(|p| Ok((p, mrr_movements(changes, Window::Period(p), currency)?)))
        .collect()
}

/// The contract goal of METHOD.md 1.1: a B2B team aiming at customer lifetime value sets
/// three linked goals for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ContractGoal {
    /// New contracts signed (new customers) in the period.
    pub new_customers: u64,
    /// The share of starting customers who renew (stay paying).
    pub renewal_rate: Rate,
    /// Cross-sell amount: added MRR from existing customers (expansion).
    pub cross_sell: Money,
}

/// How far a period's [`MrrMovements`] reach a [`ContractGoal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ContractAttainment {
    /// New customers signed ([`MrrMovements::new_customers`]).
    pub new_customers: u64,
    /// `new_customers / goal`; `None` for a goal of zero.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub new_customers_attainment: Option<Decimal>,
    /// The renewal rate achieved; `None` when there were no starting customers.
    pub renewal_rate: Option<Rate>,
    /// `achieved - goal` renewal rate as a signed fraction; `None` with no starting customers.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub renewal_gap: Option<Decimal>,
    /// Cross-sell achieved ([`MrrMovements::expansion`]).
    pub cross_sell: Money,
    /// `cross_sell / goal`; `None` for a goal of zero.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal_option"))]
    pub cross_sell_attainment: Option<Decimal>,
}

impl ContractGoal {
    /// The attainment of the three goals by a period's movements.
    ///
    /// ```
    /// use attain_lifecycle::contract::{ContractGoal, CustomerMrr, MrrMovements};
    /// use attain_types::{Currency, Money, Rate, dec};
    /// let usd = |d| Money::new(d, Currency::USD);
    /// let goal = ContractGoal {
    ///     new_customers: 2, renewal_rate: Rate::new(dec!(0.9))?, cross_sell: usd(dec!(100)),
    /// };
    /// let row = |c: &str, s, e| CustomerMrr {
    ///     customer: c.into(), start: usd(s), end: usd(e), paid_before: false,
    /// };
    /// let m = MrrMovements::from_customers(&[
    ///     row("A", dec!(100), dec!(150)), row("B", dec!(100), dec!(0)), row("C", dec!(0), dec!(70)),
    /// ], Currency::USD)?;
    /// let a = goal.attainment(&m)?;
    /// assert_eq!(a.new_customers_attainment, Some(dec!(0.5)));   // 1 of 2
    /// assert_eq!(a.renewal_gap, Some(dec!(-0.4)));              // 50% vs 90%
    /// assert_eq!(a.cross_sell_attainment, Some(dec!(0.5)));     // 50 of 100
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] if the goal's cross-sell and the movements differ in
    /// currency; [`Error::Types`] on overflow.
    pub fn attainment(&self, actual: &MrrMovements) -> Result<ContractAttainment> {
        if self.cross_sell.currency() != actual.currency {
            return Err(Error::CurrencyMismatch {
                context: "cross-sell goal".to_owned(),
                expected: actual.currency,
                found: self.cross_sell.currency(),
            });
        }
        let renewal_rate = actual.renewal_rate().ok();
        let new_customers_attainment = if self.new_customers == 0 {
            None
        } else {
            Some(Decimal::from(actual.new_customers) / Decimal::from(self.new_customers))
        };
        let cross_sell_attainment = if self.cross_sell.is_zero() {
            None
        } else {
            Some(actual.expansion.checked_ratio(self.cross_sell)?)
        };
        Ok(ContractAttainment {
            new_customers: actual.new_customers,
            new_customers_attainment,
            renewal_rate,
            renewal_gap: renewal_rate.map(|r| r.to_decimal() - self.renewal_rate.to_decimal()),
            cross_sell: actual.expansion,
            cross_sell_attainment,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::dec;

    #[test]
    fn rolling_window_is_30_days_ending_on_as_of() {
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let p = Window::Rolling30Days { as_of }.period().unwrap();
        assert_eq!(p.days(), 30);
        assert_eq!(p.last_day(), Some(as_of));
        assert_eq!(p.start(), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        // At the ends of the calendar: an error, not a panic.
        assert!(
            Window::Rolling30Days {
                as_of: NaiveDate::MIN
            }
            .period()
            .is_err()
        );
        assert!(
            Window::Rolling30Days {
                as_of: NaiveDate::MAX
            }
            .period()
            .is_err()
        );
    }

    #[test]
    fn negative_mrr_names_the_customer() {
        let row = CustomerMrr {
            customer: "c-17".into(),
            start: Money::new(dec!(-1), Currency::USD),
            end: Money::zero(Currency::USD),
            paid_before: false,
        };
        let e = MrrMovements::from_customers(&[row], Currency::USD).unwrap_err();
        assert_eq!(
            e.to_string(),
            "start mrr of customer c-17 must not be negative, got -1"
        );
    }

    #[test]
    fn empty_base_is_an_error_not_nan() {
        let m = MrrMovements::from_customers(&[], Currency::USD).unwrap();
        assert!(matches!(m.logo_churn(), Err(Error::ZeroDenominator { .. })));
        assert!(matches!(
            m.net_revenue_retention(),
            Err(Error::ZeroDenominator { .. })
        ));
        assert!(matches!(
            m.gross_revenue_retention(),
            Err(Error::ZeroDenominator { .. })
        ));
    }
}
