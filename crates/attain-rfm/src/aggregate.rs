//! Per-customer aggregation: transactions in, recency / frequency / monetary values out.
//!
//! The per-customer [`CustomerState`] is a monoid: [`CustomerState::default`] is the identity
//! and [`CustomerState::merge`] is associative and commutative, so aggregating any partition
//! of a log and merging the parts gives exactly what aggregating the whole gives. The
//! [`Aggregator`] holds one state per customer and merges the same way.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use attain_types::{Decimal, Granularity, NaiveDate, Period};

use crate::hash::FxBuild;
use crate::{Error, Result};

pub use attain_types::{RepeatSummary, Transaction};

/// The same transactions as aligned columns (for example from Arrow or Polars arrays), so an
/// adapter is a thin layer. `customer_ids[i]`, `dates[i]`, `amounts[i]` and `order_ids[i]`
/// form row `i`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransactionColumns<'a, S> {
    /// Customer ids.
    pub customer_ids: &'a [S],
    /// Order dates.
    pub dates: &'a [NaiveDate],
    /// Amounts.
    pub amounts: &'a [Decimal],
    /// Order ids, if any.
    pub order_ids: Option<&'a [S]>,
}

impl<'a, S: AsRef<str>> TransactionColumns<'a, S> {
    /// The rows as [`Transaction`]s.
    ///
    /// # Errors
    ///
    /// [`Error::ColumnLength`] when a column's length differs from `customer_ids.len()`.
    pub fn rows(&self) -> Result<impl Iterator<Item = Transaction<'a>> + 'a> {
        let n = self.customer_ids.len();
        let check = |column, len| {
            if len == n {
                Ok(())
            } else {
                Err(Error::ColumnLength {
                    column,
                    len,
                    expected: n,
                })
            }
        };
        check("dates", self.dates.len())?;
        check("amounts", self.amounts.len())?;
        if let Some(o) = self.order_ids {
            check("order_ids", o.len())?;
        }
        let (c, d, a, o) = (self.customer_ids, self.dates, self.amounts, self.order_ids);
        Ok((0..n).map(move |i| Transaction {
            customer_id: c[i].as_ref(),
            date: d[i],
            amount: a[i],
            order_id: o.map(|o| o[i].as_ref()),
        }))
    }
}

/// What "frequency" counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FrequencyMode {
    /// The number of rows (order lines).
    Rows,
    /// The number of distinct order ids, compared as exact text (RFM benchmark job v1). Rows
    /// without an order id count one each. The default.
    #[default]
    DistinctOrders,
    /// The number of distinct purchase days, or of distinct purchase periods when
    /// [`AggregateOptions::period`] is coarser than a day.
    DistinctDays,
    /// Distinct purchase days (or periods) minus one: the repeat purchases of the BG/NBD model
    /// (`lifetimes` `frequency`; `freq="D"` by default, `freq="W"` with
    /// `period(Granularity::IsoWeek)`).
    RepeatDays,
}

/// What "monetary" is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum MonetaryMode {
    /// The exact sum of amounts. The default.
    #[default]
    Sum,
    /// The sum divided by the number of orders (distinct order ids when the log has them, plus
    /// rows without one; otherwise rows).
    MeanPerOrder,
    /// The sum divided by the number of distinct purchase days (or periods, see
    /// [`AggregateOptions::period`]).
    MeanPerDay,
    /// The mean of the daily (or per-period) sums after the first purchase day or period
    /// (`lifetimes` `monetary_value`); zero for a customer without a repeat day.
    MeanRepeatDays,
}

/// How negative amounts (returns, refunds) count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ReturnsMode {
    /// Refund rows count as activity and their amounts are subtracted. The default.
    #[default]
    Net,
    /// Refund rows count as activity (recency, frequency), but monetary sums only amounts
    /// `>= 0`: sales before returns.
    Gross,
    /// Refund rows are dropped before aggregation (counted in [`IngestReport::refunds`]).
    Excluded,
}

/// What happens to transactions dated after `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AfterAsOf {
    /// They are left out, and counted in [`IngestReport::after_as_of`]. The default.
    #[default]
    Exclude,
    /// They are used, and give a negative recency (RFM benchmark job v1 does this).
    Include,
}

