//! CSV in and out: a streaming, parallel reader for transaction files and a fast writer.
//!
//! [`read_path`] reads a file in blocks of a few MiB split at newlines and parses the blocks
//! on all cores with a byte parser made for plain files (no quoting; dates `YYYY-MM-DD` or
//! RFC 3339; amounts `-?[0-9]+(\.[0-9]{1,6})?`), keeping only per-customer state and one
//! 64-bit hash per (customer, order) pair. Distinct orders are counted exactly: distinct
//! hashes imply distinct ids, and only customers whose hashes collide are resolved by a second
//! pass comparing the text. Anything the fast parser does not handle (quoted fields, other
//! number forms, a bad value) sends the file through the general reader (the `csv` crate),
//! which gives the same results and precise errors naming line and column.
//!
//! The output of [`write_csv`] with NTILE scores is byte for byte RFM benchmark job v1.
//!
//! ```
//! use attain_rfm::csv::{read_reader, write_csv, CsvOptions};
//! use attain_rfm::{score, AggregateOptions, ScoreOptions, Scoring};
//! use attain_types::NaiveDate;
//!
//! let input = "customer_id,order_id,order_date,amount\nC1,O1,2025-12-31,10.00\nC2,O2,2025-01-01,0.10\n";
//! let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
//! let table = read_reader(input.as_bytes(), "<input>", as_of, &AggregateOptions::default(), &CsvOptions::default())?;
//! let scores = score(&table.customers, &ScoreOptions::default().scoring(Scoring::Even))?;
//! let mut out = Vec::new();
//! write_csv(&mut out, &table.customers, &scores, None)?;
//! assert_eq!(String::from_utf8(out)?, "customer_id,recency_days,frequency,monetary,r,f,m\nC1,1,1,10.00,5,1,3\nC2,365,1,0.10,3,3,1\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use attain_types::input::{self, Header};
use attain_types::{Decimal, Granularity, NaiveDate};
use chrono::Datelike;

use crate::aggregate::{
    AggregateOptions, Aggregator, CustomerValues, IngestReport, ReturnsMode, RfmTable, Transaction,
};
use std::collections::{HashMap, HashSet};

use crate::activity::{ActivityState, ActivityTable, OrderedCohorts, OrderedState, ordered_cells};
use crate::fast::{
    Bail, Layout, Resolver, RfmState, Row, SlotState, Table, fast_id, fast_modes, finish, key_hash,
    layout, parse_amount, parse_day, take_duplicates, threads,
};
use crate::hash::FxBuild;

use crate::repeat::{RepeatState, RepeatSummaries};
use crate::score::RfmScore;
use crate::{Error, Result, RowLocation};

/// The default [`CsvOptions::order_memory`]: 256 MiB.
pub const DEFAULT_ORDER_MEMORY: usize = 256 << 20;

/// Column names and reader settings. Defaults are the job v1 names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CsvOptions {
    /// Customer id column (default `customer_id`).
    pub customer_col: String,
    /// Date column (default `order_date`): `YYYY-MM-DD` or an RFC 3339 timestamp, whose date
    /// is taken as written (in its own offset).
    pub date_col: String,
    /// Amount column (default `amount`).
    pub amount_col: String,
    /// Order id column (default `order_id`); `None` when the file has none.
    pub order_col: Option<String>,
    /// Parser threads, 0 for one per core (default 0).
    pub threads: usize,
    /// Memory, in bytes, for the per-order hashes of exact distinct-order counting (default
    /// 256 MiB). A file with more orders than fit is read in several passes,
    /// each over a hash partition of the customers, so that memory stays proportional to the
    /// customers whatever the number of rows.
    pub order_memory: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            customer_col: "customer_id".to_owned(),
            date_col: "order_date".to_owned(),
            amount_col: "amount".to_owned(),
            order_col: Some("order_id".to_owned()),
            threads: 0,
            order_memory: DEFAULT_ORDER_MEMORY,
        }
    }
}

#[derive(Clone, Copy)]
enum Role {
    Skip,
    Customer,
    Order,
    Date,
    Amount,
}

/// Whether `bytes` hold a quote or a CR that does not end a line (`\r\n`): the csv crate reads
/// a lone CR as a line end, so such a file goes to the general reader. Files with `\n` line
/// ends pay one `memchr2` pass; `\r\n` files a stop per line.
fn has_quote_or_lone_cr(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'"', b'\r', &bytes[from..]) {
        let i = from + i;
        if bytes[i] == b'"' || bytes.get(i + 1) != Some(&b'\n') {
            return true;
        }
        from = i + 2;
    }
    false
}

/// Which hash partitions of the customers a pass reads: partitions `first..first + count` of
/// `total` (see [`partition`]).
#[derive(Clone, Copy)]
struct Parts {
    first: u64,
    count: u64,
    total: u64,
}

impl Parts {
    /// Every customer.
    const ALL: Parts = Parts {
        first: 0,
        count: 1,
        total: 1,
    };
}

/// The partition of `total` that a customer with id hash `hash` belongs to: the hash's top 32
/// bits scaled to `0..total` (the table's slots are indexed by the low bits).
#[inline]
fn partition(hash: u64, total: u64) -> u64 {
    ((hash >> 32) * total) >> 32
}

