#!/usr/bin/env bash
# Every crate's criterion benches at two commits, one after the other on the same machine, and
# one Markdown table of the medians (issue 18: "no regression elsewhere").
#
# Usage: benches/criterion_before_after.sh BEFORE [AFTER]
#   BEFORE, AFTER: commits (AFTER defaults to the working tree).
# Environment: CARGO_TARGET_DIR (default target/criterion-before-after; both commits share it,
#   so the dependencies compile once and criterion keeps both baselines side by side),
#   BENCH_ARGS (default "--warm-up-time 1 --measurement-time 2").
# Needs bash, git, cargo and python3 (the table is read from criterion's estimates.json).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
before=${1:?usage: $0 BEFORE [AFTER]}
after=${2:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/criterion-before-after}
read -r -a bench_args <<<"${BENCH_ARGS:---warm-up-time 1 --measurement-time 2}"
crates=(attain-types attain-goals attain-funnel attain-rfm attain-lifecycle)

trees=$(mktemp -d "${TMPDIR:-/tmp}/attain-criterion.XXXXXX")
cleanup() {
  local status=$?
  git -C "$root" worktree remove --force "$trees/before" 2>/dev/null || true
  git -C "$root" worktree remove --force "$trees/after" 2>/dev/null || true
  rm -rf "$trees"
  exit "$status"
}
trap cleanup EXIT

git -C "$root" worktree add -q --detach "$trees/before" "$before"
after_tree=$root
if [[ -n $after ]]; then
  git -C "$root" worktree add -q --detach "$trees/after" "$after"
  after_tree=$trees/after
fi

run() { # TREE BASELINE
  for crate in "${crates[@]}"; do
    (cd "$1" && cargo bench -q -p "$crate" --all-features -- "${bench_args[@]}" --save-baseline "$2")
  done
}
# Build both first, so that neither run shares the machine with a compiler.
(cd "$trees/before" && cargo bench -q --no-run --all-features "${crates[@]/#/--package=}")
(cd "$after_tree" && cargo bench -q --no-run --all-features "${crates[@]/#/--package=}")
run "$trees/before" before
run "$after_tree" after

python3 - "$CARGO_TARGET_DIR/criterion" <<'EOF'
import json, os, sys

root = sys.argv[1]

def median_ns(path):
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]

def show(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"

# Every bench with a baseline at either commit: one only at "before" was removed, one only at
# "after" is new.
rows = []
for dirpath, dirnames, filenames in os.walk(root):
    if not {"before", "after"} & set(dirnames):
        continue
    found = {}
    for baseline in ("before", "after"):
        path = os.path.join(dirpath, baseline, "estimates.json")
        if os.path.exists(path):
            found[baseline] = median_ns(path)
            with open(os.path.join(dirpath, baseline, "benchmark.json")) as f:
                name = json.load(f)["full_id"]
    if found:
        rows.append((name, found.get("before"), found.get("after")))

print("| bench id | before (median) | after (median) | after / before |")
print("|---|---:|---:|---:|")
for name, b, a in sorted(rows):
    ratio = f"{a / b:.2f}" if a is not None and b is not None else ("new" if b is None else "removed")
    cell = lambda ns: "—" if ns is None else show(ns)
    print(f"| `{name}` | {cell(b)} | {cell(a)} | {ratio} |")
EOF
