//! Contract (SaaS) metrics: MRR movements, retention and churn (ChartMogul definitions).

use attain_lifecycle::Error;
use attain_lifecycle::contract::{
    ContractGoal, CustomerMrr, MrrChange, MrrMovements, Window, mrr_bridge, mrr_movements,
};
use attain_types::{Currency, Decimal, Money, NaiveDate, Period, Rate, dec};
use proptest::prelude::*;

fn usd(d: Decimal) -> Money {
    Money::new(d, Currency::USD)
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn ch(c: &str, date: NaiveDate, mrr: Decimal) -> MrrChange {
    MrrChange {
        customer: c.into(),
        date,
        mrr: usd(mrr),
    }
}

/// A hand-made subscription log, checked by hand below (every movement type, plus a
/// customer who joins and churns inside March, one who starts after it, and one whose
/// change falls on March 1).
fn march_log() -> Vec<MrrChange> {
    vec![
        ch("A", d(1, 1), dec!(100)), // steady 100
        ch("B", d(1, 1), dec!(200)),
        ch("B", d(3, 15), dec!(300)), // +100 expansion
        ch("C", d(2, 1), dec!(300)),
        ch("C", d(3, 10), dec!(250)), // -50 contraction
        ch("D", d(1, 1), dec!(150)),
        ch("D", d(3, 20), dec!(0)), // churn 150
        ch("E", d(3, 5), dec!(80)), // new 80
        ch("F", d(1, 1), dec!(60)),
        ch("F", d(2, 1), dec!(0)),
        ch("F", d(3, 12), dec!(70)), // reactivation 70
        ch("G", d(3, 2), dec!(90)),
        ch("G", d(3, 25), dec!(0)),  // in and out: excluded
        ch("H", d(4, 1), dec!(500)), // after the window
        ch("I", d(3, 1), dec!(40)),  // new on March 1
    ]
}

/// Golden, hand-checked: March 2026 as a calendar window.
#[test]
fn golden_march_movements_and_rates() {
    let m = mrr_movements(
        &march_log(),
        Window::Period(Period::month(2026, 3).unwrap()),
        Currency::USD,
    )
    .unwrap();
    // start: A 100 + B 200 + C 300 + D 150 = 750 over 4 customers (I's March 1 change is
    // not part of the start-of-period base)
    assert_eq!(m.start_mrr, usd(dec!(750)));
    assert_eq!(m.customers_at_start, 4);
    // end: A 100 + B 300 + C 250 + E 80 + F 70 + I 40 = 840 over 6 customers
    assert_eq!(m.end_mrr, usd(dec!(840)));
    assert_eq!(m.customers_at_end, 6);
    assert_eq!((m.new, m.new_customers), (usd(dec!(120)), 2)); // E 80 + I 40
    assert_eq!(
        (m.reactivation, m.reactivated_customers),
        (usd(dec!(70)), 1)
    ); // F
    assert_eq!((m.expansion, m.expanded_customers), (usd(dec!(100)), 1)); // B
    assert_eq!((m.contraction, m.contracted_customers), (usd(dec!(50)), 1)); // C
    assert_eq!((m.churn, m.churned_customers), (usd(dec!(150)), 1)); // D; G excluded
    // bridge: 750 + 120 + 70 + 100 - 50 - 150 = 840
    assert_eq!(m.net_new_mrr().unwrap(), usd(dec!(90)));
    // GRR = (750 - 50 - 150) / 750 = 550 / 750 = 0.7333...
    assert_eq!(
        m.gross_revenue_retention().unwrap().to_decimal(),
        dec!(550) / dec!(750)
    );
    assert_eq!(
        m.gross_revenue_retention()
            .unwrap()
            .to_decimal()
            .round_dp(4),
        dec!(0.7333)
    );
    // NRR = (750 + 100 - 50 - 150) / 750 = 650 / 750 = 0.8666...
    assert_eq!(m.net_revenue_retention().unwrap().round_dp(4), dec!(0.8667));
    // revenue churn = (150 + 50) / 750 = 0.2666..., and GRR + revenue churn = 1
    assert_eq!(
        m.revenue_churn().unwrap().to_decimal().round_dp(4),
        dec!(0.2667)
    );
    // net revenue churn = (150 + 50 - 100 - 70) / 750 = 30 / 750 = 0.04
    assert_eq!(m.net_revenue_churn().unwrap(), dec!(0.04));
    // logo churn = 1 / 4; renewal = 3 / 4
    assert_eq!(m.logo_churn().unwrap().to_decimal(), dec!(0.25));
    assert_eq!(m.renewal_rate().unwrap().to_decimal(), dec!(0.75));
}

/// Golden, hand-checked: the rolling 30 days ending 2026-03-31 (March 2 ..= March 31).
/// The base is the state before March 2, so I (started March 1) is in it and not new.
#[test]
fn golden_rolling_30_days() {
    let m = mrr_movements(
        &march_log(),
        Window::Rolling30Days { as_of: d(3, 31) },
        Currency::USD,
    )
    .unwrap();
    // start: 750 + I 40 = 790 over 5 customers
    assert_eq!((m.start_mrr, m.customers_at_start), (usd(dec!(790)), 5));
    assert_eq!((m.new, m.new_customers), (usd(dec!(80)), 1)); // E only
    // bridge: 790 + 80 + 70 + 100 - 50 - 150 = 840
    assert_eq!(m.end_mrr, usd(dec!(840)));
    // logo churn = 1 / 5
    assert_eq!(m.logo_churn().unwrap().to_decimal(), dec!(0.2));
    // NRR = (790 + 100 - 50 - 150) / 790 = 690 / 790
    assert_eq!(m.net_revenue_retention().unwrap(), dec!(690) / dec!(790));
}

/// Input order does not matter; same-day changes: the last in input order wins.
#[test]
fn order_and_same_day_changes() {
    let mut log = march_log();
    log.reverse();
    let window = Window::Period(Period::month(2026, 3).unwrap());
    // Reversal moves no same-day pair (each customer has at most one change a day).
    assert_eq!(
        mrr_movements(&log, window, Currency::USD).unwrap(),
        mrr_movements(&march_log(), window, Currency::USD).unwrap()
    );
    let same_day = [
        ch("X", d(2, 1), dec!(10)),
        ch("X", d(3, 4), dec!(20)),
        ch("X", d(3, 4), dec!(5)),
    ];
    let m = mrr_movements(&same_day, window, Currency::USD).unwrap();
    assert_eq!(m.contraction, usd(dec!(5)));
}

/// METHOD.md 1.1: a B2B team aiming at customer lifetime value sets three linked goals:
/// new contracts, renewal rate and cross-sell amount. Hand-checked against March.
#[test]
fn golden_contract_goal_attainment() {
    let m = mrr_movements(
        &march_log(),
        Window::Period(Period::month(2026, 3).unwrap()),
        Currency::USD,
    )
    .unwrap();
    let goal = ContractGoal {
        new_customers: 4,
        renewal_rate: Rate::new(dec!(0.9)).unwrap(),
        cross_sell: usd(dec!(250)),
    };
    let a = goal.attainment(&m).unwrap();
    assert_eq!(a.new_customers, 2);
    assert_eq!(a.new_customers_attainment, Some(dec!(0.5))); // 2 / 4
    assert_eq!(a.renewal_rate.map(Rate::to_decimal), Some(dec!(0.75)));
    assert_eq!(a.renewal_gap, Some(dec!(-0.15))); // 0.75 - 0.90
    assert_eq!(a.cross_sell, usd(dec!(100)));
    assert_eq!(a.cross_sell_attainment, Some(dec!(0.4))); // 100 / 250

    let eur = ContractGoal {
        cross_sell: Money::new(dec!(1), Currency::EUR),
        ..goal
    };
    assert!(matches!(
        eur.attainment(&m),
        Err(Error::CurrencyMismatch { .. })
    ));
    let zero = ContractGoal {
        new_customers: 0,
        cross_sell: usd(dec!(0)),
        ..goal
    };
    let a = zero.attainment(&m).unwrap();
    assert_eq!(
        (a.new_customers_attainment, a.cross_sell_attainment),
        (None, None)
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let window = Window::Period(Period::month(2026, 3).unwrap());
    let e = mrr_movements(&[ch("Z", d(1, 1), dec!(-5))], window, Currency::USD).unwrap_err();
    assert_eq!(
        e.to_string(),
        "changed mrr of customer Z must not be negative, got -5"
    );
    let eur = MrrChange {
        customer: "Y".into(),
        date: d(1, 1),
        mrr: Money::new(dec!(1), Currency::EUR),
    };
    let e = mrr_movements(&[eur], window, Currency::USD).unwrap_err();
    assert_eq!(
        e.to_string(),
        "changed mrr of customer Y: amount in EUR but expected USD"
    );
    // Nobody at the start: every rate is a typed error, never NaN.
    let m = mrr_movements(&[ch("N", d(3, 3), dec!(10))], window, Currency::USD).unwrap();
    assert_eq!(
        m.logo_churn().unwrap_err().to_string(),
        "logo churn is undefined: customers at window start is zero"
    );
    assert!(
        m.revenue_churn().is_err() && m.net_revenue_churn().is_err() && m.renewal_rate().is_err()
    );
}

fn row() -> impl Strategy<Value = CustomerMrr> {
    (
        0i64..5_000,
        0i64..5_000,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(s, e, zero_s, zero_e, paid_before)| CustomerMrr {
            customer: "c".into(),
            start: usd(if zero_s {
                Decimal::ZERO
            } else {
                Decimal::new(s, 2)
            }),
            end: usd(if zero_e {
                Decimal::ZERO
            } else {
                Decimal::new(e, 2)
            }),
            paid_before,
        })
}

proptest! {
    /// The bridge balances exactly, and the rates stay in their ranges.
    #[test]
    fn prop_bridge_balances_and_rates_in_range(rows in proptest::collection::vec(row(), 0..40)) {
        let m = MrrMovements::from_customers(&rows, Currency::USD).unwrap();
        prop_assert_eq!(m.start_mrr.checked_add(m.net_new_mrr().unwrap()).unwrap(), m.end_mrr);
        prop_assert_eq!(
            m.customers_at_start + m.new_customers + m.reactivated_customers - m.churned_customers,
            m.customers_at_end
        );
        if m.start_mrr.is_zero() {
            let zero = matches!(m.gross_revenue_retention(), Err(Error::ZeroDenominator { .. }));
            prop_assert!(zero);
        } else {
            let grr = m.gross_revenue_retention().unwrap().to_decimal();
            let churn = m.revenue_churn().unwrap().to_decimal();
            prop_assert_eq!((grr + churn).round_dp(20), Decimal::ONE);
            prop_assert!(m.net_revenue_retention().unwrap() >= grr);
        }
        if m.customers_at_start > 0 {
            let lc = m.logo_churn().unwrap();
            prop_assert_eq!(lc.complement(), m.renewal_rate().unwrap());
        }
    }

    /// From an event log: the start and end MRR are the states at the window's ends, and
    /// the bridge balances.
    #[test]
    fn prop_event_log_bridge(
        events in proptest::collection::vec((0u8..6, 0u64..120, 0i64..3, 0i64..1000), 0..60)
    ) {
        let base = d(1, 1);
        let log: Vec<MrrChange> = events
            .iter()
            .map(|&(c, day, z, v)| MrrChange {
                customer: format!("c{c}"),
                date: base.checked_add_days(chrono::Days::new(day)).unwrap(),
                mrr: usd(if z == 0 { Decimal::ZERO } else { Decimal::new(v, 1) }),
            })
            .collect();
        let window = Window::Period(Period::month(2026, 3).unwrap());
        let m = mrr_movements(&log, window, Currency::USD).unwrap();
        prop_assert_eq!(m.start_mrr.checked_add(m.net_new_mrr().unwrap()).unwrap(), m.end_mrr);
        // The end MRR is each customer's last state before April.
        let mut end = Decimal::ZERO;
        for c in 0u8..6 {
            let name = format!("c{c}");
            let last = log
                .iter()
                .filter(|e| e.customer == name && e.date < d(4, 1))
                .fold(None::<&MrrChange>, |acc, e| match acc {
                    Some(a) if a.date > e.date => Some(a),
                    _ => Some(e),
                });
            end += last.map_or(Decimal::ZERO, |e| e.mrr.amount());
        }
        prop_assert_eq!(m.end_mrr.amount(), end);
    }

    /// A bridge chains: each period's end MRR is the next period's start MRR, and the
    /// movements over the months add up to the change over the quarter.
    #[test]
    fn prop_bridge_chains(
        events in proptest::collection::vec((0u8..6, 0u64..150, 0i64..3, 0i64..1000), 0..60)
    ) {
        let base = d(1, 1);
        let log: Vec<MrrChange> = events
            .iter()
            .map(|&(c, day, z, v)| MrrChange {
                customer: format!("c{c}"),
                date: base.checked_add_days(chrono::Days::new(day)).unwrap(),
                mrr: usd(if z == 0 { Decimal::ZERO } else { Decimal::new(v, 1) }),
            })
            .collect();
        let q = Period::quarter(2026, 2).unwrap();
        let bridge = mrr_bridge(&log, q, attain_types::Granularity::Month, Currency::USD).unwrap();
        prop_assert_eq!(bridge.len(), 3);
        for w in bridge.windows(2) {
            prop_assert_eq!(w[0].1.end_mrr, w[1].1.start_mrr);
            prop_assert_eq!(w[0].0.end(), w[1].0.start());
        }
        let quarter = mrr_movements(&log, Window::Period(q), Currency::USD).unwrap();
        prop_assert_eq!(bridge[0].1.start_mrr, quarter.start_mrr);
        prop_assert_eq!(bridge[2].1.end_mrr, quarter.end_mrr);
        let net = Money::try_sum(bridge.iter().map(|(_, m)| m.net_new_mrr().unwrap()), Currency::USD).unwrap();
        prop_assert_eq!(net, quarter.net_new_mrr().unwrap());
    }
}