/// Splits a block of whole lines into rows and calls `f` on batches of the rows that pass the
/// filters and whose customer belongs to one of the partitions of `parts`.
fn for_each_row<'a>(
    buf: &'a [u8],
    roles: &[Role],
    layout: &Layout,
    parts: Parts,
    report: &mut IngestReport,
    mut f: impl FnMut(&[Row<'a>]) -> Result<(), Bail>,
) -> Result<(), Bail> {
    if has_quote_or_lone_cr(buf) {
        return Err(Bail);
    }
    let mut batch: Vec<Row<'a>> = Vec::with_capacity(BATCH);
    let ncols = roles.len();
    let mut pos = 0usize;
    // Logs come in date order, so most rows repeat the previous row's date. Only a date that
    // was parsed is remembered: an empty field must not match an empty initial key.
    let mut last: Option<(&[u8], i32)> = None;
    while pos < buf.len() {
        let end = match memchr::memchr(b'\n', &buf[pos..]) {
            Some(i) => pos + i,
            None => return Err(Bail),
        };
        let mut line = &buf[pos..end];
        pos = end + 1;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.is_empty() {
            // A blank line holds no row (the general reader skips it too).
            continue;
        }
        let (mut cust, mut order, mut date, mut amount): (&[u8], &[u8], &[u8], &[u8]) =
            (&[], &[], &[], &[]);
        let mut idx = 0usize;
        let mut hash = 0u64;
        let mut mine = true;
        for field in line.split(|&b| b == b',') {
            match roles.get(idx) {
                Some(Role::Customer) => {
                    if !fast_id(field) {
                        return Err(Bail);
                    }
                    cust = field;
                    hash = key_hash(field);
                    if parts.count < parts.total
                        && partition(hash, parts.total).wrapping_sub(parts.first) >= parts.count
                    {
                        mine = false;
                        break;
                    }
                }
                Some(Role::Order) => {
                    if !field.is_empty() && !fast_id(field) {
                        return Err(Bail);
                    }
                    order = field;
                }
                Some(Role::Date) => date = field,
                Some(Role::Amount) => amount = field,
                Some(Role::Skip) => {}
                None => return Err(Bail),
            }
            idx += 1;
        }
        if cust.is_empty() {
            return Err(Bail);
        }
        if !mine {
            continue;
        }
        if idx != ncols {
            return Err(Bail);
        }
        let day = match last {
            Some((bytes, day)) if bytes == date => day,
            _ => {
                let day = parse_day(date).ok_or(Bail)?;
                last = Some((date, day));
                day
            }
        };
        let (amt, scale, neg) = parse_amount(amount).ok_or(Bail)?;
        if !layout.admit(day, neg && amt != 0, report) {
            continue;
        }
        batch.push(Row {
            customer: cust,
            order,
            hash,
            day,
            amount: amt,
            scale,
            neg,
        });
        if batch.len() == BATCH {
            f(&batch)?;
            batch.clear();
        }
    }
    f(&batch)
}

const BLOCK: usize = 8 << 20;

/// The read buffer for `file`: [`BLOCK`], or less for a small regular file (a buffer grows
/// when a line needs it), so that small files do not cost 8 MiB buffers per worker. A pipe or
/// FIFO has no length: full-size blocks then.
fn block_len(file: &File) -> usize {
    #[cfg(test)]
    if let Some(n) = tests::BLOCK_LEN.with(std::cell::Cell::get) {
        return n;
    }
    file.metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .and_then(|m| usize::try_from(m.len().saturating_add(1)).ok())
        .map_or(BLOCK, |n| n.clamp(1 << 12, BLOCK))
}

fn io_err(path: &str, e: &io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Fills `buf` from `r` until full or end of file; returns the bytes read.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads the header line (and returns the file positioned after it).
fn read_header(path: &Path, name: &str) -> Result<(File, Vec<u8>, Vec<u8>)> {
    let mut file = File::open(path).map_err(|e| io_err(name, &e))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut have = 0;
    loop {
        let n = fill(&mut file, &mut buf[have..]).map_err(|e| io_err(name, &e))?;
        have += n;
        if let Some(p) = memchr::memchr(b'\n', &buf[..have]) {
            let rest = buf[p + 1..have].to_vec();
            buf.truncate(p);
            return Ok((file, buf, rest));
        }
        if n == 0 {
            buf.truncate(have);
            return Ok((file, buf, Vec::new()));
        }
        buf.resize(buf.len() * 2, 0);
    }
}

/// The header of the fast path: split at commas, a trailing CR removed (the fast path is only
/// taken when the header has no quotes).
fn header_fields(header: &[u8]) -> Header {
    let h = header.strip_suffix(b"\r").unwrap_or(header);
    Header::from_bytes(h.split(|&b| b == b','))
}

/// The index of a selected column, by the shared header rule (exact name, once).
pub(crate) fn column(header: &Header, name: &str, path: &str) -> Result<usize> {
    header.find(name).map_err(|e| Error::header(path, name, e))
}

/// Reads a transaction CSV file and aggregates it at `as_of`.
///
/// The fast path (see the [module docs](self)) handles plain files whose amounts have at most
/// two decimals, with the frequency modes `Rows`/`DistinctOrders` and the monetary modes
/// `Sum`/`MeanPerOrder`; other options and other files go through [`read_reader`] with
/// identical results.
///
/// # Errors
///
/// [`Error::EmptyFile`], [`Error::MissingColumn`], [`Error::Parse`] naming the line and
/// column of the first bad value, [`Error::Io`], [`Error::Overflow`].
pub fn read_path(
    path: &Path,
    as_of: NaiveDate,
    options: &AggregateOptions,
    csv: &CsvOptions,
) -> Result<RfmTable> {
    read_path_with_progress(path, as_of, options, csv, &|_| {})
}

/// [`read_path`] that also reports progress: `progress(bytes)` is called from the calling
/// thread with the number of bytes of the file read so far (non-decreasing; the last call is
/// the file's length). For progress bars on long files.
///
/// # Errors
///
/// As [`read_path`].
pub fn read_path_with_progress(
    path: &Path,
    as_of: NaiveDate,
    options: &AggregateOptions,
    csv: &CsvOptions,
    progress: &dyn Fn(u64),
) -> Result<RfmTable> {
    let name = path.display().to_string();
    if fast_modes(options)
        && let Some(t) = read_fast(path, &name, as_of, options, csv, progress)?
    {
        return Ok(t);
    }
    let file = File::open(path).map_err(|e| io_err(&name, &e))?;
    let counting = CountingReader {
        inner: file,
        read: 0,
        progress,
    };
    read_reader(
        io::BufReader::with_capacity(1 << 20, counting),
        &name,
        as_of,
        options,
        csv,
    )
}

/// Reads a transaction CSV file in one parallel pass of the fast reader into every customer's
/// activity per period of `granularity` ([`ActivityTable`]): the input of cohort tables.
///
/// Rows dated after `as_of` (when given) are left out and counted in
/// [`IngestReport::after_as_of`]; every other row counts, refunds included. The order id column,
/// when `csv` names one, is checked by the shared id rule but not used.
///
/// `Ok(None)` when the fast parser does not take the file (quoted fields, amounts with more
/// than 2 decimals, any value or line it cannot parse): read it with
/// [`for_each_transaction`] then, which accepts and rejects files by the same shared grammar
/// and names the line and column of the first bad value. Whenever this returns a table, the
/// general reader accepts the file and gives the same rows.
///
/// # Errors
///
/// [`Error::EmptyFile`], [`Error::MissingColumn`], [`Error::Io`].
pub fn read_activity_path(
    path: &Path,
    granularity: Granularity,
    as_of: Option<NaiveDate>,
    csv: &CsvOptions,
    progress: &dyn Fn(u64),
) -> Result<Option<ActivityTable>> {
    let setup = |t: &mut Table<ActivityState>| t.store.granularity = granularity;
    let Some((tables, report)) = scan_activity(path, as_of, csv, setup, progress)? else {
        return Ok(None);
    };
    Ok(Some(ActivityTable {
        granularity,
        tables,
        report,
        repeated_orders: None,
    }))
}

/// [`read_activity_path`], and each customer's distinct orders
/// ([`ActivityTable::distinct_orders`]): with [`Granularity::Day`], everything a report needs
/// (RFM values, cohorts, repeat summaries, revenue and rows by day) from one read.
///
/// The orders are counted as the RFM reader counts them ([`read_path`] with
/// [`FrequencyMode::DistinctOrders`]): one 64-bit hash per (customer, order id) pair, and where
/// two pairs share a hash (a repeated order id, or a hash collision) a second pass over the
/// file compares the texts of those pairs only, so the count is exact. A file whose order ids
/// are unique per row is read once.
///
/// `Ok(None)` as for [`read_activity_path`].
///
/// # Errors
///
/// As [`read_activity_path`].
///
/// [`FrequencyMode::DistinctOrders`]: crate::FrequencyMode::DistinctOrders
pub fn read_activity_with_orders_path(
    path: &Path,
    granularity: Granularity,
    as_of: Option<NaiveDate>,
    csv: &CsvOptions,
    progress: &dyn Fn(u64),
) -> Result<Option<ActivityTable>> {
    let name = path.display().to_string();
    let setup = |t: &mut Table<ActivityState>| t.store.granularity = granularity;
    let layout = |orders| activity_layout(as_of, orders);
    let Some(Scanned {
        mut tables,
        mut dups,
        roles,
        layout,
    }) = scan(path, &name, csv, layout, setup, progress)?
    else {
        return Ok(None);
    };
    let report = sum_reports(&tables);
    dups.extend(take_duplicates(&mut tables));
    let mut repeated = HashMap::default();
    if !dups.is_empty() {
        let mut ids: Vec<Vec<u8>> = Vec::with_capacity(tables.iter().map(|t| t.count).sum());
        for t in &tables {
            for slot in t.slots.iter().filter(|s| s.state.key_len() != 0) {
                ids.push(slot.key(&t.arena, &mut [0u8; 8]).to_vec());
            }
        }
        ids.sort_unstable();
        let mut counts = vec![0u64; ids.len()];
        let mut resolver = Resolver::new(&ids, &dups, &mut counts);
        if resolve_duplicates(path, &name, &roles, &layout, &mut resolver)?.is_none() {
            return Ok(None);
        }
        for (id, n) in ids.into_iter().zip(counts).filter(|&(_, n)| n > 0) {
            let Ok(id) = String::from_utf8(id) else {
                return Ok(None);
            };
            repeated.insert(id, n);
        }
    }
    Ok(Some(ActivityTable {
        granularity,
        tables,
        report,
        repeated_orders: Some(repeated),
    }))
}

/// A cohort table's cells counted in one pass of the fast reader, for a log in date order
/// (each customer's rows never go back to an earlier period): no per-customer periods are
/// kept, only each customer's cohort and latest period. Rows after `as_of` (when given) are
/// left out and counted, as by [`read_activity_path`].
///
/// `Ok(None)` when the fast parser does not take the file, as for [`read_activity_path`], and
/// also when a customer's rows are out of date order across periods: read it with
/// [`read_activity_path`] then.
///
/// # Errors
///
/// As [`read_activity_path`], and [`Error::Overflow`].
pub fn read_ordered_cohorts_path(
    path: &Path,
    granularity: Granularity,
    as_of: Option<NaiveDate>,
    csv: &CsvOptions,
    progress: &dyn Fn(u64),
) -> Result<Option<OrderedCohorts>> {
    let setup = |t: &mut Table<OrderedState>| t.store.granularity = granularity;
    let Some((tables, report)) = scan_activity(path, as_of, csv, setup, progress)? else {
        return Ok(None);
    };
    ordered_cells(tables, granularity, report).map(Some)
}

/// Every customer's repeat summary at `calibration_end` (the CLV models' input), from one
/// parallel pass of the fast reader over a log in date order: equal to
/// [`repeat_summaries`](crate::repeat_summaries) over the file's rows, ascending by customer
/// id. Rows after `calibration_end` are left out (and counted in the report); a customer's
/// purchases on one day are one purchase day, their amounts summed exactly.
///
/// No list of days is kept per customer, only its first and latest day, its purchase days
/// and its repeat total, so a customer's rows must come in date order. `Ok(None)` when they do
/// not, or when the fast parser does not take the file (as for [`read_activity_path`]): read
/// the file with [`read_activity_path`] at [`Granularity::Day`] or with
/// [`for_each_transaction`] then.
///
/// # Errors
///
/// As [`read_activity_path`], and [`Error::Overflow`] or [`Error::Types`] when a repeat total
/// or its mean leaves the `Decimal` range.
pub fn read_repeat_summaries_path(
    path: &Path,
    calibration_end: NaiveDate,
    csv: &CsvOptions,
    progress: &dyn Fn(u64),
) -> Result<Option<RepeatSummaries>> {
    let Some((tables, report)) =
        scan_activity::<RepeatState>(path, Some(calibration_end), csv, |_| {}, progress)?
    else {
        return Ok(None);
    };
    let customers = crate::repeat::summaries(&tables, calibration_end)?;
    Ok(Some(RepeatSummaries { customers, report }))
}

/// One pass of the fast reader keeping every row on or before `as_of` (refunds included), and
/// the rows' report.
fn scan_activity<S: SlotState>(
    path: &Path,
    as_of: Option<NaiveDate>,
    csv: &CsvOptions,
    setup: impl Fn(&mut Table<S>) + Sync,
    progress: &dyn Fn(u64),
) -> Result<Option<(Vec<Table<S>>, IngestReport)>> {
    let name = path.display().to_string();
    let layout = |_| activity_layout(as_of, false);
    let Some(scanned) = scan(path, &name, csv, layout, setup, progress)? else {
        return Ok(None);
    };
    let report = sum_reports(&scanned.tables);
    Ok(Some((scanned.tables, report)))
}

/// The filters of the activity readers: every row on or before `as_of` (refunds included).
fn activity_layout(as_of: Option<NaiveDate>, track_orders: bool) -> Layout {
    Layout {
        as_of: as_of.map_or(i32::MAX, |d| d.num_days_from_ce()),
        include_after: false,
        returns: ReturnsMode::Net,
        track_orders,
    }
}

/// The workers' row counts, added up.
fn sum_reports<S: SlotState>(tables: &[Table<S>]) -> IngestReport {
    let mut report = IngestReport::default();
    for t in tables {
        report.rows_read += t.report.rows_read;
        report.rows_used += t.report.rows_used;
        report.after_as_of += t.report.after_as_of;
        report.refunds += t.report.refunds;
    }
    report
}

/// A file read in blocks of whole lines: a block ends at its last line end and the bytes after
/// it are carried into the next block; the file's last line needs no line end.
struct Blocks {
    file: File,
    carry: Vec<u8>,
    /// Bytes of the file read so far (the header line included).
    consumed: u64,
    done: bool,
}

impl Blocks {
    /// Reads the next lines into `buf` (which grows when one line needs it) and says how many
    /// of its bytes hold them; `None` at the end of the file.
    fn next(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<usize>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let kept = self.carry.len();
            if buf.len() < kept * 2 {
                buf.resize(kept * 2, 0);
            }
            buf[..kept].copy_from_slice(&self.carry);
            let n = fill(&mut self.file, &mut buf[kept..])?;
            self.consumed += n as u64;
            let have = kept + n;
            self.carry.clear();
            if n == 0 {
                self.done = true;
                if have == 0 {
                    return Ok(None);
                }
                if buf.len() == have {
                    buf.push(b'\n');
                } else {
                    buf[have] = b'\n';
                }
                return Ok(Some(have + 1));
            }
            match memchr::memrchr(b'\n', &buf[..have]) {
                Some(p) => {
                    self.carry.extend_from_slice(&buf[p + 1..have]);
                    return Ok(Some(p + 1));
                }
                // A line longer than the buffer: read on into a larger one.
                None => self.carry.extend_from_slice(&buf[..have]),
            }
        }
    }
}

/// Where `buf` (whole lines) is cut into `n` segments of whole lines of about equal length:
/// `n + 1` offsets from 0 to `buf.len()`.
fn segment_cuts(buf: &[u8], n: usize) -> Vec<usize> {
    let mut cuts = Vec::with_capacity(n + 1);
    cuts.push(0);
    for k in 1..n {
        let from = (buf.len() / n * k).max(cuts[k - 1]);
        let cut = memchr::memchr(b'\n', &buf[from..]).map_or(buf.len(), |i| from + i + 1);
        cuts.push(cut);
    }
    cuts.push(buf.len());
    cuts
}

/// A block of whole lines, shared by the workers: the buffer and how many of its bytes hold
/// the lines.
type Block = Arc<(Vec<u8>, usize)>;

/// Rows handed to the worker that owns their customers.
type Handed = Vec<RowAt>;

/// A row handed to another worker: offsets into the block it was read from, which that worker
/// holds too.
#[derive(Clone, Copy)]
struct RowAt {
    hash: u64,
    amount: i64,
    customer: u32,
    customer_len: u32,
    order: u32,
    order_len: u32,
    day: i32,
    scale: u8,
    neg: bool,
}

impl RowAt {
    /// `row`, whose fields lie in `buf`, as offsets into `buf`; `None` past 4 GiB.
    fn of(buf: &[u8], row: &Row<'_>) -> Option<RowAt> {
        let base = buf.as_ptr() as usize;
        let at = |field: &[u8]| -> Option<(u32, u32)> {
            if field.is_empty() {
                return Some((0, 0));
            }
            let off = (field.as_ptr() as usize).checked_sub(base)?;
            Some((u32::try_from(off).ok()?, u32::try_from(field.len()).ok()?))
        };
        let (customer, customer_len) = at(row.customer)?;
        let (order, order_len) = at(row.order)?;
        Some(RowAt {
            hash: row.hash,
            amount: row.amount,
            customer,
            customer_len,
            order,
            order_len,
            day: row.day,
            scale: row.scale,
            neg: row.neg,
        })
    }

    /// The row again, its fields in `buf`.
    fn row<'a>(&self, buf: &'a [u8]) -> Option<Row<'a>> {
        let field = |off: u32, len: u32| {
            let off = off as usize;
            buf.get(off..off.checked_add(len as usize)?)
        };
        Some(Row {
            customer: field(self.customer, self.customer_len)?,
            order: field(self.order, self.order_len)?,
            hash: self.hash,
            day: self.day,
            amount: self.amount,
            scale: self.scale,
            neg: self.neg,
        })
    }
}

