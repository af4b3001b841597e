# Runs R `rfm` 0.3.0's own code (rfm_table_order + rfm_segment) on a transaction CSV.
#
#   Rscript gen.R RFM_SRC INPUT ID_COL DATE_COL AMOUNT_COL ANALYSIS_DATE OUTPUT
#   Rscript gen.R RFM_SRC --maps OUTPUT      (the README's segments for each of the 125 codes)
#   Rscript gen.R RFM_SRC --adversarial DIR OUTPUT   (every DIR/*.csv, bins 2, 3, 4, 5, 7, 10,
#                                                     as of 2026-01-01; segments with 5 bins)
#
# RFM_SRC is a checkout of https://github.com/rsquaredacademy/rfm at v0.3.0
# (297ed8b34addaa4dcfdd5ab872fc6eba35e5db1c); its R/rfm-table-transaction.R, R/utils.R and
# R/rfm-segment.R are sourced unchanged. Made with R 4.2.2 and dplyr 1.0.10 (Debian bookworm
# packages r-base-core, r-cran-dplyr, r-cran-magrittr, r-cran-rlang). dplyr 1.0.10 predates
# `join_by()`, which rfm_table_order() only uses to join the input's other columns back, so a
# one-line stand-in is defined; it does not touch any score.
suppressPackageStartupMessages({library(dplyr); library(magrittr); library(rlang)})
if (!exists("join_by")) join_by <- function(...) "customer_id"
args <- commandArgs(trailingOnly = TRUE)
for (f in c("rfm-table-transaction.R", "utils.R", "rfm-segment.R")) source(file.path(args[1], "R", f))

# The segments of the package README and of the article "RFM - Transaction Level Data".
segment_names <- c("Champions", "Potential Loyalist", "Loyal Customers",
                   "Promising", "New Customers", "Can't Lose Them",
                   "At Risk", "Need Attention", "About To Sleep", "Lost")
recency_lower <-   c(5, 3, 2, 3, 4, 1, 1, 1, 2, 1)
recency_upper <-   c(5, 5, 4, 4, 5, 2, 2, 3, 3, 1)
frequency_lower <- c(5, 3, 2, 1, 1, 3, 2, 3, 1, 1)
frequency_upper <- c(5, 5, 4, 3, 3, 4, 5, 5, 3, 5)
monetary_lower <-  c(5, 2, 2, 3, 1, 4, 4, 3, 1, 1)
monetary_upper <-  c(5, 5, 4, 5, 5, 5, 5, 5, 4, 5)
segment <- function(res) rfm_segment(res, segment_names, recency_lower, recency_upper,
                                     frequency_lower, frequency_upper, monetary_lower, monetary_upper)

if (args[2] == "--maps") {
  g <- expand.grid(m = 1:5, f = 1:5, r = 1:5)
  rfm <- data.frame(customer_id = sprintf("%d%d%d", g$r, g$f, g$m), recency_days = 0,
                    transaction_count = 0, amount = 0, recency_score = g$r,
                    frequency_score = g$f, monetary_score = g$m,
                    rfm_score = g$r * 100 + g$f * 10 + g$m)
  seg <- segment(list(rfm = rfm))
  write.csv(data.frame(map = "r-rfm", code = seg$customer_id, segment = seg$segment),
            args[3], row.names = FALSE, quote = FALSE)
} else if (args[2] == "--adversarial") {
  rows <- list()
  for (path in sort(Sys.glob(file.path(args[3], "*.csv")), method = "radix")) {
    d <- read.csv(path, colClasses = "character")
    d <- data.frame(customer_id = d$customer_id, order_date = as.Date(d$order_date),
                    revenue = as.numeric(d$amount))
    for (n in c(2, 3, 4, 5, 7, 10)) {
      res <- rfm_table_order(d, customer_id, order_date, revenue, as.Date("2026-01-01"),
                             recency_bins = n, frequency_bins = n, monetary_bins = n)
      r <- res$rfm
      r$segment <- if (n == 5) segment(res)$segment[match(r$customer_id, segment(res)$customer_id)] else ""
      r <- r[order(r$customer_id, method = "radix"), ]
      rows[[length(rows) + 1]] <- data.frame(case = sub("[.]csv$", "", basename(path)), bins = n,
        customer_id = r$customer_id, recency_days = r$recency_days,
        transaction_count = r$transaction_count, amount = r$amount, recency_score = r$recency_score,
        frequency_score = r$frequency_score, monetary_score = r$monetary_score, segment = r$segment)
    }
  }
  write.csv(do.call(rbind, rows), args[4], row.names = FALSE, quote = FALSE)
} else {
  d <- read.csv(args[2], colClasses = "character")
  d <- data.frame(customer_id = d[[args[3]]], order_date = as.Date(d[[args[4]]]),
                  revenue = as.numeric(d[[args[5]]]))
  res <- rfm_table_order(d, customer_id, order_date, revenue, as.Date(args[6]))
  seg <- segment(res)
  out <- seg[order(seg$customer_id, method = "radix"),
             c("customer_id", "recency_days", "transaction_count", "amount", "recency_score",
               "frequency_score", "monetary_score", "segment")]
  write.csv(out, args[7], row.names = FALSE, quote = FALSE)
}
