//! The fast aggregation engine shared by the CSV and Arrow readers: customers interned in an
//! open-addressing table whose slots hold integer state, and one 64-bit hash per (customer,
//! order) pair for exact distinct-order counting.

use std::collections::HashSet;

use attain_types::input;
use attain_types::{Decimal, NaiveDate};
use chrono::Datelike;

use crate::aggregate::{
    AggregateOptions, CustomerValues, FrequencyMode, IngestReport, MonetaryMode, ReturnsMode,
    RfmTable, div,
};
use crate::hash::{FxBuild, fmix, hash_bytes};
use crate::{Error, Result};

/// The hash of a (customer, order) pair from the customer's hash and the order id's text.
#[inline]
pub(crate) fn pair_hash_with(customer_hash: u64, order: &[u8]) -> u64 {
    fmix(customer_hash.rotate_left(29) ^ hash_bytes(order) ^ 0x9e37_79b9_7f4a_7c15)
}

pub(crate) fn day_to_date(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day)
}

/// A date field as days from CE, by the shared grammar ([`input::parse_date`]): the
/// `YYYY-MM-DD` fast subset first, then the general parser (timestamps).
pub(crate) fn parse_day(b: &[u8]) -> Option<i32> {
    input::iso_date_days(b).or_else(|| {
        input::parse_date_bytes(b)
            .ok()
            .map(|d| d.num_days_from_ce())
    })
}

/// An id field of the fast path: the shared id rule ([`input::parse_id_bytes`]), with plain
/// ASCII ids checked without decoding.
#[inline]
pub(crate) fn fast_id(b: &[u8]) -> bool {
    input::is_plain_id(b) || input::parse_id_bytes(b).is_ok()
}

/// Fast amount: `-?[0-9]{1,16}(\.[0-9]{1,2})?` as (hundredths, scale, negative): a subset of
/// the shared grammar ([`input::parse_amount`]) that agrees with it wherever it returns a value.
#[inline]
pub(crate) fn parse_amount(b: &[u8]) -> Option<(i64, u8, bool)> {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (int, frac) = match b.len().checked_sub(3) {
        Some(p) if b[p] == b'.' => (&b[..p], &b[p + 1..]),
        _ => match b.len().checked_sub(2) {
            Some(p) if b[p] == b'.' => (&b[..p], &b[p + 1..]),
            _ => (b, &b[b.len()..]),
        },
    };
    if int.is_empty() || int.len() > 16 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in int.iter().chain(frac) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + i64::from(d);
    }
    let scale = frac.len();
    if scale == 1 {
        v *= 10;
    } else if scale == 0 {
        v *= 100;
    }
    Some((if neg { -v } else { v }, scale as u8, neg))
}

/// The fast parser gives up; the general reader takes over.
#[derive(Debug)]
pub(crate) struct Bail;

/// Whether the options can run on the fast engine (as for the CSV reader).
pub(crate) fn fast_modes(options: &AggregateOptions) -> bool {
    matches!(
        options.frequency,
        FrequencyMode::Rows | FrequencyMode::DistinctOrders
    ) && matches!(
        options.monetary,
        MonetaryMode::Sum | MonetaryMode::MeanPerOrder
    ) && !options.repeat_summary
}

/// Days from 0001-01-01 (CE) to 1970-01-01.
#[cfg(feature = "arrow")]
pub(crate) const CE_UNIX_EPOCH: i32 = 719_163;

/// Worker threads for a requested count: 0 means one per core; at most 64.
pub(crate) fn threads(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, 64)
}

/// The filters of `options` at `as_of`; order ids are tracked when the input has them and the
/// options need them.
pub(crate) fn layout(as_of: NaiveDate, options: &AggregateOptions, orders: bool) -> Layout {
    Layout {
        as_of: as_of.num_days_from_ce(),
        include_after: options.after_as_of == crate::AfterAsOf::Include,
        returns: options.returns,
        track_orders: orders && options.tracking().order_ids,
    }
}

/// The row filters and what is tracked.
pub(crate) struct Layout {
    /// `as_of` as days from CE.
    pub(crate) as_of: i32,
    pub(crate) include_after: bool,
    pub(crate) returns: ReturnsMode,
    pub(crate) track_orders: bool,
}

