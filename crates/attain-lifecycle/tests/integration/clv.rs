//! CLV models: golden tests on the CDNOW sample and the sBG example, known values from an
//! independent implementation, typed errors, and property tests.

use attain_lifecycle::Error;
use attain_lifecycle::clv::{
    BgNbdParams, ClvOptions, CustomerSummary, GammaGammaParams, MAX_HORIZON_DAYS, MbgNbdParams,
    ParetoNbdParams, PurchaseModel, SbgParams, TimeUnit, check_horizon_days,
    customer_lifetime_value, customer_lifetime_values, fit_bg_nbd, fit_gamma_gamma, fit_pareto_nbd,
    fit_sbg,
};
use attain_rfm::{Transaction, repeat_summaries};
use attain_types::{Decimal, NaiveDate, Rate, RepeatSummary, dec};
use proptest::prelude::*;

/// The CDNOW sample log, the repository's `data/CDNOW_sample.txt` (provenance in tests/data/README.md).
fn cdnow_purchases() -> Vec<(String, NaiveDate, Decimal)> {
    let text = include_str!("../../../../data/CDNOW_sample.txt");
    text.lines()
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let date = NaiveDate::parse_from_str(cols[2], "%Y%m%d").unwrap();
            (
                cols[0].to_owned(),
                date,
                cols[4].parse::<Decimal>().unwrap(),
            )
        })
        .collect()
}

/// The exact repeat summaries of a log at `end`, from attain-rfm, by customer.
fn exact_summaries(
    log: &[(String, NaiveDate, Decimal)],
    end: NaiveDate,
) -> Vec<(String, RepeatSummary)> {
    let rows = log.iter().map(|(c, date, amount)| Transaction {
        customer_id: c,
        date: *date,
        amount: *amount,
        order_id: None,
    });
    repeat_summaries(rows, end).unwrap()
}

fn summarize(
    log: &[(String, NaiveDate, Decimal)],
    end: NaiveDate,
    unit: TimeUnit,
) -> Vec<(String, CustomerSummary)> {
    exact_summaries(log, end)
        .into_iter()
        .map(|(c, r)| (c, CustomerSummary::from_repeat(&r, unit).unwrap()))
        .collect()
}

/// The 39-week calibration period of the literature: 1997-01-01 ..= 1997-09-30, in weeks.
fn cdnow_summaries() -> Vec<CustomerSummary> {
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    summarize(&cdnow_purchases(), end, TimeUnit::Weeks)
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

fn assert_close(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: got {got}, want {want} ± {tolerance}"
    );
}

#[test]
fn gamma_gamma_leaves_out_non_positive_spend_and_counts_it() {
    let sample = cdnow_summaries();
    let plain = fit_gamma_gamma(&sample).unwrap();
    assert_eq!(plain.excluded_non_positive_spend, 0);
    let refunder = CustomerSummary {
        x: 2,
        t_x: 3.0,
        t: 9.0,
        mean_repeat_spend: -4.5,
    };
    let zero = CustomerSummary {
        mean_repeat_spend: 0.0,
        ..refunder
    };
    let mut with = sample.clone();
    with.insert(7, refunder);
    with.push(zero);
    let fit = fit_gamma_gamma(&with).unwrap();
    // The same fit as without them, and both counted.
    assert_eq!(fit.params, plain.params);
    assert_eq!((fit.customers, fit.excluded_non_positive_spend), (946, 2));
    for s in [&refunder, &zero] {
        assert!(s.is_spend_excluded());
        assert_eq!(fit.params.spend_prediction(s), Ok(None));
        assert!(matches!(
            fit.params.conditional_expected_spend(s),
            Err(Error::InvalidSummary {
                field: "mean_repeat_spend",
                ..
            })
        ));
    }
    // The purchase models still use them.
    assert!(fit_bg_nbd(&with).is_ok());
    assert!(fit.params.spend_prediction(&sample[0]).unwrap().is_some());
}

#[test]
fn summarize_cdnow_calibration() {
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    let s = summarize(&cdnow_purchases(), end, TimeUnit::Weeks);
    assert_eq!(s.len(), 2357);
    assert_eq!(s.iter().filter(|(_, c)| c.x > 0).count(), 946);
    // Customer 00004: purchases 1997-01-01, 01-18, 08-02 (and 12-12, after calibration).
    let (id, c) = &s[0];
    assert_eq!(id, "00004");
    assert_eq!(c.x, 2);
    assert_close(c.t_x, 213.0 / 7.0, 1e-12, "t_x");
    assert_close(c.t, 272.0 / 7.0, 1e-12, "T");
    assert_close(
        c.mean_repeat_spend,
        (29.73 + 14.96) / 2.0,
        1e-12,
        "mean repeat spend",
    );
    // Days as the unit: the same summary times 7.
    let d = summarize(&cdnow_purchases(), end, TimeUnit::Days);
    // The exact mean: (29.73 + 14.96) / 2 = 22.345, in Decimal.
    let exact = exact_summaries(&cdnow_purchases(), end);
    assert_eq!(exact[0].1.mean_repeat_spend(), dec!(22.345));
    assert_eq!((d[0].1.t_x, d[0].1.t), (213.0, 272.0));
}

