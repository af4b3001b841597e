"""PyMC-Marketing 0.19.0's `rfm_segments`, the expected output of `attain rfm --scoring pymc`.

    pip install --no-deps pymc-marketing==0.19.0   # plus numpy 2.4.6, pandas 3.1.1, xarray 2026.9.0
    python3 gen.py

`pymc_marketing/clv/utils.py` is loaded on its own (it imports only numpy, pandas and xarray), so
the rest of the package (PyMC itself) is not needed. For each file, with observation_period_end
= AS_OF and the default segment config:

    rfm_segments(df, "customer_id", "order_date", "amount", observation_period_end=AS_OF)

Files: cdnow_sample.csv and cdnow_master.csv (as of 1998-06-30), adversarial.csv (every file of
../adversarial, as of 2026-01-01; `error` holds the exception when rfm_segments raises).
"""
import csv, glob, importlib.util, os, warnings
import pandas as pd
from importlib import metadata

spec = importlib.util.spec_from_file_location(
    "pymc_clv_utils", os.path.join(importlib.util.find_spec("pymc_marketing").submodule_search_locations[0], "clv", "utils.py"))
utils = importlib.util.module_from_spec(spec)
spec.loader.exec_module(utils)
warnings.simplefilter("ignore")

def run(path, as_of):
    df = pd.read_csv(path, dtype={"customer_id": str, "order_id": str, "amount": float})
    df["order_date"] = pd.to_datetime(df["order_date"])
    out = utils.rfm_segments(df, "customer_id", "order_date", "amount", observation_period_end=as_of)
    return out.sort_values("customer_id", key=lambda s: s.map(lambda x: x.encode()))

here = os.path.dirname(os.path.abspath(__file__))
cols = ["customer_id", "frequency", "recency", "monetary_value", "rfm_score", "segment"]
for name in ("sample", "master"):
    src = os.path.join(here, "..", "..", "cdnow_transactions.csv" if name == "sample" else "cdnow_master.csv")
    run(src, "1998-06-30")[cols].to_csv(os.path.join(here, f"cdnow_{name}.csv"), index=False, float_format="%.17g")
with open(os.path.join(here, "adversarial.csv"), "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["case"] + cols + ["error"])
    for path in sorted(glob.glob(os.path.join(here, "..", "adversarial", "*.csv"))):
        case = os.path.basename(path)[:-4]
        try:
            for row in run(path, "2026-01-01")[cols].itertuples(index=False):
                w.writerow([case] + [repr(v) if isinstance(v, float) else v for v in row] + [""])
        except Exception as e:  # noqa: BLE001 - the anchor's own failure is the expected output
            w.writerow([case, "", "", "", "", "", "", f"{type(e).__name__}: {e}"])
print("pymc-marketing", metadata.version("pymc-marketing"), "pandas", pd.__version__)
