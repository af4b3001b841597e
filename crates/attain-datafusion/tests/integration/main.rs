//! Integration tests: the DataFusion SQL path equals attain's in-memory path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cohort;
mod common;
mod errors;
mod funnel_sql;
mod memory;
mod properties;
mod rfm_sql;
