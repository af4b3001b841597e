"""Each built-in segment map's segment for every score code, from the maps' own sources.

    python3 gen.py HANG_README     # pandas 3.1.1, pymc-marketing 0.19.0 (--no-deps), rfm 1.0.9
    Rscript ../r_rfm/gen.R RFM_SRC --maps r-rfm.csv

HANG_README is README.md of https://github.com/hangnt1623/Python_E-commerce_RFM-Analysis-for-Customer-Segmentation
at f00b2ba6a0edec1538068ef83c6866ede007dd79. Writes one CSV per map (`map,code,segment`, an empty
segment where the source assigns none):

- `standard11.csv`: that README's "RFM Segments" table, an exact lookup of the 125 codes;
- `rf10.csv`: the 10-pattern R/F regex map (`seg_map`, first published in the Miuul/VBO RFM
  course and copied into many public notebooks), applied as they apply it,
  `Series.replace(seg_map, regex=True)` on the two-character RF code; M does not matter;
- `pymc.csv`: PyMC-Marketing 0.19.0's `_default_rfm_segment_config` over the 64 codes of four
  quartiles, applied by `rfm_segments`' own loop (later keys win, the rest become "Other");
- `pypi-rfm.csv`: PyPI `rfm` 1.0.9's `RFM.find_segments` run on one customer per code.
"""
import csv, importlib.util, os, re, sys
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
codes5 = [f"{r}{f}{m}" for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]

def write(name, pairs):
    with open(os.path.join(here, f"{name}.csv"), "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["map", "code", "segment"])
        w.writerows([name, c, s if isinstance(s, str) else ""] for c, s in pairs)

# standard11: the README table.
table = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"\|\s*\*\*(.+?)\*\*\s*\|\s*([0-9, ]+)\|", line)
    if m:
        for c in m.group(2).split(","):
            assert c.strip() not in table, c
            table[c.strip()] = m.group(1).strip()
write("standard11", [(c, table.get(c)) for c in codes5])

# rf10: the regex map, applied with pandas.
seg_map = {
    r'[1-2][1-2]': 'hibernating',
    r'[1-2][3-4]': 'at_Risk',
    r'[1-2]5': 'cant_loose',
    r'3[1-2]': 'about_to_sleep',
    r'33': 'need_attention',
    r'[3-4][4-5]': 'loyal_customers',
    r'41': 'promising',
    r'51': 'new_customers',
    r'[4-5][2-3]': 'potential_loyalists',
    r'5[4-5]': 'champions'
}
rf = pd.Series([c[:2] for c in codes5]).replace(seg_map, regex=True)
write("rf10", zip(codes5, rf))

# pymc: the default config and rfm_segments' assignment loop.
spec = importlib.util.spec_from_file_location(
    "pymc_clv_utils", os.path.join(importlib.util.find_spec("pymc_marketing").submodule_search_locations[0], "clv", "utils.py"))
utils = importlib.util.module_from_spec(spec)
spec.loader.exec_module(utils)
codes4 = [f"{r}{f}{m}" for r in range(1, 5) for f in range(1, 5) for m in range(1, 5)]
rfm_data = pd.DataFrame({"rfm_score": codes4})
segment_config = utils._default_rfm_segment_config
rfm_data["segment"] = "Other"
for key in list(segment_config.keys()):
    rfm_data.loc[rfm_data["rfm_score"].isin(segment_config[key]), "segment"] = key
write("pymc", zip(rfm_data.rfm_score, rfm_data.segment))

# pypi-rfm: RFM.find_segments on one customer per code.
from rfm import RFM
df = pd.DataFrame({"cid": codes5, "r": [int(c[0]) for c in codes5], "f": [int(c[1]) for c in codes5],
                   "m": [int(c[2]) for c in codes5]})
seg = RFM(df, "cid", "date", "amount", automated=False).find_segments(df)
write("pypi-rfm", zip(seg.cid, seg.segment))
