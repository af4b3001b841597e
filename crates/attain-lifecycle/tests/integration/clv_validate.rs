//! Holdout validation: the calibration/holdout split (against attain-rfm's summaries and by
//! property on random logs), the FHL 2005 diagnostics on CDNOW, error measures and
//! information criteria.

use std::collections::{BTreeMap, BTreeSet};

use attain_lifecycle::Error;
use attain_lifecycle::clv::{
    HoldoutErrors, InformationCriteria, PurchaseModel, TimeUnit, calibration_histogram, fit_bg_nbd,
    holdout_by_frequency, holdout_predictions, split_holdout, tracking,
};
use attain_rfm::{Transaction, repeat_summaries};
use attain_types::{Decimal, NaiveDate, dec};
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The CDNOW sample log, the repository's `data/CDNOW_sample.txt`.
fn cdnow() -> Vec<(String, NaiveDate, Decimal)> {
    include_str!("../../../../data/CDNOW_sample.txt")
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            (
                cols[0].to_owned(),
                NaiveDate::parse_from_str(cols[2], "%Y%m%d").unwrap(),
                cols[4].parse::<Decimal>().unwrap(),
            )
        })
        .collect()
}

fn rows(log: &[(String, NaiveDate, Decimal)]) -> impl Iterator<Item = Transaction<'_>> {
    log.iter().map(|(c, d, a)| Transaction {
        customer_id: c,
        date: *d,
        amount: *a,
        order_id: None,
    })
}

#[test]
fn cdnow_split_matches_the_fit_summaries_and_counts_the_holdout() {
    let log = cdnow();
    let (cal, hold) = (date(1997, 9, 30), date(1998, 6, 30));
    let split = split_holdout(rows(&log), cal, hold).unwrap();
    // The calibration side is exactly attain-rfm's repeat summaries (the fit's input).
    let rfm = repeat_summaries(rows(&log), cal).unwrap();
    assert_eq!(split.customers.len(), 2357);
    assert_eq!(rfm.len(), split.customers.len());
    for ((id, r), c) in rfm.iter().zip(&split.customers) {
        assert_eq!((id, r), (&c.customer_id, &c.calibration));
    }
    // Calibration repeat purchase days 2,457 and holdout 1,882, as lifetimes 0.11.3's
    // `calibration_and_holdout_data(..., freq="D")` finds them (benches/README.md); the holdout
    // days are also counted independently here.
    let calibration_x: u64 = split.calibration_frequencies().iter().sum();
    assert_eq!(calibration_x, 2457);
    let mut days_in_holdout = BTreeSet::new();
    let mut spend_in_holdout = Decimal::ZERO;
    for (c, d, a) in &log {
        if *d > cal && *d <= hold {
            days_in_holdout.insert((c.clone(), *d));
            spend_in_holdout += *a;
        }
    }
    assert_eq!(
        split.total_holdout_transactions(),
        days_in_holdout.len() as u64
    );
    let spend: Decimal = split.customers.iter().map(|c| c.holdout_spend).sum();
    assert_eq!(spend, spend_in_holdout);
    assert_eq!(split.customers_first_seen_in_holdout, 0);
    assert_eq!(split.rows_after_holdout, 0);
}

