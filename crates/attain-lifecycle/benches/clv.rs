#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! CLV fits on the CDNOW sample (2,357 customers) and, when `CDNOW_MASTER` names the full log
//! (23,570 customers), on the master file, side by side with `benches/lifetimes_timing.py`.
//!
//! ```text
//! cargo bench -p attain-lifecycle --bench clv
//! CDNOW_MASTER=/path/to/CDNOW_master.txt cargo bench -p attain-lifecycle --bench clv
//! ```

use std::hint::black_box;

use attain_lifecycle::clv::{
    BgBbSummary, CustomerSummary, TimeUnit, fit_bg_bb, fit_bg_nbd, fit_gamma_gamma, fit_mbg_nbd,
    fit_pareto_nbd, fit_sbg,
};
use attain_rfm::{Transaction, repeat_summaries};
use attain_types::{Decimal, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};

/// Parses `id cohort YYYYMMDD cds dollars` (sample) or `id YYYYMMDD cds dollars` (master, which
/// starts with a header line).
fn parse(text: &str) -> Vec<(String, NaiveDate, Decimal)> {
    text.lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (date, amount) = if cols.len() == 5 {
                (cols[2], cols[4])
            } else {
                (cols[1], cols[3])
            };
            (
                cols[0].to_owned(),
                NaiveDate::parse_from_str(date, "%Y%m%d").unwrap(),
                amount.parse::<Decimal>().unwrap(),
            )
        })
        .collect()
}

/// The customers' summaries at `end` through attain-rfm's aggregation, in weeks.
fn summarize(log: &[(String, NaiveDate, Decimal)], end: NaiveDate) -> Vec<CustomerSummary> {
    let rows = log.iter().map(|(c, date, amount)| Transaction {
        customer_id: c,
        date: *date,
        amount: *amount,
        order_id: None,
    });
    repeat_summaries(rows, end)
        .unwrap()
        .iter()
        .map(|(_, r)| CustomerSummary::from_repeat(r, TimeUnit::Weeks).unwrap())
        .collect()
}

fn summaries(text: &str) -> Vec<CustomerSummary> {
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    summarize(&parse(text), end)
}

fn bench(c: &mut Criterion) {
    let sample_text = include_str!("../../../data/CDNOW_sample.txt");
    let sample = summaries(sample_text);
    // A fast wrong answer cannot pass: check the published values once.
    let bg = fit_bg_nbd(&sample).unwrap();
    assert!((bg.log_likelihood + 9582.4).abs() < 0.1 && (bg.params.r - 0.243).abs() < 5e-4);
    let pn = fit_pareto_nbd(&sample).unwrap();
    assert!((pn.log_likelihood + 9595.0).abs() < 0.1);
    let gg = fit_gamma_gamma(&sample).unwrap();
    assert!((gg.params.p - 6.25).abs() < 5e-3);
    let mbg = fit_mbg_nbd(&sample).unwrap();
    assert!((mbg.params.r - 0.525).abs() < 5e-4 && (mbg.params.b - 1.614).abs() < 5e-4);
    // The donations table (FHS 2010): 22 patterns of 11,104 donors.
    let donations: Vec<BgBbSummary> = include_str!("../../../data/donations.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let v: Vec<u64> = line.split(',').map(|c| c.parse().unwrap()).collect();
            BgBbSummary {
                x: v[0] as u32,
                t_x: v[1] as u32,
                n: v[2] as u32,
                count: v[3],
            }
        })
        .collect();
    let bb = fit_bg_bb(&donations).unwrap();
    assert!((bb.params.alpha - 1.204).abs() < 5e-4 && (bb.params.delta - 2.783).abs() < 5e-4);

    let mut group = c.benchmark_group("clv");
    group.bench_function("fit_bg_nbd/2357", |b| {
        b.iter(|| fit_bg_nbd(black_box(&sample)).unwrap())
    });
    group.bench_function("fit_pareto_nbd/2357", |b| {
        b.iter(|| fit_pareto_nbd(black_box(&sample)).unwrap())
    });
    group.bench_function("fit_gamma_gamma/946", |b| {
        b.iter(|| fit_gamma_gamma(black_box(&sample)).unwrap())
    });
    group.bench_function("fit_mbg_nbd/2357", |b| {
        b.iter(|| fit_mbg_nbd(black_box(&sample)).unwrap())
    });
    group.bench_function("fit_bg_bb/donations", |b| {
        b.iter(|| fit_bg_bb(black_box(&donations)).unwrap())
    });
    group.bench_function("fit_sbg/8", |b| {
        b.iter(|| fit_sbg(black_box(&[1000, 631, 468, 382, 326, 289, 262, 241])).unwrap())
    });
    group.bench_function("summarize/6919", |b| {
        let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
        b.iter_batched(
            || parse(sample_text),
            |log| summarize(&log, end),
            criterion::BatchSize::LargeInput,
        )
    });
    if let Ok(path) = std::env::var("CDNOW_MASTER") {
        let text = std::fs::read_to_string(&path).expect("CDNOW_MASTER names a readable file");
        let master = summaries(&text);
        assert_eq!(master.len(), 23_570);
        let fit = fit_bg_nbd(&master).unwrap();
        assert!(fit.log_likelihood.is_finite());
        eprintln!(
            "master bg/nbd: {:?} ll {} iterations {}",
            fit.params, fit.log_likelihood, fit.iterations
        );
        group.bench_function("fit_bg_nbd/23570", |b| {
            b.iter(|| fit_bg_nbd(black_box(&master)).unwrap())
        });
        group.bench_function("fit_pareto_nbd/23570", |b| {
            b.iter(|| fit_pareto_nbd(black_box(&master)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
