//! Per-customer activity by calendar period, from one pass of the fast CSV reader: each
//! customer's first and last purchase day, its rows, and the exact revenue of every period in
//! which it bought. Cohort tables are built from it (`attain-lifecycle`'s
//! `cohort::CohortCells`), without a map per customer.
//!
//! The reader is [`crate::csv::read_activity_path`]. Per customer, the engine's slot holds the
//! days and the row count, and the periods are a list, sorted newest first, in the table's
//! store: a date-sorted log touches the list's head only.
//!
//! [`CustomerActivity`] is a monoid: [`CustomerActivity::merge`] is associative and
//! commutative, and merging the activities of any split of a customer's rows gives the
//! activity of all of them (property-tested against the reader).

use std::collections::HashMap;

use attain_types::wide::exact_add;
use attain_types::{Decimal, Granularity, NaiveDate, Transaction};

use crate::aggregate::{CustomerValues, IngestReport};
use crate::fast::{Bail, Layout, Row, SlotState, Table, day_to_date};
use crate::hash::FxBuild;
use crate::{Error, Result};

/// One customer's activity: first and last purchase day, rows, and revenue per period.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomerActivity {
    /// The customer's id.
    pub customer_id: String,
    /// The earliest transaction date.
    pub first: NaiveDate,
    /// The latest transaction date.
    pub last: NaiveDate,
    /// Transactions counted.
    pub rows: u64,
    /// `(period index, revenue)` of every period with a transaction, ascending by period
    /// ([`Granularity::period_index`]); revenue is the exact sum of the period's amounts, with
    /// the largest scale among them (as `Decimal` addition gives).
    pub periods: Vec<(i64, Decimal)>,
    /// The rows of each period, in the order of [`periods`](Self::periods) (they sum to
    /// [`rows`](Self::rows)).
    pub period_rows: Vec<u64>,
}

impl CustomerActivity {
    /// The activity of one transaction at `granularity`.
    #[must_use]
    pub fn from_transaction(t: &Transaction<'_>, granularity: Granularity) -> Self {
        CustomerActivity {
            customer_id: t.customer_id.to_owned(),
            first: t.date,
            last: t.date,
            rows: 1,
            periods: vec![(granularity.period_index(t.date), t.amount)],
            period_rows: vec![1],
        }
    }