#[test]
fn cdnow_diagnostics_of_bg_nbd() {
    let log = cdnow();
    let split = split_holdout(rows(&log), date(1997, 9, 30), date(1998, 6, 30)).unwrap();
    let summaries = split.summaries(TimeUnit::Weeks).unwrap();
    let fit = fit_bg_nbd(&summaries).unwrap();
    let model = fit.params;

    // Tracking: 78 weeks from 1997-01-01 to 1998-06-30 (546 days), cumulative, ending at the
    // log's total repeat purchase days.
    let curve = tracking(&split, &model, TimeUnit::Weeks, 7).unwrap();
    assert_eq!(curve.len(), 78);
    assert_eq!(curve[0].end, date(1997, 1, 7));
    assert_eq!(curve[77].end, date(1998, 6, 30));
    assert_eq!(curve.iter().filter(|p| !p.holdout).count(), 39);
    let total: u64 =
        split.calibration_frequencies().iter().sum::<u64>() + split.total_holdout_transactions();
    assert_eq!(curve[77].actual, total);
    assert!(
        curve
            .windows(2)
            .all(|w| w[0].actual <= w[1].actual && w[0].expected <= w[1].expected)
    );
    // Through week 39 the model reproduces the calibration total closely (it was fitted to
    // it), within 2%.
    let week39 = curve[38];
    assert_eq!(week39.actual, 2457);
    assert!((week39.expected / 2457.0 - 1.0).abs() < 0.02, "{week39:?}");
    // Over the whole 78 weeks the expectation is within 5% of the actual (FHL 2005, figure 2:
    // the BG/NBD tracks the CDNOW cohort closely in the holdout).
    assert!(
        (curve[77].expected / total as f64 - 1.0).abs() < 0.05,
        "{:?}",
        curve[77]
    );

    // Holdout by frequency and the error measures.
    let predicted = holdout_predictions(&split, &model, TimeUnit::Weeks).unwrap();
    let actual = split.holdout_transactions();
    let by_x =
        holdout_by_frequency(&split.calibration_frequencies(), &actual, &predicted, 7).unwrap();
    assert_eq!(by_x.len(), 8);
    assert_eq!(by_x.iter().map(|b| b.customers).sum::<u64>(), 2357);
    // Actual means per calibration frequency as lifetimes' (0.236712 for x = 0, 6.359375 for
    // 7+); customers without a repeat purchase buy least, the 7+ group most.
    assert!((by_x[0].actual - 0.236712).abs() < 1e-6 && (by_x[7].actual - 6.359375).abs() < 1e-6);
    assert!(by_x[0].actual < by_x[7].actual);
    assert!(by_x[0].expected.unwrap() < by_x[7].expected.unwrap());
    let errors = HoldoutErrors::new(&actual, &predicted).unwrap();
    let expected_sum: f64 = predicted.iter().sum();
    assert!((errors.predicted_total - expected_sum).abs() < 1e-9);
    assert_eq!(errors.actual_total, split.total_holdout_transactions());
    assert!(errors.mae > 0.0 && errors.rmse >= errors.mae && errors.msle > 0.0);
    assert!(errors.bias_percent.unwrap().abs() < 15.0, "{errors:?}");

    // Histogram, actual side: every customer in one bin; 0 repeats is 1,411 customers, and the
    // bins 0..7+ are lifetimes' 1411, 439, 214, 100, 62, 38, 29, 64.
    let hist = calibration_histogram(&split, TimeUnit::Weeks, 7, None).unwrap();
    assert_eq!(hist.len(), 8);
    let counts: Vec<u64> = hist.iter().map(|b| b.customers).collect();
    assert_eq!(counts, [1411, 439, 214, 100, 62, 38, 29, 64]);
    assert!(hist.iter().all(|b| b.expected.is_none()));
    // With a distribution: the model side sums to the customers.
    let poisson = |k: u64, t: f64| -> attain_lifecycle::Result<f64> {
        let lambda = 0.05 * t;
        let mut p = (-lambda).exp();
        for i in 1..=k {
            p *= lambda / i as f64;
        }
        Ok(p)
    };
    let hist = calibration_histogram(&split, TimeUnit::Weeks, 7, Some(&poisson)).unwrap();
    let model_total: f64 = hist.iter().map(|b| b.expected.unwrap()).sum();
    assert!((model_total - 2357.0).abs() < 1e-6);

    let ic = InformationCriteria::new(fit.log_likelihood, 4, 2357).unwrap();
    assert!((ic.bic - ic.aic - 4.0 * (2357_f64.ln() - 2.0)).abs() < 1e-9);
    assert_eq!(model.model_name(), "bg/nbd");
}

#[test]
fn split_errors_are_typed() {
    let log = cdnow();
    let e = split_holdout(rows(&log), date(1997, 9, 30), date(1997, 9, 30)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidModelInput {
                name: "holdout_end",
                ..
            }
        ),
        "{e}"
    );
    let e = split_holdout(rows(&log), date(1990, 1, 1), date(1998, 1, 1)).unwrap_err();
    assert!(matches!(e, Error::NotIdentifiable { .. }), "{e}");
    assert!(HoldoutErrors::new(&[], &[]).is_err());
    assert!(HoldoutErrors::new(&[1], &[f64::NAN]).is_err());
    assert!(HoldoutErrors::new(&[1, 2], &[1.0]).is_err());
    assert!(InformationCriteria::new(f64::NAN, 4, 10).is_err());
    assert!(holdout_by_frequency(&[0], &[0], &[0.0], 0).is_err());
    let nobody = HoldoutErrors::new(&[0, 0], &[0.5, 0.0]).unwrap();
    assert_eq!(nobody.bias_percent, None);
}

