//! The checks behind the fuzz targets, one module per target (see `README.md`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "checks/mod.rs"]
pub mod checks;
