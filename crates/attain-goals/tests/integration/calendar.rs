use attain_goals::calendar::{RetailPattern, RetailYear, fiscal_quarters, iso_year};
use attain_goals::{Level, TimeOptions, daily, nested};
use attain_types::{Currency, Granularity, Money, dec};
use proptest::prelude::*;

proptest! {
    #[test]
    fn prop_retail_year_tiles_its_weeks(year in 1990i32..2060, p in 0usize..3) {
        let pattern = [RetailPattern::FourFourFive, RetailPattern::FourFiveFour, RetailPattern::FiveFourFour][p];
        let y = RetailYear::iso(year, pattern).unwrap();
        let period = y.period().unwrap();
        prop_assert_eq!(period, iso_year(year).unwrap());
        let months = y.months().unwrap();
        prop_assert_eq!(months.len(), 12);
        prop_assert_eq!(months.iter().map(|m| m.period.days()).sum::<i64>(), period.days());
        prop_assert_eq!(y.weeks().unwrap().len() as u32, y.weeks);
        // A nested plan on the retail calendar sums exactly at each level.
        let total = Money::new(dec!(12000000), Currency::CNY);
        let levels = [Level::Periods(y.quarters().unwrap()), Level::Periods(months), Level::Periods(y.weeks().unwrap())];
        let plan = nested(total, period, &levels, &TimeOptions::default()).unwrap();
        prop_assert_eq!(plan.levels[2].len() as u32, y.weeks);
        prop_assert_eq!(Money::try_sum(plan.levels[2].iter().map(|s| s.amount), Currency::CNY).unwrap(), total);
    }
}

#[test]
fn fiscal_year_roll_up() {
    let fy = attain_types::Period::fiscal_year(2026, 4).unwrap();
    let total = Money::new(dec!(12000000), Currency::JPY);
    let plan = daily(total, fy, &TimeOptions::default()).unwrap();
    let q = plan
        .roll_up(&Level::Periods(fiscal_quarters(2026, 4).unwrap()))
        .unwrap();
    assert_eq!(q[0].label, "FY2026-Q1");
    assert_eq!(
        Money::try_sum(q.iter().map(|s| s.amount), Currency::JPY).unwrap(),
        total
    );
    // ISO weeks at the year's edges are clipped, so the roll-up still covers the year exactly.
    let w = plan
        .roll_up(&Level::Calendar(Granularity::IsoWeek))
        .unwrap();
    assert_eq!(w.iter().map(|s| s.period.days()).sum::<i64>(), fy.days());
}
