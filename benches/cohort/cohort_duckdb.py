#!/usr/bin/env python3
"""Cohort job v1 in DuckDB (one SQL statement): INPUT.csv OUTPUT.csv."""
import sys

import duckdb

SQL = """
COPY (
  WITH tx AS (
    SELECT customer_id, amount, year(order_date) * 12 + month(order_date) - 1 AS month
    FROM read_csv(?, header = true, columns = {
      'customer_id': 'VARCHAR', 'order_id': 'VARCHAR', 'order_date': 'DATE',
      'amount': 'DECIMAL(18,2)'})
  ),
  first AS (SELECT customer_id, min(month) AS cohort FROM tx GROUP BY customer_id),
  sizes AS (SELECT cohort, count(*) AS size FROM first GROUP BY cohort)
  SELECT strftime(make_date(cohort // 12, cohort % 12 + 1, 1), '%Y-%m') AS cohort,
         month - cohort AS period, size, count(DISTINCT customer_id) AS active,
         sum(amount) AS revenue
  FROM tx JOIN first USING (customer_id) JOIN sizes USING (cohort)
  GROUP BY cohort, month, size
  ORDER BY cohort, period
) TO '{out}' (HEADER, DELIMITER ',')
"""


def main(inp: str, out: str) -> None:
    duckdb.execute(SQL.replace("{out}", out.replace("'", "''")), [inp])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