/// Rows per call of `Table::add_rows`, which first touches every row's slot so that the cache
/// misses of a batch overlap: 64 measured faster than 32 and no slower than 128 (job v1,
/// benches/README.md).
const BATCH: usize = 64;

/// One worker's side of a pass: for each block, split its own segment of the block's lines,
/// hand the other workers the rows of their customers, then add to its table the rows of its
/// customers from the block before, segment by segment (file order per customer). A state
/// whose rows commute takes the worker's own rows at once. `Err(Bail)` when the fast parser
/// gives up, or another worker did.
struct Worker<'s, S: SlotState> {
    me: usize,
    workers: usize,
    table: &'s mut Table<S>,
    /// Senders to every other worker (`None` at `me`); cleared when this worker stops, so
    /// that nobody waits for its rows.
    to: Vec<Option<mpsc::Sender<Handed>>>,
    from: Vec<Option<mpsc::Receiver<Handed>>>,
    roles: &'s [Role],
    layout: &'s Layout,
    parts: Parts,
}

impl<S: SlotState> Worker<'_, S> {
    fn run(
        mut self,
        blocks: &mpsc::Receiver<Block>,
        stop: &AtomicBool,
        done: &mpsc::Sender<()>,
    ) -> Result<(), Bail> {
        let mut failed = false;
        // The block before, held until its rows from the other workers are added, with this
        // worker's own rows of it when they wait for those.
        let mut pending: Option<(Block, Handed)> = None;
        while let Ok(block) = blocks.recv() {
            if failed || stop.load(Ordering::Relaxed) {
                failed = true;
                self.to.clear();
                drop(block);
                if pending.take().is_some() {
                    let _ = done.send(());
                }
                let _ = done.send(());
                continue;
            }
            let step = match self.split(&block.0[..block.1]) {
                Ok(own) => match pending.replace((block, own)) {
                    Some((before, own)) => {
                        let added = self.add_handed(&before.0[..before.1], own);
                        drop(before);
                        let _ = done.send(());
                        added
                    }
                    None => Ok(()),
                },
                Err(Bail) => {
                    drop(block);
                    let _ = done.send(());
                    Err(Bail)
                }
            };
            if step.is_err() {
                failed = true;
                stop.store(true, Ordering::Relaxed);
                self.to.clear();
            }
        }
        if let Some((before, own)) = pending.take() {
            if !failed && self.add_handed(&before.0[..before.1], own).is_err() {
                failed = true;
            }
            drop(before);
            let _ = done.send(());
        }
        self.to.clear();
        if failed { Err(Bail) } else { Ok(()) }
    }

    /// Splits this worker's segment of `buf` into rows, hands the other workers theirs and
    /// returns its own that must wait for the segments before (none for a state whose rows
    /// commute, or when it is the only worker).
    fn split(&mut self, buf: &[u8]) -> Result<Handed, Bail> {
        let (me, workers) = (self.me, self.workers);
        let direct = !S::ORDERED || workers == 1;
        let cuts = segment_cuts(buf, workers);
        let seg = &buf[cuts[me]..cuts[me + 1]];
        let mut out: Vec<Handed> = (0..workers)
            .map(|w| {
                if w == me && direct {
                    Vec::new()
                } else {
                    Vec::with_capacity(seg.len() / 32 / workers + BATCH)
                }
            })
            .collect();
        let mut mine: Vec<Row<'_>> = Vec::with_capacity(BATCH * 2);
        let (table, layout, parts) = (&mut *self.table, self.layout, self.parts);
        // A table's report counts the rows its worker split (not its customers' rows): only
        // the sum over the tables is read.
        let mut report = table.report;
        let parsed = for_each_row(seg, self.roles, layout, parts, &mut report, |rows| {
            for r in rows {
                // In 0..workers: `for_each_row` keeps only the pass's partitions.
                let w = (partition(r.hash, parts.total) - parts.first) as usize;
                if w == me && direct {
                    mine.push(*r);
                } else {
                    out.get_mut(w)
                        .ok_or(Bail)?
                        .push(RowAt::of(buf, r).ok_or(Bail)?);
                }
            }
            if mine.len() >= BATCH {
                table.add_rows(&mine, layout)?;
                mine.clear();
            }
            Ok(())
        });
        table.report = report;
        parsed?;
        table.add_rows(&mine, layout)?;
        for (w, rows) in out.iter_mut().enumerate() {
            if w != me {
                let to = self.to.get(w).and_then(Option::as_ref).ok_or(Bail)?;
                to.send(std::mem::take(rows)).map_err(|_| Bail)?;
            }
        }
        Ok(std::mem::take(&mut out[me]))
    }

    /// Adds this worker's rows of a block, segment by segment: its own (`own`) in its place,
    /// the others' as they hand them over.
    fn add_handed(&mut self, buf: &[u8], own: Handed) -> Result<(), Bail> {
        let mut own = Some(own);
        let mut batch: Vec<Row<'_>> = Vec::with_capacity(BATCH);
        for (w, from) in self.from.iter().enumerate() {
            let rows = if w == self.me {
                own.take().unwrap_or_default()
            } else {
                from.as_ref().ok_or(Bail)?.recv().map_err(|_| Bail)?
            };
            for chunk in rows.chunks(BATCH) {
                batch.clear();
                for r in chunk {
                    batch.push(r.row(buf).ok_or(Bail)?);
                }
                self.table.add_rows(&batch, self.layout)?;
            }
        }
        Ok(())
    }
}

