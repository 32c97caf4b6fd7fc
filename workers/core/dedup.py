"""The near-duplicate index: which story does an article belong to?

The index is a plain mutable mapping of string keys to ``bytes`` values, so the
same code runs on a ``dict`` (offline ``process``, tests) and on a Faust table
with a raw value serializer, backed by a changelog topic (the worker). Every
change is written back by assignment, so a table's changelog sees it. Layout 4
(``INDEX_LAYOUT``): one key per article, and one per story of two or more:

- ``a:<item>``        -> the article's entry, packed (``_HEAD`` then variable parts, see ``_Entry``); ``<item>`` is the
                         16 hex digits of the article id's 8-byte digest (``_item``: as in its story id). First seen,
                         story, content digest, the raw message's position (digest), its verdict (kind code,
                         similarity), the anchor codes it is filed under, its sketch (``fingerprint.pack``), its facts
                         (``facts.to_bytes``, Elias-Fano coded: ``fingerprint.ef_pack``), its id, then related
                         article, related story, title and source
- ``s:<story id>``    -> the story record (JSON), written once a story has a second article: a story of one
                         article is rebuilt from its entry (``_story``), which keeps what the record would

What points at the entries is derived from them and held by the process (``_Memory``), not stored: the anchor table
(anchor code -> articles, in C: ~12 B per filed anchor where a ``k:`` key of a dict store cost ~110 B), the content
digests of near copies filed without anchor keys, and the articles and story records in time order (eviction). It
is rebuilt from the stored entries at the first call (a restart, or ``reload`` after a recovery) in one pass.
Layout 3 kept anchor keys (``k:``), content keys (``h:``) and minute buckets (``t:``, ``m:hours``) in the store: 6.8
keys and 9 writes per article; layout 4 writes one value per article that starts a story.

An article matches a candidate that shares an anchor code with it and holds at
least ``threshold`` of the shorter body's shingles (containment, see
``fingerprint.resemblance``), the two bodies not wildly different in length
(Jaccard at least ``MIN_JACCARD``). Then their facts decide (``relation``,
``facts.compare``): a copy or an update joins the story; a follow-up or a story
told on the same template starts its own, ``related_to`` the earlier article.
An article id already filed with the same content gets its first verdict back
and changes nothing. Eviction takes the articles and story records first seen
(written) before the cutoff from the front of time-ordered queues, so it costs
what it removes, not the size of the index.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
import struct
import time
from array import array
from collections.abc import MutableMapping
from datetime import datetime
from typing import Literal, NamedTuple

import numpy as np
import orjson

from . import facts as facts_mod
from .fingerprint import (
    ANCHORS,
    SKETCH,
    Fingerprint,
    anchor_table,
    ef_pack,
    ef_unpack,
    overlap_packed,
    pack,
    stored_bytes,
)
from .records import DedupKind, DedupRecord, DedupStatus, rfc3339

INDEX_LAYOUT = 4  # the stored layout below; the worker's table is named after it (a new layout, a new table)
DEFAULT_THRESHOLD = 0.70  # containment of the shorter body in the longer one
MIN_JACCARD = 0.1  # ... and the two bodies share at least this much of their union (no snippet-in-a-tome matches)
MAX_BUCKET = 24  # articles per anchor code: a full code is a shingle that common (boilerplate, a stock phrase),
#                  not a story; it is skipped by lookups and takes no more articles until eviction thins it
MAX_CANDIDATES = 16  # candidates compared per article, most anchor hits first
MAX_SOURCES = 50  # distinct sources listed on a story
INDEX_COPY_BELOW = 0.9  # a near copy with less than this share of its text in its match is filed too
TIE = 0.05  # matches within this containment of the best count as equally good: the earliest is taken
# Facts (see relation); measured on bench/dedup.py's sets, BENCHMARKS.md "Near-duplicates":
SIBLING_CONFLICTS = 5  # values replaced in shared contexts that make another story on the same words: copies
#                       showed 0-4 (typos, dropped words), updates 1-2 (one or two figures), siblings 5 and more
SIBLING_FIGURES = 3  # ... or replaced figures (a run of figures in one context counts one: an amount, a date, a
#                     time): updates 0-2 (954 pairs, bench/dedup.py and bench/dedup_heldout.py), copies 0-2 (one
#                     of 4,770 with 3: typos inside numbers), siblings whose changes are mostly figures 3 and more
UPDATE_NOVEL = 1  # new facts in a text that keeps all of the earlier one: an added sentence ...
UPDATE_JACCARD = 0.8  # ... when the two texts are this close (an added paragraph of another story is a copy's extra)
INSIDE = 0.9  # ... and at least this share of the earlier text is in the new one
# A follow-up above the threshold: its news first, the earlier report below it (bench/dedup_followup.py, pairs at
# containment >= 0.7). Its lede is not the earlier one's: its first words' shingles found in the earlier lede
# (facts.LEDE_WORDS), 5-95 %, held-out follow-ups 0-0.14 in the earlier body, the natural false positives 0-0.07;
# copies keep the lede (0.5-1.0; a site's lines or a dateline above it shift it a little). By chance two unrelated
# ledes share ~1 % (facts.LEDE_KEYS). And it brings text of its own: held-out follow-ups 0.18-0.35 of their sketch
# not in the earlier, the natural ones 0.25-0.46; a copy whose paragraphs were moved (its lede elsewhere) 0-0.05.
FOLLOW_UP_LEDE = 0.1  # at most this share of the new lede in the earlier one ...
FOLLOW_UP_NEW = 0.15  # ... and at least this share of the new text not in the earlier: a follow-up
RELATED_MIN = 0.3  # below the threshold, candidates holding this much of the shorter text are checked for relations
FOLLOW_UP_MIN = 0.5  # ... and one holding half of it is a follow-up (new news beside shared background)


class Verdict(NamedTuple):  # a named tuple: made for every article, at a quarter of a frozen dataclass's cost
    status: DedupStatus
    kind: DedupKind  # exact | near | update (duplicates); new | follow_up | sibling (unique)
    story_id: str
    duplicate_of: str | None
    similarity: float | None
    story: dict  # the story record after this article
    related_to: str | None = None  # the earlier article a follow-up or a same-template story shares its text with

    def as_dict(self) -> DedupRecord:
        return {
            "status": self.status,
            "kind": self.kind,
            "story_id": self.story_id,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "related_to": self.related_to,
        }


DUPLICATE_KINDS = ("exact", "near", "update")
_KIND_CODE: dict[DedupKind, int] = {"new": 0, "exact": 1, "near": 2, "update": 3, "follow_up": 4, "sibling": 5}
_KIND_NAME: dict[int, DedupKind] = {v: k for k, v in _KIND_CODE.items()}


def story_id_for(article_id: str) -> str:
    return "st-" + hashlib.blake2b(article_id.encode(), digest_size=8).hexdigest()


def _replaced(cmp: facts_mod.Comparison) -> bool:
    """Enough facts replaced in the words both texts share to make them two stories (see the constants)."""
    return cmp.conflicts >= SIBLING_CONFLICTS or cmp.figures >= SIBLING_FIGURES


def relation(cmp: facts_mod.Comparison, jaccard: float, old_inside: float, inside: float = 1.0) -> DedupKind:
    """What a sketch match is, from its facts: "near" (a copy), "update", "follow_up" or "sibling".

    ``old_inside``: share of the earlier article's text found in the new one; ``inside``: share of the new one
    found in the earlier. Thresholds measured with bench/dedup.py and bench/dedup_followup.py (BENCHMARKS.md,
    "Stories, not templates"): see the constants."""
    if _replaced(cmp):
        return "sibling"  # the template's words with other names, places, figures or days
    if 0.0 <= cmp.lede <= FOLLOW_UP_LEDE and 1.0 - inside >= FOLLOW_UP_NEW:
        return "follow_up"  # a lede of its own above the earlier text (a lede unknown on either side: -1)
    if cmp.figures:
        return "update"  # one or two figures corrected (a changed word is a typo or an abbreviation: a copy)
    if cmp.novel >= UPDATE_NOVEL and jaccard >= UPDATE_JACCARD and old_inside >= INSIDE:
        return "update"  # all of the earlier text and a sentence with facts of its own
    # New facts and new text alone call no follow-up: a copy extended with another article's text (bench/dedup.py
    # `extend`) brings as many (0.17-0.35 of its sketch, 4-36 new facts) as a held-out follow-up (0.18-0.35, 2-38).
    return "near"


def related(cmp: facts_mod.Comparison, containment: float) -> Literal["sibling", "follow_up", ""]:
    """What an article that shares some text with an earlier one but is no copy of it is to it:
    "sibling" (the same template, its facts changed), "follow_up" (much shared text) or "" (unrelated)."""
    if _replaced(cmp) and cmp.novel <= cmp.conflicts:
        return "sibling"  # the texts differ mostly where their facts do: short template stories share 35-60 %
    return "follow_up" if containment >= FOLLOW_UP_MIN else ""


# -- the stored forms (layout 4) -------------------------------------------------------------------------------
# An entry: first seen (epoch seconds), its story (the 8 bytes of its id), a content digest (8 bytes: compared with
# a candidate's or a redelivery's only), the raw message's position (an 8-byte digest, zeros: none), anchor keys filed,
# verdict kind code, similarity x 10^4 (_NONE: none), the sketch's and the facts' lengths; then the anchor codes
# filed (uint32 each: rebuild the anchor table at start, unfile at eviction), the sketch, the facts, the article id
# (``_id_bytes``) and the strings of _STRINGS, each after its 2-byte length (_NONE: None). Title and source are kept
# only by an article that starts a story (its record is rebuilt from them until a second article comes), related
# article and story only by a follow-up or a sibling.
_HEAD = struct.Struct("<d8s8s8sBBHHH")
_LEN = struct.Struct("<H")
_NONE = 0xFFFF
_MAX_STRING = 0xFFFE  # bytes kept of a string (a title longer than that is not a title)
_STRINGS = ("related", "related_story", "title", "source")
_HEX = re.compile(r"[0-9a-f]+")  # linear: one class
_NO_ORIGIN = bytes(8)
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _item(article_id: str) -> int:
    """An article's number in the index: the 8 bytes of its id's digest (as its story id, ``story_id_for``; never 0,
    which marks an empty slot of the anchor table). Its entry's key is ``_key(item)``."""
    return int.from_bytes(_digest(article_id), "big") or 1


