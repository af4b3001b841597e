//! The input grammar: how every attain reader reads ids, dates, timestamps, amounts and
//! header names, implemented once.
//!
//! Every reader of the workspace (the CSV fast path and the general CSV reader, Arrow and
//! Parquet, the event reader, and every subcommand of the `attain` command) calls these
//! functions, so a file is accepted or rejected the same way wherever it is read. The full
//! grammar, with examples of what is refused, is in the repository's `docs/input-grammar.md`.
//!
//! | field | accepted | refused |
//! |---|---|---|
//! | id | any UTF-8 text, taken as written | empty; leading or trailing white space; control characters |
//! | amount | `-?[0-9]+(\.[0-9]+)?`, at most 28 decimals, within `Decimal`'s 96-bit mantissa | `+5`, `1e3`, `1_000`, `1,000`, `.5`, `5.`, spaces, more than 28 decimals, beyond the range |
//! | date | `YYYY-MM-DD`; a timestamp (below), whose date is taken as written | `YYYYMMDD`, `1997-6-5`, `+1997-06-05`, spaces, invalid days |
//! | timestamp | `YYYY-MM-DD[T\|t\| ]HH:MM:SS[.digits][Z\|z\|±HH:MM]` or a date alone | `HH:MM` without seconds, `24:00:00`, `:60` leap seconds, `.xyz`, offsets past `±23:59`, bare numbers (unless [`TimeFormat`] says epoch) |
//! | header | names matched exactly (case and spaces count); a UTF-8 byte-order mark before the first is ignored | a selected name missing or present twice |
//!
//! A timestamp's offset is kept: [`Timestamp::date`] is the calendar date as written (the
//! business day of a transaction), [`Timestamp::unix_seconds`] the instant in UTC (the order of
//! events). A timestamp without an offset is read as UTC.
//!
//! ```
//! use attain_types::input::{parse_amount, parse_date, parse_id, parse_timestamp};
//! use attain_types::{dec, NaiveDate};
//!
//! assert_eq!(parse_amount("-12.50")?, dec!(-12.50));
//! assert!(parse_amount("1e3").is_err());
//! assert!(parse_amount(" 5.00").is_err());
//! assert_eq!(parse_date("1997-06-15")?, NaiveDate::from_ymd_opt(1997, 6, 15).ok_or("date")?);
//! assert_eq!(parse_date("1997-06-15T23:30:00-05:00")?, NaiveDate::from_ymd_opt(1997, 6, 15).ok_or("date")?);
//! assert!(parse_date("19970615").is_err());
//! assert_eq!(parse_timestamp("2026-01-15T10:00:00+05:00")?.unix_seconds(), parse_timestamp("2026-01-15T05:00:00Z")?.unix_seconds());
//! assert_eq!(parse_id("00004")?, "00004");
//! assert!(parse_id(" 00004 ").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::{Currency, Money};

/// The most characters of a value quoted in an error message; longer values are cut, with
/// their length in bytes, so a huge field never makes a huge message.
pub const MAX_QUOTED_CHARS: usize = 40;

/// The largest mantissa a `Decimal` holds: `2^96 - 1`.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The most decimals a `Decimal` holds.
const MAX_SCALE: u32 = 28;

/// A value quoted in an error message: at most [`MAX_QUOTED_CHARS`] characters, cut with an
/// ellipsis and the full length in bytes.
///
/// ```
/// use attain_types::input::Quoted;
/// assert_eq!(Quoted::new("abc").to_string(), "\"abc\"");
/// let long = "x".repeat(10_000);
/// assert_eq!(Quoted::new(&long).to_string().len() < 80, true);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Quoted(String);

impl Quoted {
    /// Quotes `text`, cut to [`MAX_QUOTED_CHARS`] characters.
    #[must_use]
    pub fn new(text: &str) -> Quoted {
        match text.char_indices().nth(MAX_QUOTED_CHARS) {
            None => Quoted(format!("{text:?}")),
            Some((cut, _)) => Quoted(format!("{:?}... ({} bytes)", &text[..cut], text.len())),
        }
    }