#[test]
fn bg_nbd_cdnow_golden() {
    // Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science
    // 24(2): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    let fit = fit_bg_nbd(&cdnow_summaries()).unwrap();
    let p = fit.params;
    assert_close(p.r, 0.243, 5e-4, "r");
    assert_close(p.alpha, 4.414, 5e-4, "alpha");
    assert_close(p.a, 0.793, 5e-4, "a");
    assert_close(p.b, 2.426, 5e-4, "b");
    assert_close(fit.log_likelihood, -9582.4, 0.05, "log-likelihood");
    assert_eq!(fit.customers, 2357);
    // Standard errors from the observed information: r 0.0126, alpha 0.378, a 0.186, b 0.705
    // (issue 14's reference; lifetimes 0.11.3's BetaGeoFitter.summary gives the same to the
    // digits shown, see tests/data/README.md).
    let se = fit.standard_errors.unwrap();
    assert_close(se.r, 0.0126, 5e-5, "se(r)");
    assert_close(se.alpha, 0.378, 5e-4, "se(alpha)");
    assert_close(se.a, 0.186, 5e-4, "se(a)");
    assert_close(se.b, 0.705, 5e-4, "se(b)");
}

#[test]
fn pareto_nbd_cdnow_golden() {
    // Fader, Hardie & Lee (2005), same paper: LL = -9595.0 with r 0.553, alpha 10.578, s 0.606,
    // beta 11.669. The likelihood is flat in beta, so parameters are compared loosely.
    let fit = fit_pareto_nbd(&cdnow_summaries()).unwrap();
    let p = fit.params;
    assert_close(fit.log_likelihood, -9595.0, 0.1, "log-likelihood");
    assert_close(p.r, 0.553, 0.01, "r");
    assert_close(p.alpha, 10.578, 0.3, "alpha");
    assert_close(p.s, 0.606, 0.03, "s");
    assert_close(p.beta, 11.669, 1.5, "beta");
}

#[test]
fn gamma_gamma_cdnow_golden() {
    // Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": p = 6.25, q = 3.74,
    // gamma = 15.44 on the 946 repeat buyers' mean repeat spend.
    let fit = fit_gamma_gamma(&cdnow_summaries()).unwrap();
    let p = fit.params;
    assert_close(p.p, 6.25, 5e-3, "p");
    assert_close(p.q, 3.74, 5e-3, "q");
    assert_close(p.gamma, 15.44, 5e-3, "gamma");
    assert_eq!(fit.customers, 946);
}

#[test]
fn sbg_golden_fader_hardie_2007() {
    // Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing
    // 21(1), the worked example: "regular" 1000, 631, 468, 382, 326, 289, 262, 241 gives
    // alpha 0.704, beta 1.182; "high end" 1000, 869, 743, 653, 593, 551, 517, 491 gives
    // alpha 0.668, beta 3.806. (The parameter pairs belong to the curves this way round:
    // P(churn in year 1) = alpha / (alpha + beta) is 0.373 for regular, 0.149 for high end.)
    let regular = fit_sbg(&[1000, 631, 468, 382, 326, 289, 262, 241])
        .unwrap()
        .params;
    assert_close(regular.alpha, 0.704, 5e-4, "regular alpha");
    assert_close(regular.beta, 1.182, 5e-4, "regular beta");
    let high_end = fit_sbg(&[1000, 869, 743, 653, 593, 551, 517, 491])
        .unwrap()
        .params;
    assert_close(high_end.alpha, 0.668, 5e-4, "high-end alpha");
    assert_close(high_end.beta, 3.806, 5e-4, "high-end beta");
    // The fitted curve tracks the data (year 7: 241 of 1000).
    assert_close(regular.survival(7).unwrap(), 0.241, 0.01, "S(7)");
}

/// (x, t_x, T) and, at the published parameters, P(alive) and E[Y(39)] under BG/NBD and
/// Pareto/NBD, from the `lifetimes` package 0.11.3 (an independent implementation using
/// SciPy's hyp2f1), computed 2026-11-28.
const LIFETIMES_VALUES: [(u64, f64, f64, f64, f64, f64, f64); 4] = [
    (
        2,
        30.428571428571427,
        38.857142857142854,
        0.72658972,
        1.2261158061493334,
        0.8691861546511618,
        1.455226130949345,
    ),
    (
        0,
        0.0,
        38.857142857142854,
        1.0,
        0.19510966499308482,
        0.2953033742657959,
        0.10709283382064315,
    ),
    (
        10,
        36.0,
        38.0,
        0.89780441,
        6.640633070720858,
        0.9692085376329778,
        6.808314941800683,
    ),
    (
        1,
        1.7142857142857142,
        38.857142857142854,
        0.21226006,
        0.20335104108680657,
        0.16812715101766956,
        0.17122855018688737,
    ),
];

const BG: BgNbdParams = BgNbdParams {
    r: 0.243,
    alpha: 4.414,
    a: 0.793,
    b: 2.426,
};
const PARETO: ParetoNbdParams = ParetoNbdParams {
    r: 0.553,
    alpha: 10.578,
    s: 0.606,
    beta: 11.669,
};
const GG: GammaGammaParams = GammaGammaParams {
    p: 6.25,
    q: 3.74,
    gamma: 15.44,
};

