//! attain's RFM and cohort functions for Apache DataFusion (work in progress).
