//! Acquisition cohorts from a transaction log: customers grouped by the period of their
//! first purchase, with active customers, retention and revenue per period since acquisition.
//!
//! # How it works
//! The log is streamed once, in any order, through a [`CohortBuilder`]. For each customer
//! the builder keeps the periods in which it bought and its revenue in each (memory
//! proportional to customers x active periods), so a customer's **first purchase** is simply
//! its earliest transaction date, wherever that row appears in the input. At
//! [`finish`](CohortBuilder::finish) each customer is assigned to the cohort of its first
//! period and counted in every cell `(cohort, k)` where it bought in period `cohort + k`.
//!
//! # Conventions
//! * **Active** means at least one transaction in the period (any amount, including zero or
//!   a refund). Every customer is active in period 0, so retention at offset 0 is 1.
//! * **Observed cells.** `as_of` is the last day the data covers (by default the latest
//!   transaction date). A cell whose period starts after `as_of` cannot have been observed
//!   and is `None`, not zero. The period containing `as_of` is observed, possibly in part.
//!   Transactions dated after an explicit `as_of` are left out and counted in
//!   [`CohortTable::excluded_after_as_of`].
//! * **Cohort rows** exist only for periods in which at least one customer was acquired;
//!   every row has the same number of cells, [`CohortTable::width`].
//! * **Empty input** gives a table with no cohorts (and `as_of` as given, else `None`).
//! * **Periods** are whole calendar periods at the chosen [`Granularity`]: days, ISO weeks
//!   (Monday to Sunday), months, quarters or years.
//! * **Amounts** are in the builder's currency and exact at its minor unit: `201225.825` in a
//!   USD table is [`Error::SubMinorUnitAmount`], never a revenue with more decimals than the
//!   currency has. Rows are the shared [`attain_types::Transaction`].
//!
//! Laws (property-tested): retention never exceeds 1; cohort sizes add up to the number of
//! customers; revenue over all cells equals the log's total exactly; the table does not
//! depend on input order.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use attain_types::{Currency, Decimal, Granularity, Money, NaiveDate, Period, Rate, Transaction};
use chrono::Days;

use crate::error::{Error, Result};

/// The most cells (cohorts x periods since acquisition) a table may have: 5 million, a few
/// hundred MB at most. Ten years of monthly cohorts need 14,400 cells; three years of daily
/// cohorts about 1.2 million.
pub const MAX_CELLS: u64 = 5_000_000;

/// The most periods a table may span, from the oldest cohort's period to the one containing
/// `as_of`: 10,000 (27 years of days, 191 years of weeks, 833 years of months). Every cohort
/// row has that many cells, so a single stray date far from the rest would otherwise make
/// one very wide, mostly empty table.
pub const MAX_PERIODS: u64 = 10_000;

/// Options of a cohort table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CohortOptions {
    /// The period length of cohorts and of periods since acquisition (default: month).
    pub granularity: Granularity,
    /// The last day the data covers; `None` (the default) uses the latest transaction date.
    pub as_of: Option<NaiveDate>,
}

impl Default for CohortOptions {
    fn default() -> Self {
        CohortOptions {
            granularity: Granularity::Month,
            as_of: None,
        }
    }
}

