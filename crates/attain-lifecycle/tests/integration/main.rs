//! Integration tests of attain-lifecycle through its public API.

mod clv;
