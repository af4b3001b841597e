//! Reverse and forward planning: golden cases from METHOD.md and properties.

use attain_funnel::{DailySpread, DealRule, Funnel, PlanOptions, Stage};
use attain_types::{Currency, Decimal, Money, Period, Rate, WorkingCalendar, dec};
use proptest::prelude::*;

fn rate(d: Decimal) -> Rate {
    Rate::new(d).unwrap()
}

/// METHOD.md 1.2: lead > prospect at 10%, prospect > deal at 20%, deals of 83,333.33.
fn weekly() -> Funnel {
    Funnel {
        stages: vec![
            Stage::new("lead", rate(dec!(0.1))),
            Stage::new("prospect", rate(dec!(0.2))),
        ],
        deal_size: Money::new(dec!(83333.33), Currency::CNY),
    }
}

fn cny(d: Decimal) -> Money {
    Money::new(d, Currency::CNY)
}

#[test]
fn plan_revenue_strict_needs_four_deals() {
    // METHOD.md 1.2: 250,000 / 83,333.33 = 3.0000012 -> strict ceil = 4 deals
    // (3 x 83,333.33 = 249,999.99 is 0.01 short). 4 deals at 20%: ceil(4 / 0.2) = 20
    // prospects; at 10%: ceil(20 / 0.1) = 200 leads.
    let plan = weekly()
        .plan_revenue(cny(dec!(250000)), PlanOptions::default())
        .unwrap();
    assert_eq!(plan.deal_rule, DealRule::Strict);
    assert_eq!(plan.deals, 4);
    assert_eq!(plan.stages[1].entries, 20);
    assert_eq!(plan.stages[0].entries, 200);
    // 4 x 83,333.33 = 333,333.32; overshoot 333,333.32 - 250,000 = 83,333.32.
    assert_eq!(plan.deal_revenue, cny(dec!(333333.32)));
    assert_eq!(plan.revenue_overshoot, Some(cny(dec!(83333.32))));
}

#[test]
fn plan_revenue_tolerance_gives_three_deals() {
    // Shortfall of 3 deals: 250,000 - 249,999.99 = 0.01 < 3 x 0.01 -> 3 deals.
    // 3 deals / 0.2 = 15 prospects; 15 / 0.1 = 150 leads (METHOD.md 1.2).
    let opts = PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance);
    let plan = weekly().plan_revenue(cny(dec!(250000)), opts).unwrap();
    assert_eq!(plan.deals, 3);
    assert_eq!(plan.stages[1].entries, 15);
    assert_eq!(plan.stages[0].entries, 150);
    assert_eq!(plan.stages[1].needed_outputs, 3);
    assert_eq!(plan.stages[0].needed_outputs, 15);
    assert_eq!(plan.revenue_overshoot, Some(cny(dec!(-0.01))));
    // Rounding once at the top agrees here: 3 / (0.1 x 0.2) = 150 exactly, no overshoot.
    assert_eq!(plan.once_at_top.top_entries, 150);
    assert_eq!(plan.every_stage.top_entries, 150);
    assert_eq!(plan.every_stage.deal_overshoot, Decimal::ZERO);
}

#[test]
fn tolerance_is_below_one_minor_unit_per_deal() {
    // 3 x 83,333.32 = 249,999.96: shortfall 0.04 is not below 3 x 0.01, so still 4 deals.
    let mut f = weekly();
    f.deal_size = cny(dec!(83333.32));
    let opts = PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance);
    assert_eq!(f.plan_revenue(cny(dec!(250000)), opts).unwrap().deals, 4);
    // 3 x 83,333.34 = 250,000.02 covers it outright: 3 under both rules.
    f.deal_size = cny(dec!(83333.34));
    assert_eq!(f.plan_revenue(cny(dec!(250000)), opts).unwrap().deals, 3);
    assert_eq!(
        f.plan_revenue(cny(dec!(250000)), PlanOptions::default())
            .unwrap()
            .deals,
        3
    );
}

