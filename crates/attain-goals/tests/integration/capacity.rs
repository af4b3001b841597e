use attain_goals::capacity::{CapacityModel, Rep, assign_quotas, capacity, hires_to_close_gap};
use attain_types::{Currency, Decimal, Money, NaiveDate, Period, Rate, dec};
use proptest::prelude::*;

use crate::units;

fn model(attrition: Decimal) -> CapacityModel {
    CapacityModel {
        full_productivity: Money::new(dec!(100000), Currency::CNY),
        ramp: [25, 50, 75]
            .iter()
            .map(|p| Rate::from_percent(Decimal::from(*p)).unwrap())
            .collect(),
        monthly_attrition: Rate::new(attrition).unwrap(),
    }
}

proptest! {
    #[test]
    fn prop_quotas_sum_exactly_to_team_target(
        target in 0i64..100_000_000_000,
        starts in proptest::collection::vec((0u64..1000, proptest::option::of(0u64..400)), 1..12),
        attrition in 0u32..10,
    ) {
        let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let reps: Vec<Rep> = starts.iter().enumerate().map(|(i, &(s, len))| {
            let start = base + chrono::Days::new(s);
            Rep { name: format!("r{i}"), start, end: len.map(|l| start + chrono::Days::new(l)) }
        }).collect();
        let cap = capacity(&model(Decimal::new(i64::from(attrition), 2)), &reps, Period::year(2026).unwrap()).unwrap();
        let t = Money::new(Decimal::new(target, 2), Currency::CNY);
        match assign_quotas(t, &cap) {
            Ok(q) => {
                prop_assert_eq!(q.table.total, t);
                prop_assert_eq!(q.table.row_totals.iter().map(|m| units(*m)).sum::<i128>(), units(t));
                prop_assert_eq!(q.table.column_totals.iter().map(|m| units(*m)).sum::<i128>(), units(t));
                for (r, row) in cap.per_rep.iter().enumerate() {
                    for (m, c) in row.iter().enumerate() {
                        if c.is_zero() { prop_assert!(q.table.cell(r, m).unwrap().is_zero()); }
                    }
                }
            }
            Err(_) => prop_assert!(cap.total.is_zero()),
        }
    }
}

#[test]
fn capacity_ramp_attrition_and_leavers() {
    let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let veteran = Rep {
        name: "v".into(),
        start: NaiveDate::from_ymd_opt(2019, 5, 1).unwrap(),
        end: None,
    };
    let leaver = Rep {
        name: "l".into(),
        start: NaiveDate::from_ymd_opt(2019, 5, 1).unwrap(),
        end: Some(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
    };
    let cap = capacity(
        &model(dec!(0.1)),
        &[veteran, leaver],
        Period::year(2026).unwrap(),
    )
    .unwrap();
    assert_eq!(cap.per_rep[0][0].amount(), dec!(100000));
    assert_eq!(cap.per_rep[0][1].amount(), dec!(90000)); // 10% monthly attrition, expected
    assert_eq!(cap.per_rep[1][6].amount(), dec!(0)); // left on July 1
    let hire = Rep {
        name: "h".into(),
        start: jan,
        end: Some(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
    };
    assert!(matches!(
        capacity(&model(dec!(0)), &[hire], Period::year(2026).unwrap()),
        Err(attain_goals::Error::Invalid { .. })
    ));
}

#[test]
fn capacity_versus_quota() {
    // Two veterans (1,200,000 capacity each) carry a 3,000,000 team target: quota exceeds
    // capacity by 600,000, which one hire starting in January (1,050,000 with ramp) closes.
    let v = |n: &str| Rep {
        name: n.into(),
        start: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        end: None,
    };
    let reps = [v("a"), v("b")];
    let year = Period::year(2026).unwrap();
    let target = Money::new(dec!(3000000), Currency::CNY);
    let cap = capacity(&model(dec!(0)), &reps, year).unwrap();
    assert_eq!(cap.total.amount(), dec!(2400000));
    let q = assign_quotas(target, &cap).unwrap();
    assert_eq!(q.table.row_totals[0].amount(), dec!(1500000));
    assert_eq!(q.capacity_gap.amount(), dec!(600000));
    assert_eq!(q.quota_to_capacity, Some(dec!(1.25)));
    let h = hires_to_close_gap(&model(dec!(0)), &reps, year, target).unwrap();
    assert_eq!(h[0].hires, Some(1));
    assert_eq!(h[11].capacity_per_hire.amount(), dec!(25000));
    assert_eq!(h[11].hires, Some(24));
}
