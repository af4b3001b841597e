//! `windowFunnel` and `retention` checked entity by entity against ClickHouse 26.9's own output
//! (chdb 4.4.0), on the seeded adversarial log of `tests/data/clickhouse/` (provenance in its
//! README). No Python is needed: the expected files are committed.

use std::collections::{BTreeMap, HashMap};

use attain_funnel::measure::{
    Event, MeasureOptions, OTHER_STEP, StepOrder, WindowFunnelModes, measure,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/clickhouse");
const WINDOW: i64 = 3600;
const STEPS: [&str; 4] = ["visit", "signup", "trial", "deal"];

/// The test log: events (entity interned in first-seen order) and entity names.
struct Log {
    events: Vec<Event>,
    names: Vec<String>,
}

fn load_log() -> Log {
    let text = std::fs::read_to_string(format!("{DATA}/events.csv")).unwrap();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut names = Vec::new();
    let mut events = Vec::new();
    // The fixture is three plain columns written by the peer: split on commas.
    for line in text.lines().skip(1) {
        let mut f = line.split(',');
        let (name, step, time) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let entity = *ids.entry(name.to_owned()).or_insert_with(|| {
            names.push(name.to_owned());
            names.len() as u64 - 1
        });
        let step = STEPS
            .iter()
            .position(|s| *s == step)
            .map_or(OTHER_STEP, |i| i as u32);
        events.push(Event {
            entity,
            step,
            timestamp: time.parse().unwrap(),
            group: 0,
        });
    }
    Log { events, names }
}

/// Expected per-entity columns of a CSV written by ClickHouse (quoted names).
fn expected(file: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_owned())
        .collect();
    let rows = lines
        .map(|l| {
            let mut f = l.split(',').map(|v| v.trim_matches('"').to_owned());
            (f.next().unwrap(), f.collect())
        })
        .collect();
    (header, rows)
}

/// Per-entity level of attain with `order`, window 3600.
fn levels(log: &Log, order: StepOrder) -> BTreeMap<String, usize> {
    let m = measure(
        &log.events,
        STEPS.len(),
        &MeasureOptions::default()
            .window(WINDOW)
            .order(order)
            .keep_paths(true),
    )
    .unwrap();
    let mut out: BTreeMap<String, usize> = log.names.iter().map(|n| (n.clone(), 0)).collect();
    for p in &m.paths {
        out.insert(log.names[p.entity as usize].clone(), p.timestamps.len());
    }
    out
}

fn modes_of(column: &str) -> &'static str {
    match column {
        "default" => "",
        "dedup" => "strict_deduplication",
        "order" => "strict_order",
        "increase" => "strict_increase",
        "order_reentry" => "strict_order,allow_reentry",
        "dedup_order" => "strict_deduplication,strict_order",
        "dedup_increase" => "strict_deduplication,strict_increase",
        "order_increase" => "strict_order,strict_increase",
        "dedup_order_increase" => "strict_deduplication,strict_order,strict_increase",
        "increase_once" => "strict_increase,strict_once",
        other => panic!("unknown column {other}"),
    }
}

fn assert_column(
    log: &Log,
    header: &[String],
    rows: &BTreeMap<String, Vec<String>>,
    column: &str,
    order: StepOrder,
) {
    let i = header.iter().position(|h| h == column).unwrap() - 1;
    let ours = levels(log, order);
    assert_eq!(ours.len(), rows.len(), "{column}: entity count");
    let mut differ = Vec::new();
    for (entity, values) in rows {
        let theirs: usize = values[i].parse().unwrap();
        if ours.get(entity) != Some(&theirs) {
            differ.push((entity.clone(), ours.get(entity).copied(), theirs));
        }
    }
    assert!(
        differ.is_empty(),
        "{column}: {} entities differ from ClickHouse, first {:?}",
        differ.len(),
        &differ[..differ.len().min(5)]
    );
}

