//! The SQL pipeline (rfm + rfm_score + rfm_segment) equals the in-memory path, for every
//! scoring mode and partitioning.

use attain_datafusion::{RfmFunctions, register};
use attain_rfm::{
    AfterAsOf, AggregateOptions, FrequencyMode, MonetaryMode, ReturnsMode, ScoreOptions, Scoring,
    SegmentMap, Transaction, aggregate, fit_thresholds,
};
use attain_types::{Decimal, dec};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::common::{Row, as_of, cdnow, context, generate, memory_path, partitions, run, sql_path};

fn scorings(rows: &[Row], options: AggregateOptions) -> Vec<ScoreOptions> {
    let txs = rows.iter().map(|r| Transaction {
        customer_id: &r.customer,
        date: r.date,
        amount: r.amount,
        order_id: r.order_id.as_deref(),
    });
    let table = aggregate(txs, as_of(), options).unwrap();
    let thresholds = fit_thresholds(
        &table.customers,
        &ScoreOptions::default().scoring(Scoring::RRfm),
    )
    .unwrap();
    vec![
        ScoreOptions::default(),
        ScoreOptions::default().scoring(Scoring::Ntile),
        ScoreOptions::default().scoring(Scoring::QcutRank).bins(4),
        ScoreOptions::default().scoring(Scoring::RRfm),
        ScoreOptions::default().scoring(Scoring::Thresholds(thresholds)),
    ]
}

