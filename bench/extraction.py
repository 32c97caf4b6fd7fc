#!/usr/bin/env python3
"""HTML main-content extraction on the article-extraction benchmark (scrapinghub).

Runs the product's own offline command (``newsworker process``) over the
benchmark pages, scores the ``body`` of every output event with the published
metric (evaluate.py of scrapinghub/article-extraction-benchmark: 4-token
shingles, per-page normalised TP/FP/FN, mean precision and mean recall over
pages, F1 of the two means), and scores trafilatura directly in the same run
for comparison.

    /work/venv/bin/python bench/extraction.py [--limit N] [--data DIR] [--keep DIR]

Speed: trafilatura is timed around the ``extract`` call only. newsworker is
timed as the wall time of the whole ``newsworker process`` command (interpreter
start-up, imports, JSON, cleaning, enrichment, dedup, schema validation
included) divided by the page count, with NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0
so that everything runs in one process on one core.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
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
        pages.append({"id": key, "url": truth[key].get("url"), "html": html, "truth": truth[key].get("articleBody", "")})
    return pages


def run_newsworker(pages: list[dict], workdir: Path) -> tuple[list[str], float, str, Counter]:
    inp, out = workdir / "pages.jsonl", workdir / "out.jsonl"
    with inp.open("w", encoding="utf-8") as f:
        for page in pages:
            f.write(json.dumps({"id": page["id"], "url": page["url"], "html": page["html"]}) + "\n")
    env = dict(os.environ, NEWSWORKER_ARTICLE_TIMEOUT_SECONDS="0")
    cmd = [str(NEWSWORKER), "process", "--input", str(inp), "--output", str(out), "--progress-every", "1000000"]
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    bodies, kinds = [], Counter()
    for line in out.read_text(encoding="utf-8").splitlines():  # one output line per input line, in order
        event = json.loads(line)
        kinds["deadletter" if "error" in event else "event"] += 1
        bodies.append(event.get("body") or "")
    if len(bodies) != len(pages):
        raise SystemExit(f"newsworker wrote {len(bodies)} lines for {len(pages)} pages")
    return bodies, seconds, "NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0 " + " ".join(cmd[:2] + ["--input", "pages.jsonl", "--output", "out.jsonl"]), kinds


def run_trafilatura(pages: list[dict], **options) -> tuple[list[str], float]:
    import trafilatura

    bodies, seconds = [], 0.0
    for page in pages:
        started = time.perf_counter()
        text = trafilatura.extract(page["html"], **options)
        seconds += time.perf_counter() - started
        bodies.append(text or "")
    return bodies, seconds


# --- report ------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="only the first N pages (hash order), for quick runs")
    ap.add_argument("--data", type=Path, default=DATA, help="benchmark directory (html/, ground-truth.json)")
    ap.add_argument("--keep", type=Path, help="keep the JSONL input/output and per-page scores in this directory")
    ap.add_argument("--only-newsworker", action="store_true", help="skip the trafilatura baselines")
    args = ap.parse_args()

    import trafilatura

    pages = load_pages(args.data, args.limit)
    n = len(pages)
    workdir = Path(tempfile.mkdtemp(prefix="bench-extraction-"))
    try:
        nw_bodies, nw_seconds, nw_cmd, kinds = run_newsworker(pages, workdir)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("pages.jsonl", "out.jsonl"):
                shutil.copy(workdir / name, args.keep / name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    version = trafilatura.__version__
    systems = [("newsworker (process)", nw_bodies, nw_seconds)]
    if not args.only_newsworker:
        # "default" is trafilatura.extract(html) exactly as shipped; "fast" skips the fallback extractors.
        systems.append((f"trafilatura {version} default", *run_trafilatura(pages)))
        systems.append((f"trafilatura {version} fast", *run_trafilatura(pages, fast=True)))

    half = n // 2
    rows, per_page = [], {}
    for name, bodies, seconds in systems:
        scores = [tp_fp_fn(p["truth"], b) for p, b in zip(pages, bodies)]
        per_page[name] = {p["id"]: s for p, s in zip(pages, scores)}
        m, a, b = metrics(scores), metrics(scores[:half]), metrics(scores[half:])
        rows.append((name, m, n / seconds if seconds else 0.0, a["f1"], b["f1"]))
    if args.keep:
        (args.keep / "scores.json").write_text(json.dumps(per_page, indent=1))

    print(f"# HTML extraction, article-extraction-benchmark ({n} pages)")
    print(f"date:    {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"machine: {machine()}")
    print(f"command: /work/venv/bin/python bench/extraction.py{f' --limit {args.limit}' if args.limit else ''}")
    print(f"newsworker run as: {nw_cmd}  (outputs: {dict(kinds)})")
    print()
    print(f"| system | F1 | precision | recall | pages/s | F1 first half ({half}) | F1 second half ({n - half}) |")
    print("|---|---|---|---|---|---|---|")
    for name, m, rate, f1a, f1b in rows:
        print(f"| {name} | {m['f1']:.3f} | {m['precision']:.3f} | {m['recall']:.3f} | {rate:.1f} | {f1a:.3f} | {f1b:.3f} |")
    print()
    print("pages/s, one core: trafilatura = pages / time inside trafilatura.extract; newsworker = pages / wall time of"
          " the whole `newsworker process` command (start-up and the rest of the pipeline included).")
    print("halves: pages in ground-truth hash order, first and second half.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
