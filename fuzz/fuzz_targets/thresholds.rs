#![no_main]
//! Fuzz target `thresholds`: see `fuzz/checks/thresholds.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::thresholds::check(data));