    /// This activity, read at [`Granularity::Day`] (its periods are days,
    /// [`Granularity::period_index`] of a date), regrouped into the periods of `granularity`:
    /// the days of each period merged, their revenues and rows added exactly.
    ///
    /// ```
    /// use attain_rfm::activity::CustomerActivity;
    /// use attain_types::{Granularity, NaiveDate, Transaction, dec};
    /// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("date");
    /// let t = |date, amount| Transaction { customer_id: "ann", date, amount, order_id: None };
    /// let mut daily = CustomerActivity::from_transaction(&t(day(1, 5)?, dec!(10)), Granularity::Day);
    /// daily.merge(&CustomerActivity::from_transaction(&t(day(1, 20)?, dec!(2.5)), Granularity::Day))?;
    /// daily.merge(&CustomerActivity::from_transaction(&t(day(2, 1)?, dec!(4)), Granularity::Day))?;
    /// let monthly = daily.days_to(Granularity::Month)?;
    /// let jan = Granularity::Month.period_index(day(1, 1)?);
    /// assert_eq!(monthly.periods, vec![(jan, dec!(12.5)), (jan + 1, dec!(4))]);
    /// assert_eq!(monthly.period_rows, vec![2, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when a period is not a day of the calendar or `periods` and
    /// `period_rows` differ in length; [`Error::Overflow`] when a revenue or count leaves its
    /// range.
    pub fn days_to(&self, granularity: Granularity) -> Result<CustomerActivity> {
        if self.periods.len() != self.period_rows.len() {
            return Err(Error::Decode {
                reason: "periods and period_rows differ in length".to_owned(),
            });
        }
        let mut periods: Vec<(i64, Decimal)> = Vec::new();
        let mut period_rows: Vec<u64> = Vec::new();
        for (&(day, revenue), &rows) in self.periods.iter().zip(&self.period_rows) {
            let date = i32::try_from(day)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| Error::Decode {
                    reason: format!("period {day} is not a day of the calendar"),
                })?;
            let period = granularity.period_index(date);
            match (periods.last_mut(), period_rows.last_mut()) {
                (Some((p, r)), Some(n)) if *p == period => {
                    *r = exact_add(*r, revenue).ok_or(Error::Overflow {
                        operation: "period revenue",
                    })?;
                    *n = n.checked_add(rows).ok_or(Error::Overflow {
                        operation: "row count",
                    })?;
                }
                _ => {
                    periods.push((period, revenue));
                    period_rows.push(rows);
                }
            }
        }
        Ok(CustomerActivity {
            customer_id: self.customer_id.clone(),
            first: self.first,
            last: self.last,
            rows: self.rows,
            periods,
            period_rows,
        })
    }

    /// The customer's RFM values at `as_of` with `frequency` (for example
    /// [`ActivityTable::distinct_orders`]): recency from the last purchase, monetary the exact
    /// sum of every period's revenue (refunds included), first and last purchase set; what
    /// [`crate::aggregate`] gives with the default options for the same rows.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the sum leaves the `Decimal` range.
    pub fn rfm_values(&self, frequency: u64, as_of: NaiveDate) -> Result<CustomerValues> {
        let mut monetary = Decimal::ZERO;
        for &(_, revenue) in &self.periods {
            monetary = exact_add(monetary, revenue).ok_or(Error::Overflow {
                operation: "monetary sum",
            })?;
        }
        let mut values = CustomerValues::new(
            &self.customer_id,
            (as_of - self.last).num_days(),
            frequency,
            monetary,
        );
        values.first_purchase = self.first;
        values.last_purchase = self.last;
        Ok(values)
    }

    /// Merges the activity of other rows of the same customer into this one (associative and
    /// commutative: periods are united, their revenues added exactly).
    ///
    /// # Errors
    ///
    /// [`Error::MergeMismatch`] when the customer ids differ or when `periods` and `period_rows`
    /// of either side differ in length; [`Error::Overflow`] when a count
    /// or a revenue leaves its range.
    pub fn merge(&mut self, other: &CustomerActivity) -> Result<()> {
        if self.customer_id != other.customer_id {
            return Err(Error::MergeMismatch {
                what: "customer_id",
            });
        }
        if self.periods.len() != self.period_rows.len()
            || other.periods.len() != other.period_rows.len()
        {
            return Err(Error::MergeMismatch {
                what: "period_rows",
            });
        }
        self.rows = self.rows.checked_add(other.rows).ok_or(Error::Overflow {
            operation: "row count",
        })?;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        let total = self.periods.len() + other.periods.len();
        let mut periods = Vec::with_capacity(total);
        let mut period_rows = Vec::with_capacity(total);
        let (mut i, mut j) = (0, 0);
        let overflow = |operation| Error::Overflow { operation };
        loop {
            let a = self.periods.get(i).zip(self.period_rows.get(i));
            let b = other.periods.get(j).zip(other.period_rows.get(j));
            let (period, rows) = match (a, b) {
                (Some((&(pa, ra), &na)), Some((&(pb, rb), &nb))) if pa == pb => {
                    i += 1;
                    j += 1;
                    let revenue = ra.checked_add(rb).ok_or(overflow("period revenue"))?;
                    let rows = na.checked_add(nb).ok_or(overflow("row count"))?;
                    ((pa, revenue), rows)
                }
                (Some((&x, &n)), Some((&y, _))) if x.0 < y.0 => {
                    i += 1;
                    (x, n)
                }
                (_, Some((&y, &n))) => {
                    j += 1;
                    (y, n)
                }
                (Some((&x, &n)), None) => {
                    i += 1;
                    (x, n)
                }
                (None, None) => break,
            };
            periods.push(period);
            period_rows.push(rows);
        }
        self.periods = periods;
        self.period_rows = period_rows;
        Ok(())
    }
}

/// One period of a customer in a table's store: the revenue in hundredths, its rows, and the
/// next (older) period of the customer with the revenue's largest written scale packed in.
#[derive(Clone, Copy)]
pub(crate) struct PeriodEntry {
    period: i32,
    /// Bits 0..30: the next entry's index + 1 (0: none); bits 30..32: the scale (0..=2).
    next_scale: u32,
    hundredths: i64,
    rows: u32,
}

const NEXT_BITS: u32 = 30;
const NEXT_MASK: u32 = (1 << NEXT_BITS) - 1;

impl PeriodEntry {
    fn next(self) -> u32 {
        self.next_scale & NEXT_MASK
    }

    fn scale(self) -> u8 {
        (self.next_scale >> NEXT_BITS) as u8
    }

    fn with(next: u32, scale: u8) -> u32 {
        next | (u32::from(scale) << NEXT_BITS)
    }
}

