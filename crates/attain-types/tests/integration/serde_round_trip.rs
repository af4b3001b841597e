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
