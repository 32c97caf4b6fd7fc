"""Site templates in the stream: a site's articles spread over the extract partitions by URL, each partition
learning from its own share, and the record of a site written to the changelog in proportion to what its
articles change, not rewritten whole every few articles."""

from __future__ import annotations

import random
from collections import Counter

import orjson
import pytest

from workers.core import templates
from workers.core.templates import SiteTemplates, line_hash, shard, shard_key


class Changelog(dict):
    """A table that counts the bytes each write would put on its changelog (key + JSON value)."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0
        self.writes = 0

    def __setitem__(self, key, value) -> None:
        self.bytes += len(key) + len(orjson.dumps(value))
        self.writes += 1
        super().__setitem__(key, value)


TEMPLATE = [line_hash(f"template line {i}") for i in range(6)]


def articles(n: int, seed: int, unique_lines: int = 25) -> list[set[str]]:
    rng = random.Random(seed)
    return [set(TEMPLATE) | {line_hash(f"{seed} article {i} line {j} {rng.random()}") for j in range(unique_lines)}
            for i in range(n)]


@pytest.mark.parametrize("unique_lines", [10, 25, 60])
def test_changelog_bytes_per_article_stay_a_small_multiple_of_what_the_article_adds(unique_lines):
    store = Changelog()
    t = SiteTemplates(store, min_articles=20, max_lines=5000, flush_every=5)
    feed = articles(3000, seed=unique_lines, unique_lines=unique_lines)
    for lines in feed[:1000]:  # the record fills up to its cap of 5,000 counters
        t.observe("big.example", lines)
    before = store.bytes
    for lines in feed[1000:]:
        t.observe("big.example", lines)
    record = store["d:big.example"]
    per_counter = len(orjson.dumps(record["lines"])) / len(record["lines"])
    added = (unique_lines + len(TEMPLATE) + 1) * per_counter  # the counters one article changes, as JSON
    written = (store.bytes - before) / 2000
    assert len(record["lines"]) > 3000  # a large record: the case that was rewritten every 5 articles
    assert written <= (templates.WRITE_RATIO + 0.5) * added, (written, added)
    assert t.template_lines("big.example") == frozenset(TEMPLATE)


def test_a_large_record_was_rewritten_every_few_articles_without_the_bound(monkeypatch):
    """The same feed with the bound off: the phenomenon the bound removes (~100 KB every 5 articles)."""
    monkeypatch.setattr(templates, "WRITE_RATIO", 10**9)
    store = Changelog()
    t = SiteTemplates(store, min_articles=20, max_lines=5000, flush_every=5)
    for lines in articles(1500, seed=1):
        t.observe("big.example", lines)
    assert store.bytes / 1500 > 10_000


def test_a_small_site_is_still_written_every_flush_every_articles():
    store = Changelog()
    t = SiteTemplates(store, min_articles=4, flush_every=5)
    for lines in articles(10, seed=2, unique_lines=2):
        t.observe("small.example", lines)
    assert store.writes == 2 and store["d:small.example"]["n"] == 10


def test_one_site_spreads_evenly_over_the_shards_and_a_url_keeps_its_shard():
    urls = [f"https://big.example/news/{i}" for i in range(8000)]
    load = Counter(shard(u, 4) for u in urls)
    assert sorted(load) == [0, 1, 2, 3]
    assert max(load.values()) / min(load.values()) < 1.15
    assert all(shard(u, 4) == shard(u.encode(), 4) for u in urls[:50])  # str or bytes: the same hash
    assert shard_key("big.example", 3) == "big.example#3" and shard_key(None, 3) is None
    assert shard_key("big.example", None) == "big.example"


def test_each_shard_learns_the_templates_the_whole_site_gives():
    """Lines in a given share of a site's articles: each shard's statistics (a uniform sample by URL) call the
    same lines template as one record over the whole site, once each shard has seen min_articles."""
    rng = random.Random(7)
    shares = {0.9: "menu", 0.6: "newsletter", 0.45: "related", 0.12: "rare", 0.05: "once in a while"}
    whole, sharded = SiteTemplates({}, min_articles=20), SiteTemplates({}, min_articles=20)
    for i in range(800):
        lines = {line_hash(name) for share, name in shares.items() if rng.random() < share}
        lines |= {line_hash(f"prose {i} {j}") for j in range(20)}
        whole.observe("site.example", lines)
        sharded.observe(shard_key("site.example", shard(f"https://site.example/{i}", 4)), lines)
    expected = {line_hash(n) for n in ("menu", "newsletter", "related")}
    assert whole.template_lines("site.example") == expected
    for k in range(4):
        assert sharded.template_lines(f"site.example#{k}") == expected
