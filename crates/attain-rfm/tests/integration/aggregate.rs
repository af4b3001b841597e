//! Aggregation modes on hand-checked logs.

use attain_rfm::{
    AfterAsOf, AggregateOptions, Aggregator, FrequencyMode, MonetaryMode, ReturnsMode, aggregate,
};

use crate::{date, dec, tx};

/// One customer: three orders on two days, a refund, and one row after `as_of`.
fn log() -> Vec<attain_rfm::Transaction<'static>> {
    vec![
        tx("ann", "2025-01-10", "100.00", Some("o1")),
        tx("ann", "2025-01-10", "20.00", Some("o2")),
        tx("ann", "2025-03-01", "60.00", Some("o3")),
        tx("ann", "2025-03-01", "60.00", Some("o3")), // a second line of order o3
        tx("ann", "2025-04-01", "-30.00", Some("o4")), // a refund
        tx("ann", "2026-02-01", "999.00", Some("o5")), // after as_of
    ]
}

#[test]
fn aggregate_defaults_exclude_after_as_of_and_report_it() {
    let t = aggregate(log(), date("2026-01-01"), AggregateOptions::default()).unwrap();
    let ann = &t.customers[0];
    // last used purchase 2025-04-01: 275 days before 2026-01-01.
    assert_eq!(ann.recency_days, 275);
    assert_eq!(ann.frequency, 4); // o1, o2, o3, o4
    assert_eq!(ann.monetary, dec("210.00")); // 100 + 20 + 60 + 60 - 30
    assert_eq!(t.report.rows_read, 6);
    assert_eq!(t.report.rows_used, 5);
    assert_eq!(t.report.after_as_of, 1);
    assert_eq!(t.report.refunds, 1);
    assert_eq!(t.report.rows_excluded(), 1);
}

#[test]
fn aggregate_include_after_as_of_gives_negative_recency() {
    let o = AggregateOptions::default().after_as_of(AfterAsOf::Include);
    let t = aggregate(log(), date("2026-01-01"), o).unwrap();
    assert_eq!(t.customers[0].recency_days, -31);
    assert_eq!(t.customers[0].monetary, dec("1209.00"));
}

#[test]
fn aggregate_frequency_modes() {
    let as_of = date("2026-01-01");
    let f = |m| {
        aggregate(log(), as_of, AggregateOptions::default().frequency(m))
            .unwrap()
            .customers[0]
            .frequency
    };
    assert_eq!(f(FrequencyMode::Rows), 5);
    assert_eq!(f(FrequencyMode::DistinctOrders), 4);
    assert_eq!(f(FrequencyMode::DistinctDays), 3); // 01-10, 03-01, 04-01
    assert_eq!(f(FrequencyMode::RepeatDays), 2);
}

#[test]
fn aggregate_returns_and_monetary_modes() {
    let as_of = date("2026-01-01");
    let m = |o: AggregateOptions| aggregate(log(), as_of, o).unwrap().customers[0].monetary;
    let d = AggregateOptions::default();
    assert_eq!(m(d.returns(ReturnsMode::Gross)), dec("240.00"));
    assert_eq!(m(d.returns(ReturnsMode::Excluded)), dec("240.00"));
    // Excluded also drops the refund row from frequency and recency.
    let ex = aggregate(log(), as_of, d.returns(ReturnsMode::Excluded)).unwrap();
    assert_eq!(
        (ex.customers[0].frequency, ex.customers[0].recency_days),
        (3, 306)
    );
    // 210 / 4 orders.
    assert_eq!(m(d.monetary(MonetaryMode::MeanPerOrder)), dec("52.5"));
    // 210 / 3 days.
    assert_eq!(m(d.monetary(MonetaryMode::MeanPerDay)), dec("70"));
    // Repeat days: 03-01 (120) and 04-01 (-30): mean 45.
    assert_eq!(m(d.monetary(MonetaryMode::MeanRepeatDays)), dec("45"));
}

#[test]
fn aggregate_repeat_summary_has_its_own_names() {
    let o = AggregateOptions::default().repeat_summary(true);
    let t = aggregate(log(), date("2026-01-01"), o).unwrap();
    let s = t.customers[0].repeat_summary.as_deref().unwrap();
    assert_eq!(s.frequency(), 2);
    assert_eq!(s.t_x_days(), 81); // 2025-01-10 .. 2025-04-01
    assert_eq!(s.age_days(), 356); // 2025-01-10 .. 2026-01-01
    assert_eq!(s.mean_repeat_spend(), dec("45"));
}

#[test]
fn aggregate_repeat_summary_mean_is_exact() {
    // Repeat spends 0.10, 0.20, 0.30: the mean is 0.2 exactly (f64 gives 0.19999999999999998).
    let rows = [
        ("2025-01-01", "5"),
        ("2025-02-01", "0.10"),
        ("2025-03-01", "0.20"),
        ("2025-04-01", "0.30"),
    ];
    let log: Vec<_> = rows.iter().map(|&(d, a)| tx("a", d, a, None)).collect();
    let o = AggregateOptions::default().repeat_summary(true);
    let t = aggregate(log, date("2025-06-01"), o).unwrap();
    let s = t.customers[0].repeat_summary.as_deref().unwrap();
    assert_eq!(s.mean_repeat_spend().normalize().to_string(), "0.2");
}

