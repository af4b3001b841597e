//! Funnels measured from arbitrary event sequences: against a brute-force reference written
//! here (every chain of every entity enumerated) for the non-strict and strict orders with a
//! window and per-step windows; and for every mode (ClickHouse's `windowFunnel` modes, any
//! order, exclusions, counting and attribution options) no panic, and meters over disjoint
//! entities merged equal to the whole.

use arbitrary::{Result, Unstructured};
use attain_funnel::measure::{
    Attribution, Counting, Event, Exclusion, FunnelMeter, MeasureOptions, OTHER_STEP, StepOrder,
    WindowFunnelModes, measure,
};

/// The furthest step count (`0` = none, `k` = steps `0..k`) any chain of `events` reaches.
fn brute_level(
    events: &[(u32, i64)],
    steps: usize,
    strict: bool,
    window: Option<i64>,
    step_windows: &[Option<i64>],
) -> usize {
    #[allow(clippy::too_many_arguments)] // the chain so far, spelled out
    fn extend(
        events: &[(u32, i64)],
        steps: usize,
        strict: bool,
        window: Option<i64>,
        step_windows: &[Option<i64>],
        first: i64,
        prev: i64,
        depth: usize,
    ) -> usize {
        if depth == steps {
            return depth;
        }
        let mut best = depth;
        for &(s, t) in events {
            if s as usize != depth {
                continue;
            }
            let ordered = if strict { t > prev } else { t >= prev };
            let in_window =
                window.is_none_or(|w| i128::from(t) - i128::from(first) <= i128::from(w));
            let in_step = step_windows
                .get(depth)
                .copied()
                .flatten()
                .is_none_or(|w| i128::from(t) - i128::from(prev) <= i128::from(w));
            if ordered && in_window && in_step {
                best = best.max(extend(
                    events,
                    steps,
                    strict,
                    window,
                    step_windows,
                    first,
                    t,
                    depth + 1,
                ));
                if best == steps {
                    break;
                }
            }
        }
        best
    }
    let mut best = 0;
    for &(s, t) in events {
        if s == 0 {
            best = best.max(extend(events, steps, strict, window, step_windows, t, t, 1));
        }
    }
    best
}

struct Case {
    events: Vec<Event>,
    steps: usize,
    options: MeasureOptions,
    /// Whether the brute force applies (non-strict or strict order, no exclusions, unique counting).
    reference: bool,
}

fn case(u: &mut Unstructured<'_>) -> Result<Case> {
    let steps = u.int_in_range(1..=4)?;
    let wide = u.ratio(1, 8)?;
    let n = u.int_in_range(0..=40)?;
    let mut options = MeasureOptions::default();
    let mut reference = true;
    if u.arbitrary()? {
        options = options.window(if wide {
            u.arbitrary::<i64>()?.saturating_abs()
        } else {
            u.int_in_range(0..=12)?
        });
    }
    if u.ratio(1, 4)? {
        options = options.step_windows(
            (0..steps)
                .map(|_| {
                    u.arbitrary::<Option<u8>>()
                        .map(|w| w.map(|w| i64::from(w % 8)))
                })
                .collect::<Result<_>>()?,
        );
    }
    let exclusions = if u.ratio(1, 6)? {
        reference = false;
        let from = u.int_in_range(0..=steps - 1)?;
        vec![Exclusion {
            from_step: from,
            to_step: u.int_in_range(from..=steps)?,
        }]
    } else {
        Vec::new()
    };
    let kinds = exclusions.len() as u32;
    options = options.exclusions(exclusions);
    match u.int_in_range(0..=5)? {
        0 | 1 => {}
        2 => options = options.order(StepOrder::Strict),
        3 => {
            reference = false;
            options = options.order(StepOrder::AnyOrder);
        }
        _ => {
            reference = false;
            let m = WindowFunnelModes {
                strict_deduplication: u.arbitrary()?,
                strict_order: u.arbitrary()?,
                strict_increase: u.arbitrary()?,
                allow_reentry: u.arbitrary()?,
                strict_once: u.arbitrary()?,
            };
            options = options.order(StepOrder::WindowFunnel(m));
        }
    }
    if u.ratio(1, 4)? {
        reference = false;
        options = options.counting([Counting::Totals, Counting::HoldConstant][u.choose_index(2)?]);
    }
    if u.ratio(1, 4)? {
        options = options.breakdown(true).attribution(
            [
                Attribution::FirstTouch,
                Attribution::LastTouch,
                Attribution::Step(u.int_in_range(0..=4)?),
                Attribution::AllSteps,
            ][u.choose_index(4)?],
        );
    }
    options = options.keep_paths(u.arbitrary()?);
    let mut events = Vec::with_capacity(n);
    for _ in 0..n {
        let step = match u.int_in_range(0..=15)? {
            0 => OTHER_STEP,
            1 => steps as u32 + u.int_in_range(0..=kinds)?,
            _ => u.int_in_range(0..=steps as u32 - 1)?,
        };
        let timestamp = if wide {
            u.arbitrary()?
        } else {
            u.int_in_range(0..=20)?
        };
        events.push(Event {
            entity: u.int_in_range(0..=3)?,
            step,
            timestamp,
            group: u.int_in_range(0..=2)?,
        });
    }
    Ok(Case {
        events,
        steps,
        options,
        reference,
    })
}

