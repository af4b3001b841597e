#!/usr/bin/env python3
"""ClickHouse (chdb) as the anchor of `attain funnel measure`.

Generates a seeded event log in attain's event layout (entity_id,step,timestamp with
`--time-format unix-seconds`) and computes, with ClickHouse itself running in-process through
chdb, `windowFunnel(window)(timestamp, cond1, ..., condN)` in every mode combination and
`retention(cond1, ..., condN)` per entity.

    generate EVENTS.csv --events N [--seed S]      write a log of about N events
    expect EVENTS.csv OUT_DIR                       write the expected per-entity files
    time EVENTS.csv                                 time the default windowFunnel query once

The log is adversarial on purpose: equal timestamps across steps, rows shuffled (out-of-order
input), repeated steps, non-funnel events in between (`browse`, which breaks `strict_order`),
an exclusion-like event (`churn`), and gaps of exactly WINDOW and WINDOW + 1 seconds.
"""

import csv
import os
import random
import sys
import time

WINDOW = 3600
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
STEPS = ["visit", "signup", "trial", "deal"]
OTHER = ["browse", "churn"]
# Gaps in seconds between consecutive events of one entity: zeros make equal timestamps,
# WINDOW and WINDOW + 1 sit exactly on and just past the window edge.
GAPS = [0, 0, 0, 1, 2, 5, 30, 60, 600, 1800, WINDOW, WINDOW, WINDOW + 1, 86_400, 172_800]

MODES = {
    "default": [],
    "dedup": ["strict_deduplication"],
    "order": ["strict_order"],
    "increase": ["strict_increase"],
    "order_reentry": ["strict_order", "allow_reentry"],
    "dedup_order": ["strict_deduplication", "strict_order"],
    "dedup_increase": ["strict_deduplication", "strict_increase"],
    "order_increase": ["strict_order", "strict_increase"],
    "dedup_order_increase": ["strict_deduplication", "strict_order", "strict_increase"],
    "increase_once": ["strict_increase", "strict_once"],
}


def generate(path, events, seed):
    rng = random.Random(seed)
    rows = []
    entity = 0
    while len(rows) < events:
        entity += 1
        eid = f"e{entity:06d}"
        t = T0 + rng.randrange(0, 60 * 86_400)
        n = rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 16])
        # Mostly in funnel order with slips back, repeats and other events.
        level = 0
        for _ in range(n):
            r = rng.random()
            if r < 0.12:
                step = rng.choice(OTHER)
            elif r < 0.25:
                step = rng.choice(STEPS)
            elif r < 0.35:
                step = STEPS[min(max(level - 1, 0), len(STEPS) - 1)]  # a repeated step
            else:
                step = STEPS[min(level, len(STEPS) - 1)]
                level += 1
            rows.append((eid, step, t))
            t += rng.choice(GAPS)
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["entity_id", "step", "timestamp"])
        w.writerows(rows)


def source(path):
    return f"file('{os.path.abspath(path)}', CSVWithNames, 'entity_id String, step String, timestamp UInt64')"


def conds():
    return ", ".join(f"step = '{s}'" for s in STEPS)


def funnel_query(path):
    cols = []
    for name, flags in MODES.items():
        params = ", ".join([str(WINDOW)] + [f"'{f}'" for f in flags])
        cols.append(f"windowFunnel({params})(timestamp, {conds()}) AS {name}")
    return (
        f"SELECT entity_id, {', '.join(cols)} FROM {source(path)} "
        "GROUP BY entity_id ORDER BY entity_id"
    )


def retention_query(path):
    # retention over the funnel steps, and classic 7-day retention relative to each entity's
    # first visit day (day 0 = that day; cond k = a visit k days later).
    days = ", ".join(
        f"step = 'visit' AND intDiv(timestamp, 86400) = first_day + {k}" for k in range(8)
    )
    return (
        f"SELECT entity_id, retention({conds()}) AS steps, retention({days}) AS days "
        f"FROM (SELECT *, min(if(step = 'visit', intDiv(timestamp, 86400), 4294967295)) "
        f"OVER (PARTITION BY entity_id) AS first_day FROM {source(path)}) "
        "GROUP BY entity_id ORDER BY entity_id"
    )


def expect(path, out):
    import chdb

    os.makedirs(out, exist_ok=True)
    version = chdb.query("SELECT version()", "CSV").bytes().decode().strip().strip('"')
    q = funnel_query(path)
    res = chdb.query(q, "CSVWithNames").bytes()
    with open(os.path.join(out, "window_funnel.csv"), "wb") as f:
        f.write(res)
    q2 = retention_query(path)
    res2 = chdb.query(q2, "CSVWithNames").bytes()
    # Arrays print as "[1,0,1]"; write them as 101 digit strings to keep the CSV flat.
    lines = res2.decode().splitlines()
    with open(os.path.join(out, "retention.csv"), "w") as f:
        f.write("entity_id,steps,days\n")
        for line in lines[1:]:
            eid, rest = line.split(",", 1)
            a, b = rest.replace('"', "").split("],[")
            digits = lambda s: s.strip("[]").replace(",", "")
            f.write(f"{eid.strip(chr(34))},{digits(a)},{digits(b)}\n")
    with open(os.path.join(out, "queries.sql"), "w") as f:
        f.write(f"-- chdb {chdb.__version__}, ClickHouse {version}\n")
        f.write(q.replace(os.path.abspath(path), "events.csv") + ";\n")
        f.write(q2.replace(os.path.abspath(path), "events.csv") + ";\n")
    print(f"chdb {chdb.__version__} ClickHouse {version}")


def time_once(path):
    import chdb

    q = (
        f"SELECT level, count() FROM (SELECT entity_id, windowFunnel({WINDOW})(timestamp, {conds()}) "
        f"AS level FROM {source(path)} GROUP BY entity_id) GROUP BY level ORDER BY level"
    )
    start = time.perf_counter()
    res = chdb.query(q, "CSV").bytes().decode()
    print(f"{time.perf_counter() - start:.3f}s", res.replace("\n", " "), file=sys.stderr)


def main(argv):
    if len(argv) >= 2 and argv[0] == "generate":
        n = int(argv[argv.index("--events") + 1]) if "--events" in argv else 100_000
        seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 16
        generate(argv[1], n, seed)
    elif len(argv) == 3 and argv[0] == "expect":
        expect(argv[1], argv[2])
    elif len(argv) == 2 and argv[0] == "time":
        time_once(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
