#!/usr/bin/env python3
"""Scraped-text articles per CPU-second through ``newsworker process`` (issue 12, text target).

Input: the detik articles of ``../shared/data/detik-id-news/data_berita.csv`` as page scrapes
``{"url": tautan + "?copy=K", "text": judul + "\\n" + isi_berita}``, repeated with distinct URLs up to
--articles (default 5,000). Default settings (per-article deadline on, so the work runs in the
forkserver's child). CPU time is summed over every process of the command (bench/cpu.py); the
command runs once on the first article only and once on all of them, and
(articles - 1) / (CPU all - CPU first) is the steady rate, start-up excluded. Wall articles/s
of the whole command, start-up included, are printed beside it.

    .venv/bin/python bench/text_speed.py [--articles 5000] [--repeat 3] [--deadline-off]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import cpu
from bench.common import machine, now

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared"))
DETIK = SHARED / "data" / "detik-id-news" / "data_berita.csv"
NEWSWORKER = Path(sys.executable).with_name("newsworker")


def messages(n: int) -> list[dict]:
    csv.field_size_limit(10**9)
    with DETIK.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        out.append({"url": f"{row['tautan']}?copy={i // len(rows)}", "text": f"{row['judul']}\n{row['isi_berita']}"})
    return out


def write(msgs: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for m in msgs:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=1, help="take every timing this many times, report medians")
    ap.add_argument("--deadline-off", action="store_true", help="NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0 (in-process)")
    args = ap.parse_args()
    msgs = messages(args.articles)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}
    if args.deadline_off:
        env["NEWSWORKER_ARTICLE_TIMEOUT_SECONDS"] = "0"
    full, first = [], []
    with tempfile.TemporaryDirectory(prefix="bench-text-") as tmp:
        work = Path(tmp)
        write(msgs, work / "all.jsonl")
        write(msgs[:1], work / "first.jsonl")
        for _ in range(args.repeat):
            base = [str(NEWSWORKER), "process", "--progress-every", "100000000", "--output"]
            first.append(cpu.run([*base, str(work / "first.out"), "--input", str(work / "first.jsonl")], env))
            full.append(cpu.run([*base, str(work / "all.out"), "--input", str(work / "all.jsonl")], env))
        kinds: dict[str, int] = {}
        for line in (work / "all.out").read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            kind = "deadletter" if "error" in event else event["dedup"]["status"]
            kinds[kind] = kinds.get(kind, 0) + 1
    n = len(msgs)
    rate = statistics.median((n - 1) / (f.cpu - o.cpu) for f, o in zip(full, first, strict=True))
    startup = statistics.median(o.cpu for o in first) - 1 / rate
    wall = statistics.median(n / f.wall for f in full)
    settings = "NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0" if args.deadline_off else "default settings (deadline on)"
    print(f"# scraped-text articles per CPU-second ({n} detik articles, distinct URLs)")
    print(f"date:    {now()}")
    print(f"machine: {machine()}")
    flags = f" --articles {n}" + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
    print(f"command: .venv/bin/python bench/text_speed.py{flags}{' --deadline-off' if args.deadline_off else ''}")
    print(f"newsworker process, {settings}; outputs: {kinds}")
    print()
    print(f"steady state: {rate:.0f} articles per CPU-second over all processes ({1000 / rate:.2f} ms per article)")
    print(f"start-up: {startup:.2f} CPU-s; wall, start-up included: {wall:.0f} articles/s")
    print("per run, CPU all/first: " + ", ".join(f"{f.cpu:.2f}/{o.cpu:.2f}" for f, o in zip(full, first, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
