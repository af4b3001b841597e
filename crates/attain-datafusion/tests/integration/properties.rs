//! Properties: random splits of the input into partitions do not change the result.

use attain_datafusion::RfmFunctions;
use attain_rfm::{
    AggregateOptions, FrequencyMode, MonetaryMode, ScoreOptions, Scoring, SegmentMap,
};

use crate::common::{as_of, context, generate, memory_path, partitions, sql_path};

/// A small xorshift generator: the cases are drawn from fixed seeds, so a failure names its
/// case and reruns identically. (proptest is not used in this crate: as a dev-dependency it
/// changes the features of a dependency DataFusion shares, which would compile DataFusion twice.)
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn prop_partitioning_does_not_change_results() {
    for case in 0..8u64 {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (case + 1));
        let seed = rng.below(1_000);
        let cuts: Vec<usize> = (0..rng.below(6))
            .map(|_| rng.below(1_500) as usize)
            .collect();
        let batch_rows = 1 + rng.below(299) as usize;
        let target = [1usize, 2, 3, 8][rng.below(4) as usize];
        let ntile = rng.below(2) == 1;
        let rows = generate(seed, 60, 1_500);
        let score_options = if ntile {
            ScoreOptions::default().scoring(Scoring::Ntile)
        } else {
            ScoreOptions::default()
        };
        let map = SegmentMap::standard11();
        let expected = memory_path(&rows, AggregateOptions::default(), &score_options, &map, 2);
        let functions = RfmFunctions::new(as_of()).score(score_options);
        let ctx = context(partitions(&rows, &cuts, batch_rows), target, &functions);
        assert_eq!(
            sql_path(&ctx, "", ""),
            expected,
            "case {case}: seed {seed}, cuts {cuts:?}, batch rows {batch_rows}, {target} partitions, ntile {ntile}"
        );
    }
}

/// The order id `o<n>` of the generator rewritten into one of four shapes by `n`, keeping
/// equal ids equal and different ids different: short (packed keys), exactly 15 bytes (the
/// longest packed key), 16 bytes with a multi-byte character (the shortest text id), and a
/// long text id.
fn reshape(id: &str) -> String {
    let n: u64 = id.trim_start_matches('o').parse().unwrap();
    match n % 4 {
        0 => id.to_owned(),
        1 => format!("{n:0>15}"),
        2 => format!("\u{f6}{n:0>14}"),
        _ => format!("order-number-{n:0>20}"),
    }
}

#[test]
fn prop_compact_order_ids_equal_memory_at_1_2_8_partitions() {
    // Distinct-order frequency and the per-order mean over ids of every shape the compact
    // state distinguishes, on random splits, at target_partitions 1, 2 and 8.
    for case in 0..4u64 {
        let mut rng = Rng(0x51_7cc1_b727_220a ^ (case + 1));
        let mut rows = generate(rng.below(1_000), 50, 1_200);
        for r in &mut rows {
            r.order_id = r.order_id.as_deref().map(reshape);
        }
        let cuts: Vec<usize> = (0..1 + rng.below(5))
            .map(|_| rng.below(1_200) as usize)
            .collect();
        let batch_rows = 1 + rng.below(200) as usize;
        let options = AggregateOptions::default()
            .frequency(FrequencyMode::DistinctOrders)
            .monetary(if case % 2 == 0 {
                MonetaryMode::Sum
            } else {
                MonetaryMode::MeanPerOrder
            });
        let scale = if case % 2 == 0 { 2 } else { 10 };
        let score_options = ScoreOptions::default();
        let map = SegmentMap::standard11();
        let expected = memory_path(&rows, options, &score_options, &map, scale);
        assert!(
            expected.iter().any(|o| o.frequency > 20),
            "case {case}: too small to test"
        );
        for target in [1, 2, 8] {
            let functions = RfmFunctions::new(as_of()).aggregate(options);
            let ctx = context(partitions(&rows, &cuts, batch_rows), target, &functions);
            assert_eq!(
                sql_path(&ctx, "", ""),
                expected,
                "case {case}: cuts {cuts:?}, batch rows {batch_rows}, {target} partitions"
            );
        }
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<attain_datafusion::RfmAggregate>();
    check::<attain_datafusion::RfmScoreWindow>();
    check::<attain_datafusion::RfmSegmentFunction>();
    check::<attain_datafusion::PeriodFunction>();
    check::<RfmFunctions>();
    check::<attain_datafusion::Error>();
}
