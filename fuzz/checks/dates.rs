//! Every date and timestamp parser of the input grammar: the text and byte forms agree, the
//! fast `iso_date_days` agrees with `parse_date` wherever it answers, a timestamp's date is its
//! date as written and its instant is consistent with its offset, and chrono is the oracle on
//! the subsets both read (`YYYY-MM-DD`, RFC 3339).

use attain_types::NaiveDate;
use attain_types::input::{
    TimeFormat, iso_date_days, parse_date, parse_date_bytes, parse_event_time, parse_timestamp,
    parse_timestamp_bytes,
};

fn plain_iso_date(b: &[u8]) -> bool {
    b.len() == 10
        && b.iter().enumerate().all(|(i, &c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

pub fn check(data: &[u8]) {
    let date = parse_date_bytes(data);
    let ts = parse_timestamp_bytes(data);
    let fast = iso_date_days(data);
    if let Some(days) = fast {
        let d = NaiveDate::from_num_days_from_ce_opt(days).expect("iso_date_days out of range");
        assert_eq!(
            date.as_ref().ok(),
            Some(&d),
            "iso_date_days and parse_date disagree on {data:?}"
        );
    }
    if plain_iso_date(data) {
        let text = std::str::from_utf8(data).expect("ASCII");
        let oracle = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        assert_eq!(
            date.as_ref().ok(),
            oracle.as_ref(),
            "{text:?}: chrono disagrees"
        );
        assert_eq!(
            fast.is_some(),
            oracle.is_some(),
            "{text:?}: iso_date_days and chrono disagree"
        );
    }
    // A timestamp is also a date (its date as written), and a date is a timestamp at midnight UTC.
    match (&date, &ts) {
        (Ok(d), Ok(t)) => assert_eq!(*d, t.date(), "{data:?}"),
        (Err(_), Ok(t)) => panic!("{data:?}: a timestamp ({t:?}) that is not a date"),
        (Ok(d), Err(e)) => panic!("{data:?}: a date ({d}) that is not a timestamp: {e}"),
        (Err(_), Err(_)) => {}
    }
    if let Ok(t) = &ts {
        // The instant and the offset give back the date as written.
        let local = t
            .unix_seconds()
            .checked_add(i64::from(t.offset_seconds()))
            .expect("local time overflows");
        let local_day = local.div_euclid(86_400);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
        let back = epoch
            .checked_add_signed(chrono::TimeDelta::days(local_day))
            .expect("date out of range");
        assert_eq!(
            back,
            t.date(),
            "{data:?}: instant and offset disagree with the date"
        );
        assert!(t.subsec_nanos() < 1_000_000_000, "{data:?}");
        assert!(t.offset_seconds().abs() < 86_400, "{data:?}");
        assert_eq!(
            parse_event_time(data, TimeFormat::Iso).ok(),
            Some(t.unix_seconds())
        );
        // chrono's RFC 3339 reader, where it reads the text too, gives the same instant.
        if let Ok(text) = std::str::from_utf8(data)
            && let Ok(c) = chrono::DateTime::parse_from_rfc3339(text)
        {
            assert_eq!(
                c.timestamp(),
                t.unix_seconds(),
                "{text:?}: chrono's instant differs"
            );
            assert_eq!(c.offset().local_minus_utc(), t.offset_seconds(), "{text:?}");
        }
    } else {
        assert!(parse_event_time(data, TimeFormat::Iso).is_err());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(
            parse_date(text).ok(),
            date.as_ref().ok().copied(),
            "{text:?}"
        );
        assert_eq!(
            parse_timestamp(text).ok(),
            ts.as_ref().ok().copied(),
            "{text:?}"
        );
    } else {
        assert!(date.is_err() && ts.is_err(), "non-UTF-8 accepted: {data:?}");
    }
    // Epoch formats: `-?[0-9]+`, milliseconds floored to seconds.
    let secs = parse_event_time(data, TimeFormat::UnixSeconds);
    let millis = parse_event_time(data, TimeFormat::UnixMillis);
    let oracle: Option<i64> = std::str::from_utf8(data)
        .ok()
        .filter(|t| {
            let d = t.strip_prefix('-').unwrap_or(t);
            !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
        })
        .and_then(|t| t.parse().ok());
    // Only times whose date chrono (and so every date reader) can hold are read.
    let representable = |secs: i64| {
        i32::try_from(secs.div_euclid(86_400) + 719_163)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .is_some()
    };
    assert_eq!(
        secs.as_ref().ok().copied(),
        oracle.filter(|&s| representable(s)),
        "{data:?}: epoch seconds"
    );
    assert_eq!(
        millis.as_ref().ok().copied(),
        oracle
            .map(|m| m.div_euclid(1000))
            .filter(|&s| representable(s)),
        "{data:?}: epoch millis"
    );
}
