//! Properties: random splits of the input into partitions do not change the result.

use attain_datafusion::RfmFunctions;
use attain_rfm::{AggregateOptions, ScoreOptions, Scoring, SegmentMap};
use proptest::prelude::*;

use crate::common::{as_of, context, generate, memory_path, partitions, sql_path};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn prop_partitioning_does_not_change_results(
        seed in 0u64..1_000,
        cuts in proptest::collection::vec(0usize..1_500, 0..6),
        batch_rows in 1usize..300,
        target in prop::sample::select(vec![1usize, 2, 3, 8]),
        ntile in any::<bool>(),
    ) {
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
        prop_assert_eq!(sql_path(&ctx, "", ""), expected);
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<attain_datafusion::RfmAggregate>();
    check::<attain_datafusion::RfmScoreWindow>();
    check::<attain_datafusion::RfmSegmentFunction>();
    check::<attain_datafusion::PeriodFunction>();
    check::<attain_datafusion::RfmFunctions>();
    check::<attain_datafusion::Error>();
}