#[test]
fn predictions_match_lifetimes() {
    for (x, t_x, t, bg_alive, bg_e, pn_alive, pn_e) in LIFETIMES_VALUES {
        let s = CustomerSummary::new(x, t_x, t);
        assert_close(BG.p_alive(&s).unwrap(), bg_alive, 1e-8, "bg p_alive");
        assert_close(
            BG.conditional_expected_purchases(&s, 39.0).unwrap(),
            bg_e,
            1e-9,
            "bg E[Y]",
        );
        assert_close(
            PARETO.p_alive(&s).unwrap(),
            pn_alive,
            1e-9,
            "pareto p_alive",
        );
        assert_close(
            PARETO.conditional_expected_purchases(&s, 39.0).unwrap(),
            pn_e,
            1e-9,
            "pareto E[Y]",
        );
    }
    assert_close(
        BG.expected_purchases(39.0).unwrap(),
        1.1967231933207985,
        1e-9,
        "bg E[X(39)]",
    );
    assert_close(
        PARETO.expected_purchases(39.0).unwrap(),
        1.2130028442810157,
        1e-9,
        "pareto E[X(39)]",
    );
    let s = CustomerSummary {
        x: 2,
        t_x: 30.0,
        t: 38.0,
        mean_repeat_spend: 22.345,
    };
    assert_close(
        GG.conditional_expected_spend(&s).unwrap(),
        24.659612860892388,
        1e-9,
        "E[M]",
    );
}

#[test]
fn clv_uses_months_in_the_model_unit() {
    let s = CustomerSummary {
        x: 2,
        t_x: 30.0,
        t: 38.0,
        mean_repeat_spend: 22.345,
    };
    let weekly = ClvOptions::default()
        .months(12.0)
        .monthly_discount(Rate::ZERO);
    let clv = customer_lifetime_value(&BG, &GG, &s, weekly).unwrap();
    let weeks = 12.0 * 365.25 / 12.0 / 7.0;
    let want = BG.conditional_expected_purchases(&s, weeks).unwrap()
        * GG.conditional_expected_spend(&s).unwrap();
    assert_close(clv, want, 1e-9, "undiscounted clv");
    // Reading the same model as fitted in days changes the value several-fold: the unit matters.
    let daily = customer_lifetime_value(&BG, &GG, &s, weekly.unit(TimeUnit::Days)).unwrap();
    assert!(daily > 2.0 * clv, "{daily} vs {clv}");
    let discounted = weekly.monthly_discount(Rate::new(dec!(0.01)).unwrap());
    let d = customer_lifetime_value(&BG, &GG, &s, discounted).unwrap();
    assert!(d < clv && d > clv / 1.01_f64.powi(12));
}

#[test]
fn errors_are_typed() {
    assert!(matches!(
        fit_bg_nbd(&[]),
        Err(Error::NotIdentifiable { .. })
    ));
    let no_repeat = vec![CustomerSummary::new(0, 0.0, 10.0); 5];
    assert!(matches!(
        fit_bg_nbd(&no_repeat),
        Err(Error::NotIdentifiable { .. })
    ));
    assert!(matches!(
        fit_pareto_nbd(&no_repeat),
        Err(Error::NotIdentifiable { .. })
    ));
    assert!(matches!(
        fit_gamma_gamma(&no_repeat),
        Err(Error::NotIdentifiable { .. })
    ));
    let bad = [
        CustomerSummary::new(1, 2.0, 10.0),
        CustomerSummary::new(1, 12.0, 10.0),
    ];
    let e = fit_bg_nbd(&bad).unwrap_err();
    assert_eq!(
        e,
        Error::InvalidSummary {
            index: 1,
            field: "t_x",
            value: 12.0,
            reason: "the last purchase is after the end of calibration"
        }
    );
    assert_eq!(
        e.to_string(),
        "invalid customer summary at index 1: t_x = 12 (the last purchase is after the end of calibration)"
    );
    let nan = [CustomerSummary::new(1, f64::NAN, 10.0)];
    assert!(matches!(
        fit_pareto_nbd(&nan),
        Err(Error::InvalidSummary {
            index: 0,
            field: "t_x",
            ..
        })
    ));
    let zero_spend = [CustomerSummary {
        x: 2,
        t_x: 3.0,
        t: 9.0,
        mean_repeat_spend: 0.0,
    }];
    // Its only repeat buyer is left out: nothing to fit.
    assert!(matches!(
        fit_gamma_gamma(&zero_spend),
        Err(Error::NotIdentifiable { .. })
    ));
    let bad_params = BgNbdParams { r: -1.0, ..BG };
    assert!(matches!(
        bad_params.p_alive(&CustomerSummary::new(0, 0.0, 1.0)),
        Err(Error::InvalidModelInput { name: "r", .. })
    ));
    assert!(matches!(
        BG.conditional_expected_purchases(&CustomerSummary::new(0, 0.0, 1.0), -1.0),
        Err(Error::InvalidModelInput {
            name: "horizon",
            ..
        })
    ));
    assert!(matches!(
        fit_sbg(&[10, 11]),
        Err(Error::InvalidSummary { index: 1, .. })
    ));
    assert!(matches!(
        fit_sbg(&[10]),
        Err(Error::InvalidModelInput { .. })
    ));
    assert!(matches!(
        fit_sbg(&[10, 10, 10]),
        Err(Error::NotIdentifiable { .. })
    ));
    let sbg = SbgParams {
        alpha: 0.668,
        beta: 3.806,
    };
    assert!(sbg.churn_probability(0).is_err());
}

fn summary() -> impl Strategy<Value = CustomerSummary> {
    // Up to a million repeat purchases and a million time units.
    (0u64..=1_000_000, 0.0f64..=1.0, 0.0f64..=1e6, 0.0f64..=1e4).prop_map(|(x, frac, t, m)| {
        let t_x = if x == 0 { 0.0 } else { frac * t };
        CustomerSummary {
            x,
            t_x,
            t,
            mean_repeat_spend: if x == 0 { 0.0 } else { m },
        }
    })
}

fn bg_params() -> impl Strategy<Value = BgNbdParams> {
    (0.01f64..20.0, 0.01f64..100.0, 0.01f64..20.0, 0.01f64..20.0)
        .prop_map(|(r, alpha, a, b)| BgNbdParams { r, alpha, a, b })
}

