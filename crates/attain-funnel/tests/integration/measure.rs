//! Funnels measured from events: golden cases, laws, and a brute-force cross-check of the
//! greedy chain search.

use attain_funnel::measure::{Counting, Event, FunnelMeter, MeasureOptions, StepOrder, measure};
use attain_types::{Rate, dec};
use proptest::prelude::*;

fn ev(entity: u64, step: u32, timestamp: i64) -> Event {
    Event {
        entity,
        step,
        timestamp,
        group: 0,
    }
}

#[test]
fn golden_lead_visit_deal() {
    // 4 entities, steps lead(0) > visit(1) > deal(2), window 30:
    //   1: lead 0, visit 10, deal 20          -> deal (times 10 and 10; from first 10 and 20)
    //   2: lead 0, visit 40                   -> lead only (visit outside the window)
    //   3: lead 5, visit 5, visit 7, deal 30  -> deal (equal timestamps chain; latest visit 7)
    //   4: visit 1, deal 2                    -> nothing (no lead)
    // reached: lead 3, visit 2, deal 2; deepest: lead 1, visit 0, deal 2.
    let events = [
        ev(3, 2, 30),
        ev(1, 0, 0),
        ev(2, 1, 40),
        ev(3, 1, 7),
        ev(1, 1, 10),
        ev(4, 1, 1),
        ev(3, 0, 5),
        ev(2, 0, 0),
        ev(1, 2, 20),
        ev(3, 1, 5),
        ev(4, 2, 2),
    ];
    let m = measure(
        &events,
        3,
        &MeasureOptions::default().window(30).keep_paths(true),
    )
    .unwrap();
    let t = &m.total;
    assert_eq!(t.entities, 4);
    assert_eq!(
        t.steps.iter().map(|s| s.reached).collect::<Vec<_>>(),
        [3, 2, 2]
    );
    assert_eq!(
        t.steps.iter().map(|s| s.deepest).collect::<Vec<_>>(),
        [1, 0, 2]
    );
    // visit/lead = 2/3, deal/visit = 2/2, deal/lead = 2/3.
    assert_eq!(
        t.steps[1].conversion_from_previous,
        Some(Rate::from_ratio(2, 3).unwrap())
    );
    assert_eq!(
        t.steps[2].conversion_from_previous,
        Some(Rate::new(dec!(1)).unwrap())
    );
    assert_eq!(t.steps[0].conversion_from_previous, None);
    assert_eq!(t.steps[0].conversion_from_first, Some(Rate::ONE));
    // Lead -> visit times: entity 1: 10, entity 3: 7 - 5 = 2. Nearest rank median of [2, 10]
    // is the 1st smallest (2), p90 the 2nd (10).
    let tv = t.steps[1].time_from_previous.unwrap();
    assert_eq!((tv.samples, tv.median, tv.p90), (2, 2, 10));
    // Visit -> deal: entity 1: 10, entity 3: 30 - 7 = 23; from first: 20 and 25.
    let td = t.steps[2].time_from_first.unwrap();
    assert_eq!((td.median, td.p90), (20, 25));
    let paths: Vec<_> = m
        .paths
        .iter()
        .map(|p| (p.entity, p.timestamps.clone()))
        .collect();
    assert_eq!(
        paths,
        [(1, vec![0, 10, 20]), (2, vec![0]), (3, vec![5, 7, 30])]
    );
}

#[test]
fn breakdown_by_first_touch_group() {
    let g = |entity, step, timestamp, group| Event {
        entity,
        step,
        timestamp,
        group,
    };
    // Entity 1 starts in group 7 and converts; entity 2 starts in group 9 and does not;
    // entity 3 never reaches step 0, so it is filed under its earliest event's group (9).
    let events = [g(1, 0, 0, 7), g(1, 1, 3, 9), g(2, 0, 1, 9), g(3, 1, 0, 9)];
    let m = measure(&events, 2, &MeasureOptions::default().breakdown(true)).unwrap();
    assert_eq!(m.groups.len(), 2);
    assert_eq!(m.groups[0].group, 7);
    assert_eq!(m.groups[0].table.steps[1].reached, 1);
    assert_eq!(m.groups[1].group, 9);
    assert_eq!(m.groups[1].table.entities, 2);
    assert_eq!(m.groups[1].table.steps[0].reached, 1);
    assert_eq!(m.groups[1].table.steps[1].reached, 0);
}

#[test]
fn measure_errors() {
    assert!(measure(&[ev(1, 3, 0)], 3, &MeasureOptions::default()).is_err());
    let e = measure(&[ev(1, 0, 0), ev(1, 3, 0)], 3, &MeasureOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "event 1 has step 3, but the funnel has 3 steps (0..3)"
    );
    assert!(measure(&[], 0, &MeasureOptions::default()).is_err());
    let m = measure(&[], 2, &MeasureOptions::default()).unwrap();
    assert_eq!(m.total.entities, 0);
    assert_eq!(m.total.steps[1].conversion_from_first, None);
}

/// Brute force: the furthest level any chain reaches.
fn brute_level(events: &[(i64, u32)], steps: usize, opts: &MeasureOptions) -> usize {
    fn extend(
        events: &[(i64, u32)],
        steps: usize,
        opts: &MeasureOptions,
        chain: &mut Vec<i64>,
    ) -> usize {
        let level = chain.len();
        if level == steps {
            return level;
        }
        let mut best = level;
        for &(t, s) in events {
            if s as usize != level {
                continue;
            }
            if let Some(&last) = chain.last() {
                let ordered = match opts.order {
                    StepOrder::Strict => t > last,
                    _ => t >= last,
                };
                if !ordered || opts.window.is_some_and(|w| t - chain[0] > w) {
                    continue;
                }
                if opts
                    .step_windows
                    .get(level)
                    .copied()
                    .flatten()
                    .is_some_and(|w| t - last > w)
                {
                    continue;
                }
            }
            chain.push(t);
            best = best.max(extend(events, steps, opts, chain));
            chain.pop();
        }
        best
    }
    extend(events, steps, opts, &mut Vec::new())
}

