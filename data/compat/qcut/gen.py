"""pandas' qcut-of-rank recipe, the expected output of `attain rfm --scoring qcut-rank`.

    python3 gen.py        # pandas 3.1.1, numpy 2.4.6 (the peer environment), Python 3.11

Per customer (as the ntile generator: recency_days = AS_OF - last order day, frequency = distinct
order ids, monetary = exact sum), customers sorted by customer_id (so `rank(method="first")`
breaks ties by id), then for n bins:

    f = pd.qcut(df.frequency.rank(method="first"), n, labels=False) + 1
    m = pd.qcut(df.monetary.rank(method="first"), n, labels=False) + 1
    r = n - pd.qcut(df.recency_days.rank(method="first"), n, labels=False)

Files: cdnow_sample.csv and cdnow_master.csv (n = 5, as of 1998-06-30), adversarial.csv (every
file of ../adversarial, n in 2, 3, 4, 5, 7, 10, as of 2026-01-01; the cases where qcut raises,
such as a single customer, are left out).
"""
import csv, datetime, glob, os
from decimal import Decimal
import pandas as pd


def values(path, as_of):
    last, orders, money = {}, {}, {}
    for row in csv.DictReader(open(path)):
        c = row["customer_id"]
        d = datetime.date.fromisoformat(row["order_date"])
        last[c] = max(last.get(c, d), d)
        orders.setdefault(c, set()).add(row["order_id"])
        money[c] = money.get(c, Decimal(0)) + Decimal(row["amount"])
    ids = sorted(last, key=lambda s: s.encode())
    return pd.DataFrame({
        "customer_id": ids,
        "recency_days": [(as_of - last[c]).days for c in ids],
        "frequency": [len(orders[c]) for c in ids],
        "monetary": [money[c] for c in ids],
    })


def scores(df, n):
    out = df.copy()
    out["r"] = n - pd.qcut(df.recency_days.rank(method="first"), n, labels=False)
    out["f"] = pd.qcut(df.frequency.rank(method="first"), n, labels=False) + 1
    out["m"] = pd.qcut(df.monetary.astype(float).rank(method="first"), n, labels=False) + 1
    return out[["customer_id", "r", "f", "m"]]


here = os.path.dirname(os.path.abspath(__file__))
for name, src in (("sample", "cdnow_transactions.csv"), ("master", "cdnow_master.csv")):
    df = values(os.path.join(here, "..", "..", src), datetime.date(1998, 6, 30))
    scores(df, 5).to_csv(os.path.join(here, f"cdnow_{name}.csv"), index=False)
with open(os.path.join(here, "adversarial.csv"), "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["case", "bins", "customer_id", "r", "f", "m"])
    for path in sorted(glob.glob(os.path.join(here, "..", "adversarial", "*.csv"))):
        df = values(path, datetime.date(2026, 1, 1))
        for n in (2, 3, 4, 5, 7, 10):
            try:
                result = scores(df, n)
            except ValueError:
                continue
            for row in result.itertuples(index=False):
                w.writerow([os.path.basename(path)[:-4], n] + list(row))
print("pandas", pd.__version__)