impl CohortOptions {
    /// Sets the granularity.
    #[must_use]
    pub fn granularity(mut self, granularity: Granularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// Sets the last day the data covers.
    #[must_use]
    pub fn as_of(mut self, as_of: NaiveDate) -> Self {
        self.as_of = Some(as_of);
        self
    }
}

/// A whole-number index of the period containing `date` (consecutive periods have
/// consecutive indices).
fn period_index(granularity: Granularity, date: NaiveDate) -> Result<i64> {
    Ok(granularity.period_index(date))
}

/// The period with index `index` (inverse of [`period_index`]).
fn period_of(granularity: Granularity, index: i64) -> Result<Period> {
    let bad = || attain_types::Error::InvalidDate {
        what: "period index",
        value: index,
    };
    let year = |i: i64| i32::try_from(i).map_err(|_| bad());
    let from_days = |d: i64| {
        i32::try_from(d)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(bad)
    };
    Ok(match granularity {
        Granularity::Day => Period::day(from_days(index)?)?,
        Granularity::IsoWeek => {
            let start = from_days(index * 7 + 1)?;
            Period::new(start, start.checked_add_days(Days::new(7)).ok_or_else(bad)?)?
        }
        // rem_euclid keeps these in range: month 1..=12, quarter 1..=4.
        Granularity::Month => Period::month(
            year(index.div_euclid(12))?,
            (index.rem_euclid(12) + 1) as u32,
        )?,
        Granularity::Quarter => {
            Period::quarter(year(index.div_euclid(4))?, (index.rem_euclid(4) + 1) as u32)?
        }
        Granularity::Year => Period::year(year(index)?)?,
        other => {
            return Err(Error::UnsupportedGranularity {
                granularity: format!("{other:?}"),
            });
        }
    })
}

/// What the builder keeps per customer: revenue per active period, in arrival order.
#[derive(Debug, Clone, Default)]
struct History {
    periods: Vec<(i64, Decimal)>,
}

/// Builds a [`CohortTable`] from a transaction log streamed once, in any order.
///
/// ```
/// use attain_lifecycle::cohort::{CohortBuilder, CohortOptions};
/// use attain_types::{Currency, Money, NaiveDate, dec};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
/// let usd = |a| Money::new(a, Currency::USD);
/// let mut b = CohortBuilder::new(Currency::USD, CohortOptions::default());
/// b.push("ann", d(2, 3)?, usd(dec!(20)))?;   // rows may come in any order:
/// b.push("ann", d(1, 5)?, usd(dec!(10)))?;   // ann's first purchase is in January
/// b.push("bob", d(1, 9)?, usd(dec!(15)))?;
/// let table = b.finish()?;
/// assert_eq!(table.cohorts.len(), 1);
/// let jan = &table.cohorts[0];
/// assert_eq!((jan.label.as_str(), jan.size), ("2026-01", 2));
/// let feb = jan.cells[1].as_ref().ok_or("february is observed")?;
/// assert_eq!(feb.active, 1);
/// assert_eq!(feb.retention.to_decimal(), dec!(0.5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CohortBuilder {
    options: CohortOptions,
    currency: Currency,
    customers: HashMap<String, History>,
    transactions: u64,
    excluded: u64,
    latest: Option<NaiveDate>,
    total: Decimal,
}

impl CohortBuilder {
    /// An empty builder for amounts in `currency`.
    #[must_use]
    pub fn new(currency: Currency, options: CohortOptions) -> Self {
        CohortBuilder {
            options,
            currency,
            customers: HashMap::new(),
            transactions: 0,
            excluded: 0,
            latest: None,
            total: Decimal::ZERO,
        }
    }

