//! The fast path of `attain funnel measure` on a plain event CSV, on every core.
//!
//! The file is read at once and cut into one chunk per thread at line boundaries. Each thread
//! checks the rows of its chunk with the shared field parsers ([`attain_types::input`], the
//! ones [`crate::events::for_each_event`] uses) and files every funnel row under a hash
//! partition of its entity id, keeping the id inline when it has at most 8 bytes. Then each
//! thread takes its share of the partitions: a partition is small enough for the caches, so
//! sorting its rows by id groups every entity's events without a table as large as the
//! entities; the entities get their numbers in that order and go through the thread's own
//! [`FunnelMeter`], and the meters are merged at the end ([`FunnelMeter::merge`]).
//!
//! **One grammar.** This path takes only files that the `csv` crate reads as plain lines: no
//! quote, no carriage return, no blank line, every line with as many fields as the header,
//! and every row's entity, step and time accepted by the shared parsers. On anything else it
//! gives up ([`None`]) before any output, and the caller reads the file with the general
//! reader, which accepts it or reports the first bad row (file, line, column) as always. It
//! measures only funnels that need nothing but the counts: no breakdown or held column, no
//! paths.

use std::io::Read;
use std::path::Path;

use attain_funnel::measure::{Event, FunnelMeasurement, FunnelMeter, MeasureOptions, OTHER_STEP};
use attain_types::input::{self, Header, TimeFormat};

/// What the fast path measures: the columns, the funnel's event names and the options.
#[derive(Debug)]
pub(crate) struct ScanRequest<'a> {
    /// The event CSV.
    pub(crate) path: &'a Path,
    /// The entity, step and time column names.
    pub(crate) columns: [&'a str; 3],
    /// How the time column is written.
    pub(crate) format: TimeFormat,
    /// Each event name of the funnel (steps, then exclusion events) with its step number.
    pub(crate) steps: Vec<(&'a str, u32)>,
    /// Whether rows of other steps are kept (as [`OTHER_STEP`]) rather than left out.
    pub(crate) keep_other: bool,
    /// The number of funnel steps.
    pub(crate) funnel_steps: usize,
    /// The measurement options (without paths or breakdown).
    pub(crate) options: &'a MeasureOptions,
    /// No progress bar.
    pub(crate) quiet: bool,
    /// Worker threads (at least 1).
    pub(crate) threads: usize,
    /// Hash partitions of the entities (a power of two); `None` is about one per MiB of file.
    pub(crate) partitions: Option<usize>,
}

/// One funnel row filed under its partition (24 bytes): the id's bytes as a word when it has
/// at most 8 of them, else the id's offset in the file.
#[derive(Debug, Clone, Copy)]
struct Row {
    key: u64,
    time: i64,
    len: u32,
    step: u32,
}

/// Ids of at most this many bytes are kept inline in [`Row::key`].
const INLINE: usize = 8;

/// Measures the funnel of `request` on the fast path, or `None` when the file or the options
/// are not for it (the caller then reads the file with the general reader).
pub(crate) fn measure(request: &ScanRequest<'_>) -> Option<FunnelMeasurement> {
    if request.options.keep_paths || request.options.breakdown {
        return None;
    }
    // The options are checked here; the general path reports them after reading the file.
    FunnelMeter::new(request.funnel_steps, request.options.clone()).ok()?;
    let data = read_all(request.path, request.quiet)?;
    let header_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let header = &data[..header_end];
    if header.is_empty() || header.iter().any(|&b| b == b'"' || b == b'\r') {
        return None;
    }
    let header_fields = Header::from_bytes(header.split(|&b| b == b','));
    let fields = header_fields.names().len();
    let mut columns = [0usize; 3];
    for (slot, name) in columns.iter_mut().zip(request.columns) {
        *slot = header_fields.find(name).ok()?;
    }
    let threads = request.threads.max(1);
    let parts = request.partitions.map_or_else(
        || partitions(data.len()),
        |p| p.clamp(1, 1024).next_power_of_two(),
    );
    let chunks = chunk_bounds(&data, (header_end + 1).min(data.len()), threads);
    let scan = Scan {
        data: &data,
        fields,
        columns,
        request,
        parts,
        expected_rows: (data.len() / 24).div_ceil(threads * parts),
    };
    // [chunk][partition] -> rows
    let scanned = on_threads(chunks, |_, (from, to)| scan.chunk(from, to))?;
    // [partition] -> its rows from every chunk, handed out to the threads in turn.
    let mut shares: Vec<Vec<Vec<Vec<Row>>>> = (0..threads).map(|_| Vec::new()).collect();
    let mut by_chunk: Vec<_> = scanned.into_iter().map(Vec::into_iter).collect();
    for p in 0..parts {
        let part: Vec<Vec<Row>> = by_chunk.iter_mut().filter_map(Iterator::next).collect();
        shares[p % threads].push(part);
    }
    let meters = on_threads(shares, |t, share| {
        measure_share(&data, share, request, t as u64, threads as u64)
    })?;
    let mut meters = meters.into_iter();
    let mut total = meters.next()?;
    for m in meters {
        total.merge(m).ok()?;
    }
    let r = total.finish();
    Some(r)
}

/// `work(i, item)` for each item on a thread of its own; `None` if any gives up (or panics).
fn on_threads<I: Send, T: Send>(
    items: Vec<I>,
    work: impl Fn(usize, I) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| s.spawn(move || work(i, item)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect::<Option<Vec<_>>>()
    })
}

