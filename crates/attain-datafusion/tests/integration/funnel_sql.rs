//! `window_funnel` and `retention` in SQL equal ClickHouse's own output (the expected files
//! attain-funnel keeps, written by ClickHouse 26.9 through chdb) in every mode combination,
//! at 1, 2 and 8 partitions with every entity's rows spread over the partitions.

use std::collections::BTreeMap;
use std::sync::Arc;

use attain_datafusion::{RetentionAggregate, WindowFunnelAggregate};
use datafusion::arrow::array::{AsArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, UInt8Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../attain-funnel/tests/data/clickhouse"
);

/// The ten mode combinations of `window_funnel.csv`'s columns, in ClickHouse's names.
const MODES: [(&str, &str); 10] = [
    ("default", ""),
    ("dedup", "strict_deduplication"),
    ("order", "strict_order"),
    ("increase", "strict_increase"),
    ("order_reentry", "strict_order,allow_reentry"),
    ("dedup_order", "strict_deduplication,strict_order"),
    ("dedup_increase", "strict_deduplication,strict_increase"),
    ("order_increase", "strict_order,strict_increase"),
    (
        "dedup_order_increase",
        "strict_deduplication,strict_order,strict_increase",
    ),
    ("increase_once", "strict_increase,strict_once"),
];

/// `events.csv` as `parts` partitions, rows dealt round robin (so every entity with several
/// rows is split across partitions), batches of 1,000 rows.
fn context(parts: usize) -> SessionContext {
    let text = std::fs::read_to_string(format!("{DATA}/events.csv")).unwrap();
    let rows: Vec<(String, String, i64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_owned(), f[1].to_owned(), f[2].parse().unwrap())
        })
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("entity_id", DataType::Utf8, false),
        Field::new("step", DataType::Utf8, false),
        Field::new("timestamp", DataType::Int64, false),
    ]));
    let partitions: Vec<Vec<RecordBatch>> = (0..parts)
        .map(|p| {
            let mine: Vec<&(String, String, i64)> = rows.iter().skip(p).step_by(parts).collect();
            mine.chunks(1_000)
                .map(|chunk| {
                    RecordBatch::try_new(
                        schema.clone(),
                        vec![
                            Arc::new(StringArray::from_iter_values(chunk.iter().map(|r| &r.0))),
                            Arc::new(StringArray::from_iter_values(chunk.iter().map(|r| &r.1))),
                            Arc::new(Int64Array::from_iter_values(chunk.iter().map(|r| r.2))),
                        ],
                    )
                    .unwrap()
                })
                .collect()
        })
        .collect();
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(parts));
    ctx.register_table(
        "events",
        Arc::new(MemTable::try_new(schema, partitions).unwrap()),
    )
    .unwrap();
    ctx.register_udaf(WindowFunnelAggregate::new().into());
    ctx.register_udaf(RetentionAggregate::new().into());
    ctx
}

fn run(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { ctx.sql(sql).await?.collect().await })
        .unwrap()
}

