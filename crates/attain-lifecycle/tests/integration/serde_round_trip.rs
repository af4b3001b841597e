//! JSON round trips of the public data types (feature `serde`).
#![cfg(feature = "serde")]

use attain_lifecycle::contract::{CustomerMrr, MrrMovements};
use attain_lifecycle::economics::{UnitEconomics, UnitEconomicsInput};
use attain_lifecycle::{
    CohortOptions, LifecycleMap, LifecycleStage, StageCounts, StageGoal, StageMetrics, StageValue,
    cohort_table,
};
use attain_types::{Currency, Decimal, Granularity, Growth, Money, NaiveDate, Rate, Transaction};
use proptest::prelude::*;

fn round_trip<T>(value: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

proptest! {
    #[test]
    fn prop_cohort_table_json_round_trip(
        rows in proptest::collection::vec((0u8..6, 0u64..200, 0i64..10_000), 0..30)
    ) {
        let ids = ["c0", "c1", "c2", "c3", "c4", "c5"];
        let log: Vec<Transaction<'_>> = rows
            .iter()
            .map(|&(c, day, cents)| Transaction {
                customer_id: ids[usize::from(c)],
                date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().checked_add_days(chrono::Days::new(day)).unwrap(),
                amount: Decimal::new(cents, 2),
                order_id: None,
            })
            .collect();
        let table = cohort_table(&log, Currency::EUR, CohortOptions::default().granularity(Granularity::IsoWeek)).unwrap();
        prop_assert_eq!(&round_trip(&table), &table);
    }

    #[test]
    fn prop_movements_json_round_trip(s in 0i64..100_000, e in 0i64..100_000, paid_before in any::<bool>()) {
        let rows = vec![CustomerMrr {
            customer: "x".into(),
            start: Money::new(Decimal::new(s, 2), Currency::USD),
            end: Money::new(Decimal::new(e, 2), Currency::USD),
            paid_before,
        }];
        let m = MrrMovements::from_customers(&rows, Currency::USD).unwrap();
        prop_assert_eq!(&round_trip(&m), &m);
        prop_assert_eq!(&round_trip(&rows), &rows);
    }

    #[test]
    fn prop_map_report_json_round_trip(c in 0i64..=100, t in 0i64..=100, g in -100i64..100) {
        let rate = |p| StageValue::Rate(Rate::new(Decimal::new(p, 2)).unwrap());
        let map = LifecycleMap::new()
            .with_goal(StageGoal::new(LifecycleStage::Decision, "close", rate(c), rate(t)))
            .unwrap()
            .with_goal(StageGoal::new(
                LifecycleStage::Awareness,
                "exposure",
                StageValue::Growth(Growth::new(Decimal::new(g, 2))),
                StageValue::Growth(Growth::new(Decimal::new(g + 10, 2))),
            ))
            .unwrap();
        prop_assert_eq!(&round_trip(&map), &map);
        let report = map.report();
        prop_assert_eq!(&round_trip(&report), &report);
    }
}

#[test]
fn metrics_json_round_trip() {
    let counts = StageCounts {
        reached: 10,
        reached_previous: 8,
        interested: 5,
        proposals: 2,
        ..StageCounts::default()
    };
    let m = StageMetrics::from_counts(&counts).unwrap();
    assert_eq!(round_trip(&m), m);
    let input = UnitEconomicsInput {
        arpa_monthly: Money::new(Decimal::new(50000, 2), Currency::USD),
        gross_margin: Rate::new(Decimal::new(8, 1)).unwrap(),
        monthly_churn: Rate::new(Decimal::new(2, 2)).unwrap(),
        spend: Money::new(Decimal::from(30000), Currency::USD),
        new_customers: 60,
    };
    let u = UnitEconomics::compute(&input).unwrap();
    assert_eq!(round_trip(&u), u);
    assert_eq!(
        round_trip(&CohortOptions::default()),
        CohortOptions::default()
    );
    // A rate outside 0..=1 is refused when deserializing.
    assert!(serde_json::from_str::<StageValue>(r#"{"rate":"1.5"}"#).is_err());
}

#[test]
fn deserializing_a_map_rechecks_its_goals() {
    let bad = r#"{"goals":[{"stage":"interest","name":"x","current":{"count":1},"target":{"rate":"0.5"}}]}"#;
    let e = serde_json::from_str::<LifecycleMap>(bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("current is a count but target is a rate"),
        "{e}"
    );
    let dup = r#"{"goals":[
        {"stage":"interest","name":"x","current":{"count":1},"target":{"count":2}},
        {"stage":"interest","name":"x","current":{"count":1},"target":{"count":2}}]}"#;
    assert!(serde_json::from_str::<LifecycleMap>(dup).is_err());
}
