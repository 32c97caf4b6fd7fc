"""The facts of an article, for telling a copy from another story told on the same words.

A *fact* is a run of consecutive tokens that are numbers or capitalised words:
amounts, percentages, scores, magnitudes, dates ("Selasa (21/10/2025)"),
times ("10.30 WIB"), names of persons, organisations and places. Each fact is
kept with its *context*: the two closest preceding words that are not facts
themselves ("gempa berkekuatan [M 5,2]", "kata [Budi Santoso]"). Two stories
written on one template keep the contexts and change the values; a copy keeps
both; an update changes one or two values; a follow-up brings new contexts.

A fact is stored as one 32-bit value: ``CONTEXT_BITS`` of its context's hash
above ``VALUE_BITS`` of its value's hash (crc32 of the lower-cased words: fixed,
the same in every process). Two articles are compared fact by fact only when
their sketches already match (``compare``), so the cost is paid for candidates
only. Extraction is one linear regex pass and a loop over the tokens.
"""

from __future__ import annotations

import re
import zlib
from typing import NamedTuple

import numpy as np

CONTEXT_BITS = 22  # 1 chance in ~4M that two different contexts look alike: ~0.2% of comparisons of 100 x 100 facts
VALUE_BITS = 10  # the top one says "holds a digit" (a figure, a date, a time); a changed value goes unseen 1 in 512
MAX_FACTS = 128  # fact words kept per article, in text order (a 500-word story holds 60-150)
MAX_TOKEN = 40  # longer "words" (URLs, hashes) are not facts
_VALUE_MASK = (1 << VALUE_BITS) - 1
_NUMERIC = 1 << (VALUE_BITS - 1)
_CONTEXT_MASK = (1 << CONTEXT_BITS) - 1
_TOKEN = re.compile(r"\w+")  # linear: a single class, no nesting
_EMPTY = np.zeros(0, dtype=np.uint32)
_BREAKS = frozenset(".!?:;\"\u201c\u201d")  # with a space or a new line: a sentence (or a quote) starts


def _is_fact(tok: str) -> bool:
    c = tok[0]
    return c.isupper() or c.isdigit() or (not tok.isalpha() and any(ch.isdigit() for ch in tok))


def extract(body: str, title: str | None = None) -> np.ndarray:
    """The article's facts as a sorted array of distinct uint32 (context hash << VALUE_BITS | value).

    A headline is mostly capitalised words and is rewritten by copies, so its words
    have no context to compare: only its figures count, as one set under one context
    (another set of figures in the headline is a changed fact; fewer of them is not)."""
    out: list[int] = []
    if title:
        for m in _TOKEN.finditer(title):
            tok = m.group()
            if len(tok) <= MAX_TOKEN and any(c.isdigit() for c in tok):
                out.append(_entry(zlib.crc32(b"T#"), tok.lower()))
    _facts(body, b"", out)
    if not out:
        return _EMPTY
    return np.unique(np.fromiter(out, dtype=np.uint32, count=len(out)))