    /// Quotes bytes that may not be UTF-8 (invalid sequences shown as U+FFFD).
    #[must_use]
    pub fn bytes(bytes: &[u8]) -> Quoted {
        let head = &bytes[..bytes.len().min(MAX_QUOTED_CHARS * 4)];
        let text = String::from_utf8_lossy(head);
        match text.char_indices().nth(MAX_QUOTED_CHARS) {
            None if head.len() == bytes.len() => Quoted(format!("{text:?}")),
            None => Quoted(format!("{text:?}... ({} bytes)", bytes.len())),
            Some((cut, _)) => Quoted(format!("{:?}... ({} bytes)", &text[..cut], bytes.len())),
        }
    }

    /// The quoted text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a field was refused. Readers add the file, line (or row) and column.
///
/// The enum is `#[non_exhaustive]`: adding a variant is not a breaking change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A field is not valid UTF-8. Fix: re-encode the file as UTF-8.
    #[error("value is not valid UTF-8: {value}")]
    NotUtf8 {
        /// The bytes, quoted (invalid sequences as U+FFFD).
        value: Quoted,
    },
    /// An id (customer, order, entity, step) is empty. Fix: fill it in, or drop the row.
    #[error("empty {what}")]
    EmptyId {
        /// What the id names (`"id"` unless a reader says more).
        what: &'static str,
    },
    /// A value starts or ends with white space; fields are taken as written, never trimmed.
    /// Fix: remove the spaces in the file.
    #[error("{value} has leading or trailing white space (values are not trimmed)")]
    Whitespace {
        /// The value, quoted.
        value: Quoted,
    },
    /// An id contains a control character (such as NUL, tab or carriage return).
    #[error("{value} contains a control character")]
    ControlCharacter {
        /// The value, quoted.
        value: Quoted,
    },
    /// An amount is not in the accepted form.
    #[error(
        "invalid amount {value}: expected digits with an optional leading '-' and '.' fraction \
         (no '+', exponent, separators or spaces)"
    )]
    Amount {
        /// The value, quoted.
        value: Quoted,
    },
    /// An amount has more than 28 decimals, which `Decimal` cannot hold exactly.
    #[error("amount {value} has more than 28 decimals")]
    AmountScale {
        /// The value, quoted.
        value: Quoted,
    },
    /// An amount is beyond the range `Decimal` holds exactly (96 bits of digits).
    #[error("amount {value} is too large to hold exactly")]
    AmountRange {
        /// The value, quoted.
        value: Quoted,
    },
    /// An amount is not a whole number of its currency's minor units, or cannot be held at
    /// that scale (`10.005` USD; `83333.33` JPY; `10^27` USD, which is `10^29` cents).
    #[error(
        "amount {value} cannot be held exactly in whole minor units of {currency} ({minor_units} decimals)"
    )]
    MinorUnits {
        /// The value, quoted.
        value: Quoted,
        /// The currency code.
        currency: String,
        /// The currency's number of decimals.
        minor_units: u32,
    },
    /// A date is not in the accepted form or is not a day of the calendar.
    #[error("invalid date {value}: expected YYYY-MM-DD or an RFC 3339 timestamp")]
    Date {
        /// The value, quoted.
        value: Quoted,
    },
    /// A timestamp is not in the accepted form, or a field of it is out of range.
    #[error("invalid timestamp {value}: {reason}")]
    Timestamp {
        /// The value, quoted.
        value: Quoted,
        /// What is wrong.
        reason: &'static str,
    },
    /// A header lacks a column that was asked for.
    #[error("no column {column} in the header (found: {found})")]
    MissingColumn {
        /// The name asked for, quoted.
        column: Quoted,
        /// The header's names, comma-separated (cut when long).
        found: Quoted,
    },
    /// A header names a selected column more than once, so which one is meant is unclear.
    #[error("column {column} appears {count} times in the header")]
    DuplicateColumn {
        /// The name, quoted.
        column: Quoted,
        /// How many times it appears.
        count: usize,
    },
}

/// Checks an id (customer, order, entity, step): non-empty UTF-8, no leading or trailing white
/// space, no control characters. The id is taken as written; two ids are the same customer
/// only when their text is identical.
///
/// # Errors
///
/// [`InputError::EmptyId`], [`InputError::Whitespace`], [`InputError::ControlCharacter`].
pub fn parse_id(text: &str) -> Result<&str, InputError> {
    check_id_text(text)?;
    Ok(text)
}

