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

/// A deterministic xorshift generator for the mutation smoke.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `seed` with a few byte-level mutations (flip, insert, delete, duplicate, an interesting
/// byte), the way a fuzzer starts; deterministic for a given `rng`.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    const INTERESTING: &[u8] = b"\0\xff-.,\n\r\"0159 :Tz+e";
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 if at < v.len() => v[at] ^= 1 << rng.below(8),
            1 => v.insert(at, rng.next() as u8),
            2 if at < v.len() => {
                v.remove(at);
            }
            3 if at < v.len() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                let chunk = v[at..end].to_vec();
                v.splice(at..at, chunk);
            }
            _ => v.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
        }
    }
    v
}

/// A short stable-toolchain smoke of the target: every seed mutated `per_seed` times, each
/// mutant through the check (the nightly campaigns in `fuzz/RESULTS.md` go much further).
fn smoke(target: &str, per_seed: usize) {
    let (_, check) = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target of that name");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for path in inputs("seeds", target) {
        let seed = std::fs::read(&path).unwrap();
        for _ in 0..per_seed {
            let input = mutate(&seed, &mut rng);
            let outcome = std::panic::catch_unwind(|| check(&input));
            assert!(
                outcome.is_ok(),
                "a mutant of {} fails its check: {input:?}",
                path.display()
            );
        }
    }
}

macro_rules! replay_tests {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
                smoke(stringify!($target), 40);
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
