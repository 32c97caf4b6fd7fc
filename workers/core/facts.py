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

import base64
import bisect
import re
import sys
import zlib
from array import array
from typing import NamedTuple

import numpy as np

CONTEXT_BITS = 22  # 1 chance in ~4M that two different contexts look alike: ~0.2% of comparisons of 100 x 100 facts
VALUE_BITS = 10  # the top one says "holds a digit" (a figure, a date, a time); a changed value goes unseen 1 in 512
MAX_FACTS = 128  # fact words kept per article: all figures, then words by context hash (median 69 in detik bodies,
#                 11 % reach the cap; 256 gave the same verdicts on bench/dedup.py --quick: 128 keeps the index smaller)
MAX_SCAN = 5000  # words read per text: longer texts are sampled from their first 5,000 words
MAX_TOKEN = 40  # longer "words" (URLs, hashes) are not facts
_VALUE_MASK = (1 << VALUE_BITS) - 1
_NUMERIC = 1 << (VALUE_BITS - 1)
_CONTEXT_MASK = (1 << CONTEXT_BITS) - 1
# The context of the runs of a sentence made only of facts (a dateline "WASHINGTON (Reuters)", a credit line, a
# "Gov." that ends a sentence early): nothing before or after them, so it is no context at all. Their values are
# compared like any others' but never as replaced ones: a copy's dateline or credit line against another such line
# of the original gave 6 "replaced values" (bench/dedup.py, a Reuters dateline over a tweet's date line).
_NO_CONTEXT = zlib.crc32(b">") & _CONTEXT_MASK
_TOKEN = re.compile(r"\w+")  # linear: a single class, no nesting
_EMPTY = np.zeros(0, dtype=np.uint32)
_ALL = 0xFFFFFFFF
# A sentence (or a quote) starts after one of these followed by a space, or after a line break. Linear: one
# character class then one of spaces, no overlap between the parts.
_SENTENCE = re.compile(r"[.!?:;\"\u201c\u201d]+\s+|\n+")

# The lede: the word 3-shingles of a body's first LEDE_WORDS words, kept beside the facts as entries of LEDE_KEYS
# reserved contexts (a shingle's hash picks the context: 2 more bits than the value's 10, so that two unrelated
# ledes share ~1 % of theirs by chance). A follow-up puts its news first, above the earlier report; a copy keeps
# the earlier lede (trimmed, typos, a dateline, a site's line above it, an extra paragraph further down). Measured
# (bench/dedup_followup.py, pairs at containment >= 0.7): the new lede's shingles found in the earlier body, 5-95 %,
# held-out follow-ups 0-0.14, the natural false positives 0-0.07, copies of either generator 0.5-1.0 (a few 0.3).
# The reserved contexts keep their low 8 bits zero: the index cuts them off (dedup.STORED_CONTEXT_BITS).
# The earlier text is kept further as entries of LEDE_KEYS other contexts, every shingle to LEDE_AREA words and one
# in LEDE_SAMPLE after (to MAX_SCAN words): a copy may carry a site's lines or a dateline above the lede, or have
# its paragraphs moved (its first words from further down). Against the first 120 words only, bench/dedup.py's
# copies with boilerplate, moved paragraphs and 5 % edits lost 0.997 -> 0.905 of their story.
LEDE_WORDS = 40
LEDE_AREA = 120
LEDE_SAMPLE = 4
LEDE_HITS = 3  # sampled lede shingles found further down that count (one or two: a stock phrase, a name)
LEDE_KEYS = 4
_LEDE_BASE = min((zlib.crc32(b"lede#") & _CONTEXT_MASK) >> 8, (1 << (CONTEXT_BITS - 8)) - 2 * LEDE_KEYS)  # no wrap:
#             the reserved contexts are consecutive, so that their entries are one slice of a sorted list
LEDE_CONTEXTS = tuple((_LEDE_BASE + k) << 8 for k in range(2 * LEDE_KEYS))


# Figures written as words (style guides spell out small numbers): facts like digits.
NUMBER_WORDS = frozenset([
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    "trillion", "dozen", "dozens", "hundreds", "thousands", "millions", "dua", "tiga", "empat", "lima", "enam",
    "tujuh", "delapan", "sembilan", "sepuluh", "sebelas", "belas", "puluh", "puluhan", "ratus", "ratusan", "ribu",
    "ribuan", "juta", "jutaan", "miliar", "triliun", "seratus", "seribu"
])