/// One pass over `blocks` into `tables` (one per worker, each the customers of one partition of
/// `parts`): this thread reads, one thread per table splits and adds. `Ok(Err(Bail))` when
/// the fast parser gives up or the system refuses a thread (the general reader then reads the
/// file); `Err` on a read error.
fn scan_pass<S: SlotState>(
    blocks: &mut Blocks,
    block_size: usize,
    tables: &mut [Table<S>],
    roles: &[Role],
    layout: &Layout,
    parts: Parts,
    progress: &dyn Fn(u64),
) -> io::Result<Result<(), Bail>> {
    let workers = tables.len();
    let stop = AtomicBool::new(false);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut senders = Vec::with_capacity(workers);
    let mut receivers = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (tx, rx) = mpsc::sync_channel::<Block>(4);
        senders.push(tx);
        receivers.push(rx);
    }
    // to[u][w]: worker u's sender to worker w; from[w][u] the matching receiver.
    let mut to: Vec<Vec<Option<mpsc::Sender<Handed>>>> = Vec::with_capacity(workers);
    let mut from: Vec<Vec<Option<mpsc::Receiver<Handed>>>> =
        (0..workers).map(|_| Vec::with_capacity(workers)).collect();
    for u in 0..workers {
        let mut row = Vec::with_capacity(workers);
        for (w, inbox) in from.iter_mut().enumerate() {
            if u == w {
                row.push(None);
                inbox.push(None);
            } else {
                let (tx, rx) = mpsc::channel();
                row.push(Some(tx));
                inbox.push(Some(rx));
            }
        }
        to.push(row);
    }
    std::thread::scope(|s| {
        let mut handles = Vec::with_capacity(workers);
        let mut refused = false;
        for (((me, table), (to, from)), rx) in tables
            .iter_mut()
            .enumerate()
            .zip(to.into_iter().zip(from))
            .zip(receivers)
        {
            let worker = Worker {
                me,
                workers,
                table,
                to,
                from,
                roles,
                layout,
                parts,
            };
            let (stop, done) = (&stop, done_tx.clone());
            match std::thread::Builder::new().spawn_scoped(s, move || worker.run(&rx, stop, &done))
            {
                Ok(h) => handles.push(h),
                Err(_) => {
                    refused = true;
                    break;
                }
            }
        }
        drop(done_tx);
        let read = if refused {
            stop.store(true, Ordering::Relaxed);
            Ok(())
        } else {
            read_blocks(blocks, block_size, &senders, &stop, &done_rx, progress)
        };
        drop(senders);
        let mut parsed = if refused { Err(Bail) } else { Ok(()) };
        for h in handles {
            parsed = parsed.and(h.join().unwrap_or(Err(Bail)));
        }
        if stop.load(Ordering::Relaxed) {
            parsed = Err(Bail);
        }
        read.map(|()| parsed)
    })
}