/// The whole file, read through the usual progress bar.
fn read_all(path: &Path, quiet: bool) -> Option<Vec<u8>> {
    let size = std::fs::metadata(path).ok()?.len();
    let mut data = Vec::with_capacity(usize::try_from(size).ok()?.checked_add(1)?);
    crate::output::open_with_progress(path, quiet)
        .ok()?
        .read_to_end(&mut data)
        .ok()?;
    Some(data)
}

/// Hash partitions for a file of `bytes` bytes: about one per MiB (a partition's rows and
/// sort then stay within the caches), a power of two from 1 to 1024.
fn partitions(bytes: usize) -> usize {
    (bytes >> 20).clamp(1, 1024).next_power_of_two()
}

/// `threads` ranges covering `data[start..]`, each ending just after a line feed (the last
/// at the end of the data); some may be empty.
fn chunk_bounds(data: &[u8], start: usize, threads: usize) -> Vec<(usize, usize)> {
    let len = data.len().saturating_sub(start);
    let mut bounds = Vec::with_capacity(threads);
    let mut from = start;
    for k in 1..=threads {
        let to = if k == threads {
            data.len()
        } else {
            let guess = (start + len / threads * k).max(from);
            data.get(guess..)
                .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                .map_or(data.len(), |p| guess + p + 1)
        };
        bounds.push((from, to));
        from = to;
    }
    bounds
}

/// The id's word: its bytes little-endian, zero-padded (with the length, it is the id).
#[inline]
fn inline_word(id: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..id.len()].copy_from_slice(id);
    u64::from_le_bytes(w)
}

/// A well-mixed 64-bit hash of a word (the MurmurHash3 finaliser).
#[inline]
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The partition of an id (`parts` a power of two), from a hash of its bytes.
#[inline]
fn partition_of(id: &[u8], parts: usize) -> usize {
    let h = id
        .chunks(8)
        .fold(id.len() as u64, |h, c| mix(h ^ inline_word(c)));
    (h >> 40) as usize & (parts - 1)
}

/// One thread's scan of a chunk.
struct Scan<'a> {
    data: &'a [u8],
    fields: usize,
    columns: [usize; 3],
    request: &'a ScanRequest<'a>,
    parts: usize,
    expected_rows: usize,
}

