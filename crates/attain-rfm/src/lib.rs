//! attain-rfm: work in progress.