/// Reads `blocks` into buffers that no worker holds any more (at most `workers + 3`) and sends
/// each to every worker, until the end of the file or `stop` (which it sets when it cannot go
/// on, so that the pass gives up instead of ending early).
fn read_blocks(
    blocks: &mut Blocks,
    block_size: usize,
    senders: &[mpsc::SyncSender<Block>],
    stop: &AtomicBool,
    done: &mpsc::Receiver<()>,
    progress: &dyn Fn(u64),
) -> io::Result<()> {
    let mut pool: Vec<Block> = Vec::new();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let mut block = loop {
            if let Some(i) = pool.iter().position(|b| Arc::strong_count(b) == 1) {
                break pool.swap_remove(i);
            }
            if pool.len() < senders.len() + 3 {
                break Arc::new((vec![0u8; block_size], 0));
            }
            if done.recv().is_err() {
                // Every worker has stopped.
                stop.store(true, Ordering::Relaxed);
                return Ok(());
            }
        };
        // Only a buffer no worker holds is taken, so this cannot fail; should it, the pass
        // gives up rather than end early.
        let Some((buf, used)) = Arc::get_mut(&mut block) else {
            stop.store(true, Ordering::Relaxed);
            return Ok(());
        };
        let Some(n) = blocks.next(buf)? else {
            return Ok(());
        };
        *used = n;
        progress(blocks.consumed);
        for tx in senders {
            let _ = tx.send(Arc::clone(&block));
        }
        pool.push(block);
    }
}

/// A reader that reports the bytes read so far.
struct CountingReader<'p, R> {
    inner: R,
    read: u64,
    progress: &'p dyn Fn(u64),
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.progress)(self.read);
        Ok(n)
    }
}

fn read_fast(
    path: &Path,
    name: &str,
    as_of: NaiveDate,
    options: &AggregateOptions,
    csv: &CsvOptions,
    progress: &dyn Fn(u64),
) -> Result<Option<RfmTable>> {
    let scanned = scan::<RfmState>(
        path,
        name,
        csv,
        |orders| layout(as_of, options, orders),
        |_| {},
        progress,
    )?;
    let Some(Scanned {
        tables,
        dups,
        roles,
        layout,
    }) = scanned
    else {
        return Ok(None);
    };
    let results = tables.into_iter().map(Ok).collect();
    finish(results, dups, &layout, as_of, options, |resolver| {
        resolve_duplicates(path, name, &roles, &layout, resolver)
    })
}

/// What one pass of the fast reader leaves: the workers' tables (disjoint hash partitions of
/// the customers), the ambiguous (customer, order) pair hashes, the columns' roles and the
/// filters.
struct Scanned<S: SlotState> {
    tables: Vec<Table<S>>,
    dups: HashSet<u64, FxBuild>,
    roles: Vec<Role>,
    layout: Layout,
}

