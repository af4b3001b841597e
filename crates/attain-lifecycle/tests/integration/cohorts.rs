//! Cohorts from a transaction log: golden table and laws.

use attain_lifecycle::Error;
use attain_lifecycle::cohort::{
    CohortBuilder, CohortCells, CohortCounts, CohortOptions, cohort_table,
};
use attain_types::{
    Currency, Decimal, Granularity, Money, NaiveDate, Period, Rate, Transaction, dec,
};
use proptest::prelude::*;

fn t(c: &'static str, y: i32, m: u32, d: u32, amount: Decimal) -> Transaction<'static> {
    Transaction {
        customer_id: c,
        date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        amount,
        order_id: None,
    }
}

#[test]
fn amounts_finer_than_the_minor_unit_are_refused() {
    // `attain cohort --currency USD` printed revenue 201225.825: now a typed error naming the row.
    let log = [
        t("a", 2026, 1, 5, dec!(10.00)),
        t("b", 2026, 1, 9, dec!(201225.825)),
    ];
    let e = cohort_table(&log, Currency::USD, CohortOptions::default()).unwrap_err();
    assert_eq!(
        e,
        Error::SubMinorUnitAmount {
            customer: "b".to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 1, 9).unwrap(),
            amount: dec!(201225.825),
            currency: Currency::USD,
        }
    );
    assert_eq!(
        e.to_string(),
        "transaction of customer b on 2026-01-09: amount 201225.825 has more decimals than USD allows"
    );
    // Trailing zeros are exact: 5.500 USD is 5.50. Three decimals are fine in KWD; none in JPY.
    let ok = [t("a", 2026, 1, 5, dec!(5.500))];
    assert!(cohort_table(&ok, Currency::USD, CohortOptions::default()).is_ok());
    assert!(cohort_table(&log, Currency::KWD, CohortOptions::default()).is_ok());
    assert!(cohort_table(&ok, Currency::JPY, CohortOptions::default()).is_err());
    let mut b = CohortBuilder::new(Currency::JPY, CohortOptions::default());
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert!(
        b.push("c", day, Money::new(dec!(100.5), Currency::JPY))
            .is_err()
    );
    assert!(
        b.push("c", day, Money::new(dec!(100), Currency::JPY))
            .is_ok()
    );
}

fn r(n: u64, d: u64) -> Option<Rate> {
    Some(Rate::from_ratio(n, d).unwrap())
}

/// Golden, hand-checked monthly table (data ends 2026-03-20):
///
/// | customer | Jan | Feb | Mar |
/// |---|---|---|---|
/// | a | 10 + 5 | 20 | |
/// | b | 7 | | 3 |
/// | c | | 40 | 1 |
/// | d | | | 8 (first purchase; its row arrives first) |
///
/// Jan cohort {a, b}: active 2, 1, 1; revenue 22, 20, 3.
/// Feb cohort {c}: active 1, 1, -; revenue 40, 1.
/// Mar cohort {d}: active 1, -, -; revenue 8.
#[test]
fn golden_monthly_table() {
    let log = vec![
        t("d", 2026, 3, 20, dec!(8)),
        t("a", 2026, 1, 5, dec!(10)),
        t("b", 2026, 1, 9, dec!(7)),
        t("a", 2026, 1, 28, dec!(5)),
        t("a", 2026, 2, 2, dec!(20)),
        t("c", 2026, 2, 14, dec!(40)),
        t("b", 2026, 3, 1, dec!(3)),
        t("c", 2026, 3, 2, dec!(1)),
    ];
    let table = cohort_table(&log, Currency::USD, CohortOptions::default()).unwrap();
    assert_eq!(table.as_of, NaiveDate::from_ymd_opt(2026, 3, 20));
    assert_eq!(table.width(), 3);
    assert_eq!(table.customers, 4);
    assert_eq!(table.transactions, 8);
    assert_eq!(table.total_revenue.amount(), dec!(94));
    let labels: Vec<&str> = table.cohorts.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["2026-01", "2026-02", "2026-03"]);
    let sizes: Vec<u64> = table.cohorts.iter().map(|c| c.size).collect();
    assert_eq!(sizes, [2, 1, 1]);

    let active = |i: usize| -> Vec<Option<u64>> {
        table.cohorts[i]
            .cells
            .iter()
            .map(|c| c.map(|c| c.active))
            .collect()
    };
    let revenue = |i: usize| -> Vec<Option<Decimal>> {
        table.cohorts[i]
            .cells
            .iter()
            .map(|c| c.map(|c| c.revenue.amount()))
            .collect()
    };
    assert_eq!(active(0), [Some(2), Some(1), Some(1)]);
    assert_eq!(revenue(0), [Some(dec!(22)), Some(dec!(20)), Some(dec!(3))]);
    assert_eq!(active(1), [Some(1), Some(1), None]);
    assert_eq!(revenue(1), [Some(dec!(40)), Some(dec!(1)), None]);
    assert_eq!(active(2), [Some(1), None, None]);
    assert_eq!(revenue(2), [Some(dec!(8)), None, None]);
    assert_eq!(table.cohorts[0].retention(1), r(1, 2));
    assert_eq!(table.cohorts[1].retention(2), None); // not observed yet: empty, not zero
    assert_eq!(
        table.cohorts[0].revenue(Currency::USD).unwrap().amount(),
        dec!(45)
    );
}

