#![no_main]
//! Fuzz target `dates`: see `fuzz/checks/dates.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::dates::check(data));