/// Reads `path` on every core into per-customer [`SlotState`]s (see the [module docs](self)):
/// `make_layout(has_orders)` gives the filters, `setup` prepares each new table. `Ok(None)`
/// means the fast parser gave up on the file.
fn scan<S: SlotState>(
    path: &Path,
    name: &str,
    csv: &CsvOptions,
    make_layout: impl FnOnce(bool) -> Layout,
    setup: impl Fn(&mut Table<S>) + Sync,
    progress: &dyn Fn(u64),
) -> Result<Option<Scanned<S>>> {
    let (file, header, rest) = read_header(path, name)?;
    if header.is_empty() && rest.is_empty() {
        return Err(Error::EmptyFile {
            path: name.to_owned(),
        });
    }
    // Blank lines before the header (which the csv crate skips), quotes and lone CRs are the
    // general reader's.
    let first = header.strip_suffix(b"\r").unwrap_or(&header);
    if first.is_empty() || has_quote_or_lone_cr(first) {
        return Ok(None);
    }
    let fields = header_fields(&header);
    let mut roles = vec![Role::Skip; fields.names().len()];
    roles[column(&fields, &csv.customer_col, name)?] = Role::Customer;
    roles[column(&fields, &csv.date_col, name)?] = Role::Date;
    roles[column(&fields, &csv.amount_col, name)?] = Role::Amount;
    let has_orders = match &csv.order_col {
        Some(o) => {
            roles[column(&fields, o, name)?] = Role::Order;
            true
        }
        None => false,
    };
    let layout = make_layout(has_orders);
    let file_len = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    let block = block_len(&file);
    let threads = threads(csv.threads);
    // Memory: the customers' slots, plus 8 bytes per (customer, order) pair. When the pairs
    // would pass `csv.order_memory`, the customers are split into hash partitions handled in
    // separate passes over the file, and each pass's pairs are reduced to its few ambiguous
    // hashes before the next pass starts. Rows are estimated from the first lines.
    let est_rows = {
        let lines = rest.iter().filter(|&&b| b == b'\n').count().max(1);
        file_len / (rest.len() / lines).max(8)
    };
    let passes = if layout.track_orders {
        est_rows
            .saturating_mul(16)
            .div_ceil(csv.order_memory.max(1))
            .clamp(1, 255 / threads)
    } else {
        1
    };
    let pairs_hint = if layout.track_orders {
        est_rows / threads / passes
    } else {
        0
    };
    // Each block's lines are split once, in `threads` segments, one per worker; each worker
    // hands the other workers the rows of their customers (a hash partition each), and while
    // it splits the next block it adds its own customers' rows of this one segment by segment,
    // that is in file order. So the tables are disjoint (no merge), each line is parsed once,
    // and every customer sees its rows in the order of the file (the ordered cohort and repeat
    // paths need that). See `Worker`.
    let mut results: Vec<Table<S>> = Vec::with_capacity(threads * passes);
    let mut dups = HashSet::default();
    let mut first_pass = Some((file, rest));
    for pass in 0..passes {
        let (mut file, carry) = match first_pass.take() {
            Some(f) => f,
            None => {
                let (file, _, rest) = read_header(path, name)?;
                (file, rest)
            }
        };
        let consumed = file.stream_position().unwrap_or(0);
        let mut blocks = Blocks {
            file,
            carry,
            consumed,
            done: false,
        };
        let base = pass as u64 * file_len as u64;
        let parts = Parts {
            first: (pass * threads) as u64,
            count: threads as u64,
            total: (passes * threads) as u64,
        };
        let mut tables: Vec<Table<S>> = (0..threads)
            .map(|_| {
                let mut t = Table::new(pairs_hint);
                setup(&mut t);
                t
            })
            .collect();
        let pass_progress = |consumed: u64| progress((base + consumed) / passes as u64);
        let parsed = scan_pass(
            &mut blocks,
            block,
            &mut tables,
            &roles,
            &layout,
            parts,
            &pass_progress,
        )
        .map_err(|e| io_err(name, &e))?;
        if parsed.is_err() {
            return Ok(None);
        }
        dups.extend(take_duplicates(&mut tables));
        results.extend(tables);
    }

    Ok(Some(Scanned {
        tables: results,
        dups,
        roles,
        layout,
    }))
}

/// Second pass over the file, in blocks: rows whose pair hash is ambiguous go to the resolver.
fn resolve_duplicates(
    path: &Path,
    name: &str,
    roles: &[Role],
    layout: &Layout,
    resolver: &mut Resolver<'_>,
) -> Result<Option<()>> {
    let (file, _, carry) = read_header(path, name)?;
    let mut buf = vec![0u8; block_len(&file)];
    let mut blocks = Blocks {
        file,
        carry,
        consumed: 0,
        done: false,
    };
    let mut report = IngestReport::default();
    while let Some(used) = blocks.next(&mut buf).map_err(|e| io_err(name, &e))? {
        let ok = for_each_row(
            &buf[..used],
            roles,
            layout,
            Parts::ALL,
            &mut report,
            |rows| rows.iter().try_for_each(|row| resolver.row(row)),
        );
        if ok.is_err() {
            return Ok(None);
        }
    }
    Ok(Some(()))
}

/// Reads a transaction CSV from any reader with the `csv` crate (quoted fields allowed) and
/// aggregates it at `as_of`. Sequential; the general path behind [`read_path`].
///
/// # Errors
///
/// As [`for_each_transaction`], and [`Error::Overflow`].
pub fn read_reader<R: Read>(
    reader: R,
    name: &str,
    as_of: NaiveDate,
    options: &AggregateOptions,
    csv: &CsvOptions,
) -> Result<RfmTable> {
    let mut agg = Aggregator::new(as_of, *options);
    for_each_transaction(reader, name, csv, |row, at| {
        agg.push(row)
            .map_err(|e| at.error(at.amount_column(), e.to_string()))
    })?;
    agg.finish()
}

/// Reads a transaction CSV row by row with the shared input grammar
/// ([`attain_types::input`]) and calls `f` on each row with its location. The reader every
/// consumer of transaction files uses (RFM's general path, cohorts, CLV, the report), so that
/// a file is accepted or rejected the same way everywhere.
///
/// The header names the columns (exact names; a selected name present twice is an error).
/// Every record must have as many fields as the header; blank lines are skipped (they hold no
/// row); an empty order id means the row has none.
///
/// # Errors
///
/// [`Error::EmptyFile`]; [`Error::MissingColumn`]; [`Error::Parse`] naming the line and
/// column of the first bad value or malformed line; [`Error::Io`]; any error `f` returns
/// (stops the reading).
pub fn for_each_transaction<R: Read>(
    reader: R,
    name: &str,
    csv: &CsvOptions,
    mut f: impl FnMut(&Transaction<'_>, &RowLocation<'_>) -> Result<()>,
) -> Result<()> {
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    let csv_err = |e: ::csv::Error| -> Error {
        let line = e.position().map_or(1, |p| p.line().max(1));
        match e.kind() {
            ::csv::ErrorKind::Io(io) => io_err(name, io),
            _ => Error::Parse {
                path: name.to_owned(),
                line,
                column: String::new(),
                reason: e.to_string(),
            },
        }
    };
    let headers = rdr.byte_headers().map_err(csv_err)?.clone();
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err(Error::EmptyFile {
            path: name.to_owned(),
        });
    }
    let header = Header::from_bytes(headers.iter());
    let ci = column(&header, &csv.customer_col, name)?;
    let di = column(&header, &csv.date_col, name)?;
    let ai = column(&header, &csv.amount_col, name)?;
    let oi = match &csv.order_col {
        Some(o) => Some(column(&header, o, name)?),
        None => None,
    };
    let mut rec = ::csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
        let at = RowLocation::new(
            name,
            rec.position().map_or(0, ::csv::Position::line),
            &csv.customer_col,
            &csv.date_col,
            &csv.amount_col,
        );
        let get = |i: usize| rec.get(i).unwrap_or(b"");
        let bad = |column: &str, e| at.input_error(column, e);
        let customer_id = input::parse_id_bytes(get(ci)).map_err(|e| bad(&csv.customer_col, e))?;
        let date = input::parse_date_bytes(get(di)).map_err(|e| bad(&csv.date_col, e))?;
        let amount = input::parse_amount_bytes(get(ai)).map_err(|e| bad(&csv.amount_col, e))?;
        let order_id = match (oi, &csv.order_col) {
            (Some(i), Some(o)) if !get(i).is_empty() => {
                Some(input::parse_id_bytes(get(i)).map_err(|e| bad(o, e))?)
            }
            _ => None,
        };
        f(
            &Transaction {
                customer_id,
                date,
                amount,
                order_id,
            },
            &at,
        )?;
    }
    Ok(())
}