#[test]
fn twenty_one_deals_at_35_percent_need_60_not_61() {
    // 21 / 0.35 = 60 exactly; in f64 21.0 / 0.35 = 60.00000000000001, which would round to 61.
    assert!(
        (21.0f64 / 0.35).ceil() > 60.0,
        "the f64 trap this test guards against"
    );
    let f = Funnel {
        stages: vec![Stage::new("prospect", rate(dec!(0.35)))],
        deal_size: Money::new(dec!(1000), Currency::USD),
    };
    assert_eq!(f.plan_deals(21).unwrap().stages[0].entries, 60);
}

#[test]
fn every_stage_vs_once_at_top() {
    // 1 deal through two 30% stages.
    // Every stage: ceil(1 / 0.3) = ceil(3.33) = 4; ceil(4 / 0.3) = ceil(13.33) = 14 at the top.
    //   Expected deals 14 x 0.09 = 1.26, overshoot 0.26.
    // Once at top: ceil(1 / 0.09) = ceil(11.11) = 12; expected 12 x 0.09 = 1.08, overshoot 0.08.
    let f = Funnel {
        stages: vec![
            Stage::new("a", rate(dec!(0.3))),
            Stage::new("b", rate(dec!(0.3))),
        ],
        deal_size: Money::new(dec!(10), Currency::USD),
    };
    let plan = f.plan_deals(1).unwrap();
    assert_eq!(plan.every_stage.top_entries, 14);
    assert_eq!(plan.every_stage.expected_deals, dec!(1.26));
    assert_eq!(plan.every_stage.deal_overshoot, dec!(0.26));
    assert_eq!(plan.once_at_top.top_entries, 12);
    assert_eq!(plan.once_at_top.expected_deals, dec!(1.08));
    assert_eq!(plan.once_at_top.deal_overshoot, dec!(0.08));
    assert_eq!(plan.stages[1].expected_outputs, dec!(1.2)); // 4 x 0.3
}

#[test]
fn forward_weekly_case() {
    // 150 leads x 0.1 = 15 prospects; x 0.2 = 3 deals; x 83,333.33 = 249,999.99.
    let fc = weekly().forward(150).unwrap();
    assert_eq!(fc.stages[1].expected_entries, dec!(15));
    assert_eq!(fc.expected_deals, dec!(3));
    assert_eq!(fc.expected_revenue.amount(), dec!(249999.99));
}

#[test]
fn daily_actions_annual_target() {
    // METHOD.md 1.2: 12,000,000 a year. Tolerant deal count: 12,000,000 / 83,333.34 =
    // 143.99999 -> floor 143 + 1 = 144 deals (144 x 83,333.33 = 11,999,999.52, 0.48 short,
    // below 1.44). 144 / 0.2 = 720 prospects, 720 / 0.1 = 7,200 leads.
    // 2026 has 261 Monday-to-Friday working days: 7200 / 261 = 27.59 -> 28 leads a day,
    // 720 / 261 = 2.76 -> 3 prospects, 144 / 261 = 0.55 -> 1 deal.
    let opts = PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance);
    let daily = weekly()
        .daily_actions(
            cny(dec!(12000000)),
            &Period::year(2026).unwrap(),
            &WorkingCalendar::default(),
            opts,
        )
        .unwrap();
    assert_eq!(daily.working_days, 261);
    let per_day: Vec<(String, u64, u64)> = daily
        .actions
        .iter()
        .map(|a| (a.name.clone(), a.per_period, a.per_day))
        .collect();
    assert_eq!(
        per_day,
        [
            ("lead".into(), 7200, 28),
            ("prospect".into(), 720, 3),
            ("deal".into(), 144, 1)
        ]
    );
    // The exact spread (default): 27.59 leads a day is 28 on the first 153 working days and
    // 27 on the other 108, exactly 7,200.
    let leads = &daily.actions[0].per_working_day;
    assert_eq!(leads.len(), 261);
    assert_eq!(leads.iter().sum::<u64>(), 7200);
    assert_eq!(leads.iter().filter(|&&n| n == 28).count(), 153);
    assert!(leads[..153].iter().all(|&n| n == 28) && leads[153..].iter().all(|&n| n == 27));
    for a in &daily.actions {
        assert_eq!(
            a.per_working_day.iter().sum::<u64>(),
            a.per_period,
            "{}",
            a.name
        );
    }
    let empty = Period::new(daily.period.start(), daily.period.start()).unwrap();
    assert!(
        weekly()
            .daily_actions(cny(dec!(1)), &empty, &WorkingCalendar::default(), opts)
            .is_err()
    );
}