/// An explicit as_of cuts later transactions and empties the cells after it.
#[test]
fn as_of_excludes_later_rows() {
    let log = vec![
        t("a", 2026, 1, 5, dec!(10)),
        t("a", 2026, 2, 5, dec!(10)),
        t("b", 2026, 3, 5, dec!(10)),
    ];
    let opts = CohortOptions::default().as_of(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
    let table = cohort_table(&log, Currency::USD, opts).unwrap();
    assert_eq!(table.excluded_after_as_of, 2);
    assert_eq!(table.customers, 1);
    // February has started (as_of is Feb 1), so it is observed, with a's Feb 5 row cut.
    assert_eq!(table.cohorts[0].cells[1].map(|c| c.active), Some(0));
    assert_eq!(table.total_revenue.amount(), dec!(10));
}

/// Weeks are ISO weeks (Monday to Sunday) and quarters are calendar quarters.
#[test]
fn weekly_and_quarterly_cohorts() {
    // 2026-03-01 is a Sunday (ISO week 9), 2026-03-02 a Monday (week 10).
    let log = vec![
        t("a", 2026, 3, 1, dec!(1)),
        t("b", 2026, 3, 2, dec!(1)),
        t("a", 2026, 3, 8, dec!(1)),
    ];
    let weekly = cohort_table(
        &log,
        Currency::USD,
        CohortOptions::default().granularity(Granularity::IsoWeek),
    )
    .unwrap();
    let labels: Vec<&str> = weekly.cohorts.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["2026-W09", "2026-W10"]);
    assert_eq!(weekly.cohorts[0].retention(1), r(1, 1)); // a bought again on Sunday of week 10
    let quarterly = cohort_table(
        &log,
        Currency::USD,
        CohortOptions::default().granularity(Granularity::Quarter),
    )
    .unwrap();
    assert_eq!(quarterly.cohorts.len(), 1);
    assert_eq!(quarterly.cohorts[0].size, 2);
}

#[test]
fn empty_log_and_bad_currency() {
    let table = cohort_table(
        std::iter::empty::<Transaction<'_>>(),
        Currency::USD,
        CohortOptions::default(),
    )
    .unwrap();
    assert!(table.cohorts.is_empty());
    assert_eq!((table.customers, table.width(), table.as_of), (0, 0, None));
    let mut b = CohortBuilder::new(Currency::USD, CohortOptions::default());
    let e = b
        .push(
            "c-9",
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            Money::new(dec!(1), Currency::EUR),
        )
        .unwrap_err();
    assert!(matches!(e, Error::CurrencyMismatch { .. }));
    assert_eq!(
        e.to_string(),
        "transaction of customer c-9: amount in EUR but expected USD"
    );
}

const IDS: [&str; 15] = [
    "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14",
];

fn log_strategy() -> impl Strategy<Value = Vec<Transaction<'static>>> {
    proptest::collection::vec((0usize..15, 0u64..500, -500i64..50_000), 0..80).prop_map(|rows| {
        rows.into_iter()
            .map(|(c, day, cents)| Transaction {
                customer_id: IDS[c],
                date: NaiveDate::from_ymd_opt(2025, 1, 1)
                    .unwrap()
                    .checked_add_days(chrono::Days::new(day))
                    .unwrap(),
                amount: Decimal::new(cents, 2),
                order_id: None,
            })
            .collect()
    })
}

fn granularity() -> impl Strategy<Value = Granularity> {
    prop_oneof![
        Just(Granularity::Day),
        Just(Granularity::IsoWeek),
        Just(Granularity::Month),
        Just(Granularity::Quarter),
        Just(Granularity::Year)
    ]
}

