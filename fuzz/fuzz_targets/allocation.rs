#![no_main]
//! Fuzz target `allocation`: see `fuzz/checks/allocation.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::allocation::check(data));