def _is_fact(tok: str) -> bool:
    # capitalised, or holding a digit (or an underscore: rare), or a number word
    return tok[0].isupper() or not tok.isalpha() or tok in NUMBER_WORDS


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
    lede = _lede(body)
    if not out:
        return lede
    facts = np.unique(np.fromiter(out, dtype=np.uint32, count=len(out)))
    # (a fact that falls on a lede context, 1 in ~4M, is dropped: it would be read as a lede shingle)
    facts = facts[~np.isin(facts >> VALUE_BITS, LEDE_CONTEXTS)]
    if facts.size <= MAX_FACTS:
        return np.union1d(facts, lede)
    # A sample: every figure (amounts, dates, times: what tells a corrected figure from another story told on the
    # same words, measured: held-out siblings of long texts whose changed figures fell outside a sample of the
    # smallest entries were merged as updates) and the words of the smallest context hashes, consistent between
    # two texts like the sketch (see compare: _limits)
    numeric = (facts & _NUMERIC) != 0
    figures = facts[numeric]
    if figures.size >= MAX_FACTS:
        return np.union1d(figures[:MAX_FACTS], lede)
    return np.union1d(np.concatenate((figures, facts[~numeric][: MAX_FACTS - figures.size])), lede)


def _sampled(h: int) -> int:
    """0 when a shingle (its hash, or its kept value) is one of those kept past LEDE_AREA: its value's low bits."""
    return (h & _VALUE_MASK) % LEDE_SAMPLE


def _lede(body: str) -> np.ndarray:
    """The lede's shingles as fact entries of the reserved contexts (see LEDE_CONTEXTS), sorted and distinct.

    A shingle's hash mixes its three words' crc32 in numpy (a crc32 of each joined shingle cost ~2x more)."""
    crc = zlib.crc32
    w = np.fromiter((crc(m.group().lower().encode()) for m, _ in zip(_TOKEN.finditer(body), range(MAX_SCAN),
                                                                       strict=False)), dtype=np.uint64)
    if w.size < 3:
        return _EMPTY
    h = (w[:-2] * np.uint64(0x9E3779B1) + w[1:-1] * np.uint64(0x85EBCA77) + w[2:]) & np.uint64(_ALL)
    h = ((h ^ (h >> np.uint64(15))) * np.uint64(0x2C1B3C6D)) & np.uint64(_ALL)
    h = (h ^ (h >> np.uint64(12))).astype(np.uint32)
    pos = np.arange(h.size)
    keep = (pos < LEDE_AREA) | ((h & np.uint32(_VALUE_MASK)) % np.uint32(LEDE_SAMPLE) == 0)  # see _sampled
    h, pos = h[keep], pos[keep]
    k = ((h >> np.uint32(VALUE_BITS)) % np.uint32(LEDE_KEYS)).astype(np.int64) + np.where(
        pos < LEDE_WORDS - 2, 0, LEDE_KEYS)  # the lede's, or further
    ctx = np.asarray(LEDE_CONTEXTS, dtype=np.uint32)[k]
    return np.unique((ctx << np.uint32(VALUE_BITS)) | (h & np.uint32(_VALUE_MASK)))


def _facts(text: str, namespace: bytes, out: list[int]) -> None:
    """Append the facts of the first MAX_SCAN words of ``text`` to ``out``."""
    crc = zlib.crc32
    budget = MAX_SCAN
    for sentence in _SENTENCE.split(text):
        toks = _TOKEN.findall(sentence)
        if not toks:
            continue
        budget -= len(toks)
        fact = [(t[0].isupper() or not t.isalpha() or t in NUMBER_WORDS) and len(t) <= MAX_TOKEN for t in toks]
        n = len(toks)
        # A sentence's first word is capitalised whatever it is: a fact only as part of a longer run (a name).
        if fact[0] and toks[0].isalpha() and not (n > 1 and fact[1]):
            fact[0] = False
        prev2, prev1 = "", "^"  # contexts restart with each sentence: moved sentences and paragraphs keep theirs
        i = 0
        while i < n:
            if not fact[i]:
                prev2, prev1 = prev1, toks[i].lower()
                i += 1
                continue
            j = i + 1  # the run: consecutive fact words
            while j < n and fact[j]:
                j += 1
            if prev1 == "^":  # a sentence's first words: the two words after them are the context
                after = [toks[k].lower() for k in range(j, min(n, j + 8)) if not fact[k]][:2]
                ctx = crc(namespace + (">" + " ".join(after)).encode())
            else:
                ctx = crc(namespace + f"{prev2} {prev1}".encode())
            # Each word of the run on its own: a word dropped or put inside a name leaves the rest matching.
            for k in range(i, j):
                out.append(_entry(ctx, toks[k].lower()))
            i = j
        if budget <= 0:
            return