    /// Adds one transaction.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] naming the customer, [`Error::SubMinorUnitAmount`] naming the
    /// customer and date when the amount has more decimals than the currency's minor unit,
    /// [`Error::UnsupportedGranularity`], [`Error::Types`] when revenue overflows.
    pub fn push(&mut self, customer: &str, date: NaiveDate, amount: Money) -> Result<()> {
        if amount.currency() != self.currency {
            return Err(Error::CurrencyMismatch {
                context: format!("transaction of customer {customer}"),
                expected: self.currency,
                found: amount.currency(),
            });
        }
        if !amount.is_whole_minor_units() {
            return Err(Error::SubMinorUnitAmount {
                customer: customer.to_owned(),
                date,
                amount: amount.amount(),
                currency: self.currency,
            });
        }
        if self.options.as_of.is_some_and(|as_of| date > as_of) {
            self.excluded += 1;
            return Ok(());
        }
        let p = period_index(self.options.granularity, date)?;
        let overflow = || attain_types::Error::Overflow {
            operation: "cohort revenue",
        };
        self.total = self
            .total
            .checked_add(amount.amount())
            .ok_or_else(overflow)?;
        match self.customers.get_mut(customer) {
            Some(history) => {
                let periods = &mut history.periods;
                // Sorted logs hit the last entry; otherwise a short scan of the customer's
                // periods.
                match periods.iter_mut().rev().find(|(q, _)| *q == p) {
                    Some((_, revenue)) => {
                        *revenue = revenue.checked_add(amount.amount()).ok_or_else(overflow)?
                    }
                    None => periods.push((p, amount.amount())),
                }
            }
            None => {
                let history = History {
                    periods: vec![(p, amount.amount())],
                };
                self.customers.insert(customer.to_owned(), history);
            }
        }
        self.transactions += 1;
        self.latest = Some(self.latest.map_or(date, |l| l.max(date)));
        Ok(())
    }

    /// Adds one [`Transaction`] (the shared row of `attain-types`), whose amount is in the
    /// builder's currency.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub fn push_transaction(&mut self, t: &Transaction<'_>) -> Result<()> {
        self.push(t.customer_id, t.date, Money::new(t.amount, self.currency))
    }

    /// The table.
    ///
    /// # Errors
    /// [`Error::TooManyPeriods`] above [`MAX_PERIODS`] periods, [`Error::TableTooLarge`]
    /// above [`MAX_CELLS`] cells, [`Error::Types`] for periods outside the calendar.
    pub fn finish(self) -> Result<CohortTable> {
        let mut cells = CohortCells::new(self.currency, self.options);
        for history in self.customers.values() {
            cells.add_customer(&history.periods)?;
        }
        cells.finish(&CohortCounts {
            transactions: self.transactions,
            excluded_after_as_of: self.excluded,
            latest: self.latest,
        })
    }
}

/// What a reader counted besides the customers' periods, for [`CohortCells::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CohortCounts {
    /// Transactions counted (dated on or before `as_of`).
    pub transactions: u64,
    /// Transactions left out because they are dated after an explicit `as_of`.
    pub excluded_after_as_of: u64,
    /// The latest date of a counted transaction (`None` for an empty log): the default `as_of`.
    pub latest: Option<NaiveDate>,
}

/// A cohort table built from each customer's revenue per period, for readers that aggregate
/// per customer themselves (the fast parallel CSV reader of `attain-rfm`) and for
/// [`CohortBuilder::finish`]: one customer at a time, in any order, each with its periods'
/// indices ([`Granularity::period_index`]) and exact revenues. A customer's cohort is its
/// earliest period; the cells hold only counts and sums (memory proportional to the cells with
/// activity, not to the customers).
///
/// ```
/// use attain_lifecycle::cohort::{CohortCells, CohortCounts, CohortOptions};
/// use attain_types::{Currency, Granularity, NaiveDate, dec};
/// let jan = NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("bad date")?;
/// let feb = NaiveDate::from_ymd_opt(2026, 2, 2).ok_or("bad date")?;
/// let m = |d| Granularity::Month.period_index(d);
/// let mut cells = CohortCells::new(Currency::USD, CohortOptions::default());
/// cells.add_customer(&[(m(jan), dec!(10)), (m(feb), dec!(20))])?; // ann
/// cells.add_customer(&[(m(jan), dec!(15))])?; // bob
/// let counts = CohortCounts { transactions: 3, excluded_after_as_of: 0, latest: Some(feb) };
/// let table = cells.finish(&counts)?;
/// let jan = &table.cohorts[0];
/// assert_eq!((jan.label.as_str(), jan.size), ("2026-01", 2));
/// assert_eq!(jan.cells[1].map(|c| c.active), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CohortCells {
    options: CohortOptions,
    currency: Currency,
    /// Per cohort (period index of acquisition): its customers and its cells by periods since
    /// acquisition, (active customers, revenue).
    rows: BTreeMap<i64, CohortRow>,
    /// The period containing an explicit `as_of`: later periods are outside the table.
    last: Option<i64>,
    customers: u64,
    /// Cells held over all rows; above [`MAX_CELLS`] the table is refused at `finish` anyway,
    /// so cells are no longer kept (`oversized`).
    held: u64,
    oversized: bool,
}

