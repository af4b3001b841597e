#!/bin/sh
# RFM benchmark job v1 as DataFusion SQL with attain's functions (attain-datafusion's example
# `rfm_sql`, release build), as run_peers.sh calls a peer: datafusion_rfm.sh INPUT.csv OUTPUT.
# DataFusion settings come from the environment (DATAFUSION_EXECUTION_*).
here="$(cd "$(dirname "$0")" && pwd)"
exec "${RFM_SQL:-$here/../../target/release/examples/rfm_sql}" "$1" 2026-01-01 "$2"
