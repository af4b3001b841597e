//! attain-lifecycle: stage metrics, churn and cohorts, unit economics, probabilistic CLV
//! (being built).

pub mod clv;
mod error;

pub use error::{Error, Result};