/// A random small log: up to 8 customers, dates in 2026 over 120 days, amounts with cents.
fn small_log() -> impl Strategy<Value = Vec<(String, NaiveDate, Decimal)>> {
    prop::collection::vec((0u8..8, 0u32..120, -500i64..5000), 1..60).prop_map(|rows| {
        rows.into_iter()
            .map(|(c, d, cents)| {
                (
                    format!("c{c}"),
                    date(2026, 1, 1) + chrono::Days::new(u64::from(d)),
                    Decimal::new(cents, 2),
                )
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn prop_split_counts_every_holdout_day_once(
        log in small_log(), cal in 0u32..100, extra in 1u32..40,
    ) {
        let calibration_end = date(2026, 1, 1) + chrono::Days::new(u64::from(cal));
        let holdout_end = calibration_end + chrono::Days::new(u64::from(extra));
        let Ok(split) = split_holdout(rows(&log), calibration_end, holdout_end) else {
            // Only when nobody bought by the calibration end.
            prop_assert!(log.iter().all(|(_, d, _)| *d > calibration_end));
            return Ok(());
        };
        // Every customer with a purchase by the calibration end appears once, in id order.
        let cohort: BTreeSet<&String> =
            log.iter().filter(|(_, d, _)| *d <= calibration_end).map(|(c, _, _)| c).collect();
        let ids: Vec<&String> = split.customers.iter().map(|c| &c.customer_id).collect();
        prop_assert_eq!(ids, cohort.iter().copied().collect::<Vec<_>>());
        // Holdout actuals: the cohort's distinct purchase days in the holdout and their spend.
        let mut days: BTreeMap<(&String, NaiveDate), Decimal> = BTreeMap::new();
        for (c, d, a) in &log {
            if cohort.contains(c) && *d > calibration_end && *d <= holdout_end {
                *days.entry((c, *d)).or_default() += *a;
            }
        }
        prop_assert_eq!(split.total_holdout_transactions(), days.len() as u64);
        let spend: Decimal = split.customers.iter().map(|c| c.holdout_spend).sum();
        prop_assert_eq!(spend, days.values().copied().sum::<Decimal>());
        // The calibration side is attain-rfm's.
        let rfm = repeat_summaries(rows(&log), calibration_end).unwrap();
        prop_assert_eq!(rfm.len(), split.customers.len());
        for ((id, r), c) in rfm.iter().zip(&split.customers) {
            prop_assert_eq!((id, r), (&c.customer_id, &c.calibration));
        }
        let newcomers: BTreeSet<&String> = log.iter()
            .filter(|(c, d, _)| !cohort.contains(c) && *d <= holdout_end)
            .map(|(c, _, _)| c).collect();
        prop_assert_eq!(split.customers_first_seen_in_holdout, newcomers.len());
        prop_assert_eq!(
            split.rows_after_holdout,
            log.iter().filter(|(_, d, _)| *d > holdout_end).count()
        );
        // The tracking curve ends at all repeat days of the cohort, and has no NaN.
        let model = attain_lifecycle::clv::BgNbdParams { r: 0.3, alpha: 4.0, a: 0.8, b: 2.5 };
        let curve = tracking(&split, &model, TimeUnit::Days, 7).unwrap();
        let last = curve.last().unwrap();
        prop_assert_eq!(last.end, holdout_end);
        let cal_x: u64 = split.calibration_frequencies().iter().sum();
        prop_assert_eq!(last.actual, cal_x + split.total_holdout_transactions());
        prop_assert!(curve.iter().all(|p| p.expected.is_finite() && p.expected >= 0.0));
        let predicted = holdout_predictions(&split, &model, TimeUnit::Days).unwrap();
        let errors = HoldoutErrors::new(&split.holdout_transactions(), &predicted).unwrap();
        prop_assert!(errors.mae.is_finite() && errors.rmse.is_finite() && errors.msle.is_finite());
        prop_assert!(errors.bias_percent.is_none_or(f64::is_finite));
    }
}

#[test]
fn same_day_purchases_are_one_transaction_in_both_periods() {
    let log = vec![
        ("a".to_owned(), date(2026, 1, 1), dec!(1)),
        ("a".to_owned(), date(2026, 1, 1), dec!(2)),
        ("a".to_owned(), date(2026, 1, 5), dec!(3)),
        ("a".to_owned(), date(2026, 1, 5), dec!(4)),
        ("a".to_owned(), date(2026, 2, 5), dec!(5)),
        ("a".to_owned(), date(2026, 2, 5), dec!(-5)),
    ];
    let split = split_holdout(rows(&log), date(2026, 1, 31), date(2026, 2, 28)).unwrap();
    let a = &split.customers[0];
    assert_eq!(a.calibration.frequency(), 1);
    assert_eq!(a.calibration.mean_repeat_spend(), dec!(7));
    // A day netting to zero is still a purchase day.
    assert_eq!((a.holdout_transactions, a.holdout_spend), (1, dec!(0)));
    assert_eq!(
        split.repeat_transactions_by_date,
        vec![(date(2026, 1, 5), 1), (date(2026, 2, 5), 1)]
    );
}
