//! What every fuzz target asserts, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and by
//! the root crate's `tests/fuzz_regressions.rs`, which replays the kept inputs with plain
//! `cargo test`. Each `check` panics when an invariant fails and returns normally otherwise.

pub mod allocation;
pub mod amount;
pub mod arrow_batches;
pub mod clv_fit;
pub mod csv_readers;
pub mod customer_state;
pub mod dates;
pub mod segment_map;
pub mod thresholds;
pub mod window_funnel;

/// A target's check: panics when an invariant fails.
pub type Check = fn(&[u8]);

/// Every target by name, as the directories of `fuzz/regressions/` and `fuzz/seeds/` name them.
pub const TARGETS: &[(&str, Check)] = &[
    ("allocation", allocation::check),
    ("amount", amount::check),
    ("arrow_batches", arrow_batches::check),
    ("clv_fit", clv_fit::check),
    ("csv_readers", csv_readers::check),
    ("customer_state", customer_state::check),
    ("dates", dates::check),
    ("segment_map", segment_map::check),
    ("thresholds", thresholds::check),
    ("window_funnel", window_funnel::check),
];
