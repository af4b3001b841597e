//! The fast path of `attain funnel measure` on a plain event CSV, on every core.
//!
//! The file is read at once (a range per thread) and cut into one chunk per thread at line
//! boundaries. Each thread
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

/// One funnel row filed under its partition (24 bytes): the id's bytes as a word
/// ([`inline_word`]) when it has at most [`INLINE`] bytes, else the id's offset in the file.
#[derive(Debug, Clone, Copy)]
struct Row {
    key: u64,
    time: i64,
    len: u32,
    step: u32,
}

/// Ids of at most this many bytes are kept inline in [`Row::key`].
const INLINE: usize = 8;

/// An id of at most [`INLINE`] bytes as a number: its length above its bytes, so that two ids
/// are equal exactly when their numbers are.
#[inline]
fn short_key(len: usize, word: u64) -> u128 {
    (u128::from(len as u8) << 64) | u128::from(word)
}

/// Measures the funnel of `request` on the fast path, or `None` when the file or the options
/// are not for it (the caller then reads the file with the general reader).
pub(crate) fn measure(request: &ScanRequest<'_>) -> Option<FunnelMeasurement> {
    if request.options.keep_paths || request.options.breakdown {
        return None;
    }
    // The options are checked here; the general path reports them after reading the file.
    FunnelMeter::new(request.funnel_steps, request.options.clone()).ok()?;
    let threads = request.threads.max(1);
    let data = read_all(request.path, request.quiet, threads)?;
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
        names: request
            .steps
            .iter()
            .map(|&(n, s)| (n.as_bytes(), s, input::parse_id(n).is_ok()))
            .collect(),
        short_names: request
            .steps
            .iter()
            .filter(|(n, _)| n.len() <= INLINE && input::parse_id(n).is_ok())
            .map(|&(n, s)| (short_key(n.len(), inline_word(n.as_bytes())), s))
            .collect(),
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

/// The whole file, read on `threads` threads (a range each), advancing the usual progress
/// bar; `None` if it cannot be read or changes size while being read.
fn read_all(path: &Path, quiet: bool, threads: usize) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let size = usize::try_from(file.metadata().ok()?.len()).ok()?;
    let bar = crate::output::file_progress(path, quiet);
    let mut data = vec![0u8; size];
    let piece = size.div_ceil(threads.max(1)).max(1);
    let ranges: Vec<(usize, &mut [u8])> = data
        .chunks_mut(piece)
        .enumerate()
        .map(|(i, buf)| (i * piece, buf))
        .collect();
    let (file_ref, bar_ref) = (&file, &bar);
    on_threads(ranges, |_, (offset, buf)| {
        read_range(file_ref, offset, buf, bar_ref.as_ref())
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // The file must end where its size said.
    (read_at(&file, size, &mut [0u8; 1]).ok()? == 0).then_some(data)
}

/// Fills `buf` with the file's bytes from `offset`, in blocks of 4 MiB.
fn read_range(
    file: &std::fs::File,
    offset: usize,
    buf: &mut [u8],
    bar: Option<&indicatif::ProgressBar>,
) -> Option<()> {
    const BLOCK: usize = 1 << 22;
    for (j, block) in buf.chunks_mut(BLOCK).enumerate() {
        let mut done = 0;
        while done < block.len() {
            match read_at(file, offset + j * BLOCK + done, &mut block[done..]) {
                Ok(0) => return None, // the file got shorter
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        if let Some(bar) = bar {
            bar.inc(block.len() as u64);
        }
    }
    Some(())
}

/// One positioned read of the file (`FileExt::read_at` on Unix, `seek_read` on Windows).
fn read_at(file: &std::fs::File, offset: usize, buf: &mut [u8]) -> std::io::Result<usize> {
    let offset = u64::try_from(offset).map_err(|_| std::io::ErrorKind::InvalidInput)?;
    #[cfg(unix)]
    let n = std::os::unix::fs::FileExt::read_at(file, buf, offset);
    #[cfg(windows)]
    let n = std::os::windows::fs::FileExt::seek_read(file, buf, offset);
    #[cfg(not(any(unix, windows)))]
    let n: std::io::Result<usize> = {
        let _ = (file, buf, offset);
        Err(std::io::ErrorKind::Unsupported.into())
    };
    n
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
    /// The funnel's event names with their step numbers, and whether the shared id rule
    /// accepts the name as written.
    names: Vec<(&'a [u8], u32, bool)>,
    /// The names of at most [`INLINE`] bytes that the rule accepts, as [`short_key`]s.
    short_names: Vec<(u128, u32)>,
}

impl Scan<'_> {
    /// The funnel rows of `data[from..to]` by partition, or `None` at the first line the fast
    /// path does not take.
    fn chunk(&self, from: usize, to: usize) -> Option<Vec<Vec<Row>>> {
        let data = self.data;
        let bytes = &data[from..to];
        // A quote or a carriage return anywhere: the csv crate's full grammar is needed.
        if memchr::memchr2(b'"', b'\r', bytes).is_some() {
            return None;
        }
        let capacity = self.expected_rows + self.expected_rows / 8 + 16;
        let mut parts: Vec<Vec<Row>> = (0..self.parts)
            .map(|_| Vec::with_capacity(capacity))
            .collect();
        let mut line = from;
        let mut field = 0;
        let mut start = from;
        let mut got = [(from, from); 3];
        let mut separators = Separators::new(bytes).map(|p| from + p);
        loop {
            let (end, last) = match separators.next() {
                Some(p) if data[p] == b',' => {
                    self.take(&mut got, field, start, p);
                    field += 1;
                    start = p + 1;
                    continue;
                }
                Some(p) => (p, false),
                None if line < to => (to, true),
                None => break,
            };
            // A blank line (which the csv crate skips), or not as many fields as the header.
            if end == line || field + 1 != self.fields {
                return None;
            }
            self.take(&mut got, field, start, end);
            self.row(got, &mut parts)?;
            (line, field, start) = (end + 1, 0, end + 1);
            if last {
                break;
            }
        }
        Some(parts)
    }

    /// Notes the range of field `field` if it is one of the three columns.
    #[inline]
    fn take(&self, got: &mut [(usize, usize); 3], field: usize, start: usize, end: usize) {
        for (slot, &c) in got.iter_mut().zip(&self.columns) {
            if c == field {
                *slot = (start, end);
            }
        }
    }

    /// Checks one row (entity, step and time ranges) and files it under its partition if its
    /// step is one of the funnel's; `None` if a field is refused.
    #[inline]
    fn row(&self, [entity, step, time]: [(usize, usize); 3], parts: &mut [Vec<Row>]) -> Option<()> {
        let data = self.data;
        let id = input::parse_id_bytes(&data[entity.0..entity.1]).ok()?;
        let step = self.step_of(&data[step.0..step.1])?;
        let time = input::parse_event_time(&data[time.0..time.1], self.request.format).ok()?;
        let step = match step {
            Some(s) => s,
            None if self.request.keep_other => OTHER_STEP,
            None => return Some(()),
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
        Some(())
    }

    /// The step number of a step field (`Some(None)` for a valid name of no funnel event),
    /// or `None` when the shared id rule refuses it. A field equal to an event name that the
    /// rule accepts needs no second check.
    #[inline]
    fn step_of(&self, field: &[u8]) -> Option<Option<u32>> {
        if field.len() <= INLINE {
            let key = short_key(field.len(), inline_word(field));
            if let Some(&(_, s)) = self.short_names.iter().find(|(k, _)| *k == key) {
                return Some(Some(s));
            }
        } else if let Some(&(_, s, _)) = self.names.iter().find(|(n, _, ok)| *ok && *n == field) {
            return Some(Some(s));
        }
        let name = input::parse_id_bytes(field).ok()?;
        let found = self.names.iter().find(|(n, _, _)| *n == name.as_bytes());
        Some(found.map(|&(_, s, _)| s))
    }
}

/// The positions of the commas and line feeds of a text, found 64 bytes at a time as a bit
/// mask (one compare per byte, which the compiler turns into vector instructions).
struct Separators<'a> {
    bytes: &'a [u8],
    /// The start of the block `mask` describes.
    block: usize,
    /// The separators of the block not yet returned.
    mask: u64,
}

impl<'a> Separators<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let mut s = Separators {
            bytes,
            block: 0,
            mask: 0,
        };
        s.mask = s.block_mask();
        s
    }

    /// The separators of the 64 bytes from `self.block` (fewer at the end).
    #[inline]
    fn block_mask(&self) -> u64 {
        let rest = self.bytes.get(self.block..).unwrap_or(&[]);
        match rest.first_chunk::<64>() {
            Some(full) => separator_mask(full),
            None => {
                let mut block = [0u8; 64];
                block[..rest.len()].copy_from_slice(rest);
                separator_mask(&block)
            }
        }
    }
}

/// Bit `i` is set when byte `i` of the block is a comma or a line feed: eight bytes at a
/// time, each byte tested for zero after an exclusive or (exact, no carry between bytes).
#[inline]
fn separator_mask(block: &[u8; 64]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut mask = 0u64;
    for (k, bytes) in block.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        let w = u64::from_le_bytes(word);
        // The high bit of each byte of `w ^ c` that is zero.
        let zero = |c: u8| {
            let x = w ^ (u64::from(c) * ONES);
            !((x & LOW7).wrapping_add(LOW7) | x | LOW7)
        };
        let high = zero(b',') | zero(b'\n');
        // Gather the eight high bits into one byte, byte 0 lowest.
        mask |= ((high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

impl Iterator for Separators<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += 64;
            if self.block >= self.bytes.len() {
                return None;
            }
            self.mask = self.block_mask();
        }
        let at = self.block + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
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
        short.sort_unstable_by_key(|r| short_key(r.len as usize, r.key));
        long.sort_unstable_by(|a, b| id_of(a).cmp(&id_of(b)));
        for (i, r) in short.iter().enumerate() {
            if i > 0 && (short[i - 1].key, short[i - 1].len) != (r.key, r.len) {
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn prop_separator_mask_marks_exactly_commas_and_line_feeds(
            bytes in prop::collection::vec(
                prop_oneof![Just(b','), Just(b'\n'), Just(b',' | 0x80), Just(b'\n' | 0x80), Just(0u8), Just(0xffu8), any::<u8>()],
                64,
            ),
        ) {
            let block: [u8; 64] = bytes.clone().try_into().unwrap();
            let expected = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b',' || **b == b'\n')
                .fold(0u64, |m, (i, _)| m | 1 << i);
            prop_assert_eq!(separator_mask(&block), expected);
        }

        #[test]
        fn prop_separators_are_every_comma_and_line_feed(bytes in prop::collection::vec(prop_oneof![Just(b','), Just(b'\n'), Just(b'a')], 0..300)) {
            let expected: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b != b'a').map(|(i, _)| i).collect();
            prop_assert_eq!(Separators::new(&bytes).collect::<Vec<_>>(), expected);
        }
    }
}
