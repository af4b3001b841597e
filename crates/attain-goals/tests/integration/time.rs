use attain_goals::{DayBasis, Level, Profile, TimeOptions, Weighting, daily, nested};
use attain_types::proptest as strat;
use attain_types::{Currency, Decimal, Granularity, Money, Period, WorkingCalendar, dec};
use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use crate::{money, units, within_one_unit};

fn weighting() -> impl Strategy<Value = Weighting> {
    prop_oneof![
        Just(Weighting::Equal),
        Just(Weighting::CalendarDays),
        Just(Weighting::WorkingDays),
        (proptest::collection::vec(0u32..5, 12), any::<bool>()).prop_map(|(mut w, working)| {
            w[0] += 1; // not all zero
            let within = if working {
                DayBasis::WorkingDays
            } else {
                DayBasis::CalendarDays
            };
            Weighting::Profile(Profile {
                by: Level::Calendar(Granularity::Month),
                weights: w.into_iter().map(Decimal::from).collect(),
                within,
            })
        }),
    ]
}

proptest! {
    #[test]
    fn prop_nested_slots_sum_to_parent(
        c in strat::currency(),
        u in 0i64..2_000_000_000,
        year in 2000i32..2060,
        weighting in weighting(),
        parts in 1u32..6,
    ) {
        let total = money(u, c);
        let levels = [
            Level::Calendar(Granularity::Quarter),
            Level::Calendar(Granularity::Month),
            Level::Parts(parts),
            Level::Calendar(Granularity::Day),
        ];
        let opts = TimeOptions::default().weighting(weighting.clone());
        let plan = match nested(total, Period::year(year).unwrap(), &levels, &opts) {
            Ok(p) => p,
            // Working-day profiles can leave a month without working days only by holidays,
            // and there are none here: every other weighting must succeed.
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        prop_assert_eq!(plan.levels.len(), 4);
        let first: i128 = plan.levels[0].iter().map(|s| units(s.amount)).sum();
        prop_assert_eq!(first, units(total));
        for k in 1..plan.levels.len() {
            let mut sums = vec![0i128; plan.levels[k - 1].len()];
            for s in &plan.levels[k] {
                prop_assert!(units(s.amount) >= 0);
                sums[s.parent.unwrap()] += units(s.amount);
            }
            for (p, sum) in plan.levels[k - 1].iter().zip(sums) {
                prop_assert_eq!(units(p.amount), sum, "level {} parent {}", k, p.label);
            }
        }
        if weighting == Weighting::CalendarDays {
            for k in 1..plan.levels.len() {
                for s in &plan.levels[k] {
                    let parent = &plan.levels[k - 1][s.parent.unwrap()];
                    let (w, n) = (s.period.days() as u128, parent.period.days() as u128);
                    prop_assert!(within_one_unit(units(s.amount), units(parent.amount), w, n));
                }
            }
        }
        if weighting == Weighting::Equal {
            for k in 1..plan.levels.len() {
                for s in &plan.levels[k] {
                    let parent = &plan.levels[k - 1][s.parent.unwrap()];
                    let n = plan.levels[k].iter().filter(|x| x.parent == s.parent).count() as u128;
                    prop_assert!(within_one_unit(units(s.amount), units(parent.amount), 1, n));
                }
            }
        }
    }

    #[test]
    fn prop_daily_rollups_agree_and_stay_within_one_unit(
        c in strat::currency(),
        u in -2_000_000_000i64..2_000_000_000,
        period in strat::period(800).prop_filter("non-empty", |p| !p.is_empty()),
    ) {
        let total = money(u, c);
        let plan = daily(total, period, &TimeOptions::default().weighting(Weighting::CalendarDays)).unwrap();
        let days = period.days() as u128;
        for g in [Granularity::Day, Granularity::IsoWeek, Granularity::Month, Granularity::Quarter, Granularity::Year] {
            let slots = plan.roll_up(&Level::Calendar(g)).unwrap();
            let sum: i128 = slots.iter().map(|s| units(s.amount)).sum();
            prop_assert_eq!(sum, units(total));
            for s in &slots {
                // Any calendar's period is a run of days: within one unit of its exact share.
                prop_assert!(within_one_unit(units(s.amount), units(total), s.period.days() as u128, days));
                if u >= 0 { prop_assert!(units(s.amount) >= 0); }
            }
        }
        // Months rolled up to quarters agree with quarters rolled up from days.
        let months = plan.roll_up(&Level::Calendar(Granularity::Month)).unwrap();
        for q in plan.roll_up(&Level::Calendar(Granularity::Quarter)).unwrap() {
            let m: i128 = months.iter().filter(|m| q.period.contains_period(&m.period)).map(|m| units(m.amount)).sum();
            prop_assert_eq!(m, units(q.amount));
        }
    }

    #[test]
    fn prop_daily_profile_months_within_one_unit(
        c in strat::currency(),
        u in 0i64..2_000_000_000,
        mut w in proptest::collection::vec(0u32..4, 12),
        year in 2000i32..2060,
    ) {
        w[5] += 1;
        let sum: u128 = w.iter().map(|x| u128::from(*x)).sum();
        let total = money(u, c);
        let opts = TimeOptions::default().weighting(Weighting::Profile(Profile::monthly(
            w.iter().map(|x| Decimal::from(*x)).collect(),
        )));
        let plan = daily(total, Period::year(year).unwrap(), &opts).unwrap();
        let months = plan.roll_up(&Level::Calendar(Granularity::Month)).unwrap();
        for (m, wm) in months.iter().zip(&w) {
            prop_assert!(within_one_unit(units(m.amount), units(total), u128::from(*wm), sum));
            if *wm == 0 { prop_assert_eq!(units(m.amount), 0); }
        }
    }

    #[test]
    fn prop_working_day_plan_puts_nothing_on_days_off(
        u in 0i64..1_000_000_000,
        year in 2000i32..2060,
        holiday in 0u64..365,
    ) {
        let h = NaiveDate::from_ymd_opt(year, 1, 1).unwrap() + chrono::Days::new(holiday);
        let cal = WorkingCalendar::default().with_holidays([h]);
        let opts = TimeOptions::default().weighting(Weighting::WorkingDays).calendar(cal.clone());
        let plan = daily(money(u, Currency::USD), Period::year(year).unwrap(), &opts).unwrap();
        for (d, m) in plan.days().unwrap() {
            if !cal.is_working_day(d) { prop_assert!(m.is_zero()); }
        }
        prop_assert_eq!(plan.total().unwrap(), money(u, Currency::USD));
    }
}

#[test]
fn nested_iso_weeks_straddling_months() {
    // 2026-W05 runs Mon 26 Jan .. Sun 1 Feb: it is split between January and February.
    let total = Money::new(dec!(12000000), Currency::CNY);
    let levels = [
        Level::Calendar(Granularity::Month),
        Level::Calendar(Granularity::IsoWeek),
    ];
    let opts = TimeOptions::default().weighting(Weighting::CalendarDays);
    let plan = nested(total, Period::year(2026).unwrap(), &levels, &opts).unwrap();
    let w05: Vec<_> = plan.levels[1]
        .iter()
        .filter(|s| s.label == "2026-W05")
        .collect();
    assert_eq!(w05.len(), 2);
    assert_eq!(w05[0].period.days() + w05[1].period.days(), 7);
}

#[test]
fn nested_errors() {
    let total = Money::new(dec!(100), Currency::USD);
    let y = Period::year(2026).unwrap();
    let o = TimeOptions::default();
    let empty = Period::new(y.start(), y.start()).unwrap();
    assert!(matches!(
        nested(
            total,
            empty,
            &[],
            &o.clone().weighting(Weighting::CalendarDays)
        ),
        Err(attain_goals::Error::Empty { .. })
    ));
    assert!(matches!(
        nested(total, y, &[Level::Parts(400)], &o),
        Err(attain_goals::Error::TooManyParts { parts: 400, .. })
    ));
    let bad_profile = o
        .clone()
        .weighting(Weighting::Profile(Profile::monthly(vec![dec!(1); 11])));
    assert!(matches!(
        daily(total, y, &bad_profile),
        Err(attain_goals::Error::LengthMismatch {
            expected: 12,
            got: 11,
            ..
        })
    ));
    let gap = Level::Periods(vec![attain_goals::NamedPeriod {
        label: "H1".into(),
        period: Period::quarter(2026, 1).unwrap(),
    }]);
    assert!(matches!(
        nested(total, y, &[gap], &o),
        Err(attain_goals::Error::LevelGap { level: 0, .. })
    ));
    assert!(daily(Money::new(dec!(0.001), Currency::USD), y, &o).is_err());
}

#[test]
fn nested_to_daily_rolls_back_to_leaves() {
    let total = Money::new(dec!(12000000), Currency::CNY);
    let levels = [Level::Calendar(Granularity::Month), Level::Parts(4)];
    let o = TimeOptions::default();
    let plan = nested(total, Period::year(2026).unwrap(), &levels, &o).unwrap();
    let d = plan.to_daily(&o).unwrap();
    for leaf in plan.leaves() {
        assert_eq!(
            d.sum_over(&leaf.period).unwrap(),
            leaf.amount,
            "{}",
            leaf.label
        );
    }
}

/// Issue 12, item 5: 10^27 USD used to come back as quarters summing to 10^26 (the total was
/// rescaled to fit 96 bits). Amounts the currency cannot hold at its minor unit are refused;
/// the largest ones that fit are split exactly.
#[test]
fn totals_at_the_limit_of_decimal_are_split_exactly_or_refused() {
    let year = Period::year(2026).unwrap();
    let levels = [
        Level::Calendar(Granularity::Quarter),
        Level::Calendar(Granularity::Month),
    ];
    let options = TimeOptions::default().weighting(Weighting::CalendarDays);
    let e27: Decimal = "1000000000000000000000000000".parse().unwrap();
    for (amount, currency) in [
        (e27, Currency::USD),
        (
            "100000000000000000000000000".parse().unwrap(),
            Currency::KWD,
        ),
        (
            "792281625142643375935439503.4".parse().unwrap(),
            Currency::USD,
        ),
    ] {
        let total = Money::new(amount, currency);
        for err in [
            nested(total, year, &levels, &options).unwrap_err(),
            daily(total, year, &options).unwrap_err(),
        ] {
            assert!(
                matches!(
                    err,
                    attain_goals::Error::Types(attain_types::Error::MinorUnitsOutOfRange { .. })
                ),
                "{amount} {currency}: {err}"
            );
        }
    }
    for (text, currency) in [
        ("10000000000000000000000000000", Currency::JPY),
        ("79228162514264337593543950335", Currency::JPY),
        ("792281625142643375935439503.35", Currency::USD),
        ("79228162514264337593543950.335", Currency::KWD),
        ("-792281625142643375935439503.35", Currency::USD),
    ] {
        let total = Money::new(text.parse().unwrap(), currency);
        let plan = nested(total, year, &levels, &options).unwrap();
        for level in [&plan.levels[0], &plan.levels[1]] {
            let sum = Money::try_sum(level.iter().map(|s| s.amount), currency).unwrap();
            assert_eq!(sum, total, "{text} {currency}");
        }
        let days = daily(total, year, &options).unwrap();
        assert_eq!(days.total().unwrap(), total, "{text} {currency}");
        let months = days.roll_up(&Level::Calendar(Granularity::Month)).unwrap();
        let sum = Money::try_sum(months.iter().map(|s| s.amount), currency).unwrap();
        assert_eq!(sum, total);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Issue 12: totals near the limits of `Decimal` (mantissa near 2^96) at scales 0, 2
    /// and 3: a plan is made exactly (every level and the days sum to the total) exactly when
    /// the total can be held at its minor unit; otherwise a typed error, never a rescaled plan.
    #[test]
    fn prop_plans_near_the_limits_are_exact_or_refused(
        k in 0u32..=6,
        below in 0u128..1_000_000,
        scale in 0u32..=4,
        negative in any::<bool>(),
        c in prop_oneof![Just(Currency::JPY), Just(Currency::USD), Just(Currency::KWD)],
        weighting in weighting(),
    ) {
        let max: u128 = (1 << 96) - 1;
        let m = i128::try_from((max / 10u128.pow(k)).saturating_sub(below)).unwrap();
        let amount = Decimal::from_i128_with_scale(if negative { -m } else { m }, scale);
        let total = Money::new(amount, c);
        let year = Period::year(2026).unwrap();
        let options = TimeOptions::default().weighting(weighting);
        let levels = [Level::Calendar(Granularity::Quarter), Level::Calendar(Granularity::Month)];
        let nested_plan = nested(total, year, &levels, &options);
        let daily_plan = daily(total, year, &options);
        match Money::try_new(amount, c) {
            Ok(held) => {
                let plan = nested_plan.unwrap();
                for level in &plan.levels {
                    let sum = Money::try_sum(level.iter().map(|s| s.amount), c).unwrap();
                    prop_assert_eq!(sum, held);
                }
                prop_assert_eq!(daily_plan.unwrap().total().unwrap(), held);
            }
            Err(e) => {
                let e = attain_goals::Error::Types(e);
                prop_assert_eq!(nested_plan.unwrap_err(), e.clone());
                prop_assert_eq!(daily_plan.unwrap_err(), e);
            }
        }
    }
}

/// METHOD.md 1.2's 12,000,000 over 2026 with default options.
fn method_year(levels: &[Level]) -> attain_goals::NestedPlan {
    let total = Money::new(dec!(12000000), Currency::CNY);
    nested(
        total,
        Period::year(2026).unwrap(),
        levels,
        &TimeOptions::default(),
    )
    .unwrap()
}

/// The distinct amounts of a level, in order of first appearance.
fn distinct_amounts(slots: &[attain_goals::Slot]) -> Vec<Decimal> {
    let mut out: Vec<Decimal> = Vec::new();
    for s in slots {
        if !out.contains(&s.amount.amount()) {
            out.push(s.amount.amount());
        }
    }
    out
}

/// METHOD.md 1.2 as the issue tried it: 12,000,000 by ISO week inside months, default weights.
#[test]
fn nested_clipped_weeks_weigh_by_days() {
    let plan = method_year(&[
        Level::Calendar(Granularity::Quarter),
        Level::Calendar(Granularity::Month),
        Level::Calendar(Granularity::IsoWeek),
    ]);
    // Quarters and months stay equal.
    assert_eq!(distinct_amounts(&plan.levels[0]), [dec!(3000000)]);
    assert_eq!(distinct_amounts(&plan.levels[1]), [dec!(1000000)]);
    let week = |label: &str, first: u32| {
        plan.levels[2]
            .iter()
            .find(|s| s.label == label && s.period.start().day() == first)
            .map(|s| s.amount.amount())
            .unwrap()
    };
    // March: 31 days, 1,000,000. Sunday 1 March is one day, not a week.
    assert_eq!(week("2026-W09", 1), dec!(32258.07));
    assert_eq!(week("2026-W10", 2), dec!(225806.45));
    // Monday 30 and Tuesday 31 March: two days.
    assert_eq!(week("2026-W14", 30), dec!(64516.13));
    // February 2026: 28 days, W09 Mon 23 .. Sat 28 is six of them.
    assert_eq!(week("2026-W09", 23), dec!(214285.71));
}

#[test]
fn nested_four_parts_stay_equal_and_clipped_months_weigh_by_days() {
    let plan = method_year(&[Level::Calendar(Granularity::Month), Level::Parts(4)]);
    assert_eq!(distinct_amounts(&plan.levels[1]), [dec!(250000)]);
    // A custom period cut at 16 January: January has 16 of the 47 days, February 28 of them
    // ... the cut month weighs by days, not as a whole month.
    let p = Period::from_inclusive(
        NaiveDate::from_ymd_opt(2026, 1, 16).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
    )
    .unwrap();
    let plan = nested(
        Money::new(dec!(4700), Currency::CNY),
        p,
        &[Level::Calendar(Granularity::Month)],
        &TimeOptions::default(),
    )
    .unwrap();
    let amounts: Vec<Decimal> = plan.levels[0].iter().map(|s| s.amount.amount()).collect();
    assert_eq!(amounts, [dec!(1600), dec!(2800), dec!(300)]);
}

/// A level path of the CLI (quarter > month > week or day, optional parts), or a custom one.
fn level_path() -> impl Strategy<Value = Vec<Level>> {
    let g = prop_oneof![
        Just(vec![Level::Calendar(Granularity::Quarter)]),
        Just(vec![
            Level::Calendar(Granularity::Quarter),
            Level::Calendar(Granularity::Month),
        ]),
        Just(vec![
            Level::Calendar(Granularity::Quarter),
            Level::Calendar(Granularity::Month),
            Level::Calendar(Granularity::IsoWeek),
        ]),
        Just(vec![
            Level::Calendar(Granularity::Month),
            Level::Calendar(Granularity::Day),
        ]),
        Just(vec![Level::Calendar(Granularity::IsoWeek)]),
    ];
    (g, any::<bool>()).prop_map(|(mut levels, parts)| {
        if parts {
            levels.push(Level::Parts(4));
        }
        levels
    })
}

proptest! {
    /// The law: with no seasonality and no locks, no slot's amount per day exceeds
    /// twice the median amount per day of its level (plus one minor unit of rounding).
    #[test]
    fn prop_nested_no_slot_above_twice_the_median_per_day(
        start in 0u32..1500,
        len in 40u32..800,
        u in 1_000_000_000i64..4_000_000_000_000,
        levels in level_path(),
        weighting in prop_oneof![Just(Weighting::Equal), Just(Weighting::CalendarDays)],
    ) {
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
            + chrono::Days::new(u64::from(start));
        let p = Period::new(first, first + chrono::Days::new(u64::from(len))).unwrap();
        let total = money(u, Currency::CNY);
        let opts = TimeOptions::default().weighting(weighting);
        let plan = match nested(total, p, &levels, &opts) {
            Ok(plan) => plan,
            // Four parts of a piece shorter than four days.
            Err(attain_goals::Error::TooManyParts { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        for (k, level) in plan.levels.iter().enumerate() {
            // Per-day amounts as exact fractions units / days, compared by cross products.
            let mut per_day: Vec<(i128, i128)> = level
                .iter()
                .map(|s| (units(s.amount), i128::from(s.period.days())))
                .collect();
            per_day.sort_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)));
            let (mu, md) = per_day[(per_day.len() - 1) / 2];
            for s in level {
                let (a, d) = (units(s.amount), i128::from(s.period.days()));
                // a / d <= 2 * mu / md + 1 / d  <=>  (a - 1) * md <= 2 * mu * d
                prop_assert!(
                    (a - 1) * md <= 2 * mu * d,
                    "level {} slot {} {}: {} over {} days, median {}/{}", k, s.label, s.period, a, d, mu, md
                );
            }
        }
    }
}