fn merged_by_entity(c: &Case) -> Option<attain_funnel::measure::FunnelMeasurement> {
    let mut sorted = c.events.clone();
    sorted.sort_by_key(|e| e.entity);
    let mut odd = FunnelMeter::new(c.steps, c.options.clone()).ok()?;
    let mut even = FunnelMeter::new(c.steps, c.options.clone()).ok()?;
    for e in sorted {
        if e.entity % 2 == 1 {
            odd.push(e)
        } else {
            even.push(e)
        }
        .ok()?;
    }
    even.merge(odd).ok()?;
    Some(even.finish())
}

pub fn check(data: &[u8]) {
    let Ok(c) = case(&mut Unstructured::new(data)) else {
        return;
    };
    let result = measure(&c.events, c.steps, &c.options);
    let known = |s: u32| s == OTHER_STEP || (s as usize) < c.steps + c.options.exclusions.len();
    let Ok(m) = result else {
        let e = result.expect_err("an error");
        let options_error = matches!(
            e,
            attain_funnel::Error::InvalidOptions { .. }
                | attain_funnel::Error::InvalidWindow { .. }
        );
        assert!(
            options_error || c.events.iter().any(|ev| !known(ev.step)),
            "refused a valid funnel: {e}"
        );
        return;
    };
    assert!(
        c.events.iter().all(|ev| known(ev.step)),
        "accepted an event of no step"
    );
    assert_eq!(
        merged_by_entity(&c).as_ref(),
        Some(&m),
        "meters merged by entity differ from the whole"
    );
    if !c.reference {
        return;
    }
    let strict = c.options.order == StepOrder::Strict;
    let mut entities: Vec<u64> = c.events.iter().map(|e| e.entity).collect();
    entities.sort_unstable();
    entities.dedup();
    assert_eq!(m.total.entities, entities.len() as u64, "entities");
    let mut reached = vec![0u64; c.steps];
    let mut deepest = vec![0u64; c.steps];
    for &entity in &entities {
        let evs: Vec<(u32, i64)> = c
            .events
            .iter()
            .filter(|e| e.entity == entity && e.step != OTHER_STEP)
            .map(|e| (e.step, e.timestamp))
            .collect();
        let level = brute_level(
            &evs,
            c.steps,
            strict,
            c.options.window,
            &c.options.step_windows,
        );
        for r in reached.iter_mut().take(level) {
            *r += 1;
        }
        if level > 0 {
            deepest[level - 1] += 1;
        }
        if c.options.keep_paths {
            let path = m.paths.iter().find(|p| p.entity == entity);
            assert_eq!(
                path.map_or(0, |p| p.timestamps.len()),
                level,
                "entity {entity}: path length"
            );
        }
    }
    let got: Vec<u64> = m.total.steps.iter().map(|s| s.reached).collect();
    assert_eq!(
        got, reached,
        "reached per step differs from the brute force ({:?}, events {:?})",
        c.options, c.events
    );
    let got: Vec<u64> = m.total.steps.iter().map(|s| s.deepest).collect();
    assert_eq!(
        got, deepest,
        "deepest per step differs from the brute force"
    );
}