def _entry(ctx: int, value: str) -> int:
    if not value.isalpha() or value in NUMBER_WORDS:  # a \w+ word that is not all letters holds a digit
        return ((ctx & _CONTEXT_MASK) << VALUE_BITS) | _NUMERIC | (zlib.crc32(value.encode()) & (_NUMERIC - 1))
    # A word by its first letter and the set of its letters: a typo that swaps or doubles letters is the same
    # word, another name is not.
    key = value[:2]  # its first two letters: most typos leave them, another name seldom does (measured: bench)
    return ((ctx & _CONTEXT_MASK) << VALUE_BITS) | (zlib.crc32(key.encode()) & (_NUMERIC - 1))


def to_bytes(facts) -> bytes:
    """Facts (an array or a list of ints) as little-endian uint32: what the index stores."""
    a = array("I", facts.tolist() if isinstance(facts, np.ndarray) else facts)
    if sys.byteorder != "little":  # pragma: no cover - no big-endian machine here
        a.byteswap()
    return a.tobytes()


def from_bytes(raw: bytes) -> list[int]:
    """Stored facts (``to_bytes``) back as a sorted list of ints."""
    a = array("I", raw)
    if sys.byteorder != "little":  # pragma: no cover
        a.byteswap()
    return a.tolist()


def pack(facts) -> str:
    """Facts as the index stores them and the extract stage sends them: base64 of ``to_bytes``."""
    return base64.b64encode(to_bytes(facts)).decode("ascii")


def unpack(text: str) -> list[int]:
    return from_bytes(base64.b64decode(text)) if text else []


class Packed:
    """An article's packed facts, decoded once, when a comparison first needs them."""

    __slots__ = ("text", "_list")

    def __init__(self, text: str):
        self.text = text
        self._list: list[int] | None = None

    @property
    def list(self) -> list[int]:
        if self._list is None:
            self._list = unpack(self.text)
        return self._list


class Comparison(NamedTuple):
    agree: int  # contexts in both with the same values
    conflicts: int  # values replaced in contexts both have (each side has values the other lacks): changed facts,
    #                 a word each, the figures of a context one (an amount, a date or a time of several tokens)
    figures: int  # ... of which figures (digits or number words: amounts, counts, dates, times)
    novel: int  # facts of the new article whose context and value are both unknown to the old one
    echoed: int  # facts of the new article in a new context with a value the old one has (its people, places)
    novel_figures: int  # novel facts that are figures (dates, amounts, counts): news of its own
    lost: int  # facts of the old article whose context and value are both absent from the new one
    lede: float = -1.0  # share of the new article's lede shingles in the old one's first LEDE_AREA words (-1: none)


def _grouped(facts: list[int]) -> tuple[dict[int, set[int]], set[int]]:
    by_ctx: dict[int, set[int]] = {}
    for e in facts:
        c = e >> VALUE_BITS
        s = by_ctx.get(c)
        if s is None:
            by_ctx[c] = {e & _VALUE_MASK}
        else:
            s.add(e & _VALUE_MASK)
    return by_ctx, {e & _VALUE_MASK for e in facts}


def _limits(facts: list[int]) -> tuple[int, int]:
    """(word limit, figure limit): a list holds every word and every figure entry of its text up to these.

    A full list (fewer than MAX_FACTS) holds all; a sample all figures and the smallest words, or, when figures
    alone fill it, the smallest figures and no word. (A sample made before figures were kept first, the smallest
    entries of either kind, misses figures above its largest entry: they look new, never replaced.)"""
    if len(facts) < MAX_FACTS:
        return _ALL, _ALL
    words = [e for e in facts if not e & _NUMERIC]
    return (words[-1], _ALL) if words else (-1, facts[-1])


