#!/usr/bin/env python3
"""RFM benchmark job v1, DuckDB peer reading Parquet (copied from shared/bench/rfm_duckdb.py;
only the reader differs).

Usage: rfm_duckdb_parquet.py INPUT.parquet OUTPUT.csv [--as-of YYYY-MM-DD]

INPUT is a Parquet file (csv_to_parquet.py); via_parquet.sh lets run_peers.sh pass the CSV.

Money stays exact: amount is read as DECIMAL(18, 2) and summed as a decimal.
DuckDB runs every step on all cores (its default thread count). The three
phases are materialised as tables so that they can be timed apart; running the
same SQL as one fused COPY measured the same total. Prints one line to stderr:
  phases: parse=<s> compute=<s> write=<s>
"""

import argparse
import datetime as dt
import sys
import time

import duckdb

BINS = 5

LOAD_SQL = """
CREATE TABLE transactions AS SELECT * FROM read_parquet({path})
"""

# Ties in every ranking are broken by customer_id, so row_number() is a total
# order and bin = floor(k * BINS / n) + 1 with k = row_number() - 1.
RFM_SQL = """
CREATE TABLE rfm AS
WITH per_customer AS (
    SELECT customer_id,
           $as_of - max(order_date) AS recency_days,
           count(DISTINCT order_id) AS frequency,
           sum(amount) AS monetary
    FROM transactions
    GROUP BY customer_id
),
customers AS (SELECT count(*) AS n FROM per_customer)
SELECT customer_id, recency_days, frequency, monetary,
       $bins + 1 - ((row_number() OVER (ORDER BY recency_days, customer_id) - 1) * $bins // n + 1) AS r,
       (row_number() OVER (ORDER BY frequency, customer_id) - 1) * $bins // n + 1 AS f,
       (row_number() OVER (ORDER BY monetary, customer_id) - 1) * $bins // n + 1 AS m
FROM per_customer, customers
ORDER BY customer_id
"""


def sql_string(text):
    """Quote text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def main():
    parser = argparse.ArgumentParser(description="RFM benchmark job v1 (DuckDB peer)")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    args = parser.parse_args()

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(LOAD_SQL.format(path=sql_string(args.input)))
    t1 = time.perf_counter()
    con.execute(RFM_SQL, {"as_of": args.as_of, "bins": BINS})
    t2 = time.perf_counter()
    # Insertion order is preserved, so the table is written sorted by customer_id.
    con.execute(f"COPY rfm TO {sql_string(args.output)} (FORMAT csv, HEADER)")
    t3 = time.perf_counter()
    print(f"phases: parse={t1 - t0:.3f} compute={t2 - t1:.3f} write={t3 - t2:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
