#![no_main]
//! Fuzz target `customer_state`: see `fuzz/checks/customer_state.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::customer_state::check(data));