#[test]
fn aggregate_repeat_summary_ignores_days_after_as_of() {
    // With AfterAsOf::Include the RFM values use every row; the repeat summary is cut at as_of.
    let rows = [
        ("2025-01-01", "5"),
        ("2025-02-01", "7"),
        ("2025-08-01", "9"),
    ];
    let log: Vec<_> = rows.iter().map(|&(d, a)| tx("a", d, a, None)).collect();
    let o = AggregateOptions::default()
        .repeat_summary(true)
        .after_as_of(AfterAsOf::Include);
    let t = aggregate(log, date("2025-06-01"), o).unwrap();
    let s = t.customers[0].repeat_summary.as_deref().unwrap();
    assert_eq!(
        (s.frequency(), s.t_x_days(), s.mean_repeat_spend()),
        (1, 31, dec("7"))
    );
}

#[test]
fn aggregate_empty_input_is_empty() {
    let t = aggregate(Vec::new(), date("2026-01-01"), AggregateOptions::default()).unwrap();
    assert!(t.customers.is_empty());
    assert_eq!(t.report.rows_read, 0);
}

#[test]
fn aggregator_merge_rejects_different_as_of() {
    let mut a = Aggregator::new(date("2026-01-01"), AggregateOptions::default());
    let b = Aggregator::new(date("2026-01-02"), AggregateOptions::default());
    assert!(a.merge(b).is_err());
}

#[test]
fn columns_check_lengths() {
    let ids = ["a", "b"];
    let dates = [date("2025-01-01")];
    let amounts = [dec("1.00"), dec("2.00")];
    let cols = attain_rfm::TransactionColumns {
        customer_ids: &ids[..],
        dates: &dates,
        amounts: &amounts,
        order_ids: None,
    };
    assert!(matches!(
        cols.rows(),
        Err(attain_rfm::Error::ColumnLength {
            column: "dates",
            ..
        })
    ));
    let dates = [date("2025-01-01"), date("2025-06-01")];
    let cols = attain_rfm::TransactionColumns {
        customer_ids: &ids[..],
        dates: &dates,
        amounts: &amounts,
        order_ids: None,
    };
    let t = aggregate(
        cols.rows().unwrap(),
        date("2026-01-01"),
        AggregateOptions::default(),
    )
    .unwrap();
    assert_eq!(t.customers.len(), 2);
    assert_eq!(t.customers[1].recency_days, 214);
}

#[test]
fn tables_and_states_round_trip_through_json() {
    let o = AggregateOptions::default().repeat_summary(true);
    let t = aggregate(log(), date("2026-01-01"), o).unwrap();
    let back: attain_rfm::RfmTable =
        serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
    assert_eq!(back, t);
    let mut agg = Aggregator::new(date("2026-01-01"), o);
    agg.extend(log()).unwrap();
    for (_, s) in agg.states() {
        let back: attain_rfm::CustomerState =
            serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap();
        assert_eq!(&back, s);
    }
}

#[test]
fn aggregate_purchase_periods_roll_days_up() {
    use attain_types::Granularity;
    let as_of = date("2026-01-01");
    // Days: 2025-01-10 (120.00), 2025-03-01 (120.00), 2025-04-01 (-30.00).
    let run = |g, f, m| {
        let o = AggregateOptions::default()
            .period(g)
            .frequency(f)
            .monetary(m);
        let c = aggregate(log(), as_of, o).unwrap().customers.remove(0);
        (c.frequency, c.monetary)
    };
    // Months: January, March, April: 3 periods, as with days.
    let (f, m) = run(
        Granularity::Month,
        FrequencyMode::DistinctDays,
        MonetaryMode::MeanPerDay,
    );
    assert_eq!((f, m), (3, dec("70"))); // 210 / 3
    // Quarters: Q1 (120 + 120 = 240) and Q2 (-30): 2 periods, 1 repeat period.
    let (f, m) = run(
        Granularity::Quarter,
        FrequencyMode::RepeatDays,
        MonetaryMode::MeanRepeatDays,
    );
    assert_eq!((f, m), (1, dec("-30"))); // the one repeat quarter's sum
    let (f, m) = run(
        Granularity::Quarter,
        FrequencyMode::DistinctDays,
        MonetaryMode::MeanPerDay,
    );
    assert_eq!((f, m), (2, dec("105"))); // 210 / 2
    // Years: everything in 2025.
    let (f, m) = run(
        Granularity::Year,
        FrequencyMode::RepeatDays,
        MonetaryMode::MeanRepeatDays,
    );
    assert_eq!((f, m), (0, dec("0")));
    // Recency stays in days whatever the period.
    let o = AggregateOptions::default().period(Granularity::Year);
    assert_eq!(
        aggregate(log(), as_of, o).unwrap().customers[0].recency_days,
        275
    );
}
