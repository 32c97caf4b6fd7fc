"""Main-content text of an HTML page: a fast first opinion, checked by an independent one.

Each extractor fails in its own way: trafilatura sometimes keeps teasers, captions or a
sidebar, or (in precision mode) cuts real paragraphs; resiliparse (lexbor's DOM and its own
main-content rules, in C) sometimes keeps a sidebar or loses a block; readability-style scoring
picks one dense block and occasionally the wrong one. Two different methods that agree on a
page's text are very likely both right; when they disagree, the candidate that shares the most
text with the others (the medoid, under the same 4-word-shingle F1 that the article-extraction
benchmark scores with) is the one least likely to be an outlier.

0. resiliparse main-content text of the whole page (about 1.4 ms a page): the probe
1. when the page marks its article container (the one ``itemprop="articleBody"`` element, else
   the one ``<article>``, else the first element trafilatura's own first body rule names):
   trafilatura fast mode on that element alone, taken when it shares ``CONFIDENT`` of its
   shingles with the probe. trafilatura usually picks that very element on the whole page too,
   but then cleans, copies and measures the whole page first: on the element alone it costs
   about 40 % (3.9 against 8.6 ms on the 144 benchmark pages where it gives a text).
2. otherwise trafilatura, fast mode (no fallback extractors), tables kept, on the whole page,
   taken when it shares ``CONFIDENT`` of its shingles with the probe
3. otherwise trafilatura in its default mode with its fallbacks, and readability (trafilatura's
   copy of readability-lxml) join; the medoid of 2, 0 and these two wins, earlier on a tie.

Before, trafilatura ran twice on every page (fast, then precision mode with its fallbacks) and
readability whenever those two differed. Measured (bench/extraction.py, bench/devsets.py,
BENCHMARKS.md): the same body F1 on the benchmark, a higher bag-of-words F1 on the Readability
pages, the same must/must-not strings on the real-world pages, at half the body's CPU (10.3
against 20.6 ms a benchmark page, per-candidate timings).
Step 1 (container first) kept every quality figure of the three page sets and raised the
benchmark F1 (simulated: 0.9688 -> 0.9710; the command: 0.967 -> 0.970), at 8.8 against 12.4 ms of
body CPU a page (bench/body_candidates.py).
A precision-mode first candidate scored higher on the benchmark and was cheaper still, but lost
12 of 415 real-world strings (real paragraphs cut), so it was not taken.
The headline is its own field, not body text: a first line that repeats the page's <h1> or
title is dropped.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from copy import deepcopy

import lxml.etree
import lxml.html
import trafilatura
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

try:  # trafilatura's first rule for the article's container (classes and ids of article bodies)
    from trafilatura.xpaths import BODY_XPATH as _TRAFILATURA_BODY
except ImportError:  # pragma: no cover  # an internal name: without it, itemprop and <article> only
    _TRAFILATURA_BODY = []

try:  # trafilatura ships a fork of readability-lxml; without it the vote has two candidates
    from trafilatura.readability_lxml import Document as _Readability
except ImportError:  # pragma: no cover
    _Readability = None  # type: ignore[assignment,misc]  # the vote then runs on two candidates

log = logging.getLogger(__name__)

# Shingle F1 at or above which the first two candidates are taken to agree: simulated on the
# benchmark and the development sets (BENCHMARKS.md), 0.7 and 0.8 gave the same figures.
CONFIDENT = 0.7

_TOKEN = re.compile(r"\w+", re.UNICODE)
_BLOCK_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "div", "blockquote", "pre", "br", "dd", "dt",
     "section", "article", "figcaption", "ul", "ol", "table"]
)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if len(tokens) < n:  # a short text is one shingle of all its words
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def agreement(a: Counter, b: Counter) -> float:
    """F1 of the shared shingles of two texts, 0..1."""
    common = sum((a & b).values())
    total = sum(a.values()) + sum(b.values())
    return 2 * common / total if total else 0.0


def choose(candidates: list[str]) -> str:
    """The candidate with the largest summed agreement with the others; earlier wins ties."""
    texts = [t for t in candidates if t and t.strip()]
    if len(texts) <= 1:
        return texts[0] if texts else ""
    shingles = [_shingles(t) for t in texts]
    scores = [sum(agreement(s, o) for j, o in enumerate(shingles) if j != i) for i, s in enumerate(shingles)]
    return texts[scores.index(max(scores))]


def _block_text(root) -> str:
    """Text of an element with a line break around every block element."""
    parts: list[str] = []

    def walk(el) -> None:
        block = isinstance(el.tag, str) and el.tag in _BLOCK_TAGS
        if isinstance(el.tag, str):  # comments and processing instructions contribute only their tail
            if block:
                parts.append("\n")
            parts.append(el.text or "")
            for child in el:
                walk(child)
            if block:
                parts.append("\n")
        parts.append(el.tail or "")

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _readability(tree) -> str:
    if _Readability is None:
        return ""
    try:
        summary = _Readability(deepcopy(tree), min_text_length=25).summary()  # it mutates its input
        return _block_text(lxml.html.fragment_fromstring(summary, create_parent="div")) if summary.strip() else ""
    except Exception as exc:  # a fallback candidate must never fail the page
        log.debug("readability failed: %s", exc)
        return ""


def _key(line: str) -> str:
    return " ".join(_TOKEN.findall(line.lower()))


def drop_headline(text: str, headlines: Sequence[str]) -> str:
    """Remove leading lines that repeat a headline (the <h1>, the page title)."""
    keys = {k for k in map(_key, headlines) if k}
    lines = text.split("\n")
    start = 0
    while start < len(lines) and start < 3:
        key = _key(lines[start])
        if not key or key in keys:
            start += 1
            continue
        break
    return "\n".join(lines[start:]).strip()


def _trafilatura(tree, url: str | None, **mode) -> str:
    doc = trafilatura.bare_extraction(tree, url=url, include_comments=False, include_tables=True, with_metadata=False,
                                      **mode)  # it copies the tree first
    return (getattr(doc, "text", "") if doc is not None else "") or ""  # a Document (output_format="python")


def _resiliparse(html: str) -> str:
    try:
        return extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False, preserve_formatting=True)
    except Exception as exc:  # a candidate must never fail the page
        log.debug("resiliparse failed: %s", exc)
        return ""


_ARTICLE_BODY = lxml.etree.XPath('//*[@itemprop="articleBody"]')
_ARTICLE = lxml.etree.XPath("//article")


def container(tree):
    """The element the page's markup names as the article: its only ``itemprop="articleBody"``,
    else its only ``<article>``, else the first match of trafilatura's first body rule; or None."""
    for xpath in (_ARTICLE_BODY, _ARTICLE):
        found = xpath(tree)
        if len(found) == 1:
            return found[0]
    found = _TRAFILATURA_BODY[0](tree) if _TRAFILATURA_BODY else []
    return found[0] if found else None


def _alone(element):
    """A copy of ``element`` as the only content of a document of its own."""
    body = deepcopy(element)
    body.tail = None  # the text after the element belongs to its parent
    doc = lxml.html.Element("html")
    lxml.etree.SubElement(doc, "body").append(body)
    return doc


def _confident(text: str, probe: Counter) -> bool:
    return bool(text.strip()) and agreement(_shingles(text), probe) >= CONFIDENT


def extract_main(tree, html: str, url: str | None, headlines: Sequence[str] = ()) -> str:
    """Body text of a parsed page (``tree`` is not modified; ``html`` is its source), without a
    leading headline line."""
    probe_text = _resiliparse(html)
    probe = _shingles(probe_text)
    element = container(tree)
    text = _trafilatura(_alone(element), url, fast=True) if element is not None else ""
    if not _confident(text, probe):
        text = _trafilatura(tree, url, fast=True)
        if not _confident(text, probe):
            text = choose([text, probe_text, _trafilatura(tree, url), _readability(tree)])
    return drop_headline(text, [*headlines, *(h.text_content() for h in tree.iter("h1"))])
