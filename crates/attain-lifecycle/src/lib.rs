//! attain-lifecycle: work in progress.