/// How to aggregate. Build with `AggregateOptions::default()` and the by-value setters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AggregateOptions {
    /// What frequency counts.
    pub frequency: FrequencyMode,
    /// What monetary is.
    pub monetary: MonetaryMode,
    /// How refunds count.
    pub returns: ReturnsMode,
    /// Transactions after `as_of`.
    pub after_as_of: AfterAsOf,
    /// Also compute the [`RepeatSummary`] of each customer (needs per-day totals).
    pub repeat_summary: bool,
    /// The purchase period of the "days" modes ([`FrequencyMode::DistinctDays`],
    /// [`FrequencyMode::RepeatDays`], [`MonetaryMode::MeanPerDay`],
    /// [`MonetaryMode::MeanRepeatDays`]): purchases in the same day (the default), ISO week,
    /// month, quarter or year count as one. Recency and the [`RepeatSummary`] stay in days.
    pub period: Granularity,
}

impl AggregateOptions {
    /// Sets the frequency mode.
    #[must_use]
    pub fn frequency(mut self, mode: FrequencyMode) -> Self {
        self.frequency = mode;
        self
    }
    /// Sets the monetary mode.
    #[must_use]
    pub fn monetary(mut self, mode: MonetaryMode) -> Self {
        self.monetary = mode;
        self
    }
    /// Sets the returns mode.
    #[must_use]
    pub fn returns(mut self, mode: ReturnsMode) -> Self {
        self.returns = mode;
        self
    }
    /// Sets what happens to transactions after `as_of`.
    #[must_use]
    pub fn after_as_of(mut self, mode: AfterAsOf) -> Self {
        self.after_as_of = mode;
        self
    }
    /// Asks for the [`RepeatSummary`] of each customer.
    #[must_use]
    pub fn repeat_summary(mut self, yes: bool) -> Self {
        self.repeat_summary = yes;
        self
    }
    /// Sets the purchase period of the "days" modes (see [`AggregateOptions::period`]).
    #[must_use]
    pub fn period(mut self, period: Granularity) -> Self {
        self.period = period;
        self
    }
    /// What the per-customer state must remember for these options.
    #[must_use]
    pub fn tracking(&self) -> Tracking {
        Tracking {
            order_ids: matches!(self.frequency, FrequencyMode::DistinctOrders)
                || matches!(self.monetary, MonetaryMode::MeanPerOrder),
            days: self.repeat_summary
                || matches!(
                    self.frequency,
                    FrequencyMode::DistinctDays | FrequencyMode::RepeatDays
                )
                || matches!(
                    self.monetary,
                    MonetaryMode::MeanPerDay | MonetaryMode::MeanRepeatDays
                ),
        }
    }
}

/// What a [`CustomerState`] remembers beyond counts, sums and first/last dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tracking {
    /// The set of distinct order ids (exact distinct-order counts).
    pub order_ids: bool,
    /// Per-day totals (distinct days, repeat days, per-day means, the repeat summary).
    pub days: bool,
}

/// Net and gross totals of one purchase day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DayTotal {
    /// Sum of all amounts that day.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub net: Decimal,
    /// Sum of the amounts `>= 0` that day.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub gross: Decimal,
}

/// The mergeable state of one customer: a monoid under [`CustomerState::merge`] with
/// [`CustomerState::default`] as identity.
///
/// It holds row count, first and last date, net and gross sums, and, when tracked, the set of
/// order ids and per-day totals. The order-id set is exact and compact: ids of at most 15
/// bytes are kept as packed 16-byte keys in one sorted vector (no allocation per id), longer
/// ids as text. States that track different things do not merge
/// ([`Error::MergeMismatch`]): a distinct-order count or a per-day summary cannot be had from
/// a part that did not keep it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerState {
    rows: u64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    net: Decimal,
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    gross: Decimal,
    anonymous_orders: u64,
    /// Boxed, so that a state is 96 bytes (a million of them in an engine's table): a state
    /// that tracks no order ids pays one pointer for the set, one that does pays one more
    /// allocation beside the set's own vector (measured: no change in `aggregate_par`).
    order_ids: Option<Box<OrderIds>>,
    days: Option<BTreeMap<NaiveDate, DayTotal>>,
}

/// The longest order id kept as a packed 128-bit key rather than as text.
pub(crate) const SHORT_ID_MAX: usize = 15;

/// A short order id (at most [`SHORT_ID_MAX`] bytes) packed into a `u128`, injectively: its
/// bytes big-endian in the top 15 bytes (zero padded), its length in the low byte. Keys
/// compare as the ids' bytes do, so a sorted key list is in the ids' byte order.
#[inline]
pub(crate) fn pack_short_id(id: &[u8]) -> Option<u128> {
    if id.len() > SHORT_ID_MAX {
        return None;
    }
    let mut b = [0u8; 16];
    b[..id.len()].copy_from_slice(id);
    b[15] = id.len() as u8;
    Some(u128::from_be_bytes(b))
}

