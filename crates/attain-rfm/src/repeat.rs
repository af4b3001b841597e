//! The CLV models' per-customer repeat summaries from one pass of the fast reader, for logs in
//! date order: per customer the slot keeps its first and latest purchase day, its distinct
//! purchase days and the exact total of the days after the first, so no per-customer list of
//! days is kept. A customer whose rows go back to an earlier day makes the reader give up;
//! [`crate::csv::read_activity_path`] (at [`Granularity::Day`](attain_types::Granularity)) or
//! [`crate::repeat_summaries`] then take the file.

use attain_types::{Decimal, RepeatSummary};

use crate::aggregate::IngestReport;
use crate::fast::{Bail, Layout, Row, SlotState, Table, day_to_date};
use crate::{Error, Result};

/// What [`crate::csv::read_repeat_summaries_path`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatSummaries {
    /// Every customer with a purchase on or before the calibration end and its summary,
    /// ascending by customer id (as [`crate::repeat_summaries`] returns them).
    pub customers: Vec<(String, RepeatSummary)>,
    /// Rows read, used and dated after the calibration end.
    pub report: IngestReport,
}

/// A customer's slot state for repeat summaries: first and latest day, distinct days, and the
/// total of the rows after the first day in hundredths with their largest written scale.
#[derive(Clone, Copy, Default)]
pub(crate) struct RepeatState {
    len: u16,
    scale: u8,
    days: u32,
    first: i32,
    last: i32,
    repeat_hundredths: i64,
}

impl SlotState for RepeatState {
    type Store = ();
    const ORDERED: bool = true;

    fn new(len: u16) -> Self {
        RepeatState {
            len,
            ..RepeatState::default()
        }
    }

    #[inline]
    fn key_len(&self) -> u16 {
        self.len
    }

    #[inline]
    fn add(&mut self, _: &mut (), row: &Row<'_>, _: &Layout) -> Result<(), Bail> {
        if self.days == 0 {
            self.first = row.day;
            self.last = row.day;
            self.days = 1;
            return Ok(());
        }
        if row.day < self.last {
            // Out of date order: the first day, hence the repeat total, may be wrong.
            return Err(Bail);
        }
        if row.day == self.first {
            // Another purchase on the first day: not a repeat.
            return Ok(());
        }
        if row.day > self.last {
            self.days = self.days.checked_add(1).ok_or(Bail)?;
            self.last = row.day;
        }
        self.repeat_hundredths = self.repeat_hundredths.checked_add(row.amount).ok_or(Bail)?;
        self.scale = self.scale.max(row.scale);
        Ok(())
    }
}

/// Every customer's repeat summary at `as_of` from the tables of one pass, ascending by
/// customer id (as [`crate::repeat_summaries`] returns them). The customers are sorted as the
/// RFM table sorts them (ids of at most 8 bytes by their big-endian words, no text compared),
/// then their summaries built one chunk per thread.
pub(crate) fn summaries(
    tables: &[Table<RepeatState>],
    as_of: attain_types::NaiveDate,
) -> Result<Vec<(String, RepeatSummary)>> {
    let mut recs: Vec<(u64, RepeatState, usize)> =
        Vec::with_capacity(tables.iter().map(|t| t.count).sum());
    for (ti, t) in tables.iter().enumerate() {
        recs.extend(
            t.slots
                .iter()
                .filter(|s| s.state.len != 0)
                .map(|s| (s.word, s.state, ti)),
        );
    }
    let key = |&(word, state, ti): &(u64, RepeatState, usize)| -> Vec<u8> {
        let len = usize::from(state.len);
        if len <= 8 {
            word.to_be_bytes()[..len].to_vec()
        } else {
            tables
                .get(ti)
                .and_then(|t| t.arena.get(word as usize..word as usize + len))
                .unwrap_or_default()
                .to_vec()
        }
    };
    if recs.iter().all(|r| r.1.len <= 8) {
        #[cfg(feature = "parallel")]
        {
            use rayon::slice::ParallelSliceMut;
            recs.par_sort_unstable_by_key(|r| (r.0, r.1.len));
        }
        #[cfg(not(feature = "parallel"))]
        recs.sort_unstable_by_key(|r| (r.0, r.1.len));
    } else {
        recs.sort_by_cached_key(key);
    }
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let size = recs.len().div_ceil(threads).max(1);
    let parts: Vec<Result<Vec<(String, RepeatSummary)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = recs
            .chunks(size)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|r| summary(&key(r), r.1, as_of))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Decode {
                        reason: "a summary walk stopped".to_owned(),
                    })
                })
            })
            .collect()
    });
    let mut all = Vec::with_capacity(recs.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// One customer's id and repeat summary from its slot state.
fn summary(
    id: &[u8],
    s: RepeatState,
    as_of: attain_types::NaiveDate,
) -> Result<(String, RepeatSummary)> {
    let decode = |reason: &str| Error::Decode {
        reason: reason.to_owned(),
    };
    let id = std::str::from_utf8(id).map_err(|_| decode("customer id is not UTF-8"))?;
    let first = day_to_date(s.first).ok_or_else(|| decode("day out of range"))?;
    let last = day_to_date(s.last).ok_or_else(|| decode("day out of range"))?;
    let mantissa = i128::from(s.repeat_hundredths) / [100, 10, 1][usize::from(s.scale) % 3];
    let total = Decimal::try_from_i128_with_scale(mantissa, u32::from(s.scale)).map_err(|_| {
        Error::Overflow {
            operation: "repeat spend",
        }
    })?;
    let summary = RepeatSummary::from_totals(first, last, u64::from(s.days - 1), total, as_of)?;
    Ok((id.to_owned(), summary))
}
