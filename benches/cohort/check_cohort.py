#!/usr/bin/env python3
"""Exact comparison of two cohort job v1 outputs: check_cohort.py A.csv B.csv (exit 1 if they
differ). Every field is compared as text after a format check: cohort YYYY-MM, integers plain
base-10, revenue with exactly 2 fraction digits."""
import re
import sys

HEADER = "cohort,period,size,active,revenue"
ROW = re.compile(r"^\d{4}-\d{2},(0|[1-9]\d*),[1-9]\d*,[1-9]\d*,-?\d+\.\d\d$")


def load(path):
    with open(path, newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        sys.exit(f"{path}: header is not {HEADER!r}")
    for i, line in enumerate(lines[1:], start=2):
        if not ROW.match(line):
            sys.exit(f"{path}:{i}: bad row {line!r}")
    return lines


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    for i, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            sys.exit(f"line {i}: {x!r} != {y!r}")
    if len(a) != len(b):
        sys.exit(f"{len(a)} lines != {len(b)} lines")
    print(f"same: {len(a) - 1} cells")


if __name__ == "__main__":
    main()
