#!/usr/bin/env python3
"""Convert an RFM benchmark job v1 CSV to Parquet, streaming (bounded memory).

Usage: csv_to_parquet.py INPUT.csv OUTPUT.parquet

Columns keep the job's exact types: customer_id and order_id as string, order_date as
date32, amount as decimal128(18, 2). Snappy compression (pyarrow's default), row groups
of 1,048,576 rows. Used by benches/README.md to give the Parquet peers the same data.
"""

import sys

import pyarrow as pa
import pyarrow.csv as pc
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("order_id", pa.string()),
        ("order_date", pa.date32()),
        ("amount", pa.decimal128(18, 2)),
    ]
)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    reader = pc.open_csv(
        src,
        read_options=pc.ReadOptions(block_size=64 << 20),
        convert_options=pc.ConvertOptions(column_types=SCHEMA),
    )
    with pq.ParquetWriter(dst, SCHEMA, compression="snappy") as writer:
        pending, rows = [], 0
        for batch in reader:
            pending.append(batch)
            rows += batch.num_rows
            if rows >= 1 << 20:
                writer.write_table(pa.Table.from_batches(pending), row_group_size=1 << 20)
                pending, rows = [], 0
        if pending:
            writer.write_table(pa.Table.from_batches(pending), row_group_size=1 << 20)


if __name__ == "__main__":
    main()
