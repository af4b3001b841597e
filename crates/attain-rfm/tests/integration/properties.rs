//! Property tests: the laws of aggregation and scoring.

use attain_rfm::csv::{CsvOptions, read_path, read_reader};
use attain_rfm::{
    AggregateOptions, Aggregator, CustomerState, CustomerValues, FrequencyMode, ReturnsMode,
    ScoreOptions, Scoring, Transaction, aggregate, fit_thresholds, score,
};
use attain_types::{Decimal, NaiveDate};
use proptest::prelude::*;

const IDS: [&str; 8] = ["a", "b", "c", "d", "customer-with-a-long-id", "f", "g", "h"];
const ORDERS: [&str; 6] = ["o1", "o2", "o3", "order-number-four", "o5", "o6"];

#[derive(Debug, Clone)]
struct Row {
    c: usize,
    day: i64,
    cents: i64,
    order: Option<usize>,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            0..IDS.len(),
            0i64..60,
            -500i64..100_000,
            prop::option::weighted(0.9, 0..ORDERS.len()),
        )
            .prop_map(|(c, day, cents, order)| Row {
                c,
                day,
                cents,
                order,
            }),
        0..60,
    )
}

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 15).unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn txs(rows: &[Row]) -> Vec<Transaction<'static>> {
    rows.iter()
        .map(|r| Transaction {
            customer_id: IDS[r.c],
            date: base() + chrono::Days::new(r.day as u64),
            amount: Decimal::new(r.cents, 2),
            order_id: r.order.map(|o| ORDERS[o]),
        })
        .collect()
}

fn full_options() -> AggregateOptions {
    AggregateOptions::default().repeat_summary(true)
}

fn values() -> impl Strategy<Value = Vec<CustomerValues>> {
    prop::collection::vec((-5i64..400, 1u64..30, 0i64..50_000), 1..80).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (r, f, m))| {
                CustomerValues::new(&format!("c{i:03}"), r, f, Decimal::new(m, 2))
            })
            .collect()
    })
}

fn methods() -> impl Strategy<Value = Scoring> {
    prop_oneof![
        Just(Scoring::Ties),
        Just(Scoring::Ntile),
        Just(Scoring::Even),
        Just(Scoring::QcutRank),
        Just(Scoring::RRfm)
    ]
}

