#![no_main]
//! Fuzz target `segment_map`: see `fuzz/checks/segment_map.rs` for what it asserts.
libfuzzer_sys::fuzz_target!(|data: &[u8]| attain_fuzz::checks::segment_map::check(data));