impl Scan<'_> {
    /// The funnel rows of `data[from..to]` by partition, or `None` at the first line the fast
    /// path does not take.
    fn chunk(&self, from: usize, to: usize) -> Option<Vec<Vec<Row>>> {
        let data = self.data;
        let capacity = self.expected_rows + self.expected_rows / 8 + 16;
        let mut parts: Vec<Vec<Row>> = (0..self.parts)
            .map(|_| Vec::with_capacity(capacity))
            .collect();
        let format = self.request.format;
        let mut pos = from;
        while pos < to {
            let end = data[pos..to]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(to, |p| pos + p);
            let [entity, step, time] = self.split(pos, end)?;
            pos = end + 1;
            let id = input::parse_id_bytes(&data[entity.0..entity.1]).ok()?;
            let step_name = input::parse_id_bytes(&data[step.0..step.1]).ok()?;
            let time = input::parse_event_time(&data[time.0..time.1], format).ok()?;
            let step = match self.step_of(step_name) {
                Some(s) => s,
                None if self.request.keep_other => OTHER_STEP,
                None => continue,
            };
            let id = id.as_bytes();
            let key = if id.len() <= INLINE {
                inline_word(id)
            } else {
                entity.0 as u64
            };
            parts[partition_of(id, self.parts)].push(Row {
                key,
                time,
                len: u32::try_from(id.len()).ok()?,
                step,
            });
        }
        Some(parts)
    }

    /// The byte ranges of the entity, step and time fields of the line `data[from..to]`, or
    /// `None` unless it is a plain line of as many fields as the header.
    #[inline]
    fn split(&self, from: usize, to: usize) -> Option<[(usize, usize); 3]> {
        let line = &self.data[from..to];
        if line.is_empty() {
            return None; // a blank line, which the csv crate skips
        }
        let mut got = [(from, from); 3];
        let mut field = 0;
        let mut start = from;
        let mut take = |field: usize, start: usize, end: usize| {
            for (slot, &c) in got.iter_mut().zip(&self.columns) {
                if c == field {
                    *slot = (start, end);
                }
            }
        };
        for (i, &b) in line.iter().enumerate() {
            if b == b',' {
                take(field, start, from + i);
                field += 1;
                start = from + i + 1;
            } else if b == b'"' || b == b'\r' {
                return None;
            }
        }
        take(field, start, to);
        (field + 1 == self.fields).then_some(got)
    }

    /// The step number of an event name of the funnel.
    #[inline]
    fn step_of(&self, name: &str) -> Option<u32> {
        self.request
            .steps
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, s)| s)
    }
}

/// Measures one thread's partitions: each sorted by id, its entities numbered `t`,
/// `t + threads`, ... in that order, into one meter.
fn measure_share(
    data: &[u8],
    share: Vec<Vec<Vec<Row>>>,
    request: &ScanRequest<'_>,
    t: u64,
    threads: u64,
) -> Option<FunnelMeter> {
    let mut meter = FunnelMeter::new(request.funnel_steps, request.options.clone()).ok()?;
    let mut next = t;
    let mut short: Vec<Row> = Vec::new();
    let mut long: Vec<Row> = Vec::new();
    let id_of = |r: &Row| {
        let at = usize::try_from(r.key).ok()?;
        data.get(at..at.checked_add(r.len as usize)?)
    };
    for part in share {
        short.clear();
        long.clear();
        for rows in part {
            for r in rows {
                if r.len as usize <= INLINE {
                    short.push(r);
                } else {
                    long.push(r);
                }
            }
        }
        short.sort_unstable_by_key(|r| (r.len, r.key));
        long.sort_unstable_by(|a, b| id_of(a).cmp(&id_of(b)));
        for (i, r) in short.iter().enumerate() {
            if i > 0 && (short[i - 1].len, short[i - 1].key) != (r.len, r.key) {
                next += threads;
            }
            meter.push(event(next, r)).ok()?;
        }
        if !short.is_empty() {
            next += threads;
        }
        for (i, r) in long.iter().enumerate() {
            if i > 0 && id_of(&long[i - 1]) != id_of(r) {
                next += threads;
            }
            meter.push(event(next, r)).ok()?;
        }
        if !long.is_empty() {
            next += threads;
        }
    }
    Some(meter)
}

fn event(entity: u64, r: &Row) -> Event {
    Event {
        entity,
        step: r.step,
        timestamp: r.time,
        group: 0,
    }
}