/// A cohort's size and cells, as [`CohortCells`] accumulates them.
#[derive(Debug, Clone, Default)]
struct CohortRow {
    size: u64,
    cells: Vec<(u64, Decimal)>,
}

impl CohortCells {
    /// No customers yet; amounts in `currency`.
    #[must_use]
    pub fn new(currency: Currency, options: CohortOptions) -> Self {
        CohortCells {
            options,
            currency,
            rows: BTreeMap::new(),
            last: options.as_of.map(|d| options.granularity.period_index(d)),
            customers: 0,
            held: 0,
            oversized: false,
        }
    }

    /// Adds one customer: `(period index, revenue)` of every period in which it has a counted
    /// transaction, each period once, in any order. An empty slice adds nothing. Periods after
    /// the one containing `as_of` are outside the table (readers leave their rows out).
    ///
    /// # Errors
    /// [`Error::Types`] when revenue overflows.
    pub fn add_customer(&mut self, periods: &[(i64, Decimal)]) -> Result<()> {
        let Some(cohort) = periods.iter().map(|&(p, _)| p).min() else {
            return Ok(());
        };
        for &(p, revenue) in periods {
            // p >= cohort; a difference out of range is a cell never shown.
            let k = p
                .checked_sub(cohort)
                .and_then(|k| u64::try_from(k).ok())
                .unwrap_or(u64::MAX);
            self.add_cell(cohort, k, 1, revenue)?;
        }
        Ok(())
    }

    /// Adds one cell's counts from a reader that assigned each customer its cohort (its first
    /// period) itself: `active` customers of cohort `cohort` with a transaction `k` periods after
    /// it, and their revenue. The cell at `k = 0` holds every customer of the cohort, so it adds
    /// to the cohort's size. Cells after the period containing `as_of` are outside the table.
    ///
    /// # Errors
    /// [`Error::Types`] when revenue overflows.
    pub fn add_cell(&mut self, cohort: i64, k: u64, active: u64, revenue: Decimal) -> Result<()> {
        let row = self.rows.entry(cohort).or_default();
        if k == 0 {
            row.size += active;
            self.customers += active;
        }
        let beyond = self
            .last
            .is_some_and(|last| i64::try_from(k).map_or(true, |k| cohort + k > last));
        if self.oversized || k >= MAX_PERIODS || beyond {
            return Ok(());
        }
        let k = k as usize;
        if k >= row.cells.len() {
            self.held += (k + 1 - row.cells.len()) as u64;
            if self.held > MAX_CELLS {
                self.oversized = true;
                self.rows.values_mut().for_each(|r| r.cells = Vec::new());
                return Ok(());
            }
            row.cells.resize(k + 1, (0, Decimal::ZERO));
        }
        let cell = &mut row.cells[k];
        cell.0 += active;
        cell.1 = add_revenue(cell.1, revenue)?;
        Ok(())
    }

    /// Merges the customers of `other` (disjoint from this one's, same options and currency)
    /// into this one: associative and commutative, so that readers can split the customers
    /// among threads.
    ///
    /// # Errors
    /// [`Error::Types`] when revenue overflows.
    pub fn merge(&mut self, other: CohortCells) -> Result<()> {
        self.customers += other.customers;
        self.oversized |= other.oversized;
        for (cohort, theirs) in other.rows {
            let mine = self.rows.entry(cohort).or_default();
            mine.size += theirs.size;
            if theirs.cells.len() > mine.cells.len() {
                mine.cells.resize(theirs.cells.len(), (0, Decimal::ZERO));
            }
            for (m, t) in mine.cells.iter_mut().zip(theirs.cells) {
                m.0 += t.0;
                m.1 = add_revenue(m.1, t.1)?;
            }
        }
        self.held = self.rows.values().map(|r| r.cells.len() as u64).sum();
        if self.oversized || self.held > MAX_CELLS {
            self.oversized = true;
            self.rows.values_mut().for_each(|r| r.cells = Vec::new());
        }
        Ok(())
    }

