/* RFM values, scores (rfm_score OVER ()) and segments of every customer of table tx:
   byte for byte `attain rfm INPUT --as-of DATE --segments standard11` (5 bins, ties). */
WITH agg AS (
  SELECT customer_id, rfm(order_date, amount, order_id) AS v FROM tx GROUP BY customer_id
), vals AS (
  SELECT customer_id, get_field(v, 'recency_days') AS recency_days,
         get_field(v, 'frequency') AS frequency, get_field(v, 'monetary') AS monetary
  FROM agg
), scored AS (
  SELECT customer_id, recency_days, frequency, monetary,
         rfm_score(recency_days, frequency, monetary, customer_id) OVER () AS s
  FROM vals
)
SELECT customer_id, recency_days, frequency, monetary,
       get_field(s, 'r') AS r, get_field(s, 'f') AS f, get_field(s, 'm') AS m,
       rfm_segment(get_field(s, 'r'), get_field(s, 'f'), get_field(s, 'm'), 'standard11') AS segment
FROM scored
ORDER BY customer_id
