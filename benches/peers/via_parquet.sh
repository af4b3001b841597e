#!/bin/sh
# Runs a Parquet-reading RFM job on the Parquet twin of a job v1 CSV, for run_peers.sh:
#   via_parquet.sh PROGRAM [ARGS...] INPUT.csv OUTPUT
# runs PROGRAM ARGS... INPUT.parquet OUTPUT. The twin is made by csv_to_parquet.py once, before
# the timed runs (benches/README.md); when it is missing (the fixture check, whose folder is
# read-only) it is made in a temporary file first.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
n=$#
input="$(eval echo "\"\${$((n - 1))}\"")"
output="$(eval echo "\"\${$n}\"")"
twin="${input%.csv}.parquet"
tmp=""
trap 'if [ -n "$tmp" ]; then rm -f "$tmp"; fi' EXIT
if [ ! -s "$twin" ]; then
    # The suffix tells Parquet readers (such as rfm_sql) what the file is.
    tmp="$(mktemp --suffix=.parquet "${TMPDIR:-/tmp}/via-parquet.XXXXXX")"
    "${PYTHON:-/tmp/peer/bin/python}" "$here/csv_to_parquet.py" "$input" "$tmp"
    twin="$tmp"
fi
# Keep the program and its own arguments: drop the last two words.
i=0
for a in "$@"; do
    i=$((i + 1))
    if [ "$i" -le $((n - 2)) ]; then set -- "$@" "$a"; fi
done
shift "$n"
"$@" "$twin" "$output"
