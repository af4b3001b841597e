#![no_main]
//! Fuzz target `arrow_batches`: see `fuzz/checks/arrow_batches.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::arrow_batches::check(data));
