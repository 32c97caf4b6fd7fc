#!/usr/bin/env python3
"""Where an HTML page's CPU goes: ``article.build`` on the 181 benchmark pages, in-process, with
``process_time`` around each stage (wrappers on the module functions), and ``trafilatura.extract(html)``
on each page in the same loop for reference. Stage times are inclusive of what they call; rows sum to
less than the whole (the rest: our meta tags, JSON-LD, dates, fingerprint, the event's fields).

    .venv/bin/python bench/extraction_stages.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import trafilatura

from bench.common import machine, now
from bench.extraction import DATA, load_pages
from workers.core import article, body, enrich, entities, facts, language, page
from workers.core.records import RawArticle, Rejected

SPENT: dict[str, float] = {}
CALLS: dict[str, int] = {}


def _count(label: str, fn: Callable, *args, **kwargs):
    started = time.process_time()
    try:
        return fn(*args, **kwargs)
    finally:
        SPENT[label] = SPENT.get(label, 0.0) + time.process_time() - started
        CALLS[label] = CALLS.get(label, 0) + 1


def _wrap(module, name: str, label: str) -> None:
    fn = getattr(module, name)
    setattr(module, name, lambda *a, **k: _count(label, fn, *a, **k))


def _wrap_trafilatura() -> None:
    fn = body._trafilatura

    def timed(tree, url, **mode):
        if not mode.get("fast"):
            label = "body: trafilatura default mode (disagreement)"
        elif len(tree) == 1:  # body._alone: <html><body> only
            label = "body: trafilatura fast, container alone"
        else:
            label = "body: trafilatura fast, whole page"
        return _count(label, fn, tree, url, **mode)

    body._trafilatura = timed  # a measuring wrapper, same signature


def main() -> int:
    _wrap(page, "_parse", "parse (string repairs, lxml, depth check)")
    _wrap(page, "_page_metadata", "trafilatura metadata pass")
    _wrap(body, "_resiliparse", "body: resiliparse probe")
    _wrap(body, "container", "body: container lookup")
    _wrap_trafilatura()
    _wrap(body, "_readability", "body: readability (disagreement)")
    _wrap(body, "_confident", "body: shingles and agreement")
    _wrap(page, "extract", "page.extract (all of the above and the rest of the page)")
    _wrap(article, "_clean", "text cleaning (clean_lines)")
    _wrap(language, "detect", "language")
    _wrap(entities, "extract", "entities")
    _wrap(facts, "extract", "facts")
    _wrap(enrich, "keywords", "keywords")
    pages = load_pages(DATA, None)
    reference = datetime.now(UTC)
    for p in pages:
        raw = RawArticle(html=p["html"], text=None, url=p["url"], id=p["id"])
        try:
            _count("article.build, whole", article.build, raw, frozenset(), reference, 2_000_000)
        except Rejected:
            pass
        _count("trafilatura.extract(html), same loop", trafilatura.extract, p["html"])
    print(f"# CPU per stage, {len(pages)} benchmark pages, in-process\ndate:    {now()}\nmachine: {machine()}\n")
    print("| stage | calls | CPU ms a page |\n|---|---|---|")
    for label, spent in SPENT.items():
        print(f"| {label} | {CALLS[label]} | {1000 * spent / len(pages):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
