"""Site templates learned from the stream: lines that recur across a site's articles.

Rules catch the template lines every site has ("Baca juga", "ADVERTISEMENT");
these statistics catch the ones no rule names ("Berita Terbaru Update" on one
site, a newsletter pitch on another). For each site (registered domain, see
``urls.site``) we count, per distinct line, how many articles contained it. A
line found in at least ``ratio`` of a site's articles, once ``min_articles``
have been seen, is template.

State is a plain mutable mapping (dict offline, Faust table in the worker):
``d:<site>`` -> {"n": articles seen, "seen": Unix time of the last article, "lines": {line hash: articles
containing it}}. The stream spreads a site's articles over its extract partitions by URL (``shard``)
and keeps one record per site and partition (``shard_key``: ``<site>#<partition>``), each learned from
a uniform sample of the site's articles; offline, one record holds the whole site. Each site keeps at
most ``max_lines`` line counters: when full, the rarest are dropped, which only ever forgets lines that
are not template.

Senders choose the sites, so the table is bounded: a sweep forgets sites not seen
for ``window_seconds`` and then the least recently seen beyond ``max_sites``. It
runs every ``SWEEP_EVERY_SECONDS`` or after ``max_sites // 10`` new sites. Records
written before ``seen`` existed count as never seen: the first sweep forgets them
and the site's templates are learned again from its next ``min_articles`` articles.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, MutableMapping

MAX_LINE_CHARS = 300  # longer lines are article prose, not template
SWEEP_EVERY_SECONDS = 600.0
# A site's record is written (to the table, so to its changelog) once it holds at most this many times the
# counters its unwritten articles changed: the bytes written per article stay within a small multiple of what
# the article adds, whatever the record's size (a full 5,000-counter record was rewritten every 5 articles,
# ~20 KB per article: BENCHMARKS.md "Stream: internal record sizes and changelog traffic").
WRITE_RATIO = 4


def line_hash(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


def shard(key: str | bytes, shards: int) -> int:
    """The shard (the stream's extract partition) of an article, from a stable hash of its URL: a site's
    articles spread evenly over the shards, so one large site is not pinned to one process. Each shard
    then learns the site's templates from its own share, a uniform sample of the site's articles: the
    line ratios are the same, only ``min_articles`` are needed per shard (bench/stream.py templates)."""
    data = key.encode("utf-8", "surrogatepass") if isinstance(key, str) else key
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") % max(1, shards)


def shard_key(site: str | None, shard_no: int | None) -> str | None:
    """The statistics key of a site's share on one shard (None: no site, no statistics)."""
    if not site:
        return None
    return site if shard_no is None else f"{site}#{shard_no}"


class SiteTemplates:
    def __init__(self, store: MutableMapping, min_articles: int = 20, ratio: float = 0.3, max_lines: int = 5000,
                 flush_every: int = 1, window_seconds: float = 30 * 86400, max_sites: int = 50_000,
                 clock: Callable[[], float] = time.time):
        self.store = store
        self.min_articles = min_articles
        self.ratio = ratio
        self.max_lines = max_lines
        self.flush_every = flush_every  # write the site's record after at least N articles (changelog traffic)
        self._pending: dict[str, dict] = {}
        self._unwritten: dict[str, list[int]] = {}  # site -> [articles, counters changed] since its record was written
        self.window_seconds = window_seconds
        self.max_sites = max_sites
        self.clock = clock
        self._new_sites = 0
        self._last_sweep = clock()

    def _record(self, site: str) -> dict:
        rec = self._pending.get(site)
        if rec is None:
            stored = self.store.get("d:" + site)
            rec = {"n": stored["n"], "lines": dict(stored["lines"])} if stored else {"n": 0, "lines": {}}
            self._pending[site] = rec
            self._new_sites += stored is None
        return rec

    def template_lines(self, site: str | None) -> frozenset[str]:
        """Hashes of the lines that are template on this site."""
        if not site:
            return frozenset()
        rec = self._pending.get(site) or self.store.get("d:" + site)
        if not rec or rec["n"] < self.min_articles:
            return frozenset()
        floor = max(3, self.ratio * rec["n"])
        return frozenset(h for h, c in rec["lines"].items() if c >= floor)

    def observe(self, site: str | None, line_hashes: set[str]) -> None:
        """Count one article's distinct lines."""
        if not site:
            return
        rec = self._record(site)
        rec["n"] += 1
        rec["seen"] = int(self.clock())
        lines = rec["lines"]
        for h in line_hashes:
            lines[h] = lines.get(h, 0) + 1
        # A site still learning (fewer than min_articles) keeps a tenth: its template lines have the top counts,
        # and a flood of one-article sites stays small (bench/templates_memory.py).
        cap = self.max_lines if rec["n"] >= self.min_articles else max(4, self.max_lines // 10)
        if len(lines) > cap:
            keep = sorted(lines.items(), key=lambda kv: kv[1], reverse=True)[: cap * 3 // 4]
            rec["lines"] = dict(keep)
        unwritten = self._unwritten.setdefault(site, [0, 0])
        unwritten[0] += 1
        unwritten[1] += len(line_hashes) + 1  # the article count is one more value changed
        if unwritten[0] >= self.flush_every and len(rec["lines"]) <= WRITE_RATIO * unwritten[1]:
            self.flush(site)
        if self._new_sites >= max(1, self.max_sites // 10) or self.clock() - self._last_sweep > SWEEP_EVERY_SECONDS:
            self.sweep()

    def sweep(self) -> int:
        """Forget sites not seen within the window, then the least recently seen beyond ``max_sites``.
        Returns how many were forgotten."""
        self.flush()
        self._new_sites, self._last_sweep = 0, self.clock()
        cutoff = self._last_sweep - self.window_seconds
        seen = {key: rec.get("seen", 0) for key, rec in list(self.store.items()) if key.startswith("d:")}
        old = [key for key, t in seen.items() if t < cutoff]
        if len(seen) - len(old) > self.max_sites:
            kept = sorted((t, key) for key, t in seen.items() if t >= cutoff)
            old += [key for _, key in kept[: len(kept) - self.max_sites]]
        for key in old:
            del self.store[key]
        return len(old)

    def flush(self, site: str | None = None) -> None:
        for d in [site] if site else list(self._pending):
            rec = self._pending.pop(d, None)
            self._unwritten.pop(d, None)
            if rec is not None:
                self.store["d:" + d] = rec

    def forget_pending(self) -> None:
        """Drop counts not yet written: after a rebalance the stored records are the truth. The articles
        behind them are up to ``flush_every - 1`` per site, more for a site with a large record (those whose
        changed counters times ``WRITE_RATIO`` stay under its size: ~50 of a site with 5,000 counters)."""
        self._pending.clear()
        self._unwritten.clear()

    def size_hint(self) -> int:
        """Line counters held, over all sites."""
        total = 0
        for key, rec in list(self.store.items()):
            if key.startswith("d:") and key[2:] not in self._pending:
                total += len(rec["lines"])
        return total + sum(len(r["lines"]) for r in self._pending.values())
