//! Integration tests of attain-lifecycle through its public API.
// Test helpers outside `#[test]` functions unwrap fixtures they build themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auto_traits;
mod clv;
mod clv_fits;
mod clv_validate;
mod cohorts;
mod contract;
mod economics;
mod lifecycle_map;
mod serde_round_trip;