/// The id bytes and length of a packed key (see [`pack_short_id`]), `None` when the key is
/// not canonical (length above 15 or non-zero padding).
pub(crate) fn unpack_short_id(key: u128) -> Option<([u8; 16], usize)> {
    let b = key.to_be_bytes();
    let len = usize::from(b[15]);
    if len > SHORT_ID_MAX || b[len..15].iter().any(|&x| x != 0) {
        return None;
    }
    Some((b, len))
}

/// The exact set of one customer's distinct order ids, kept compactly: ids of at most 15
/// bytes (the common case) as packed 128-bit keys (16 bytes each, no allocation per id) in
/// one vector, longer ids as text. Exact, never probabilistic: two keys are equal exactly
/// when the ids' texts are.
///
/// The key vector is a sorted, de-duplicated prefix of `sorted` keys followed by an
/// unsorted tail of recent insertions, merged into the prefix when it grows as long as the
/// prefix (so inserts cost amortised `O(log n)`).
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderIds {
    short: Vec<u128>,
    sorted: usize,
    long: BTreeSet<Box<str>>,
    /// Text bytes held by `long`.
    long_bytes: usize,
}

impl OrderIds {
    pub(crate) fn insert(&mut self, id: &str) {
        match pack_short_id(id.as_bytes()) {
            Some(key) => {
                self.short.push(key);
                let tail = self.short.len() - self.sorted;
                if tail > self.sorted.max(16) {
                    self.normalize();
                }
            }
            None => {
                if !self.long.contains(id) {
                    self.long_bytes += id.len();
                    self.long.insert(id.into());
                }
            }
        }
    }

    /// Sorts and de-duplicates the keys (the stable sort merges the sorted runs in linear time).
    pub(crate) fn normalize(&mut self) {
        if self.sorted != self.short.len() {
            self.short.sort();
            self.short.dedup();
            self.sorted = self.short.len();
        }
    }

    fn extend(&mut self, other: OrderIds) {
        if self.short.is_empty() {
            self.short = other.short;
            self.sorted = other.sorted;
        } else {
            self.short.extend_from_slice(&other.short);
            if self.short.len() - self.sorted > self.sorted.max(16) {
                self.normalize();
            }
        }
        if self.long.is_empty() {
            self.long = other.long;
            self.long_bytes = other.long_bytes;
        } else {
            for id in other.long {
                if !self.long.contains(&id) {
                    self.long_bytes += id.len();
                    self.long.insert(id);
                }
            }
        }
    }

    /// The short keys, sorted and unique (borrowed when already so).
    pub(crate) fn short_keys(&self) -> std::borrow::Cow<'_, [u128]> {
        if self.sorted == self.short.len() {
            std::borrow::Cow::Borrowed(&self.short)
        } else {
            let mut v = self.short.clone();
            v.sort_unstable();
            v.dedup();
            std::borrow::Cow::Owned(v)
        }
    }

    /// The ids longer than [`SHORT_ID_MAX`] bytes, ascending.
    pub(crate) fn long_ids(&self) -> &BTreeSet<Box<str>> {
        &self.long
    }

    pub(crate) fn len(&self) -> usize {
        self.short_keys().len() + self.long.len()
    }

    pub(crate) fn heap_size(&self) -> usize {
        // A B-tree entry costs its key plus about a third of a node's overhead.
        self.short.capacity() * size_of::<u128>()
            + self.long.len() * (size_of::<Box<str>>() + 8)
            + self.long_bytes
    }

    /// From sorted, unique short keys and long ids (trusted: the decoder checks them).
    pub(crate) fn from_parts(short: Vec<u128>, long: BTreeSet<Box<str>>) -> Self {
        let long_bytes = long.iter().map(|s| s.len()).sum();
        OrderIds {
            sorted: short.len(),
            short,
            long,
            long_bytes,
        }
    }

    /// Every id as text, in byte order.
    #[cfg(feature = "serde")]
    fn texts(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .short_keys()
            .iter()
            .filter_map(|&k| {
                let (b, len) = unpack_short_id(k)?;
                String::from_utf8(b[..len].to_vec()).ok()
            })
            .chain(self.long.iter().map(|s| s.to_string()))
            .collect();
        all.sort_unstable();
        all
    }
}

impl PartialEq for OrderIds {
    fn eq(&self, other: &Self) -> bool {
        self.long == other.long && self.short_keys() == other.short_keys()
    }
}

impl Eq for OrderIds {}

/// The set serializes as the sorted sequence of the ids' texts (the format of a set of strings).
#[cfg(feature = "serde")]
impl serde::Serialize for OrderIds {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.texts())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for OrderIds {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let texts = <Vec<String> as serde::Deserialize>::deserialize(deserializer)?;
        let mut ids = OrderIds::default();
        for t in &texts {
            ids.insert(t);
        }
        ids.normalize();
        Ok(ids)
    }
}

