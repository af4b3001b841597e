//! A compact, versioned binary encoding of [`CustomerState`], so that engines that move partial
//! aggregates between threads, processes or machines (Apache DataFusion, Ballista, Spark UDAFs,
//! a message queue) carry exactly the crate's monoid and merge it with [`CustomerState::merge`].
//!
//! Layout (all integers little-endian), version 1:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version (`1`) |
//! | 1 | flags: bit 0 order ids tracked, bit 1 days tracked, bit 2 non-empty |
//! | 8 | rows (`u64`) |
//! | 4 + 4 | first, last purchase as days from 0001-01-01 (`i32`), when non-empty |
//! | 16 + 16 | net, gross (`rust_decimal` serialized form) |
//! | 8 | anonymous orders (`u64`) |
//! | 4 + ... | when tracked: order-id count (`u32`), then each id as `u32` length + UTF-8 bytes, ascending |
//! | 4 + ... | when tracked: day count (`u32`), then each day as `i32` + net + gross, ascending |

use std::collections::{BTreeMap, BTreeSet};

use attain_types::{Decimal, NaiveDate};
use chrono::Datelike;

use crate::aggregate::{CustomerState, DayTotal};
use crate::{Error, Result};

const VERSION: u8 = 1;
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
        let (order_ids, days) = (self.order_id_set(), self.day_totals());
        let mut out = Vec::with_capacity(64);
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
            put_date(&mut out, first);
            put_date(&mut out, last);
        }
        out.extend_from_slice(&self.net().serialize());
        out.extend_from_slice(&self.gross().serialize());
        out.extend_from_slice(&self.anonymous_orders().to_le_bytes());
        if let Some(ids) = order_ids {
            out.extend_from_slice(&(ids.len() as u32).to_le_bytes());
            for id in ids {
                out.extend_from_slice(&(id.len() as u32).to_le_bytes());
                out.extend_from_slice(id.as_bytes());
            }
        }
        if let Some(days) = days {
            out.extend_from_slice(&(days.len() as u32).to_le_bytes());
            for (d, t) in days {
                put_date(&mut out, *d);
                out.extend_from_slice(&t.net.serialize());
                out.extend_from_slice(&t.gross.serialize());
            }
        }
        out
    }

    /// Decodes a state written by [`CustomerState::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the bytes are truncated, have trailing data, an unknown version,
    /// an invalid date, decimal or UTF-8 id, or ids/days out of order.
    pub fn from_bytes(bytes: &[u8]) -> Result<CustomerState> {
        let mut r = Reader { bytes };
        if r.u8()? != VERSION {
            return Err(decode_err("unknown version"));
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
            let n = r.u32()?;
            let mut ids = BTreeSet::new();
            let mut prev: Option<&str> = None;
            for _ in 0..n {
                let len = r.u32()? as usize;
                let id = std::str::from_utf8(r.take(len)?)
                    .map_err(|_| decode_err("order id is not UTF-8"))?;
                if prev.is_some_and(|p| p >= id) {
                    return Err(decode_err("order ids out of order"));
                }
                prev = Some(id);
                ids.insert(Box::from(id));
            }
            Some(ids)
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
