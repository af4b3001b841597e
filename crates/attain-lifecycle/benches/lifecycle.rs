#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Cohort table over a generated transaction log (fixed seed).

use std::hint::black_box;

use attain_lifecycle::cohort::{CohortBuilder, CohortOptions};
use attain_types::{Currency, Decimal, Granularity, Money, NaiveDate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// A generated log: `(customer, date, amount)` rows in arbitrary (shuffled) order.
fn log(n: usize) -> Vec<(String, NaiveDate, Money)> {
    // xorshift64*: a fixed seed, no dependency.
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let customers = (n / 10).max(1) as u64; // about 10 transactions per customer
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    (0..n)
        .map(|_| {
            let c = next() % customers;
            let day = next() % (3 * 365);
            let cents = (next() % 20_000) as i64 + 1;
            (
                format!("c{c:07}"),
                start + chrono_days(day),
                Money::new(Decimal::new(cents, 2), Currency::USD),
            )
        })
        .collect()
}

fn chrono_days(d: u64) -> chrono::Days {
    chrono::Days::new(d)
}

fn table(rows: &[(String, NaiveDate, Money)], g: Granularity) -> attain_lifecycle::CohortTable {
    let mut b = CohortBuilder::new(Currency::USD, CohortOptions::default().granularity(g));
    for (c, d, a) in rows {
        b.push(c, *d, *a).unwrap();
    }
    b.finish().unwrap()
}

fn bench_cohorts(c: &mut Criterion) {
    let mut group = c.benchmark_group("cohort");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let rows = log(n);
        // Assert once, outside the timing, so a fast wrong answer cannot pass.
        let check = table(&rows, Granularity::Month);
        let total = Money::try_sum(rows.iter().map(|r| r.2), Currency::USD).unwrap();
        assert_eq!(check.total_revenue, total);
        assert_eq!(
            check.cohorts.iter().map(|c| c.size).sum::<u64>(),
            check.customers
        );
        assert_eq!(check.transactions, n as u64);
        group.throughput(Throughput::Elements(n as u64));
        for (name, g) in [
            ("month", Granularity::Month),
            ("iso_week", Granularity::IsoWeek),
        ] {
            group.bench_function(format!("table_{name}/{n}"), |b| {
                b.iter_batched(
                    || (),
                    |()| black_box(table(black_box(&rows), g)),
                    BatchSize::SmallInput,
                );
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_cohorts);
criterion_main!(benches);
