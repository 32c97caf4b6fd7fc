"""Absolute times of the linear-time cases (tests/test_linear_time.py) at 10 KB, 100 KB and 1 MB.

    .venv/bin/python bench/linear_time.py [--sizes 10000,100000,1000000]

CPU time of one call (the fastest of two at the smaller sizes), in-process. Prints a Markdown table
for RELIABILITY.md; the target there: no input under 100 KB takes more than 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_linear_time import CASES, seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print(f"command: `.venv/bin/python bench/linear_time.py --sizes {args.sizes}`\n")
    head = " | ".join(f"{s // 1000:,} KB (s)" for s in sizes)
    print(f"| case | {head} | growth per tenfold |\n|---|{'---|' * len(sizes)}---|")
    worst_under_100kb = 0.0
    for name, (fn, make) in CASES.items():
        fn(make(1000))
        times = [seconds(fn, make(size), 2 if size < 1_000_000 else 1) for size in sizes]
        worst_under_100kb = max(worst_under_100kb, *(t for t, s in zip(times, sizes, strict=True) if s <= 100_000))
        tenfolds = len(str(sizes[-1] // sizes[0])) - 1
        growth = (times[-1] / max(times[0], 1e-4)) ** (1 / tenfolds) if tenfolds else 1.0
        cells = " | ".join(f"{t:.3f}" for t in times)
        print(f"| {name} | {cells} | {growth:.1f} |", flush=True)
    print(f"\nslowest case at 100 KB or less: {worst_under_100kb:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
