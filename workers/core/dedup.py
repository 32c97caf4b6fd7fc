"""The near-duplicate index: which story does an article belong to?

The index is a plain mutable mapping of string keys to JSON-able values, so the
same code runs on a ``dict`` (offline ``process``, tests) and on a Faust table
backed by a changelog topic (the worker). Keys:

- ``h:<content_hash>``  -> article id with exactly this body
- ``b:<band key>``      -> article ids whose signature has this LSH band
- ``a:<article id>``    -> {story, sig, ts, bands, hash}
- ``s:<story id>``      -> the story record (first article, copies, sources, first/last seen)

Entries older than the window are removed by ``evict`` so that the index stays
bounded by the window's traffic.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime

from .fingerprint import Fingerprint, similarity
from .records import rfc3339

MAX_BUCKET = 50  # article ids kept per band key: a band shared by more is boilerplate, not a story
MAX_SOURCES = 50  # distinct sources listed on a story


@dataclass(frozen=True)
class Verdict:
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


class DedupIndex:
    def __init__(self, store: MutableMapping, threshold: float = 0.5):
        self.store = store
        self.threshold = threshold
        self._count: int | None = None  # articles held; counted once, then kept up to date

    def _best_candidate(self, fp: Fingerprint, article_id: str) -> tuple[str | None, float]:
        seen: set[str] = set()
        best, best_sim = None, 0.0
        for band in fp.bands:
            for cand in self.store.get("b:" + band) or ():
                if cand in seen or cand == article_id:
                    continue
                seen.add(cand)
                entry = self.store.get("a:" + cand)
                if not entry:
                    continue
                sim = similarity(fp.signature, entry["sig"])
                if sim > best_sim:
                    best, best_sim = cand, sim
        return best, best_sim

    def check_and_add(self, article_id: str, fp: Fingerprint, source: str | None, title: str | None, now: datetime) -> Verdict:
        """The verdict for this article, recorded in the index."""
        ts = now.timestamp()
        stamp = rfc3339(now)
        known = self.store.get("a:" + article_id)
        exact = self.store.get("h:" + fp.content_hash)
        if exact is not None and self.store.get("a:" + exact):
            match, sim, kind = exact, 1.0, "exact"
        elif known is not None:
            # The same article id again (a re-fetch of the same URL): a duplicate of its own story.
            match, sim, kind = article_id, similarity(fp.signature, known["sig"]), "near"
        else:
            match, sim = self._best_candidate(fp, article_id)
            kind = "near"
            if match is None or sim < self.threshold:
                match = None
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
        self._index(article_id, fp, sid, ts, add_bands=verdict.status == "unique")
        return verdict

    def _index(self, article_id: str, fp: Fingerprint, story_id: str, ts: float, add_bands: bool) -> None:
        if ("a:" + article_id) in self.store:
            return
        if self._count is not None:
            self._count += 1
        self.store["a:" + article_id] = {
            "story": story_id, "sig": list(fp.signature), "ts": ts, "hash": fp.content_hash,
            "bands": list(fp.bands) if add_bands else [],
        }
        if "h:" + fp.content_hash not in self.store:
            self.store["h:" + fp.content_hash] = article_id
        if not add_bands:
            return  # copies point at their story; only the first article's bands are searched
        for band in fp.bands:
            bucket = list(self.store.get("b:" + band) or ())
            if len(bucket) < MAX_BUCKET:
                bucket.append(article_id)
                self.store["b:" + band] = bucket

    def evict(self, older_than: datetime) -> int:
        """Remove articles first seen before ``older_than`` and what points at them; returns articles removed."""
        cutoff = older_than.timestamp()
        old = [k[2:] for k, v in list(self.store.items()) if k.startswith("a:") and v["ts"] < cutoff]
        for aid in old:
            entry = self.store.pop("a:" + aid, None)
            if not entry:
                continue
            if self.store.get("h:" + entry["hash"]) == aid:
                self.store.pop("h:" + entry["hash"], None)
            for band in entry["bands"]:
                bucket = [x for x in (self.store.get("b:" + band) or ()) if x != aid]
                if bucket:
                    self.store["b:" + band] = bucket
                else:
                    self.store.pop("b:" + band, None)
        stale_stories = [
            k for k, v in list(self.store.items())
            if k.startswith("s:") and datetime.fromisoformat(v["last_seen"].replace("Z", "+00:00")).timestamp() < cutoff
        ]
        for k in stale_stories:
            self.store.pop(k, None)
        if self._count is not None:
            self._count -= len(old)
        return len(old)

    def size_hint(self) -> int:
        """Articles held in the index (a full count the first time, then incremental)."""
        if self._count is None:
            self._count = sum(1 for k in self.store.keys() if k.startswith("a:"))
        return self._count
