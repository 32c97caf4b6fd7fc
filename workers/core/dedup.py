"""The near-duplicate index: which story does an article belong to?

The index is a plain mutable mapping of string keys to JSON-able values, so the
same code runs on a ``dict`` (offline ``process``, tests) and on a Faust table
backed by a changelog topic (the worker). Every change is written back by
assignment (a value read, changed and stored again counts: the minute buckets
are appended to in place and then assigned), so a table's changelog sees it. Keys:

- ``h:<content_hash>``  -> article id with exactly this body
- ``k:<anchor key>``    -> article id, or a list of ids, filed under this sketch anchor (at most MAX_BUCKET)
- ``a:<article id>``    -> {st: story, ts: first seen, h: content hash, n: anchor keys filed, sk: packed sketch,
                            f: packed facts, v: [verdict kind code, similarity, related_to],
                            o: the raw message's position "topic/partition/offset", when known}
- ``s:<story id>``      -> the story record (first and latest article, copies, updates, sources, related stories)
- ``t:<minute>``        -> {"a": articles first seen in that minute, "s": stories touched in it}
                           (and ``t:<minute>.<n>`` chunks when a minute is busy)
- ``m:hours``           -> the hours that have minute buckets (sorted), where eviction starts

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

import hashlib
from collections.abc import MutableMapping
from datetime import datetime
from typing import NamedTuple

import numpy as np

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
from .records import rfc3339

INDEX_LAYOUT = 2  # the stored layout below; the worker's table is named after it (a new layout, a new table)
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
#                       showed 0-4 (typos, dropped words), updates 1-4 (one or two figures), siblings 5 and more
UPDATE_NOVEL = 1  # new facts in a text that keeps all of the earlier one: an added sentence ...
UPDATE_JACCARD = 0.8  # ... when the two texts are this close (an added paragraph of another story is a copy's extra)
INSIDE = 0.9  # ... and at least this share of the earlier text is in the new one
RELATED_MIN = 0.3  # below the threshold, candidates holding this much of the shorter text are checked for relations
FOLLOW_UP_MIN = 0.5  # ... and one holding half of it is a follow-up (new news beside shared background)


class Verdict(NamedTuple):  # a named tuple: made for every article, at a quarter of a frozen dataclass's cost
    status: str  # unique | duplicate
    kind: str  # new | exact | near | update (duplicates); new | follow_up | sibling (unique)
    story_id: str
    duplicate_of: str | None
    similarity: float | None
    story: dict  # the story record after this article
    related_to: str | None = None  # the earlier article a follow-up or a same-template story shares its text with

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "kind": self.kind,
            "story_id": self.story_id,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "related_to": self.related_to,
        }


DUPLICATE_KINDS = ("exact", "near", "update")
_KIND_CODE = {"new": 0, "exact": 1, "near": 2, "update": 3, "follow_up": 4, "sibling": 5}
_KIND_NAME = {v: k for k, v in _KIND_CODE.items()}


def story_id_for(article_id: str) -> str:
    return "st-" + hashlib.blake2b(article_id.encode(), digest_size=8).hexdigest()


def _ids(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def relation(cmp: facts_mod.Comparison, jaccard: float, old_inside: float) -> str:
    """What a sketch match is, from its facts: "near" (a copy), "update" or "sibling".

    ``old_inside``: share of the earlier article's text found in the new one. Thresholds measured with
    bench/dedup.py (BENCHMARKS.md, "Stories, not templates"): see the constants."""
    if cmp.conflicts >= SIBLING_CONFLICTS:
        return "sibling"  # the template's words with other names, places, figures or days
    if cmp.figures:
        return "update"  # one or two figures corrected (a changed word is a typo or an abbreviation: a copy)
    if cmp.novel >= UPDATE_NOVEL and jaccard >= UPDATE_JACCARD and old_inside >= INSIDE:
        return "update"  # all of the earlier text and a sentence with facts of its own
    # No follow-up is called above the threshold: new facts beside most of the earlier text are as often a
    # copy's boilerplate, credits or extra paragraph (measured: 3-16 new facts in copies, 5-19 in follow-ups).
    return "near"


def related(cmp: facts_mod.Comparison, containment: float) -> str:
    """What an article that shares some text with an earlier one but is no copy of it is to it:
    "sibling" (the same template, its facts changed), "follow_up" (much shared text) or "" (unrelated)."""
    if cmp.conflicts >= SIBLING_CONFLICTS and cmp.novel <= cmp.conflicts:
        return "sibling"  # the texts differ mostly where their facts do: short template stories share 35-60 %
    return "follow_up" if containment >= FOLLOW_UP_MIN else ""


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

    # -- lookup ------------------------------------------------------------------
    def _best_candidate(self, mine_stored: bytes, keys: tuple[str, ...], article_id: str,
                        my_facts: facts_mod.Packed | None = None) -> tuple[str | None, float, float, float, str]:
        """(best match, its containment, its Jaccard, share of this article found in it, relation) among anchor hits.

        ``mine_stored`` is the article's sketch as the index stores it (``stored_bytes``). The relation is
        "near", "update", "follow_up" or "sibling" (``relation``); a copy is preferred to another story."""
        hits: dict[str, int] = {}
        get = self.store.get
        for key in keys:
            v = get("k:" + key)
            if v is None:
                continue
            if isinstance(v, str):
                hits[v] = hits.get(v, 0) + 1
            elif len(v) < MAX_BUCKET:
                for cand in v:
                    hits[cand] = hits.get(cand, 0) + 1
        hits.pop(article_id, None)
        if not hits:
            return None, 0.0, 0.0, 0.0, "near"
        order = sorted(hits, key=hits.__getitem__, reverse=True)[:MAX_CANDIDATES] if len(hits) > 1 else hits
        scored = [x for x in (self._score(mine_stored, cand, my_facts) for cand in order) if x is not None]
        good = [x for x in scored if x[0] >= self.threshold and x[1] >= self.min_jaccard]
        copies = [x for x in good if x[5] in ("near", "update")]
        if not copies:
            others = [x for x in scored if x[5] in ("follow_up", "sibling")]
            if others:  # another story that shares these words: the closest one is the related article
                c, j, _, best, inside, rel = max(others, key=lambda x: (x[0], -x[2]))
                return best, c, j, inside, rel
            if not scored:
                return None, 0.0, 0.0, 0.0, "near"
            c, j, _, best, inside, rel = max(scored)
            return best, c, j, inside, "near"
        # Near-equal matches (e.g. the original and an earlier copy of it, both holding all of a trimmed copy):
        # the earliest wins, so that the article joins the oldest story rather than a later split of it.
        top = max(x[0] for x in copies)
        c, j, _, best, inside, rel = min((x for x in copies if x[0] >= top - TIE), key=lambda x: x[2])
        return best, c, j, inside, rel

    def _score(self, mine_stored: bytes, cand: str, my_facts: facts_mod.Packed | None) -> tuple | None:
        """(containment, jaccard, first seen, candidate, share of this article in it, relation) of a candidate."""
        entry = self.store.get("a:" + cand)
        if not entry or "sk" not in entry:
            return None
        shared, mine, theirs = overlap_packed(mine_stored, entry["sk"], entry["n"], self.sketch)
        small, union = min(mine, theirs), mine + theirs - shared
        c, j = (shared / small if small else 0.0), (shared / union if union else 0.0)
        inside = shared / mine if mine else 0.0
        rel = "near"
        if c >= RELATED_MIN and my_facts is not None and self.use_facts:
            cmp = facts_mod.compare(facts_mod.unpack(entry.get("f", "")), my_facts.list)
            if c >= self.threshold and j >= self.min_jaccard:
                rel = relation(cmp, j, shared / theirs if theirs else 0.0)
            else:
                rel = related(cmp, c)
        return c, j, entry["ts"], cand, inside, rel

    def _replay(self, article_id: str, known: dict) -> Verdict:
        """The verdict an article already filed was given, from its entry; nothing changes (a redelivery)."""
        kind = _KIND_NAME[known["v"][0]]
        sid = known["st"]
        story = self.store.get("s:" + sid) or {}
        dup = kind in DUPLICATE_KINDS
        return Verdict("duplicate" if dup else "unique", kind, sid, story.get("first_article_id") if dup else None,
                       known["v"][1], story, known["v"][2])

    def check_and_add(self, article_id: str, fp: Fingerprint, source: str | None, title: str | None, now: datetime,
                      facts: str | np.ndarray | list | tuple | None = None, origin: str | None = None) -> Verdict:
        """The verdict for this article, recorded in the index.

        The same article sent again gets the verdict it was given the first time and
        changes nothing (redeliveries are harmless): the same id with the same content,
        or with the same ``origin`` (the raw message's topic, partition and offset: its
        body may differ once the site's learned template has changed in between)."""
        ts = now.timestamp()
        stamp = rfc3339(now)
        known = self.store.get("a:" + article_id)
        if known is not None and (known["h"] == fp.content_hash or (origin is not None and known.get("o") == origin)):
            return self._replay(article_id, known)
        # facts as the extract stage sends them (facts.pack), or as extracted (an array or a list)
        my_facts = None if facts is None else facts_mod.Packed(
            facts if isinstance(facts, str) else facts_mod.pack(facts))
        mine = fp.stored if fp.stored is not None else stored_bytes(fp.sketch)
        exact = self.store.get("h:" + fp.content_hash)
        index_keys = True
        related = None
        if exact is not None and exact != article_id and self.store.get("a:" + exact):
            match, sim, kind = exact, 1.0, "exact"
            index_keys = False
        elif known is not None:
            # The same article id with other content (the page at this URL was edited): an update of its story.
            shared, na, nb = overlap_packed(mine, known["sk"], known["n"], self.sketch) if "sk" in known else (0, 0, 0)
            sim = shared / min(na, nb) if min(na, nb) else 0.0
            match, kind = article_id, "update"
        else:
            match, sim, jac, inside, kind = self._best_candidate(mine, fp.anchors, article_id, my_facts)
            if kind in ("follow_up", "sibling"):
                related, match = match, None
            elif match is None or sim < self.threshold or jac < self.min_jaccard:
                match, kind = None, "new"
            else:  # a copy that brings text of its own is filed too, so that copies of that text find the story
                index_keys = self.index_copies and inside < INDEX_COPY_BELOW
        story: dict
        if match is None:
            sid = story_id_for(article_id)
            story = {
                "story_id": sid, "first_article_id": article_id, "latest_article_id": article_id, "title": title,
                "copies": 0, "updates": 0, "sources": [source] if source else [], "related": [],
                "first_seen": stamp, "last_seen": stamp,
            }
            if related is not None:
                story["related"] = [self.store["a:" + related]["st"]]
            verdict = Verdict("unique", kind, sid, None, None if related is None else round(sim, 4), story, related)
        else:
            sid = self.store["a:" + match]["st"]
            story = dict(self.store.get("s:" + sid) or {
                "story_id": sid, "first_article_id": match, "latest_article_id": match, "title": title, "copies": 0,
                "updates": 0, "sources": [], "related": [], "first_seen": stamp, "last_seen": stamp,
            })
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
            verdict = Verdict("duplicate", kind, sid, story["first_article_id"], round(sim, 4), story)
        self.store["s:" + sid] = story
        # An exact copy adds nothing to search: it is recorded (story, eviction) without its sketch.
        self._index(article_id, fp, mine, my_facts, fp.anchors if index_keys else (), sid, ts,
                    [_KIND_CODE[kind], verdict.similarity, related], exact=kind == "exact", origin=origin)
        return verdict

    # -- writing -----------------------------------------------------------------
    def _index(self, article_id: str, fp: Fingerprint, mine: bytes, facts: facts_mod.Packed | None,
               keys: tuple[str, ...], story_id: str, ts: float, verdict: list, exact: bool,
               origin: str | None = None) -> None:
        """File an article (an exact copy without its sketch: it adds nothing to search), with its verdict."""
        minute = int(ts // 60)
        old = self.store.get("a:" + article_id)
        if old is not None:  # the same id with other content: its entry and keys are replaced, first-seen time kept
            self._unfile(article_id, old)
            ts = old["ts"]
        elif self._count is not None:
            self._count += 1
        filed = keys[: self.anchors] if not exact else ()
        entry = {"st": story_id, "ts": ts, "h": fp.content_hash, "n": len(filed), "v": verdict}
        if origin is not None:
            entry["o"] = origin
        if not exact:
            entry["sk"] = pack(fp.sketch, len(filed), mine)
            if facts is not None and facts.text:
                entry["f"] = facts.text
        self.store["a:" + article_id] = entry
        if "h:" + fp.content_hash not in self.store:
            self.store["h:" + fp.content_hash] = article_id
        for key in filed:
            k = "k:" + key
            prev = self.store.get(k)
            if prev is None:
                self.store[k] = article_id
            elif isinstance(prev, str):
                self.store[k] = [prev, article_id]
            elif len(prev) < MAX_BUCKET:
                self.store[k] = prev + [article_id]
        self._touch(minute, article=article_id if old is None else None, story=story_id)

    def _touch(self, minute: int, article: str | None = None, story: str | None = None) -> None:
        """Record an article first seen (field "a") and/or a story touched ("s") in that minute's bucket.

        A bucket holds at most BUCKET_CHUNK entries per field; a busy minute spills
        into ``t:<minute>.1``, ``.2``... (its count kept in the first one as "more"),
        so a write never copies more than one chunk.
        """
        key = f"t:{minute}"
        head = self.store.get(key)
        if head is None:
            hours = self.store.get("m:hours") or []
            if minute // 60 not in hours:
                self.store["m:hours"] = sorted(hours + [minute // 60])
            self.store[key] = {"a": [article] if article else [], "s": [story] if story else []}
            return
        more = head.get("more", 0)
        ckey, chunk = (key, head)
        if more:
            ckey = f"{key}.{more}"
            chunk = self.store.get(ckey) or {"a": [], "s": []}
        if story is not None and story in chunk["s"]:
            story = None
        if article is None and story is None:
            return
        full_a = article is not None and len(chunk["a"]) >= BUCKET_CHUNK
        if full_a or (story is not None and len(chunk["s"]) >= BUCKET_CHUNK):
            more += 1
            head["more"] = more
            self.store[key] = head
            ckey, chunk = f"{key}.{more}", {"a": [], "s": []}
        # Changed in place, then stored again: a Faust table writes its changelog on assignment,
        # and a copy of the chunk on every article would cost more than the rest of the index.
        if article is not None:
            chunk["a"].append(article)
        if story is not None:
            chunk["s"].append(story)
        self.store[ckey] = chunk

    # -- eviction ------------------------------------------------------------------
    def _unfile(self, aid: str, entry: dict) -> None:
        """Remove what points at an article: its content hash and its anchor keys."""
        if self.store.get("h:" + entry["h"]) == aid:
            self.store.pop("h:" + entry["h"], None)
        n = entry.get("n", 0)
        keys = anchor_keys(unpack(entry["sk"], n)[0], n) if n and "sk" in entry else ()
        for key in keys:
            k = "k:" + key
            ids = [x for x in _ids(self.store.get(k)) if x != aid]
            if not ids:
                self.store.pop(k, None)
            else:
                self.store[k] = ids[0] if len(ids) == 1 else ids

    def _drop_article(self, aid: str) -> bool:
        entry = self.store.pop("a:" + aid, None)
        if not entry:
            return False
        self._unfile(aid, entry)
        return True

    def _drop_story_if_stale(self, sid: str, cutoff: float) -> None:
        story = self.store.get("s:" + sid)
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
        hours = list(self.store.get("m:hours") or [])
        done = 0
        for hour in hours:
            if hour * 60 > last:
                break
            for minute in range(hour * 60, min(hour * 60 + 60, last + 1)):
                removed += self._evict_minute(minute, minute == last, cutoff)
            if hour * 60 + 59 < last:
                done += 1
        if done:
            self.store["m:hours"] = hours[done:]
        if self._count is not None:
            self._count -= removed
        return removed

    def _evict_minute(self, minute: int, partial: bool, cutoff: float) -> int:
        key = f"t:{minute}"
        head = self.store.get(key)
        if head is None:
            return 0
        keys = [key] + [f"{key}.{i}" for i in range(1, head.get("more", 0) + 1)]
        removed = 0
        keep_a: list[str] = []
        keep_s: list[str] = []
        for k in keys:
            chunk = self.store.pop(k, None) or {"a": [], "s": []}
            for aid in chunk["a"]:
                entry = self.store.get("a:" + aid)
                if entry is None:
                    continue
                if partial and entry["ts"] >= cutoff:
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
