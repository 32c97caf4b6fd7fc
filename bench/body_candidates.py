#!/usr/bin/env python3
"""Body-vote policies, simulated from every candidate's text and CPU time on every page.

Runs each body candidate once per page (the article-extraction benchmark and both extraction
development sets), keeps its text and its CPU time, then scores vote policies offline: a first
candidate, a probe, an agreement threshold (4-word-shingle F1, as ``body.agreement``), and the
candidates added when first and probe disagree (the medoid then wins, as ``body.choose``).
Scores are on the candidate text after ``body.drop_headline`` only (no text cleaning), so they
sit a little above the command's (bench/extraction.py, bench/devsets.py), which decide.

    .venv/bin/python bench/body_candidates.py [--cache FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import statistics
import sys
import time
from copy import deepcopy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lxml.html
import trafilatura

from bench.devsets import DEVSETS, bow_f1, strings
from bench.extraction import DATA, load_pages, metrics, tp_fp_fn
from workers.core import body
from workers.core import page as _page
from workers.core.records import Rejected

OPTS = {"include_comments": False, "include_tables": True, "with_metadata": False}
MODES = {"fast": {"fast": True}, "balanced": {}, "precise": {"favor_precision": True},
         "precise_fast": {"fast": True, "favor_precision": True}, "recall_fast": {"fast": True, "favor_recall": True}}


def pages() -> list[dict]:
    out = [dict(set="bench", id=p["id"], url=p["url"], html=p["html"], truth=p["truth"])
           for p in load_pages(DATA, None)]
    for name in ("readability-testpages", "trafilatura-realworld"):
        with gzip.open(DEVSETS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
            out += [dict(json.loads(line), set=name) for line in f]
    return out


_SKIP = frozenset(["script", "style", "noscript", "template", "svg", "iframe", "button", "form", "nav", "aside",
                   "select", "footer"])


def _text(el) -> str:
    """Block text of an element without scripts, styles, navigation and forms."""
    el = deepcopy(el)
    for bad in el.xpath(".//*[" + " or ".join(f"self::{t}" for t in _SKIP) + "]"):
        bad.drop_tree()
    return body._block_text(el)


def _one(tree, xpath: str):
    found = tree.xpath(xpath)
    return found[0] if len(found) == 1 else None


def cheap_itemprop(tree) -> str:
    el = _one(tree, '//*[@itemprop="articleBody"]')
    return _text(el) if el is not None else ""


def cheap_article(tree) -> str:
    el = _one(tree, "//article")
    return _text(el) if el is not None else ""


def cheap_ld(tree) -> str:
    for d in _page._jsonld(tree):
        v = d.get("articleBody")
        if isinstance(v, str) and v.strip():
            return v
    return ""


def cheap_ptext(tree) -> str:
    """Paragraphs of ten words or more, outside links-only blocks: a crude density opinion."""
    out = []
    for p in tree.iter("p"):
        t = " ".join(p.text_content().split())
        if len(t.split()) >= 10:
            out.append(t)
    return "\n".join(out)


CHEAP = {"itemprop": cheap_itemprop, "article": cheap_article, "ld_body": cheap_ld, "ptext": cheap_ptext}


def timed(fn) -> tuple[str, float]:
    started = time.process_time()
    try:
        value = fn() or ""
    except Exception:
        value = ""
    return value, time.process_time() - started


def candidates(page: dict) -> dict:
    try:
        tree, html = _page._parse(page["html"])  # the product's parse and string repairs
    except Rejected:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
        tree, html = lxml.html.document_fromstring(page["html"], parser=parser), page["html"]
    texts, cpu = {}, {}
    for name, mode in MODES.items():
        texts[name], cpu[name] = timed(lambda m=mode: body._trafilatura(tree, page["url"], **m))
    texts["readability"], cpu["readability"] = timed(lambda: body._readability(tree))
    texts["resiliparse"], cpu["resiliparse"] = timed(lambda: body._resiliparse(html))
    texts["trafilatura_default"], cpu["trafilatura_default"] = timed(lambda: trafilatura.extract(page["html"]))
    for name, fn in CHEAP.items():
        texts[name], cpu[name] = timed(lambda f=fn: f(tree))
    h1 = [h.text_content() for h in tree.iter("h1")]
    return {"meta": {k: v for k, v in page.items() if k != "html"}, "texts": texts, "cpu": cpu, "h1": h1}


def score(row: dict, text: str):
    text = body.drop_headline(text, row["h1"])
    meta = row["meta"]
    if meta["set"] == "bench":
        return tp_fp_fn(meta["truth"], text)
    if meta["set"] == "readability-testpages":
        return bow_f1(meta["gold"], text)
    return strings(meta, text)


def simulate(rows: list[dict], first: str, probe: str, threshold: float, rest: tuple[str, ...]) -> tuple:
    bench, bow, ok, total, cost = [], [], 0, 0, []
    for row in rows:
        t, c = row["texts"], row["cpu"]
        spent = c[first] + c[probe]
        if t[first].strip() and body.agreement(body._shingles(t[first]), body._shingles(t[probe])) >= threshold:
            text = t[first]
        else:
            text, spent = body.choose([t[first], t[probe], *(t[r] for r in rest)]), spent + sum(c[r] for r in rest)
        s = score(row, text)
        if row["meta"]["set"] == "bench":
            bench.append(s)
            cost.append(spent)
        elif row["meta"]["set"] == "readability-testpages":
            bow.append(s)
        else:
            ok, total = ok + s[0], total + s[1]
    return metrics(bench)["f1"], statistics.mean(bow), ok / total, 1000 * statistics.mean(cost)


POLICIES = [
    ("fast", "precise", 1.01, ("readability",)),  # the former vote (readability only when they differ ~ always)
    ("precise_fast", "resiliparse", 0.7, ("readability",)),
    ("recall_fast", "resiliparse", 0.7, ("readability",)),
    ("fast", "resiliparse", 0.7, ("readability",)),
    ("fast", "resiliparse", 0.7, ("precise", "readability")),
    ("fast", "resiliparse", 0.7, ("balanced", "readability")),  # chosen (body.py)
    ("fast", "resiliparse", 0.8, ("balanced", "readability")),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, help="keep/reuse the candidates here (pickle)")
    args = ap.parse_args()
    if args.cache and args.cache.exists():
        rows = pickle.loads(args.cache.read_bytes())
    else:
        rows = [candidates(p) for p in pages()]
        if args.cache:
            args.cache.write_bytes(pickle.dumps(rows))
    print("| candidate alone | benchmark F1 | Readability BoW F1 | real-world strings | CPU ms/benchmark page |")
    print("|---|---|---|---|---|")
    for name in rows[0]["texts"]:
        f1, bow, ok, ms = simulate(rows, name, name, -1.0, ())
        print(f"| {name} | {f1:.4f} | {bow:.4f} | {ok:.3f} | {ms:.1f} |")
    print()
    print("| first | probe | agree at | added on disagreement | benchmark F1 | Readability BoW F1 |"
          " real-world strings | CPU ms/benchmark page |")
    print("|---|---|---|---|---|---|---|---|")
    for first, probe, th, rest in POLICIES:
        f1, bow, ok, ms = simulate(rows, first, probe, th, rest)
        print(f"| {first} | {probe} | {th} | {', '.join(rest)} | {f1:.4f} | {bow:.4f} | {ok:.3f} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