fn check_id_text(text: &str) -> Result<(), InputError> {
    let (Some(first), Some(last)) = (text.chars().next(), text.chars().next_back()) else {
        return Err(InputError::EmptyId { what: "id" });
    };
    if first.is_whitespace() || last.is_whitespace() {
        return Err(InputError::Whitespace {
            value: Quoted::new(text),
        });
    }
    if text.chars().any(char::is_control) {
        return Err(InputError::ControlCharacter {
            value: Quoted::new(text),
        });
    }
    Ok(())
}

/// [`parse_id`] on bytes: checks that they are UTF-8 first.
///
/// # Errors
///
/// [`InputError::NotUtf8`] and those of [`parse_id`].
pub fn parse_id_bytes(bytes: &[u8]) -> Result<&str, InputError> {
    if is_plain_id(bytes) {
        // ASCII without control characters or edge spaces: valid as is.
        return std::str::from_utf8(bytes).map_err(|_| InputError::NotUtf8 {
            value: Quoted::bytes(bytes),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| InputError::NotUtf8 {
        value: Quoted::bytes(bytes),
    })?;
    parse_id(text)
}

/// Whether `bytes` is a valid id made of printable ASCII only (the common case, checked
/// without decoding). `false` does not mean invalid: [`parse_id_bytes`] decides.
#[inline]
#[must_use]
pub fn is_plain_id(bytes: &[u8]) -> bool {
    match (bytes.first(), bytes.last()) {
        (Some(&a), Some(&b)) => {
            a != b' ' && b != b' ' && bytes.iter().all(|&c| (0x20..0x7f).contains(&c))
        }
        _ => false,
    }
}

/// Parses an amount: `-?[0-9]+(\.[0-9]+)?` with at most 28 decimals whose digits fit
/// `Decimal`'s 96-bit mantissa. The value keeps the scale written (`5.10` has scale 2).
///
/// # Errors
///
/// [`InputError::Amount`] for any other form (`+5`, `1e3`, `1_000`, `.5`, `5.`, spaces),
/// [`InputError::AmountScale`], [`InputError::AmountRange`].
pub fn parse_amount(text: &str) -> Result<Decimal, InputError> {
    parse_amount_bytes(text.as_bytes())
}

/// [`parse_amount`] on bytes.
///
/// # Errors
///
/// As [`parse_amount`].
pub fn parse_amount_bytes(bytes: &[u8]) -> Result<Decimal, InputError> {
    let bad = || InputError::Amount {
        value: Quoted::bytes(bytes),
    };
    let (neg, body) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], Some(&body[p + 1..])),
        None => (body, None),
    };
    if int.is_empty() || frac.is_some_and(<[u8]>::is_empty) {
        return Err(bad());
    }
    let frac = frac.unwrap_or(&[]);
    if !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let scale = u32::try_from(frac.len()).unwrap_or(u32::MAX);
    if scale > MAX_SCALE {
        return Err(InputError::AmountScale {
            value: Quoted::bytes(bytes),
        });
    }
    let mut mantissa: u128 = 0;
    for &c in int.iter().chain(frac) {
        mantissa = mantissa * 10 + u128::from(c - b'0');
        if mantissa > MAX_MANTISSA {
            return Err(InputError::AmountRange {
                value: Quoted::bytes(bytes),
            });
        }
    }
    let signed = i128::try_from(mantissa).map_err(|_| InputError::AmountRange {
        value: Quoted::bytes(bytes),
    })?;
    Decimal::try_from_i128_with_scale(if neg { -signed } else { signed }, scale).map_err(|_| {
        InputError::AmountRange {
            value: Quoted::bytes(bytes),
        }
    })
}

/// Parses an amount of money in `currency`: [`parse_amount`], then the amount must be a whole
/// number of the currency's minor units that can be held at that scale (`10.005` USD, `0.5`
/// JPY and `10^27` USD are refused; `10.50` USD and `10.500` USD are `10.50`).
///
/// # Errors
///
/// Those of [`parse_amount`], and [`InputError::MinorUnits`].
pub fn parse_money(text: &str, currency: Currency) -> Result<Money, InputError> {
    money_at_minor_units(parse_amount(text)?, currency, || Quoted::new(text))
}

fn money_at_minor_units(
    amount: Decimal,
    currency: Currency,
    quote: impl FnOnce() -> Quoted,
) -> Result<Money, InputError> {
    to_minor_units(amount, currency)
        .and_then(|units| Decimal::try_from_i128_with_scale(units, currency.minor_units()).ok())
        .map(|a| Money::new(a, currency))
        .ok_or_else(|| InputError::MinorUnits {
            value: quote(),
            currency: currency.code().to_owned(),
            minor_units: currency.minor_units(),
        })
}

