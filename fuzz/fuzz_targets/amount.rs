#![no_main]
//! Fuzz target `amount`: see `fuzz/checks/amount.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::amount::check(data));
