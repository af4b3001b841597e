//! Replays the fuzz targets' kept inputs with plain `cargo test` (no nightly, no libFuzzer):
//! every file of `fuzz/regressions/<target>/` (each crash a fuzzer found, minimised, kept after
//! its fix) and of `fuzz/seeds/<target>/` goes through the same check the target runs. The
//! checks are `fuzz/checks/`, shared with the cargo-fuzz targets; see `fuzz/README.md`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub,
    missing_docs
)]

use std::path::{Path, PathBuf};

#[path = "../fuzz/checks/mod.rs"]
mod checks;

/// The files of `fuzz/<kind>/<target>/`, sorted.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let (_, check) = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target of that name");
    let seeds = inputs("seeds", target);
    assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ is empty");
    for path in inputs("regressions", target).iter().chain(&seeds) {
        let bytes = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(
            outcome.is_ok(),
            "{} fails its check (see the panic above)",
            path.display()
        );
    }
}

macro_rules! replay_tests {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*

        #[test]
        fn every_target_is_replayed() {
            let mut named = vec![$(stringify!($target)),*];
            named.sort_unstable();
            let mut all: Vec<&str> = checks::TARGETS.iter().map(|(name, _)| *name).collect();
            all.sort_unstable();
            assert_eq!(named, all);
        }
    };
}

replay_tests!(
    allocation,
    amount,
    arrow_batches,
    clv_fit,
    csv_readers,
    customer_state,
    dates,
    segment_map,
    thresholds,
    window_funnel,
);