/// The amount as a whole number of `currency`'s minor units, when it is one and fits the
/// 96-bit mantissa at that scale.
fn to_minor_units(amount: Decimal, currency: Currency) -> Option<i128> {
    let minor = currency.minor_units();
    let scale = amount.scale();
    let m = amount.mantissa();
    let units = if scale <= minor {
        m.checked_mul(10i128.checked_pow(minor - scale)?)?
    } else {
        let div = 10i128.checked_pow(scale - minor)?;
        if m % div != 0 {
            return None;
        }
        m / div
    };
    (units.unsigned_abs() <= MAX_MANTISSA).then_some(units)
}

/// Checks that `amount` can be held exactly in whole minor units of `currency`, for readers
/// whose amounts arrive typed (Arrow decimals) rather than as text.
///
/// # Errors
///
/// [`InputError::MinorUnits`].
pub fn check_money(amount: Decimal, currency: Currency) -> Result<Money, InputError> {
    money_at_minor_units(amount, currency, || Quoted::new(&amount.to_string()))
}

/// A parsed timestamp: the calendar date and clock as written, and its offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    date: NaiveDate,
    seconds_of_day: u32,
    nanos: u32,
    offset_seconds: i32,
}

impl Timestamp {
    /// The calendar date as written (in the timestamp's own offset).
    #[must_use]
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The instant as whole seconds since 1970-01-01T00:00:00Z (fractions of a second are
    /// dropped, towards the past).
    #[must_use]
    pub fn unix_seconds(&self) -> i64 {
        let days = i64::from(self.date.num_days_from_ce()) - i64::from(UNIX_EPOCH_DAYS_FROM_CE);
        days * 86_400 + i64::from(self.seconds_of_day) - i64::from(self.offset_seconds)
    }

    /// The fraction of the second, in nanoseconds (digits past the ninth are dropped).
    #[must_use]
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The offset from UTC in seconds (0 for `Z` and for timestamps written without one).
    #[must_use]
    pub fn offset_seconds(&self) -> i32 {
        self.offset_seconds
    }
}

/// Days from 0001-01-01 to 1970-01-01 (chrono's `num_days_from_ce` of the Unix epoch).
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// `YYYY-MM-DD` as days from CE (chrono's `num_days_from_ce`), without allocating; `None`
/// for any other text or an invalid day. The fast subset of [`parse_date`], used by the
/// readers' fast paths; it agrees with [`parse_date`] wherever it returns a value.
#[inline]
#[must_use]
pub fn iso_date_days(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[..4])?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    civil_days(y as i32, m, d)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    Some(v)
}

/// Days since 0001-01-01 (chrono's `num_days_from_ce`) of a valid civil date, else `None`.
fn civil_days(y: i32, m: u32, d: u32) -> Option<i32> {
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > dim[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil, then shifted to the CE epoch.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468 + UNIX_EPOCH_DAYS_FROM_CE)
}

/// Parses a date: `YYYY-MM-DD`, or a timestamp (see [`parse_timestamp`]) whose calendar date
/// is taken as written, in its own offset.
///
/// # Errors
///
/// [`InputError::Date`] (with the timestamp's reason folded in when the text looked like one).
pub fn parse_date(text: &str) -> Result<NaiveDate, InputError> {
    parse_date_bytes(text.as_bytes())
}

/// [`parse_date`] on bytes.
///
/// # Errors
///
/// As [`parse_date`].
pub fn parse_date_bytes(bytes: &[u8]) -> Result<NaiveDate, InputError> {
    match parse_timestamp_bytes(bytes) {
        Ok(t) => Ok(t.date()),
        Err(InputError::Timestamp { value, .. }) => Err(InputError::Date { value }),
        Err(e) => Err(e),
    }
}

/// Parses a timestamp: `YYYY-MM-DD`, or `YYYY-MM-DD` then `T`, `t` or a space, then
/// `HH:MM:SS`, an optional `.` and 1 or more digits, and an optional offset `Z`, `z` or
/// `±HH:MM` (RFC 3339, plus the same without an offset, read as UTC). Hours 00-23, minutes
/// and seconds 00-59, offsets up to ±23:59.
///
/// # Errors
///
/// [`InputError::Timestamp`] naming what is wrong; [`InputError::NotUtf8`] is never returned
/// (any non-ASCII byte is simply not in the grammar).
pub fn parse_timestamp(text: &str) -> Result<Timestamp, InputError> {
    parse_timestamp_bytes(text.as_bytes())
}