    /// The table; `as_of` is the options' or else `counts.latest`.
    ///
    /// # Errors
    /// [`Error::TooManyPeriods`] above [`MAX_PERIODS`] periods, [`Error::TableTooLarge`]
    /// above [`MAX_CELLS`] cells, [`Error::Types`] for periods outside the calendar.
    pub fn finish(self, counts: &CohortCounts) -> Result<CohortTable> {
        let g = self.options.granularity;
        let as_of = self.options.as_of.or(counts.latest);
        let mut total = Decimal::ZERO;
        for row in self.rows.values() {
            for cell in &row.cells {
                total = add_revenue(total, cell.1)?;
            }
        }
        let mut table = CohortTable {
            granularity: g,
            as_of,
            currency: self.currency,
            cohorts: Vec::new(),
            customers: self.customers,
            transactions: counts.transactions,
            excluded_after_as_of: counts.excluded_after_as_of,
            total_revenue: Money::new(total, self.currency),
        };
        let Some(as_of) = as_of else { return Ok(table) };
        let last = period_index(g, as_of)?;
        let Some(&first) = self.rows.keys().next() else {
            return Ok(table);
        };
        let periods = u64::try_from(last - first + 1).unwrap_or(0);
        if periods > MAX_PERIODS {
            return Err(Error::TooManyPeriods {
                periods,
                first: period_of(g, first)?.start(),
                last: as_of,
                limit: MAX_PERIODS,
            });
        }
        let width = usize::try_from(periods).unwrap_or(0);
        let (n_rows, n_cols) = (self.rows.len() as u64, width as u64);
        if n_rows.saturating_mul(n_cols) > MAX_CELLS || self.oversized {
            return Err(Error::TableTooLarge {
                cohorts: n_rows,
                periods: n_cols,
                limit: MAX_CELLS,
            });
        }
        for (&f, row) in &self.rows {
            let period = period_of(g, f)?;
            let observed = usize::try_from(last - f + 1).unwrap_or(0);
            let cells = (0..width)
                .map(|k| {
                    if k >= observed {
                        return Ok(None);
                    }
                    let (active, revenue) = row.cells.get(k).copied().unwrap_or((0, Decimal::ZERO));
                    Ok(Some(CohortCell {
                        active,
                        retention: Rate::from_ratio(active, row.size)?,
                        revenue: Money::new(revenue, self.currency),
                    }))
                })
                .collect::<Result<Vec<_>>>()?;
            table.cohorts.push(Cohort {
                label: period.label(g),
                period,
                size: row.size,
                cells,
            });
        }
        Ok(table)
    }
}

/// `a + b`, or the cohort revenue overflow error.
fn add_revenue(a: Decimal, b: Decimal) -> Result<Decimal> {
    Ok(a.checked_add(b).ok_or(attain_types::Error::Overflow {
        operation: "cohort revenue",
    })?)
}

/// One cell of a cohort table: a cohort in one period since acquisition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CohortCell {
    /// Customers of the cohort who bought in the period.
    pub active: u64,
    /// `active / cohort size`, in `0..=1` (exactly 1 in period 0).
    pub retention: Rate,
    /// The cohort's revenue in the period, exact.
    pub revenue: Money,
}

