#!/usr/bin/env bash
# Cohort job v1 side by side: attain, Polars and DuckDB on the same generated data, in one run,
# each N times interleaved under /usr/bin/time -v; outputs checked for exact equality; prints a
# Markdown table of medians (wall seconds, peak RSS MiB) and attain's ratios to the faster peer.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: run_cohort.sh --gen PATH/gen_transactions.py [options]
  --gen FILE      the RFM benchmark's data generator (shared/bench/gen_transactions.py)
  --dir DIR       keep inputs, outputs and raw results in DIR (default: a temporary folder)
  --reps N        runs per program and input (default 3)
  --sizes LIST    space-separated ROWS:CUSTOMERS pairs (default "1000000:100000 10000000:1000000")
  --seed S        generator seed (default 42)
  --attain BIN    the attain binary (default: target/release/attain of this workspace)
environment: PYTHON  interpreter with polars and duckdb (default /tmp/peer/bin/python)
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-/tmp/peer/bin/python}"
gen="" dir="" reps=3 seed=42 sizes="1000000:100000 10000000:1000000"
attain="$here/../../target/release/attain"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --gen) gen="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --attain) attain="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run_cohort.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ -n "$gen" ]] || { usage >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "run_cohort.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }
[[ -x "$attain" ]] || { echo "run_cohort.sh: no attain binary at $attain (cargo build --release -p attain-cli)" >&2; exit 2; }
if [[ -z "$dir" ]]; then dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT; fi
mkdir -p "$dir"

run() { # name input output -> appends "name rows wall rss" to $dir/runs.txt
    local name="$1" input="$2" output="$3" rows="$4" log="$dir/time.log"
    case "$name" in
        attain) cmd=("$attain" cohort "$input" --by month --layout cells -q -o "$output") ;;
        polars) cmd=("$PYTHON" "$here/cohort_polars.py" "$input" "$output") ;;
        duckdb) cmd=("$PYTHON" "$here/cohort_duckdb.py" "$input" "$output") ;;
    esac
    rm -f "$output"
    /usr/bin/time -v -o "$log" "${cmd[@]}" >/dev/null
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
    echo "$name $rows $wall $rss" >> "$dir/runs.txt"
}

: > "$dir/runs.txt"
for size in $sizes; do
    rows="${size%%:*}" customers="${size##*:}"
    input="$dir/tx_${rows}.csv"
    [[ -s "$input" ]] || "$PYTHON" "$gen" --rows "$rows" --customers "$customers" --seed "$seed" --out "$input"
    for rep in $(seq "$reps"); do
        for name in attain polars duckdb; do
            run "$name" "$input" "$dir/out_${name}_${rows}.csv" "$rows"
        done
    done
    for name in polars duckdb; do
        "$PYTHON" "$here/check_cohort.py" "$dir/out_attain_${rows}.csv" "$dir/out_${name}_${rows}.csv" >/dev/null \
            || { echo "run_cohort.sh: attain and $name differ on $input" >&2; exit 1; }
    done
done

"$PYTHON" - "$dir/runs.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rows, wall, rss = line.split()
    runs.setdefault((int(rows), name), []).append((float(wall), float(rss)))
print("| rows | program | wall s (median) | peak RSS MiB (median) | attain / faster peer (wall, RSS) |")
print("|---|---|---|---|---|")
for rows in sorted({r for r, _ in runs}):
    med = {n: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v))
           for (r, n), v in runs.items() if r == rows}
    best = min((med[n] for n in ("polars", "duckdb") if n in med), key=lambda x: x[0])
    for name in ("attain", "polars", "duckdb"):
        w, m = med[name]
        ratio = f"{w / best[0]:.2f}x, {m / best[1]:.2f}x" if name == "attain" else ""
        print(f"| {rows:,} | {name} | {w:.2f} | {m:.0f} | {ratio} |")
PY
