#!/usr/bin/env bash
# DataFusion's floor for the RFM aggregation (issue 15): attain's rfm() aggregate against
# DataFusion's own vectorised aggregates on the same Parquet file, in one `attain sql` binary,
# three rounds interleaved, with `attain rfm` on the same file beside them. Each query ends in
# max() over the customers, so output formatting costs nothing and no aggregate is pruned.
# Usage: A=target/release/attain P=FILE.parquet [AS_OF=2026-01-01] [OUT=/tmp] benches/peers/datafusion_floor.sh
#   (build: cargo build --release -p attain-cli --features sql)
set -euo pipefail
A=${A:-target/release/attain}
P=${P:?set P to the Parquet file}
declare -A q
q[rfm_udaf]="SELECT max(get_field(v, 'frequency')) AS f, max(get_field(v, 'monetary')) AS m FROM (SELECT customer_id, rfm(order_date, amount, order_id) AS v FROM tx GROUP BY customer_id)"
q[builtin_count]="SELECT max(n), max(d), max(s) FROM (SELECT customer_id, count(*) AS n, max(order_date) AS d, sum(amount) AS s FROM tx GROUP BY customer_id)"
q[builtin_count_distinct]="SELECT max(n), max(d), max(s) FROM (SELECT customer_id, count(DISTINCT order_id) AS n, max(order_date) AS d, sum(amount) AS s FROM tx GROUP BY customer_id)"
q[dedup_then_aggregate]="SELECT max(n), max(d), max(s) FROM (SELECT customer_id, count(*) AS n, max(d) AS d, sum(s) AS s FROM (SELECT customer_id, order_id, max(order_date) AS d, sum(amount) AS s FROM tx GROUP BY customer_id, order_id) GROUP BY customer_id)"
for rep in 1 2 3; do
  for name in rfm_udaf builtin_count builtin_count_distinct dedup_then_aggregate; do
    /usr/bin/time -f "$rep $name %e s %M KB" "$A" sql "${q[$name]}" --table "tx=$P" --as-of "${AS_OF:-2026-01-01}" -q >"${OUT:-/tmp}/floor_$name.csv"
  done
  /usr/bin/time -f "$rep attain_rfm_parquet %e s %M KB" "$A" rfm "$P" --as-of "${AS_OF:-2026-01-01}" -q -o "${OUT:-/tmp}/floor_rfm.csv"
done
