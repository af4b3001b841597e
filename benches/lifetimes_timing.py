"""Time the Python `lifetimes` package's fits on CDNOW, for the side-by-side with attain's
criterion bench `crates/attain-lifecycle/benches/clv.rs` (see benches/RESULTS-clv.md).

Setup (its own virtual environment):
    python3 -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes
Run:
    /tmp/lt/bin/python benches/lifetimes_timing.py data/CDNOW_sample.txt [CDNOW_master.txt]

Same data preparation as attain: calibration 1997-01-01 ..= 1997-09-30, days / 7 as the unit
(fractional weeks), same-day purchases merged by lifetimes' summary function. The summary is
built once, outside the timings; each fit is timed `REPEATS` times and the median is reported.
"""

import statistics
import sys
import time

import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

REPEATS = 7


def load(path):
    """Sample: `id cohort YYYYMMDD cds dollars`; master: a header, then `id YYYYMMDD cds dollars`."""
    rows = []
    with open(path) as f:
        for line in f:
            cols = line.split()
            if not cols or not cols[0].isdigit():
                continue
            date, amount = (cols[2], cols[4]) if len(cols) == 5 else (cols[1], cols[3])
            rows.append((cols[0], date, float(amount)))
    df = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    s = summary_data_from_transaction_data(
        df, "customer_id", "date", monetary_value_col="amount",
        observation_period_end="1997-09-30", freq="D",
    )
    s["recency"] = s["recency"] / 7.0
    s["T"] = s["T"] / 7.0
    return s


def timed(label, fitter_factory, s):
    times = []
    fitter = None
    for _ in range(REPEATS):
        fitter = fitter_factory()
        t0 = time.perf_counter()
        fitter.fit(s["frequency"], s["recency"], s["T"])
        times.append(time.perf_counter() - t0)
    params = {k: round(float(v), 4) for k, v in fitter.params_.items()}
    print(f"{label}: median {statistics.median(times) * 1e3:.1f} ms "
          f"(min {min(times) * 1e3:.1f} ms, {REPEATS} runs), customers {len(s)}, params {params}")


def main():
    sample = load(sys.argv[1] if len(sys.argv) > 1 else "data/CDNOW_sample.txt")
    timed("lifetimes BG/NBD, CDNOW sample", BetaGeoFitter, sample)
    timed("lifetimes Pareto/NBD, CDNOW sample", ParetoNBDFitter, sample)
    if len(sys.argv) > 2:
        master = load(sys.argv[2])
        timed("lifetimes BG/NBD, CDNOW master", BetaGeoFitter, master)


if __name__ == "__main__":
    main()
