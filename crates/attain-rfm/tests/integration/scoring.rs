//! Golden tests of each scoring mode on hand-checked cases.

use attain_rfm::{
    CustomerValues, ScoreOptions, Scoring, Thresholds, bin_occupancy, fit_thresholds, score,
    tie_mass,
};
use attain_types::Decimal;

use crate::{by_monetary, dec};

fn m_scores(values: &[i64], scoring: Scoring, bins: u8) -> Vec<u8> {
    let s = score(
        &by_monetary(values),
        &ScoreOptions::default().bins(bins).scoring(scoring),
    )
    .unwrap();
    s.iter().map(|x| x.m).collect()
}

#[test]
fn ties_rule_keeps_ties_together_and_can_leave_scores_empty() {
    // n = 10, bins 5: value 1 has rank_min 1 -> 1; value 2 rank_min 6 -> 1 + 25/10 = 3;
    // 3 -> rank_min 8 -> 1 + 35/10 = 4; 5 -> 9 -> 5; 8 -> 10 -> 1 + 45/10 = 5. Score 2 is empty.
    let s = m_scores(&[1, 1, 1, 1, 1, 2, 2, 3, 5, 8], Scoring::Ties, 5);
    assert_eq!(s, [1, 1, 1, 1, 1, 3, 3, 4, 5, 5]);
    let occ = bin_occupancy(
        &score(
            &by_monetary(&[1, 1, 1, 1, 1, 2, 2, 3, 5, 8]),
            &ScoreOptions::default(),
        )
        .unwrap(),
        5,
    );
    assert_eq!(occ.monetary, [5, 0, 2, 1, 2]);
}

#[test]
fn ntile_splits_ties_by_customer_id() {
    // SQL NTILE(5) over 7 rows: buckets of 2, 2, 1, 1, 1 (the first 7 mod 5 buckets get one
    // more), so positions get 1,1,2,2,3,4,5 over the strict order (value, id).
    // Values 5,3,3,9,1,7,7 for c00..c06: order c04(1) c01(3) c02(3) c00(5) c05(7) c06(7) c03(9).
    // DuckDB 2.0.1: SELECT NTILE(5) OVER (ORDER BY v, id) gives the same.
    let s = m_scores(&[5, 3, 3, 9, 1, 7, 7], Scoring::Ntile, 5);
    assert_eq!(s, [2, 1, 2, 5, 1, 3, 4]);
}

#[test]
fn even_spreads_the_larger_buckets_as_job_v1() {
    // Job v1: position k gets k * 5 / 7 + 1: 1,1,2,3,3,4,5 over the same strict order.
    let s = m_scores(&[5, 3, 3, 9, 1, 7, 7], Scoring::Even, 5);
    assert_eq!(s, [3, 1, 2, 5, 1, 3, 4]);
}

#[test]
fn qcut_rank_matches_pandas() {
    // pandas 3.1.1: pd.qcut(pd.Series([5,3,3,9,1,7,7]).rank(method="first"), 5, labels=False) + 1
    // == [3, 1, 2, 5, 1, 4, 5] (edges 1, 2.2, 3.4, 4.6, 5.8, 7 over ranks 1..7).
    assert_eq!(
        m_scores(&[5, 3, 3, 9, 1, 7, 7], Scoring::QcutRank, 5),
        [3, 1, 2, 5, 1, 4, 5]
    );
    // A float edge: n = 19, 6 bins. The exact edge 1 + 18 * 5/6 = 16 is 16.000000000000004 in
    // pandas, so rank 16 lands in bin 6 there (pandas 3.1.1 output below).
    let values: Vec<i64> = (0..19).collect();
    assert_eq!(
        m_scores(&values, Scoring::QcutRank, 6),
        [1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 6]
    );
}

#[test]
fn r_rfm_uses_type7_quantiles_and_lower_closed_intervals() {
    // R: quantile(c(10,20,...,100), c(.2,.4,.6,.8)) is 28 46 64 82 (type 7) and rfm 0.3.0's
    // bins() adds 1. In doubles the first is 27.999999999999996: R 4.2.2 prints
    // sprintf("%.17g", quantile(seq(10, 100, 10), .2) + 1) as 28.999999999999996.
    let values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert_eq!(
        m_scores(&values, Scoring::RRfm, 5),
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    );
    let th = fit_thresholds(
        &by_monetary(&values),
        &ScoreOptions::default().scoring(Scoring::RRfm),
    )
    .unwrap();
    assert_eq!(
        th.monetary(),
        [dec("28.999999999999996"), dec("47"), dec("65"), dec("83")]
    );
    // A value on a break goes up: [lower, upper).
    assert_eq!(th.score_values(10, 1, dec("47")).m, 3);
    assert_eq!(th.score_values(10, 1, dec("46.99")).m, 2);
}