/// The periods of every customer of a table, and the day-to-period cache of its rows.
#[derive(Default)]
pub(crate) struct ActivityStore {
    pub(crate) granularity: Granularity,
    entries: Vec<PeriodEntry>,
    /// The last day looked up and its period (logs come in date order).
    cached: Option<(i32, i32)>,
}

impl ActivityStore {
    #[inline]
    fn period(&mut self, day: i32) -> Result<i32, Bail> {
        if let Some((d, p)) = self.cached
            && d == day
        {
            return Ok(p);
        }
        let date = day_to_date(day).ok_or(Bail)?;
        let p = i32::try_from(self.granularity.period_index(date)).map_err(|_| Bail)?;
        self.cached = Some((day, p));
        Ok(p)
    }

    fn push(&mut self, entry: PeriodEntry) -> Result<u32, Bail> {
        self.entries.push(entry);
        let index = u32::try_from(self.entries.len()).map_err(|_| Bail)?;
        if index > NEXT_MASK {
            return Err(Bail);
        }
        Ok(index)
    }
}

/// A customer's slot state for activity: days, rows and the head of its period list.
#[derive(Clone, Copy, Default)]
pub(crate) struct ActivityState {
    len: u16,
    first: i32,
    last: i32,
    rows: u32,
    /// The newest period's entry index + 1 (0: none yet).
    head: u32,
}

impl SlotState for ActivityState {
    type Store = ActivityStore;
    const ORDERED: bool = false;

    fn new(len: u16) -> Self {
        ActivityState {
            len,
            first: i32::MAX,
            last: i32::MIN,
            rows: 0,
            head: 0,
        }
    }

    #[inline]
    fn key_len(&self) -> u16 {
        self.len
    }

    #[inline]
    fn add(&mut self, store: &mut ActivityStore, row: &Row<'_>, _: &Layout) -> Result<(), Bail> {
        let period = store.period(row.day)?;
        self.rows = self.rows.checked_add(1).ok_or(Bail)?;
        self.first = self.first.min(row.day);
        self.last = self.last.max(row.day);
        // The list is sorted newest first: find the period or the place to insert it.
        let mut prev = 0u32;
        let mut at = self.head;
        while at != 0 {
            let e = store.entries.get_mut(at as usize - 1).ok_or(Bail)?;
            if e.period == period {
                e.hundredths = e.hundredths.checked_add(row.amount).ok_or(Bail)?;
                e.rows = e.rows.checked_add(1).ok_or(Bail)?;
                let scale = e.scale().max(row.scale);
                e.next_scale = PeriodEntry::with(e.next(), scale);
                return Ok(());
            }
            if e.period < period {
                break;
            }
            prev = at;
            at = e.next();
        }
        let new = store.push(PeriodEntry {
            period,
            next_scale: PeriodEntry::with(at, row.scale),
            hundredths: row.amount,
            rows: 1,
        })?;
        if prev == 0 {
            self.head = new;
        } else {
            let p = store.entries.get_mut(prev as usize - 1).ok_or(Bail)?;
            p.next_scale = PeriodEntry::with(new, p.scale());
        }
        Ok(())
    }
}

/// Every customer's activity, as read by [`crate::csv::read_activity_path`], held in the
/// reader's tables (no copy per customer): walk it with [`for_each_customer`](Self::for_each_customer).
pub struct ActivityTable {
    pub(crate) granularity: Granularity,
    pub(crate) tables: Vec<Table<ActivityState>>,
    pub(crate) report: IngestReport,
    /// With order tracking ([`crate::csv::read_activity_with_orders_path`]): the rows of each
    /// customer that repeat a (customer, order id) pair already seen, for the customers that
    /// have any.
    pub(crate) repeated_orders: Option<HashMap<String, u64, FxBuild>>,
}

