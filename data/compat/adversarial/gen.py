"""Writes the adversarial transaction files (standard library only): `python3 gen.py`.

For N = 1..12 customers, three shapes (as of 2026-01-01):
- `tied_N.csv`: every customer one order of 10.00 on 2025-12-01 (all values tied);
- `distinct_N.csv`: customer `c{k}` (ids in reverse of value order) buys on k different days, the
  last 2025-12-(k), order j (0-based) for (k + j) * 1.25, so every metric (also the mean per day)
  is distinct;
- `mixed_N.csv`: 1 + k % 3 orders on different days, the last 2025-12-(10 + k % 5), each of
  (k % 4) * 10: ties inside every metric, in a different pattern per metric.
"""
import datetime

for n in range(1, 13):
    for shape in ("tied", "distinct", "mixed"):
        rows = []
        for k in range(1, n + 1):
            cid = f"c{n + 1 - k:02d}" if shape == "distinct" else f"c{(k * 7) % 13:02d}"
            if shape == "tied":
                orders = [("2025-12-01", "10.00")]
            elif shape == "distinct":
                days = [f"2025-11-{j:02d}" for j in range(1, k)] + [f"2025-12-{k:02d}"]
                orders = [(d, f"{(k + j) * 1.25:.2f}") for j, d in enumerate(days)]
            else:
                last = 10 + k % 5
                orders = [(f"2025-12-{last - j:02d}", f"{(k % 4) * 10}.00") for j in range(1 + k % 3)]
            rows += [(cid, f"{cid}-{j}", d, a) for j, (d, a) in enumerate(orders)]
        with open(f"{shape}_{n}.csv", "w") as out:
            out.write("customer_id,order_id,order_date,amount\n")
            out.writelines(f"{c},{o},{d},{a}\n" for c, o, d, a in rows)