/// The customers first acquired in one period, followed over the periods since.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Cohort {
    /// The acquisition period.
    pub period: Period,
    /// Its label (`2026-03`, `2026-W10`, `2026-Q1`).
    pub label: String,
    /// Customers acquired in the period.
    pub size: u64,
    /// `cells[k]` covers the `k`-th period after acquisition (`k = 0` is the acquisition
    /// period); `None` where the period starts after `as_of`.
    pub cells: Vec<Option<CohortCell>>,
}

impl Cohort {
    /// Retention `k` periods after acquisition; `None` if not observed yet (or beyond the
    /// table).
    #[must_use]
    pub fn retention(&self, k: usize) -> Option<Rate> {
        self.cells.get(k).copied().flatten().map(|c| c.retention)
    }

    /// The cohort's revenue over every observed period.
    ///
    /// # Errors
    /// [`Error::Types`] on overflow.
    pub fn revenue(&self, currency: Currency) -> Result<Money> {
        Ok(Money::try_sum(
            self.cells.iter().flatten().map(|c| c.revenue),
            currency,
        )?)
    }
}

/// A cohort table: one [`Cohort`] per acquisition period, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CohortTable {
    /// The period length.
    pub granularity: Granularity,
    /// The last day covered (`None` only for an empty log without an explicit `as_of`).
    pub as_of: Option<NaiveDate>,
    /// The currency of every amount.
    pub currency: Currency,
    /// The cohorts, oldest first.
    pub cohorts: Vec<Cohort>,
    /// Distinct customers in the table (the sum of cohort sizes).
    pub customers: u64,
    /// Transactions counted (excluding those after `as_of`).
    pub transactions: u64,
    /// Transactions left out because they are dated after an explicit `as_of`.
    pub excluded_after_as_of: u64,
    /// The revenue of every counted transaction (the sum over all cells).
    pub total_revenue: Money,
}

impl CohortTable {
    /// The number of cells of every cohort: periods from the oldest cohort to `as_of`.
    #[must_use]
    pub fn width(&self) -> usize {
        self.cohorts.first().map_or(0, |c| c.cells.len())
    }
}