fn push_u64(buf: &mut Vec<u8>, mut u: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn push_int(buf: &mut Vec<u8>, v: i128) {
    if v < 0 {
        buf.push(b'-');
    }
    let u = v.unsigned_abs();
    match u64::try_from(u) {
        Ok(small) => push_u64(buf, small),
        Err(_) => {
            const E19: u128 = 10_000_000_000_000_000_000;
            push_int(buf, (u / E19) as i128);
            let start = buf.len();
            push_u64(buf, (u % E19) as u64);
            let pad = 19 - (buf.len() - start);
            buf.splice(start..start, std::iter::repeat_n(b'0', pad));
        }
    }
}

fn push_decimal(buf: &mut Vec<u8>, d: Decimal) {
    let m = d.mantissa();
    let scale = d.scale() as usize;
    if m < 0 {
        buf.push(b'-');
    }
    let start = buf.len();
    push_int(buf, m.abs());
    if scale == 0 {
        return;
    }
    let digits = buf.len() - start;
    if digits <= scale {
        buf.splice(start..start, std::iter::repeat_n(b'0', scale + 1 - digits));
    }
    let point = buf.len() - scale;
    buf.insert(point, b'.');
}

fn push_field(buf: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        buf.push(b'"');
        buf.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Writes `customer_id,recency_days,frequency,monetary,r,f,m` (plus `segment` when given),
/// one line per customer in the given order, LF endings, no quoting except a text field that
/// needs it. Monetary is written with its own scale (2 decimals for 2-decimal amounts).
///
/// # Errors
///
/// Any error of the writer; `InvalidInput` when the slices have different lengths.
pub fn write_csv<W: Write + ?Sized>(
    w: &mut W,
    customers: &[CustomerValues],
    scores: &[RfmScore],
    segments: Option<&[Option<&str>]>,
) -> io::Result<()> {
    if scores.len() != customers.len() || segments.is_some_and(|s| s.len() != customers.len()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "customers, scores and segments differ in length",
        ));
    }
    let mut head = Vec::with_capacity(64);
    head.extend_from_slice(b"customer_id,recency_days,frequency,monetary,r,f,m");
    if segments.is_some() {
        head.extend_from_slice(b",segment");
    }
    head.push(b'\n');
    w.write_all(&head)?;
    write_rows(w, customers, scores, segments, 1 << 14)
}

/// The rows of [`write_csv`], formatted in chunks of `rows` customers (on every core with the
/// `parallel` feature), a window of four chunks per thread at a time, so that memory stays
/// bounded (about 3 MiB per thread for 16,384-row chunks) whatever the number of customers.
fn write_rows<W: Write + ?Sized>(
    w: &mut W,
    customers: &[CustomerValues],
    scores: &[RfmScore],
    segments: Option<&[Option<&str>]>,
    rows: usize,
) -> io::Result<()> {
    let rows = rows.max(1);
    let chunk = |k: usize| -> Vec<u8> {
        let from = k * rows;
        let to = customers.len().min(from.saturating_add(rows));
        let mut buf = Vec::with_capacity((to - from) * 48);
        for i in from..to {
            push_row(&mut buf, &customers[i], &scores[i], segments.map(|s| s[i]));
        }
        buf
    };
    let chunks = customers.len().div_ceil(rows);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let window = 4 * rayon::current_num_threads();
        for start in (0..chunks).step_by(window) {
            let bufs: Vec<Vec<u8>> = (start..chunks.min(start + window))
                .into_par_iter()
                .map(chunk)
                .collect();
            for b in &bufs {
                w.write_all(b)?;
            }
        }
    }
    #[cfg(not(feature = "parallel"))]
    for k in 0..chunks {
        w.write_all(&chunk(k))?;
    }
    Ok(())
}

