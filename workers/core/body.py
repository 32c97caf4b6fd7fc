"""Main-content text of an HTML page: three extractors, and the one the others agree with.

Each extractor fails in its own way: trafilatura in its default (balanced) mode
sometimes keeps teasers, captions or a sidebar; in precision mode it sometimes
cuts real paragraphs or picks a fragment; readability-style scoring picks one
dense block and occasionally the wrong one. When they disagree, the candidate
that shares the most text with the other two (the medoid, under the same
4-word-shingle F1 that the article-extraction benchmark scores with) is the
one least likely to be an outlier. On the article-extraction benchmark
(bench/extraction.py, BENCHMARKS.md) the vote scored body F1 0.967, against
0.962-0.963 for trafilatura alone in any one mode and 0.923 for readability,
and it gained on each half of the pages (+0.006 and +0.004 over balanced mode).

Candidates, in order of preference on a tie:
1. trafilatura, fast balanced mode (no fallback extractors), tables kept
2. trafilatura, precision mode with its readability/justext fallbacks, tables kept
3. readability (trafilatura's own copy of readability-lxml), only when 1 and 2 differ:
   when they agree, their text wins the vote whatever the third says.

The headline is its own field, not body text: a first line that repeats the
page's <h1> or title is dropped.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from copy import deepcopy

import lxml.html
import trafilatura

try:  # trafilatura ships a fork of readability-lxml; without it the vote has two candidates
    from trafilatura.readability_lxml import Document as _Readability
except ImportError:  # pragma: no cover
    _Readability = None

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+", re.UNICODE)
_BLOCK_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "div", "blockquote", "pre", "br", "dd", "dt", "section", "article", "figcaption", "ul", "ol", "table"]
)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


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


def drop_headline(text: str, headlines: list[str]) -> str:
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


def extract_main(tree, url: str | None, headlines: list[str] = ()) -> str:
    """Body text of a parsed page (``tree`` is not modified), without a leading headline line."""
    options = dict(url=url, include_comments=False, include_tables=True, with_metadata=False)
    fast = trafilatura.bare_extraction(tree, fast=True, **options)
    precise = trafilatura.bare_extraction(tree, favor_precision=True, **options)
    texts = [(fast.text if fast is not None else "") or "", (precise.text if precise is not None else "") or ""]
    if _key(texts[0]) != _key(texts[1]):
        texts.append(_readability(tree))
    text = choose(texts)
    return drop_headline(text, [*headlines, *(h.text_content() for h in tree.iter("h1"))])