proptest! {
    #[test]
    fn prop_merge_of_partitions_equals_whole(rows in rows(), cuts in prop::collection::vec(0usize..60, 0..4)) {
        let all = txs(&rows);
        let whole = aggregate(all.clone(), as_of(), full_options()).unwrap();
        let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(all.len())).collect();
        bounds.push(0);
        bounds.push(all.len());
        bounds.sort_unstable();
        let mut merged = Aggregator::new(as_of(), full_options());
        for w in bounds.windows(2) {
            let mut part = Aggregator::new(as_of(), full_options());
            part.extend(all[w[0]..w[1]].iter().copied()).unwrap();
            merged.merge(part).unwrap();
        }
        prop_assert_eq!(merged.finish().unwrap(), whole);
    }

    #[test]
    fn prop_encoded_states_round_trip_and_merge_like_states(rows in rows(), cut in 0usize..60) {
        // What an engine does with partial aggregates: encode, ship, decode, merge.
        let all = txs(&rows);
        let cut = cut.min(all.len());
        let tracking = full_options().tracking();
        let (mut left, mut right) = (CustomerState::new(tracking), CustomerState::new(tracking));
        for t in &all[..cut] { left.add(t).unwrap(); }
        for t in &all[cut..] { right.add(t).unwrap(); }
        let decoded = CustomerState::from_bytes(&left.to_bytes()).unwrap();
        prop_assert_eq!(&decoded, &left);
        let mut via_bytes = decoded;
        via_bytes.merge(CustomerState::from_bytes(&right.to_bytes()).unwrap()).unwrap();
        let mut whole = CustomerState::new(tracking);
        for t in &all { whole.add(t).unwrap(); }
        prop_assert_eq!(&via_bytes, &whole);
        prop_assert_eq!(via_bytes.to_bytes(), whole.to_bytes());
        // Any strict prefix or a corrupted version byte is rejected, never a panic.
        let bytes = whole.to_bytes();
        for n in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            prop_assert!(CustomerState::from_bytes(&bytes[..n]).is_err());
        }
        let mut bad = bytes.clone();
        bad[0] = 9;
        prop_assert!(CustomerState::from_bytes(&bad).is_err());
    }

    #[test]
    fn prop_decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(s) = CustomerState::from_bytes(&bytes) {
            // Whatever decodes re-encodes to the same bytes (the encoding is canonical).
            prop_assert_eq!(s.to_bytes(), bytes);
        }
    }

    #[test]
    fn prop_order_independence(rows in rows(), seed in any::<u64>()) {
        let mut all = txs(&rows);
        let whole = aggregate(all.clone(), as_of(), full_options()).unwrap();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..all.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            all.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(aggregate(all, as_of(), full_options()).unwrap(), whole);
    }

    #[test]
    fn prop_parallel_equals_sequential(rows in rows()) {
        let all = txs(&rows);
        prop_assert_eq!(
            attain_rfm::aggregate_par(&all, as_of(), full_options()).unwrap(),
            aggregate(all, as_of(), full_options()).unwrap()
        );
    }

    #[test]
    fn prop_money_sums_are_exact(rows in rows()) {
        let all = txs(&rows);
        let t = aggregate(all.clone(), as_of(), AggregateOptions::default().returns(ReturnsMode::Net)).unwrap();
        // Rows after as_of are excluded (and counted); every other cent is in some customer.
        let total: i64 = all.iter().zip(&rows).filter(|(t, _)| t.date <= as_of()).map(|(_, r)| r.cents).sum();
        let sum: Decimal = t.customers.iter().map(|c| c.monetary).sum();
        prop_assert_eq!(sum, Decimal::new(total, 2));
    }

    #[test]
    fn prop_fast_csv_equals_general_reader(rows in rows(), returns in 0usize..3, freq in 0usize..2) {
        let mut text = String::from("customer_id,order_id,order_date,amount\n");
        for t in txs(&rows) {
            text.push_str(&format!("{},{},{},{}\n", t.customer_id, t.order_id.unwrap_or(""), t.date, t.amount));
        }
        let options = AggregateOptions::default()
            .returns([ReturnsMode::Net, ReturnsMode::Gross, ReturnsMode::Excluded][returns])
            .frequency([FrequencyMode::DistinctOrders, FrequencyMode::Rows][freq]);
        let path = crate::csv_io::temp_file(&text);
        let fast = read_path(&path, as_of(), &options, &CsvOptions::default()).unwrap();
        // A tiny memory budget for order hashes: several passes over the file, same result.
        let passes = CsvOptions { order_memory: 64, ..CsvOptions::default() };
        prop_assert_eq!(&read_path(&path, as_of(), &options, &passes).unwrap(), &fast);
        let general = read_reader(text.as_bytes(), "x", as_of(), &options, &CsvOptions::default()).unwrap();
        let _ = std::fs::remove_file(&path);
        prop_assert_eq!(&fast, &general);
        prop_assert_eq!(fast, aggregate(txs(&rows), as_of(), options).unwrap());
    }

    #[test]
    fn prop_scores_stay_in_range(v in values(), bins in 2u8..=10, method in methods()) {
        for s in score(&v, &ScoreOptions::default().bins(bins).scoring(method)).unwrap() {
            for x in [s.r, s.f, s.m] {
                prop_assert!((1..=bins).contains(&x));
            }
        }
    }

    #[test]
    fn prop_scores_are_monotone(v in values(), bins in 2u8..=10, method in methods()) {
        let s = score(&v, &ScoreOptions::default().bins(bins).scoring(method)).unwrap();
        for i in 0..v.len() {
            for j in 0..v.len() {
                if v[i].monetary > v[j].monetary { prop_assert!(s[i].m >= s[j].m); }
                if v[i].frequency > v[j].frequency { prop_assert!(s[i].f >= s[j].f); }
                if v[i].recency_days < v[j].recency_days { prop_assert!(s[i].r >= s[j].r); }
            }
        }
    }

    #[test]
    fn prop_equal_values_equal_scores_under_default_rule(v in values(), bins in 2u8..=10) {
        let s = score(&v, &ScoreOptions::default().bins(bins)).unwrap();
        for i in 0..v.len() {
            for j in 0..v.len() {
                if v[i].monetary == v[j].monetary { prop_assert_eq!(s[i].m, s[j].m); }
                if v[i].frequency == v[j].frequency { prop_assert_eq!(s[i].f, s[j].f); }
                if v[i].recency_days == v[j].recency_days { prop_assert_eq!(s[i].r, s[j].r); }
            }
        }
    }

    #[test]
    fn prop_ntile_bin_sizes_differ_by_at_most_one(v in values(), bins in 2u8..=10) {
        let s = score(&v, &ScoreOptions::default().bins(bins).scoring(Scoring::Ntile)).unwrap();
        for get in [|x: &attain_rfm::RfmScore| x.r, |x: &attain_rfm::RfmScore| x.f, |x: &attain_rfm::RfmScore| x.m] {
            let mut counts = vec![0usize; usize::from(bins)];
            for x in &s { counts[usize::from(get(x)) - 1] += 1; }
            let used: Vec<usize> = counts.into_iter().filter(|&c| c > 0).collect();
            let (lo, hi) = (used.iter().min().unwrap(), used.iter().max().unwrap());
            prop_assert!(hi - lo <= 1);
            prop_assert_eq!(used.len(), usize::from(bins).min(v.len()));
        }
    }

    #[test]
    fn prop_ntile_buckets_are_sql_ntile(v in values(), bins in 2u8..=10) {
        // SQL: with n = q * bins + extra, buckets 1..=extra hold q + 1 rows, the others q.
        let s = score(&v, &ScoreOptions::default().bins(bins).scoring(Scoring::Ntile)).unwrap();
        let even = score(&v, &ScoreOptions::default().bins(bins).scoring(Scoring::Even)).unwrap();
        let (n, b) = (v.len(), usize::from(bins));
        let want: Vec<usize> = (0..b).map(|k| n / b + usize::from(k < n % b)).collect();
        let count = |s: &[attain_rfm::RfmScore]| {
            let mut c = vec![0usize; b];
            for x in s { c[usize::from(x.f) - 1] += 1; }
            c
        };
        prop_assert_eq!(count(&s), want.clone());
        // Job v1's rule has the same sizes, spread differently.
        let mut sizes = count(&even);
        sizes.sort_unstable();
        let mut sorted_want = want;
        sorted_want.sort_unstable();
        prop_assert_eq!(sizes, sorted_want);
    }

    #[test]
    fn prop_pymc_scores_or_reports_collapsed_quartiles(v in values()) {
        match score(&v, &ScoreOptions::default().bins(4).scoring(Scoring::Pymc)) {
            Ok(s) => {
                for i in 0..v.len() {
                    for x in [s[i].r, s[i].f, s[i].m] { prop_assert!((1..=4).contains(&x)); }
                    for j in 0..v.len() {
                        if v[i].monetary > v[j].monetary { prop_assert!(s[i].m >= s[j].m); }
                        if v[i].monetary == v[j].monetary { prop_assert_eq!(s[i].m, s[j].m); }
                        if v[i].recency_days < v[j].recency_days { prop_assert!(s[i].r >= s[j].r); }
                    }
                }
            }
            Err(e) => prop_assert!(matches!(e, attain_rfm::Error::QuantilesCollapsed { .. }), "{e}"),
        }
    }

    #[test]
    fn prop_r_totals_of_whole_amounts_score_as_the_exact_totals(v in values(), bins in 2u8..=10) {
        // Whole-cent totals below 2^53 cents are exact in f64 only when whole: use whole units.
        let v: Vec<CustomerValues> = v.into_iter().map(|c| {
            CustomerValues::new(&c.customer_id, c.recency_days, c.frequency, c.monetary.trunc())
        }).collect();
        let mut totals = attain_rfm::FloatTotals::new();
        for c in &v { totals.add(&c.customer_id, c.monetary); }
        let exact = score(&v, &ScoreOptions::default().bins(bins).scoring(Scoring::RRfm)).unwrap();
        prop_assert_eq!(attain_rfm::score_r_rfm(&v, &totals, bins).unwrap(), exact);
    }

    #[test]
    fn prop_fitted_thresholds_reproduce_scores(v in values(), bins in 2u8..=10, r_rfm in any::<bool>()) {
        let method = if r_rfm { Scoring::RRfm } else { Scoring::Ties };
        let opts = ScoreOptions::default().bins(bins).scoring(method);
        let th = fit_thresholds(&v, &opts).unwrap();
        let again = score(&v, &ScoreOptions::default().bins(bins).scoring(Scoring::Thresholds(th))).unwrap();
        prop_assert_eq!(again, score(&v, &opts).unwrap());
    }
}

proptest! {
    #[test]
    fn prop_scores_do_not_depend_on_customer_order(v in values(), bins in 2u8..=10, method in methods(), seed in any::<u64>()) {
        let opts = ScoreOptions::default().bins(bins).scoring(method);
        let sorted = score(&v, &opts).unwrap();
        let mut shuffled: Vec<(usize, CustomerValues)> = v.into_iter().enumerate().collect();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let values: Vec<CustomerValues> = shuffled.iter().map(|x| x.1.clone()).collect();
        let again = score(&values, &opts).unwrap();
        for (k, (i, _)) in shuffled.iter().enumerate() {
            prop_assert_eq!(again[k], sorted[*i]);
        }
    }
}
