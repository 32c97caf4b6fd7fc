"""The near-duplicate index: which story does an article belong to?

The index is a plain mutable mapping of string keys to JSON-able values, so the
same code runs on a ``dict`` (offline ``process``, tests) and on a Faust table
backed by a changelog topic (the worker). Every write assigns a new value (no
in-place mutation), so a table's changelog sees every change. Keys:

- ``h:<content_hash>``  -> article id with exactly this body
- ``k:<anchor key>``    -> article id, or a list of ids, filed under this sketch anchor (at most MAX_BUCKET)
- ``a:<article id>``    -> {story, sig (packed sketch), ts, hash, anchors (how many anchor keys were filed)}
- ``s:<story id>``      -> the story record (first article, copies, sources, first/last seen)
- ``t:<minute>``        -> {"a": articles first seen in that minute, "s": stories touched in it}
                           (and ``t:<minute>.<n>`` chunks when a minute is busy)
- ``m:hours``           -> the hours that have minute buckets (sorted), where eviction starts
- ``m:layout``          -> 2 once entries of the first layout (LSH bands under ``b:``) have been swept

An article is a duplicate when a candidate that shares an anchor key with it
holds at least ``threshold`` of the shorter body's shingles (containment, see
``fingerprint.resemblance``) and the two bodies are not wildly different in
length (Jaccard at least ``MIN_JACCARD``). Eviction walks the minute buckets
of the elapsed hours, so it costs what it removes, not the size of the index.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from datetime import datetime
from typing import NamedTuple

import numpy as np

from .fingerprint import (
    ANCHORS,
    SKETCH,
    Fingerprint,
    _as_array,
    anchor_keys,
    overlap_packed,
    pack,
    stored_bytes,
    unpack,
)
from .records import rfc3339

DEFAULT_THRESHOLD = 0.70  # containment of the shorter body in the longer one
MIN_JACCARD = 0.1  # ... and the two bodies share at least this much of their union (no snippet-in-a-tome matches)
MAX_BUCKET = 24  # article ids per anchor key: a full key is a shingle that common (boilerplate, a stock phrase),
#                  not a story; it is skipped by lookups and takes no more ids until eviction thins it
MAX_CANDIDATES = 16  # candidates compared per article, most anchor hits first
MAX_SOURCES = 50  # distinct sources listed on a story
BUCKET_CHUNK = 256  # entries per minute-bucket chunk (a busy minute spills into more chunks)
INDEX_COPY_BELOW = 0.9  # a near copy with less than this share of its text in its match is filed too
TIE = 0.05  # matches within this containment of the best count as equally good: the earliest is taken


class Verdict(NamedTuple):  # a named tuple: made for every article, at a quarter of a frozen dataclass's cost
    status: str  # unique | duplicate
    kind: str  # new | exact | near
    story_id: str
    duplicate_of: str | None
    similarity: float | None
    story: dict  # the story record after this article

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "kind": self.kind,
            "story_id": self.story_id,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
        }


def story_id_for(article_id: str) -> str:
    return "st-" + hashlib.blake2b(article_id.encode(), digest_size=8).hexdigest()


def _ids(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def _sketch_and_keys(fp: Fingerprint) -> tuple:
    """(the sketch, its anchor keys), as they are when the fingerprint came from this version's fingerprint()."""
    if fp.bands and len(fp.bands[0]) == 12:
        return fp.signature, fp.bands
    # Not from this version's fingerprint() (e.g. a MinHash signature with LSH bands from the first version,
    # still in flight): make it a sorted set of values; it will match nothing new, which is safe.
    sig = np.unique(_as_array(fp.signature))
    return sig, anchor_keys(sig)


