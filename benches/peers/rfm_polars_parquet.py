#!/usr/bin/env python3
"""RFM benchmark job v1, Polars peer reading Parquet (copied from shared/bench/rfm_polars.py;
only the reader differs).

Usage: rfm_polars_parquet.py INPUT.parquet OUTPUT.csv [--as-of YYYY-MM-DD]

INPUT is a Parquet file (csv_to_parquet.py); via_parquet.sh lets run_peers.sh pass the CSV.

Money stays exact: amount is read as Decimal(18, 2) and summed as a decimal.
Polars runs its CSV reader, group-by and sorts on all cores
(POLARS_MAX_THREADS caps the pool). Prints one line to stderr:
  phases: parse=<s> compute=<s> write=<s>
"""

import argparse
import datetime as dt
import sys
import time

import polars as pl

BINS = 5
SCHEMA = {
    "customer_id": pl.String,
    "order_id": pl.String,
    "order_date": pl.Date,
    "amount": pl.Decimal(18, 2),
}


def score(column, n):
    """Bin 1..BINS of each row by ascending `column`.

    The frame is sorted by customer_id and an ordinal rank numbers tied values
    in order of appearance, so ties go to the smaller customer_id first.
    """
    k = pl.col(column).rank("ordinal").cast(pl.Int64) - 1
    return k * BINS // n + 1


def rfm(transactions, as_of):
    per_customer = (
        transactions.group_by("customer_id")
        .agg(
            recency_days=(pl.lit(as_of) - pl.col("order_date").max()).dt.total_days(),
            frequency=pl.col("order_id").n_unique(),
            monetary=pl.col("amount").sum(),
        )
        .sort("customer_id")
    )
    n = per_customer.height
    return per_customer.with_columns(
        r=BINS + 1 - score("recency_days", n),
        f=score("frequency", n),
        m=score("monetary", n),
    )


def main():
    parser = argparse.ArgumentParser(description="RFM benchmark job v1 (Polars peer)")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    args = parser.parse_args()

    t0 = time.perf_counter()
    transactions = pl.read_parquet(args.input)
    t1 = time.perf_counter()
    result = rfm(transactions, args.as_of)
    t2 = time.perf_counter()
    result.write_csv(args.output)
    t3 = time.perf_counter()
    print(f"phases: parse={t1 - t0:.3f} compute={t2 - t1:.3f} write={t3 - t2:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
