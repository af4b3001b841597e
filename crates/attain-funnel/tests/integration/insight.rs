//! Time to convert, conversion over time, breakdown tests and takeaways.

use attain_funnel::insight::{
    Correction, Period, breakdown_tests, civil_date, conversion_over_time, period_start, takeaways,
    time_to_convert,
};
use attain_funnel::measure::{EntityPath, Event, MeasureOptions, measure};
use proptest::prelude::*;

fn path(timestamps: Vec<i64>) -> EntityPath {
    EntityPath::new(0, 0, timestamps)
}

#[test]
fn time_to_convert_golden() {
    // Gaps 10, 20, ..., 100 seconds.
    let paths: Vec<EntityPath> = (1..=10).map(|i| path(vec![0, i * 10])).collect();
    let t = time_to_convert(&paths, 1).unwrap();
    assert_eq!((t.samples, t.min, t.max), (10, 10, 100));
    assert!((t.mean - 55.0).abs() < 1e-12);
    // Nearest rank: p25 = 3rd, median = 5th, p75 = 8th, p90 = 9th, p95 = 10th smallest.
    assert_eq!(
        (t.p25, t.median, t.p75, t.p90, t.p95),
        (30, 50, 80, 90, 100)
    );
    // Span 90 s: 5 s bins give 18 bins, aligned at 10.
    assert_eq!(t.histogram.first().map(|b| (b.from, b.to)), Some((10, 15)));
    assert_eq!(t.histogram.len(), 19);
    assert_eq!(time_to_convert(&paths, 0), None);
    assert_eq!(time_to_convert(&paths, 2), None);
}

#[test]
fn calendar_periods() {
    assert_eq!(civil_date(0), (1970, 1, 1));
    // 2026-01-01 is day 20454, a Thursday; its ISO week starts Monday 2025-12-29.
    assert_eq!(civil_date(20_454), (2026, 1, 1));
    assert_eq!(
        civil_date(period_start(20_454, Period::Week)),
        (2025, 12, 29)
    );
    assert_eq!(
        civil_date(period_start(20_454 + 40, Period::Month)),
        (2026, 2, 1)
    );
    assert_eq!(civil_date(period_start(-1, Period::Month)), (1969, 12, 1));
}

#[test]
fn holm_and_bonferroni_are_named_corrections() {
    let p = [0.01, 0.04, 0.03];
    let holm = Correction::Holm.adjust(&p);
    let bonf = Correction::Bonferroni.adjust(&p);
    // Holm: sorted 0.01*3, 0.03*2, 0.04*1 -> 0.03, 0.06, 0.06 (monotone).
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
    assert!(close(&holm, &[0.03, 0.06, 0.06]), "{holm:?}");
    assert!(close(&bonf, &[0.03, 0.12, 0.09]), "{bonf:?}");
    assert_eq!(
        (Correction::Holm.name(), Correction::Bonferroni.name()),
        ("holm", "bonferroni")
    );
}

#[test]
fn breakdown_test_finds_the_better_group() {
    // Group 1: 40 of 50 convert; group 0: 10 of 50.
    let mut events = Vec::new();
    for e in 0..100u64 {
        let group = u32::from(e >= 50);
        events.push(Event {
            entity: e,
            step: 0,
            timestamp: 0,
            group,
        });
        let converts = if group == 1 { e < 90 } else { e < 10 };
        if converts {
            events.push(Event {
                entity: e,
                step: 1,
                timestamp: 5,
                group,
            });
        }
    }
    let m = measure(&events, 2, &MeasureOptions::default().breakdown(true)).unwrap();
    let tests = breakdown_tests(&m, 0.05, Correction::Holm).unwrap();
    assert_eq!(tests.len(), 2);
    let g1 = tests.iter().find(|t| t.group == 1).unwrap();
    assert!(g1.z > 5.0 && g1.significant, "{g1:?}");
    assert_eq!(
        (
            g1.counts.successes,
            g1.counts.trials,
            g1.rest.successes,
            g1.rest.trials
        ),
        (40, 50, 10, 50)
    );
    let t = takeaways(&m.total);
    assert_eq!(t.largest_drop_off.map(|d| (d.step, d.lost)), Some((1, 50)));
    assert_eq!(t.slowest_step.map(|s| (s.step, s.median)), Some((1, 5)));
}

proptest! {
    #[test]
    fn histogram_tiles_the_samples(gaps in prop::collection::vec(-1_000_000i64..10_000_000, 1..80)) {
        let paths: Vec<EntityPath> = gaps.iter().map(|&g| path(vec![0, g])).collect();
        let t = time_to_convert(&paths, 1).unwrap();
        prop_assert_eq!(t.histogram.iter().map(|b| b.count).sum::<u64>(), t.samples);
        prop_assert!(t.histogram.len() <= 21, "{} bins", t.histogram.len());
        for w in t.histogram.windows(2) {
            prop_assert_eq!(w[0].to, w[1].from);
        }
        let (first, last) = (t.histogram[0], t.histogram[t.histogram.len() - 1]);
        prop_assert!(first.from <= t.min && t.max < last.to);
        prop_assert!(t.min <= t.p25 && t.p25 <= t.median && t.median <= t.p75);
        prop_assert!(t.p75 <= t.p90 && t.p90 <= t.p95 && t.p95 <= t.max);
        prop_assert!(t.min as f64 <= t.mean && t.mean <= t.max as f64);
    }

    #[test]
    fn holm_lies_between_raw_and_bonferroni(p in prop::collection::vec(0.0f64..=1.0, 0..12)) {
        let holm = Correction::Holm.adjust(&p);
        let bonf = Correction::Bonferroni.adjust(&p);
        for i in 0..p.len() {
            prop_assert!(p[i] <= holm[i] + 1e-15 && holm[i] <= bonf[i] + 1e-15 && bonf[i] <= 1.0);
        }
    }

    #[test]
    fn conversion_over_time_adds_up(
        ev in prop::collection::vec((0u64..20, 0u32..3, 0i64..(90 * 86_400)), 0..80),
        period in prop_oneof![Just(Period::Day), Just(Period::Week), Just(Period::Month)],
    ) {
        let events: Vec<Event> = ev.iter().map(|&(entity, step, timestamp)| Event { entity, step, timestamp, group: 0 }).collect();
        let m = measure(&events, 3, &MeasureOptions::default().keep_paths(true).window(7 * 86_400)).unwrap();
        let rows = conversion_over_time(&m.paths, 3, period, 0.95).unwrap();
        prop_assert_eq!(rows.iter().map(|r| r.entered).sum::<u64>(), m.total.steps[0].reached);
        prop_assert_eq!(rows.iter().map(|r| r.converted).sum::<u64>(), m.total.steps[2].reached);
        for w in rows.windows(2) {
            prop_assert!(w[0].start_day < w[1].start_day);
        }
        for r in &rows {
            prop_assert_eq!(period_start(r.start_day, period), r.start_day);
            prop_assert!(r.interval.lower <= r.interval.upper);
        }
    }
}
