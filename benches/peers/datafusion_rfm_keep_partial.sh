#!/bin/sh
# datafusion_rfm.sh with DataFusion's partial aggregation always on (its default turns it off
# when the first rows are mostly distinct customers; then every row's state is shipped).
export DATAFUSION_EXECUTION_SKIP_PARTIAL_AGGREGATION_PROBE_RATIO_THRESHOLD=1.0
exec "$(cd "$(dirname "$0")" && pwd)/datafusion_rfm.sh" "$@"
