#!/usr/bin/env python3
"""HTML main-content extraction on the article-extraction benchmark (scrapinghub).

Runs the product's own offline command (``newsworker process``) over the
benchmark pages, scores the ``body`` of every output event with the published
metric (evaluate.py of scrapinghub/article-extraction-benchmark: 4-token
shingles, per-page normalised TP/FP/FN, mean precision and mean recall over
pages, F1 of the two means), and scores trafilatura directly in the same run
for comparison.

    .venv/bin/python bench/extraction.py [--limit N] [--repeat R] [--deadline-off] [--keep DIR]

Speed, as issue 12 counts it: CPU-seconds per article summed over every
process of ``newsworker process`` (parent, forkserver, extraction children; see
bench/cpu.py), default settings (per-article deadline on), start-up excluded:
the command runs once on the first page only and once on all pages, and
(CPU all - CPU first) / (pages - 1) is the steady cost per article; the first
run's CPU less one article is the start-up. The reference is
``trafilatura.extract(html)`` with default options, CPU time (process_time)
around the call only, same pages, same run. Wall-clock pages/s of the whole
command, start-up included, are printed beside it. With --repeat R each
measurement is taken R times, interleaved, and the medians are reported.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import cpu
from bench.common import machine

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared")) / "data" / "article-extraction-benchmark"
NEWSWORKER = Path(sys.executable).with_name("newsworker")

# --- the published metric (evaluate.py), reimplemented -----------------------
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision(tp, fp, fn):
    return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp, fp, fn):
    return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)


def metrics(scores: list[tuple[float, float, float]]) -> dict[str, float]:
    ps = [_precision(*s) for s in scores if s[0] + s[1] > 0]
    rs = [_recall(*s) for s in scores if s[0] + s[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


# --- systems -----------------------------------------------------------------
def load_pages(data: Path, limit: int | None) -> list[dict]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:  # hash order: the halves below are fixed, not chosen
        with gzip.open(data / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        truth_body = truth[key].get("articleBody", "")
        pages.append({"id": key, "url": truth[key].get("url"), "html": html, "truth": truth_body})
    return pages


def write_input(pages: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for page in pages:
            f.write(json.dumps({"id": page["id"], "url": page["url"], "html": page["html"]}) + "\n")


def newsworker_env(deadline_off: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}  # default settings
    if deadline_off:
        env["NEWSWORKER_ARTICLE_TIMEOUT_SECONDS"] = "0"
    return env


def run_newsworker(inp: Path, out: Path, env: dict[str, str]) -> cpu.Usage:
    cmd = [str(NEWSWORKER), "process", "--input", str(inp), "--output", str(out), "--progress-every", "1000000"]
    return cpu.run(cmd, env)


def read_bodies(out: Path, n: int) -> tuple[list[str], Counter]:
    bodies: list[str] = []
    kinds: Counter = Counter()
    for line in out.read_text(encoding="utf-8").splitlines():  # one output line per input line, in order
        event = json.loads(line)
        kinds["deadletter" if "error" in event else "event"] += 1
        bodies.append(event.get("body") or "")
    if len(bodies) != n:
        raise SystemExit(f"newsworker wrote {len(bodies)} lines for {n} pages")
    return bodies, kinds


def run_trafilatura(pages: list[dict], **options) -> tuple[list[str], float, float]:
    """Bodies, CPU seconds and wall seconds inside ``trafilatura.extract``."""
    import trafilatura

    bodies, cpu_s, wall = [], 0.0, 0.0
    for page in pages:
        c, w = time.process_time(), time.perf_counter()
        text = trafilatura.extract(page["html"], **options)
        cpu_s += time.process_time() - c
        wall += time.perf_counter() - w
        bodies.append(text or "")
    return bodies, cpu_s, wall


# --- report ------------------------------------------------------------------


def main() -> int:  # noqa: PLR0915 -- one linear report
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="only the first N pages (hash order), for quick runs")
    ap.add_argument("--data", type=Path, default=DATA, help="benchmark directory (html/, ground-truth.json)")
    ap.add_argument("--keep", type=Path, help="keep the JSONL input/output and per-page scores in this directory")
    ap.add_argument("--repeat", type=int, default=1, help="take every timing this many times, report medians")
    ap.add_argument("--deadline-off", action="store_true",
                    help="NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0 (in-process) instead of the default settings")
    ap.add_argument("--only-newsworker", action="store_true", help="skip the trafilatura baselines")
    args = ap.parse_args()

    import trafilatura

    pages = load_pages(args.data, args.limit)
    n = len(pages)
    if n < 2:
        raise SystemExit("need at least 2 pages")
    env = newsworker_env(args.deadline_off)
    workdir = Path(tempfile.mkdtemp(prefix="bench-extraction-"))
    full, first, ref = [], [], []
    try:
        write_input(pages, workdir / "pages.jsonl")
        write_input(pages[:1], workdir / "first.jsonl")
        for _ in range(args.repeat):  # interleaved, so that a burst of load on the machine hits all three
            first.append(run_newsworker(workdir / "first.jsonl", workdir / "first.out.jsonl", env))
            full.append(run_newsworker(workdir / "pages.jsonl", workdir / "out.jsonl", env))
            if not args.only_newsworker:
                ref.append(run_trafilatura(pages))
        nw_bodies, kinds = read_bodies(workdir / "out.jsonl", n)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("pages.jsonl", "out.jsonl"):
                shutil.copy(workdir / name, args.keep / name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    med = statistics.median
    per_article = med((f.cpu - o.cpu) / (n - 1) for f, o in zip(full, first, strict=True))
    startup_cpu = med(o.cpu for o in first) - per_article
    startup_wall = med(o.wall for o in first)
    wall_rate = n / med(f.wall for f in full)
    version = trafilatura.__version__
    systems = [("newsworker (process)", nw_bodies, per_article, wall_rate)]
    if ref:
        ref_cpu = med(r[1] for r in ref) / n
        systems.append((f"trafilatura {version} default", ref[0][0], ref_cpu, n / med(r[2] for r in ref)))
        fast_bodies, fast_cpu, fast_wall = run_trafilatura(pages, fast=True)
        systems.append((f"trafilatura {version} fast", fast_bodies, fast_cpu / n, n / fast_wall))

    half = n // 2
    rows, per_page = [], {}
    for name, bodies, cpu_per_page, rate in systems:
        scores = [tp_fp_fn(p["truth"], b) for p, b in zip(pages, bodies, strict=True)]
        per_page[name] = {p["id"]: s for p, s in zip(pages, scores, strict=True)}
        m, a, b = metrics(scores), metrics(scores[:half]), metrics(scores[half:])
        rows.append((name, m, cpu_per_page, rate, a["f1"], b["f1"]))
    if args.keep:
        (args.keep / "scores.json").write_text(json.dumps(per_page, indent=1))

    settings = "NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0" if args.deadline_off else "default settings (deadline on)"
    print(f"# HTML extraction, article-extraction-benchmark ({n} pages)")
    print(f"date:    {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"machine: {machine()}")
    flags = (f" --limit {args.limit}" if args.limit else "") + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
    flags += " --deadline-off" if args.deadline_off else ""
    print(f"command: .venv/bin/python bench/extraction.py{flags}")
    print(f"newsworker run as: newsworker process --input pages.jsonl --output out.jsonl, {settings}"
          f"  (outputs: {dict(kinds)})")
    print()
    print(f"| system | F1 | precision | recall | CPU ms/page | wall pages/s | F1 first half ({half}) |"
          f" F1 second half ({n - half}) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, m, cpu_per_page, rate, f1a, f1b in rows:
        print(f"| {name} | {m['f1']:.3f} | {m['precision']:.3f} | {m['recall']:.3f} | {1000 * cpu_per_page:.1f} |"
              f" {rate:.1f} | {f1a:.3f} | {f1b:.3f} |")
    print()
    if ref:
        print(f"speed, CPU per article: newsworker / trafilatura default = {rows[1][2] / per_article:.2f}x"
              f" (trafilatura {1000 * rows[1][2]:.1f} ms, newsworker {1000 * per_article:.1f} ms per page)")
    print(f"newsworker start-up: {startup_cpu:.2f} CPU-s over all processes, {startup_wall:.2f} s wall for the"
          f" one-page run; wall pages/s above include it")
    print(f"runs: {args.repeat} (medians); per run newsworker CPU all/first: "
          + ", ".join(f"{f.cpu:.2f}/{o.cpu:.2f}" for f, o in zip(full, first, strict=True)))
    print("CPU ms/page: newsworker = (CPU of all processes, all pages - the same, first page only) / (pages - 1);"
          " trafilatura = process time inside extract(). wall pages/s: newsworker = pages / wall time of the whole"
          " command (start-up included); trafilatura = pages / wall time inside extract().")
    print("halves: pages in ground-truth hash order, first and second half.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
