//! Integration tests: the DataFusion SQL path equals attain's in-memory path.

mod cohort;
mod common;
mod errors;
mod properties;
mod rfm_sql;