/// `a + b`, exactly: an overflow, or a sum that `Decimal` could hold only by dropping
/// decimals (it would round), is [`Error::Overflow`], never a rounded total.
fn add_dec(a: Decimal, b: Decimal, operation: &'static str) -> Result<Decimal> {
    attain_types::wide::exact_add(a, b).ok_or(Error::Overflow { operation })
}

impl CustomerState {
    /// An empty state that remembers what `tracking` asks for.
    #[must_use]
    pub fn new(tracking: Tracking) -> Self {
        CustomerState {
            order_ids: tracking.order_ids.then(Box::default),
            days: tracking.days.then(BTreeMap::new),
            ..CustomerState::default()
        }
    }

    /// Adds one transaction (its customer id is not checked).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a sum leaves the `Decimal` range or the row count `u64`.
    pub fn add(&mut self, tx: &Transaction<'_>) -> Result<()> {
        let positive = if tx.amount.is_sign_negative() {
            Decimal::ZERO
        } else {
            tx.amount
        };
        self.rows = self.rows.checked_add(1).ok_or(Error::Overflow {
            operation: "row count",
        })?;
        self.net = add_dec(self.net, tx.amount, "monetary sum")?;
        self.gross = add_dec(self.gross, positive, "monetary sum")?;
        self.first = Some(self.first.map_or(tx.date, |d| d.min(tx.date)));
        self.last = Some(self.last.map_or(tx.date, |d| d.max(tx.date)));
        if let Some(ids) = &mut self.order_ids {
            match tx.order_id {
                Some(id) => ids.insert(id),
                None => self.anonymous_orders += 1,
            }
        }
        if let Some(days) = &mut self.days {
            let day = days.entry(tx.date).or_default();
            day.net = add_dec(day.net, tx.amount, "daily sum")?;
            day.gross = add_dec(day.gross, positive, "daily sum")?;
        }
        Ok(())
    }

    /// Merges another state into this one (associative and commutative, with
    /// [`CustomerState::default`] as identity on either side). On an error `self` is left as
    /// it was.
    ///
    /// # Errors
    ///
    /// [`Error::MergeMismatch`] when the states track different things (see [`Tracking`]);
    /// [`Error::Overflow`] when a sum leaves the `Decimal` range or could only be held
    /// rounded.
    pub fn merge(&mut self, other: CustomerState) -> Result<()> {
        let empty = CustomerState::default();
        if other == empty {
            return Ok(());
        }
        if *self == empty {
            *self = other;
            return Ok(());
        }
        if self.order_ids.is_some() != other.order_ids.is_some()
            || self.days.is_some() != other.days.is_some()
        {
            return Err(Error::MergeMismatch { what: "tracking" });
        }
        let rows = self.rows.checked_add(other.rows).ok_or(Error::Overflow {
            operation: "row count",
        })?;
        let net = add_dec(self.net, other.net, "monetary sum")?;
        let gross = add_dec(self.gross, other.gross, "monetary sum")?;
        let anonymous_orders = self
            .anonymous_orders
            .checked_add(other.anonymous_orders)
            .ok_or(Error::Overflow {
                operation: "order count",
            })?;
        // Per-day sums are computed before anything changes, so that an error leaves `self`
        // as it was.
        let day_sums = match (&self.days, &other.days) {
            (Some(a), Some(b)) => Some(
                b.iter()
                    .map(|(d, t)| {
                        let e = a.get(d).copied().unwrap_or_default();
                        Ok(DayTotal {
                            net: add_dec(e.net, t.net, "daily sum")?,
                            gross: add_dec(e.gross, t.gross, "daily sum")?,
                        })
                    })
                    .collect::<Result<Vec<DayTotal>>>()?,
            ),
            _ => None,
        };
        self.rows = rows;
        self.net = net;
        self.gross = gross;
        self.anonymous_orders = anonymous_orders;
        self.days = match (self.days.take(), other.days, day_sums) {
            (Some(mut a), Some(b), Some(sums)) => {
                for (d, sum) in b.into_keys().zip(sums) {
                    a.insert(d, sum);
                }
                Some(a)
            }
            _ => None,
        };
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.order_ids = match (self.order_ids.take(), other.order_ids) {
            (Some(mut a), Some(b)) => {
                a.extend(*b);
                Some(a)
            }
            _ => None,
        };
        Ok(())
    }

    /// Rows added so far.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Exact sum of all amounts.
    #[must_use]
    pub fn net(&self) -> Decimal {
        self.net
    }

    /// Exact sum of the amounts `>= 0`.
    #[must_use]
    pub fn gross(&self) -> Decimal {
        self.gross
    }