#[test]
fn r_rfm_leaves_bins_empty_when_ties_dominate() {
    // Frequencies 1,1,1,1,1,1,2,2,3,5: R quantiles at .2 .4 .6 .8 are 1 1 1.4 2.2, breaks
    // 2 2 2.4 3.2; intervals [1,2) [2,2) [2,2.4) [2.4,3.2) [3.2,6): score 2 is empty, a 2
    // lands in 3 and a 3 in 4 (R rfm 0.3.0 gives the same).
    let customers: Vec<CustomerValues> = [1u64, 1, 1, 1, 1, 1, 2, 2, 3, 5]
        .iter()
        .enumerate()
        .map(|(i, &f)| CustomerValues::new(&format!("c{i}"), 1, f, Decimal::ONE))
        .collect();
    let s = score(&customers, &ScoreOptions::default().scoring(Scoring::RRfm)).unwrap();
    let f: Vec<u8> = s.iter().map(|x| x.f).collect();
    assert_eq!(f, [1, 1, 1, 1, 1, 1, 3, 3, 4, 5]);
}

#[test]
fn pymc_needs_four_bins_and_distinct_quartiles() {
    let customers = by_monetary(&[1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(matches!(
        score(&customers, &ScoreOptions::default().scoring(Scoring::Pymc)),
        Err(attain_rfm::Error::ModeBins { bins: 5, .. })
    ));
    // Recency and frequency are constant in `by_monetary`: pandas raises there too.
    assert!(matches!(
        score(
            &customers,
            &ScoreOptions::default().bins(4).scoring(Scoring::Pymc)
        ),
        Err(attain_rfm::Error::QuantilesCollapsed { metric: "recency" })
    ));
}

#[test]
fn recency_is_reversed_in_every_mode() {
    let customers: Vec<CustomerValues> = [1, 5, 10, 50, 100]
        .iter()
        .enumerate()
        .map(|(i, &r)| CustomerValues::new(&format!("c{i}"), r, 1, dec("1")))
        .collect();
    for scoring in [
        Scoring::Ties,
        Scoring::Ntile,
        Scoring::Even,
        Scoring::QcutRank,
    ] {
        let s = score(
            &customers,
            &ScoreOptions::default().scoring(scoring.clone()),
        )
        .unwrap();
        let r: Vec<u8> = s.iter().map(|x| x.r).collect();
        assert_eq!(r, [5, 4, 3, 2, 1], "{scoring:?}");
    }
    // R rfm: breaks 5.2 9 27 61 (R 4.2.2: bins(data.frame(v = c(1, 5, 10, 50, 100)), "v", 5)),
    // so 1 and 5 share the first interval and the top recency score; 4 is empty.
    let s = score(&customers, &ScoreOptions::default().scoring(Scoring::RRfm)).unwrap();
    let r: Vec<u8> = s.iter().map(|x| x.r).collect();
    assert_eq!(r, [5, 5, 3, 2, 1]);
}

#[test]
fn fixed_thresholds_score_new_customers() {
    let th = Thresholds::new(
        3,
        vec![dec("30"), dec("90")],
        vec![dec("2"), dec("5")],
        vec![dec("100"), dec("1000")],
    )
    .unwrap();
    let s = th.score_values(10, 7, dec("99.99"));
    assert_eq!((s.r, s.f, s.m), (3, 3, 1));
    let s = th.score_values(90, 2, dec("1000"));
    assert_eq!((s.r, s.f, s.m), (1, 2, 3));
    assert_eq!(s.code(), 123);
    assert_eq!(s.code_string(), "123");
    assert!(Thresholds::new(3, vec![dec("9"), dec("1")], vec![], vec![]).is_err());
    assert!(Thresholds::new(3, vec![dec("1"), dec("2"), dec("3")], vec![], vec![]).is_err());
    assert!(Thresholds::new(11, vec![], vec![], vec![]).is_err());
}

#[test]
fn thresholds_round_trip_through_json() {
    let values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    let th = fit_thresholds(
        &by_monetary(&values),
        &ScoreOptions::default().scoring(Scoring::RRfm),
    )
    .unwrap();
    let json = serde_json::to_string(&th).unwrap();
    let back: Thresholds = serde_json::from_str(&json).unwrap();
    assert_eq!(back, th);
    let again = score(
        &by_monetary(&values),
        &ScoreOptions::default().scoring(Scoring::Thresholds(back)),
    )
    .unwrap();
    let m: Vec<u8> = again.iter().map(|x| x.m).collect();
    assert_eq!(m, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
}

#[test]
fn positional_methods_have_no_thresholds() {
    let err = fit_thresholds(
        &by_monetary(&[1, 2]),
        &ScoreOptions::default().scoring(Scoring::Ntile),
    );
    assert!(matches!(err, Err(attain_rfm::Error::NotValueBased { .. })));
}

#[test]
fn bins_out_of_range_are_errors() {
    for bins in [0, 1, 11] {
        assert!(score(&by_monetary(&[1]), &ScoreOptions::default().bins(bins)).is_err());
    }
    assert!(score(&[], &ScoreOptions::default()).unwrap().is_empty());
}

#[test]
fn ten_bins_write_a_for_ten() {
    let s = attain_rfm::RfmScore::new(10, 1, 10);
    assert_eq!(s.code_string(), "A1A");
}

#[test]
fn tie_mass_counts_shared_values() {
    let t = tie_mass(&by_monetary(&[1, 1, 1, 2, 3, 3]));
    assert_eq!((t.monetary_tied, t.monetary_largest), (5, 3));
    assert_eq!((t.frequency_tied, t.frequency_largest), (6, 6));
    let _ = Decimal::ZERO;
}
