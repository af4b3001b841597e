//! Integration tests of attain-funnel.