    /// The first and last purchase dates (`None` for the empty state).
    #[must_use]
    pub fn first_last(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.first.zip(self.last)
    }

    pub(crate) fn anonymous_orders(&self) -> u64 {
        self.anonymous_orders
    }

    pub(crate) fn order_id_set(&self) -> Option<&OrderIds> {
        self.order_ids.as_deref()
    }

    pub(crate) fn day_totals(&self) -> Option<&BTreeMap<NaiveDate, DayTotal>> {
        self.days.as_ref()
    }

    pub(crate) fn from_raw(
        rows: u64,
        first_last: Option<(NaiveDate, NaiveDate)>,
        net: Decimal,
        gross: Decimal,
        anonymous_orders: u64,
        order_ids: Option<OrderIds>,
        days: Option<BTreeMap<NaiveDate, DayTotal>>,
    ) -> Self {
        CustomerState {
            rows,
            first: first_last.map(|f| f.0),
            last: first_last.map(|f| f.1),
            net,
            gross,
            anonymous_orders,
            order_ids: order_ids.map(Box::new),
            days,
        }
    }

    /// Sorts and de-duplicates the order ids added since the last call, and releases spare
    /// capacity, so that [`CustomerState::heap_size`] is as small as the state can be.
    /// States compare equal and encode the same before and after: this only saves memory
    /// and later work (an engine calls it before it stores or ships a state).
    pub fn compact(&mut self) {
        if let Some(ids) = &mut self.order_ids {
            ids.normalize();
            ids.short.shrink_to_fit();
        }
    }

    /// An estimate of the heap memory the state holds, in bytes (for engines that account
    /// for memory, such as a DataFusion accumulator's `size`). Constant time.
    #[must_use]
    pub fn heap_size(&self) -> usize {
        // Constant time: the order-id set keeps its own byte count. A B-tree entry costs its
        // key and value plus about a third of a node's overhead.
        // The boxed set itself is on the heap too.
        let ids = self
            .order_ids
            .as_deref()
            .map_or(0, |ids| size_of::<OrderIds>() + ids.heap_size());
        let days = self.days.as_ref().map_or(0, |d| {
            d.len() * (size_of::<NaiveDate>() + size_of::<DayTotal>() + 8)
        });
        ids + days
    }

    pub(crate) fn orders(&self) -> u64 {
        match &self.order_ids {
            Some(ids) => ids.len() as u64 + self.anonymous_orders,
            None => self.rows,
        }
    }

    /// The values of this customer at `as_of`, or `None` for the empty state.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a mean cannot be represented.
    pub fn values(
        &self,
        customer_id: &str,
        as_of: NaiveDate,
        options: &AggregateOptions,
    ) -> Result<Option<CustomerValues>> {
        let Some((first, last)) = self.first_last() else {
            return Ok(None);
        };
        let money = |t: &DayTotal| {
            if options.returns == ReturnsMode::Gross {
                t.gross
            } else {
                t.net
            }
        };
        let total = money(&DayTotal {
            net: self.net,
            gross: self.gross,
        });
        // The purchase periods of the "days" modes: the days themselves, or rolled up.
        let rolled;
        let periods = match (&self.days, options.period) {
            (Some(days), Granularity::Day) => Some(days),
            (Some(days), g) => {
                let mut map: BTreeMap<NaiveDate, DayTotal> = BTreeMap::new();
                for (d, t) in days {
                    let start = Period::containing(*d, g)
                        .map_err(|_| Error::Overflow {
                            operation: "purchase period",
                        })?
                        .start();
                    let e = map.entry(start).or_default();
                    e.net = add_dec(e.net, t.net, "period sum")?;
                    e.gross = add_dec(e.gross, t.gross, "period sum")?;
                }
                rolled = map;
                Some(&rolled)
            }
            (None, _) => None,
        };
        let period_count = periods.map_or(0, |p| p.len() as u64);
        let frequency = match options.frequency {
            FrequencyMode::Rows => self.rows,
            FrequencyMode::DistinctOrders => self.orders(),
            FrequencyMode::DistinctDays => period_count,
            FrequencyMode::RepeatDays => period_count.saturating_sub(1),
        };
        let repeat_mean = |map: Option<&BTreeMap<NaiveDate, DayTotal>>| -> Result<Decimal> {
            let Some(map) = map else {
                return Ok(Decimal::ZERO);
            };
            if map.len() < 2 {
                return Ok(Decimal::ZERO);
            }
            let mut sum = Decimal::ZERO;
            for t in map.values().skip(1) {
                sum = add_dec(sum, money(t), "repeat-day sum")?;
            }
            div(sum, map.len() as u64 - 1)
        };
        let monetary = match options.monetary {
            MonetaryMode::Sum => total,
            MonetaryMode::MeanPerOrder => div(total, self.orders())?,
            MonetaryMode::MeanPerDay => div(total, period_count)?,
            MonetaryMode::MeanRepeatDays => repeat_mean(periods)?,
        };
        let repeat_summary = if options.repeat_summary {
            self.repeat_summary(as_of, options.returns)?.map(Box::new)
        } else {
            None
        };
        Ok(Some(CustomerValues {
            customer_id: customer_id.to_owned(),
            recency_days: (as_of - last).num_days(),
            frequency,
            monetary,
            first_purchase: first,
            last_purchase: last,
            repeat_summary,
        }))
    }
}