fn events_strategy() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec((0u64..6, 0u32..3, 0i64..40, 0u32..2), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(entity, step, timestamp, group)| Event {
                entity,
                step,
                timestamp,
                group,
            })
            .collect()
    })
}

fn options_strategy() -> impl Strategy<Value = MeasureOptions> {
    (
        prop::option::of(0i64..30),
        prop::option::of(0i64..15),
        any::<bool>(),
    )
        .prop_map(|(w, sw, strict)| {
            let mut o = MeasureOptions::default().order(if strict {
                StepOrder::Strict
            } else {
                StepOrder::NonStrict
            });
            o.window = w;
            if sw.is_some() {
                o = o.step_windows(vec![None, sw, sw]);
            }
            o.breakdown(true).keep_paths(true)
        })
}

proptest! {
    #[test]
    fn prop_step_counts_never_increase(events in events_strategy(), opts in options_strategy()) {
        let m = measure(&events, 3, &opts).unwrap();
        for table in std::iter::once(&m.total).chain(m.groups.iter().map(|g| &g.table)) {
            for w in table.steps.windows(2) {
                prop_assert!(w[1].reached <= w[0].reached);
            }
            prop_assert!(table.steps[0].reached <= table.entities);
            let deepest: u64 = table.steps.iter().map(|s| s.deepest).sum();
            prop_assert_eq!(deepest, table.steps[0].reached);
            // Ratios lie in 0..=1 and the overall ratio is the product of the step ratios.
            let mut product = Some(attain_types::Decimal::ONE);
            for s in table.steps.iter().skip(1) {
                product = product.zip(s.conversion_from_previous).map(|(p, r)| p * r.to_decimal());
                if let (Some(p), Some(first)) = (product, s.conversion_from_first) {
                    prop_assert!(first.to_decimal() <= attain_types::Decimal::ONE);
                    prop_assert!((p - first.to_decimal()).abs() < attain_types::Decimal::new(1, 20));
                }
            }
        }
    }

    #[test]
    fn prop_shuffled_input_same_result((events, shuffled) in events_strategy().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())), opts in options_strategy()) {
        let a = measure(&events, 3, &opts).unwrap();
        let b = measure(&shuffled, 3, &opts).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn prop_greedy_matches_brute_force(events in events_strategy(), opts in options_strategy()) {
        let m = measure(&events, 3, &opts).unwrap();
        let mut entities: Vec<u64> = events.iter().map(|e| e.entity).collect();
        entities.sort_unstable();
        entities.dedup();
        let mut reached = [0u64; 3];
        for id in entities {
            let mine: Vec<(i64, u32)> = events.iter().filter(|e| e.entity == id).map(|e| (e.timestamp, e.step)).collect();
            let level = brute_level(&mine, 3, &opts);
            for r in reached.iter_mut().take(level) {
                *r += 1;
            }
            // The reported path is a valid chain of that length.
            if let Some(p) = m.paths.iter().find(|p| p.entity == id) {
                prop_assert_eq!(p.timestamps.len(), level);
                for (i, t) in p.timestamps.iter().enumerate() {
                    prop_assert!(mine.contains(&(*t, i as u32)));
                }
            } else {
                prop_assert_eq!(level, 0);
            }
        }
        let got: Vec<u64> = m.total.steps.iter().map(|s| s.reached).collect();
        prop_assert_eq!(got, reached.to_vec());
    }

    #[test]
    fn prop_meter_matches_measure(events in events_strategy(), opts in options_strategy()) {
        let mut sorted = events.clone();
        sorted.sort_by_key(|e| e.entity);
        let mut meter = FunnelMeter::new(3, opts.clone()).unwrap();
        for e in sorted {
            meter.push(e).unwrap();
        }
        prop_assert_eq!(meter.finish(), measure(&events, 3, &opts).unwrap());
    }

    #[test]
    fn prop_merged_partitions_match_measure(
        events in events_strategy(),
        opts in options_strategy(),
        parts in 1u64..4,
        totals in any::<bool>(),
    ) {
        // Entities split by id modulo `parts`, each part on its own meter, merged in turn:
        // the same measurement (counts, percentiles, groups, paths) as one pass over all.
        let opts = if totals { opts.counting(Counting::Totals) } else { opts };
        let mut sorted = events.clone();
        sorted.sort_by_key(|e| e.entity);
        let mut meters: Vec<FunnelMeter> =
            (0..parts).map(|_| FunnelMeter::new(3, opts.clone()).unwrap()).collect();
        for e in sorted {
            meters[(e.entity % parts) as usize].push(e).unwrap();
        }
        let mut merged = meters.pop().unwrap();
        for m in meters {
            merged.merge(m).unwrap();
        }
        prop_assert_eq!(merged.finish(), measure(&events, 3, &opts).unwrap());
    }
}

#[test]
fn merge_refuses_another_funnel() {
    let mut a = FunnelMeter::new(3, MeasureOptions::default()).unwrap();
    let b = FunnelMeter::new(2, MeasureOptions::default()).unwrap();
    let c = FunnelMeter::new(3, MeasureOptions::default().window(5)).unwrap();
    assert!(matches!(
        a.merge(b),
        Err(attain_funnel::Error::InvalidOptions { .. })
    ));
    assert!(matches!(
        a.merge(c),
        Err(attain_funnel::Error::InvalidOptions { .. })
    ));
}