#[test]
fn plan_errors_name_the_problem() {
    let mut f = weekly();
    f.stages[1].rate = Rate::ZERO;
    let e = f.plan_deals(3).unwrap_err();
    assert_eq!(
        e.to_string(),
        "stage \"prospect\" has a zero conversion rate, so no number of entries reaches the target"
    );
    let mut f = weekly();
    f.deal_size = cny(dec!(0));
    assert!(f.plan_deals(3).is_err());
    let f = Funnel {
        stages: vec![],
        deal_size: cny(dec!(1)),
    };
    assert_eq!(
        f.plan_deals(1).unwrap_err().to_string(),
        "a funnel needs at least one stage"
    );
    assert!(
        weekly()
            .plan_revenue(Money::new(dec!(1), Currency::USD), PlanOptions::default())
            .is_err()
    );
}

fn funnel_strategy() -> impl Strategy<Value = Funnel> {
    (prop::collection::vec(1i64..=10_000, 1..5), 1i64..10_000_000).prop_map(|(rates, cents)| {
        Funnel {
            stages: rates
                .into_iter()
                .enumerate()
                .map(|(i, r)| Stage::new(format!("s{i}"), Rate::new(Decimal::new(r, 4)).unwrap()))
                .collect(),
            deal_size: Money::new(Decimal::new(cents, 2), Currency::USD),
        }
    })
}

proptest! {
    #[test]
    fn prop_reverse_then_forward_meets_target(f in funnel_strategy(), cents in 0i64..1_000_000_000) {
        let target = Money::new(Decimal::new(cents, 2), Currency::USD);
        let plan = f.plan_revenue(target, PlanOptions::default()).unwrap();
        let fc = f.forward(plan.stages[0].entries).unwrap();
        prop_assert!(fc.expected_revenue.amount() >= target.amount());
        prop_assert!(fc.expected_deals >= Decimal::from(plan.deals));
        for s in &plan.stages {
            prop_assert!(s.expected_outputs >= Decimal::from(s.needed_outputs));
        }
        prop_assert!(plan.once_at_top.top_entries <= plan.every_stage.top_entries);
        prop_assert!(plan.once_at_top.expected_deals >= Decimal::from(plan.deals));
    }

    #[test]
    fn prop_counts_monotone_in_target(f in funnel_strategy(), a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
        let (lo, hi) = (a.min(b), a.max(b));
        for rule in [DealRule::Strict, DealRule::MinorUnitTolerance] {
            let opts = PlanOptions::default().deal_rule(rule);
            let p_lo = f.plan_revenue(Money::new(Decimal::new(lo, 2), Currency::USD), opts).unwrap();
            let p_hi = f.plan_revenue(Money::new(Decimal::new(hi, 2), Currency::USD), opts).unwrap();
            prop_assert!(p_lo.deals <= p_hi.deals);
            for (x, y) in p_lo.stages.iter().zip(&p_hi.stages) {
                prop_assert!(x.entries <= y.entries);
            }
        }
    }

    #[test]
    fn prop_counts_antitone_in_every_rate(f in funnel_strategy(), deals in 0u64..500, which in 0usize..4, bump in 1i64..5_000) {
        let i = which % f.stages.len();
        let mut better = f.clone();
        let r = (better.stages[i].rate.to_decimal() + Decimal::new(bump, 4)).min(Decimal::ONE);
        better.stages[i].rate = Rate::new(r).unwrap();
        let base = f.plan_deals(deals).unwrap();
        let up = better.plan_deals(deals).unwrap();
        for (x, y) in base.stages.iter().zip(&up.stages) {
            prop_assert!(y.entries <= x.entries, "{} vs {}", y.entries, x.entries);
        }
    }

    #[test]
    fn prop_tolerance_never_needs_more_deals(f in funnel_strategy(), cents in 0i64..1_000_000_000) {
        let target = Money::new(Decimal::new(cents, 2), Currency::USD);
        let strict = f.deals_for(target, DealRule::Strict).unwrap();
        let tol = f.deals_for(target, DealRule::MinorUnitTolerance).unwrap();
        prop_assert!(tol <= strict);
        // The tolerant count's shortfall is below one minor unit per deal.
        let short = target.amount() - Decimal::from(tol) * f.deal_size.amount();
        prop_assert!(short < Decimal::from(tol) * dec!(0.01) || short <= Decimal::ZERO);
    }
}