impl CustomerState {
    /// The customer's [`RepeatSummary`] at the cut-off `as_of`: purchase days up to `as_of`
    /// (later ones are left out, as in a calibration period), daily sums net of refunds or, with
    /// [`ReturnsMode::Gross`], of the amounts `>= 0` only. `None` when the state does not track
    /// days ([`Tracking::days`]) or has no purchase day up to `as_of`.
    ///
    /// ```
    /// use attain_rfm::{AggregateOptions, Aggregator, ReturnsMode, Transaction};
    /// use attain_types::{NaiveDate, dec};
    /// let d = |day| NaiveDate::from_ymd_opt(2026, 1, day).ok_or("bad date");
    /// let mut agg = Aggregator::new(d(31)?, AggregateOptions::default().repeat_summary(true));
    /// for (day, amount) in [(1, dec!(5)), (11, dec!(0.10)), (21, dec!(0.20)), (21, dec!(0.10))] {
    ///     agg.push(&Transaction { customer_id: "a", date: d(day)?, amount, order_id: None })?;
    /// }
    /// let (_, state) = agg.states().next().ok_or("one customer")?;
    /// let s = state.repeat_summary(d(31)?, ReturnsMode::Net)?.ok_or("tracked")?;
    /// assert_eq!((s.frequency(), s.t_x_days(), s.age_days()), (2, 20, 30));
    /// assert_eq!(s.mean_repeat_spend().normalize().to_string(), "0.2");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Types`] with an overflow when a repeat total leaves the `Decimal` range.
    pub fn repeat_summary(
        &self,
        as_of: NaiveDate,
        returns: ReturnsMode,
    ) -> Result<Option<RepeatSummary>> {
        let Some(days) = &self.days else {
            return Ok(None);
        };
        let money = |t: &DayTotal| {
            if returns == ReturnsMode::Gross {
                t.gross
            } else {
                t.net
            }
        };
        Ok(RepeatSummary::from_days(
            days.range(..=as_of).map(|(d, t)| (*d, money(t))),
            as_of,
        )?)
    }
}

pub(crate) fn div(sum: Decimal, count: u64) -> Result<Decimal> {
    if count == 0 {
        return Ok(Decimal::ZERO);
    }
    sum.checked_div(Decimal::from(count))
        .ok_or(Error::Overflow { operation: "mean" })
}

/// The recency, frequency and monetary values of one customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CustomerValues {
    /// The customer.
    pub customer_id: String,
    /// `as_of - last purchase`, in whole days (negative only with [`AfterAsOf::Include`]).
    pub recency_days: i64,
    /// As [`FrequencyMode`] says.
    pub frequency: u64,
    /// As [`MonetaryMode`] and [`ReturnsMode`] say; exact.
    #[cfg_attr(feature = "serde", serde(with = "attain_types::serde::decimal"))]
    pub monetary: Decimal,
    /// The first purchase date used.
    pub first_purchase: NaiveDate,
    /// The last purchase date used.
    pub last_purchase: NaiveDate,
    /// The repeat-purchase summary the CLV models read, when asked for with
    /// [`AggregateOptions::repeat_summary`] (boxed to keep the common case small); `None` also
    /// when every purchase is after `as_of` ([`AfterAsOf::Include`]).
    pub repeat_summary: Option<Box<RepeatSummary>>,
}

impl CustomerValues {
    /// Values built directly (for scoring customers aggregated elsewhere): the purchase dates
    /// are left at `NaiveDate::default()` (1970-01-01) and there is no repeat summary.
    #[must_use]
    pub fn new(customer_id: &str, recency_days: i64, frequency: u64, monetary: Decimal) -> Self {
        let d = NaiveDate::default();
        CustomerValues {
            customer_id: customer_id.to_owned(),
            recency_days,
            frequency,
            monetary,
            first_purchase: d,
            last_purchase: d,
            repeat_summary: None,
        }
    }
}

