#![no_main]
//! Fuzz target `csv_readers`: see `fuzz/checks/csv_readers.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::csv_readers::check(data));