#[test]
fn every_window_funnel_mode_equals_clickhouse_on_every_entity() {
    let log = load_log();
    assert!(log.events.len() >= 100_000);
    let (header, rows) = expected("window_funnel.csv");
    assert_eq!(header.len(), 11, "{header:?}");
    for column in &header[1..] {
        let modes = WindowFunnelModes::parse(modes_of(column)).unwrap();
        assert_column(&log, &header, &rows, column, StepOrder::WindowFunnel(modes));
    }
}

#[test]
fn attain_orders_equal_their_clickhouse_counterparts() {
    let log = load_log();
    let (header, rows) = expected("window_funnel.csv");
    // attain's default is windowFunnel without modes; attain's strict order is
    // 'strict_increase','strict_once' (every chain kept).
    assert_column(&log, &header, &rows, "default", StepOrder::NonStrict);
    assert_column(&log, &header, &rows, "increase_once", StepOrder::Strict);
}

#[test]
fn attain_strict_differs_from_plain_strict_increase_where_clickhouse_drops_a_chain() {
    // Shown on the log: entities where ClickHouse's plain strict_increase stops below
    // attain's strict order, never above.
    let log = load_log();
    let (header, rows) = expected("window_funnel.csv");
    let i = header.iter().position(|h| h == "increase").unwrap() - 1;
    let ours = levels(&log, StepOrder::Strict);
    let mut below = 0;
    for (entity, values) in &rows {
        let theirs: usize = values[i].parse().unwrap();
        assert!(theirs <= ours[entity], "{entity}");
        below += usize::from(theirs < ours[entity]);
    }
    assert!(below > 0, "the log has no case where the two differ");
    // And the smallest such case, by hand: visit at 3, visit at 5, signup at 5.
    let ev = |step, timestamp| Event {
        entity: 0,
        step,
        timestamp,
        group: 0,
    };
    let events = [ev(0, 3), ev(0, 5), ev(1, 5)];
    let reached = |order| {
        measure(&events, 2, &MeasureOptions::default().order(order))
            .unwrap()
            .total
            .steps[1]
            .reached
    };
    assert_eq!(reached(StepOrder::Strict), 1);
    let plain = WindowFunnelModes::parse("strict_increase").unwrap();
    assert_eq!(reached(StepOrder::WindowFunnel(plain)), 0);
}

#[test]
fn retention_equals_clickhouse_on_every_entity() {
    use attain_funnel::retention::{RetentionEvent, condition_retention, entity_day_retention};
    let log = load_log();
    let (header, rows) = expected("retention.csv");
    assert_eq!(header, ["entity_id", "steps", "days"]);
    let mut holds = vec![vec![false; STEPS.len()]; log.names.len()];
    for e in &log.events {
        if let Some(h) = holds[e.entity as usize].get_mut(e.step as usize) {
            *h = true;
        }
    }
    let visits: Vec<RetentionEvent> = log
        .events
        .iter()
        .map(|e| RetentionEvent {
            entity: e.entity,
            timestamp: e.timestamp,
            starts: e.step == 0,
            returns: e.step == 0,
        })
        .collect();
    let days = entity_day_retention(&visits, 7);
    let digits = |f: &[bool]| {
        f.iter()
            .map(|&b| if b { '1' } else { '0' })
            .collect::<String>()
    };
    let (mut retained_later, mut checked) = (0, 0);
    for (entity, name) in log.names.iter().enumerate() {
        let row = &rows[name];
        assert_eq!(
            digits(&condition_retention(&holds[entity])),
            row[0],
            "{name} steps"
        );
        let ours = days
            .get(&(entity as u64))
            .map_or("00000000".to_owned(), |(_, f)| digits(f));
        assert_eq!(ours, row[1], "{name} days");
        retained_later += usize::from(ours[1..].contains('1'));
        checked += 1;
    }
    assert_eq!(checked, rows.len());
    assert!(
        retained_later > 100,
        "the log exercises later days: {retained_later}"
    );
}
