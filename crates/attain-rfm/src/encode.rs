//! A compact, versioned binary encoding of [`CustomerState`], so that engines that move partial
//! aggregates between threads, processes or machines (Apache DataFusion, Ballista, Spark UDAFs,
//! a message queue) carry exactly the crate's monoid and merge it with [`CustomerState::merge`].
//!
//! Layout (all integers little-endian), version 2:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version (`2`) |
//! | 1 | flags: bit 0 order ids tracked, bit 1 days tracked, bit 2 non-empty |
//! | 8 | rows (`u64`) |
//! | 4 + 4 | first, last purchase as days from 0001-01-01 (`i32`), when non-empty |
//! | 16 + 16 | net, gross (`rust_decimal` serialized form) |
//! | 8 | anonymous orders (`u64`) |
//! | 4 + 16 n | when tracked: count `n` of the ids of at most 15 bytes (`u32`), then each as 16 bytes: the id's bytes zero-padded to 15, then its length; strictly ascending |
//! | 4 + ... | when tracked: count of the longer ids (`u32`), then each as `u32` length + UTF-8 bytes, strictly ascending |
//! | 4 + ... | when tracked: day count (`u32`), then each day as `i32` + net + gross, ascending |
//!
//! Version 1 (before issue 15) wrote every order id as length + text; its
//! bytes are rejected with [`Error::StateVersion`], never read as version 2. Every state has
//! exactly one encoding: decoding checks the order, the padding and that no short id sits in
//! the long list.

use std::collections::{BTreeMap, BTreeSet};

use attain_types::{Decimal, NaiveDate};
use chrono::Datelike;

use crate::aggregate::{CustomerState, DayTotal, OrderIds, SHORT_ID_MAX, unpack_short_id};
use crate::{Error, Result};

/// The version this build writes and reads.
pub(crate) const VERSION: u8 = 2;
const ORDERS: u8 = 1;
const DAYS: u8 = 2;
const NON_EMPTY: u8 = 4;

