//! Criterion benches of the allocation primitive.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use attain_types::{Currency, Decimal, Granularity, Money, Period, WorkingCalendar, allocate, dec};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn bench_allocate(c: &mut Criterion) {
    let year = Money::new(dec!(12000000), Currency::CNY);
    // 365 daily weights with a weekly pattern and a few exact thirds (inexact decimals).
    let weights: Vec<Decimal> = (0..365u32)
        .map(|i| {
            if i % 7 >= 5 {
                dec!(0.5)
            } else {
                Decimal::ONE / Decimal::from(3 + i % 4)
            }
        })
        .collect();
    let parts = allocate(year, &weights).unwrap();
    assert_eq!(Money::try_sum(parts, Currency::CNY).unwrap(), year);

    let mut g = c.benchmark_group("allocate");
    g.bench_function("year_to_365_days", |b| {
        b.iter_batched(
            || weights.clone(),
            |w| allocate(black_box(year), black_box(&w)),
            BatchSize::SmallInput,
        )
    });
    let equal = vec![Decimal::ONE; 365];
    g.bench_function("year_to_365_equal_days", |b| {
        b.iter(|| allocate(black_box(year), black_box(&equal)))
    });
    g.finish();

    let cal = WorkingCalendar::default();
    let y = Period::year(2026).unwrap();
    c.bench_function("calendar/working_days_per_day_of_year", |b| {
        b.iter(|| {
            y.split(Granularity::Day)
                .iter()
                .map(|d| cal.working_days(d))
                .sum::<u64>()
        })
    });
}

criterion_group!(benches, bench_allocate);
criterion_main!(benches);
