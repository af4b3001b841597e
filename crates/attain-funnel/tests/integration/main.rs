//! Integration tests of attain-funnel through its public API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod analysis;
mod api;
mod clickhouse;
mod insight;
mod measure;
mod orders;
mod plan;
mod stats;
