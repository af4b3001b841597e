//! Every public type is `Send + Sync` (so tables and reports cross threads).

use attain_lifecycle::contract::ContractAttainment;
use attain_lifecycle::economics::{ChannelCac, ChannelCacReport};
use attain_lifecycle::*;

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Error>();
    send_sync::<LifecycleStage>();
    send_sync::<StageCounts>();
    send_sync::<StageMetrics>();
    send_sync::<StageValue>();
    send_sync::<StageGoal>();
    send_sync::<LifecycleMap>();
    send_sync::<GoalReport>();
    send_sync::<MapReport>();
    send_sync::<MrrChange>();
    send_sync::<CustomerMrr>();
    send_sync::<Window>();
    send_sync::<MrrMovements>();
    send_sync::<ContractGoal>();
    send_sync::<ContractAttainment>();
    send_sync::<UnitEconomicsInput>();
    send_sync::<UnitEconomics>();
    send_sync::<ChannelSpend>();
    send_sync::<ChannelCac>();
    send_sync::<ChannelCacReport>();
    send_sync::<CohortOptions>();
    send_sync::<CohortBuilder>();
    send_sync::<CohortCell>();
    send_sync::<Cohort>();
    send_sync::<CohortTable>();
}