/// One row of [`write_csv`].
fn push_row(buf: &mut Vec<u8>, c: &CustomerValues, s: &RfmScore, segment: Option<Option<&str>>) {
    push_field(buf, &c.customer_id);
    buf.push(b',');
    push_int(buf, i128::from(c.recency_days));
    buf.push(b',');
    push_u64(buf, c.frequency);
    buf.push(b',');
    push_decimal(buf, c.monetary);
    for x in [s.r, s.f, s.m] {
        buf.push(b',');
        push_u64(buf, u64::from(x));
    }
    if let Some(seg) = segment {
        buf.push(b',');
        push_field(buf, seg.unwrap_or(""));
    }
    buf.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    thread_local! {
        /// A block length for the readers started on this thread (tests of many small blocks).
        pub(super) static BLOCK_LEN: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    }

    /// Runs `f` with blocks of `len` bytes (or the file's own length for `None`).
    fn with_blocks<T>(len: Option<usize>, f: impl FnOnce() -> T) -> T {
        BLOCK_LEN.with(|b| b.set(len));
        let r = f();
        BLOCK_LEN.with(|b| b.set(None));
        r
    }

    #[test]
    fn parse_amount_forms() {
        assert_eq!(parse_amount(b"10.00").map(|x| (x.0, x.1)), Some((1_000, 2)));
        assert_eq!(
            parse_amount(b"-0.5").map(|x| (x.0, x.1, x.2)),
            Some((-50, 1, true))
        );
        assert_eq!(parse_amount(b"7").map(|x| (x.0, x.1)), Some((700, 0)));
        assert!(parse_amount(b"1.").is_none());
        assert!(parse_amount(b"1.123").is_none());
        assert!(parse_amount(b".5").is_none());
        assert!(parse_amount(b"abc").is_none());
        assert!(parse_amount(b"").is_none());
    }

    #[test]
    fn push_int_forms() {
        for v in [
            0i128,
            7,
            -7,
            12_345,
            i128::from(u64::MAX),
            i128::from(u64::MAX) + 1,
            -(10i128.pow(25)) - 3,
        ] {
            let mut b = Vec::new();
            push_int(&mut b, v);
            assert_eq!(String::from_utf8(b).unwrap(), v.to_string());
        }
    }

    #[test]
    fn push_decimal_forms() {
        for s in [
            "0.30",
            "10.00",
            "2112.35",
            "0.01",
            "-4.50",
            "7",
            "0.000001",
            "-0.05",
            "79228162514264337593543950335",
            "7922816251426433759354395.0335",
        ] {
            let mut b = Vec::new();
            push_decimal(&mut b, Decimal::from_str(s).unwrap());
            assert_eq!(String::from_utf8(b).unwrap(), s);
        }
    }

    proptest::proptest! {
        /// Blocks hold whole lines only, and all of them in order, whatever the buffer's size
        /// (lines longer than it included) and whether the last line has its line end.
        #[test]
        fn blocks_are_the_file_in_whole_lines(
            lines in proptest::collection::vec("[a-z,]{0,40}", 0..40),
            last_newline in proptest::bool::ANY,
            buf_len in 1usize..64,
        ) {
            let mut text = lines.join("\n");
            if last_newline && !text.is_empty() {
                text.push('\n');
            }
            let path = std::env::temp_dir().join(format!(
                "attain-blocks-{}-{}.txt",
                std::process::id(),
                std::thread::current().name().unwrap_or("t").replace("::", "-")
            ));
            std::fs::write(&path, &text).unwrap();
            let mut blocks = Blocks {
                file: File::open(&path).unwrap(),
                carry: Vec::new(),
                consumed: 0,
                done: false,
            };
            let mut buf = vec![0u8; buf_len];
            let mut read = Vec::new();
            while let Some(n) = blocks.next(&mut buf).unwrap() {
                proptest::prop_assert!(n > 0);
                proptest::prop_assert_eq!(buf[n - 1], b'\n');
                read.extend_from_slice(&buf[..n]);
            }
            std::fs::remove_file(&path).unwrap();
            let mut expected = text.clone().into_bytes();
            if expected.last().is_some_and(|&b| b != b'\n') {
                expected.push(b'\n');
            }
            proptest::prop_assert_eq!(read, expected);
            proptest::prop_assert_eq!(blocks.consumed, text.len() as u64);
        }

        /// Segments cut whole lines: cuts ascend from 0 to the end and each falls after a line
        /// end.
        #[test]
        fn segments_cut_at_line_starts(lines in proptest::collection::vec("[a-z]{0,30}", 1..30), n in 1usize..9) {
            let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
            let buf = text.as_bytes();
            let cuts = segment_cuts(buf, n);
            proptest::prop_assert_eq!(cuts.len(), n + 1);
            proptest::prop_assert_eq!(cuts[0], 0);
            proptest::prop_assert_eq!(cuts[n], buf.len());
            for w in cuts.windows(2) {
                proptest::prop_assert!(w[0] <= w[1]);
            }
            for &c in &cuts[1..n] {
                proptest::prop_assert!(c == buf.len() || buf[c - 1] == b'\n');
            }
        }

    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Many small blocks (lines longer than a block included), split between 1 to 4
        /// workers, give what one block gives, for every state the reader keeps: RFM (in one
        /// pass and in several), repeat summaries and ordered cohorts (whose customers must
        /// see their rows in file order: a dated log in order takes their path) and activity.
        #[test]
        fn many_blocks_and_workers_equal_one_block(
            rows in proptest::collection::vec((0u8..12, 0u16..30, 0i64..100_000, 0u8..3), 1..120),
            block in 24usize..400,
            threads in 1usize..5,
        ) {
            let mut rows = rows;
            rows.sort_by_key(|r| r.1);
            let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
            let mut text = String::from("customer_id,order_id,order_date,amount\n");
            for (i, &(c, d, cents, o)) in rows.iter().enumerate() {
                let date = start + chrono::Days::new(u64::from(d) * 7);
                let order = if o == 0 { String::new() } else { format!("o{}", i % 5) };
                let amount = Decimal::new(cents, 2);
                text.push_str(&format!("customer-number-{c:03},{order},{date},{amount}\n"));
            }
            let path = std::env::temp_dir().join(format!(
                "attain-many-blocks-{}-{:?}.csv",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::write(&path, &text).unwrap();
            let as_of = start + chrono::Days::new(150);
            let options = AggregateOptions::default();
            let read = |len: Option<usize>, threads: usize| {
                let many = CsvOptions { threads, ..CsvOptions::default() };
                let passes = CsvOptions { threads, order_memory: 64, ..CsvOptions::default() };
                with_blocks(len, || {
                    (
                        read_path(&path, as_of, &options, &many).unwrap(),
                        read_path(&path, as_of, &options, &passes).unwrap(),
                        read_repeat_summaries_path(&path, as_of, &many, &|_| {}).unwrap(),
                        read_ordered_cohorts_path(&path, Granularity::Month, None, &many, &|_| {}).unwrap(),
                        read_activity_path(&path, Granularity::Quarter, None, &many, &|_| {})
                            .unwrap()
                            .map(|a| {
                                let mut all = std::collections::BTreeMap::new();
                                a.for_each_customer::<Error>(|c| {
                                    all.insert(c.customer_id.clone(), c.clone());
                                    Ok(())
                                })
                                .unwrap();
                                all
                            }),
                    )
                })
            };
            let small = read(Some(block), threads);
            // One block on one worker: no segments, no rows handed over.
            let whole = read(None, 1);
            // A bad amount on the last line: every reader gives up on the fast path (the
            // Option paths return `None`, the RFM reader the general reader's error), with no
            // worker left waiting for another.
            std::fs::write(&path, format!("{text}customer-number-001,,2025-01-01,1.2.3\n")).unwrap();
            let bad = with_blocks(Some(block), || {
                let many = CsvOptions { threads, ..CsvOptions::default() };
                (
                    read_path(&path, as_of, &options, &many).is_err(),
                    read_repeat_summaries_path(&path, as_of, &many, &|_| {}).unwrap().is_none(),
                    read_ordered_cohorts_path(&path, Granularity::Month, None, &many, &|_| {})
                        .unwrap()
                        .is_none(),
                )
            });
            std::fs::remove_file(&path).unwrap();
            proptest::prop_assert_eq!(bad, (true, true, true));
            proptest::prop_assert!(small.2.is_some() && small.3.is_some() && small.4.is_some());
            proptest::prop_assert_eq!(&small.0, &small.1);
            proptest::prop_assert_eq!(small, whole);
        }
    }
    /// Rows formatted in chunks (and windows of chunks) come out as one chunk gives them.
    #[test]
    fn chunked_rows_equal_one_chunk() {
        let customers: Vec<CustomerValues> = (0..101u32)
            .map(|i| {
                CustomerValues::new(
                    &format!("c{i}"),
                    i64::from(i % 17),
                    u64::from(i % 5 + 1),
                    Decimal::new(i64::from(i) * 37 - 500, 2),
                )
            })
            .collect();
        let scores: Vec<RfmScore> = (0..101u8)
            .map(|i| RfmScore {
                r: i % 5 + 1,
                f: i % 3 + 1,
                m: i % 4 + 1,
            })
            .collect();
        let names: Vec<Option<&str>> = (0..101)
            .map(|i| (i % 3 != 0).then_some("Champions"))
            .collect();
        for segments in [None, Some(names.as_slice())] {
            let mut whole = Vec::new();
            write_rows(&mut whole, &customers, &scores, segments, usize::MAX).unwrap();
            assert_eq!(whole.iter().filter(|&&b| b == b'\n').count(), 101);
            for rows in [0, 1, 3, 7, 64] {
                let mut chunked = Vec::new();
                write_rows(&mut chunked, &customers, &scores, segments, rows).unwrap();
                assert_eq!(chunked, whole, "chunks of {rows}");
            }
        }
    }
}