impl Layout {
    /// Counts a row in `report` and says whether it passes the `as_of` and refund filters.
    #[inline]
    pub(crate) fn admit(&self, day: i32, refund: bool, report: &mut IngestReport) -> bool {
        report.rows_read += 1;
        if day > self.as_of {
            report.after_as_of += 1;
            if !self.include_after {
                return false;
            }
        }
        if refund {
            report.refunds += 1;
            if self.returns == ReturnsMode::Excluded {
                return false;
            }
        }
        report.rows_used += 1;
        true
    }
}

/// One row as the engine sees it: the amount in hundredths with its written scale (0..=2).
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    pub(crate) customer: &'a [u8],
    /// Empty when the row has no order id (an anonymous order).
    pub(crate) order: &'a [u8],
    /// [`key_hash`] of `customer`.
    pub(crate) hash: u64,
    pub(crate) day: i32,
    pub(crate) amount: i64,
    pub(crate) scale: u8,
    pub(crate) neg: bool,
}

/// A customer id as a word: its bytes big-endian (ids of at most 8 bytes, so that words sort
/// as the bytes do) or, for longer ids, an offset into the key arena.
#[inline]
pub(crate) fn inline_word(key: &[u8]) -> u64 {
    if let Ok(w) = <[u8; 8]>::try_from(key) {
        return u64::from_be_bytes(w);
    }
    let mut w = 0u64;
    for (i, &b) in key.iter().take(8).enumerate() {
        w |= u64::from(b) << (56 - 8 * i);
    }
    w
}

#[inline]
fn inline_hash(word: u64, len: usize) -> u64 {
    fmix(word ^ ((len as u64) << 59))
}

#[inline]
pub(crate) fn key_hash(key: &[u8]) -> u64 {
    if key.len() <= 8 {
        inline_hash(inline_word(key), key.len())
    } else {
        hash_bytes(key)
    }
}

/// What the engine keeps per customer in its slot, and how a row updates it: the RFM values
/// ([`RfmState`]) or a job's own state (the cohorts' [`crate::activity`]). The key length lives
/// in the state so that the RFM slot stays 32 bytes.
pub(crate) trait SlotState: Copy + Default + Send {
    /// Per-table storage beside the slots (for state that does not fit in a slot).
    type Store: Default + Send;
    /// Whether a customer's rows must reach its state in file order (a state that takes the
    /// first row's date as given). A state whose `add` commutes may see them in any order.
    const ORDERED: bool;
    /// A new customer's state, for a key of `len` (> 0) bytes.
    fn new(len: u16) -> Self;
    /// The key's length; 0 marks an empty slot.
    fn key_len(&self) -> u16;
    /// Adds one row (of this customer, that passed the filters).
    fn add(&mut self, store: &mut Self::Store, row: &Row<'_>, layout: &Layout) -> Result<(), Bail>;
}

/// The RFM state of a customer: rows, first and last day, and the amounts' sum in hundredths
/// with the largest written scale.
#[derive(Clone, Copy, Default)]
pub(crate) struct RfmState {
    len: u16,
    scale: u8,
    rows: u32,
    first: i32,
    last: i32,
    sum: i64,
}

impl SlotState for RfmState {
    type Store = ();
    const ORDERED: bool = false;

    fn new(len: u16) -> Self {
        RfmState {
            len,
            scale: 0,
            rows: 0,
            first: i32::MAX,
            last: i32::MIN,
            sum: 0,
        }
    }

    #[inline]
    fn key_len(&self) -> u16 {
        self.len
    }

