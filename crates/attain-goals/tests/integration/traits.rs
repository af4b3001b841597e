use attain_goals::apportion::Part;
use attain_goals::calendar::{RetailPattern, RetailYear};
use attain_goals::calibrate::{Calibration, CalibrationInputs, GrowthPlan};
use attain_goals::capacity::{CapacityModel, CapacityPlan, HireOption, QuotaPlan, Rep};
use attain_goals::progress::{Actual, Progress, ProgressOptions};
use attain_goals::table::{Cube, Deviation, Dimension, Table};
use attain_goals::{
    DailyPlan, Error, Level, NestedPlan, Slot, TimeOptions, Weighting, daily, nested,
};
use attain_types::{Currency, Granularity, Money, Period, dec};

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Error>();
    send_sync::<(NestedPlan, DailyPlan, Slot, Level, TimeOptions, Weighting)>();
    send_sync::<(
        Table,
        Cube,
        Deviation,
        Dimension,
        Part,
        RetailYear,
        RetailPattern,
    )>();
    send_sync::<(Calibration, CalibrationInputs, GrowthPlan)>();
    send_sync::<(CapacityModel, CapacityPlan, QuotaPlan, HireOption, Rep)>();
    send_sync::<(Actual, Progress, ProgressOptions)>();
}

#[test]
fn serde_round_trip() {
    let total = Money::new(dec!(12000000), Currency::CNY);
    let y = Period::year(2026).unwrap();
    let plan = nested(
        total,
        y,
        &[Level::Calendar(Granularity::Quarter)],
        &TimeOptions::default(),
    )
    .unwrap();
    let json = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<NestedPlan>(&json).unwrap(), plan);
    let d = daily(total, y, &TimeOptions::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<DailyPlan>(&serde_json::to_string(&d).unwrap()).unwrap(),
        d
    );
    let t = attain_goals::table::round_product(total, &[dec!(40), dec!(60)], &[dec!(60), dec!(40)])
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Table>(&serde_json::to_string(&t).unwrap()).unwrap(),
        t
    );
    let o = TimeOptions::default().weighting(Weighting::WorkingDays);
    assert_eq!(
        serde_json::from_str::<TimeOptions>(&serde_json::to_string(&o).unwrap()).unwrap(),
        o
    );
}

#[test]
fn daily_plan_deserialize_rechecks_length() {
    let bad = r#"{"period":{"start":"2026-01-01","end":"2026-01-03"},"currency":{"code":"USD","minor_units":2},"units":[1]}"#;
    assert!(serde_json::from_str::<DailyPlan>(bad).is_err());
}

mod prop {
    use super::*;
    use attain_types::proptest as strat;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn prop_serde_json_round_trip(
            c in strat::currency(),
            u in -1_000_000_000i64..1_000_000_000,
            period in strat::period(200).prop_filter("non-empty", |p| !p.is_empty()),
            w in proptest::collection::vec(1u32..9, 1..5),
        ) {
            let total = crate::money(u, c);
            let d = daily(total, period, &TimeOptions::default()).unwrap();
            prop_assert_eq!(serde_json::from_str::<DailyPlan>(&serde_json::to_string(&d).unwrap()).unwrap(), d);
            let n = nested(total, period, &[Level::Calendar(Granularity::Month)], &TimeOptions::default()).unwrap();
            prop_assert_eq!(serde_json::from_str::<NestedPlan>(&serde_json::to_string(&n).unwrap()).unwrap(), n);
            let ws: Vec<attain_types::Decimal> = w.iter().map(|x| (*x).into()).collect();
            let t = attain_goals::table::round_product(total, &ws, &ws).unwrap();
            prop_assert_eq!(serde_json::from_str::<Table>(&serde_json::to_string(&t).unwrap()).unwrap(), t);
        }
    }
}

/// Issue 12, item 7: decimals in attain-goals' JSON are pinned strings
/// (`attain_types::serde`), whatever `rust_decimal` features the build unifies.
#[test]
fn decimal_json_is_pinned() {
    let cny = |d| Money::new(d, Currency::CNY);
    let part = Part {
        weight: dec!(1.50),
        locked: None,
        floor: Some(cny(dec!(100.00))),
        cap: None,
    };
    let json = r#"{"weight":"1.50","locked":null,"floor":{"amount":"100.00","currency":{"code":"CNY","minor_units":2}},"cap":null}"#;
    assert_eq!(serde_json::to_string(&part).unwrap(), json);
    assert_eq!(serde_json::from_str::<Part>(json).unwrap(), part);
    let dim = Dimension {
        name: "customer".into(),
        labels: vec!["new".into(), "repeat".into()],
        weights: vec![dec!(40), dec!(0.6)],
    };
    let json = r#"{"name":"customer","labels":["new","repeat"],"weights":["40","0.6"]}"#;
    assert_eq!(serde_json::to_string(&dim).unwrap(), json);
    assert_eq!(serde_json::from_str::<Dimension>(json).unwrap(), dim);
    // A weight written as a JSON number (what `serde-float` would write) is refused.
    let float = r#"{"name":"c","labels":["a"],"weights":[0.6]}"#;
    assert!(serde_json::from_str::<Dimension>(float).is_err());
}