fn pareto_params() -> impl Strategy<Value = ParetoNbdParams> {
    (0.01f64..20.0, 0.01f64..100.0, 0.01f64..20.0, 0.01f64..100.0)
        .prop_map(|(r, alpha, s, beta)| ParetoNbdParams { r, alpha, s, beta })
}

proptest! {
    #[test]
    fn prop_log_likelihood_is_finite(s in summary(), bg in bg_params(), pn in pareto_params()) {
        prop_assert!(bg.log_likelihood(&s).unwrap().is_finite());
        let ll = pn.log_likelihood(&s);
        // The Pareto/NBD series budget covers |α−β|/(max(α,β)+t_x) up to 1 − 1e-5; these ranges
        // reach 1 − 1e-4 at worst (t_x = 0, β = 0.01, α = 100).
        prop_assert!(ll.as_ref().is_ok_and(|v| v.is_finite()), "{:?}", ll);
    }

    #[test]
    fn prop_log_likelihood_is_finite_at_cdnow_parameters(s in summary()) {
        prop_assert!(BG.log_likelihood(&s).unwrap().is_finite());
        prop_assert!(PARETO.log_likelihood(&s).unwrap().is_finite());
    }

    #[test]
    fn prop_p_alive_in_unit_interval(s in summary(), bg in bg_params(), pn in pareto_params()) {
        let p = bg.p_alive(&s).unwrap();
        prop_assert!((0.0..=1.0).contains(&p));
        if s.x == 0 {
            prop_assert_eq!(p, 1.0);
        }
        let q = pn.p_alive(&s).unwrap();
        prop_assert!((0.0..=1.0).contains(&q));
    }

    #[test]
    fn prop_expected_purchases_non_decreasing_in_horizon(
        s in summary(),
        h1 in 0.0f64..200.0,
        dh in 0.0f64..200.0,
    ) {
        let s = CustomerSummary { t: s.t.min(1000.0), t_x: s.t_x.min(s.t.min(1000.0)), ..s };
        for model in [&BG as &dyn PurchaseModel, &PARETO] {
            let e1 = model.conditional_expected_purchases(&s, h1).unwrap();
            let e2 = model.conditional_expected_purchases(&s, h1 + dh).unwrap();
            prop_assert!(e1 >= 0.0 && e1.is_finite());
            // Equal up to rounding when the customer is all but surely gone.
            prop_assert!(e2 >= e1 - 1e-12 * e1.max(1.0), "{}: {} then {}", model.model_name(), e1, e2);
        }
    }

    #[test]
    fn prop_summarize_ignores_input_order(seed in 0u64..1000) {
        let mut log: Vec<(String, NaiveDate, Decimal)> = (0..40u32)
            .map(|i| (
                ((i * 7 + seed as u32) % 6).to_string(),
                NaiveDate::from_ymd_opt(2024, 1, 1 + (i * 13 + seed as u32) % 28).unwrap(),
                Decimal::from(i),
            ))
            .collect();
        let end = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        let a = summarize(&log, end, TimeUnit::Days);
        log.reverse();
        let b = summarize(&log, end, TimeUnit::Days);
        prop_assert_eq!(a, b);
    }
}

proptest! {
    #[test]
    fn prop_expected_purchases_non_decreasing_for_any_parameters(
        s in summary(),
        bg in bg_params(),
        pn in pareto_params(),
        h1 in 0.0f64..100.0,
        dh in 0.0f64..100.0,
    ) {
        let s = CustomerSummary { t: s.t.min(500.0), t_x: s.t_x.min(s.t.min(500.0)), ..s };
        for model in [&bg as &dyn PurchaseModel, &pn] {
            // Either a finite, non-decreasing value or a typed error, never NaN or a panic.
            match (
                model.conditional_expected_purchases(&s, h1),
                model.conditional_expected_purchases(&s, h1 + dh),
            ) {
                (Ok(e1), Ok(e2)) => {
                    prop_assert!(e1 >= 0.0 && e1.is_finite() && e2.is_finite());
                    prop_assert!(e2 >= e1 - 1e-9 * e1.max(1.0), "{:?}: {} then {}", model.model_name(), e1, e2);
                }
                (Err(e), _) | (_, Err(e)) => {
                    prop_assert!(matches!(e, Error::SeriesDidNotConverge { .. }), "{:?}", e);
                }
            }
        }
    }
}

