#!/bin/sh
# RFM benchmark job v1 through `attain rfm` (the workspace's release build), as run_peers.sh
# calls a peer: attain_rfm.sh INPUT OUTPUT. INPUT may be CSV or Parquet.
here="$(cd "$(dirname "$0")" && pwd)"
exec "${ATTAIN:-$here/../../target/release/attain}" rfm "$1" -o "$2" --as-of 2026-01-01 --scoring even --phases -q
