//! Properties: random splits of the input into partitions do not change the result.

use attain_datafusion::RfmFunctions;
use attain_rfm::{AggregateOptions, ScoreOptions, Scoring, SegmentMap};

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