fn decode_err(reason: &str) -> Error {
    Error::Decode {
        reason: reason.to_owned(),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(decode_err("truncated state"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u128_be(&mut self) -> Result<u128> {
        Ok(u128::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn date(&mut self) -> Result<NaiveDate> {
        let d = i32::from_le_bytes(self.array()?);
        NaiveDate::from_num_days_from_ce_opt(d).ok_or_else(|| decode_err("date out of range"))
    }
    fn decimal(&mut self) -> Result<Decimal> {
        let b: [u8; 16] = self.array()?;
        // The flags word holds the sign and the scale; reject what `deserialize` would accept
        // silently (a scale above 28 or stray bits).
        let flags = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if flags & !0x801F_0000 != 0 || (flags >> 16) & 0xFF > 28 {
            return Err(decode_err("invalid decimal"));
        }
        Ok(Decimal::deserialize(b))
    }
}

fn put_date(out: &mut Vec<u8>, d: NaiveDate) {
    out.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
}

impl CustomerState {
    /// The state in the crate's binary encoding (see [`CustomerState::from_bytes`]).
    ///
    /// Equal states encode to equal bytes, and `from_bytes(to_bytes(s)) == s`.
    ///
    /// ```
    /// use attain_rfm::{CustomerState, Tracking, Transaction};
    /// use attain_types::{dec, NaiveDate};
    ///
    /// let mut s = CustomerState::new(Tracking { order_ids: true, days: false });
    /// let date = NaiveDate::from_ymd_opt(2026, 1, 2).ok_or("bad date")?;
    /// s.add(&Transaction { customer_id: "ann", date, amount: dec!(9.99), order_id: Some("o1") })?;
    /// let bytes = s.to_bytes();
    /// assert_eq!(CustomerState::from_bytes(&bytes)?, s);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write_bytes(&mut out);
        out
    }

    /// Appends [`CustomerState::to_bytes`] to `out` (so that an engine encoding many states
    /// writes them into one buffer, without an allocation per state).
    pub fn write_bytes(&self, out: &mut Vec<u8>) {
        let (order_ids, days) = (self.order_id_set(), self.day_totals());
        let mut flags = 0u8;
        if order_ids.is_some() {
            flags |= ORDERS;
        }
        if days.is_some() {
            flags |= DAYS;
        }
        let first_last = self.first_last();
        if first_last.is_some() {
            flags |= NON_EMPTY;
        }
        out.push(VERSION);
        out.push(flags);
        out.extend_from_slice(&self.rows().to_le_bytes());
        if let Some((first, last)) = first_last {
            put_date(out, first);
            put_date(out, last);
        }
        out.extend_from_slice(&self.net().serialize());
        out.extend_from_slice(&self.gross().serialize());
        out.extend_from_slice(&self.anonymous_orders().to_le_bytes());
        if let Some(ids) = order_ids {
            let short = ids.short_keys();
            out.reserve(8 + 16 * short.len());
            out.extend_from_slice(&(short.len() as u32).to_le_bytes());
            for k in short.iter() {
                out.extend_from_slice(&k.to_be_bytes());
            }
            let long = ids.long_ids();
            out.extend_from_slice(&(long.len() as u32).to_le_bytes());
            for id in long {
                out.extend_from_slice(&(id.len() as u32).to_le_bytes());
                out.extend_from_slice(id.as_bytes());
            }
        }
        if let Some(days) = days {
            out.extend_from_slice(&(days.len() as u32).to_le_bytes());
            for (d, t) in days {
                put_date(out, *d);
                out.extend_from_slice(&t.net.serialize());
                out.extend_from_slice(&t.gross.serialize());
            }
        }
    }

    /// Decodes a state written by [`CustomerState::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::StateVersion`] when the bytes are of another version (such as version 1,
    /// written before issue 15); [`Error::Decode`] when they are empty, truncated, have
    /// trailing data, an invalid date, decimal, id key or UTF-8 id, or ids/days out of order.
    pub fn from_bytes(bytes: &[u8]) -> Result<CustomerState> {
        let mut r = Reader { bytes };
        let version = r.u8()?;
        if version != VERSION {
            return Err(Error::StateVersion {
                found: version,
                supported: VERSION,
            });
        }
        let flags = r.u8()?;
        if flags & !(ORDERS | DAYS | NON_EMPTY) != 0 {
            return Err(decode_err("unknown flags"));
        }
        let rows = r.u64()?;
        let first_last = if flags & NON_EMPTY != 0 {
            let (first, last) = (r.date()?, r.date()?);
            if first > last {
                return Err(decode_err("first purchase after last"));
            }
            Some((first, last))
        } else {
            None
        };
        let (net, gross) = (r.decimal()?, r.decimal()?);
        let anonymous = r.u64()?;
        let order_ids = if flags & ORDERS != 0 {
            let n = r.u32()? as usize;
            if r.bytes.len() / 16 < n {
                return Err(decode_err("truncated state"));
            }
            let mut short = Vec::with_capacity(n);
            for _ in 0..n {
                let key = r.u128_be()?;
                let (b, len) =
                    unpack_short_id(key).ok_or_else(|| decode_err("invalid order id key"))?;
                std::str::from_utf8(&b[..len]).map_err(|_| decode_err("order id is not UTF-8"))?;
                if short.last().is_some_and(|&p| p >= key) {
                    return Err(decode_err("order ids out of order"));
                }
                short.push(key);
            }
            let n = r.u32()?;
            let mut long = BTreeSet::new();
            let mut prev: Option<&str> = None;
            for _ in 0..n {
                let len = r.u32()? as usize;
                let id = std::str::from_utf8(r.take(len)?)
                    .map_err(|_| decode_err("order id is not UTF-8"))?;
                if id.len() <= SHORT_ID_MAX {
                    return Err(decode_err("short order id in the long list"));
                }
                if prev.is_some_and(|p| p >= id) {
                    return Err(decode_err("order ids out of order"));
                }
                prev = Some(id);
                long.insert(Box::from(id));
            }
            Some(OrderIds::from_parts(short, long))
        } else {
            None
        };
        let days = if flags & DAYS != 0 {
            let n = r.u32()?;
            let mut days = BTreeMap::new();
            let mut prev = None;
            for _ in 0..n {
                let d = r.date()?;
                if prev.is_some_and(|p| p >= d) {
                    return Err(decode_err("days out of order"));
                }
                prev = Some(d);
                let (net, gross) = (r.decimal()?, r.decimal()?);
                days.insert(d, DayTotal { net, gross });
            }
            Some(days)
        } else {
            None
        };
        if !r.bytes.is_empty() {
            return Err(decode_err("trailing bytes"));
        }
        if first_last.is_none() && rows != 0 {
            return Err(decode_err("rows without dates"));
        }
        Ok(CustomerState::from_raw(
            rows, first_last, net, gross, anonymous, order_ids, days,
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::aggregate::{Tracking, Transaction, pack_short_id};
    use proptest::prelude::*;

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(n)
    }

    fn state(ids: &[&str]) -> CustomerState {
        state_from(ids, 0)
    }

    /// The state of `ids` as rows `offset..` of a log (row `i` has a date and amount of its own).
    fn state_from(ids: &[&str], offset: usize) -> CustomerState {
        let mut s = CustomerState::new(Tracking {
            order_ids: true,
            days: true,
        });
        for (i, id) in ids.iter().enumerate() {
            let i = i + offset;
            s.add(&Transaction {
                customer_id: "c",
                date: day(i as u64 % 7),
                amount: Decimal::new(i as i64 * 101 - 50, 2),
                order_id: Some(id),
            })
            .unwrap();
        }
        s
    }

    /// Ids at the short/long boundary (15 and 16 bytes), ids that differ only by trailing
    /// NULs, non-ASCII ids and repeats.
    const EDGE_IDS: [&str; 10] = [
        "",
        "a",
        "a\0",
        "a\0\0",
        "exactly15bytes!",
        "exactly-16-bytes",
        "exactly15bytes!",
        "ünïcödé-ïd",
        "a-much-longer-order-identifier-0001",
        "a",
    ];

    #[test]
    fn encode_counts_edge_ids_exactly() {
        let s = state(&EDGE_IDS);
        // 10 ids, two repeats ("exactly15bytes!" and "a").
        assert_eq!(s.orders(), 8);
        let bytes = s.to_bytes();
        assert_eq!(bytes[0], VERSION);
        let back = CustomerState::from_bytes(&bytes).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn encode_rejects_version_1_with_a_typed_error() {
        // A version 1 state (one order id "o1") as issue 8's encoder wrote it.
        let mut v1 = vec![1u8, 1 | 4];
        v1.extend_from_slice(&1u64.to_le_bytes());
        v1.extend_from_slice(&day(0).num_days_from_ce().to_le_bytes());
        v1.extend_from_slice(&day(0).num_days_from_ce().to_le_bytes());
        v1.extend_from_slice(&Decimal::ONE.serialize());
        v1.extend_from_slice(&Decimal::ONE.serialize());
        v1.extend_from_slice(&0u64.to_le_bytes());
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(&2u32.to_le_bytes());
        v1.extend_from_slice(b"o1");
        assert_eq!(
            CustomerState::from_bytes(&v1),
            Err(Error::StateVersion {
                found: 1,
                supported: 2
            })
        );
        assert!(matches!(
            CustomerState::from_bytes(&[]),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn encode_rejects_non_canonical_order_ids() {
        let s = state(&["o1", "o2", "a-long-order-id-number-3"]);
        let good = s.to_bytes();
        // Keys start after version, flags, rows, dates, two decimals, anonymous count, count.
        let keys = 2 + 8 + 8 + 32 + 8 + 4;
        // Swapped keys (out of order), a bad length byte, non-zero padding.
        let mut swapped = good.clone();
        swapped[keys..keys + 16].copy_from_slice(&good[keys + 16..keys + 32]);
        swapped[keys + 16..keys + 32].copy_from_slice(&good[keys..keys + 16]);
        let mut bad_len = good.clone();
        bad_len[keys + 15] = 16;
        let mut padding = good.clone();
        padding[keys + 14] = b'x';
        for (name, bytes) in [
            ("swapped", swapped),
            ("length", bad_len),
            ("padding", padding),
        ] {
            assert!(
                matches!(CustomerState::from_bytes(&bytes), Err(Error::Decode { .. })),
                "{name}"
            );
        }
        // A count larger than the bytes left is rejected before allocating.
        let mut huge = good.clone();
        huge[keys - 4..keys].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(CustomerState::from_bytes(&huge).is_err());
    }

    fn ids() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(
            prop_oneof![
                "[a-c\\x00]{0,4}",
                "o[0-9]{1,14}",
                "[a-z]{14,17}",
                "[a-zé]{1,20}",
            ],
            0..40,
        )
    }

    proptest! {
        #[test]
        fn prop_packed_keys_order_as_bytes(a in "[a-c\\x00é]{0,7}", b in "[a-c\\x00é]{0,7}") {
            prop_assert_eq!(
                pack_short_id(a.as_bytes()).cmp(&pack_short_id(b.as_bytes())),
                a.as_bytes().cmp(b.as_bytes())
            );
        }

        #[test]
        fn prop_compact_order_ids_count_exactly_and_merge(ids in ids(), cut in 0usize..40) {
            let all: Vec<&str> = ids.iter().map(String::as_str).collect();
            let distinct: BTreeSet<&str> = all.iter().copied().collect();
            let whole = state(&all);
            prop_assert_eq!(whole.orders(), distinct.len() as u64);
            // merge(a, b) == whole, through the encoding, in both orders.
            let cut = cut.min(all.len());
            let (a, b) = (state(&all[..cut]), state_from(&all[cut..], cut));
            let mut ab = CustomerState::from_bytes(&a.to_bytes()).unwrap();
            ab.merge(CustomerState::from_bytes(&b.to_bytes()).unwrap()).unwrap();
            let mut ba = b.clone();
            ba.merge(a.clone()).unwrap();
            prop_assert_eq!(&ab, &ba);
            prop_assert_eq!(ab.orders(), whole.orders());
            prop_assert_eq!(ab.to_bytes(), whole.to_bytes());
            // Identity and compaction change nothing.
            let mut with_empty = whole.clone();
            with_empty.merge(CustomerState::new(whole_tracking())).unwrap();
            prop_assert_eq!(&with_empty, &whole);
            let mut compacted = whole.clone();
            compacted.compact();
            prop_assert_eq!(&compacted, &whole);
            prop_assert!(compacted.heap_size() <= whole.heap_size());
        }
    }

    fn whole_tracking() -> Tracking {
        Tracking {
            order_ids: true,
            days: true,
        }
    }
}