/// What happened to the input rows: nothing is dropped without being counted here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct IngestReport {
    /// Rows seen.
    pub rows_read: u64,
    /// Rows aggregated.
    pub rows_used: u64,
    /// Rows dated after `as_of` (used or not, as [`AfterAsOf`] says).
    pub after_as_of: u64,
    /// Rows with a negative amount (used or not, as [`ReturnsMode`] says).
    pub refunds: u64,
}

impl IngestReport {
    /// Rows read but not aggregated.
    #[must_use]
    pub fn rows_excluded(&self) -> u64 {
        self.rows_read.saturating_sub(self.rows_used)
    }

    pub(crate) fn merge(&mut self, o: &IngestReport) {
        self.rows_read += o.rows_read;
        self.rows_used += o.rows_used;
        self.after_as_of += o.after_as_of;
        self.refunds += o.refunds;
    }
}

/// The result of aggregation: one [`CustomerValues`] per customer, sorted by `customer_id`
/// (byte order), and the [`IngestReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RfmTable {
    /// The date recency counts back from.
    pub as_of: NaiveDate,
    /// One row per customer, sorted by customer id.
    pub customers: Vec<CustomerValues>,
    /// What happened to the input rows.
    pub report: IngestReport,
}

/// Aggregates transactions into per-customer states; mergeable with another aggregator of the
/// same `as_of` and options (for partitions, streams and parallel runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregator {
    as_of: NaiveDate,
    options: AggregateOptions,
    tracking: Tracking,
    customers: HashMap<String, CustomerState, FxBuild>,
    report: IngestReport,
}

impl Aggregator {
    /// An empty aggregator.
    #[must_use]
    pub fn new(as_of: NaiveDate, options: AggregateOptions) -> Self {
        Aggregator {
            as_of,
            options,
            tracking: options.tracking(),
            customers: HashMap::default(),
            report: IngestReport::default(),
        }
    }

    /// Adds one transaction, or counts it as excluded.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a sum overflows.
    pub fn push(&mut self, tx: &Transaction<'_>) -> Result<()> {
        self.report.rows_read += 1;
        if tx.date > self.as_of {
            self.report.after_as_of += 1;
            if self.options.after_as_of == AfterAsOf::Exclude {
                return Ok(());
            }
        }
        if tx.amount.is_sign_negative() && !tx.amount.is_zero() {
            self.report.refunds += 1;
            if self.options.returns == ReturnsMode::Excluded {
                return Ok(());
            }
        }
        match self.customers.get_mut(tx.customer_id) {
            Some(s) => s.add(tx)?,
            None => {
                let mut s = CustomerState::new(self.tracking);
                s.add(tx)?;
                self.customers.insert(tx.customer_id.to_owned(), s);
            }
        }
        self.report.rows_used += 1;
        Ok(())
    }

    /// Adds every transaction of an iterator.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a sum overflows.
    pub fn extend<'a, I: IntoIterator<Item = Transaction<'a>>>(&mut self, txs: I) -> Result<()> {
        for tx in txs {
            self.push(&tx)?;
        }
        Ok(())
    }

    /// Merges another aggregator into this one.
    ///
    /// # Errors
    ///
    /// [`Error::MergeMismatch`] when `as_of` or the options differ; [`Error::Overflow`].
    pub fn merge(&mut self, other: Aggregator) -> Result<()> {
        if self.as_of != other.as_of {
            return Err(Error::MergeMismatch { what: "as_of" });
        }
        if self.options != other.options {
            return Err(Error::MergeMismatch { what: "options" });
        }
        self.report.merge(&other.report);
        for (id, s) in other.customers {
            match self.customers.get_mut(&id) {
                Some(mine) => mine.merge(s)?,
                None => {
                    self.customers.insert(id, s);
                }
            }
        }
        Ok(())
    }

