#!/usr/bin/env python3
"""Body-vote policies, simulated from every candidate's text and CPU time on every page.

Runs each body candidate once per page (the article-extraction benchmark and both extraction
development sets), keeps its text and its CPU time, then scores vote policies offline: a first
candidate, a probe, an agreement threshold (4-word-shingle F1, as ``body.agreement``), and the
candidates added when first and probe disagree (the medoid then wins, as ``body.choose``); and
the cheaper first steps measured for issue 12: resiliparse checked by a cheap opinion of the page's
own markup (its only ``itemprop="articleBody"`` element, its only ``<article>``, JSON-LD
``articleBody``, its paragraphs of ten words or more), and trafilatura on the page's marked
container alone (``body.container``), each falling back to the vote when it is not confirmed.
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


def _in_container(tree, url: str | None, **mode) -> str:
    """trafilatura (``mode`` given) or resiliparse (``url`` None, no mode) on the page's marked container."""
    element = body.container(tree)
    if element is None:
        return ""
    if mode:
        return body._trafilatura(body._alone(element), url, **mode)
    return body._resiliparse(lxml.html.tostring(body._alone(element), encoding="unicode"))


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
    texts["container_fast"], cpu["container_fast"] = timed(lambda: _in_container(tree, page["url"], fast=True))
    texts["resiliparse_container"], cpu["resiliparse_container"] = timed(lambda: _in_container(tree, None))
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


def simulate(rows: list[dict], steps: tuple[tuple[str, str], ...], threshold: float, rest: tuple[str, ...]) -> tuple:
    """Each step is (candidate, probe): the first candidate that shares ``threshold`` of its shingles with
    its probe is taken; when none does, the medoid of the last step's two and ``rest`` wins (body.choose).
    The cost of a page is the CPU of every candidate and probe run on it."""
    bench, bow, ok, total, cost = [], [], 0, 0, []
    for row in rows:
        t, c = row["texts"], row["cpu"]
        ran: set[str] = set()
        text = None
        for first, probe in steps:
            ran |= {first, probe}
            if t[first].strip() and body.agreement(body._shingles(t[first]), body._shingles(t[probe])) >= threshold:
                text = t[first]
                break
        if text is None:
            first, probe = steps[-1]
            text = body.choose([t[first], t[probe], *(t[r] for r in rest)])
            ran |= set(rest)
        s = score(row, text)
        if row["meta"]["set"] == "bench":
            bench.append(s)
            cost.append(sum(c[r] for r in ran))
        elif row["meta"]["set"] == "readability-testpages":
            bow.append(s)
        else:
            ok, total = ok + s[0], total + s[1]
    return metrics(bench)["f1"], statistics.mean(bow), ok / total, 1000 * statistics.mean(cost)


FAST = (("fast", "resiliparse"),)
POLICIES = [
    ((("fast", "precise"),), 1.01, ("readability",)),  # the vote before aed64c8 (readability ~ always)
    ((("precise_fast", "resiliparse"),), 0.7, ("readability",)),
    ((("recall_fast", "resiliparse"),), 0.7, ("readability",)),
    (FAST, 0.7, ("readability",)),
    (FAST, 0.7, ("precise", "readability")),
    (FAST, 0.7, ("balanced", "readability")),  # the vote of aed64c8..main
    (FAST, 0.8, ("balanced", "readability")),
    # resiliparse first, taken when a cheap opinion of the page's own markup agrees (no trafilatura run)
    *(((("resiliparse", probe), *FAST), th, ("balanced", "readability"))
      for probe in ("itemprop", "article", "ld_body", "ptext") for th in (0.7, 0.9)),
    # the container's own resiliparse text, checked by resiliparse on the whole page
    ((("resiliparse_container", "resiliparse"), *FAST), 0.9, ("balanced", "readability")),
    # trafilatura fast on the marked container alone, checked by resiliparse (kept, body.py)
    ((("container_fast", "resiliparse"), *FAST), 0.7, ("balanced", "readability")),
    ((("container_fast", "resiliparse"), *FAST), 0.8, ("balanced", "readability")),
    ((("container_fast", "resiliparse"), *FAST), 0.9, ("balanced", "readability")),
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
        f1, bow, ok, ms = simulate(rows, ((name, name),), -1.0, ())
        print(f"| {name} | {f1:.4f} | {bow:.4f} | {ok:.3f} | {ms:.1f} |")
    print()
    print("| candidate, checked by -> then ... | agree at | added on disagreement | benchmark F1 | Readability BoW F1 |"
          " real-world strings | CPU ms/benchmark page |")
    print("|---|---|---|---|---|---|---|")
    for steps, th, rest in POLICIES:
        f1, bow, ok, ms = simulate(rows, steps, th, rest)
        chain = " -> then ".join(f"{first} by {probe}" for first, probe in steps)
        print(f"| {chain} | {th} | {', '.join(rest)} | {f1:.4f} | {bow:.4f} | {ok:.3f} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
