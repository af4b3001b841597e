/* Monthly acquisition cohorts of table tx, one row per cell with an active customer:
   byte for byte `attain cohort INPUT --layout cells` (by month, every row). */
WITH firsts AS (
  SELECT customer_id, min(order_date) AS first_date FROM tx GROUP BY customer_id
), per_customer AS (
  SELECT t.customer_id,
         period_start(f.first_date, 'month') AS cohort_start,
         period_index(t.order_date, 'month') - period_index(f.first_date, 'month') AS period,
         sum(t.amount) AS revenue
  FROM tx t JOIN firsts f ON t.customer_id = f.customer_id
  GROUP BY t.customer_id, period_start(f.first_date, 'month'),
           period_index(t.order_date, 'month') - period_index(f.first_date, 'month')
), cells AS (
  SELECT cohort_start, period, count(*) AS active, sum(revenue) AS revenue
  FROM per_customer GROUP BY cohort_start, period
)
SELECT to_char(c.cohort_start, '%Y-%m') AS cohort, c.period, s.active AS size, c.active, c.revenue
FROM cells c JOIN cells s ON s.cohort_start = c.cohort_start AND s.period = 0
ORDER BY c.cohort_start, c.period
