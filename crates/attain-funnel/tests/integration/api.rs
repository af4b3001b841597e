//! Public API hygiene: auto traits and serde round trips.

use attain_funnel::measure::{Event, FunnelMeasurement, FunnelMeter, MeasureOptions, measure};
use attain_funnel::stats::{Counts, IntervalMethod, RateInterval, rate_interval};
use attain_funnel::{Funnel, Plan, PlanOptions, Stage};
use attain_types::{Currency, Decimal, Money, Rate, dec};
use proptest::prelude::*;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_sync() {
    assert_send_sync::<attain_funnel::Error>();
    assert_send_sync::<Funnel>();
    assert_send_sync::<Plan>();
    assert_send_sync::<attain_funnel::Forecast>();
    assert_send_sync::<attain_funnel::DailyActionPlan>();
    assert_send_sync::<RateInterval>();
    assert_send_sync::<attain_funnel::stats::RateComparison>();
    assert_send_sync::<attain_funnel::stats::CalibratedRate>();
    assert_send_sync::<attain_funnel::bottleneck::BottleneckReport>();
    assert_send_sync::<attain_funnel::gap::GapDecomposition>();
    assert_send_sync::<attain_funnel::pipeline::ChannelMetrics>();
    assert_send_sync::<FunnelMeasurement>();
    assert_send_sync::<FunnelMeter>();
}

#[test]
fn serde_round_trips() {
    let funnel = Funnel {
        stages: vec![Stage::new("lead", Rate::new(dec!(0.1)).unwrap())],
        deal_size: Money::new(dec!(83333.33), Currency::CNY),
    };
    let json = serde_json::to_string(&funnel).unwrap();
    assert_eq!(serde_json::from_str::<Funnel>(&json).unwrap(), funnel);
    let plan = funnel
        .plan_revenue(
            Money::new(dec!(250000), Currency::CNY),
            PlanOptions::default(),
        )
        .unwrap();
    let json = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
    let i = rate_interval(
        Counts {
            successes: 3,
            trials: 9,
        },
        0.9,
        IntervalMethod::Wilson,
    )
    .unwrap();
    let back: RateInterval = serde_json::from_str(&serde_json::to_string(&i).unwrap()).unwrap();
    assert_eq!(back, i);
    let ev = [Event {
        entity: 1,
        step: 0,
        timestamp: 0,
        group: 0,
    }];
    let m = measure(&ev, 2, &MeasureOptions::default()).unwrap();
    let back: FunnelMeasurement =
        serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
}

proptest! {
    #[test]
    fn prop_plan_json_round_trip(rates in prop::collection::vec(1i64..=10_000, 1..4), cents in 1i64..10_000_000, target in 0i64..1_000_000_000) {
        let funnel = Funnel {
            stages: rates.iter().enumerate().map(|(i, r)| Stage::new(format!("s{i}"), Rate::new(Decimal::new(*r, 4)).unwrap())).collect(),
            deal_size: Money::new(Decimal::new(cents, 2), Currency::USD),
        };
        let back: Funnel = serde_json::from_str(&serde_json::to_string(&funnel).unwrap()).unwrap();
        prop_assert_eq!(&back, &funnel);
        let plan = funnel.plan_revenue(Money::new(Decimal::new(target, 2), Currency::USD), PlanOptions::default()).unwrap();
        let back: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
        prop_assert_eq!(back, plan);
    }
}
