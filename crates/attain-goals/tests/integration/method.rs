//! Golden tests: the worked numbers of METHOD.md (copied here; source named at each number).

use attain_goals::calibrate::{
    BottomUp, CalibrationInputs, GrowthAdjustment, GrowthOnBase, GrowthPlan, MarketCapacity,
    Method, calibrate,
};
use attain_goals::table::{nest3, round_product};
use attain_goals::{Level, TimeOptions, nested};
use attain_types::{Currency, Granularity, Growth, Money, Period, Rate, dec};

fn cny(x: attain_types::Decimal) -> Money {
    Money::new(x, Currency::CNY)
}

#[test]
fn method_1_2_time_axis() {
    // METHOD.md 1.2: 12,000,000 a year; quarters of 3,000,000; months of 1,000,000;
    // weeks of 250,000 (four weeks to a month).
    let levels = [
        Level::Calendar(Granularity::Quarter),
        Level::Calendar(Granularity::Month),
        Level::Parts(4),
    ];
    let plan = nested(
        cny(dec!(12000000)),
        Period::year(2026).unwrap(),
        &levels,
        &TimeOptions::default(),
    )
    .unwrap();
    assert!(
        plan.levels[0]
            .iter()
            .all(|q| q.amount == cny(dec!(3000000)))
    );
    assert!(
        plan.levels[1]
            .iter()
            .all(|m| m.amount == cny(dec!(1000000)))
    );
    assert_eq!(plan.levels[2].len(), 48);
    assert!(plan.levels[2].iter().all(|w| w.amount == cny(dec!(250000))));
}

#[test]
fn method_1_2_customer_and_product_axes() {
    // METHOD.md 1.2: new customers 40% (4,800,000), repeat 60% (7,200,000); new high-margin
    // products 60% (7,200,000), mature 40% (4,800,000).
    let t = round_product(
        cny(dec!(12000000)),
        &[dec!(40), dec!(60)],
        &[dec!(60), dec!(40)],
    )
    .unwrap();
    assert_eq!(t.row_totals, [cny(dec!(4800000)), cny(dec!(7200000))]);
    assert_eq!(t.column_totals, [cny(dec!(7200000)), cny(dec!(4800000))]);
    assert_eq!(
        t.cells,
        [
            cny(dec!(2880000)),
            cny(dec!(1920000)),
            cny(dec!(4320000)),
            cny(dec!(2880000))
        ]
    );
}

#[test]
fn method_1_2_month_customer_product_cube() {
    let months = vec![cny(dec!(1000000)); 12];
    let cube = nest3(&months, &[dec!(40), dec!(60)], &[dec!(60), dec!(40)]).unwrap();
    assert_eq!(cube.cell(0, 0, 0), Some(cny(dec!(240000)))); // 1,000,000 x 40% x 60%
    assert_eq!(
        cube.middle_inner.row_totals,
        [cny(dec!(4800000)), cny(dec!(7200000))]
    );
    assert_eq!(
        cube.middle_inner.column_totals,
        [cny(dec!(7200000)), cny(dec!(4800000))]
    );
}

#[test]
fn method_1_2_weekly_funnel_bottom_up() {
    // METHOD.md 1.2: 150 leads at 10% lead-to-prospect, 20% prospect-to-deal = 3 deals of
    // about 83,333 = a week's 250,000 (83,333.33 x 3 = 249,999.99: the cent the "about" hides).
    let b = BottomUp {
        entries: 150,
        stage_rates: vec![Rate::new(dec!(0.1)).unwrap(), Rate::new(dec!(0.2)).unwrap()],
        average_deal: cny(dec!(250000) / dec!(3)),
    };
    let c = calibrate(&CalibrationInputs {
        bottom_up: Some(b),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.target(Method::BottomUp), Some(cny(dec!(250000))));
}

#[test]
fn method_1_1_saas_rebased_on_market() {
    // METHOD.md 1.1: a SaaS plan of 1,500,000 re-based to 2,200,000 from what target customers
    // spend on software (about 45% room to grow). Budget and share are illustrative: any pair
    // with budget x share = 2,200,000.
    let usd = |x| Money::new(x, Currency::USD);
    let inputs = CalibrationInputs {
        growth: Some(GrowthOnBase {
            base: usd(dec!(1500000)),
            growth: Growth::new(dec!(0.2)),
        }),
        market: Some(MarketCapacity {
            addressable_budget: usd(dec!(44000000)),
            attainable_share: Rate::new(dec!(0.05)).unwrap(),
        }),
        ..Default::default()
    };
    let c = calibrate(&inputs).unwrap();
    assert_eq!(c.target(Method::Growth), Some(usd(dec!(1800000))));
    assert_eq!(c.target(Method::Market), Some(usd(dec!(2200000))));
    assert_eq!(
        c.gap(Method::Growth, Method::Market),
        Some(usd(dec!(400000)))
    );
    assert_eq!(c.high().unwrap().method, Method::Market);
    assert_eq!(
        c.gaps_from(Method::Market),
        [(Method::Growth, usd(dec!(-400000)))]
    );
    let room = Growth::between(dec!(1500000), dec!(2200000))
        .unwrap()
        .to_decimal();
    assert!(room > dec!(0.45) && room < dec!(0.47), "{room}");
}

#[test]
fn method_2_2_growth_plan() {
    // METHOD.md 2.2: industry +15%, a competitor +8 points of share: straight-line 10% -> 18%.
    let straight = GrowthPlan {
        base: Growth::new(dec!(0.10)),
        adjustments: vec![],
        market_growth: Some(Growth::new(dec!(0.15))),
    };
    assert!(!straight.keeps_share().unwrap());
    let plan = GrowthPlan {
        adjustments: vec![GrowthAdjustment {
            label: "competitor +8 points".into(),
            points: Growth::new(dec!(0.08)),
        }],
        ..straight
    };
    assert_eq!(plan.rate().unwrap(), Growth::new(dec!(0.18)));
    assert!(plan.keeps_share().unwrap());
}

#[test]
fn method_4_1_daily_board() {
    // METHOD.md 4.1: an annual 1,200,000 is 100,000 a month and 25,000 a week (four a month).
    let levels = [Level::Calendar(Granularity::Month), Level::Parts(4)];
    let plan = nested(
        cny(dec!(1200000)),
        Period::year(2026).unwrap(),
        &levels,
        &TimeOptions::default(),
    )
    .unwrap();
    assert!(plan.levels[0].iter().all(|m| m.amount == cny(dec!(100000))));
    assert!(plan.levels[1].iter().all(|w| w.amount == cny(dec!(25000))));
}
