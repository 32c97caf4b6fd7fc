"""Untrusted text meets only linear-time code: growth, not seconds.

Each case is a function of the core and the input that made it backtrack (or one that would, for a
pattern of the same shape): the time at 10 KB and at ten times that may grow at most 15-fold
(linear is 10-fold; a quadratic pattern grows 100-fold). The slow tier repeats the 100-fold step
(10 KB -> 1 MB, at most 225-fold). Absolute times are in RELIABILITY.md (bench/linear_time.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
import pytest

from workers.core import dates, enrich, entities, page, text, urls
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
PARAGRAPH = "Presiden Prabowo Subianto meresmikan jembatan baru di Kabupaten Bogor pada Senin pagi. "
# Below this a run is too short to time: no input of this size can hold a worker.
FLOOR_SECONDS = 0.02
MAX_GROWTH_PER_TENFOLD = 15


def rep(unit: str, n: int) -> str:
    """``unit`` repeated to exactly ``n`` characters."""
    return (unit * (n // len(unit) + 1))[:n]


def _pipeline() -> Pipeline:
    return Pipeline(limits=Limits(timeout_seconds=0, max_text_chars=10**8, max_message_bytes=10**9,
                                  max_html_bytes=10**9), clock=lambda: NOW, validate_output=False)


def _process(obj: dict) -> None:
    outcome = _pipeline().process(orjson.dumps(obj), Source(line=1))
    assert outcome.kind != "deadletter" or outcome.dead_letter["error"]["reason"] != "internal", outcome.value


def _html(inner: str) -> str:
    return f"<html><head><title>t</title></head><body><article><p>{PARAGRAPH * 3}</p>{inner}</article></body></html>"


# name -> (function under test, input of n characters). The inputs are each pattern's worst case:
# a run that a pattern can split in many ways, or a prefix that each position retries.
CASES: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    # text.py: template lines (the 32 KB line of commas, 8 KB of "©"), cleaning as a whole
    "template line: commas": (text.is_template_line, lambda n: rep(",", n) + "x"),
    "template line: copyright signs": (text.is_template_line, lambda n: rep("©", n) + "x"),
    "template line: digits and dots": (text.is_template_line, lambda n: rep("1.,", n) + " x"),
    "template line: cookie notice": (text.is_template_line, lambda n: "we use cookies " + rep("a ", n) + "!x"),
    "clean: commas": (text.clean_lines, lambda n: PARAGRAPH + "\n" + rep(",", n) + "x"),
    "clean: html entities": (text.clean_lines, lambda n: PARAGRAPH + "\n" + rep("&amp;&lt;&#123;&quot; ", n)),
    "clean: form feeds": (text.clean_lines, lambda n: PARAGRAPH + "\nSenin" + rep("\f", n) + "x"),
    "clean: short lines needing ftfy": (text.clean_lines, lambda n: rep("é\n", n)),
    "clean: one-letter lines": (text.clean_lines, lambda n: rep("A\n", n)),
    "clean: copyright lines": (text.clean_lines, lambda n: rep("© 2025 Kompas " + "," * 300 + "\n", n)),
    # enrich.py: the author split (a <meta name="author"> of 200,000 spaces), dateline, title
    "authors: spaces": (lambda s: enrich.clean_authors([s]), lambda n: "Jane" + rep(" ", n) + "Doe"),
    "authors: spaces around 'is'": (lambda s: enrich.clean_authors([s]), lambda n: rep(" is", n)),
    "authors: open parentheses": (lambda s: enrich.clean_authors([s]), lambda n: rep("(", n)),
    "authors: separators": (lambda s: enrich.clean_authors([s]), lambda n: rep(" ; ", n)),
    "dateline: initials": (lambda s: enrich.dateline(s, s), lambda n: rep("A.", n)),
    "dateline: capitalised words": (lambda s: enrich.dateline(s, s), lambda n: rep("Aa, ", n)),
    "dateline: agency credits": (lambda s: enrich.dateline("x", s), lambda n: rep("(Reuters/", n)),
    "title: separators": (lambda s: enrich.clean_title(s, "Site"), lambda n: rep(" - ", n)),
    # dates.py: the yearless patterns and the time fragment, relative dates, many dates
    "dates: day name and form feeds": (lambda s: dates.find_dates(s, now=NOW), lambda n: "Senin" + rep("\f", n)),
    "dates: day name, comma, spaces": (lambda s: dates.find_dates(s, now=NOW), lambda n: "Senin ," + rep(" ", n)),
    "dates: date and spaces": (lambda s: dates.find_dates(s, now=NOW), lambda n: "28 Oktober 2023" + rep(" ", n)),
    "dates: many dates": (lambda s: dates.find_dates(s, now=NOW), lambda n: rep("Selasa (21/10/2025) ", n)),
    "dates: digits": (lambda s: dates.find_dates(s, now=NOW), lambda n: rep("1", n)),
    "relative: digits": (lambda s: dates.find_relative(s, NOW), lambda n: rep("1", n)),
    "relative: counts and spaces": (lambda s: dates.find_relative(s, NOW), lambda n: "a" + rep(" ", n) + "x"),
    "dated mention: weekday dates": (lambda s: dates.latest_dated_mention(s, NOW), lambda n: rep("Senin (20/10) ", n)),
    # entities.py
    "entities: capitalised words": (lambda s: entities.extract(s, lang="en"), lambda n: rep("Aa ", n)),
    "entities: appositive gaps": (lambda s: entities.extract(s, lang="id"),
                                  lambda n: "Menteri Budi " + rep("kata Ani, ", n)),
    "entities: hyphens": (lambda s: entities.extract(s, lang="en"), lambda n: rep("A-", n)),
    "entities: lines": (lambda s: entities.extract(s, lang="en"), lambda n: rep("A\n", n)),
    # page.py: the parse step (100,000 attributes on one tag), meta values, JSON-LD
    "page: attributes on one tag": (page.parse, lambda n: "<p " + rep("a=1 ", n) + ">x</p>"),
    "page: unclosed tags": (page.parse, lambda n: rep("<a", n)),
    "page: author meta of spaces": (page.extract, lambda n: _html("").replace(
        "<title>", '<meta name="author" content="a' + rep(" ", n) + 'b"><title>')),
    "page: entities in html": (page.extract, lambda n: _html("<p>" + rep("&amp;&lt;&#123; ", n) + "</p>")),
    # urls.py
    "urls: query": (urls.canonicalize, lambda n: "https://x.example/a?" + rep("a=1&", n)),
    # the whole pipeline on the inputs
    "pipeline: commas": (lambda s: _process({"text": s}), lambda n: PARAGRAPH + "\n" + rep(",", n)),
    "pipeline: form feeds": (lambda s: _process({"text": s}), lambda n: PARAGRAPH + "\nSenin" + rep("\f", n) + "x"),
    "pipeline: author spaces": (lambda s: _process({"html": s}), lambda n: _html("").replace(
        "<title>", '<meta name="author" content="a' + rep(" ", n) + 'b"><title>')),
    "pipeline: capitalised words": (lambda s: _process({"text": s}), lambda n: PARAGRAPH + "\n" + rep("Aa ", n)),
    "pipeline: attributes": (lambda s: _process({"html": s}), lambda n: _html("<p " + rep("a=1 ", n) + ">x</p>")),
}


def seconds(fn: Callable[[str], object], arg: str, runs: int) -> float:
    """The fastest of ``runs`` calls (CPU time: other processes on the machine do not count)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        fn(arg)
        best = min(best, time.process_time() - start)
    return best


