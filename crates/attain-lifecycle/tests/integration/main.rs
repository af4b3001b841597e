//! Integration tests of attain-lifecycle.