    #[inline]
    fn add(&mut self, (): &mut (), row: &Row<'_>, layout: &Layout) -> Result<(), Bail> {
        self.rows = self.rows.checked_add(1).ok_or(Bail)?;
        self.first = self.first.min(row.day);
        self.last = self.last.max(row.day);
        if !(row.neg && layout.returns == ReturnsMode::Gross) {
            self.sum = self.sum.checked_add(row.amount).ok_or(Bail)?;
            self.scale = self.scale.max(row.scale);
        }
        Ok(())
    }
}

/// One customer's slot in the open-addressing table (32 bytes for RFM; key length 0 is
/// empty), aligned so that a slot never straddles two cache lines.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
pub(crate) struct Slot<S> {
    /// The key's bytes (keys of at most 8 bytes) or its offset in the arena.
    pub(crate) word: u64,
    pub(crate) state: S,
}

impl<S: SlotState> Slot<S> {
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    /// The customer's id bytes (`tmp` holds an inline key).
    pub(crate) fn key<'t>(&self, arena: &'t [u8], tmp: &'t mut [u8; 8]) -> &'t [u8] {
        let len = usize::from(self.state.key_len());
        if len <= 8 {
            *tmp = self.word.to_be_bytes();
            &tmp[..len]
        } else {
            arena
                .get(self.word as usize..self.word as usize + len)
                .unwrap_or_default()
        }
    }
}

/// A customer's state and the table it came from, for the final sort (32 bytes).
#[derive(Clone, Copy)]
struct Rec {
    word: u64,
    sum: i64,
    rows: u32,
    first: i32,
    last: i32,
    len: u16,
    scale: u8,
    table: u8,
}

impl Rec {
    fn key<'t>(&self, tables: &'t [Table], tmp: &'t mut [u8; 8]) -> &'t [u8] {
        let len = usize::from(self.len);
        if len <= 8 {
            *tmp = self.word.to_be_bytes();
            &tmp[..len]
        } else {
            &tables[usize::from(self.table)].arena[self.word as usize..self.word as usize + len]
        }
    }
}

/// Customer ids interned in an open-addressing table whose slots hold the state, so that one
/// row touches one cache line.
#[derive(Default)]
pub(crate) struct Table<S: SlotState = RfmState> {
    pub(crate) slots: Vec<Slot<S>>,
    pub(crate) count: usize,
    pub(crate) arena: Vec<u8>,
    pairs: Vec<Vec<u64>>,
    pub(crate) report: IngestReport,
    /// The state's storage beside the slots.
    pub(crate) store: S::Store,
}

pub(crate) const BUCKETS: usize = 256;

impl<S: SlotState> Table<S> {
    pub(crate) fn new(pairs_hint: usize) -> Self {
        Table {
            slots: vec![Slot::default(); 1 << 14],
            count: 0,
            arena: Vec::new(),
            pairs: (0..BUCKETS)
                // The expected share of a bucket plus 1/16 and a little: hashes spread evenly, and
                // a vector that doubles briefly holds three times its data.
                .map(|_| Vec::with_capacity(pairs_hint / BUCKETS + pairs_hint / BUCKETS / 16 + 64))
                .collect(),
            report: IngestReport::default(),
            store: S::Store::default(),
        }
    }

    fn grow(&mut self) {
        let n = self.slots.len() * 4;
        let mask = n - 1;
        let mut slots: Vec<Slot<S>> = vec![Slot::default(); n];
        for s in self.slots.iter().filter(|s| s.state.key_len() != 0) {
            let len = usize::from(s.state.key_len());
            let h = if len <= 8 {
                inline_hash(s.word, len)
            } else {
                hash_bytes(&self.arena[s.word as usize..s.word as usize + len])
            };
            let mut p = h as usize & mask;
            while slots[p].state.key_len() != 0 {
                p = (p + 1) & mask;
            }
            slots[p] = *s;
        }
        self.slots = slots;
    }

