#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Benchmarks of attain-funnel: planning calls, risk, the gap diagnosis, and measuring 1M and
//! 10M events. Inputs are built outside the timed closures from a fixed seed.

use std::hint::black_box;
use std::time::Duration;

use attain_funnel::gap::{FunnelOutcome, diagnose_gap};
use attain_funnel::measure::{Event, FunnelMeter, MeasureOptions, measure};
use attain_funnel::risk::{entries_for_confidence, probability_at_least};
use attain_funnel::{DealRule, Funnel, PlanOptions, Stage};
use attain_types::{Currency, Money, Rate, dec};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// splitmix64: a tiny deterministic generator, so the bench needs no RNG crate.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// About `n` events over `n / 5` entities, 4 steps, timestamps within 60 days (seconds),
/// in random order. Each entity gets a lead, and deeper steps with falling probability.
fn events(n: usize, seed: u64) -> Vec<Event> {
    let mut rng = SplitMix(seed);
    let mut out = Vec::with_capacity(n + 8);
    let mut entity = 0u64;
    while out.len() < n {
        entity += 1;
        let start = rng.below(60 * 86_400) as i64;
        let k = 1 + rng.below(8) as usize; // events of this entity
        for _ in 0..k {
            let step = match rng.below(10) {
                0..=3 => 0,
                4..=6 => 1,
                7..=8 => 2,
                _ => 3,
            };
            let t = start + rng.below(45 * 86_400) as i64;
            out.push(Event {
                entity,
                step,
                timestamp: t,
                group: (entity % 3) as u32,
            });
        }
    }
    // Shuffle (Fisher-Yates) so the input is in no particular order.
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}

fn bench_planning(c: &mut Criterion) {
    let funnel = Funnel {
        stages: vec![
            Stage::new("lead", Rate::new(dec!(0.1)).unwrap()),
            Stage::new("visit", Rate::new(dec!(0.3)).unwrap()),
            Stage::new("proposal", Rate::new(dec!(0.2)).unwrap()),
        ],
        deal_size: Money::new(dec!(83333.33), Currency::CNY),
    };
    let target = Money::new(dec!(12000000), Currency::CNY);
    let opts = PlanOptions::default().deal_rule(DealRule::MinorUnitTolerance);
    assert_eq!(funnel.plan_revenue(target, opts).unwrap().deals, 144);
    let mut g = c.benchmark_group("plan");
    g.bench_function("plan_revenue/3", |b| {
        b.iter(|| funnel.plan_revenue(black_box(target), opts).unwrap())
    });
    g.bench_function("forward/3", |b| {
        b.iter(|| funnel.forward(black_box(7200)).unwrap())
    });
    let r = Rate::new(dec!(0.2)).unwrap();
    assert!((probability_at_least(15, r, 3) - 0.602).abs() < 1e-3);
    g.bench_function("probability_at_least/15", |b| {
        b.iter(|| probability_at_least(black_box(15), r, 3))
    });
    let r2 = Rate::new(dec!(0.006)).unwrap();
    g.bench_function("entries_for_confidence/144", |b| {
        b.iter(|| entries_for_confidence(black_box(144), r2, 0.9).unwrap())
    });
    let plan = FunnelOutcome {
        entries: 150,
        rates: vec![Rate::new(dec!(0.1)).unwrap(), Rate::new(dec!(0.2)).unwrap()],
        deal_size: Money::new(dec!(83333.33), Currency::CNY),
    };
    let actual = FunnelOutcome {
        entries: 120,
        rates: vec![
            Rate::new(dec!(0.1)).unwrap(),
            Rate::new(dec!(0.25)).unwrap(),
        ],
        deal_size: Money::new(dec!(80000), Currency::CNY),
    };
    assert_eq!(
        diagnose_gap(&plan, &actual).unwrap().gap.amount(),
        dec!(-9999.99)
    );
    g.bench_function("diagnose_gap/2", |b| {
        b.iter(|| diagnose_gap(black_box(&plan), &actual).unwrap())
    });
    g.finish();
}

fn bench_measure(c: &mut Criterion) {
    let opts = MeasureOptions::default().window(30 * 86_400);
    let mut g = c.benchmark_group("measure");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));
    for n in [1_000_000usize, 10_000_000] {
        let ev = events(n, 42);
        let m = measure(&ev, 4, &opts).unwrap();
        assert!(
            m.total
                .steps
                .windows(2)
                .all(|w| w[1].reached <= w[0].reached)
        );
        assert!(m.total.steps[0].reached > 0);
        g.throughput(Throughput::Elements(ev.len() as u64));
        g.bench_with_input(BenchmarkId::new("unsorted", n), &ev, |b, ev| {
            b.iter(|| measure(black_box(ev), 4, &opts).unwrap())
        });
        // The streaming meter on input already grouped by entity (memory ~ entities).
        let mut sorted = ev.clone();
        sorted.sort_unstable_by_key(|e| e.entity);
        g.bench_with_input(BenchmarkId::new("meter_sorted", n), &sorted, |b, ev| {
            b.iter(|| {
                let mut meter = FunnelMeter::new(4, opts.clone()).unwrap();
                for e in ev {
                    meter.push(*e).unwrap();
                }
                let out = meter.finish();
                assert_eq!(out.total.steps[0].reached, m.total.steps[0].reached);
                out
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_planning, bench_measure);
criterion_main!(benches);