def _split_lede(facts: list[int], cut: int, sets: bool = True) -> tuple[list[int], set[int], set[int]]:
    """(the facts, the lede's shingles, the shingles to LEDE_AREA words and sampled after) of a sorted list whose
    contexts lost their low ``cut`` bits (the index's form); a shingle as (its key among LEDE_KEYS, its value).
    The reserved contexts are consecutive: their entries are one slice, found by bisection."""
    lo = bisect.bisect_left(facts, (LEDE_CONTEXTS[0] >> cut) << VALUE_BITS)
    mid = bisect.bisect_left(facts, (LEDE_CONTEXTS[LEDE_KEYS] >> cut) << VALUE_BITS, lo)
    hi = bisect.bisect_left(facts, ((LEDE_CONTEXTS[-1] >> cut) + 1) << VALUE_BITS, mid)
    if lo == hi or not sets:
        return (facts[:lo] + facts[hi:] if lo < hi else facts), set(), set()
    up = 8 - cut  # a reserved context is (_LEDE_BASE + k) << 8: k, its key mod LEDE_KEYS, from its cut form

    def shingle(e: int) -> int:
        return (((e >> VALUE_BITS) >> up) - _LEDE_BASE) % LEDE_KEYS << VALUE_BITS | (e & _VALUE_MASK)

    lede = {shingle(e) for e in facts[lo:mid]}
    area = lede | {shingle(e) for e in facts[mid:hi]}
    return facts[:lo] + facts[hi:], lede, area


def compare(old, new, cut: int = 0, lede: bool = True) -> Comparison:
    """How the facts of ``new`` relate to those of ``old`` (each from ``extract``: an array or a sorted list;
    ``cut``: bits cut off the low end of their contexts, as the index stores them; ``lede``: compare the ledes too,
    else ``lede`` is -1: the sets cost ~2/3 of a comparison, and only a match with much new text needs them).

    Plain Python over sets: the lists are short (<= MAX_FACTS) and this runs only for sketch candidates."""
    old = old.tolist() if isinstance(old, np.ndarray) else old
    new = new.tolist() if isinstance(new, np.ndarray) else new
    old, _, area_old = _split_lede(old, cut, lede)
    new, lede_new, _ = _split_lede(new, cut, lede)
    share = -1.0
    if lede_new and area_old:  # found among all of the lede, or among its shingles kept past LEDE_AREA too
        found = lede_new & area_old
        share = len(found) / len(lede_new)
        sampled = {v for v in lede_new if not _sampled(v)}
        hits = sum(1 for v in found if v in sampled)
        if hits >= LEDE_HITS:  # a few chance hits among ~10 sampled shingles are no moved lede
            share = max(share, hits / len(sampled))
    if not old or not new:
        return Comparison(0, 0, 0, len(new), 0, sum(1 for e in new if e & _NUMERIC), len(old), share)
    if len(old) >= MAX_FACTS or len(new) >= MAX_FACTS:  # samples: compare what both would hold (see extract)
        (wo, fo), (wn, fn) = _limits(old), _limits(new)
        words, figures = min(wo, wn) | _VALUE_MASK, min(fo, fn) | _VALUE_MASK
        old = [e for e in old if e <= (figures if e & _NUMERIC else words)]
        new = [e for e in new if e <= (figures if e & _NUMERIC else words)]
    ctx_old, vals_old = _grouped(old)
    ctx_new, vals_new = _grouped(new)
    agree = conflicts = figures = 0
    for c in ctx_old.keys() & ctx_new.keys():
        a, b = ctx_old[c], ctx_new[c]
        if a <= b or b <= a or c == _NO_CONTEXT:  # equal, or one side kept only some of them (a trimmed or
            #                                       extended copy), or no context (see _NO_CONTEXT)
            agree += 1
        else:  # values replaced: "Rabu (15/10)" -> "Senin (17/10)" is two: a word and a figure
            gone, came = a - b, b - a
            tokens = min(sum(1 for v in gone if v & _NUMERIC), sum(1 for v in came if v & _NUMERIC))
            # Words count one by one (each word of a name). The figures of a run are one replaced figure, and at
            # most two replaced values: "Rp 4.000.000", "10,6 %" and "10.30" are one amount or time written as
            # several tokens, "Selasa (2/9/2025)" -> "Sabtu (4/4/1987)" another day (held-out updates,
            # bench/dedup_heldout.py: two corrected amounts counted 5 values and made a sibling of an update).
            words = min(sum(1 for v in gone if not v & _NUMERIC), sum(1 for v in came if not v & _NUMERIC))
            conflicts += words + min(2, tokens)
            figures += min(1, tokens)
    novel = echoed = novel_figures = 0
    for e in new:
        if (e >> VALUE_BITS) in ctx_old:
            continue
        if (e & _VALUE_MASK) in vals_old:
            echoed += 1
        else:
            novel += 1
            novel_figures += bool(e & _NUMERIC)
    lost = sum(1 for e in old if (e >> VALUE_BITS) not in ctx_new and (e & _VALUE_MASK) not in vals_new)
    return Comparison(agree, conflicts, figures, novel, echoed, novel_figures, lost, share)