/// The cohort table of a whole log in memory (the shared [`Transaction`] rows, by value or by
/// reference, amounts in `currency`); see [`CohortBuilder`] to stream one.
///
/// ```
/// use attain_lifecycle::cohort::{cohort_table, CohortOptions};
/// use attain_types::{Currency, Granularity, NaiveDate, Transaction, dec};
/// let t = |c, y, m, d| -> Result<Transaction<'_>, &str> {
///     Ok(Transaction {
///         customer_id: c,
///         date: NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date")?,
///         amount: dec!(10),
///         order_id: None,
///     })
/// };
/// let log = [t("a", 2026, 1, 5)?, t("b", 2026, 4, 2)?, t("a", 2026, 7, 1)?];
/// let opts = CohortOptions::default().granularity(Granularity::Quarter);
/// let table = cohort_table(&log, Currency::USD, opts)?;
/// let q1 = &table.cohorts[0];
/// assert_eq!(q1.label, "2026-Q1");
/// // a skipped Q2 and came back in Q3: 0% then 100%
/// assert_eq!(q1.retention(1).map(|r| r.to_decimal()), Some(dec!(0)));
/// assert_eq!(q1.retention(2).map(|r| r.to_decimal()), Some(dec!(1)));
/// // Q2's cohort cannot have been observed two quarters on yet
/// assert_eq!(table.cohorts[1].cells[2], None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`CohortBuilder::push`] and [`CohortBuilder::finish`].
pub fn cohort_table<'a, I>(
    transactions: I,
    currency: Currency,
    options: CohortOptions,
) -> Result<CohortTable>
where
    I: IntoIterator,
    I::Item: Borrow<Transaction<'a>>,
{
    let mut b = CohortBuilder::new(currency, options);
    for t in transactions {
        b.push_transaction(t.borrow())?;
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_index_round_trips() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        for g in [
            Granularity::Day,
            Granularity::IsoWeek,
            Granularity::Month,
            Granularity::Quarter,
            Granularity::Year,
        ] {
            let i = period_index(g, d).unwrap();
            let p = period_of(g, i).unwrap();
            assert!(p.contains(d), "{g:?}: {p} does not contain {d}");
            assert_eq!(period_index(g, p.start()).unwrap(), i);
            let next = period_of(g, i + 1).unwrap();
            assert_eq!(next.start(), p.end(), "{g:?}");
        }
        // ISO weeks start on Monday.
        let w = period_of(
            Granularity::IsoWeek,
            period_index(Granularity::IsoWeek, d).unwrap(),
        )
        .unwrap();
        assert_eq!(w.start(), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }

    #[test]
    fn far_apart_daily_dates_are_refused() {
        let mut b = CohortBuilder::new(
            Currency::USD,
            CohortOptions::default().granularity(Granularity::Day),
        );
        let m = Money::zero(Currency::USD);
        // 2 cohorts x about 2.9 million days.
        for y in [1000, 9000] {
            b.push(&y.to_string(), NaiveDate::from_ymd_opt(y, 1, 1).unwrap(), m)
                .unwrap();
        }
        assert!(matches!(b.finish(), Err(Error::TooManyPeriods { .. })));
    }

    #[test]
    fn too_many_cells_within_the_period_limit_are_refused() {
        // 2,300 daily cohorts x 2,300 days = 5.29 million cells > MAX_CELLS.
        let mut b = CohortBuilder::new(
            Currency::USD,
            CohortOptions::default().granularity(Granularity::Day),
        );
        let m = Money::zero(Currency::USD);
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        for i in 0..2_300_u64 {
            let day = start.checked_add_days(Days::new(i)).unwrap();
            b.push(&i.to_string(), day, m).unwrap();
        }
        assert!(matches!(
            b.finish(),
            Err(Error::TableTooLarge {
                cohorts: 2_300,
                periods: 2_300,
                ..
            })
        ));
    }

    #[test]
    fn a_stray_far_date_is_refused_not_drawn() {
        // A 1997 log with one row dated 9999-12-31: 96,036 months.
        let mut b = CohortBuilder::new(Currency::USD, CohortOptions::default());
        let m = Money::zero(Currency::USD);
        b.push("a", NaiveDate::from_ymd_opt(1997, 1, 1).unwrap(), m)
            .unwrap();
        b.push("b", NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(), m)
            .unwrap();
        let err = b.finish().unwrap_err();
        assert_eq!(
            err,
            Error::TooManyPeriods {
                periods: 96_036,
                first: NaiveDate::from_ymd_opt(1997, 1, 1).unwrap(),
                last: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
                limit: MAX_PERIODS,
            }
        );
        assert_eq!(
            err.to_string(),
            "cohort table would span 96036 periods from 1997-01-01 to 9999-12-31, more than the limit of 10000: check for a stray date"
        );
    }

    #[test]
    fn max_periods_is_inclusive() {
        let year = |y| NaiveDate::from_ymd_opt(y, 6, 1).unwrap();
        let m = Money::zero(Currency::USD);
        let opts = CohortOptions::default().granularity(Granularity::Year);
        // Years 1 to 10,000: exactly MAX_PERIODS periods.
        let mut b = CohortBuilder::new(Currency::USD, opts);
        b.push("a", year(1), m).unwrap();
        b.push("b", year(10_000), m).unwrap();
        let table = b.finish().unwrap();
        assert_eq!(table.width() as u64, MAX_PERIODS);
        // One more year: refused.
        let mut b = CohortBuilder::new(Currency::USD, opts);
        b.push("a", year(1), m).unwrap();
        b.push("b", year(10_001), m).unwrap();
        assert!(matches!(
            b.finish(),
            Err(Error::TooManyPeriods {
                periods: 10_001,
                ..
            })
        ));
    }
}
