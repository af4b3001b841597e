//! Bottlenecks, pipeline metrics and the gap diagnosis.

use attain_funnel::bottleneck::{BottleneckMeasure, bottlenecks};
use attain_funnel::gap::{FunnelOutcome, diagnose_gap, diagnose_gap_in_minor_units};
use attain_funnel::pipeline::{
    ChannelSpend, PipelineStage, channel_metrics, coverage_ratio, sales_velocity, weighted_forecast,
};
use attain_funnel::{Funnel, Stage};
use attain_types::{Currency, Decimal, Money, Rate, dec};
use proptest::prelude::*;

fn usd(d: Decimal) -> Money {
    Money::new(d, Currency::USD)
}
fn rate(d: Decimal) -> Rate {
    Rate::new(d).unwrap()
}

/// METHOD.md 2.2 history: lead > visit 10%, visit > proposal 30%, proposal > deal 20%.
fn history_funnel() -> Funnel {
    Funnel {
        stages: vec![
            Stage::new("lead", rate(dec!(0.1))),
            Stage::new("visit", rate(dec!(0.3))),
            Stage::new("proposal", rate(dec!(0.2))),
        ],
        deal_size: usd(dec!(10000)),
    }
}

#[test]
fn bottleneck_measures_disagree() {
    // 1,000 leads x 0.1 x 0.3 x 0.2 x 10,000 = 60,000.
    // Lift to benchmark (12% / 40% / 25%): lead 10,000,000 x 0.3 x 0.2 x 0.02 = 12,000;
    // visit 10,000,000 x 0.1 x 0.2 x 0.1 = 20,000; proposal 10,000,000 x 0.1 x 0.3 x 0.05 = 15,000.
    // Per point: lead 600,000 x 0.01 = 6,000; visit 200,000 x 0.01 = 2,000; proposal 3,000.
    let benchmarks = [rate(dec!(0.12)), rate(dec!(0.4)), rate(dec!(0.25))];
    let r = bottlenecks(
        &history_funnel(),
        1000,
        &benchmarks,
        BottleneckMeasure::default(),
    )
    .unwrap();
    assert_eq!(r.revenue, usd(dec!(60000)));
    let lifts: Vec<_> = r
        .stages
        .iter()
        .map(|s| s.lift_to_benchmark.amount())
        .collect();
    assert_eq!(lifts, [dec!(12000), dec!(20000), dec!(15000)]);
    assert_eq!(r.ranking, [1, 2, 0]);
    assert_eq!(r.first().unwrap().name, "visit");
    let r = bottlenecks(
        &history_funnel(),
        1000,
        &benchmarks,
        BottleneckMeasure::LiftPerPoint,
    )
    .unwrap();
    let points: Vec<_> = r.stages.iter().map(|s| s.lift_per_point.amount()).collect();
    assert_eq!(points, [dec!(6000), dec!(2000), dec!(3000)]);
    assert_eq!(r.ranking, [0, 2, 1]);
    let r = bottlenecks(
        &history_funnel(),
        1000,
        &benchmarks,
        BottleneckMeasure::Elasticity,
    )
    .unwrap();
    assert!(r.stages.iter().all(|s| s.elasticity == Some(Decimal::ONE)));
    assert_eq!(r.ranking, [0, 1, 2]);
    assert!(
        bottlenecks(
            &history_funnel(),
            1000,
            &benchmarks[..2],
            BottleneckMeasure::default()
        )
        .is_err()
    );
}

