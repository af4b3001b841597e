"""Extracts R `rfm` 0.3.0's published inputs and results from its own repository.

    git clone https://github.com/rsquaredacademy/rfm && cd rfm && git checkout f7350a3a80f4d1ed799ef0d0a04e9044d1b4704a
    python3 extract_article.py .   # needs the `rdata` package (pip install rdata==1.1.0)

- `rfm_data_orders.csv`: the bundled `data/rfm_data_orders.rda` at that commit (4,906 orders of 995
  customers; the commit the article below was rendered from; the data set was replaced in Sep 2023),
  with `order_date` written as YYYY-MM-DD and `revenue` as an integer (every value is whole).
- `published_article.csv`: the DataTables widget of the pkgdown article
  `docs/articles/rfm-transaction-level-data.html` ("Segmented Customer Data"): every customer's
  segment, rfm_score, transaction_count, recency_days, amount and R, F, M scores, as R rendered them
  for `rfm_table_order(rfm_data_orders, customer_id, order_date, revenue, as.Date("2006-12-31"))`
  and `rfm_segment()` with the article's ten segments.
"""
import csv, datetime, json, re, sys
import rdata

repo = sys.argv[1]
df = rdata.read_rda(f"{repo}/data/rfm_data_orders.rda")["rfm_data_orders"]
with open("rfm_data_orders.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["customer_id", "order_date", "revenue"])
    for cid, day, rev in zip(df.customer_id, df.order_date, df.revenue):
        assert rev == int(rev)
        w.writerow([cid, (datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))).isoformat(), int(rev)])
html = open(f"{repo}/docs/articles/rfm-transaction-level-data.html").read()
data = json.loads(re.findall(r'<script type="application/json" data-for="[^"]*">(.*?)</script>', html, re.S)[0])["x"]["data"]
cols = ["customer_id", "segment", "rfm_score", "transaction_count", "recency_days", "amount",
        "recency_score", "frequency_score", "monetary_score"]
with open("published_article.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    for row in zip(*data[1:]):
        w.writerow(row)