    /// The per-customer states (in no particular order).
    pub fn states(&self) -> impl Iterator<Item = (&str, &CustomerState)> {
        self.customers.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The report so far.
    #[must_use]
    pub fn report(&self) -> IngestReport {
        self.report
    }

    /// The values of every customer, sorted by customer id.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a mean cannot be represented.
    pub fn finish(self) -> Result<RfmTable> {
        let mut ids: Vec<(String, CustomerState)> = self.customers.into_iter().collect();
        ids.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut customers = Vec::with_capacity(ids.len());
        for (id, s) in &ids {
            if let Some(v) = s.values(id, self.as_of, &self.options)? {
                customers.push(v);
            }
        }
        Ok(RfmTable {
            as_of: self.as_of,
            customers,
            report: self.report,
        })
    }
}

/// Aggregates transactions at `as_of` (sequentially).
///
/// # Errors
///
/// [`Error::Overflow`] when a sum overflows.
pub fn aggregate<'a, I: IntoIterator<Item = Transaction<'a>>>(
    transactions: I,
    as_of: NaiveDate,
    options: AggregateOptions,
) -> Result<RfmTable> {
    let mut agg = Aggregator::new(as_of, options);
    agg.extend(transactions)?;
    agg.finish()
}

/// The [`RepeatSummary`] of every customer with a purchase on or before `as_of` (the end of
/// a calibration period), sorted by customer id: what the CLV models of attain-lifecycle read
/// (`CustomerSummary::from_repeat`). Later rows are left out; same-day purchases are one
/// purchase whose amount is their (net) sum. The same as [`aggregate`] with
/// [`AggregateOptions::repeat_summary`], without the RFM values.
///
/// ```
/// use attain_rfm::{Transaction, repeat_summaries};
/// use attain_types::{NaiveDate, dec};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
/// let tx = |c, date, amount| Transaction { customer_id: c, date, amount, order_id: None };
/// let log = [tx("b", d(1, 9)?, dec!(7)), tx("a", d(1, 1)?, dec!(10)),
///            tx("a", d(1, 15)?, dec!(4)), tx("a", d(1, 15)?, dec!(6)), tx("a", d(3, 1)?, dec!(1))];
/// let s = repeat_summaries(log, d(1, 31)?)?;
/// assert_eq!((s[0].0.as_str(), s[0].1.frequency(), s[0].1.t_x_days()), ("a", 1, 14));
/// assert_eq!(s[0].1.mean_repeat_spend(), dec!(10)); // 4 + 6 on one day; March is later
/// assert_eq!((s[1].1.frequency(), s[1].1.age_days()), (0, 22));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Overflow`] (or [`Error::Types`]) when a sum leaves the `Decimal` range.
pub fn repeat_summaries<'a, I: IntoIterator<Item = Transaction<'a>>>(
    transactions: I,
    as_of: NaiveDate,
) -> Result<Vec<(String, RepeatSummary)>> {
    let options = AggregateOptions::default()
        .frequency(FrequencyMode::Rows)
        .repeat_summary(true);
    Ok(aggregate(transactions, as_of, options)?
        .customers
        .into_iter()
        .filter_map(|c| Some((c.customer_id, *c.repeat_summary?)))
        .collect())
}

/// Aggregates a slice of transactions on all cores (rayon): each thread aggregates a part,
/// and the parts are merged. Same result as [`aggregate`].
///
/// # Errors
///
/// [`Error::Overflow`] when a sum overflows.
#[cfg(feature = "parallel")]
#[cfg_attr(docsrs, doc(cfg(feature = "parallel")))]
pub fn aggregate_par(
    transactions: &[Transaction<'_>],
    as_of: NaiveDate,
    options: AggregateOptions,
) -> Result<RfmTable> {
    use rayon::prelude::*;
    // One part per thread, so that only a handful of partial aggregates are merged.
    let parts = rayon::current_num_threads().max(1);
    let chunk = transactions.len().div_ceil(parts).max(1);
    let agg = transactions
        .par_chunks(chunk)
        .map(|part| {
            let mut a = Aggregator::new(as_of, options);
            a.extend(part.iter().copied())?;
            Ok::<Aggregator, Error>(a)
        })
        .try_reduce(
            || Aggregator::new(as_of, options),
            |mut a, b| {
                a.merge(b)?;
                Ok(a)
            },
        )?;
    agg.finish()
}

#[cfg(all(test, target_pointer_width = "64"))]
mod layout_tests {
    use super::*;

    #[test]
    fn a_state_is_96_bytes() {
        // 8 rows + 2 × 4 dates + 2 × 16 sums + 8 anonymous orders + 8 boxed order ids + 32
        // per-day totals: what an engine keeps per customer (152 with the set inline).
        assert_eq!(size_of::<CustomerState>(), 96);
    }

    #[test]
    fn heap_size_counts_the_boxed_order_id_set() {
        let untracked = CustomerState::new(Tracking::default());
        assert_eq!(untracked.heap_size(), 0);
        let mut s = CustomerState::new(Tracking {
            order_ids: true,
            days: false,
        });
        assert_eq!(s.heap_size(), size_of::<OrderIds>());
        let date = NaiveDate::from_ymd_opt(2026, 1, 2).expect("a date");
        s.add(&Transaction {
            customer_id: "c",
            date,
            amount: Decimal::ONE,
            order_id: Some("o1"),
        })
        .expect("a row");
        assert!(s.heap_size() > size_of::<OrderIds>());
    }
}
