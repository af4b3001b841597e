//! Laws between the ordering modes, exclusions and attributions of `measure`.

use attain_funnel::measure::{
    Attribution, Counting, Event, Exclusion, MeasureOptions, OTHER_STEP, StepOrder,
    WindowFunnelModes, measure,
};
use proptest::prelude::*;

const STEPS: usize = 3;

/// Events of up to 6 entities on steps 0..3, the exclusion event (step 3) and other events.
fn events() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        (
            0u64..6,
            prop_oneof![0u32..3, Just(3u32), Just(OTHER_STEP)],
            0i64..30,
            0u32..3,
        ),
        0..60,
    )
    .prop_map(|v| {
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

fn reached(events: &[Event], options: &MeasureOptions) -> Vec<u64> {
    reached_of(events, STEPS, options)
}

fn reached_of(events: &[Event], steps: usize, options: &MeasureOptions) -> Vec<u64> {
    measure(events, steps, options)
        .unwrap()
        .total
        .steps
        .iter()
        .map(|s| s.reached)
        .collect()
}

fn base(window: Option<i64>) -> MeasureOptions {
    let o = MeasureOptions::default().exclusions(vec![Exclusion {
        from_step: 0,
        to_step: 2,
    }]);
    match window {
        Some(w) => o.window(w),
        None => o,
    }
}

fn without_exclusion_events(events: &[Event]) -> Vec<Event> {
    events.iter().copied().filter(|e| e.step != 3).collect()
}

proptest! {
    #[test]
    fn any_order_reaches_at_least_what_non_strict_reaches(ev in events(), w in prop::option::of(0i64..12)) {
        let ev = without_exclusion_events(&ev);
        let any = reached(&ev, &base(w).exclusions(vec![]).order(StepOrder::AnyOrder));
        let ordered = reached(&ev, &base(w).exclusions(vec![]));
        let strict = reached(&ev, &base(w).exclusions(vec![]).order(StepOrder::Strict));
        for k in 0..STEPS {
            prop_assert!(any[k] >= ordered[k], "{any:?} {ordered:?}");
            prop_assert!(ordered[k] >= strict[k], "{ordered:?} {strict:?}");
        }
    }

    #[test]
    fn exclusions_never_increase_conversions(ev in events(), w in prop::option::of(0i64..12)) {
        for order in [StepOrder::NonStrict, StepOrder::Strict] {
            let with = reached(&ev, &base(w).order(order));
            let without = reached(&without_exclusion_events(&ev), &base(w).order(order));
            for k in 0..STEPS {
                prop_assert!(with[k] <= without[k], "{order:?} {with:?} {without:?}");
            }
            // Entering the funnel is never excluded.
            prop_assert_eq!(with[0], without[0]);
        }
    }

    #[test]
    fn window_funnel_without_modes_is_the_default_order(ev in events(), w in prop::option::of(0i64..12)) {
        let plain = StepOrder::WindowFunnel(WindowFunnelModes::default());
        prop_assert_eq!(reached(&ev, &base(w).order(plain)), reached(&ev, &base(w)));
        let once = StepOrder::WindowFunnel(WindowFunnelModes::parse("strict_increase,strict_once").unwrap());
        prop_assert_eq!(reached(&ev, &base(w).order(once)), reached(&ev, &base(w).order(StepOrder::Strict)));
    }

    #[test]
    fn clickhouse_modes_only_ever_stop_earlier(ev in events(), w in prop::option::of(0i64..12)) {
        let free = reached(&ev, &base(w));
        for modes in ["strict_deduplication", "strict_order", "strict_order,allow_reentry", "strict_increase"] {
            let m = StepOrder::WindowFunnel(WindowFunnelModes::parse(modes).unwrap());
            let got = reached(&ev, &base(w).order(m));
            for k in 0..STEPS {
                prop_assert!(got[k] <= free[k], "{modes}: {got:?} > {free:?}");
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_input_order(ev in events(), w in prop::option::of(0i64..12), seed in 0u64..1000) {
        let mut shuffled = ev.clone();
        // A deterministic shuffle (reverse, then rotate).
        shuffled.reverse();
        if !shuffled.is_empty() {
            let n = shuffled.len();
            shuffled.rotate_left(seed as usize % n);
        }
        for order in [
            StepOrder::NonStrict,
            StepOrder::Strict,
            StepOrder::WindowFunnel(WindowFunnelModes::parse("strict_order,strict_deduplication").unwrap()),
        ] {
            let o = base(w).order(order).breakdown(true).keep_paths(true);
            prop_assert_eq!(measure(&ev, STEPS, &o).unwrap(), measure(&shuffled, STEPS, &o).unwrap());
        }
        let o = base(w).exclusions(vec![]).order(StepOrder::AnyOrder);
        let (a, b) = (without_exclusion_events(&ev), without_exclusion_events(&shuffled));
        prop_assert_eq!(reached(&a, &o), reached(&b, &o));
    }

    #[test]
    fn attributions_partition_the_entities_except_all_steps(ev in events()) {
        let total = measure(&ev, STEPS, &base(None)).unwrap().total;
        for attribution in [Attribution::FirstTouch, Attribution::LastTouch, Attribution::Step(1)] {
            let m = measure(&ev, STEPS, &base(None).breakdown(true).attribution(attribution)).unwrap();
            for k in 0..STEPS {
                let sum: u64 = m.groups.iter().map(|g| g.table.steps[k].reached).sum();
                prop_assert_eq!(sum, total.steps[k].reached, "{:?}", attribution);
            }
            prop_assert_eq!(m.groups.iter().map(|g| g.table.entities).sum::<u64>(), total.entities);
        }
        // All steps: each value's funnel never reaches more than the whole.
        let m = measure(&ev, STEPS, &base(None).breakdown(true).attribution(Attribution::AllSteps)).unwrap();
        for g in &m.groups {
            for k in 0..STEPS {
                prop_assert!(g.table.steps[k].reached <= total.steps[k].reached);
            }
        }
    }
}

proptest! {
    #[test]
    fn sparse_entity_ids_measure_like_dense_ones(ev in events(), w in prop::option::of(0i64..12)) {
        // Dense ids take the counting sort, sparse ones the comparison sort.
        let sparse: Vec<Event> = ev.iter().map(|e| Event { entity: e.entity * (1 << 40) + 7, ..*e }).collect();
        let o = base(w).breakdown(true);
        let (a, b) = (measure(&ev, STEPS, &o).unwrap(), measure(&sparse, STEPS, &o).unwrap());
        prop_assert_eq!(a.total, b.total);
        prop_assert_eq!(a.groups, b.groups);
    }

    #[test]
    fn totals_count_at_least_unique_and_held_at_most(ev in events(), w in prop::option::of(0i64..12)) {
        let ev = without_exclusion_events(&ev);
        let o = base(w).exclusions(vec![]);
        let unique = measure(&ev, STEPS, &o).unwrap().total;
        let totals = measure(&ev, STEPS, &o.clone().counting(Counting::Totals)).unwrap().total;
        let held = measure(&ev, STEPS, &o.clone().counting(Counting::HoldConstant)).unwrap().total;
        prop_assert_eq!(totals.entities, unique.entities);
        prop_assert_eq!(held.entities, unique.entities);
        for k in 0..STEPS {
            prop_assert!(totals.steps[k].reached >= unique.steps[k].reached);
            prop_assert!(held.steps[k].reached <= unique.steps[k].reached);
        }
        // Entering is the same held or not; totals enter once per first step.
        prop_assert_eq!(held.steps[0].reached, unique.steps[0].reached);
        let starts = ev.iter().filter(|e| e.step == 0).count() as u64;
        prop_assert_eq!(totals.steps[0].reached, starts);
    }
}

#[test]
fn totals_and_held_property_golden() {
    let ev = |step, timestamp, group| Event {
        entity: 1,
        step,
        timestamp,
        group,
    };
    // Two entries (a at 0, a at 10), each converting to b; the deal ids differ across the
    // first chain (a of deal 7, b of deal 8) and agree on the second (deal 8).
    let events = [
        ev(0, 0, 7),
        ev(1, 5, 8),
        ev(0, 10, 8),
        ev(1, 12, 8),
        ev(0, 20, 9),
    ];
    let o = MeasureOptions::default();
    let reached_with = |c| reached_of(&events, 2, &o.clone().counting(c));
    assert_eq!(reached_of(&events, 2, &o), [1, 1]);
    assert_eq!(reached_with(Counting::Totals), [3, 2]);
    assert_eq!(reached_with(Counting::HoldConstant), [1, 1]);
    // Without the second deal-8 chain, holding the deal constant loses the conversion.
    let events = [ev(0, 0, 7), ev(1, 5, 8)];
    assert_eq!(
        reached_of(&events, 2, &o.clone().counting(Counting::HoldConstant)),
        [1, 0]
    );
}

#[test]
fn exclusion_between_steps_disqualifies_only_that_span() {
    let ev = |entity, step, timestamp| Event {
        entity,
        step,
        timestamp,
        group: 0,
    };
    // 1: a, churn, b, c -> excluded between a and b: stays at a.
    // 2: a, b, churn, c -> the exclusion is after b: converts.
    // 3: a, churn, a, b, c -> a later start converts.
    // 4: a and churn at the same time, then b, c -> not strictly between: converts.
    let events = [
        ev(1, 0, 0),
        ev(1, 3, 1),
        ev(1, 1, 2),
        ev(1, 2, 3),
        ev(2, 0, 0),
        ev(2, 1, 1),
        ev(2, 3, 2),
        ev(2, 2, 3),
        ev(3, 0, 0),
        ev(3, 3, 1),
        ev(3, 0, 2),
        ev(3, 1, 3),
        ev(3, 2, 4),
        ev(4, 0, 0),
        ev(4, 3, 0),
        ev(4, 1, 2),
        ev(4, 2, 3),
    ];
    let o = MeasureOptions::default().exclusions(vec![Exclusion {
        from_step: 0,
        to_step: 1,
    }]);
    assert_eq!(reached(&events, &o), [4, 3, 3]);
    let anywhere = MeasureOptions::default().exclusions(vec![Exclusion {
        from_step: 0,
        to_step: 2,
    }]);
    assert_eq!(reached(&events, &anywhere), [4, 3, 2]);
    assert!(
        measure(
            &events,
            3,
            &MeasureOptions::default().exclusions(vec![Exclusion {
                from_step: 1,
                to_step: 1
            }])
        )
        .is_err()
    );
}

#[test]
fn any_order_counts_steps_in_any_order_within_the_window() {
    let ev = |entity, step, timestamp| Event {
        entity,
        step,
        timestamp,
        group: 0,
    };
    // 1: c, b, a within 5 -> all three; 2: b then a 20 later -> a and b only outside window 10.
    let events = [
        ev(1, 2, 0),
        ev(1, 1, 2),
        ev(1, 0, 5),
        ev(2, 1, 0),
        ev(2, 0, 20),
    ];
    let any = MeasureOptions::default()
        .window(10)
        .order(StepOrder::AnyOrder);
    assert_eq!(reached(&events, &any), [2, 1, 1]);
    assert_eq!(
        reached(&events, &MeasureOptions::default().window(10)),
        [2, 0, 0]
    );
}
