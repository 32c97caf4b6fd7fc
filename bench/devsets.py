#!/usr/bin/env python3
"""Body quality beyond the benchmark: the extraction development sets (../shared/data/extraction-devsets).

* Readability test pages (116): mean bag-of-words F1 of the body against the page's gold text
  (tokens ``\\w+``, lower-cased, multiset F1 per page; an empty body or a dead letter scores 0).
* trafilatura real-world pages (86): pass rate of the must-contain / must-not-contain strings,
  counted per string (a must-contain string passes when the body holds it, a must-not-contain
  string when it does not), and the pages whose strings all pass.

newsworker runs as the offline command (``newsworker process``, default settings) and its
``body`` field is scored; trafilatura.extract(html) runs in the same run with its defaults and
with ``include_comments=False`` (several must-contain strings are reader comments, which
trafilatura keeps by default and newsworker never does).

    .venv/bin/python bench/devsets.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import machine, now

REPO = Path(__file__).resolve().parents[1]
DEVSETS = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared")) / "data" / "extraction-devsets"
NEWSWORKER = Path(sys.executable).with_name("newsworker")
_TOKEN = re.compile(r"\w+")


def load(name: str) -> list[dict]:
    with gzip.open(DEVSETS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def bow_f1(gold: str, pred: str) -> float:
    g, p = Counter(_TOKEN.findall(gold.lower())), Counter(_TOKEN.findall(pred.lower()))
    common = sum((g & p).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def strings(page: dict, body: str) -> tuple[int, int]:
    ok = [s in body for s in page["must_contain"]] + [s not in body for s in page["must_not_contain"]]
    return sum(ok), len(ok)


def newsworker_bodies(pages: list[dict], workdir: Path, tag: str) -> list[str]:
    inp, out = workdir / f"{tag}.jsonl", workdir / f"{tag}.out.jsonl"
    with inp.open("w", encoding="utf-8") as f:
        for p in pages:
            f.write(json.dumps({"id": p["id"], "url": p["url"], "html": p["html"]}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}
    cmd = [str(NEWSWORKER), "process", "--input", str(inp), "--output", str(out), "--progress-every", "1000000"]
    subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL)
    bodies = [json.loads(line).get("body") or "" for line in out.read_text(encoding="utf-8").splitlines()]
    if len(bodies) != len(pages):
        raise SystemExit(f"newsworker wrote {len(bodies)} lines for {len(pages)} pages")
    return bodies


def trafilatura_bodies(pages: list[dict], **options) -> list[str]:
    import trafilatura

    return [trafilatura.extract(p["html"], **options) or "" for p in pages]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, help="write per-page scores to this directory")
    args = ap.parse_args()
    import trafilatura

    readability, realworld = load("readability-testpages"), load("trafilatura-realworld")
    workdir = Path(tempfile.mkdtemp(prefix="bench-devsets-"))
    try:
        nw = (newsworker_bodies(readability, workdir, "readability"),
              newsworker_bodies(realworld, workdir, "realworld"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    systems = {
        "newsworker (process)": nw,
        f"trafilatura {trafilatura.__version__} default": (trafilatura_bodies(readability),
                                                            trafilatura_bodies(realworld)),
        f"trafilatura {trafilatura.__version__} include_comments=False": (
            trafilatura_bodies(readability, include_comments=False),
            trafilatura_bodies(realworld, include_comments=False)),
    }
    print(f"# Extraction development sets ({len(readability)} Readability pages, {len(realworld)} real-world pages)")
    print(f"date:    {now()}")
    print(f"machine: {machine()}")
    print("command: .venv/bin/python bench/devsets.py  (newsworker process, default settings)")
    print()
    print("| system | Readability pages: mean bag-of-words F1 | real-world: strings passed |"
          " real-world: pages all passed |")
    print("|---|---|---|---|")
    per_page: dict[str, dict] = {}
    for name, (r_bodies, w_bodies) in systems.items():
        f1s = [bow_f1(p["gold"], b) for p, b in zip(readability, r_bodies, strict=True)]
        passed = [strings(p, b) for p, b in zip(realworld, w_bodies, strict=True)]
        ok, total = sum(a for a, _ in passed), sum(n for _, n in passed)
        pages_ok = sum(a == n for a, n in passed)
        per_page[name] = {"readability": dict(zip((p["id"] for p in readability), f1s, strict=True)),
                          "realworld": dict(zip((p["id"] for p in realworld), passed, strict=True))}
        print(f"| {name} | {statistics.mean(f1s):.4f} | {ok}/{total} = {ok / total:.3f} |"
              f" {pages_ok}/{len(realworld)} |")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "devsets-scores.json").write_text(json.dumps(per_page, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