/// [`parse_timestamp`] on bytes.
///
/// # Errors
///
/// As [`parse_timestamp`].
pub fn parse_timestamp_bytes(b: &[u8]) -> Result<Timestamp, InputError> {
    let err = |reason: &'static str| InputError::Timestamp {
        value: Quoted::bytes(b),
        reason,
    };
    const FORM: &str = "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an optional fraction and offset (Z or +HH:MM)";
    let day = b
        .get(..10)
        .and_then(iso_date_days)
        .ok_or_else(|| err(FORM))?;
    let date = NaiveDate::from_num_days_from_ce_opt(day).ok_or_else(|| err("date out of range"))?;
    let rest = &b[10..];
    if rest.is_empty() {
        return Ok(Timestamp {
            date,
            seconds_of_day: 0,
            nanos: 0,
            offset_seconds: 0,
        });
    }
    if !matches!(rest[0], b'T' | b't' | b' ') || rest.len() < 9 {
        return Err(err(FORM));
    }
    let clock = &rest[1..9];
    if clock[2] != b':' || clock[5] != b':' {
        return Err(err(FORM));
    }
    let (h, m, s) = (
        digits(&clock[..2]).ok_or_else(|| err(FORM))?,
        digits(&clock[3..5]).ok_or_else(|| err(FORM))?,
        digits(&clock[6..8]).ok_or_else(|| err(FORM))?,
    );
    if h > 23 || m > 59 || s > 59 {
        return Err(err("hour, minute or second out of range"));
    }
    let mut rest = &rest[9..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(err("a '.' must be followed by the digits of a fraction"));
        }
        for (i, &c) in frac[..n].iter().take(9).enumerate() {
            nanos += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = &frac[n..];
    }
    let offset_seconds = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let oh = digits(&[*oh1, *oh2]).ok_or_else(|| err("offset must be +HH:MM"))?;
            let om = digits(&[*om1, *om2]).ok_or_else(|| err("offset must be +HH:MM"))?;
            if oh > 23 || om > 59 {
                return Err(err("offset out of range (at most ±23:59)"));
            }
            let v = (oh * 3600 + om * 60) as i32;
            if *sign == b'-' { -v } else { v }
        }
        _ => return Err(err(FORM)),
    };
    Ok(Timestamp {
        date,
        seconds_of_day: h * 3600 + m * 60 + s,
        nanos,
        offset_seconds,
    })
}

/// How an event reader reads its time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum TimeFormat {
    /// Dates and timestamps as [`parse_timestamp`] reads them (the default). Bare numbers are
    /// refused: `20260115` is not read as seconds.
    #[default]
    Iso,
    /// Whole seconds since 1970-01-01T00:00:00Z: `-?[0-9]+`.
    UnixSeconds,
    /// Whole milliseconds since 1970-01-01T00:00:00Z (`-?[0-9]+`), floored to seconds.
    UnixMillis,
}

/// Reads an event time as whole seconds since the Unix epoch, in the given format.
///
/// # Errors
///
/// [`InputError::Timestamp`].
pub fn parse_event_time(bytes: &[u8], format: TimeFormat) -> Result<i64, InputError> {
    match format {
        TimeFormat::Iso => parse_timestamp_bytes(bytes).map(|t| t.unix_seconds()),
        TimeFormat::UnixSeconds | TimeFormat::UnixMillis => {
            let err = |reason| InputError::Timestamp {
                value: Quoted::bytes(bytes),
                reason,
            };
            let (neg, body) = match bytes.split_first() {
                Some((b'-', rest)) => (true, rest),
                _ => (false, bytes),
            };
            if body.is_empty() || !body.iter().all(u8::is_ascii_digit) {
                return Err(err(
                    "expected whole seconds (or milliseconds) since 1970: -?[0-9]+",
                ));
            }
            let mut v: i64 = 0;
            for &c in body {
                v = v
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(i64::from(c - b'0')))
                    .ok_or_else(|| err("out of range"))?;
            }
            let v = if neg { -v } else { v };
            let secs = if format == TimeFormat::UnixMillis {
                v.div_euclid(1000)
            } else {
                v
            };
            // Keep to the dates chrono (and every date reader) can represent.
            let days = secs.div_euclid(86_400) + i64::from(UNIX_EPOCH_DAYS_FROM_CE);
            i32::try_from(days)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| err("out of range"))?;
            Ok(secs)
        }
    }
}

