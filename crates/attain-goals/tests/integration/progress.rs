use attain_goals::progress::{Actual, Pace, ProgressOptions, progress};
use attain_goals::{Level, Profile, TimeOptions, Weighting, daily};
use attain_types::proptest as strat;
use attain_types::{Currency, Decimal, Granularity, Money, NaiveDate, Period, Rate, dec};
use proptest::prelude::*;

use crate::{money, units};

proptest! {
    #[test]
    fn prop_expected_to_date_of_whole_period_equals_target(
        c in strat::currency(),
        u in 0i64..1_000_000_000,
        period in strat::period(400).prop_filter("non-empty", |p| !p.is_empty()),
        mid in 0u64..400,
        actual in 0i64..1_000_000_000,
    ) {
        let target = money(u, c);
        let plan = daily(target, period, &TimeOptions::default()).unwrap();
        let last = period.last_day().unwrap();
        let p = progress(&plan, &[], last, &ProgressOptions::default()).unwrap();
        prop_assert_eq!(p.expected_to_date, target);
        prop_assert!(p.replan.is_none());
        // Mid-period: the re-plan spreads exactly the gap, and expected + rest of plan = target.
        let as_of = period.start() + chrono::Days::new(mid % period.days() as u64);
        let acts = [Actual { date: as_of, amount: money(actual, c) }];
        let p = progress(&plan, &acts, as_of, &ProgressOptions::default()).unwrap();
        let rest = Period::new(as_of.succ_opt().unwrap(), period.end()).unwrap();
        prop_assert_eq!(units(p.expected_to_date) + units(plan.sum_over(&rest).unwrap()), i128::from(u));
        let gap = (i128::from(u) - i128::from(actual)).max(0);
        if let Some(r) = &p.replan {
            if plan.sum_over(&rest).unwrap().is_zero() && gap > 0 { prop_assert!(false, "replan without weight"); }
            prop_assert_eq!(units(r.total().unwrap()), gap);
        }
        prop_assert_eq!(units(p.variance), i128::from(actual) - units(p.expected_to_date));
    }
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

#[test]
fn progress_under_seasonal_plan_is_not_straight_line() {
    // A quarter weighted 1:1:2 by month: expected to the end of January is a quarter, not a third.
    let cny = |x| Money::new(x, Currency::CNY);
    let q1 = Period::quarter(2026, 1).unwrap();
    let profile = Profile::monthly(vec![dec!(1), dec!(1), dec!(2)]);
    let plan = daily(
        cny(dec!(3000000)),
        q1,
        &TimeOptions::default().weighting(Weighting::Profile(profile)),
    )
    .unwrap();
    let acts = [
        Actual {
            date: d(1, 15),
            amount: cny(dec!(500000)),
        },
        Actual {
            date: d(1, 31),
            amount: cny(dec!(300000)),
        },
    ];
    let half = Rate::new(dec!(0.5)).unwrap();
    let opts = ProgressOptions::default().milestones(vec![half]);
    let p = progress(&plan, &acts, d(1, 31), &opts).unwrap();
    assert_eq!(p.expected_to_date, cny(dec!(750000)));
    assert_eq!(p.pace, Pace::Ahead);
    assert_eq!(p.attainment, Some(dec!(800000) / dec!(3000000)));
    assert_eq!(p.forecast_plan_weighted, Some(cny(dec!(3200000))));
    // 2,200,000 over the 42 weekdays of February (20) and March (22), rounded up to the fen.
    assert_eq!(p.remaining_working_days, 42);
    assert_eq!(p.required_per_working_day, Some(cny(dec!(52380.96))));
    // 50% of the quarter (1,500,000) is planned for the end of February (cumulative 1,500,000).
    assert_eq!(p.milestones[0].planned_on, Some(d(2, 28)));
    assert_eq!(p.milestones[0].reached_on, None);
    // The re-plan keeps the 1:2 shape of February : March.
    let r = p.replan.unwrap();
    let months = r.roll_up(&Level::Calendar(Granularity::Month)).unwrap();
    assert_eq!(months[0].amount, cny(dec!(733333.33)));
    assert_eq!(months[1].amount, cny(dec!(1466666.67)));
}

#[test]
fn progress_milestone_reached() {
    let usd = |x| Money::new(x, Currency::USD);
    let plan = daily(
        usd(dec!(100)),
        Period::month(2026, 3).unwrap(),
        &TimeOptions::default(),
    )
    .unwrap();
    let acts: Vec<Actual> = (1..=10)
        .map(|day| Actual {
            date: d(3, day),
            amount: usd(dec!(6)),
        })
        .collect();
    let p = progress(&plan, &acts, d(3, 10), &ProgressOptions::default()).unwrap();
    let half = p
        .milestones
        .iter()
        .find(|m| m.share.to_decimal() == dec!(0.5))
        .unwrap();
    assert_eq!(half.reached_on, Some(d(3, 9))); // 9 x 6 = 54 >= 50
    assert_eq!(p.remaining, usd(dec!(40)));
    let none = progress(
        &plan,
        &[Actual {
            date: d(3, 1),
            amount: usd(dec!(1000)),
        }],
        d(3, 1),
        &ProgressOptions::default(),
    )
    .unwrap();
    assert_eq!(none.required_per_working_day, Some(usd(Decimal::ZERO)));
    assert!(none.remaining.is_negative());
}

#[test]
fn progress_rejects_bad_input() {
    let usd = |x| Money::new(x, Currency::USD);
    let plan = daily(
        usd(dec!(100)),
        Period::month(2026, 3).unwrap(),
        &TimeOptions::default(),
    )
    .unwrap();
    let o = ProgressOptions::default();
    let before = [Actual {
        date: d(2, 28),
        amount: usd(dec!(1)),
    }];
    assert!(matches!(
        progress(&plan, &before, d(3, 5), &o),
        Err(attain_goals::Error::OutsidePlan { .. })
    ));
    let eur = [Actual {
        date: d(3, 2),
        amount: Money::new(dec!(1), Currency::EUR),
    }];
    assert!(matches!(
        progress(&plan, &eur, d(3, 5), &o),
        Err(attain_goals::Error::Types(_))
    ));
    let e = progress(
        &plan,
        &[Actual {
            date: d(3, 9),
            amount: usd(dec!(1)),
        }],
        d(3, 5),
        &o,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "actual at index 0 is dated 2026-03-09, after as_of 2026-03-05"
    );
}

#[test]
fn progress_half_of_the_quarter_milestone_from_a_year_plan() {
    // METHOD.md 4.2: a team reward for reaching 50% of the quarter. Restrict the year plan to Q2.
    let cny = |x| Money::new(x, Currency::CNY);
    let year = daily(
        cny(dec!(12000000)),
        Period::year(2026).unwrap(),
        &TimeOptions::default().weighting(Weighting::WorkingDays),
    )
    .unwrap();
    let q2 = year.restrict(&Period::quarter(2026, 2).unwrap()).unwrap();
    let acts: Vec<Actual> = Period::quarter(2026, 2)
        .unwrap()
        .iter_days()
        .take(50)
        .map(|date| Actual {
            date,
            amount: cny(dec!(35000)),
        })
        .collect();
    let half = Rate::new(dec!(0.5)).unwrap();
    let p = progress(
        &q2,
        &acts,
        d(5, 20),
        &ProgressOptions::default().milestones(vec![half]),
    )
    .unwrap();
    let m = &p.milestones[0];
    assert_eq!(
        m.amount,
        q2.total().unwrap().checked_mul_rate(half).unwrap()
    );
    // 35,000 a calendar day passes half of Q2's ~3,000,000 on day 43 (May 13).
    assert_eq!(m.reached_on, Some(d(5, 13)));
    assert!(m.planned_on.unwrap() > m.reached_on.unwrap());
    assert!(year.restrict(&Period::year(2027).unwrap()).is_err());
}