#[cfg(feature = "serde")]
mod serde_json_round_trip {
    use super::*;

    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
        serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
    }

    /// serde_json without its `float_roundtrip` feature may parse an f64 one ulp off.
    fn same(a: f64, b: f64) -> bool {
        a == b || (a - b).abs() <= 2.0 * f64::EPSILON * a.abs().max(b.abs())
    }

    proptest! {
        #[test]
        fn prop_clv_types_json_round_trip(s in summary(), bg in bg_params(), pn in pareto_params(), months in 0.0f64..120.0) {
            let s2 = round_trip(&s);
            prop_assert!(s2.x == s.x && same(s2.t_x, s.t_x) && same(s2.t, s.t) && same(s2.mean_repeat_spend, s.mean_repeat_spend));
            let b2 = round_trip(&bg);
            prop_assert!(same(b2.r, bg.r) && same(b2.alpha, bg.alpha) && same(b2.a, bg.a) && same(b2.b, bg.b));
            let p2 = round_trip(&pn);
            prop_assert!(same(p2.r, pn.r) && same(p2.alpha, pn.alpha) && same(p2.s, pn.s) && same(p2.beta, pn.beta));
            let gg = GammaGammaParams { p: bg.r, q: bg.a, gamma: bg.alpha };
            let g2 = round_trip(&gg);
            prop_assert!(same(g2.p, gg.p) && same(g2.q, gg.q) && same(g2.gamma, gg.gamma));
            let sbg = SbgParams { alpha: bg.a, beta: bg.b };
            let sb2 = round_trip(&sbg);
            prop_assert!(same(sb2.alpha, sbg.alpha) && same(sb2.beta, sbg.beta));
            let options = ClvOptions::default().months(months).unit(TimeUnit::Days);
            let o2 = round_trip(&options);
            prop_assert!(same(o2.months, options.months) && o2.unit == options.unit && o2.monthly_discount == options.monthly_discount);
        }
    }

    #[test]
    fn fit_json_round_trip() {
        let fit = fit_sbg(&[1000, 631, 468, 382, 326, 289, 262, 241]).unwrap();
        let back = round_trip(&fit);
        assert!(
            same(back.log_likelihood, fit.log_likelihood)
                && same(back.params.alpha, fit.params.alpha)
        );
        assert_eq!(
            (back.iterations, back.customers),
            (fit.iterations, fit.customers)
        );
    }
}

#[test]
fn fit_reports_a_flat_likelihood_as_not_identifiable() {
    // Every regular buyer quiet for exactly the same pattern: the likelihood keeps improving as
    // BG/NBD's a and b grow together (one drop-out probability for everyone), past e^20.
    let mut summaries = Vec::new();
    for i in 0..100_u32 {
        let t = 30.0 + f64::from(i % 10);
        let (x, t_x) = match i % 10 {
            0..=3 => (0, 0.0),
            4 => (1, 3.0 + f64::from(i % 7)),
            5 => (1, t - f64::from(i % 5)),
            6 => (3, 2.0 + f64::from(i % 3)),
            7 => (3, t - 2.0),
            8 => (5, 6.0 + f64::from(i % 4)),
            _ => (9, t - 0.5),
        };
        summaries.push(CustomerSummary::new(x, t_x, t));
    }
    let e = fit_bg_nbd(&summaries).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotIdentifiable {
                model: "bg/nbd",
                ..
            }
        ),
        "{e:?}"
    );
    // Make those who went quiet early do so after two repeats at week 4 (the crate-level
    // example's data), and the model is identified again.
    for i in (6..100).step_by(10) {
        let t = summaries[i].t;
        summaries[i] = CustomerSummary::new(2, 4.0, t);
    }
    let fit = fit_bg_nbd(&summaries).unwrap();
    assert!(
        fit.params.a < 10.0 && fit.params.b < 100.0,
        "{:?}",
        fit.params
    );
}

#[test]
fn expected_purchases_sweep_equals_separate_evaluations() {
    let month = 365.25 / 12.0 / 7.0;
    let horizons: Vec<f64> = (0..=240).map(|i| f64::from(i) * month).collect();
    let near_one = BgNbdParams {
        a: 1.0 + 1e-7,
        ..BG
    };
    let big_ab = BgNbdParams {
        a: 80.0,
        b: 250.0,
        ..BG
    };
    // |a − 1| < 1e-6 averages a = 1 ± 1e-4, which divides by a − 1: accurate to about 1e-8.
    for (model, tolerance) in [(BG, 1e-10), (near_one, 1e-8), (big_ab, 1e-10)] {
        for s in cdnow_summaries().iter().step_by(97) {
            let swept = model
                .conditional_expected_purchases_at(s, &horizons)
                .unwrap();
            for (&h, &e) in horizons.iter().zip(&swept) {
                let want = model.conditional_expected_purchases(s, h).unwrap();
                assert!(
                    (e - want).abs() <= tolerance * want.max(1e-3),
                    "{model:?} {s:?} h={h}: {e} vs {want}"
                );
            }
        }
    }
    let s = CustomerSummary::new(1, 2.0, 10.0);
    assert!(matches!(
        BG.conditional_expected_purchases_at(&s, &[2.0, 1.0]),
        Err(Error::InvalidModelInput {
            name: "horizon",
            ..
        })
    ));
}

#[test]
fn clv_cost_is_linear_in_the_horizon() {
    // Just-acquired customers (T = 0) over a century: the month-by-month hypergeometric series
    // used to grow with each month (about 26 million terms a customer, minutes for these 40);
    // the sweep continues it from month to month instead.
    let century = ClvOptions::default().months(1200.0);
    let start = std::time::Instant::now();
    let mut values = Vec::new();
    for i in 0..40_u32 {
        let s = CustomerSummary {
            x: u64::from(i % 3),
            t_x: if i % 3 == 0 { 0.0 } else { 0.5 },
            t: 0.5,
            mean_repeat_spend: if i % 3 == 0 { 0.0 } else { 20.0 + f64::from(i) },
        };
        values.push(customer_lifetime_value(&BG, &GG, &s, century).unwrap());
    }
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs() < 30, "{elapsed:?}");
    // A century is worth more than a decade, and the discounted sum converges: the last 1,080
    // months add little at 1% a month.
    let s = CustomerSummary {
        x: 2,
        t_x: 0.5,
        t: 0.5,
        mean_repeat_spend: 30.0,
    };
    let decade =
        customer_lifetime_value(&BG, &GG, &s, ClvOptions::default().months(120.0)).unwrap();
    let hundred = customer_lifetime_value(&BG, &GG, &s, century).unwrap();
    assert!(
        hundred > decade && hundred < 1.5 * decade,
        "{decade} {hundred}"
    );
    assert!(values.iter().all(|v| v.is_finite() && *v > 0.0));
}