impl std::fmt::Debug for ActivityTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityTable")
            .field("granularity", &self.granularity)
            .field("customers", &self.customers())
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl ActivityTable {
    /// The period length of [`CustomerActivity::periods`].
    #[must_use]
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// Distinct customers (with at least one counted row).
    #[must_use]
    pub fn customers(&self) -> usize {
        self.tables.iter().map(|t| t.count).sum()
    }

    /// Rows read, used and dated after `as_of`.
    #[must_use]
    pub fn report(&self) -> IngestReport {
        self.report
    }

    /// The customer's distinct orders, as [`FrequencyMode::DistinctOrders`] counts them (distinct
    /// order ids compared as exact text; a row without an order id, or every row of a file
    /// without an order column, counts one), for a table read with
    /// [`read_activity_with_orders_path`](crate::csv::read_activity_with_orders_path); `None`
    /// for a table read without order tracking.
    ///
    /// [`FrequencyMode::DistinctOrders`]: crate::FrequencyMode::DistinctOrders
    #[must_use]
    pub fn distinct_orders(&self, activity: &CustomerActivity) -> Option<u64> {
        let repeated = self.repeated_orders.as_ref()?;
        let extra = repeated.get(&activity.customer_id).copied().unwrap_or(0);
        Some(activity.rows.saturating_sub(extra))
    }

    /// Calls `f` with every customer's activity, in no particular order (one buffer reused).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a revenue leaves the `Decimal` range, [`Error::Decode`] for a
    /// customer id or day the reader should not have let through; any error `f` returns (stops
    /// the walk).
    pub fn for_each_customer<E: From<Error>>(
        &self,
        mut f: impl FnMut(&CustomerActivity) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut c = empty_activity();
        for t in &self.tables {
            walk(t, &mut c, &mut f)?;
        }
        Ok(())
    }

    /// [`for_each_customer`](Self::for_each_customer) on one thread per hash partition of the
    /// customers: each thread folds its customers into its own `init()` with `f`; the results
    /// are returned (in no particular order) for the caller to merge.
    ///
    /// # Errors
    ///
    /// As [`for_each_customer`](Self::for_each_customer): the first error of any thread.
    pub fn fold_customers<T: Send, E: From<Error> + Send>(
        &self,
        init: impl Fn() -> T + Sync,
        f: impl Fn(&mut T, &CustomerActivity) -> Result<(), E> + Sync,
    ) -> Result<Vec<T>, E> {
        let (init, f) = (&init, &f);
        std::thread::scope(|s| {
            let handles: Vec<_> = self
                .tables
                .iter()
                .map(|t| {
                    s.spawn(move || {
                        let mut acc = init();
                        walk(t, &mut empty_activity(), &mut |c| f(&mut acc, c))?;
                        Ok(acc)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(E::from(Error::Decode {
                            reason: "a customer walk stopped".to_owned(),
                        }))
                    })
                })
                .collect()
        })
    }
}

fn empty_activity() -> CustomerActivity {
    CustomerActivity {
        customer_id: String::new(),
        first: NaiveDate::MIN,
        last: NaiveDate::MIN,
        rows: 0,
        periods: Vec::new(),
        period_rows: Vec::new(),
    }
}

/// Calls `f` with the activity of every customer of `t`, built in `c`.
fn walk<E: From<Error>>(
    t: &Table<ActivityState>,
    c: &mut CustomerActivity,
    f: &mut impl FnMut(&CustomerActivity) -> Result<(), E>,
) -> Result<(), E> {
    let decode = |reason: &str| Error::Decode {
        reason: reason.to_owned(),
    };
    for slot in t.slots.iter().filter(|s| s.state.len != 0) {
        let s = slot.state;
        let mut tmp = [0u8; 8];
        let id = std::str::from_utf8(slot.key(&t.arena, &mut tmp))
            .map_err(|_| decode("customer id is not UTF-8"))?;
        c.customer_id.clear();
        c.customer_id.push_str(id);
        c.first = day_to_date(s.first).ok_or_else(|| decode("day out of range"))?;
        c.last = day_to_date(s.last).ok_or_else(|| decode("day out of range"))?;
        c.rows = u64::from(s.rows);
        c.periods.clear();
        c.period_rows.clear();
        let mut at = s.head;
        while at != 0 {
            let e = t
                .store
                .entries
                .get(at as usize - 1)
                .copied()
                .ok_or_else(|| decode("period list"))?;
            let scale = e.scale();
            let mantissa = i128::from(e.hundredths) / [100, 10, 1][usize::from(scale) % 3];
            let revenue =
                Decimal::try_from_i128_with_scale(mantissa, u32::from(scale)).map_err(|_| {
                    Error::Overflow {
                        operation: "period revenue",
                    }
                })?;
            c.periods.push((i64::from(e.period), revenue));
            c.period_rows.push(u64::from(e.rows));
            at = e.next();
        }
        c.periods.reverse();
        c.period_rows.reverse();
        f(c)?;
    }
    Ok(())
}

