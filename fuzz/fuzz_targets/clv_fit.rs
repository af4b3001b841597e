#![no_main]
//! Fuzz target `clv_fit`: see `fuzz/checks/clv_fit.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::clv_fit::check(data));
