"""SQL NTILE(n) scores computed by DuckDB, the expected output of `attain rfm --scoring ntile`.

    python3 gen.py        # duckdb==2.0.1 (../../../benches/peers' requirements), Python 3.11

Per customer: recency_days = AS_OF - max(order_date), frequency = count(DISTINCT order_id),
monetary = sum(amount) as DECIMAL(18,2); then, with n bins and customer_id as the tie key,

    r = n + 1 - NTILE(n) OVER (ORDER BY recency_days, customer_id)
    f =         NTILE(n) OVER (ORDER BY frequency,    customer_id)
    m =         NTILE(n) OVER (ORDER BY monetary,     customer_id)

Files: cdnow_sample.csv and cdnow_master.csv (n = 5, as of 1998-06-30), adversarial.csv (every
file of ../adversarial, n in 2, 3, 4, 5, 7, 10, as of 2026-01-01).
"""
import csv, glob, os
import duckdb

SQL = """
WITH t AS (
  SELECT * FROM read_csv(?, header = true, columns = {
    'customer_id': 'VARCHAR', 'order_id': 'VARCHAR', 'order_date': 'DATE', 'amount': 'DECIMAL(18,2)'})
), c AS (
  SELECT customer_id, (DATE '{as_of}' - max(order_date))::BIGINT AS recency_days,
         count(DISTINCT order_id) AS frequency, sum(amount) AS monetary
  FROM t GROUP BY customer_id
)
SELECT customer_id, recency_days, frequency, monetary,
       {n} + 1 - NTILE({n}) OVER (ORDER BY recency_days, customer_id) AS r,
       NTILE({n}) OVER (ORDER BY frequency, customer_id) AS f,
       NTILE({n}) OVER (ORDER BY monetary, customer_id) AS m
FROM c ORDER BY customer_id
"""

def run(path, as_of, n):
    return duckdb.execute(SQL.replace("{as_of}", as_of).replace("{n}", str(n)), [path]).fetchall()

here = os.path.dirname(os.path.abspath(__file__))
header = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m"]
for name in ("sample", "master"):
    src = os.path.join(here, "..", "..", "cdnow_transactions.csv" if name == "sample" else "cdnow_master.csv")
    with open(os.path.join(here, f"cdnow_{name}.csv"), "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        w.writerows(run(src, "1998-06-30", 5))
with open(os.path.join(here, "adversarial.csv"), "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["case", "bins"] + header)
    for path in sorted(glob.glob(os.path.join(here, "..", "adversarial", "*.csv"))):
        case = os.path.basename(path)[:-4]
        for n in (2, 3, 4, 5, 7, 10):
            w.writerows([case, n] + list(row) for row in run(path, "2026-01-01", n))
print("duckdb", duckdb.__version__)
