//! attain-funnel: work in progress.