proptest! {
    /// Retention never exceeds 1 (and is exactly 1 in the acquisition period).
    #[test]
    fn prop_retention_at_most_one(log in log_strategy(), g in granularity()) {
        let table = cohort_table(&log, Currency::USD, CohortOptions::default().granularity(g)).unwrap();
        for c in &table.cohorts {
            prop_assert_eq!(c.retention(0), Some(Rate::ONE));
            for cell in c.cells.iter().flatten() {
                prop_assert!(cell.retention <= Rate::ONE);
                prop_assert!(cell.active <= c.size);
            }
        }
    }

    /// Cohort sizes add up to the number of distinct customers.
    #[test]
    fn prop_cohort_sizes_sum_to_customers(log in log_strategy(), g in granularity()) {
        let table = cohort_table(&log, Currency::USD, CohortOptions::default().granularity(g)).unwrap();
        let distinct: std::collections::HashSet<&str> = log.iter().map(|t| t.customer_id).collect();
        prop_assert_eq!(table.cohorts.iter().map(|c| c.size).sum::<u64>(), distinct.len() as u64);
        prop_assert_eq!(table.customers, distinct.len() as u64);
    }

    /// Revenue over every cell sums exactly to the log's total.
    #[test]
    fn prop_revenue_sums_exactly(log in log_strategy(), g in granularity()) {
        let table = cohort_table(&log, Currency::USD, CohortOptions::default().granularity(g)).unwrap();
        let total: Decimal = log.iter().map(|t| t.amount).sum();
        let cells: Decimal = table.cohorts.iter().flat_map(|c| c.cells.iter().flatten()).map(|c| c.revenue.amount()).sum();
        prop_assert_eq!(cells, total);
        prop_assert_eq!(table.total_revenue.amount(), total);
    }

    /// The table does not depend on input order.
    #[test]
    fn prop_order_invariant(log in log_strategy(), g in granularity(), seed in any::<u64>()) {
        let mut shuffled = log.clone();
        // Deterministic Fisher-Yates from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let opts = CohortOptions::default().granularity(g);
        prop_assert_eq!(
            cohort_table(&log, Currency::USD, opts).unwrap(),
            cohort_table(&shuffled, Currency::USD, opts).unwrap()
        );
    }

    /// A cell is empty exactly when its period starts after as_of: the observed cells are
    /// a prefix as long as the periods from the cohort's start through as_of.
    #[test]
    fn prop_unobserved_cells_are_empty(log in log_strategy(), g in granularity()) {
        let table = cohort_table(&log, Currency::USD, CohortOptions::default().granularity(g)).unwrap();
        for c in &table.cohorts {
            prop_assert_eq!(c.cells.len(), table.width());
            let observed = c.cells.iter().filter(|x| x.is_some()).count();
            prop_assert!(c.cells[..observed].iter().all(Option::is_some));
            let through = Period::from_inclusive(c.period.start(), table.as_of.unwrap()).unwrap();
            prop_assert_eq!(observed, through.split(g).len());
        }
    }
}

/// Each customer's `(period index, revenue)` per active period, from the log.
fn histories(
    log: &[Transaction<'static>],
    g: Granularity,
) -> std::collections::BTreeMap<&'static str, Vec<(i64, Decimal)>> {
    let mut out: std::collections::BTreeMap<&'static str, Vec<(i64, Decimal)>> =
        std::collections::BTreeMap::new();
    for t in log {
        let p = g.period_index(t.date);
        let periods = out.entry(t.customer_id).or_default();
        match periods.iter_mut().find(|(q, _)| *q == p) {
            Some((_, r)) => *r += t.amount,
            None => periods.push((p, t.amount)),
        }
    }
    out
}

proptest! {
    /// The customers split between two `CohortCells` in any way and merged (either way
    /// round) give the table of the whole log, as `CohortBuilder` gives it.
    #[test]
    fn prop_cohort_cells_merged_equal_the_whole(
        log in log_strategy(),
        g in granularity(),
        mask in any::<u16>(),
        as_of in prop::option::of(0u64..500),
    ) {
        let mut opts = CohortOptions::default().granularity(g);
        if let Some(d) = as_of {
            opts = opts.as_of(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().checked_add_days(chrono::Days::new(d)).unwrap());
        }
        let whole = cohort_table(&log, Currency::USD, opts).unwrap();
        let kept: Vec<Transaction<'static>> = log
            .iter()
            .filter(|t| opts.as_of.is_none_or(|d| t.date <= d))
            .copied()
            .collect();
        let counts = CohortCounts {
            transactions: kept.len() as u64,
            excluded_after_as_of: (log.len() - kept.len()) as u64,
            latest: kept.iter().map(|t| t.date).max(),
        };
        let (mut a, mut b) = (
            CohortCells::new(Currency::USD, opts),
            CohortCells::new(Currency::USD, opts),
        );
        for (i, periods) in histories(&kept, g).values().enumerate() {
            let side = if mask >> (i % 16) & 1 == 1 { &mut a } else { &mut b };
            side.add_customer(periods).unwrap();
        }
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(b).unwrap();
        ba.merge(a).unwrap();
        prop_assert_eq!(&ab.finish(&counts).unwrap(), &whole);
        prop_assert_eq!(&ba.finish(&counts).unwrap(), &whole);
    }
}