#[test]
fn absurd_horizons_are_refused() {
    let s = CustomerSummary {
        x: 2,
        t_x: 0.5,
        t: 0.5,
        mean_repeat_spend: 30.0,
    };
    let e =
        customer_lifetime_value(&BG, &GG, &s, ClvOptions::default().months(1201.0)).unwrap_err();
    assert!(matches!(e, Error::HorizonTooLong { max_days, .. } if max_days == MAX_HORIZON_DAYS));
    assert!(customer_lifetime_value(&BG, &GG, &s, ClvOptions::default().months(1200.0)).is_ok());
    // --horizon=1e300w
    assert!(matches!(
        check_horizon_days(1e300 * 7.0),
        Err(Error::HorizonTooLong { .. })
    ));
    assert!(matches!(
        check_horizon_days(f64::INFINITY),
        Err(Error::InvalidModelInput { .. })
    ));
    assert_eq!(
        check_horizon_days(40_000.0).unwrap_err().to_string(),
        "horizon of 40000 days is longer than the maximum of 36525 days (100 years)"
    );
}

proptest! {
    /// The one-sweep expected purchases equal the separate evaluations for any parameters
    /// (or both are typed errors), including the direct fallback for extreme `a + b`.
    #[test]
    fn prop_expected_purchases_sweep_matches(s in summary(), bg in bg_params(), months in 1usize..60) {
        let s = CustomerSummary { t: s.t.min(500.0), t_x: s.t_x.min(s.t.min(500.0)), ..s };
        let horizons: Vec<f64> = (0..=months).map(|i| i as f64 * 4.348).collect();
        if let Ok(swept) = bg.conditional_expected_purchases_at(&s, &horizons) {
            for (&h, &e) in horizons.iter().zip(&swept) {
                if let Ok(want) = bg.conditional_expected_purchases(&s, h) {
                    prop_assert!((e - want).abs() <= 1e-7 * want.max(1e-3), "{:?} h={}: {} vs {}", bg, h, e, want);
                }
            }
        }
    }
}

#[test]
fn horizon_error_quotes_huge_numbers_briefly() {
    assert_eq!(
        check_horizon_days(7e300).unwrap_err().to_string(),
        "horizon of 7e300 days is longer than the maximum of 36525 days (100 years)"
    );
}

#[test]
fn long_horizons_far_beyond_the_time_scale_converge() {
    // alpha + T = 0.05 weeks and a century: the direct series would need millions of terms.
    let model = BgNbdParams {
        r: 0.243,
        alpha: 0.05,
        a: 2.5,
        b: 2.426,
    };
    let s = CustomerSummary::new(0, 0.0, 0.0);
    let century = MAX_HORIZON_DAYS / 7.0;
    let e = model.conditional_expected_purchases(&s, century).unwrap();
    let half = model
        .conditional_expected_purchases(&s, century / 2.0)
        .unwrap();
    // Non-decreasing, and below the limit (a+b−1)/(a−1) of a customer who drops out at last.
    let limit = (model.a + model.b - 1.0) / (model.a - 1.0);
    assert!(half < e && e < limit, "{half} {e} {limit}");
    let swept = model
        .conditional_expected_purchases_at(&s, &[century / 2.0, century])
        .unwrap();
    assert!((swept[1] - e).abs() < 1e-10 * e && (swept[0] - half).abs() < 1e-10 * half);
}

/// The donations table (`data/donations.csv`, provenance in tests/data/README.md).
fn donations() -> Vec<attain_lifecycle::clv::BgBbSummary> {
    let text = include_str!("../../../../data/donations.csv");
    text.lines()
        .skip(1)
        .map(|line| {
            let v: Vec<u64> = line.split(',').map(|c| c.parse().unwrap()).collect();
            attain_lifecycle::clv::BgBbSummary {
                x: v[0] as u32,
                t_x: v[1] as u32,
                n: v[2] as u32,
                count: v[3],
            }
        })
        .collect()
}

/// Golden: FHS 2010's BG/BB estimates on the donations data (alpha 1.204, beta 0.750,
/// gamma 0.657, delta 2.783) and Table 6's P(alive in 2002): 0.11, 0.59 and 0.93 for
/// (x, t_x) = (0, 0), (2, 4), (6, 6).
#[test]
fn bg_bb_reproduces_fhs_2010_on_the_donations() {
    use attain_lifecycle::clv::{BgBbSummary, fit_bg_bb};
    let table = donations();
    assert_eq!(table.iter().map(|s| s.count).sum::<u64>(), 11_104);
    let fit = fit_bg_bb(&table).unwrap();
    let p = fit.params;
    assert_close(p.alpha, 1.204, 5e-4, "alpha");
    assert_close(p.beta, 0.750, 5e-4, "beta");
    assert_close(p.gamma, 0.657, 5e-4, "gamma");
    assert_close(p.delta, 2.783, 5e-4, "delta");
    assert_eq!(fit.customers, 11_104);
    for ((x, t_x), want) in [((0, 0), 0.11), ((2, 4), 0.59), ((6, 6), 0.93)] {
        let got = p.p_alive(&BgBbSummary::new(x, t_x, 6)).unwrap();
        assert_close(got, want, 5e-3, &format!("P(alive) at ({x}, {t_x})"));
    }
}

