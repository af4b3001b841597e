//! Per-customer activity from the fast reader: the monoid laws of `CustomerActivity::merge`,
//! and the reader against a fold of single rows.

use std::collections::BTreeMap;
use std::path::Path;

use attain_rfm::activity::CustomerActivity;
use attain_rfm::csv::{
    CsvOptions, read_activity_path, read_activity_with_orders_path, read_ordered_cohorts_path,
    read_repeat_summaries_path,
};
use attain_rfm::{AggregateOptions, Transaction, aggregate, repeat_summaries};
use attain_types::proptest::granularity;
use attain_types::{Decimal, Granularity, NaiveDate};
use proptest::prelude::*;

use crate::csv_io::temp_file;

/// (customer 0..5, day offset 0..400, amount in hundredths, written scale 0..=2).
type Row = (u8, u16, i64, u8);

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((0u8..5, 0u16..400, -5_000i64..50_000, 0u8..3), 1..60)
}

fn day(offset: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 20)
        .unwrap()
        .checked_add_days(chrono::Days::new(u64::from(offset)))
        .unwrap()
}

/// The amount as written: hundredths rounded to the scale, then printed with `scale` decimals.
fn amount(hundredths: i64, scale: u8) -> Decimal {
    let unit = [100, 10, 1][usize::from(scale)];
    Decimal::new(hundredths / unit, u32::from(scale))
}

fn ids() -> [String; 5] {
    ["a", "b", "c", "longer-than-8-bytes", "d7"].map(str::to_owned)
}

/// The activity of each customer, folding single-row activities with `merge`.
fn folded(rows: &[Row], g: Granularity) -> BTreeMap<String, CustomerActivity> {
    let ids = ids();
    let mut out: BTreeMap<String, CustomerActivity> = BTreeMap::new();
    for &(c, d, h, s) in rows {
        let t = Transaction {
            customer_id: &ids[usize::from(c)],
            date: day(d),
            amount: amount(h, s),
            order_id: None,
        };
        let one = CustomerActivity::from_transaction(&t, g);
        match out.get_mut(t.customer_id) {
            Some(a) => a.merge(&one).unwrap(),
            None => {
                out.insert(t.customer_id.to_owned(), one);
            }
        }
    }
    out
}

fn csv_text(rows: &[Row]) -> String {
    let ids = ids();
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for (i, &(c, d, h, s)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "{},o{i},{},{}\n",
            ids[usize::from(c)],
            day(d),
            amount(h, s)
        ));
    }
    text
}

/// The rows as a CSV file, sorted by date first when `sorted`.
fn log_file(rows: &mut [Row], sorted: bool) -> crate::csv_io::TempFile {
    if sorted {
        rows.sort_by_key(|r| r.1);
    }
    temp_file(&csv_text(rows))
}

fn read(path: &Path, g: Granularity, threads: usize) -> BTreeMap<String, CustomerActivity> {
    let csv = CsvOptions {
        threads,
        ..CsvOptions::default()
    };
    let table = read_activity_path(path, g, None, &csv, &|_| {})
        .unwrap()
        .expect("a plain file takes the fast path");
    let mut out = BTreeMap::new();
    table
        .for_each_customer(|c| {
            out.insert(c.customer_id.clone(), c.clone());
            Ok::<(), attain_rfm::Error>(())
        })
        .unwrap();
    assert_eq!(table.customers(), out.len());
    out
}