/// ClickHouse's expected file: header and, per entity, its values.
fn expected(file: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
    let mut lines = text.lines();
    let header = lines
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

const CONDITIONS: &str = "step = 'visit', step = 'signup', step = 'trial', step = 'deal'";

#[test]
fn window_funnel_equals_clickhouse_in_every_mode_at_1_2_and_8_partitions() {
    let (header, want) = expected("window_funnel.csv");
    let columns: Vec<String> = MODES
        .iter()
        .map(|(name, modes)| {
            format!("window_funnel(3600, '{modes}', timestamp, {CONDITIONS}) AS {name}")
        })
        .collect();
    let sql = format!(
        "SELECT entity_id, {} FROM events GROUP BY entity_id ORDER BY entity_id",
        columns.join(", ")
    );
    for parts in [1, 2, 8] {
        let batches = run(&context(parts), &sql);
        let mut seen = 0;
        for b in &batches {
            let ids = b.column(0).as_string::<i32>();
            for row in 0..b.num_rows() {
                let id = ids.value(row);
                let levels = &want[id];
                for (k, (name, _)) in MODES.iter().enumerate() {
                    assert_eq!(header[k + 1], *name);
                    let got = b.column(k + 1).as_primitive::<UInt8Type>().value(row);
                    assert_eq!(
                        got.to_string(),
                        levels[k],
                        "{parts} partitions, entity {id}, mode {name}"
                    );
                }
                seen += 1;
            }
        }
        assert_eq!(seen, want.len(), "{parts} partitions");
    }
    // Without the modes argument: ClickHouse's default.
    let plain = run(
        &context(2),
        &format!(
            "SELECT count(*) FROM (SELECT window_funnel(3600, timestamp, {CONDITIONS}) AS l FROM events GROUP BY entity_id) WHERE l = 4"
        ),
    );
    let four = want.values().filter(|v| v[0] == "4").count();
    assert_eq!(
        plain[0]
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .value(0),
        four as i64
    );
}

#[test]
fn retention_equals_clickhouse_at_1_2_and_8_partitions() {
    let (_, want) = expected("retention.csv");
    let sql = format!(
        "SELECT entity_id, retention({CONDITIONS}) AS steps FROM events GROUP BY entity_id ORDER BY entity_id"
    );
    for parts in [1, 2, 8] {
        let batches = run(&context(parts), &sql);
        let mut seen = 0;
        for b in &batches {
            let ids = b.column(0).as_string::<i32>();
            let lists = b.column(1).as_list::<i32>();
            for row in 0..b.num_rows() {
                let flags = lists.value(row);
                let digits: String = flags
                    .as_primitive::<UInt8Type>()
                    .iter()
                    .map(|v| v.unwrap().to_string())
                    .collect();
                assert_eq!(digits, want[ids.value(row)][0], "{parts} partitions");
                seen += 1;
            }
        }
        assert_eq!(seen, want.len());
    }
}

#[test]
fn bad_calls_are_plan_errors_naming_the_argument() {
    let ctx = context(1);
    for (sql, message) in [
        (
            "SELECT window_funnel(3600, timestamp) FROM events",
            "conditions",
        ),
        (
            "SELECT window_funnel('x', timestamp, step = 'visit') FROM events",
            "window",
        ),
        (
            "SELECT window_funnel(3600, 'strict', timestamp, step = 'visit') FROM events",
            "modes",
        ),
        (
            "SELECT window_funnel(-1, timestamp, step = 'visit') FROM events",
            "window",
        ),
        (
            "SELECT window_funnel(3600, step, step = 'visit') FROM events",
            "timestamp",
        ),
        (
            "SELECT window_funnel(3600, timestamp, timestamp) FROM events",
            "cond1",
        ),
        ("SELECT retention(timestamp) FROM events", "cond1"),
        ("SELECT retention() FROM events", "retention"),
    ] {
        let err = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async { ctx.sql(sql).await?.collect().await })
            .unwrap_err()
            .to_string();
        assert!(err.contains(message), "{sql}: {err}");
    }
}

/// attain's own orders (`attain_strict`, `attain_any_order`) in SQL equal attain-funnel's
/// in-memory `measure` on the same events: the number of entities reaching each step.
#[test]
fn attains_own_orders_equal_the_in_memory_funnel_at_1_2_and_8_partitions() {
    use attain_funnel::measure::{Event, MeasureOptions, OTHER_STEP, StepOrder, measure};
    let steps = ["visit", "signup", "trial", "deal"];
    let text = std::fs::read_to_string(format!("{DATA}/events.csv")).unwrap();
    let mut ids: BTreeMap<String, u64> = BTreeMap::new();
    let events: Vec<Event> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let next = ids.len() as u64;
            Event {
                entity: *ids.entry(f[0].to_owned()).or_insert(next),
                step: steps
                    .iter()
                    .position(|s| *s == f[1])
                    .map_or(OTHER_STEP, |i| i as u32),
                timestamp: f[2].parse().unwrap(),
                group: 0,
            }
        })
        .collect();
    for (mode, order) in [
        ("attain_strict", StepOrder::Strict),
        ("attain_any_order", StepOrder::AnyOrder),
    ] {
        let m = measure(
            &events,
            steps.len(),
            &MeasureOptions::default().window(3600).order(order),
        )
        .unwrap();
        let want: Vec<i64> = m.total.steps.iter().map(|s| s.reached as i64).collect();
        let sql = format!(
            "SELECT count(*) FILTER (WHERE l >= 1), count(*) FILTER (WHERE l >= 2),
                    count(*) FILTER (WHERE l >= 3), count(*) FILTER (WHERE l >= 4)
             FROM (SELECT window_funnel(3600, '{mode}', timestamp, {CONDITIONS}) AS l
                   FROM events GROUP BY entity_id)"
        );
        for parts in [1, 2, 8] {
            let b = &run(&context(parts), &sql)[0];
            let got: Vec<i64> = (0..4)
                .map(|k| {
                    b.column(k)
                        .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                        .value(0)
                })
                .collect();
            assert_eq!(got, want, "{mode}, {parts} partitions");
        }
    }
}
