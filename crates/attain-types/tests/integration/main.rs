//! Integration tests of attain-types through its public API.

mod allocation;
mod limits;
mod periods;
mod serde_round_trip;
