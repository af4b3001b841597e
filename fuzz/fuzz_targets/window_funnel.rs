#![no_main]
//! Fuzz target `window_funnel`: see `fuzz/checks/window_funnel.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::window_funnel::check(data));