/// Every scoring mode x target_partitions 1, 2, 8 on an input split into 5 partitions of
/// small batches, so partial states are built in many accumulators and merged.
fn check_all(rows: &[Row], options: AggregateOptions, cuts: &[usize], batch_rows: usize) {
    let map = SegmentMap::standard11();
    let mut checked = 0;
    for score_options in scorings(rows, options) {
        let expected = memory_path(rows, options, &score_options, &map, 2);
        assert!(expected.len() > 10, "too few customers to test anything");
        for target in [1, 2, 8] {
            let functions = RfmFunctions::new(as_of())
                .aggregate(options)
                .score(score_options.clone());
            let ctx = context(partitions(rows, cuts, batch_rows), target, &functions);
            let got = sql_path(&ctx, "", "");
            assert_eq!(
                got.len(),
                expected.len(),
                "{} target_partitions={target}",
                score_options.scoring.name()
            );
            for (g, e) in got.iter().zip(&expected) {
                assert_eq!(
                    g,
                    e,
                    "{} target_partitions={target}",
                    score_options.scoring.name()
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 15);
}

#[test]
fn generated_data_equals_memory_path_for_every_mode_and_partitioning() {
    let rows = generate(7, 300, 6_000);
    // The data has what the test claims it has.
    assert!(rows.iter().any(|r| r.amount < Decimal::ZERO));
    assert!(rows.iter().any(|r| r.date > as_of()));
    assert!(rows.iter().any(|r| r.order_id.is_none()));
    check_all(
        &rows,
        AggregateOptions::default(),
        &[700, 2_100, 2_200, 5_000],
        97,
    );
}

#[test]
fn cdnow_equals_memory_path_for_every_mode_and_partitioning() {
    let rows = cdnow();
    assert_eq!(rows.len(), 6_919);
    // as_of 2026 is far after CDNOW (1997-98): recency is large but exact.
    check_all(
        &rows,
        AggregateOptions::default(),
        &[1_000, 3_000, 3_001, 6_000],
        512,
    );
}

#[test]
fn aggregate_options_are_honoured() {
    let rows = generate(11, 120, 3_000);
    let modes = [
        AggregateOptions::default().returns(ReturnsMode::Excluded),
        AggregateOptions::default().returns(ReturnsMode::Gross),
        AggregateOptions::default().after_as_of(AfterAsOf::Include),
        AggregateOptions::default().frequency(FrequencyMode::Rows),
        AggregateOptions::default().frequency(FrequencyMode::DistinctDays),
        AggregateOptions::default().frequency(FrequencyMode::RepeatDays),
    ];
    let map = SegmentMap::standard11();
    for options in modes {
        let expected = memory_path(&rows, options, &ScoreOptions::default(), &map, 2);
        let functions = RfmFunctions::new(as_of()).aggregate(options);
        let ctx = context(partitions(&rows, &[500, 1_700], 64), 4, &functions);
        assert_eq!(sql_path(&ctx, "", ""), expected, "{options:?}");
    }
}

#[test]
fn mean_modes_round_half_even_to_ten_digits() {
    let rows = generate(13, 80, 2_000);
    let map = SegmentMap::standard11();
    for monetary in [
        MonetaryMode::MeanPerOrder,
        MonetaryMode::MeanPerDay,
        MonetaryMode::MeanRepeatDays,
    ] {
        let options = AggregateOptions::default().monetary(monetary);
        let expected = memory_path(&rows, options, &ScoreOptions::default(), &map, 10);
        let functions = RfmFunctions::new(as_of()).aggregate(options);
        let ctx = context(partitions(&rows, &[300, 1_200], 50), 8, &functions);
        let got = sql_path(&ctx, "", "");
        assert_eq!(got, expected, "{monetary:?}");
        // Means really carry more than the two input digits.
        assert!(
            got.iter()
                .any(|o| o.monetary.scale() > 2 && !o.monetary.fract().is_zero())
        );
    }
}

#[test]
fn literal_method_bins_and_map_arguments() {
    let rows = generate(17, 200, 3_000);
    let options = AggregateOptions::default();
    let three = SegmentMap::three();
    let functions = RfmFunctions::new(as_of());
    let ctx = context(partitions(&rows, &[1_000], 128), 2, &functions);
    for (args, score_options) in [
        (
            ", 'ntile', 4",
            ScoreOptions::default().scoring(Scoring::Ntile).bins(4),
        ),
        (
            ", 'qcut-rank'",
            ScoreOptions::default().scoring(Scoring::QcutRank),
        ),
        (
            ", 'r-rfm', 5",
            ScoreOptions::default().scoring(Scoring::RRfm),
        ),
        (", 'ties', 5", ScoreOptions::default()),
    ] {
        let bins = score_options.bins;
        let map_arg = if bins == 5 { ", 'three'" } else { "" };
        let got = sql_path(&ctx, args, map_arg);
        let map = if bins == 5 {
            three.clone()
        } else {
            SegmentMap::standard11()
        };
        let expected = memory_path(&rows, options, &score_options, &map, 2);
        assert_eq!(got, expected, "{args}");
    }
}

#[test]
fn the_partial_state_path_without_pre_aggregation_is_exact() {
    // Force DataFusion to skip partial aggregation and ship one state per row
    // (GroupsAccumulator::convert_to_state).
    let rows = generate(19, 250, 4_000);
    let mut config = SessionConfig::new().with_target_partitions(4);
    let opts = config.options_mut();
    opts.execution.skip_partial_aggregation_probe_rows_threshold = 1;
    opts.execution
        .skip_partial_aggregation_probe_ratio_threshold = 0.0;
    let ctx = SessionContext::new_with_config(config);
    let table = datafusion::datasource::MemTable::try_new(
        crate::common::schema(),
        partitions(&rows, &[1_000, 2_000, 3_000], 100),
    )
    .unwrap();
    ctx.register_table("tx", std::sync::Arc::new(table))
        .unwrap();
    register(&ctx, &RfmFunctions::new(as_of())).unwrap();
    let expected = memory_path(
        &rows,
        AggregateOptions::default(),
        &ScoreOptions::default(),
        &SegmentMap::standard11(),
        2,
    );
    assert_eq!(sql_path(&ctx, "", ""), expected);
}

#[test]
fn without_group_by_and_without_order_ids() {
    // One customer, no GROUP BY (the plain Accumulator), no order id column: every row is an
    // order.
    let rows: Vec<Row> = generate(23, 1, 50);
    let functions = RfmFunctions::new(as_of());
    let ctx = context(partitions(&rows, &[10, 30], 7), 3, &functions);
    let batches = run(
        &ctx,
        "SELECT get_field(v, 'frequency') AS f, CAST(get_field(v, 'monetary') AS VARCHAR) AS m \
         FROM (SELECT rfm(order_date, amount) AS v FROM tx)",
    )
    .unwrap();
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    let used: Vec<&Row> = rows.iter().filter(|r| r.date <= as_of()).collect();
    let total: Decimal = used.iter().map(|r| r.amount).sum();
    assert!(
        text.contains(&format!("| {} | {total} |", used.len())),
        "{text}"
    );
    assert!(total > dec!(0));
}