def _facts(text: str, namespace: bytes, out: list[int]) -> None:
    """Append the facts of ``text`` to ``out`` (at most MAX_FACTS of them)."""
    toks: list[str] = []
    fact: list[bool] = []
    start: list[bool] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        gap = text[prev_end : m.start()]
        prev_end = m.end()
        toks.append(tok)
        fact.append(len(tok) <= MAX_TOKEN and _is_fact(tok))
        start.append(not toks[:-1] or "\n" in gap or (any(c in _BREAKS for c in gap) and not gap.isalnum()
                                                       and any(c.isspace() for c in gap)))
    # A sentence's first word is capitalised whatever it is: a fact only as part of a longer run (a name).
    n = len(toks)
    for i in range(n):
        if start[i] and fact[i] and toks[i].isalpha() and not (i + 1 < n and fact[i + 1] and not start[i + 1]):
            fact[i] = False
    limit = MAX_FACTS + len(out)
    crc = zlib.crc32
    prev2, prev1 = "", "^"
    i = 0
    while i < n and len(out) < limit:
        if start[i]:  # contexts restart with each sentence: moved sentences and paragraphs keep theirs
            prev2, prev1 = "", "^"
        if not fact[i]:
            prev2, prev1 = prev1, toks[i].lower()
            i += 1
            continue
        j = i + 1  # the run: consecutive fact tokens of one sentence
        while j < n and fact[j] and not start[j]:
            j += 1
        if prev1 == "^":  # a sentence's first words: the two words after them are the context
            after = [toks[k].lower() for k in range(j, min(n, j + 8)) if not fact[k] and not start[k]][:2]
            if k_break := next((k for k in range(j, min(n, j + 8)) if start[k]), None):
                after = [toks[k].lower() for k in range(j, k_break) if not fact[k]][:2]
            ctx = crc(namespace + (">" + " ".join(after)).encode())
        else:
            ctx = crc(namespace + f"{prev2} {prev1}".encode())
        # Each word of the run on its own: a word dropped or put inside a name leaves the rest matching.
        for k in range(i, j):
            out.append(_entry(ctx, toks[k].lower()))
        i = j


def _entry(ctx: int, value: str) -> int:
    if any(c.isdigit() for c in value):
        return ((ctx & _CONTEXT_MASK) << VALUE_BITS) | _NUMERIC | (zlib.crc32(value.encode()) & (_NUMERIC - 1))
    # A word by its first letter and the set of its letters: a typo that swaps or doubles letters is the same
    # word, another name is not.
    key = value[:2]  # its first two letters: most typos leave them, another name seldom does (measured: bench)
    return ((ctx & _CONTEXT_MASK) << VALUE_BITS) | (zlib.crc32(key.encode()) & (_NUMERIC - 1))


def to_bytes(facts: np.ndarray) -> bytes:
    return facts.astype("<u4", copy=False).tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


class Comparison(NamedTuple):
    agree: int  # contexts in both with the same values
    conflicts: int  # contexts in both where each side has a value the other lacks: a changed fact
    figures: int  # ... of which the changed values hold digits (amounts, counts, dates, times)
    novel: int  # facts of the new article whose context and value are both unknown to the old one
    echoed: int  # facts of the new article in a new context with a value the old one has (its people, places)
    lost: int  # facts of the old article whose context and value are both absent from the new one


def compare(old: np.ndarray, new: np.ndarray) -> Comparison:
    """How the facts of ``new`` relate to those of ``old`` (both from ``extract``)."""
    if not old.size or not new.size:
        return Comparison(0, 0, 0, int(new.size), 0, int(old.size))
    co, cn = old >> VALUE_BITS, new >> VALUE_BITS
    shared = np.intersect1d(co, cn, assume_unique=False)
    agree = conflicts = figures = 0
    if shared.size:
        vo = _by_context(old, co, shared)
        vn = _by_context(new, cn, shared)
        for c in shared.tolist():
            a, b = vo[c], vn[c]
            if a <= b or b <= a:  # equal, or one side kept only some of them (a trimmed or extended copy)
                agree += 1
            else:
                conflicts += 1
                figures += any(v & _NUMERIC for v in a ^ b)
    vals_old = np.unique(old & _VALUE_MASK)
    vals_new = np.unique(new & _VALUE_MASK)
    fresh = ~np.isin(cn, co)
    known = np.isin(new & _VALUE_MASK, vals_old)
    novel = int(np.count_nonzero(fresh & ~known))
    echoed = int(np.count_nonzero(fresh & known))
    lost = int(np.count_nonzero(~np.isin(co, cn) & ~np.isin(old & _VALUE_MASK, vals_new)))
    return Comparison(agree, conflicts, figures, novel, echoed, lost)


def _by_context(facts: np.ndarray, ctx: np.ndarray, shared: np.ndarray) -> dict[int, set[int]]:
    sel = np.isin(ctx, shared)
    out: dict[int, set[int]] = {}
    for c, v in zip(ctx[sel].tolist(), (facts[sel] & _VALUE_MASK).tolist(), strict=True):
        out.setdefault(c, set()).add(v)
    return out