/// A cohort table's cells counted during the pass itself, for logs in date order: a
/// customer's cohort is the period of its first row, and each new period of the customer adds
/// it to one cell. A customer whose rows go back to an earlier period makes the reader give up
/// (then [`crate::csv::read_activity_path`] takes the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedCohorts {
    /// The period length of the cohorts and cells.
    pub granularity: Granularity,
    /// `(cohort period index, periods since acquisition, active customers, revenue)` of every
    /// cell with an active customer, sorted by cohort then period; the cell at 0 periods holds
    /// every customer of the cohort. Revenue is the exact sum of the cell's amounts, with the
    /// largest scale among them.
    pub cells: Vec<(i64, i64, u64, Decimal)>,
    /// The latest date of a counted row (`None` when no row counted).
    pub latest: Option<NaiveDate>,
    /// Rows read, used and dated after `as_of`.
    pub report: IngestReport,
}

/// A cell's counts in a table's store: customers, revenue in hundredths, its largest scale.
#[derive(Clone, Copy, Default)]
pub(crate) struct CellCount {
    active: u64,
    hundredths: i64,
    scale: u8,
}

/// The cells of a table's customers, keyed by (cohort, periods since acquisition).
#[derive(Default)]
pub(crate) struct OrderedStore {
    pub(crate) granularity: Granularity,
    pub(crate) cells: HashMap<(i32, i32), CellCount, FxBuild>,
    pub(crate) latest: Option<i32>,
    cached: Option<(i32, i32)>,
}

/// A customer's slot state for [`OrderedCohorts`]: its cohort and latest period.
#[derive(Clone, Copy, Default)]
pub(crate) struct OrderedState {
    len: u16,
    cohort: i32,
    last: i32,
}

impl SlotState for OrderedState {
    type Store = OrderedStore;
    const ORDERED: bool = true;

    fn new(len: u16) -> Self {
        OrderedState {
            len,
            cohort: i32::MIN,
            last: i32::MIN,
        }
    }

    #[inline]
    fn key_len(&self) -> u16 {
        self.len
    }

    #[inline]
    fn add(&mut self, store: &mut OrderedStore, row: &Row<'_>, _: &Layout) -> Result<(), Bail> {
        let period = match store.cached {
            Some((d, p)) if d == row.day => p,
            _ => {
                let date = day_to_date(row.day).ok_or(Bail)?;
                let p = i32::try_from(store.granularity.period_index(date)).map_err(|_| Bail)?;
                store.cached = Some((row.day, p));
                store.latest = Some(store.latest.map_or(row.day, |l| l.max(row.day)));
                p
            }
        };
        let new_period = if self.cohort == i32::MIN {
            self.cohort = period;
            true
        } else if period < self.last {
            // Out of date order across periods: the cohort may be wrong.
            return Err(Bail);
        } else {
            period != self.last
        };
        self.last = period;
        let k = period.checked_sub(self.cohort).ok_or(Bail)?;
        let cell = store.cells.entry((self.cohort, k)).or_default();
        if new_period {
            cell.active += 1;
        }
        cell.hundredths = cell.hundredths.checked_add(row.amount).ok_or(Bail)?;
        cell.scale = cell.scale.max(row.scale);
        Ok(())
    }
}

/// The cells of all tables, merged and sorted.
pub(crate) fn ordered_cells(
    tables: Vec<Table<OrderedState>>,
    granularity: Granularity,
    report: IngestReport,
) -> Result<OrderedCohorts> {
    let mut all: HashMap<(i32, i32), CellCount, FxBuild> = HashMap::default();
    let mut latest: Option<i32> = None;
    for t in tables {
        latest = latest.max(t.store.latest);
        for (key, c) in t.store.cells {
            let mine = all.entry(key).or_default();
            mine.active += c.active;
            mine.hundredths = mine
                .hundredths
                .checked_add(c.hundredths)
                .ok_or(Error::Overflow {
                    operation: "cohort revenue",
                })?;
            mine.scale = mine.scale.max(c.scale);
        }
    }
    let mut cells =
        all.into_iter()
            .map(|((cohort, k), c)| {
                let mantissa = i128::from(c.hundredths) / [100, 10, 1][usize::from(c.scale) % 3];
                let revenue = Decimal::try_from_i128_with_scale(mantissa, u32::from(c.scale))
                    .map_err(|_| Error::Overflow {
                        operation: "cohort revenue",
                    })?;
                Ok((i64::from(cohort), i64::from(k), c.active, revenue))
            })
            .collect::<Result<Vec<_>>>()?;
    cells.sort_unstable_by_key(|&(cohort, k, _, _)| (cohort, k));
    Ok(OrderedCohorts {
        granularity,
        cells,
        latest: latest.and_then(day_to_date),
        report,
    })
}
