#!/usr/bin/env python3
"""Cohort job v1 in Polars (lazy, as a careful Polars user writes it): INPUT.csv OUTPUT.csv."""
import sys

import polars as pl


def main(inp: str, out: str) -> None:
    tx = pl.scan_csv(
        inp,
        schema={
            "customer_id": pl.Utf8,
            "order_id": pl.Utf8,
            "order_date": pl.Date,
            "amount": pl.Decimal(18, 2),
        },
    ).select(
        "customer_id",
        "amount",
        month=pl.col("order_date").dt.year().cast(pl.Int32) * 12
        + pl.col("order_date").dt.month().cast(pl.Int32)
        - 1,
    )
    first = tx.group_by("customer_id").agg(cohort=pl.col("month").min())
    sizes = first.group_by("cohort").agg(size=pl.len())
    cells = (
        tx.join(first, on="customer_id")
        .group_by("cohort", "month")
        .agg(active=pl.col("customer_id").n_unique(), revenue=pl.col("amount").sum())
        .join(sizes, on="cohort")
        .select(
            cohort=pl.date(pl.col("cohort") // 12, pl.col("cohort") % 12 + 1, 1).dt.strftime("%Y-%m"),
            period=pl.col("month") - pl.col("cohort"),
            size="size",
            active="active",
            revenue="revenue",
            key="cohort",
        )
        .sort("key", "period")
        .drop("key")
    )
    cells.collect().write_csv(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
