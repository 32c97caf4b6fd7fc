"""Checks ``newsworker process`` output for the bundled sample: one outcome per input line, none internal.

    newsworker process -i samples/demo.jsonl -o out.jsonl && python -m workers.samples.check out.jsonl

Used by the Dockerfile's build check and the install tests: an install that cannot import a
dependency, or that turns articles into ``internal`` dead letters, fails here instead of in production.
"""

from __future__ import annotations

import sys
from collections import Counter
from importlib import resources

import orjson


def check(output_path: str) -> list[str]:
    """Problems found in the output (empty when it is good)."""
    with resources.files("workers.samples").joinpath("demo.jsonl").open("rb") as f:
        inputs = [line for line in f.read().split(b"\n") if line.strip()]
    with open(output_path, "rb") as f:
        events = [orjson.loads(line) for line in f if line.strip()]
    problems = []
    if len(events) != len(inputs):
        problems.append(f"{len(inputs)} input lines but {len(events)} outcomes")
    kinds: Counter[str] = Counter()
    for ev in events:
        if "error" in ev:
            kinds["deadletter:" + ev["error"]["reason"]] += 1
            if ev["error"]["reason"] == "internal":
                problems.append(f"internal dead letter at {ev['source']}: {ev['error']['message'][:200]}")
        else:
            kinds[ev["dedup"]["status"]] += 1
    if not kinds["unique"]:
        problems.append("no article came out")
    print("sample outcomes:", dict(sorted(kinds.items())), file=sys.stderr)
    return problems


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python -m workers.samples.check OUTPUT.jsonl", file=sys.stderr)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