    /// Adds a batch of rows: first touches every row's home slot, so that the cache misses of
    /// the batch overlap instead of queueing one after another.
    pub(crate) fn add_rows(&mut self, rows: &[Row<'_>], layout: &Layout) -> Result<(), Bail> {
        let mask = self.slots.len() - 1;
        let mut touch = 0u64;
        for r in rows {
            touch = touch.wrapping_add(self.slots[r.hash as usize & mask].word);
        }
        std::hint::black_box(touch);
        for r in rows {
            self.add_row(r, layout)?;
        }
        Ok(())
    }

    #[inline]
    fn add_row(&mut self, row: &Row<'_>, layout: &Layout) -> Result<(), Bail> {
        let key = row.customer;
        let len = u16::try_from(key.len()).map_err(|_| Bail)?;
        let inline = key.len() <= 8;
        let word = if inline { inline_word(key) } else { 0 };
        let mask = self.slots.len() - 1;
        let mut p = row.hash as usize & mask;
        loop {
            let s = &self.slots[p];
            let slot_len = s.state.key_len();
            if slot_len == 0 {
                break;
            }
            if slot_len == len
                && (if inline {
                    s.word == word
                } else {
                    &self.arena[s.word as usize..s.word as usize + key.len()] == key
                })
            {
                break;
            }
            p = (p + 1) & mask;
        }
        if self.slots[p].state.key_len() == 0 {
            let word = if inline {
                word
            } else {
                let off = self.arena.len() as u64;
                self.arena.extend_from_slice(key);
                off
            };
            self.slots[p] = Slot {
                word,
                state: S::new(len),
            };
            self.count += 1;
        }
        self.slots[p].state.add(&mut self.store, row, layout)?;
        if self.count * 4 > self.slots.len() * 3 {
            self.grow();
        }
        if layout.track_orders && !row.order.is_empty() {
            let ph = pair_hash_with(row.hash, row.order);
            self.pairs[(ph >> 56) as usize].push(ph);
        }
        Ok(())
    }
}

/// Hashes that occur more than once.
pub(crate) fn duplicate_hashes(buckets: Vec<Vec<Vec<u64>>>) -> HashSet<u64, FxBuild> {
    // Per bucket, an open-addressing set of the (already uniformly mixed) hashes; the bucket
    // number is the top byte, so the bits below it index the set.
    let find = |parts: Vec<Vec<u64>>| -> Vec<u64> {
        let len: usize = parts.iter().map(Vec::len).sum();
        let cap = (len * 2).next_power_of_two().max(16);
        let mask = cap - 1;
        let mut set = vec![0u64; cap];
        let mut zero_seen = false;
        let mut dups = Vec::new();
        for h in parts.into_iter().flatten() {
            if h == 0 {
                if zero_seen {
                    dups.push(0);
                }
                zero_seen = true;
                continue;
            }
            let mut p = (h >> 20) as usize & mask;
            loop {
                let v = set[p];
                if v == 0 {
                    set[p] = h;
                    break;
                }
                if v == h {
                    dups.push(h);
                    break;
                }
                p = (p + 1) & mask;
            }
        }
        dups
    };
    #[cfg(feature = "parallel")]
    let found: Vec<Vec<u64>> = {
        use rayon::prelude::*;
        buckets.into_par_iter().map(find).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let found: Vec<Vec<u64>> = buckets.into_iter().map(find).collect();
    found.into_iter().flatten().collect()
}

/// Turns the workers' tables into the result: finds ambiguous pair hashes, lets
/// `second_pass` feed the rows again to a [`Resolver`] when there are any, sorts the customers
/// and builds their values. `Ok(None)` means a worker or the second pass gave up.
pub(crate) fn finish(
    results: Vec<Result<Table, Bail>>,
    mut dup_hashes: HashSet<u64, FxBuild>,
    layout: &Layout,
    as_of: NaiveDate,
    options: &AggregateOptions,
    second_pass: impl FnOnce(&mut Resolver<'_>) -> Result<Option<()>>,
) -> Result<Option<RfmTable>> {
    let mut tables = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(t) => tables.push(t),
            Err(Bail) => return Ok(None),
        }
    }
    if tables.len() > 256 {
        return Ok(None);
    }
    dup_hashes.extend(take_duplicates(&mut tables));
    let mut report = IngestReport::default();
    for t in &tables {
        report.rows_read += t.report.rows_read;
        report.rows_used += t.report.rows_used;
        report.after_as_of += t.report.after_as_of;
        report.refunds += t.report.refunds;
    }

    // All customers as compact records, read table by table (sequentially), then sorted by id
    // bytes: ids of at most 8 bytes compare as their big-endian words, so the sort key of such
    // an id is (word, length) packed in a u128 with the record index.
    let mut recs: Vec<Rec> = Vec::with_capacity(tables.iter().map(|t| t.count).sum());
    for (ti, t) in tables.iter().enumerate() {
        for s in t.slots.iter().filter(|s| s.state.len != 0) {
            let (word, st) = (s.word, s.state);
            let (sum, rows, first, last, len, scale) =
                (st.sum, st.rows, st.first, st.last, st.len, st.scale);
            recs.push(Rec {
                word,
                sum,
                rows,
                first,
                last,
                len,
                scale,
                table: ti as u8,
            });
        }
    }
    for t in &mut tables {
        t.slots = Vec::new();
    }
    if recs.iter().all(|r| r.len <= 8) {
        #[cfg(feature = "parallel")]
        {
            use rayon::slice::ParallelSliceMut;
            recs.par_sort_unstable_by_key(|r| (r.word, r.len));
        }
        #[cfg(not(feature = "parallel"))]
        recs.sort_unstable_by_key(|r| (r.word, r.len));
    } else {
        recs.sort_by_cached_key(|r| r.key(&tables, &mut [0u8; 8]).to_vec());
    }
    let at = |k: usize| &recs[k];
    let mut dups = vec![0u64; recs.len()];
    if !dup_hashes.is_empty() {
        let ids: Vec<Vec<u8>> = recs
            .iter()
            .map(|r| r.key(&tables, &mut [0u8; 8]).to_vec())
            .collect();
        let mut resolver = Resolver::new(&ids, &dup_hashes, &mut dups);
        if second_pass(&mut resolver)?.is_none() {
            return Ok(None);
        }
    }

    let build = |k: usize| -> Result<Option<CustomerValues>> {
        let s = at(k);
        let mut tmp = [0u8; 8];
        let Ok(id) = std::str::from_utf8(s.key(&tables, &mut tmp)) else {
            return Ok(None);
        };
        let (Some(first), Some(last)) = (day_to_date(s.first), day_to_date(s.last)) else {
            return Ok(None);
        };
        let scale = u32::from(s.scale);
        let mantissa = i128::from(s.sum) / [100, 10, 1][scale as usize % 3];
        let total =
            Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| Error::Overflow {
                operation: "monetary sum",
            })?;
        let rows = u64::from(s.rows);
        let orders = if layout.track_orders {
            rows - dups[k]
        } else {
            rows
        };
        let frequency = match options.frequency {
            FrequencyMode::DistinctOrders => orders,
            _ => rows,
        };
        let monetary = match options.monetary {
            MonetaryMode::MeanPerOrder => div(total, orders)?,
            _ => total,
        };
        let mut v = CustomerValues::new(id, (as_of - last).num_days(), frequency, monetary);
        v.first_purchase = first;
        v.last_purchase = last;
        Ok(Some(v))
    };
    #[cfg(feature = "parallel")]
    let built: Result<Option<Vec<CustomerValues>>> = {
        use rayon::prelude::*;
        (0..recs.len())
            .into_par_iter()
            .map(build)
            .collect::<Result<Vec<Option<CustomerValues>>>>()
            .map(|v| v.into_iter().collect())
    };
    #[cfg(not(feature = "parallel"))]
    let built: Result<Option<Vec<CustomerValues>>> = (0..recs.len())
        .map(build)
        .collect::<Result<Vec<Option<CustomerValues>>>>()
        .map(|v| v.into_iter().collect());
    let Some(customers) = built? else {
        return Ok(None);
    };
    Ok(Some(RfmTable {
        as_of,
        customers,
        report,
    }))
}

/// Takes the tables' pair hashes and returns those that occur more than once (the tables must
/// hold disjoint customers).
pub(crate) fn take_duplicates<S: SlotState>(tables: &mut [Table<S>]) -> HashSet<u64, FxBuild> {
    let mut buckets: Vec<Vec<Vec<u64>>> = (0..BUCKETS)
        .map(|_| Vec::with_capacity(tables.len()))
        .collect();
    for t in tables {
        for (mine, theirs) in buckets.iter_mut().zip(std::mem::take(&mut t.pairs)) {
            mine.push(theirs);
        }
    }
    duplicate_hashes(buckets)
}

/// Counts exact repeats of (customer, order) text among the rows whose pair hash is
/// ambiguous; `ids` are the customer ids in output order.
pub(crate) struct Resolver<'a> {
    ids: &'a [Vec<u8>],
    dup_hashes: &'a HashSet<u64, FxBuild>,
    seen: HashSet<(Vec<u8>, Vec<u8>), FxBuild>,
    dups: &'a mut [u64],
}

impl<'a> Resolver<'a> {
    /// A resolver counting into `dups` (one entry per id of `ids`, which must be sorted).
    pub(crate) fn new(
        ids: &'a [Vec<u8>],
        dup_hashes: &'a HashSet<u64, FxBuild>,
        dups: &'a mut [u64],
    ) -> Self {
        Resolver {
            ids,
            dup_hashes,
            seen: HashSet::default(),
            dups,
        }
    }

    /// Looks at one row (of those that passed the filters).
    pub(crate) fn row(&mut self, row: &Row<'_>) -> Result<(), Bail> {
        if row.order.is_empty()
            || !self
                .dup_hashes
                .contains(&pair_hash_with(row.hash, row.order))
        {
            return Ok(());
        }
        if !self
            .seen
            .insert((row.customer.to_vec(), row.order.to_vec()))
        {
            let i = self
                .ids
                .binary_search_by(|id| id.as_slice().cmp(row.customer))
                .map_err(|_| Bail)?;
            self.dups[i] += 1;
        }
        Ok(())
    }
}
