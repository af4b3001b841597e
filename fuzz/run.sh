#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, JOBS targets at a time, and prints a
# Markdown table: target, executions, corpus size, coverage (libFuzzer's `cov`, edges; `ft`,
# features), peak RSS, crashes (files in artifacts/<target>/).
#
#   fuzz/run.sh SECONDS [JOBS] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Builds with
# optimisations, debug assertions (integer overflow checks) and no sanitizer (the code under
# test is safe Rust; see README.md). Corpora grow in fuzz/corpus/<target>/ (not committed),
# seeded from fuzz/seeds/<target>/; logs go to fuzz/logs/.
#
#   fuzz/run.sh --table [TARGET...]   prints the table of the last runs from fuzz/logs/
set -euo pipefail
cd "$(dirname "$0")"
table_only=false
if [ "${1:-}" = "--table" ]; then
  table_only=true
  set -- 0 1 "${@:2}"
fi
seconds=${1:?usage: fuzz/run.sh SECONDS [JOBS] [TARGET...]}
jobs=${2:-1}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
flags=(-O -a -s none)
if ! $table_only; then
  cargo +nightly fuzz build "${flags[@]}" >&2
  mkdir -p logs corpus
  run_one() {
    local t=$1
    mkdir -p "corpus/$t" "artifacts/$t"
    cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -print_final_stats=1 -timeout=60 -rss_limit_mb=4096 \
      -artifact_prefix="artifacts/$t/" > "logs/$t.log" 2>&1 || true
  }
  export -f run_one
  export seconds
  running=0
  for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
      wait -n
      running=$((running - 1))
    fi
  done
  wait
fi
printf '| target | executions | corpus | coverage (cov / ft) | peak RSS MB | crashes |\n|---|---:|---:|---:|---:|---:|\n'
for t in "${targets[@]}"; do
  log="logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1 || true)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | awk '{print $2}' | tail -1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "corpus/$t" -type f | wc -l)
  crashes=$(find "artifacts/$t" -type f | wc -l)
  printf '| %s | %s | %s | %s / %s | %s | %s |\n' "$t" "${execs:-?}" "$corpus" "${cov:-?}" "${ft:-?}" "${rss:-?}" "$crashes"
done