#[test]
fn pipeline_metrics_golden() {
    // 40 x 0.25 x 20,000 / 50 = 4,000 a day.
    let v = sales_velocity(40, rate(dec!(0.25)), usd(dec!(20000)), dec!(50)).unwrap();
    assert_eq!(v.amount(), dec!(4000));
    assert!(sales_velocity(40, rate(dec!(0.25)), usd(dec!(20000)), dec!(0)).is_err());
    // 900,000 / 300,000 = 3.
    assert_eq!(
        coverage_ratio(usd(dec!(900000)), usd(dec!(300000))).unwrap(),
        dec!(3)
    );
    assert!(coverage_ratio(usd(dec!(1)), usd(dec!(0))).is_err());
    // 500,000 x 0.1 + 200,000 x 0.4 + 100,000 x 0.8 = 50,000 + 80,000 + 80,000 = 210,000.
    let stages = [
        PipelineStage {
            amount: usd(dec!(500000)),
            win_probability: rate(dec!(0.1)),
        },
        PipelineStage {
            amount: usd(dec!(200000)),
            win_probability: rate(dec!(0.4)),
        },
        PipelineStage {
            amount: usd(dec!(100000)),
            win_probability: rate(dec!(0.8)),
        },
    ];
    assert_eq!(
        weighted_forecast(&stages, Currency::USD).unwrap().amount(),
        dec!(210000)
    );
    assert_eq!(
        weighted_forecast(&[], Currency::USD).unwrap().amount(),
        dec!(0)
    );
    // 20,000 / 400 = 50 per lead; 20,000 / 10 = 2,000 per customer; (50,000 - 20,000) / 20,000 = 1.5.
    let ch = ChannelSpend::new("live stream", usd(dec!(20000)), 10)
        .leads(400)
        .revenue(usd(dec!(50000)));
    let m = channel_metrics(&ch).unwrap();
    assert_eq!(m.cost_per_lead.unwrap().amount(), dec!(50));
    assert_eq!(m.cost_per_acquisition.unwrap().amount(), dec!(2000));
    assert_eq!(m.roi.unwrap(), dec!(1.5));
    let free = ChannelSpend {
        spend: usd(dec!(0)),
        leads: 0,
        new_customers: 0,
        ..ch.clone()
    };
    let m = channel_metrics(&free).unwrap();
    assert_eq!(
        (m.cost_per_lead, m.cost_per_acquisition, m.roi),
        (None, None, None)
    );
    // Without a revenue there is no ROI, and the CAC is the same as attain-lifecycle's.
    let unknown = ChannelSpend {
        revenue: None,
        ..ch
    };
    let m = channel_metrics(&unknown).unwrap();
    assert_eq!(
        (m.cost_per_acquisition, m.roi),
        (unknown.cac().unwrap(), None)
    );
}

#[test]
fn gap_golden_one_stage() {
    // Plan 150 x 0.1 x 10,000 = 150,000; actual 120 x 0.125 x 10,000 = 150,000: gap 0.
    // Volume: 1/3 x (-30 x 0.1 x 1e4) + 1/6 x (-30 x 0.125 x 1e4) + 1/6 x (-30 x 0.1 x 1e4)
    //       + 1/3 x (-30 x 0.125 x 1e4) = -10,000 - 6,250 - 5,000 - 12,500 = -33,750.
    let plan = FunnelOutcome {
        entries: 150,
        rates: vec![rate(dec!(0.1))],
        deal_size: usd(dec!(10000)),
    };
    let actual = FunnelOutcome {
        entries: 120,
        rates: vec![rate(dec!(0.125))],
        deal_size: usd(dec!(10000)),
    };
    let g = diagnose_gap(&plan, &actual).unwrap();
    assert_eq!(g.gap.amount(), dec!(0));
    assert_eq!(g.volume.amount(), dec!(-33750));
    assert_eq!(g.rates[0].amount(), dec!(33750));
    assert_eq!(g.deal_size.amount(), dec!(0));
}

/// The weekly review of METHOD.md 1.2: (plan, actual).
fn weekly_review() -> (FunnelOutcome, FunnelOutcome) {
    let plan = FunnelOutcome {
        entries: 150,
        rates: vec![rate(dec!(0.1)), rate(dec!(0.2))],
        deal_size: usd(dec!(83333.33)),
    };
    let actual = FunnelOutcome {
        entries: 120,
        rates: vec![rate(dec!(0.1)), rate(dec!(0.25))],
        deal_size: usd(dec!(80000)),
    };
    (plan, actual)
}

#[test]
fn gap_weekly_review() {
    // Plan (METHOD.md 1.2): 150 leads x 0.1 x 0.2 x 83,333.33 = 249,999.99.
    // Actual: 120 leads x 0.1 x 0.25 x 80,000 = 240,000. Gap -9,999.99.
    let (plan, actual) = weekly_review();
    let g = diagnose_gap(&plan, &actual).unwrap();
    assert_eq!(g.planned_revenue.amount(), dec!(249999.99));
    assert_eq!(g.actual_revenue.amount(), dec!(240000));
    assert_eq!(g.gap.amount(), dec!(-9999.99));
    let sum = Money::try_sum(g.contributions(), Currency::USD).unwrap();
    assert_eq!(sum, g.gap);
    assert_eq!(g.rates[0].amount(), dec!(0)); // lead > prospect did not move
    assert!(g.volume.is_negative()); // not enough leads
    assert!(!g.conversion().unwrap().is_negative()); // conversion was better than plan
}