/// Golden: MBG/NBD on the CDNOW sample's 39-week calibration (weeks, the BG/NBD golden's
/// summary): r 0.525, alpha 6.183, a 0.891, b 1.614 (issue 14's published-software estimates;
/// lifetimes 0.11.3's ModifiedBetaGeoFitter gives the same, see tests/data/README.md).
#[test]
fn mbg_nbd_cdnow_golden() {
    use attain_lifecycle::clv::fit_mbg_nbd;
    let fit = fit_mbg_nbd(&cdnow_summaries()).unwrap();
    let p = fit.params;
    assert_close(p.r, 0.525, 5e-4, "r");
    assert_close(p.alpha, 6.183, 5e-4, "alpha");
    assert_close(p.a, 0.891, 5e-4, "a");
    assert_close(p.b, 1.614, 5e-4, "b");
    assert_eq!(fit.customers, 2357);
    assert!(fit.standard_errors.is_some());
}

/// Intervals from the parameter uncertainty on CDNOW: a customer's expected purchases in the 39
/// weeks after calibration and the cohort's total, seeded and reproducible.
#[test]
fn parameter_draws_give_reproducible_intervals_on_cdnow() {
    use attain_lifecycle::clv::ParameterDraws;
    let summaries = cdnow_summaries();
    let fit = fit_bg_nbd(&summaries).unwrap();
    let draws = ParameterDraws::new(&fit, 200, 42).unwrap();
    let s = CustomerSummary::new(2, 30.43, 38.86);
    let one = draws
        .interval(0.95, |p| p.conditional_expected_purchases(&s, 39.0))
        .unwrap();
    assert!(
        one.lower < one.estimate && one.estimate < one.upper,
        "{one:?}"
    );
    assert_eq!(one.draws, 200);
    let again = ParameterDraws::new(&fit, 200, 42)
        .unwrap()
        .interval(0.95, |p| p.conditional_expected_purchases(&s, 39.0))
        .unwrap();
    assert_eq!(one, again);
    // With 2,357 customers both intervals are narrow: under a fifth of the cohort total, under
    // half of one customer's expectation.
    let total = draws
        .interval(0.95, |p| {
            summaries
                .iter()
                .map(|c| p.conditional_expected_purchases(c, 39.0))
                .sum()
        })
        .unwrap();
    let width = |i: &attain_lifecycle::clv::Interval| (i.upper - i.lower) / i.estimate;
    assert!(
        width(&total) < 0.2 && width(&one) < 0.5,
        "{total:?} {one:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// BG/BB on random small tables of patterns: finite parameters or a typed error.
    #[test]
    fn prop_bg_bb_fits_on_small_tables_are_finite_or_typed_errors(
        rows in proptest::collection::vec((0u32..7, 0u32..7, 1u64..50), 1..12)
    ) {
        use attain_lifecycle::clv::{BgBbSummary, fit_bg_bb};
        let table: Vec<BgBbSummary> = rows
            .into_iter()
            .map(|(x, t, count)| {
                let t_x = if x == 0 { 0 } else { t.max(x) };
                BgBbSummary { x, t_x, n: 6, count }
            })
            .collect();
        match fit_bg_bb(&table) {
            Ok(fit) => {
                let p = fit.params;
                prop_assert!(fit.log_likelihood.is_finite());
                prop_assert!([p.alpha, p.beta, p.gamma, p.delta].iter().all(|v| v.is_finite() && *v > 0.0), "{fit:?}");
            }
            Err(e) => prop_assert!(matches!(e, Error::NotIdentifiable { .. } | Error::FitDidNotConverge { .. }), "{e:?}"),
        }
    }
}

/// The standard errors (central differences of the analytic gradient) agree with a
/// finite-difference check: second differences of the summed log-likelihood's value in the
/// log-parameters, inverted, through the delta method.
#[test]
fn bg_nbd_standard_errors_agree_with_second_differences_of_the_likelihood() {
    let summaries = cdnow_summaries();
    let fit = fit_bg_nbd(&summaries).unwrap();
    let p = fit.params;
    let theta = [p.r.ln(), p.alpha.ln(), p.a.ln(), p.b.ln()];
    let ll = |t: &[f64; 4]| -> f64 {
        let q = BgNbdParams {
            r: t[0].exp(),
            alpha: t[1].exp(),
            a: t[2].exp(),
            b: t[3].exp(),
        };
        summaries.iter().map(|s| q.log_likelihood(s).unwrap()).sum()
    };
    let h = 1e-3;
    let mut hess = [[0.0; 4]; 4];
    for i in 0..4 {
        for j in 0..4 {
            let shifted = |di: f64, dj: f64| {
                let mut t = theta;
                t[i] += di;
                t[j] += dj;
                ll(&t)
            };
            hess[i][j] = -(shifted(h, h) - shifted(h, -h) - shifted(-h, h) + shifted(-h, -h))
                / (4.0 * h * h);
        }
    }
    // Invert the 4x4 information matrix by Gauss-Jordan elimination.
    let mut a = hess;
    let mut inv = [[0.0; 4]; 4];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for c in 0..4 {
        let pivot = a[c][c];
        for k in 0..4 {
            a[c][k] /= pivot;
            inv[c][k] /= pivot;
        }
        for r in 0..4 {
            if r != c {
                let f = a[r][c];
                for k in 0..4 {
                    a[r][k] -= f * a[c][k];
                    inv[r][k] -= f * inv[c][k];
                }
            }
        }
    }
    let se = fit.standard_errors.unwrap();
    let fd: Vec<f64> = [p.r, p.alpha, p.a, p.b]
        .iter()
        .enumerate()
        .map(|(i, v)| v * inv[i][i].sqrt())
        .collect();
    for (got, want) in [se.r, se.alpha, se.a, se.b].iter().zip(&fd) {
        assert!((got - want).abs() < 0.01 * want, "{got} vs {want}");
    }
}

/// Small cohorts in which customers share `x` and `T` (and some whole summaries), as in any
/// real cohort measured in days.
fn shared_cohort() -> impl Strategy<Value = Vec<CustomerSummary>> {
    prop::collection::vec((0u64..6, 0u32..=4, 1u32..40), 1..40).prop_map(|rows| {
        rows.into_iter()
            .map(|(x, quarter, t)| {
                let t = f64::from(t);
                let t_x = if x == 0 {
                    0.0
                } else {
                    t * f64::from(quarter) / 4.0
                };
                CustomerSummary::new(x, t_x, t)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `predict_each` is, bit for bit, `p_alive` and `conditional_expected_purchases` of each
    /// customer, for every model (BG/NBD and MBG/NBD share work between customers with the same
    /// `x` and `T`; a wrong key would give another customer's number).
    #[test]
    fn prop_predict_each_equals_one_at_a_time(
        cohort in shared_cohort(),
        bg in bg_params(),
        pn in pareto_params(),
        horizon in prop_oneof![Just(0.0), 0.0f64..200.0],
    ) {
        let mbg = MbgNbdParams { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b };
        let models: [&dyn PurchaseModel; 3] = [&bg, &mbg, &pn];
        for model in models {
            let one: Result<Vec<(f64, f64)>, (usize, Error)> = cohort
                .iter()
                .enumerate()
                .map(|(i, s)| Ok((
                    model.p_alive(s).map_err(|e| (i, e))?,
                    model.conditional_expected_purchases(s, horizon).map_err(|e| (i, e))?,
                )))
                .collect();
            let each = model.predict_each(&cohort, horizon);
            match (&each, &one) {
                (Ok(a), Ok(b)) => {
                    let bits = |v: &[(f64, f64)]| -> Vec<(u64, u64)> {
                        v.iter().map(|(p, e)| (p.to_bits(), e.to_bits())).collect()
                    };
                    prop_assert_eq!(bits(a), bits(b), "{}", model.model_name());
                }
                (Err((i, _)), Err((j, _))) => prop_assert_eq!(i, j),
                _ => prop_assert!(false, "{}: {:?} vs {:?}", model.model_name(), each, one),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// `customer_lifetime_values` is, bit for bit, `customer_lifetime_value` of each customer
    /// (and fails at the first customer where it fails, with its error), for every model, though
    /// BG/NBD and MBG/NBD evaluate the expectation given alive once per distinct `(x, T)`:
    /// customers sharing `(x, T)` but not `t_x` or spend must still get their own value. Also
    /// `conditional_expected_purchases_at_each` against the one-customer method.
    #[test]
    fn prop_lifetime_values_equal_one_at_a_time(
        cohort in shared_cohort(),
        spends in prop::collection::vec(prop_oneof![Just(-1.0), Just(0.0), 0.5f64..500.0], 40),
        bg in bg_params(),
        pn in pareto_params(),
        months in prop_oneof![Just(0.0), Just(1.0), 0.0f64..30.0],
        discount in 0u32..30,
    ) {
        let cohort: Vec<CustomerSummary> = cohort
            .iter()
            .zip(&spends)
            .map(|(s, &m)| CustomerSummary {
                mean_repeat_spend: if s.x == 0 { 0.0 } else { m },
                ..*s
            })
            .collect();
        let spend = GammaGammaParams { p: 6.25, q: 3.74, gamma: 15.44 };
        let options = ClvOptions::default()
            .months(months)
            .monthly_discount(Rate::new(Decimal::new(i64::from(discount), 3)).unwrap());
        let mbg = MbgNbdParams { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b };
        let models: [&dyn PurchaseModel; 3] = [&bg, &mbg, &pn];
        for model in models {
            let one: Result<Vec<f64>, (usize, String)> = cohort
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    customer_lifetime_value(model, &spend, s, options).map_err(|e| (i, e.to_string()))
                })
                .collect();
            let batch = customer_lifetime_values(model, &spend, &cohort, options)
                .map_err(|(i, e)| (i, e.to_string()));
            match (&batch, &one) {
                (Ok(a), Ok(b)) => {
                    let bits = |v: &[f64]| -> Vec<u64> { v.iter().map(|x| x.to_bits()).collect() };
                    prop_assert_eq!(bits(a), bits(b), "{}", model.model_name());
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                _ => prop_assert!(false, "{}: {:?} vs {:?}", model.model_name(), batch, one),
            }
            let ends = [0.0, 1.5, 4.0, 4.0, 13.0];
            let each = model.conditional_expected_purchases_at_each(&cohort, &ends);
            let single: Result<Vec<Vec<f64>>, (usize, String)> = cohort
                .iter()
                .enumerate()
                .map(|(i, s)| model.conditional_expected_purchases_at(s, &ends).map_err(|e| (i, e.to_string())))
                .collect();
            match (each.map_err(|(i, e)| (i, e.to_string())), single) {
                (Ok(a), Ok(b)) => {
                    let bits = |v: &[Vec<f64>]| -> Vec<Vec<u64>> {
                        v.iter().map(|r| r.iter().map(|x| x.to_bits()).collect()).collect()
                    };
                    prop_assert_eq!(bits(&a), bits(&b), "{}", model.model_name());
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "{}: {:?} vs {:?}", model.model_name(), a, b),
            }
        }
    }
}