def growth(fn: Callable[[str], object], make: Callable[[int], str], small: int, big: int) -> tuple[float, float]:
    fn(make(1000))  # warm up: imports, caches, the language model
    return seconds(fn, make(small), 3), seconds(fn, make(big), 1)


def check(name: str, small: int, big: int) -> None:
    fn, make = CASES[name]
    t_small, t_big = growth(fn, make, small, big)
    tenfolds = len(str(big // small)) - 1
    allowed = MAX_GROWTH_PER_TENFOLD ** tenfolds
    if t_big < FLOOR_SECONDS:
        return  # too fast to be a problem, and too fast to time
    assert t_big / max(t_small, 1e-4) <= allowed, f"{name}: {t_small:.4f} s at {small}, {t_big:.4f} s at {big}"


@pytest.mark.parametrize("name", list(CASES))
def test_growth_10kb_to_100kb(name):
    check(name, 10_000, 100_000)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_growth_10kb_to_1mb(name):
    check(name, 10_000, 1_000_000)


def test_the_check_catches_a_quadratic_pattern():
    """The measure itself: a backtracking pattern of the kind fixed here fails it."""
    import re

    quadratic = re.compile(r"\s*,?\s*x")  # the shape of the old yearless-date separator
    t_small, t_big = growth(quadratic.match, lambda n: rep(" ", n), 500, 5_000)
    assert t_big / max(t_small, 1e-4) > MAX_GROWTH_PER_TENFOLD
