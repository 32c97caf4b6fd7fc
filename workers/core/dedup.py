"""The near-duplicate index: which story does an article belong to?

The index is a plain mutable mapping of string keys to ``bytes`` values, so the
same code runs on a ``dict`` (offline ``process``, tests) and on a Faust table
with a raw value serializer, backed by a changelog topic (the worker). Every
change is written back by assignment, so a table's changelog sees it. Layout 3
(``INDEX_LAYOUT``: packed bytes, no JSON around the sketches and facts, two
kinds of key per article instead of four):

- ``a:<article id>``  -> the article's entry, packed (``_HEAD`` then variable parts, see ``_Entry``): first seen,
                         story, content digest, anchor keys filed, its verdict (kind code, similarity), its sketch
                         (``fingerprint.pack``), its facts (``facts.to_bytes``), then related article, related story,
                         the raw message's position "topic/partition/offset", title and source
- ``k:<anchor key>``  -> the ids of the articles filed under this sketch anchor (at most MAX_BUCKET), one after
                         the other, each after a length byte (a hex id as its bytes: ``_id_bytes``)
- ``s:<story id>``    -> the story record (JSON), written once a story has a second article: a story of one
                         article is rebuilt from its entry (``_story``), which keeps what the record would
- ``t:<minute>``      -> {"a": articles first seen in that minute, "s": stories touched in it} (JSON)
                         (and ``t:<minute>.<n>`` chunks when a minute is busy)
- ``m:hours``         -> the hours that have minute buckets (JSON, sorted), where eviction starts

- ``h:<content digest>`` -> the id (``_id_bytes``) of a near copy filed without anchor keys (it is almost all inside
                         its match), so that its exact copies are found; every other article is found by its
                         anchor keys, an exact copy sharing all of its original's: no content key for them.

An article matches a candidate that shares an anchor key with it and holds at
least ``threshold`` of the shorter body's shingles (containment, see
``fingerprint.resemblance``), the two bodies not wildly different in length
(Jaccard at least ``MIN_JACCARD``). Then their facts decide (``relation``,
``facts.compare``): a copy or an update joins the story; a follow-up or a story
told on the same template starts its own, ``related_to`` the earlier article.
An article id already filed with the same content gets its first verdict back
and changes nothing. Eviction walks the minute buckets of the elapsed hours, so
it costs what it removes, not the size of the index.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import time
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any, Literal, NamedTuple

import numpy as np
import orjson

from . import facts as facts_mod
from .fingerprint import (
    ANCHORS,
    SKETCH,
    Fingerprint,
    anchor_keys,
    overlap_packed,
    pack,
    stored_bytes,
    unpack,
)
from .records import DedupKind, DedupRecord, DedupStatus, rfc3339

INDEX_LAYOUT = 3  # the stored layout below; the worker's table is named after it (a new layout, a new table)
DEFAULT_THRESHOLD = 0.70  # containment of the shorter body in the longer one
MIN_JACCARD = 0.1  # ... and the two bodies share at least this much of their union (no snippet-in-a-tome matches)
MAX_BUCKET = 24  # article ids per anchor key: a full key is a shingle that common (boilerplate, a stock phrase),
#                  not a story; it is skipped by lookups and takes no more ids until eviction thins it
MAX_CANDIDATES = 16  # candidates compared per article, most anchor hits first
MAX_SOURCES = 50  # distinct sources listed on a story
BUCKET_CHUNK = 16  # entries per minute-bucket chunk (a busy minute spills into more chunks): every article
#                   rewrites its chunk, so a small one keeps the changelog bytes written per article near those kept
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


def relation(cmp: facts_mod.Comparison, jaccard: float, old_inside: float) -> DedupKind:
    """What a sketch match is, from its facts: "near" (a copy), "update" or "sibling".

    ``old_inside``: share of the earlier article's text found in the new one. Thresholds measured with
    bench/dedup.py (BENCHMARKS.md, "Stories, not templates"): see the constants."""
    if _replaced(cmp):
        return "sibling"  # the template's words with other names, places, figures or days
    if cmp.figures:
        return "update"  # one or two figures corrected (a changed word is a typo or an abbreviation: a copy)
    if cmp.novel >= UPDATE_NOVEL and jaccard >= UPDATE_JACCARD and old_inside >= INSIDE:
        return "update"  # all of the earlier text and a sentence with facts of its own
    # No follow-up is called above the threshold: new facts beside most of the earlier text are as often a
    # copy's boilerplate, credits or extra paragraph (measured: 3-16 new facts in copies, 5-19 in follow-ups).
    return "near"


def related(cmp: facts_mod.Comparison, containment: float) -> Literal["sibling", "follow_up", ""]:
    """What an article that shares some text with an earlier one but is no copy of it is to it:
    "sibling" (the same template, its facts changed), "follow_up" (much shared text) or "" (unrelated)."""
    if _replaced(cmp) and cmp.novel <= cmp.conflicts:
        return "sibling"  # the texts differ mostly where their facts do: short template stories share 35-60 %
    return "follow_up" if containment >= FOLLOW_UP_MIN else ""


# -- the stored forms (layout 3) -------------------------------------------------------------------------------
# An entry: first seen (epoch seconds), its story (the 8 bytes of its id), a content digest (8 bytes: compared with
# a candidate's or a redelivery's only), anchor keys filed, verdict kind code, similarity x 10^4 (_NONE: none),
# the sketch's and the facts' lengths; then the sketch, the facts, and the strings of _STRINGS, each after its
# 2-byte length (_NONE: None). Title and source are kept only by an article that starts a story (its record is
# rebuilt from them until a second article comes), related article and story only by a follow-up or a sibling.
_HEAD = struct.Struct("<d8s8sBBHHH")
_LEN = struct.Struct("<H")
_NONE = 0xFFFF
_MAX_STRING = 0xFFFE  # bytes kept of a string (a title longer than that is not a title)
_STRINGS = ("related", "related_story", "origin", "title", "source")
_HEX = re.compile(r"[0-9a-f]+")  # linear: one class
_FULL_BYTES = MAX_BUCKET  # an anchor key's value shorter than this cannot hold MAX_BUCKET ids (>= 1 byte each)
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _digest(content_hash: str) -> bytes:
    return hashlib.blake2b(content_hash.encode(), digest_size=8).digest()


def _sid_bytes(story_id: str) -> bytes:
    return bytes.fromhex(story_id[3:])  # "st-" + 16 hex digits (story_id_for)


def _sid(raw: bytes) -> str:
    return "st-" + raw.hex()


def _pack_entry(ts: float, story_id: str, digest: bytes, n: int, kind: int, similarity: float | None,
                sketch: bytes, facts: bytes, strings: dict[str, str | None]) -> bytes:
    sim = _NONE if similarity is None else round(similarity * 10_000)
    parts = [_HEAD.pack(ts, _sid_bytes(story_id), digest, n, kind, sim, len(sketch), len(facts)), sketch, facts]
    for name in _STRINGS:
        v = strings.get(name)
        if v is None:
            parts.append(_LEN.pack(_NONE))
        else:
            b = v.encode("utf-8")[:_MAX_STRING]
            parts += (_LEN.pack(len(b)), b)
    return b"".join(parts)


class _Entry(NamedTuple):
    ts: float
    story_id: str
    digest: bytes
    n: int
    kind: int
    similarity: float | None
    sketch: bytes
    facts: bytes
    strings: dict[str, str | None]


def _unpack_entry(raw: bytes) -> _Entry:
    ts, sid, digest, n, kind, sim, ls, lf = _HEAD.unpack_from(raw)
    at = _HEAD.size
    sketch, facts = raw[at : at + ls], raw[at + ls : at + ls + lf]
    at += ls + lf
    strings: dict[str, str | None] = {}
    for name in _STRINGS:
        (ln,) = _LEN.unpack_from(raw, at)
        at += 2
        if ln == _NONE:
            strings[name] = None
        else:
            strings[name] = raw[at : at + ln].decode("utf-8", "ignore")
            at += ln
    return _Entry(ts, _sid(sid), digest, n, kind, None if sim == _NONE else sim / 10_000, sketch, facts, strings)


def _id_bytes(article_id: str) -> bytes:
    """An article id as an anchor key's value holds it: a length byte, then the id. A lowercase hex id (the
    pipeline's: 24 digits) is kept as its 12 bytes (length byte | 0x80), any other as UTF-8 (0x7F: a 2-byte
    length follows)."""
    if len(article_id) % 2 == 0 and len(article_id) < 256 and _HEX.fullmatch(article_id):
        return bytes((0x80 | len(article_id) // 2,)) + bytes.fromhex(article_id)
    b = article_id.encode("utf-8")
    return bytes((len(b),)) + b if len(b) < 0x7F else b"\x7f" + _LEN.pack(min(len(b), _MAX_STRING)) + b[:_MAX_STRING]


def _ids(value: bytes | None) -> list[str]:
    """The article ids of an anchor key's value (``_id_bytes`` of each, one after the other)."""
    if not value:
        return []
    w = 1 + (value[0] & 0x7F)
    if value[0] > 0x80 and len(value) % w == 0 and value[::w] == value[:1] * (len(value) // w):
        return [value[i + 1 : i + w].hex() for i in range(0, len(value), w)]  # hex ids of one length: the usual
    out: list[str] = []
    at, end = 0, len(value)
    while at < end:
        ln = value[at]
        if ln & 0x80:
            ln &= 0x7F
            out.append(value[at + 1 : at + 1 + ln].hex())
        elif ln == 0x7F:
            (ln,) = _LEN.unpack_from(value, at + 1)
            at += 2
            out.append(value[at + 1 : at + 1 + ln].decode("utf-8"))
        else:
            out.append(value[at + 1 : at + 1 + ln].decode("utf-8"))
        at += 1 + ln
    return out


def _json(value) -> bytes:
    return orjson.dumps(value)


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
        self._count: int | None = None  # articles held; counted once, then kept up to date

    # -- reading ----------------------------------------------------------------
    def story(self, story_id: str) -> dict | None:
        """The story record, or None when the story has no record (one article: see ``_story``) or is gone."""
        raw = self.store.get("s:" + story_id)
        return None if raw is None else orjson.loads(raw)

    def entry(self, article_id: str) -> _Entry | None:
        raw = self.store.get("a:" + article_id)
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
    def _candidates(self, keys: tuple[str, ...], article_id: str) -> list[tuple[str, bytes]]:
        """(id, entry) of the articles filed under these anchor keys, most keys shared first (MAX_CANDIDATES)."""
        hits: dict[str, int] = {}
        get = self.store.get
        for key in keys:
            v = get("k:" + key)
            if v is None:
                continue
            ids = _ids(v)
            if len(ids) < MAX_BUCKET:  # a full key is skipped (see MAX_BUCKET)
                for cand in ids:
                    hits[cand] = hits.get(cand, 0) + 1
        hits.pop(article_id, None)
        if not hits:
            return []
        order = sorted(hits, key=hits.__getitem__, reverse=True)[:MAX_CANDIDATES] if len(hits) > 1 else hits
        out = []
        for cand in order:
            raw = get("a:" + cand)
            if raw is not None:
                out.append((cand, raw))
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
        ts, story, _, n, _, _, ls, lf = _HEAD.unpack_from(raw)
        if not ls:
            return None
        at = _HEAD.size
        shared, mine, theirs = overlap_packed(mine_stored, raw[at : at + ls], n, self.sketch)
        small, union = min(mine, theirs), mine + theirs - shared
        c, j = (shared / small if small else 0.0), (shared / union if union else 0.0)
        inside = shared / mine if mine else 0.0
        rel = "near"
        if c >= RELATED_MIN and my_facts is not None and self.use_facts:
            cmp = facts_mod.compare(facts_mod.from_bytes(raw[at + ls : at + ls + lf]), my_facts.list)
            if c >= self.threshold and j >= self.min_jaccard:
                rel = relation(cmp, j, shared / theirs if theirs else 0.0)
            else:
                rel = related(cmp, c)
        return c, j, ts, cand, inside, rel, story

    def _exact(self, cands: list[tuple[str, bytes]], digest: bytes, article_id: str) -> str | None:
        """The earliest article with this content: among the candidates (an exact copy shares all of its original's
        anchor keys), or a copy filed without anchor keys, found by its content key (``h:``)."""
        same = [(_HEAD.unpack_from(raw)[0], cand) for cand, raw in cands if raw[16:24] == digest]
        held = _ids(self.store.get("h:" + digest.hex()))
        if held and held[0] != article_id:
            raw = self.store.get("a:" + held[0])
            if raw is not None:
                same.append((_HEAD.unpack_from(raw)[0], held[0]))
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
        known_raw = self.store.get("a:" + article_id)
        known = None if known_raw is None else _unpack_entry(known_raw)
        if known is not None and (known.digest == digest or (origin is not None and known.strings["origin"] == origin)):
            return self._replay(article_id, known)
        # facts as the extract stage sends them (facts.pack), or as extracted (an array or a list)
        my_facts = None if facts is None else facts_mod.Packed(
            facts if isinstance(facts, str) else facts_mod.pack(facts))
        mine = fp.stored if fp.stored is not None else stored_bytes(fp.sketch)
        cands = self._candidates(fp.anchors, article_id)
        exact = self._exact(cands, digest, article_id)
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
                shared, na, nb = overlap_packed(mine, known.sketch, known.n, self.sketch)
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
        strings: dict[str, str | None] = {"origin": origin}
        if match is None:
            verdict = self._new_story(article_id, kind, sim, related, source, title, stamp, strings)
        else:
            verdict = self._join(article_id, match, known if match == article_id else None, kind, sim, source,
                                 title, stamp)
        sid = verdict.story_id
        # An exact copy adds nothing to search: it is recorded (story, eviction) without its sketch.
        self._index(article_id, fp, digest, mine, my_facts, fp.anchors if index_keys else (), sid, ts,
                    _KIND_CODE[kind], verdict.similarity, strings, exact=kind == "exact",
                    story_touched=match is not None, old=known)
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

    def _index(self, article_id: str, fp: Fingerprint, digest: bytes, mine: bytes, facts: facts_mod.Packed | None,
               keys: tuple[str, ...], story_id: str, ts: float, kind: int, similarity: float | None,
               strings: dict[str, str | None], exact: bool, story_touched: bool, old: _Entry | None) -> None:
        """File an article (an exact copy without its sketch: it adds nothing to search), with its verdict."""
        minute = int(ts // 60)
        if old is not None:  # the same id with other content: its entry and keys are replaced, first-seen time kept
            self._unfile(article_id, old)
            ts = old.ts
        elif self._count is not None:
            self._count += 1
        filed = keys[: self.anchors] if not exact else ()
        sketch = b"" if exact else pack(fp.sketch, len(filed), mine)
        # the facts as they came (facts.pack: base64 of the stored bytes), decoded without a list of ints
        fx = base64.b64decode(facts.text) if facts is not None and facts.text and not exact else b""
        self.store["a:" + article_id] = _pack_entry(ts, story_id, digest, len(filed), kind, similarity, sketch, fx,
                                                    strings)
        aid = _id_bytes(article_id)  # one object for all the keys below (a dict store holds it once)
        # a copy filed without anchor keys: its exact copies find it by its content
        if not filed and not exact and "h:" + digest.hex() not in self.store:
            self.store["h:" + digest.hex()] = aid
        for key in filed:
            k = "k:" + key
            prev = self.store.get(k)
            if prev is None:
                self.store[k] = aid
            else:
                if len(prev) < _FULL_BYTES or len(_ids(prev)) < MAX_BUCKET:  # (a short value cannot be full)
                    self.store[k] = prev + aid
        self._touch(minute, article=article_id if old is None else None, story=story_id if story_touched else None)

    def _bucket(self, key: str) -> Any:  # a minute bucket (dict) or the hours (list), None when absent
        raw = self.store.get(key)
        return None if raw is None else orjson.loads(raw)

    def _touch(self, minute: int, article: str | None = None, story: str | None = None) -> None:
        """Record an article first seen (field "a") and/or a story record written ("s") in that minute's bucket.

        A bucket holds at most BUCKET_CHUNK entries per field; a busy minute spills
        into ``t:<minute>.1``, ``.2``... (its count kept in the first one as "more"),
        so a write never copies more than one chunk.
        """
        if article is None and story is None:
            return
        key = f"t:{minute}"
        head = self._bucket(key)
        if head is None:
            hours = self._bucket("m:hours") or []
            if minute // 60 not in hours:
                self.store["m:hours"] = _json(sorted(hours + [minute // 60]))
            self.store[key] = _json({"a": [article] if article else [], "s": [story] if story else []})
            return
        more = head.get("more", 0)
        ckey, chunk = (key, head)
        if more:
            ckey = f"{key}.{more}"
            chunk = self._bucket(ckey) or {"a": [], "s": []}
        if story is not None and story in chunk["s"]:
            story = None
        if article is None and story is None:
            return
        full_a = article is not None and len(chunk["a"]) >= BUCKET_CHUNK
        if full_a or (story is not None and len(chunk["s"]) >= BUCKET_CHUNK):
            more += 1
            head["more"] = more
            self.store[key] = _json(head)
            ckey, chunk = f"{key}.{more}", {"a": [], "s": []}
        if article is not None:
            chunk["a"].append(article)
        if story is not None:
            chunk["s"].append(story)
        self.store[ckey] = _json(chunk)

    # -- eviction ------------------------------------------------------------------
    def _unfile(self, aid: str, entry: _Entry) -> None:
        """Remove what points at an article: its anchor keys or its content key."""
        h = "h:" + entry.digest.hex()
        held = self.store.get(h)
        if held is not None and _ids(held) == [aid]:
            self.store.pop(h, None)
        n = entry.n
        keys = anchor_keys(unpack(entry.sketch, n)[0], n) if n and entry.sketch else ()
        for key in keys:
            k = "k:" + key
            ids = [x for x in _ids(self.store.get(k)) if x != aid]
            if not ids:
                self.store.pop(k, None)
            else:
                self.store[k] = b"".join(_id_bytes(x) for x in ids)

    def _drop_article(self, aid: str) -> bool:
        raw = self.store.pop("a:" + aid, None)
        if not raw:
            return False
        self._unfile(aid, _unpack_entry(raw))
        return True

    def _drop_story_if_stale(self, sid: str, cutoff: float) -> None:
        story = self.story(sid)
        if story and datetime.fromisoformat(story["last_seen"].replace("Z", "+00:00")).timestamp() < cutoff:
            self.store.pop("s:" + sid, None)

    def evict(self, older_than: datetime) -> int:
        """Remove articles first seen before ``older_than`` and what points at them; returns articles removed.

        Stories go when their last copy was seen before ``older_than``. The work is
        proportional to what is removed (plus one lookup per minute of each hour
        that holds anything), never to the size of the index.
        """
        cutoff = older_than.timestamp()
        removed = 0
        last = int(cutoff // 60)  # the minute that holds the cutoff: evicted article by article
        hours = list(self._bucket("m:hours") or [])
        done = 0
        for hour in hours:
            if hour * 60 > last:
                break
            for minute in range(hour * 60, min(hour * 60 + 60, last + 1)):
                removed += self._evict_minute(minute, minute == last, cutoff)
            if hour * 60 + 59 < last:
                done += 1
        if done:
            self.store["m:hours"] = _json(hours[done:])
        if self._count is not None:
            self._count -= removed
        return removed

    def _evict_minute(self, minute: int, partial: bool, cutoff: float) -> int:
        key = f"t:{minute}"
        head = self._bucket(key)
        if head is None:
            return 0
        keys = [key] + [f"{key}.{i}" for i in range(1, head.get("more", 0) + 1)]
        removed = 0
        keep_a: list[str] = []
        keep_s: list[str] = []
        for k in keys:
            raw = self.store.pop(k, None)
            chunk = orjson.loads(raw) if raw else {"a": [], "s": []}
            for aid in chunk["a"]:
                entry = self.store.get("a:" + aid)
                if entry is None:
                    continue
                if partial and _HEAD.unpack_from(entry)[0] >= cutoff:
                    keep_a.append(aid)
                else:
                    removed += self._drop_article(aid)
            for sid in chunk["s"]:
                self._drop_story_if_stale(sid, cutoff)
                if partial and ("s:" + sid) in self.store:
                    keep_s.append(sid)
        # what stays of a partly evicted minute is written back (few entries: the cutoff's own minute)
        for aid in keep_a:
            self._touch(minute, article=aid)
        for sid in keep_s:
            self._touch(minute, story=sid)
        return removed

    def size_hint(self) -> int:
        """Articles held in the index (a full count the first time, then incremental)."""
        if self._count is None:
            self._count = sum(1 for k in self.store if k.startswith("a:"))
        return self._count