/// The cells `(cohort, k, active, revenue)` of the customers' activities.
fn cells_of(activities: &BTreeMap<String, CustomerActivity>) -> Vec<(i64, i64, u64, Decimal)> {
    let mut cells: BTreeMap<(i64, i64), (u64, Decimal)> = BTreeMap::new();
    for a in activities.values() {
        let cohort = a.periods[0].0;
        for &(p, r) in &a.periods {
            let cell = cells
                .entry((cohort, p - cohort))
                .or_insert((0, Decimal::ZERO));
            cell.0 += 1;
            cell.1 += r;
        }
    }
    cells
        .into_iter()
        .map(|((c, k), (n, r))| (c, k, n, r))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The repeat summaries of one pass over a log in date order are `repeat_summaries` of its
    /// rows, at any calibration end and thread count (rows after the end left out and
    /// counted); a log out of date order gives the same or `None`, never a different summary.
    #[test]
    fn prop_repeat_summaries_of_the_fast_pass_equal_repeat_summaries(
        mut rows in rows(),
        end in 0u16..420,
        threads in 1usize..4,
        sorted in any::<bool>(),
    ) {
        let path = log_file(&mut rows, sorted);
        let csv = CsvOptions { threads, ..CsvOptions::default() };
        let fast = read_repeat_summaries_path(&path, day(end), &csv, &|_| {}).unwrap();
        std::fs::remove_file(&path).unwrap();
        let ids = ids();
        let transactions = rows.iter().map(|&(c, d, h, s)| Transaction {
            customer_id: &ids[usize::from(c)],
            date: day(d),
            amount: amount(h, s),
            order_id: None,
        });
        let expected = repeat_summaries(transactions, day(end)).unwrap();
        match fast {
            Some(attain_rfm::repeat::RepeatSummaries { customers: summaries, report }) => {
                prop_assert_eq!(&summaries, &expected);
                // Exact to the scale, not only the value.
                for ((_, a), (_, b)) in summaries.iter().zip(&expected) {
                    prop_assert_eq!(a.mean_repeat_spend().scale(), b.mean_repeat_spend().scale());
                }
                let after = rows.iter().filter(|r| r.1 > end).count() as u64;
                prop_assert_eq!(report.after_as_of, after);
                prop_assert_eq!(report.rows_used, rows.len() as u64 - after);
            }
            None => prop_assert!(!sorted, "a sorted log takes the ordered path"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// On a log in date order the cells counted during the pass are those of the customers'
    /// activities; on any other log, the same or `None`.
    #[test]
    fn prop_ordered_cohorts_equal_cells_of_the_activities(
        mut rows in rows(),
        g in granularity(),
        threads in 1usize..4,
        sorted in any::<bool>(),
    ) {
        let path = log_file(&mut rows, sorted);
        let csv = CsvOptions { threads, ..CsvOptions::default() };
        let ordered = read_ordered_cohorts_path(&path, g, None, &csv, &|_| {}).unwrap();
        std::fs::remove_file(&path).unwrap();
        let expected = cells_of(&folded(&rows, g));
        match ordered {
            Some(o) => {
                prop_assert_eq!(o.cells, expected);
                prop_assert_eq!(o.latest, rows.iter().map(|r| day(r.1)).max());
                prop_assert_eq!(o.report.rows_used, rows.len() as u64);
            }
            None => prop_assert!(!sorted, "a sorted log takes the ordered path"),
        }
    }

    #[test]
    fn prop_merge_of_a_split_equals_the_whole(rows in rows(), cut in 0usize..60, g in granularity()) {
        let cut = cut.min(rows.len());
        let whole = folded(&rows, g);
        let (mut left, right) = (folded(&rows[..cut], g), folded(&rows[cut..], g));
        // merge(a, b) and merge(b, a) both equal the activity of all the rows.
        let mut swapped = right.clone();
        for (id, r) in &right {
            match left.get_mut(id) {
                Some(l) => l.merge(r).unwrap(),
                None => { left.insert(id.clone(), r.clone()); }
            }
        }
        for (id, l) in &folded(&rows[..cut], g) {
            match swapped.get_mut(id) {
                Some(r) => r.merge(l).unwrap(),
                None => { swapped.insert(id.clone(), l.clone()); }
            }
        }
        prop_assert_eq!(&left, &whole);
        prop_assert_eq!(&swapped, &whole);
        // Periods ascend, each once; revenue sums to the rows' total exactly.
        for a in whole.values() {
            prop_assert!(a.periods.windows(2).all(|w| w[0].0 < w[1].0));
            prop_assert_eq!(a.period_rows.len(), a.periods.len());
            prop_assert_eq!(a.period_rows.iter().sum::<u64>(), a.rows);
        }
        let total: Decimal = rows.iter().map(|&(_, _, h, s)| amount(h, s)).sum();
        let summed: Decimal = whole.values().flat_map(|a| a.periods.iter().map(|p| p.1)).sum();
        prop_assert_eq!(total, summed);
    }

    #[test]
    fn prop_fast_reader_equals_folded_rows(rows in rows(), g in granularity(), threads in 1usize..4) {
        let path = temp_file(&csv_text(&rows));
        let read = read(&path, g, threads);
        std::fs::remove_file(&path).unwrap();
        prop_assert_eq!(read, folded(&rows, g));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With order tracking, the reader's distinct orders of every customer are the RFM
    /// aggregation's `DistinctOrders` frequency (order ids drawn from a few, so that pairs
    /// repeat and the second pass resolves them; an empty id counts one), at any thread count;
    /// the activity itself is the reader's without tracking. Without tracking there is no count.
    #[test]
    fn prop_distinct_orders_equal_the_rfm_frequency(
        rows in rows(),
        orders in prop::collection::vec(0u8..4, 60),
        threads in 1usize..4,
        with_order_column in any::<bool>(),
    ) {
        let ids = ids();
        let order = |i: usize| match orders[i % orders.len()] {
            0 => String::new(),
            k => format!("o{k}"),
        };
        let mut text = String::from(if with_order_column {
            "customer_id,order_id,order_date,amount\n"
        } else {
            "customer_id,order_date,amount\n"
        });
        for (i, &(c, d, h, s)) in rows.iter().enumerate() {
            let id = &ids[usize::from(c)];
            if with_order_column {
                text.push_str(&format!("{id},{},{},{}\n", order(i), day(d), amount(h, s)));
            } else {
                text.push_str(&format!("{id},{},{}\n", day(d), amount(h, s)));
            }
        }
        let path = temp_file(&text);
        let csv = CsvOptions {
            threads,
            order_col: with_order_column.then(|| "order_id".to_owned()),
            ..CsvOptions::default()
        };
        let g = Granularity::Day;
        let tracked = read_activity_with_orders_path(&path, g, None, &csv, &|_| {})
            .unwrap()
            .expect("a plain file takes the fast path");
        let untracked = read_activity_path(&path, g, None, &csv, &|_| {}).unwrap().unwrap();
        std::fs::remove_file(&path).unwrap();

        let owned: Vec<(String, String)> = rows
            .iter()
            .enumerate()
            .map(|(i, &(c, _, _, _))| (ids[usize::from(c)].clone(), order(i)))
            .collect();
        let txs = rows.iter().zip(&owned).map(|(&(_, d, h, s), (c, o))| Transaction {
            customer_id: c,
            date: day(d),
            amount: amount(h, s),
            order_id: (with_order_column && !o.is_empty()).then_some(o.as_str()),
        });
        let rfm = aggregate(txs, day(500), AggregateOptions::default()).unwrap();
        let want: BTreeMap<String, u64> = rfm
            .customers
            .iter()
            .map(|c| (c.customer_id.clone(), c.frequency))
            .collect();

        let mut got = BTreeMap::new();
        let mut activities = BTreeMap::new();
        tracked
            .for_each_customer(|a| {
                got.insert(a.customer_id.clone(), tracked.distinct_orders(a).unwrap());
                activities.insert(a.customer_id.clone(), a.clone());
                Ok::<(), attain_rfm::Error>(())
            })
            .unwrap();
        prop_assert_eq!(got, want);
        prop_assert_eq!(activities, folded(&rows, g));
        untracked
            .for_each_customer(|a| {
                assert_eq!(untracked.distinct_orders(a), None);
                Ok::<(), attain_rfm::Error>(())
            })
            .unwrap();
    }
}

#[test]
fn merging_different_customers_is_refused() {
    let t = |c| Transaction {
        customer_id: c,
        date: day(0),
        amount: Decimal::ONE,
        order_id: None,
    };
    let mut a = CustomerActivity::from_transaction(&t("a"), Granularity::Month);
    let b = CustomerActivity::from_transaction(&t("b"), Granularity::Month);
    assert!(a.merge(&b).is_err());
    assert_eq!(a.rows, 1);
}

#[test]
fn as_of_leaves_later_rows_out_and_counts_them() {
    let path = temp_file(
        "customer_id,order_id,order_date,amount\na,o1,2026-01-05,1.50\na,o2,2026-02-05,2\nb,o3,2026-03-01,4.25\n",
    );
    let as_of = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    let table = read_activity_path(
        &path,
        Granularity::Month,
        Some(as_of),
        &CsvOptions::default(),
        &|_| {},
    )
    .unwrap()
    .unwrap();
    std::fs::remove_file(&path).unwrap();
    let report = table.report();
    assert_eq!(
        (report.rows_read, report.rows_used, report.after_as_of),
        (3, 2, 1)
    );
    assert_eq!(table.customers(), 1);
    let mut seen = Vec::new();
    table
        .for_each_customer(|c| {
            seen.push(c.clone());
            Ok::<(), attain_rfm::Error>(())
        })
        .unwrap();
    let jan = Granularity::Month.period_index(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert_eq!(
        seen[0].periods,
        vec![(jan, "1.50".parse().unwrap()), (jan + 1, Decimal::from(2))]
    );
}

#[test]
fn files_the_fast_parser_does_not_take_give_none() {
    for text in [
        "customer_id,order_id,order_date,amount\n\"a\",o1,2026-01-05,1.50\n",
        "customer_id,order_id,order_date,amount\na,o1,2026-01-05,1.505\n",
        "customer_id,order_id,order_date,amount\na,o1,2026-13-05,1.50\n",
        "customer_id,order_id,order_date,amount\na,o1,2026-01-05\n",
    ] {
        let path = temp_file(text);
        let r = read_activity_path(
            &path,
            Granularity::Month,
            None,
            &CsvOptions::default(),
            &|_| {},
        );
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(r, Ok(None)), "{text:?}");
    }
}
