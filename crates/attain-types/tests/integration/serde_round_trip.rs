use attain_types::proptest as strat;
use attain_types::{Currency, Money, Period, Rate, WorkingCalendar};
use proptest::prelude::*;

proptest! {
    #[test]
    fn prop_money_json_round_trip(c in strat::currency(), m in 0i64..1_000_000_000) {
        let money = Money::new(attain_types::Decimal::new(m, c.minor_units()), c);
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
    }

    #[test]
    fn prop_rate_json_round_trip(r in strat::rate()) {
        let json = serde_json::to_string(&r).unwrap();
        prop_assert_eq!(serde_json::from_str::<Rate>(&json).unwrap(), r);
    }

    #[test]
    fn prop_period_json_round_trip(p in strat::period(400)) {
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
    }

    #[test]
    fn prop_rate_display_parse_round_trip(r in strat::rate()) {
        prop_assert_eq!(r.to_string().parse::<Rate>().unwrap(), r);
    }
}

#[test]
fn serde_rejects_invalid_values() {
    assert!(serde_json::from_str::<Rate>("\"1.5\"").is_err());
    assert!(
        serde_json::from_str::<Period>(r#"{"start":"2026-02-01","end":"2026-01-01"}"#).is_err()
    );
    let cal = WorkingCalendar::default();
    let json = serde_json::to_string(&cal).unwrap();
    assert_eq!(serde_json::from_str::<WorkingCalendar>(&json).unwrap(), cal);
    let m = Money::new(attain_types::dec!(12.50), Currency::EUR);
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"amount":"12.50","currency":{"code":"EUR","minor_units":2}}"#
    );
}

/// Issue 12, item 7: the JSON of money is pinned (`attain_types::serde`), so a `rust_decimal`
/// feature enabled elsewhere in a build (`serde-float`, `serde-arbitrary-precision`) cannot
/// change it. Exact golden strings, then the way back.
#[test]
fn money_rate_and_growth_json_is_pinned() {
    use attain_types::{Growth, dec};
    let usd = |d| Money::new(d, Currency::USD);
    let golden: [(Money, &str); 6] = [
        (
            usd(dec!(12.50)),
            r#"{"amount":"12.50","currency":{"code":"USD","minor_units":2}}"#,
        ),
        (
            usd(dec!(-0.10)),
            r#"{"amount":"-0.10","currency":{"code":"USD","minor_units":2}}"#,
        ),
        (
            Money::new(dec!(83333), Currency::JPY),
            r#"{"amount":"83333","currency":{"code":"JPY","minor_units":0}}"#,
        ),
        (
            Money::new(dec!(1.250), Currency::KWD),
            r#"{"amount":"1.250","currency":{"code":"KWD","minor_units":3}}"#,
        ),
        (
            usd(dec!(792281625142643375935439503.35)),
            r#"{"amount":"792281625142643375935439503.35","currency":{"code":"USD","minor_units":2}}"#,
        ),
        (
            usd(dec!(0.0000000000000000000000000001)),
            r#"{"amount":"0.0000000000000000000000000001","currency":{"code":"USD","minor_units":2}}"#,
        ),
    ];
    for (money, json) in golden {
        assert_eq!(serde_json::to_string(&money).unwrap(), json);
        let back: Money = serde_json::from_str(json).unwrap();
        assert_eq!(back, money);
        assert_eq!(back.amount().scale(), money.amount().scale(), "{json}");
    }
    let rate = Rate::new(dec!(0.35)).unwrap();
    assert_eq!(serde_json::to_string(&rate).unwrap(), r#""0.35""#);
    assert_eq!(serde_json::from_str::<Rate>(r#""0.35""#).unwrap(), rate);
    let growth = Growth::new(dec!(-0.30));
    assert_eq!(serde_json::to_string(&growth).unwrap(), r#""-0.30""#);
    assert_eq!(
        serde_json::from_str::<Growth>(r#""-0.30""#).unwrap(),
        growth
    );
}

/// What is read is exactly what was written: numbers, exponents and digits a `Decimal`
/// cannot hold are refused, never rounded.
#[test]
fn money_json_is_read_exactly_or_refused() {
    let doc = |amount: &str| {
        format!(r#"{{"amount":{amount},"currency":{{"code":"USD","minor_units":2}}}}"#)
    };
    for bad in [
        "12.5",
        "\"1e3\"",
        "\"+5\"",
        "\" 5\"",
        "\"0.00000000000000000000000000001\"",
        "\"79228162514264337593543950336\"",
        "null",
    ] {
        assert!(
            serde_json::from_str::<Money>(&doc(bad)).is_err(),
            "{bad} should be refused"
        );
    }
    for bad in ["0.5", "\"5e-1\"", "\"1.01\""] {
        assert!(serde_json::from_str::<Rate>(bad).is_err(), "{bad}");
    }
}

proptest! {
    /// Any decimal (any scale, any sign) survives the pinned format unchanged.
    #[test]
    fn prop_money_json_round_trip_at_any_scale(
        mantissa in any::<i128>(),
        scale in 0u32..=28,
        c in strat::currency(),
    ) {
        let m = mantissa % (1i128 << 96);
        let amount = attain_types::Decimal::from_i128_with_scale(m, scale);
        let money = Money::new(amount, c);
        let json = serde_json::to_string(&money).unwrap();
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, money);
        prop_assert_eq!(back.amount().scale(), scale);
    }
}
