//! attain-goals: work in progress.
