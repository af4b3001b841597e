//! Integration tests of attain-goals.