/// Issue 12, item 7: the plan's JSON (money, rates and exact decimals) is pinned by
/// `attain_types::serde`: golden string, and back. 250,000 at 83,333.33 is 4 deals strictly.
#[test]
fn plan_json_is_pinned() {
    use attain_funnel::{Funnel, Plan, PlanOptions, Stage};
    use attain_types::{Currency, Money, Rate, dec};
    let rate = |d| Rate::new(d).unwrap();
    let cny = |d| Money::new(d, Currency::CNY);
    let funnel = Funnel {
        stages: vec![
            Stage::new("lead", rate(dec!(0.1))),
            Stage::new("prospect", rate(dec!(0.2))),
        ],
        deal_size: cny(dec!(83333.33)),
    };
    let plan = funnel
        .plan_revenue(cny(dec!(250000.00)), PlanOptions::default())
        .unwrap();
    let money =
        |a: &str| format!(r#"{{"amount":"{a}","currency":{{"code":"CNY","minor_units":2}}}}"#);
    let golden = [
        format!(r#"{{"target":{},"deal_size":{},"deal_rule":"Strict","deals":4,"#, money("250000.00"), money("83333.33")),
        format!(r#""deal_revenue":{},"revenue_overshoot":{},"#, money("333333.32"), money("83333.32")),
        r#""stages":[{"name":"lead","rate":"0.1","entries":200,"needed_outputs":20,"expected_outputs":"20.0"},"#.to_owned(),
        r#"{"name":"prospect","rate":"0.2","entries":20,"needed_outputs":4,"expected_outputs":"4.0"}],"#.to_owned(),
        r#""every_stage":{"top_entries":200,"expected_deals":"4.00","deal_overshoot":"0.00"},"#.to_owned(),
        r#""once_at_top":{"top_entries":200,"expected_deals":"4.00","deal_overshoot":"0.00"}}"#.to_owned(),
    ]
    .concat();
    let json = serde_json::to_string(&plan).unwrap();
    assert_eq!(json, golden);
    assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
}

#[test]
fn daily_actions_week_exact_or_rounded_up() {
    // A week of 250,000 (METHOD.md 1.2): 3 deals, 15 prospects, 150 leads over Monday to
    // Friday 2026-03-02 .. 2026-03-06.
    let week = Period::from_inclusive(chrono_date(2026, 3, 2), chrono_date(2026, 3, 8)).unwrap();
    let tolerant = PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance);
    let lines = |opts: PlanOptions| -> Vec<(String, Vec<u64>)> {
        weekly()
            .daily_actions(cny(dec!(250000)), &week, &WorkingCalendar::default(), opts)
            .unwrap()
            .actions
            .into_iter()
            .map(|a| (a.name, a.per_working_day))
            .collect()
    };
    let exact = lines(tolerant);
    assert_eq!(
        exact,
        [
            ("lead".to_owned(), vec![30; 5]),
            ("prospect".to_owned(), vec![3; 5]),
            ("deal".to_owned(), vec![1, 1, 1, 0, 0]),
        ]
    );
    // Rounding each day up asks for 5 deals in a week that needs 3.
    let rounded = lines(tolerant.daily_spread(DailySpread::RoundUpEachDay));
    assert_eq!(rounded[2], ("deal".to_owned(), vec![1; 5]));
}

fn chrono_date(y: i32, m: u32, d: u32) -> attain_types::NaiveDate {
    attain_types::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