/// A header line's names, for finding columns by exact name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    names: Vec<String>,
}

impl Header {
    /// The header from its fields, as written; a UTF-8 byte-order mark at the start of the
    /// first name is removed (it belongs to the file, not the name).
    #[must_use]
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(fields: I) -> Header {
        let mut names: Vec<String> = fields.into_iter().map(Into::into).collect();
        if let Some(first) = names.first_mut()
            && let Some(rest) = first.strip_prefix('\u{feff}')
        {
            *first = rest.to_owned();
        }
        Header { names }
    }

    /// The header from raw byte fields (invalid UTF-8 shown as U+FFFD, which then matches no
    /// requested name).
    #[must_use]
    pub fn from_bytes<'a, I: IntoIterator<Item = &'a [u8]>>(fields: I) -> Header {
        Header::new(
            fields
                .into_iter()
                .map(|f| String::from_utf8_lossy(f).into_owned()),
        )
    }

    /// The names.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of the column named exactly `name`.
    ///
    /// # Errors
    ///
    /// [`InputError::MissingColumn`] when no column has that name,
    /// [`InputError::DuplicateColumn`] when several have.
    pub fn find(&self, name: &str) -> Result<usize, InputError> {
        let mut hits = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, n)| *n == name)
            .map(|(i, _)| i);
        match (hits.next(), hits.count()) {
            (Some(i), 0) => Ok(i),
            (Some(_), more) => Err(InputError::DuplicateColumn {
                column: Quoted::new(name),
                count: more + 1,
            }),
            (None, _) => Err(InputError::MissingColumn {
                column: Quoted::new(name),
                found: Quoted::new(&self.names.join(",")),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dec;

    #[test]
    fn amount_forms() {
        for (text, want) in [
            ("0", dec!(0)),
            ("-0", dec!(0)),
            ("5.00", dec!(5.00)),
            ("-12.5", dec!(-12.5)),
            ("007", dec!(7)),
            ("79228162514264337593543950335", Decimal::MAX),
            (
                "0.0000000000000000000000000001",
                dec!(0.0000000000000000000000000001),
            ),
        ] {
            assert_eq!(parse_amount(text), Ok(want), "{text}");
            assert_eq!(
                parse_amount(text).map(|d| d.scale()),
                Ok(want.scale()),
                "{text}"
            );
        }
        for text in [
            "", "-", "+5", "1e3", "1E2", "1_000", "1,000", ".5", "5.", " 5.00", "5.00 ", "--5",
            "5-", "0x10", "١٢", "5.0.0", "NaN", "inf",
        ] {
            assert!(
                matches!(parse_amount(text), Err(InputError::Amount { .. })),
                "{text:?} {:?}",
                parse_amount(text)
            );
        }
        assert!(matches!(
            parse_amount("0.00000000000000000000000000001"),
            Err(InputError::AmountScale { .. })
        ));
        assert!(matches!(
            parse_amount("79228162514264337593543950336"),
            Err(InputError::AmountRange { .. })
        ));
        assert!(matches!(
            parse_amount("1000000000000000000000000000000"),
            Err(InputError::AmountRange { .. })
        ));
    }

    #[test]
    fn money_at_minor_units() {
        let usd = Currency::USD;
        assert_eq!(
            parse_money("10.50", usd).map(|m| m.amount()),
            Ok(dec!(10.50))
        );
        assert_eq!(
            parse_money("10.500", usd).map(|m| m.amount()),
            Ok(dec!(10.50))
        );
        assert_eq!(parse_money("10", usd).map(|m| m.amount().scale()), Ok(2));
        assert!(matches!(
            parse_money("10.005", usd),
            Err(InputError::MinorUnits { .. })
        ));
        assert!(matches!(
            parse_money("1000000000000000000000000000", usd),
            Err(InputError::MinorUnits { .. })
        ));
        assert!(parse_money("792281625142643375935439503.35", usd).is_ok());
        assert!(matches!(
            parse_money("83333.33", Currency::JPY),
            Err(InputError::MinorUnits { .. })
        ));
    }

    #[test]
    fn dates_and_timestamps() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(parse_date("1997-06-15"), Ok(d(1997, 6, 15)));
        assert_eq!(parse_date("2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date("1997-06-15T23:30:00-05:00"), Ok(d(1997, 6, 15)));
        assert_eq!(
            parse_date("1997-06-15 23:30:00.123456789123"),
            Ok(d(1997, 6, 15))
        );
        for bad in [
            "19970615",
            "1997-6-5",
            " 1997-06-15",
            "1997-06-15 ",
            "+1997-06-05",
            "-0001-01-01",
            "2023-02-29",
            "1997-13-01",
            "1997-06-15T10:00",
            "1997-06-15T24:00:00",
            "1997-06-15T10:00:60",
            "1997-06-15T10:00:00.xyz",
            "1997-06-15T10:00:00+99:99",
            "1997-06-15T10:00:00+0500",
            "1997-06-15T10:00:00Q",
            "",
            "20260115",
        ] {
            assert!(
                matches!(parse_date(bad), Err(InputError::Date { .. })),
                "{bad:?}"
            );
        }
        let a = parse_timestamp("2026-01-15T10:00:00+05:00").unwrap();
        let b = parse_timestamp("2026-01-15T05:00:00Z").unwrap();
        assert_eq!(a.unix_seconds(), b.unix_seconds());
        assert_eq!(a.date(), d(2026, 1, 15));
        assert_eq!(parse_timestamp("1970-01-01").unwrap().unix_seconds(), 0);
        assert_eq!(
            parse_timestamp("1969-12-31T23:59:59.5Z")
                .unwrap()
                .unix_seconds(),
            -1
        );
    }

    #[test]
    fn iso_fast_subset_agrees_with_chrono() {
        let mut d = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        while d.year() < 2110 {
            let text = d.format("%Y-%m-%d").to_string();
            assert_eq!(
                iso_date_days(text.as_bytes()),
                Some(d.num_days_from_ce()),
                "{d}"
            );
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn event_times() {
        assert!(parse_event_time(b"20260115", TimeFormat::Iso).is_err());
        assert_eq!(
            parse_event_time(b"20260115", TimeFormat::UnixSeconds),
            Ok(20_260_115)
        );
        assert_eq!(parse_event_time(b"-1500", TimeFormat::UnixMillis), Ok(-2));
        assert!(parse_event_time(b"1e9", TimeFormat::UnixSeconds).is_err());
        assert!(parse_event_time(b"99999999999999999", TimeFormat::UnixSeconds).is_err());
    }

    #[test]
    fn ids() {
        assert_eq!(parse_id("00004"), Ok("00004"));
        assert_eq!(parse_id("客户 7"), Ok("客户 7"));
        assert!(matches!(parse_id(""), Err(InputError::EmptyId { .. })));
        assert!(matches!(
            parse_id(" 00004 "),
            Err(InputError::Whitespace { .. })
        ));
        assert!(matches!(
            parse_id("a\u{a0}"),
            Err(InputError::Whitespace { .. })
        ));
        assert!(matches!(
            parse_id("a\0b"),
            Err(InputError::ControlCharacter { .. })
        ));
        assert!(matches!(
            parse_id_bytes(b"a\xffb"),
            Err(InputError::NotUtf8 { .. })
        ));
        for id in ["a", "A b", "x-1", "~"] {
            assert!(is_plain_id(id.as_bytes()));
        }
        for id in ["", " a", "a ", "a\tb", "é"] {
            assert!(!is_plain_id(id.as_bytes()), "{id:?}");
        }
    }

    #[test]
    fn headers() {
        let h = Header::new(["\u{feff}customer_id", "order_date", " amount", "x", "x"]);
        assert_eq!(h.find("customer_id"), Ok(0));
        assert!(matches!(
            h.find("amount"),
            Err(InputError::MissingColumn { .. })
        ));
        assert!(matches!(
            h.find("x"),
            Err(InputError::DuplicateColumn { count: 2, .. })
        ));
    }

    #[test]
    fn quoted_values_are_capped() {
        let long = "y".repeat(12 << 20);
        let e = parse_amount(&long).unwrap_err().to_string();
        assert!(e.len() < 300, "{}", e.len());
        assert!(e.contains(&format!("({} bytes)", long.len())), "{e}");
        let e = Header::new([long.as_str()])
            .find("amount")
            .unwrap_err()
            .to_string();
        assert!(e.len() < 300, "{}", e.len());
    }
}
