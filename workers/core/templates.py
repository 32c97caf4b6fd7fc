"""Site templates learned from the stream: lines that recur across a site's articles.

Rules catch the template lines every site has ("Baca juga", "ADVERTISEMENT");
these statistics catch the ones no rule names ("Berita Terbaru Update" on one
site, a newsletter pitch on another). For each site (registered domain, see
``urls.site``) we count, per distinct line, how many articles contained it. A
line found in at least ``ratio`` of a site's articles, once ``min_articles``
have been seen, is template.

State is a plain mutable mapping (dict offline, Faust table in the worker):
``d:<site>`` -> {"n": articles seen, "seen": Unix time of the last article, "lines": {line hash: articles
containing it}}. Each site keeps at most ``max_lines`` line counters: when full, the rarest are
dropped, which only ever forgets lines that are not template.

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


def line_hash(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


class SiteTemplates:
    def __init__(self, store: MutableMapping, min_articles: int = 20, ratio: float = 0.3, max_lines: int = 5000,
                 flush_every: int = 1, window_seconds: float = 30 * 86400, max_sites: int = 50_000,
                 clock: Callable[[], float] = time.time):
        self.store = store
        self.min_articles = min_articles
        self.ratio = ratio
        self.max_lines = max_lines
        self.flush_every = flush_every  # write the site's record every N articles (changelog traffic)
        self._pending: dict[str, dict] = {}
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
        if rec["n"] % self.flush_every == 0:
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
            if rec is not None:
                self.store["d:" + d] = rec

    def forget_pending(self) -> None:
        """Drop counts not yet written: after a rebalance the stored records are the truth (the
        articles behind the dropped counts were at most ``flush_every - 1`` per site)."""
        self._pending.clear()

    def size_hint(self) -> int:
        """Line counters held, over all sites."""
        total = 0
        for key, rec in list(self.store.items()):
            if key.startswith("d:") and key[2:] not in self._pending:
                total += len(rec["lines"])
        return total + sum(len(r["lines"]) for r in self._pending.values())
