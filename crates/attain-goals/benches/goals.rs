#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Benches of attain-goals: a year split to days x 2 x 2 dimensions, and a 365 x 50 table.

use std::hint::black_box;

use attain_goals::table::{nest3, round_table};
use attain_goals::{TimeOptions, Weighting, daily};
use attain_types::{Currency, Decimal, Money, Period};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// A fixed-seed xorshift, so the inputs are the same on every run.
fn weights(n: usize, seed: u64) -> Vec<Decimal> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // One weight in eight is zero; the others 1..=1000 with two decimals.
            if x.is_multiple_of(8) {
                Decimal::ZERO
            } else {
                Decimal::new((x % 100_000 + 1) as i64, 2)
            }
        })
        .collect()
}

fn bench_year_to_days(c: &mut Criterion) {
    let target = Money::new(Decimal::new(1_234_567_891, 2), Currency::USD);
    let year = Period::year(2026).unwrap();
    let opts = TimeOptions::default().weighting(Weighting::WorkingDays);
    let customer = [Decimal::from(40), Decimal::from(60)];
    let product = [Decimal::from(60), Decimal::from(40)];
    let run = || {
        let plan = daily(target, year, &opts).unwrap();
        let days = plan
            .days()
            .unwrap()
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>();
        nest3(&days, &customer, &product).unwrap()
    };
    let cube = run();
    assert_eq!(cube.dims, [365, 2, 2]);
    assert_eq!(
        Money::try_sum(cube.cells.iter().copied(), Currency::USD).unwrap(),
        target
    );
    let mut g = c.benchmark_group("decompose");
    g.bench_function(BenchmarkId::new("year_days_x2x2", 365 * 4), |b| {
        b.iter(|| black_box(run()))
    });
    g.finish();
}

fn bench_table(c: &mut Criterion) {
    let target = Money::new(Decimal::new(1_234_567_891, 2), Currency::USD);
    let flat = weights(365 * 50, 0x9E37_79B9_7F4A_7C15);
    let w: Vec<Vec<Decimal>> = flat.chunks(50).map(<[Decimal]>::to_vec).collect();
    let t = round_table(target, &w).unwrap();
    assert_eq!(
        Money::try_sum(t.row_totals.iter().copied(), Currency::USD).unwrap(),
        target
    );
    assert_eq!(
        Money::try_sum(t.column_totals.iter().copied(), Currency::USD).unwrap(),
        target
    );
    let mut g = c.benchmark_group("table");
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("round_table", "365x50"), |b| {
        b.iter(|| black_box(round_table(black_box(target), black_box(&w)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench_year_to_days, bench_table);
criterion_main!(benches);
