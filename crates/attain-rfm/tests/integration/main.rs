//! Integration tests of attain-rfm.
