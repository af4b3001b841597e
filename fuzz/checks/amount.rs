//! Amount and `Money` parsing against `rust_decimal`'s own exact parser as the oracle.
//!
//! The grammar (`attain_types::input`): `-?[0-9]+(\.[0-9]+)?` with at most 28 decimals, within
//! `Decimal`'s range. On that subset `Decimal::from_str_exact` is the oracle: the grammar
//! accepts a text exactly when the oracle does, with the same value and scale; outside it,
//! nothing is accepted.

use std::str::FromStr;

use attain_types::input::{parse_amount, parse_amount_bytes, parse_money};
use attain_types::{Currency, Decimal, Money, ParseOptions};

/// Whether `text` is in the amount grammar's syntax (range aside).
fn in_syntax(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let (int, frac) = match digits.iter().position(|&c| c == b'.') {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    !int.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && frac.is_none_or(|f| !f.is_empty() && f.len() <= 28 && f.iter().all(u8::is_ascii_digit))
}

pub fn check(data: &[u8]) {
    let by_bytes = parse_amount_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(by_bytes.is_err(), "non-UTF-8 bytes accepted: {data:?}");
        return;
    };
    let by_text = parse_amount(text);
    assert_eq!(
        by_text.as_ref().ok(),
        by_bytes.as_ref().ok(),
        "parse_amount and parse_amount_bytes disagree on {text:?}"
    );
    let oracle = Decimal::from_str_exact(text);
    match (&by_text, in_syntax(text)) {
        (Ok(d), true) => {
            let o = oracle.as_ref().expect("accepted, but rust_decimal refuses");
            assert_eq!(d, o, "{text:?}");
            assert_eq!(d.scale(), o.scale(), "{text:?}: scale");
        }
        (Ok(d), false) => panic!("{text:?} is outside the grammar but was read as {d}"),
        (Err(e), true) => assert!(
            oracle.is_err(),
            "{text:?} is in the grammar and rust_decimal reads it, but it was refused: {e}"
        ),
        (Err(_), false) => {}
    }

    // Money::parse: the amount grammar plus an optional leading '+'.
    let usd = Currency::new("USD").expect("USD");
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    match Money::parse(text, usd) {
        Ok(m) => {
            assert!(
                !unsigned.starts_with(['+', '-']) || !text.starts_with('+'),
                "{text:?}: two signs accepted"
            );
            let plain = Decimal::from_str(unsigned)
                .expect("Money::parse accepted what rust_decimal refuses");
            assert_eq!(m.amount(), plain, "{text:?}");
        }
        Err(_) => {
            if !text.starts_with("+-") && in_syntax(unsigned) {
                assert!(
                    Decimal::from_str_exact(unsigned).is_err(),
                    "{text:?}: Money::parse refused an amount in the grammar"
                );
            }
        }
    }
    // With thousands separators: the same value as the text without its commas, and every
    // group after the first has three digits.
    if let Ok(m) = Money::parse_with(text, usd, ParseOptions::default().thousands_separator(true)) {
        let plain: String = text.chars().filter(|&c| c != ',').collect();
        let without = Money::parse(&plain, usd).expect("grouped amount, plain refused");
        assert_eq!(m.amount(), without.amount(), "{text:?}");
        let int = unsigned
            .trim_start_matches('-')
            .split('.')
            .next()
            .unwrap_or("");
        if int.contains(',') {
            let groups: Vec<&str> = int.split(',').collect();
            assert!(
                (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3),
                "{text:?}: bad grouping accepted"
            );
        }
        assert!(
            !unsigned.split('.').nth(1).is_some_and(|f| f.contains(',')),
            "{text:?}: comma in the fraction accepted"
        );
    }
    // parse_money: the grammar, then whole minor units.
    if let Ok(m) = parse_money(text, usd) {
        let d = by_text
            .as_ref()
            .expect("parse_money accepted what parse_amount refuses");
        assert_eq!(m.amount(), *d, "{text:?}");
        assert!(m.is_whole_minor_units(), "{text:?}");
    } else if let Ok(d) = &by_text {
        assert!(
            d.normalize().scale() > 2
                || Money::try_new(*d, usd)
                    .and_then(|m| m.to_minor_units())
                    .is_err(),
            "{text:?}: parse_money refused a whole number of cents"
        );
    }
}
