"""The long fuzz run: N generated hostile messages (tests/fuzzgen.py) through ``Pipeline.process``.

    .venv/bin/python bench/fuzz.py --n 100000 [--seed 1] [--no-big]

Counts crashes (an exception out of ``process``), ``internal`` dead letters, outcomes the oracle
calls dishonest, dead letters whose payload is not the input, and the slowest input per size
bucket (CPU time, in-process, no per-article deadline: NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0).
Prints a Markdown report for RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import sys
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import fuzzgen
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

BUCKETS = [(1_000, "< 1 KB"), (10_000, "1-10 KB"), (100_000, "10-100 KB"), (1_000_000, "100 KB-1 MB"),
           (float("inf"), ">= 1 MB")]


def bucket(size: int) -> str:
    return next(name for limit, name in BUCKETS if size < limit)


def main() -> int:  # noqa: C901, PLR0915 -- one straight report; splitting it would only pass the counters around
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-big", action="store_true", help="without 10 MB lines and inputs over 20 KB")
    args = ap.parse_args()

    pipeline = Pipeline(limits=Limits(timeout_seconds=0))
    warm = fuzzgen.valid_html(fuzzgen.random.Random(0), 0)  # imports and the language model: not an input's time
    Pipeline(limits=Limits(timeout_seconds=0)).process(fuzzgen.json.dumps(warm).encode(), Source(line=0))
    outcomes: Counter = Counter()
    by_family: Counter = Counter()
    crashes, internal, dishonest, payload_mismatch, over_1s_under_100kb = [], [], [], 0, []
    slowest: dict[str, tuple[float, int, str, int]] = {}
    sizes: Counter = Counter()
    started, cpu_started = time.monotonic(), time.process_time()
    for n, case in enumerate(fuzzgen.generate(args.seed, args.n, big=not args.no_big), start=1):
        t = time.process_time()
        try:
            outcome = pipeline.process(case.payload, Source(line=n))
        except Exception:  # counting crashes is the point
            crashes.append((n, case.family, traceback.format_exc(limit=3)))
            continue
        spent = time.process_time() - t
        value = outcome.dead_letter if outcome.kind == "deadletter" else None
        got = value["error"]["reason"] if value is not None else fuzzgen.ARTICLE
        outcomes[got] += 1
        by_family[(case.family.split(":")[0], got)] += 1
        if value is not None and got == "internal":
            internal.append((n, case.family, value["error"]["message"]))
        elif case.expect is not None and got not in case.expect:
            dishonest.append((n, case.family, got, sorted(case.expect)))
        if value is not None:
            raw = (value["payload"].encode() if value["payload_encoding"] == "utf-8"
                   else base64.b64decode(value["payload"]))
            payload_mismatch += raw != case.payload
        b = bucket(len(case.payload))
        sizes[b] += 1
        if spent > slowest.get(b, (0.0,))[0]:
            slowest[b] = (spent, len(case.payload), case.family, n)
        if spent > 1.0 and len(case.payload) < 100_000:
            over_1s_under_100kb.append((n, case.family, len(case.payload), spent))
        if n % 10_000 == 0:
            print(f"{n} inputs, {time.monotonic() - started:.0f} s: {dict(outcomes)}", file=sys.stderr, flush=True)
    pipeline.close()

    print(f"## Fuzz run: {args.n:,} inputs, seed {args.seed}{'' if not args.no_big else ', without big inputs'}\n")
    machine = platform.processor() or platform.machine()
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, {machine}, "
          f"Python {platform.python_version()}; wall {time.monotonic() - started:.0f} s, "
          f"CPU {time.process_time() - cpu_started:.0f} s\n")
    print(f"command: `.venv/bin/python bench/fuzz.py --n {args.n} --seed {args.seed}`\n")
    print("| measure | count |\n|---|---|")
    print(f"| inputs | {sum(outcomes.values()) + len(crashes):,} |")
    print(f"| crashes (exception out of process) | {len(crashes)} |")
    print(f"| `internal` dead letters | {len(internal)} |")
    print(f"| outcomes the oracle calls dishonest | {len(dishonest)} |")
    print(f"| dead letters whose payload is not the input | {payload_mismatch} |")
    print(f"| inputs under 100 KB over 1 s | {len(over_1s_under_100kb)} |")
    print("\n| outcome | count |\n|---|---|")
    for got, count in outcomes.most_common():
        print(f"| {got} | {count:,} |")
    print("\n| size | inputs | slowest (CPU s) | its size | its family |\n|---|---|---|---|---|")
    for _, name in BUCKETS:
        if name in slowest:
            spent, size, family, _n = slowest[name]
            print(f"| {name} | {sizes[name]:,} | {spent:.3f} | {size:,} B | {family} |")
    print("\n| family | outcome | count |\n|---|---|---|")
    for (family, got), count in sorted(by_family.items()):
        print(f"| {family} | {got} | {count:,} |")
    for title, items in (("crashes", crashes), ("internal", internal), ("dishonest", dishonest),
                         ("over 1 s under 100 KB", over_1s_under_100kb)):
        if items:
            print(f"\n{title} (first 10):")
            for item in items[:10]:
                print("   ", item)
    return 1 if crashes or internal or dishonest or payload_mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