def _key(item: int) -> str:
    return f"a:{item:016x}"


def _sid_bytes(story_id: str) -> bytes:
    return bytes.fromhex(story_id[3:])  # "st-" + 16 hex digits (story_id_for)


def _sid(raw: bytes) -> str:
    return "st-" + raw.hex()


def _codes(keys: tuple[str, ...]) -> bytes:
    """Anchor keys (``fingerprint.anchor_keys``: 12 hex digits of a value's little-endian bytes) as the anchor table
    files them: the value's low 32 bits (uint32 LE). A code shared by unrelated articles costs one candidate read."""
    return bytes.fromhex("".join([k[:8] for k in keys]))


def _id_bytes(article_id: str) -> bytes:
    """An article id as an entry holds it: a length byte, then the id. A lowercase hex id (the pipeline's: 24 digits)
    is kept as its 12 bytes (length byte | 0x80), any other as UTF-8 (0x7F: a 2-byte length follows)."""
    if len(article_id) % 2 == 0 and len(article_id) < 256 and _HEX.fullmatch(article_id):
        return bytes((0x80 | len(article_id) // 2,)) + bytes.fromhex(article_id)
    b = article_id.encode("utf-8")
    return bytes((len(b),)) + b if len(b) < 0x7F else b"\x7f" + _LEN.pack(min(len(b), _MAX_STRING)) + b[:_MAX_STRING]


def _read_id(raw: bytes, at: int) -> tuple[str, int]:
    """(the article id written by ``_id_bytes`` at ``at``, the offset after it)."""
    ln = raw[at]
    if ln & 0x80:
        ln &= 0x7F
        return raw[at + 1 : at + 1 + ln].hex(), at + 1 + ln
    if ln == 0x7F:
        (ln,) = _LEN.unpack_from(raw, at + 1)
        at += 2
    return raw[at + 1 : at + 1 + ln].decode("utf-8", "ignore"), at + 1 + ln


def _pack_entry(ts: float, story_id: str, digest: bytes, origin: bytes, codes: bytes, kind: int,
                similarity: float | None, sketch: bytes, facts: bytes, article_id: str,
                strings: dict[str, str | None]) -> bytes:
    sim = _NONE if similarity is None else round(similarity * 10_000)
    parts = [_HEAD.pack(ts, _sid_bytes(story_id), digest, origin, len(codes) // 4, kind, sim, len(sketch), len(facts)),
             codes, sketch, facts, _id_bytes(article_id)]
    for name in _STRINGS:
        v = strings.get(name)
        if v is None:
            parts.append(_LEN.pack(_NONE))
        else:
            b = v.encode("utf-8")[:_MAX_STRING]
            parts += (_LEN.pack(len(b)), b)
    return b"".join(parts)


def _stored(raw: bytes) -> tuple[float, bytes, bytes]:
    """(first seen, packed sketch, facts) of a packed entry: what a candidate's comparison reads."""
    ts, _, _, _, n, _, _, ls, lf = _HEAD.unpack_from(raw)
    at = _HEAD.size + 4 * n
    return ts, raw[at : at + ls], raw[at + ls : at + ls + lf]


_TAIL = struct.Struct("<B3xHH")  # n, lengths of the sketch and the facts: the end of _HEAD


def _entry_id(raw: bytes) -> str:
    n, ls, lf = _TAIL.unpack_from(raw, _HEAD.size - _TAIL.size)
    at = _HEAD.size + 4 * n + ls + lf
    ln = raw[at]
    if ln & 0x80:  # a hex id (the usual): its bytes
        return raw[at + 1 : at + 1 + (ln & 0x7F)].hex()
    return _read_id(raw, at)[0]


class _Entry(NamedTuple):
    ts: float
    story_id: str
    digest: bytes
    origin: bytes
    codes: bytes
    kind: int
    similarity: float | None
    sketch: bytes
    facts: bytes
    article_id: str
    strings: dict[str, str | None]


def _unpack_entry(raw: bytes) -> _Entry:
    ts, sid, digest, origin, n, kind, sim, ls, lf = _HEAD.unpack_from(raw)
    at = _HEAD.size
    codes = raw[at : at + 4 * n]
    at += 4 * n
    sketch, facts = raw[at : at + ls], raw[at + ls : at + ls + lf]
    aid, at = _read_id(raw, at + ls + lf)
    strings: dict[str, str | None] = {}
    for name in _STRINGS:
        (ln,) = _LEN.unpack_from(raw, at)
        at += 2
        if ln == _NONE:
            strings[name] = None
        else:
            strings[name] = raw[at : at + ln].decode("utf-8", "ignore")
            at += ln
    return _Entry(ts, _sid(sid), digest, origin, codes, kind, None if sim == _NONE else sim / 10_000, sketch, facts,
                  aid, strings)


# Bits of a fact's context hash (facts.CONTEXT_BITS: 22) kept in the index; the value's bits are all kept. Facts
# were 60 % of an entry. bench/dedup.py's verdicts, every line against all 22 bits: 16 identical, 12 one near copy
# given kind=update (copy:typos kind right 0.856 -> 0.854), 10 a few (updates kind=update 0.986 -> 0.984, near-copy
# recall 0.968 -> 0.967); 14 keeps a margin of 4x fewer chance context matches than 12: 24-bit facts, ~19 bits each
# as an Elias-Fano list (~306 B for 128 facts instead of 512).
STORED_CONTEXT_BITS = 14
_CTX_DROP = facts_mod.CONTEXT_BITS - STORED_CONTEXT_BITS
_FACT_BITS = STORED_CONTEXT_BITS + facts_mod.VALUE_BITS


def _facts(raw: bytes) -> list[int]:
    """An entry's facts (``_pack_facts``) as ``facts.compare`` takes them."""
    return ef_unpack(raw, _FACT_BITS) if raw else []


def _pack_facts(text: str) -> bytes:
    """Facts as the extract stage sends them (``facts.pack``) as an entry keeps them: each fact's context hash cut
    to STORED_CONTEXT_BITS, an Elias-Fano list (``fingerprint.ef_pack``)."""
    return ef_pack(base64.b64decode(text), _FACT_BITS, facts_mod.VALUE_BITS, _CTX_DROP)


class _CutFacts(facts_mod.Packed):
    """An article's packed facts, cut like the stored ones (``_pack_facts``) to compare with them, when a
    comparison first needs them (``list``)."""

    __slots__ = ("_cut",)

    def __init__(self, text: str):
        super().__init__(text)
        self._cut: list[int] | None = None

    @property
    def list(self) -> list[int]:
        if self._cut is None:  # cut, sorted and deduplicated in C: ~10x a Python set of 128 ints
            self._cut = _facts(_pack_facts(self.text)) if self.text else []
        return self._cut


def _json(value) -> bytes:
    return orjson.dumps(value)


class _Memory:
    """What the index derives from its entries and keeps in the process, not in the store (layout 4): rebuilt from
    the store at start (``DedupIndex._load``) and kept up to date by every write.

    - ``anchors``: anchor code -> articles (``fingerprint.anchor_table``: C, ~12 B per filed anchor), the lookup;
    - ``content``: content digest -> article, for the near copies filed without anchor keys (their exact copies
      are found by it; every other article is found by its anchor keys, an exact copy sharing all of its original's);
    - the articles by first-seen time and the stories by the times their record was written: eviction takes them
      from the front (``DedupIndex.evict``), so it costs what it removes."""

    __slots__ = ("anchors", "content", "a_ts", "a_item", "a_head", "s_ts", "s_item", "s_head", "count")

    def __init__(self):
        self.anchors = anchor_table()
        self.content: dict[bytes, int] = {}
        self.a_ts, self.a_item, self.a_head = array("d"), array("Q"), 0
        self.s_ts, self.s_item, self.s_head = array("d"), array("Q"), 0
        self.count = 0

    def article(self, ts: float, item: int) -> None:
        _queue(self.a_ts, self.a_item, self.a_head, ts, item)
        self.count += 1

    def story(self, ts: float, sid: str) -> None:
        _queue(self.s_ts, self.s_item, self.s_head, ts, int(sid[3:], 16))

    def compact(self) -> None:
        """Forget the evicted front of the queues (copied once it is most of them: amortised O(1) per entry)."""
        if self.a_head > 1024 and 2 * self.a_head > len(self.a_ts):
            del self.a_ts[: self.a_head], self.a_item[: self.a_head]
            self.a_head = 0
        if self.s_head > 1024 and 2 * self.s_head > len(self.s_ts):
            del self.s_ts[: self.s_head], self.s_item[: self.s_head]
            self.s_head = 0


def _queue(ts_arr: array, items: array, head: int, ts: float, item: int) -> None:
    """Append (ts, item) in time order (the worker's clock: an earlier time is rare, put in its place)."""
    if not ts_arr or ts >= ts_arr[-1]:
        ts_arr.append(ts)
        items.append(item)
        return
    at = bisect.bisect_right(ts_arr, ts, head)
    ts_arr.insert(at, ts)
    items.insert(at, item)


class DedupIndex:
    def __init__(self, store: MutableMapping, threshold: float = DEFAULT_THRESHOLD, min_jaccard: float = MIN_JACCARD,
                 anchors: int = ANCHORS, sketch: int = SKETCH, index_copies: bool = True, use_facts: bool = True):
        self.store = store
        self.threshold = threshold
        self.min_jaccard = min_jaccard
        self.anchors = anchors
        self.sketch = sketch
        self.index_copies = index_copies
        self.use_facts = use_facts
        self._mem: _Memory | None = None  # what is derived from the entries: built at first use (``_load``)

    # -- the derived part ---------------------------------------------------------
    def reload(self) -> None:
        """Forget what was derived from the store: the next call rebuilds it (the worker calls this when its table
        was recovered from the changelog, whose entries this process did not write)."""
        self._mem = None

    def _memory(self) -> _Memory:
        mem = self._mem
        if mem is None:
            mem = self._mem = self._load()
        return mem

    def _load(self) -> _Memory:
        """Rebuild the anchor table, the content keys and the queues from the stored entries and story records: one
        pass to read first-seen times, then the entries in that order (the order they were filed in: the articles a
        full anchor code holds are the same as before the restart)."""
        mem = _Memory()
        ts_list, items, stories = array("d"), array("Q"), []
        unpack_head = _HEAD.unpack_from
        for key, raw in self.store.items():
            if key.startswith("a:"):
                ts_list.append(unpack_head(raw)[0])
                items.append(int(key[2:], 16))
            elif key.startswith("s:"):
                last = orjson.loads(raw).get("last_seen")
                if last:
                    stories.append((datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp(), key[2:]))
        order = np.argsort(np.frombuffer(ts_list, dtype=np.float64), kind="stable") if ts_list else np.zeros(0, int)
        get = self.store.get
        for i in order:
            item = items[i]
            raw = get(_key(item))
            if raw is None:
                continue
            _, _, digest, _, n, kind, _, ls, _ = unpack_head(raw)
            if n:
                mem.anchors.add(raw[_HEAD.size : _HEAD.size + 4 * n], item, MAX_BUCKET)
            elif ls:  # a near copy filed without anchor keys (an exact copy has no sketch)
                mem.content.setdefault(digest, item)
            mem.article(ts_list[i], item)
        for ts, sid in sorted(stories):
            mem.story(ts, sid)
        return mem

    # -- reading ----------------------------------------------------------------
    def story(self, story_id: str) -> dict | None:
        """The story record, or None when the story has no record (one article: see ``_story``) or is gone."""
        raw = self.store.get("s:" + story_id)
        return None if raw is None else orjson.loads(raw)

    def entry(self, article_id: str) -> _Entry | None:
        raw = self.store.get(_key(_item(article_id)))
        return None if raw is None else _unpack_entry(raw)

    def _story(self, story_id: str, first_id: str, first: _Entry) -> dict:
        """The story record; a story of one article has none stored: it is rebuilt from that article's entry."""
        record = self.story(story_id)
        if record is not None:
            return record
        stamp = time.strftime(_STAMP, time.gmtime(first.ts))
        st = first.strings
        return {
            "story_id": story_id, "first_article_id": first_id, "latest_article_id": first_id,
            "title": st["title"], "copies": 0, "updates": 0, "sources": [st["source"]] if st["source"] else [],
            "related": [st["related_story"]] if st["related_story"] else [], "first_seen": stamp, "last_seen": stamp,
        }

    # -- lookup ------------------------------------------------------------------
    def _candidates(self, codes: bytes, own: int) -> list[tuple[str, bytes]]:
        """(id, entry) of the articles filed under these anchor codes, most codes shared first (MAX_CANDIDATES);
        a code holding MAX_BUCKET articles is skipped (see MAX_BUCKET)."""
        found = self._memory().anchors.get(codes, MAX_BUCKET)
        if not found:
            return []
        hits: dict[int, int] = {}
        for cand in found:
            hits[cand] = hits.get(cand, 0) + 1
        hits.pop(own, None)
        if not hits:
            return []
        order = sorted(hits, key=hits.__getitem__, reverse=True)[:MAX_CANDIDATES] if len(hits) > 1 else hits
        out = []
        get = self.store.get
        for cand in order:
            raw = get(_key(cand))
            if raw is not None:
                out.append((_entry_id(raw), raw))
        return out

    def _best_candidate(self, mine_stored: bytes, cands: list[tuple[str, bytes]],
                        my_facts: facts_mod.Packed | None = None) -> tuple[str | None, float, float, float, DedupKind]:
        """(best match, its containment, its Jaccard, share of this article found in it, relation) among anchor hits.

        ``mine_stored`` is the article's sketch as the index stores it (``stored_bytes``). The relation is
        "near", "update", "follow_up" or "sibling" (``relation``); a copy is preferred to another story."""
        if not cands:
            return None, 0.0, 0.0, 0.0, "near"
        scored = [x for x in (self._score(mine_stored, cand, raw, my_facts) for cand, raw in cands) if x is not None]
        good = [x for x in scored if x[0] >= self.threshold and x[1] >= self.min_jaccard]
        # A story one of whose articles tells another story on these words (its facts replaced) is not this one's
        # through a match that holds no more of this text: a trimmed copy of that article holds fewer of the
        # replaced facts and would pass for a copy (held-out siblings, bench/dedup_heldout.py: 17 of 34 merged
        # siblings were merged through a copy of their original). A closer match decides: an update is no sibling
        # of its original because a typo copy of it, compared with the update, adds up to enough replaced values.
        other: dict[bytes, float] = {}
        for x in scored:
            if x[5] == "sibling":
                other[x[6]] = max(x[0], other.get(x[6], 0.0))
        copies = [x for x in good if x[5] in ("near", "update") and x[0] > other.get(x[6], -1.0)]
        if not copies:
            others = [x for x in scored if x[5] in ("follow_up", "sibling")]
            if others:  # another story that shares these words: the closest one is the related article
                c, j, _, best, inside, rel, _ = max(others, key=lambda x: (x[0], -x[2]))
                return best, c, j, inside, rel
            if not scored:
                return None, 0.0, 0.0, 0.0, "near"
            c, j, _, best, inside, rel, _ = max(scored)
            return best, c, j, inside, "near"
        # Near-equal matches (e.g. the original and an earlier copy of it, both holding all of a trimmed copy):
        # the earliest wins, so that the article joins the oldest story rather than a later split of it.
        top = max(x[0] for x in copies)
        c, j, _, best, inside, rel, _ = min((x for x in copies if x[0] >= top - TIE), key=lambda x: x[2])
        return best, c, j, inside, rel

    def _score(self, mine_stored: bytes, cand: str, raw: bytes, my_facts: facts_mod.Packed | None) -> tuple | None:
        """(containment, jaccard, first seen, candidate, share of this article in it, relation, its story's 8 bytes)
        of a candidate."""
        ts, sketch, fx = _stored(raw)
        if not sketch:
            return None
        shared, mine, theirs = overlap_packed(mine_stored, sketch, 0, self.sketch)
        small, union = min(mine, theirs), mine + theirs - shared
        c, j = (shared / small if small else 0.0), (shared / union if union else 0.0)
        inside = shared / mine if mine else 0.0
        rel = "near"
        if c >= RELATED_MIN and my_facts is not None and self.use_facts:
            good = c >= self.threshold and j >= self.min_jaccard
            cmp = facts_mod.compare(_facts(fx), my_facts.list, _CTX_DROP, good and 1.0 - inside >= FOLLOW_UP_NEW)
            rel = relation(cmp, j, shared / theirs if theirs else 0.0, inside) if good else related(cmp, c)
        return c, j, ts, cand, inside, rel, raw[8:16]  # _HEAD: the story's 8 bytes follow first seen

    def _exact(self, cands: list[tuple[str, bytes]], digest: bytes) -> str | None:
        """The earliest article with this content: among the candidates (an exact copy shares all of its original's
        anchor keys), or a copy filed without anchor keys, found by its content digest (``_Memory.content``)."""
        same = [(_HEAD.unpack_from(raw)[0], cand) for cand, raw in cands if raw[16:24] == digest]
        held = self._memory().content.get(digest)
        if held is not None:
            raw = self.store.get(_key(held))
            if raw is not None:
                same.append((_HEAD.unpack_from(raw)[0], _entry_id(raw)))
        return min(same)[1] if same else None

    def _replay(self, article_id: str, known: _Entry) -> Verdict:
        """The verdict an article already filed was given, from its entry; nothing changes (a redelivery)."""
        kind = _KIND_NAME[known.kind]
        sid = known.story_id
        story = self.story(sid)
        if story is None:
            story = self._story(sid, article_id, known) if kind not in DUPLICATE_KINDS else {}
        dup = kind in DUPLICATE_KINDS
        return Verdict("duplicate" if dup else "unique", kind, sid, story.get("first_article_id") if dup else None,
                       known.similarity, story, known.strings["related"])

    def check_and_add(self, article_id: str, fp: Fingerprint, source: str | None, title: str | None, now: datetime,
                      facts: str | np.ndarray | list | tuple | None = None, origin: str | None = None) -> Verdict:
        """The verdict for this article, recorded in the index.

        The same article sent again gets the verdict it was given the first time and
        changes nothing (redeliveries are harmless): the same id with the same content,
        or with the same ``origin`` (the raw message's topic, partition and offset: its
        body may differ once the site's learned template has changed in between)."""
        ts = now.timestamp()
        stamp = rfc3339(now)
        digest = _digest(fp.content_hash)
        item = _item(article_id)
        origin_digest = _NO_ORIGIN if origin is None else _digest(origin)
        known_raw = self.store.get(_key(item))
        known = None if known_raw is None else _unpack_entry(known_raw)
        if known is not None and (known.digest == digest or (origin is not None and known.origin == origin_digest)):
            return self._replay(article_id, known)
        # facts as the extract stage sends them (facts.pack), or as extracted (an array or a list)
        my_facts = None if facts is None else _CutFacts(
            facts if isinstance(facts, str) else facts_mod.pack(facts))
        mine = fp.stored if fp.stored is not None else stored_bytes(fp.sketch)
        codes = _codes(fp.anchors)
        cands = self._candidates(codes, item)
        exact = self._exact(cands, digest)
        index_keys = True
        related = None
        match: str | None
        kind: DedupKind
        if exact is not None:
            match, sim, kind = exact, 1.0, "exact"
            index_keys = False
        elif known is not None:
            # The same article id with other content (the page at this URL was edited): an update of its story.
            if known.sketch:
                shared, na, nb = overlap_packed(mine, known.sketch, 0, self.sketch)
            else:
                shared, na, nb = 0, 0, 0
            sim = shared / min(na, nb) if min(na, nb) else 0.0
            match, kind = article_id, "update"
        else:
            match, sim, jac, inside, kind = self._best_candidate(mine, cands, my_facts)
            if kind in ("follow_up", "sibling"):
                related, match = match, None
            elif match is None or sim < self.threshold or jac < self.min_jaccard:
                match, kind = None, "new"
            else:  # a copy that brings text of its own is filed too, so that copies of that text find the story
                index_keys = self.index_copies and inside < INDEX_COPY_BELOW
        strings: dict[str, str | None] = {}
        if match is None:
            verdict = self._new_story(article_id, kind, sim, related, source, title, stamp, strings)
        else:
            verdict = self._join(article_id, match, known if match == article_id else None, kind, sim, source,
                                 title, stamp)
        sid = verdict.story_id
        # An exact copy adds nothing to search: it is recorded (story, eviction) without its sketch.
        if match is not None:  # a story record was written: eviction looks at it once this time has passed
            self._memory().story(ts, sid)
        self._index(article_id, item, fp, digest, origin_digest, mine, my_facts, codes if index_keys else b"", sid,
                    ts, _KIND_CODE[kind], verdict.similarity, strings, exact=kind == "exact", old=known)
        return verdict

    # -- writing -----------------------------------------------------------------
    def _new_story(self, article_id: str, kind: DedupKind, sim: float, related: str | None, source: str | None,
                   title: str | None, stamp: str | None, strings: dict[str, str | None]) -> Verdict:
        """A new story: no record until a second article joins it (``_story`` rebuilds it from this entry, which
        keeps its title, source and related story in ``strings``)."""
        sid = story_id_for(article_id)
        rel_entry = None if related is None else self.entry(related)
        related_story = None if rel_entry is None else rel_entry.story_id
        strings.update(title=title, source=source, related=related, related_story=related_story)
        story = {
            "story_id": sid, "first_article_id": article_id, "latest_article_id": article_id, "title": title,
            "copies": 0, "updates": 0, "sources": [source] if source else [],
            "related": [related_story] if related_story else [], "first_seen": stamp, "last_seen": stamp,
        }
        return Verdict("unique", kind, sid, None, None if related is None else round(sim, 4), story, related)

    def _join(self, article_id: str, match: str, own: _Entry | None, kind: DedupKind, sim: float, source: str | None,
              title: str | None, stamp: str | None) -> Verdict:
        """A copy or an update joins the story of ``match`` (``own``: this article's entry when it is the match):
        the story record is written."""
        first = own if own is not None else self.entry(match)
        assert first is not None  # a candidate read a moment ago, or this article's own entry
        sid = first.story_id
        story = dict(self._story(sid, match, first))
        if kind == "update":  # the story's latest version
            story["updates"] += 1
            story["latest_article_id"] = article_id
            if title:
                story["title"] = title
        else:
            story["copies"] += 1
        story["last_seen"] = stamp
        if source and source not in story["sources"] and len(story["sources"]) < MAX_SOURCES:
            story["sources"] = story["sources"] + [source]
        self.store["s:" + sid] = _json(story)
        return Verdict("duplicate", kind, sid, story["first_article_id"], round(sim, 4), story)

    def _index(self, article_id: str, item: int, fp: Fingerprint, digest: bytes, origin: bytes, mine: bytes,
               facts: facts_mod.Packed | None, codes: bytes, story_id: str, ts: float, kind: int,
               similarity: float | None, strings: dict[str, str | None], exact: bool, old: _Entry | None) -> None:
        """File an article (an exact copy without its sketch: it adds nothing to search), with its verdict: one write
        (its entry); the anchor table, the content keys and the queues are the process's own (``_Memory``)."""
        mem = self._memory()
        if old is not None:  # the same id with other content: its entry and codes are replaced, first-seen time kept
            self._unfile(item, old)
            ts = old.ts
        filed = codes[: 4 * self.anchors] if not exact else b""
        sketch = b"" if exact else pack(fp.sketch, 0, mine)
        # the facts as they came (facts.pack: base64 of uint32 LE), cut and Elias-Fano coded (_pack_facts)
        fx = _pack_facts(facts.text) if facts is not None and facts.text and not exact else b""
        self.store[_key(item)] = _pack_entry(ts, story_id, digest, origin, filed, kind, similarity, sketch, fx,
                                             article_id, strings)
        if filed:
            mem.anchors.add(filed, item, MAX_BUCKET)
        elif not exact:  # a copy filed without anchor keys: its exact copies find it by its content
            mem.content.setdefault(digest, item)
        if old is None:
            mem.article(ts, item)

    # -- eviction ------------------------------------------------------------------
    def _unfile(self, item: int, entry: _Entry) -> None:
        """Remove what points at an article: its anchor codes or its content key."""
        mem = self._memory()
        if mem.content.get(entry.digest) == item:
            del mem.content[entry.digest]
        if entry.codes:
            mem.anchors.remove(entry.codes, item)

    def _drop_article(self, item: int) -> bool:
        raw = self.store.pop(_key(item), None)
        if not raw:
            return False
        self._unfile(item, _unpack_entry(raw))
        return True

    def _drop_story_if_stale(self, sid: str, cutoff: float) -> None:
        story = self.story(sid)
        if story and datetime.fromisoformat(story["last_seen"].replace("Z", "+00:00")).timestamp() < cutoff:
            self.store.pop("s:" + sid, None)

    def evict(self, older_than: datetime) -> int:
        """Remove articles first seen before ``older_than`` and what points at them; returns articles removed.

        Stories go when their last copy was seen before ``older_than``. The work is
        proportional to what is removed: the articles and the story records are taken
        from the front of the process's time-ordered queues (``_Memory``), never by a
        scan of the index.
        """
        cutoff = older_than.timestamp()
        mem = self._memory()
        removed = 0
        while mem.a_head < len(mem.a_ts) and mem.a_ts[mem.a_head] < cutoff:
            removed += self._drop_article(mem.a_item[mem.a_head])
            mem.a_head += 1
            mem.count -= 1
        while mem.s_head < len(mem.s_ts) and mem.s_ts[mem.s_head] < cutoff:
            self._drop_story_if_stale(f"st-{mem.s_item[mem.s_head]:016x}", cutoff)
            mem.s_head += 1
        mem.compact()
        return removed

    def size_hint(self) -> int:
        """Articles held in the index."""
        return self._memory().count