#[test]
fn gap_weekly_review_in_minor_units() {
    // The weekly review of examples/weekly_funnel.rs, shown to the cent.
    let (plan, actual) = weekly_review();
    let g = diagnose_gap_in_minor_units(&plan, &actual).unwrap();
    assert_eq!(g.gap.to_string(), "-9999.99 USD");
    assert_eq!(g.planned_revenue.to_string(), "249999.99 USD");
    let shown: Vec<String> = g.contributions().iter().map(ToString::to_string).collect();
    // Exact Shapley values: volume -55,083.33225, rates 0 and +55,166.6655, deal size
    // -10,083.32325. Floors sum to -10,000.01; the two missing cents go to the largest
    // remainders (volume .775, deal size .675), not to the rate (.55).
    assert_eq!(
        shown,
        ["-55083.33 USD", "0.00 USD", "55166.66 USD", "-10083.32 USD"]
    );
    let sum = Money::try_sum(g.contributions(), Currency::USD).unwrap();
    assert_eq!(sum, g.gap);
}

fn outcome(k: usize) -> impl Strategy<Value = FunnelOutcome> {
    (
        0u64..5_000,
        prop::collection::vec(0i64..=1000, k),
        0i64..10_000_000,
    )
        .prop_map(|(n, rs, cents)| FunnelOutcome {
            entries: n,
            rates: rs
                .into_iter()
                .map(|r| Rate::new(Decimal::new(r, 3)).unwrap())
                .collect(),
            deal_size: usd(Decimal::new(cents, 2)),
        })
}

proptest! {
    #[test]
    fn prop_gap_contributions_sum_exactly((a, b) in (1usize..5).prop_flat_map(|k| (outcome(k), outcome(k)))) {
        let g = diagnose_gap(&a, &b).unwrap();
        let sum = Money::try_sum(g.contributions(), Currency::USD).unwrap();
        prop_assert_eq!(sum.amount(), g.gap.amount());
        prop_assert_eq!(g.gap.amount(), b.revenue().unwrap().amount() - a.revenue().unwrap().amount());
    }

    #[test]
    fn prop_gap_is_order_independent((a, b) in (2usize..5).prop_flat_map(|k| (outcome(k), outcome(k)))) {
        // Reversing the stage order reverses the stage contributions (up to the last-digit
        // tie-break of the largest-remainder rounding).
        let rev = |o: &FunnelOutcome| FunnelOutcome { rates: o.rates.iter().rev().copied().collect(), ..o.clone() };
        let g = diagnose_gap(&a, &b).unwrap();
        let h = diagnose_gap(&rev(&a), &rev(&b)).unwrap();
        let ulp = Decimal::new(1, g.volume.amount().scale());
        for (x, y) in g.rates.iter().zip(h.rates.iter().rev()) {
            prop_assert!((x.amount() - y.amount()).abs() <= ulp, "{x} vs {y}");
        }
        prop_assert!((g.volume.amount() - h.volume.amount()).abs() <= ulp);
    }

    #[test]
    fn prop_unchanged_factor_gets_nothing((a, b) in (1usize..4).prop_flat_map(|k| (outcome(k), outcome(k)))) {
        let mut b = b;
        b.entries = a.entries;
        let g = diagnose_gap(&a, &b).unwrap();
        prop_assert_eq!(g.volume.amount(), Decimal::ZERO);
    }

    /// Shown in the minor unit, the contributions still add up exactly to the gap, the gap is
    /// the difference of the rounded revenues, and each contribution is within one minor unit
    /// of its exact Shapley value (measured against `diagnose_gap`, itself within `10^-q`).
    #[test]
    fn prop_gap_in_minor_units_adds_up((a, b) in (1usize..5).prop_flat_map(|k| (outcome(k), outcome(k)))) {
        let g = diagnose_gap_in_minor_units(&a, &b).unwrap();
        let exact = diagnose_gap(&a, &b).unwrap();
        let sum = Money::try_sum(g.contributions(), Currency::USD).unwrap();
        prop_assert_eq!(sum, g.gap);
        let rounded = |m: Money| m.round_to_minor_unit().amount();
        prop_assert_eq!(g.gap.amount(), rounded(exact.actual_revenue) - rounded(exact.planned_revenue));
        let ulp = Decimal::new(1, exact.volume.amount().scale());
        for (x, y) in g.contributions().iter().zip(exact.contributions()) {
            prop_assert_eq!(x.amount().scale(), 2);
            prop_assert!((x.amount() - y.amount()).abs() <= dec!(0.01) + ulp, "{} vs {}", x, y);
        }
    }
}