class DedupIndex:
    def __init__(self, store: MutableMapping, threshold: float = DEFAULT_THRESHOLD, min_jaccard: float = MIN_JACCARD,
                 anchors: int = ANCHORS, sketch: int = SKETCH, index_copies: bool = True):
        self.store = store
        self.threshold = threshold
        self.min_jaccard = min_jaccard
        self.anchors = anchors
        self.sketch = sketch
        self.index_copies = index_copies
        self._count: int | None = None  # articles held; counted once, then kept up to date

    # -- lookup ------------------------------------------------------------------
    def _best_candidate(self, mine_stored: bytes, keys: tuple[str, ...], article_id: str) -> tuple[str | None, float, float, float]:
        """(best match, its containment, its Jaccard, share of this article found in it) among anchor hits.

        ``mine_stored`` is the article's sketch as the index stores it (``stored_bytes``)."""
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
            return None, 0.0, 0.0, 0.0
        order = sorted(hits, key=hits.__getitem__, reverse=True)[:MAX_CANDIDATES] if len(hits) > 1 else hits
        scored = []  # (containment, jaccard, first seen, candidate, share of this article in it)
        for cand in order:
            entry = get("a:" + cand)
            if not entry or not isinstance(entry.get("sig"), str):
                continue
            shared, mine, theirs = overlap_packed(mine_stored, entry["sig"], entry["anchors"], self.sketch)
            small, union = min(mine, theirs), mine + theirs - shared
            c, j = (shared / small if small else 0.0), (shared / union if union else 0.0)
            scored.append((c, j, entry["ts"], cand, shared / mine if mine else 0.0))
        good = [x for x in scored if x[0] >= self.threshold and x[1] >= self.min_jaccard]
        if not good:
            c, j, _, best, inside = max(scored, default=(0.0, 0.0, 0.0, None, 0.0))
            return best, c, j, inside
        # Near-equal matches (e.g. the original and an earlier copy of it, both holding all of a trimmed copy):
        # the earliest wins, so that the article joins the oldest story rather than a later split of it.
        top = max(x[0] for x in good)
        c, j, _, best, inside = min((x for x in good if x[0] >= top - TIE), key=lambda x: x[2])
        return best, c, j, inside

    def check_and_add(self, article_id: str, fp: Fingerprint, source: str | None, title: str | None, now: datetime) -> Verdict:
        """The verdict for this article, recorded in the index."""
        ts = now.timestamp()
        stamp = rfc3339(now)
        sig, keys = _sketch_and_keys(fp)
        mine = fp.stored if fp.stored is not None and sig is fp.signature else stored_bytes(sig)
        known = self.store.get("a:" + article_id)
        exact = self.store.get("h:" + fp.content_hash)
        index_keys = True
        if exact is not None and self.store.get("a:" + exact):
            match, sim, kind = exact, 1.0, "exact"
            index_keys = False
        elif known is not None:
            # The same article id again (a re-fetch of the same URL): a duplicate of its own story.
            old = known.get("sig")
            if known.get("hash") == fp.content_hash:
                sim = 1.0
            else:
                shared, na, nb = (overlap_packed(mine, old, known["anchors"], self.sketch)
                                  if isinstance(old, str) else (0, 0, 0))
                sim = shared / min(na, nb) if min(na, nb) else 0.0
            match, kind = article_id, "near"
        else:
            match, sim, jac, inside = self._best_candidate(mine, keys, article_id)
            kind = "near"
            if match is None or sim < self.threshold or jac < self.min_jaccard:
                match = None
            else:  # a copy that brings text of its own is filed too, so that copies of that text find the story
                index_keys = self.index_copies and inside < INDEX_COPY_BELOW
        if match is None:
            sid = story_id_for(article_id)
            story = {
                "story_id": sid, "first_article_id": article_id, "title": title, "copies": 0,
                "sources": [source] if source else [], "first_seen": stamp, "last_seen": stamp,
            }
            verdict = Verdict("unique", "new", sid, None, None, story)
        else:
            sid = self.store["a:" + match]["story"]
            story = dict(self.store.get("s:" + sid) or {
                "story_id": sid, "first_article_id": match, "title": title, "copies": 0, "sources": [],
                "first_seen": stamp, "last_seen": stamp,
            })
            story["copies"] += 1
            story["last_seen"] = stamp
            if source and source not in story["sources"] and len(story["sources"]) < MAX_SOURCES:
                story["sources"] = story["sources"] + [source]
            verdict = Verdict("duplicate", kind, sid, story["first_article_id"], round(sim, 4), story)
        self.store["s:" + sid] = story
        # An exact copy adds nothing to search: it is recorded (story, eviction) without its sketch.
        self._index(article_id, fp.content_hash, None if kind == "exact" else (sig, mine), keys if index_keys else (),
                    sid, ts)
        return verdict

    # -- writing -----------------------------------------------------------------
    def _index(self, article_id: str, content_hash: str, sketch: tuple | None, keys: tuple[str, ...],
               story_id: str, ts: float) -> None:
        """File an article: ``sketch`` is (its sketch, the sketch's stored bytes), or None for an exact copy."""
        minute = int(ts // 60)
        if ("a:" + article_id) in self.store:
            self._touch(minute, story=story_id)
            return
        if self._count is not None:
            self._count += 1
        filed = keys[: self.anchors] if sketch is not None else ()
        entry = {"story": story_id, "ts": ts, "hash": content_hash, "anchors": len(filed)}
        if sketch is not None:
            entry["sig"] = pack(sketch[0], len(filed), sketch[1])
        self.store["a:" + article_id] = entry
        if "h:" + content_hash not in self.store:
            self.store["h:" + content_hash] = article_id
        for key in filed:
            k = "k:" + key
            old = self.store.get(k)
            if old is None:
                self.store[k] = article_id
            elif isinstance(old, str):
                self.store[k] = [old, article_id]
            elif len(old) < MAX_BUCKET:
                self.store[k] = old + [article_id]
        self._touch(minute, article=article_id, story=story_id)

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
        ckey, chunk = (key, head) if not more else (f"{key}.{more}", self.store.get(f"{key}.{more}"))
        if story is not None and story in chunk["s"]:
            story = None
        if article is None and story is None:
            return
        if (article is not None and len(chunk["a"]) >= BUCKET_CHUNK) or (story is not None and len(chunk["s"]) >= BUCKET_CHUNK):
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
    def _drop_article(self, aid: str) -> bool:
        entry = self.store.pop("a:" + aid, None)
        if not entry:
            return False
        if self.store.get("h:" + entry["hash"]) == aid:
            self.store.pop("h:" + entry["hash"], None)
        n = entry.get("anchors", 0)
        keys = anchor_keys(unpack(entry["sig"], n)[0], n) if n and isinstance(entry.get("sig"), str) else ()
        for key in keys:
            k = "k:" + key
            ids = [x for x in _ids(self.store.get(k)) if x != aid]
            if not ids:
                self.store.pop(k, None)
            else:
                self.store[k] = ids[0] if len(ids) == 1 else ids
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
        if self.store.get("m:layout") is None:  # a store written by the first version: one full scan, once
            removed += self._evict_scan(cutoff)
            self.store["m:layout"] = 2
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

    def _evict_scan(self, cutoff: float) -> int:
        """Old-layout entries (LSH bands under "b:", signature lists) older than the cutoff: one full scan."""
        old = [k[2:] for k, v in list(self.store.items())
               if k.startswith("a:") and "bands" in v and v["ts"] < cutoff]
        for aid in old:
            entry = self.store.pop("a:" + aid, None) or {}
            if self.store.get("h:" + entry.get("hash", "")) == aid:
                self.store.pop("h:" + entry["hash"], None)
            for band in entry.get("bands", ()):
                bucket = [x for x in (self.store.get("b:" + band) or ()) if x != aid]
                if bucket:
                    self.store["b:" + band] = bucket
                else:
                    self.store.pop("b:" + band, None)
        return len(old)

    def size_hint(self) -> int:
        """Articles held in the index (a full count the first time, then incremental)."""
        if self._count is None:
            self._count = sum(1 for k in self.store.keys() if k.startswith("a:"))
        return self._count
