#!/usr/bin/env bash
# A real Apache Ballista run of attain's SQL functions, on localhost:
#   1. builds `attain`, `attain-ballista-scheduler` and `attain-ballista-executor`
#      (attain-cli's `ballista` feature);
#   2. splits INPUT into FILES Parquet files by day of month (a customer's rows span files);
#   3. starts a scheduler and two executors as separate processes on free ports;
#   4. runs scripts/ballista/rfm.sql and cohort.sql on the cluster and diffs them against
#      `attain rfm --segments standard11` and `attain cohort --layout cells` on INPUT;
#   5. prints wall times and each process's peak memory (VmHWM), then stops everything,
#      also on failure or Ctrl-C.
#
# Usage: scripts/ballista-cluster.sh [INPUT.csv [AS_OF]]
#   defaults: data/cdnow_transactions.csv 1998-07-01
# Environment: PROFILE=release (default debug), FILES=8, VCORES=1 (tasks per executor),
#   KEEP=DIR (keep the Parquet files and outputs in DIR instead of a temporary directory).
# Needs bash, cargo and the crate registry; nothing else (no protoc, no Python).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
input=$(realpath "${1:-$root/data/cdnow_transactions.csv}")
as_of=${2:-1998-07-01}
files=${FILES:-8}
vcores=${VCORES:-1}
profile=${PROFILE:-debug}

cd "$root"
build=(cargo build -p attain-cli --features ballista --bins)
[[ $profile == release ]] && build+=(--release)
"${build[@]}"
bin=${CARGO_TARGET_DIR:-$root/target}/$profile

if [[ -n ${KEEP:-} ]]; then
  work=$KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/attain-ballista.XXXXXX")
fi
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -z ${KEEP:-} ]] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port that refuses connections now (bash's /dev/tcp; no other tool needed).
used_ports=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    [[ $used_ports == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      used_ports+="$port "
      echo "$port"
      return
    fi
  done
}

# Waits up to 120 s for PORT to accept connections; fails if process PID has exited.
wait_listening() {
  local port=$1 pid=$2 i
  for ((i = 0; i < 1200; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited before listening on $port" >&2; return 1; }
    sleep 0.1
  done
  echo "nothing listens on port $port after 120 s" >&2
  return 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
peak_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

echo "== splitting $input into $files Parquet files"
mkdir -p "$work/parts"
for ((k = 0; k < files; k++)); do
  "$bin/attain" sql "SELECT * FROM tx WHERE CAST(date_part('day', order_date) AS BIGINT) % $files = $k" \
    --table "tx=$input" --format parquet -q -o "$work/parts/part-$k.parquet"
done

echo "== starting a scheduler and two executors"
scheduler_port=$(free_port)
"$bin/attain-ballista-scheduler" --port "$scheduler_port" --as-of "$as_of" >"$work/scheduler.log" 2>&1 &
scheduler=$!
pids+=("$scheduler")
wait_listening "$scheduler_port" "$scheduler"
executors=()
for i in 0 1; do
  flight=$(free_port)
  grpc=$(free_port)
  mkdir -p "$work/executor-$i"
  "$bin/attain-ballista-executor" --scheduler-port "$scheduler_port" --port "$flight" \
    --grpc-port "$grpc" --vcores "$vcores" --work-dir "$work/executor-$i" --as-of "$as_of" \
    >"$work/executor-$i.log" 2>&1 &
  executors+=($!)
  pids+=($!)
  wait_listening "$flight" "$!"
  wait_listening "$grpc" "$!"
done
url="df://127.0.0.1:$scheduler_port"

run_cluster() { # SQL-FILE OUTPUT
  "$bin/attain" sql "$(cat "$1")" --table "tx=$work/parts/" --as-of "$as_of" --ballista "$url" >"$2"
}

echo "== RFM, scores and segments"
t0=$(now)
run_cluster scripts/ballista/rfm.sql "$work/rfm.ballista.csv"
t1=$(now)
"$bin/attain" sql "$(cat scripts/ballista/rfm.sql)" --table "tx=$input" --as-of "$as_of" -q >"$work/rfm.sql.csv"
t2=$(now)
"$bin/attain" rfm "$input" --as-of "$as_of" --segments standard11 -q >"$work/rfm.csv"
t3=$(now)
diff -q "$work/rfm.ballista.csv" "$work/rfm.csv"
diff -q "$work/rfm.sql.csv" "$work/rfm.csv"
echo "identical: $(($(wc -l <"$work/rfm.csv") - 1)) customers"
echo "rfm wall s: ballista $(elapsed "$t0" "$t1"), attain sql $(elapsed "$t1" "$t2"), attain rfm $(elapsed "$t2" "$t3")"

echo "== cohorts"
t0=$(now)
run_cluster scripts/ballista/cohort.sql "$work/cohort.ballista.csv"
t1=$(now)
"$bin/attain" cohort "$input" --layout cells -q >"$work/cohort.csv"
t2=$(now)
diff -q "$work/cohort.ballista.csv" "$work/cohort.csv"
echo "identical: $(($(wc -l <"$work/cohort.csv") - 1)) cells"
echo "cohort wall s: ballista $(elapsed "$t0" "$t1"), attain cohort $(elapsed "$t1" "$t2")"

for pid in "${pids[@]}"; do
  kill -0 "$pid" || { echo "process $pid died during the run" >&2; exit 1; }
done
echo "peak memory MiB (VmHWM): scheduler $(peak_mib "$scheduler"), executor 0 $(peak_mib "${executors[0]}"), executor 1 $(peak_mib "${executors[1]}")"
echo "== all equal; stopping the cluster"
