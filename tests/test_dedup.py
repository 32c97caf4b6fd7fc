"""The pure dedup core: fingerprints and the story index (workers/core/fingerprint.py, workers/core/dedup.py)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pytest

from workers.core import fingerprint as fpm
from workers.core.dedup import DEFAULT_THRESHOLD, DedupIndex, story_id_for
from workers.core.facts import extract as extract_facts
from workers.core.fingerprint import fingerprint, resemblance, similarity

T0 = datetime(2025, 10, 20, 8, 0, tzinfo=UTC)

FLOOD = [
    "SEMARANG - Floodwater up to knee height covered the Kaligawe stretch of the north coast road on Wednesday "
    "morning after rain that began on Tuesday afternoon kept falling through the night.",
    "Motorcycles stalled in the brown water and ride-hailing drivers waited at the roadside for the level to drop, "
    "while lorries crawled in single file past the Terboyo bus terminal.",
    "\u201cIt started raining at four in the afternoon and by eight the road was under water,\u201d said Wawan, 35, "
    "a driver who has lived in Genuk for twenty-two years.",
    "He said the water comes from the south every time it rains, from Muktiharjo Kidul, Tlogosari and Kalisari, "
    "and that the drains along the road cannot carry it to the sea.",
    "Shop owners along the road piled sandbags at their doors and moved stock to upper shelves as the water "
    "crept into the front rooms of the houses behind them.",
    "The city's public works office sent four mobile pumps to the Kaligawe underpass before dawn, but officials "
    "said the water would not go down before the tide turned in the afternoon.",
    "Police advised drivers heading to Demak and Kudus to take the Onggorawe road or the ring road through "
    "Pedurungan until the north coast road is clear again.",
    "By ten in the morning traffic stretched for six kilometres from the Kaligawe bridge to Sayung, the traffic "
    "police said, and several schools sent their pupils home early.",
]
# Another story on the same topic and day: the mayor's relief plan. It repeats one background sentence.
MAYOR = [
    "SEMARANG - The mayor of Semarang promised on Wednesday to rebuild the drainage channels of the eastern "
    "districts next year and asked the province for help with the cost of new pumping stations.",
    "Speaking at city hall, she said the budget for drainage would double to 400 billion rupiah and that the "
    "first contracts would be signed before March.",
    "\u201cWe cannot keep sending pumps every time it rains, we need channels that work,\u201d she told reporters, "
    "adding that the plan had been discussed with the regional water board for months.",
    "The city's public works office sent four mobile pumps to the Kaligawe underpass before dawn, but officials "
    "said the water would not go down before the tide turned in the afternoon.",
    "The opposition in the city council said the promise had been made twice before and asked for a timetable "
    "with dates, names of contractors and a budget line that can be checked.",
    "Residents of Genuk and Pedurungan have complained for years that new housing estates upstream send more "
    "water into old channels that were dug when the area was still rice fields.",
]
OTHER = [
    "JAKARTA - The central bank kept its benchmark interest rate unchanged at its monthly meeting, saying that "
    "inflation was under control but that the rupiah needed support against a strong dollar.",
    "The governor told a news conference that the bank would keep buying government bonds in the secondary market "
    "and would step into the currency market when needed.",
    "Economists polled before the meeting had expected a pause after two cuts earlier in the year, as exports "
    "slowed and foreign investors pulled money out of local shares.",
    "The bank also lowered its forecast for growth this year to between 4.6 and 5.4 percent, citing weaker demand "
    "from China and lower prices for coal and palm oil.",
]


def body(paras: list[str]) -> str:
    return "\n\n".join(paras)


class RawStore(MutableMapping):
    """A Faust-table stand-in (key type str, value serializer "raw"): string keys, bytes values, each read a copy."""

    def __init__(self):
        self.data: dict[str, bytes] = {}
        self.iterations = 0

    def __getitem__(self, key):
        return bytes(bytearray(self.data[key]))  # a new object, as a changelog or RocksDB read gives

    def __setitem__(self, key, value):
        assert isinstance(key, str) and isinstance(value, bytes)
        self.data[key] = bytes(value)

    def __delitem__(self, key):
        del self.data[key]

    def __iter__(self):
        self.iterations += 1
        return iter(list(self.data))

    def __len__(self):
        return len(self.data)


def add(index: DedupIndex, aid: str, text: str, when: datetime = T0, source: str | None = "a.example", title=None):
    return index.check_and_add(aid, fingerprint(text), source, title, when, extract_facts(text, title))


# -- fingerprints ----------------------------------------------------------------------

def test_content_hash_is_the_hash_of_the_lowercased_tokens():
    text = "Floodwater \u201cup to knee\u201d height \u2014 covered the road\u2026  Caf\u00e9 na\u00efve \u0130stanbul!"
    expected = hashlib.blake2b(" ".join(re.findall(r"\w+", text.lower())).encode(), digest_size=16).hexdigest()
    assert fingerprint(text).content_hash == expected == fpm.content_hash(text)
    assert fingerprint("THE ROAD, covered!").content_hash == fingerprint("the road covered").content_hash


def test_signature_is_a_sorted_bounded_sketch_with_anchor_keys():
    fp = fingerprint(body(FLOOD))
    sig = fp.sketch
    assert isinstance(sig, tuple) and all(isinstance(v, int) for v in sig)
    assert list(sig) == sorted(set(sig)) and sig[0] >= 0 and sig[-1] < 2 ** fpm.HASH_BITS
    words = re.findall(r"\w+", body(FLOOD).lower())
    assert len(sig) == min(fpm.SKETCH, len(set(zip(*(words[i:] for i in range(fpm.SHINGLE)), strict=False))))
    assert len(fp.anchors) == min(fpm.QUERY_ANCHORS, len(sig))
    assert all(re.fullmatch(r"[0-9a-f]{12}", b) for b in fp.anchors)
    assert orjson.loads(orjson.dumps(sig)) == list(sig)  # JSON-exact (values below 2**53)
    assert fingerprint(body(FLOOD)) == fp  # deterministic


def test_similarity_measures_how_much_of_the_shorter_body_is_in_the_longer():
    full = fingerprint(body(FLOOD)).sketch
    assert similarity(full, full) == 1.0
    assert similarity(full, fingerprint(body(FLOOD[:4])).sketch) == 1.0  # trimmed to half: all of it is inside
    containment, jaccard = resemblance(full, fingerprint(body(FLOOD[:4])).sketch)
    assert 0.4 < jaccard < 0.6
    assert similarity(full, fingerprint(body(OTHER)).sketch) < 0.15  # stock phrases ("of the") only
    assert similarity(full, fingerprint(body(MAYOR)).sketch) < 0.4  # one shared background sentence


def test_empty_and_tiny_texts():
    assert fingerprint("").sketch == () and fingerprint("...!").sketch == ()
    assert len(fingerprint("two words").sketch) == 1


# -- verdicts --------------------------------------------------------------------------

def test_first_article_is_unique_and_starts_a_story():
    idx = DedupIndex({})
    v = add(idx, "a1", body(FLOOD), title="Flood on the coast road")
    assert (v.status, v.kind, v.duplicate_of, v.similarity) == ("unique", "new", None, None)
    assert v.story_id == story_id_for("a1")
    assert v.story["first_article_id"] == "a1" and v.story["copies"] == 0
    assert v.story["title"] == "Flood on the coast road"


def test_exact_duplicate_differs_only_in_case_punctuation_and_spacing():
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    copy = body(FLOOD).upper().replace(",", " ;").replace("\n\n", "\n \n")
    v = add(idx, "a2", copy, source="b.example")
    assert (v.status, v.kind, v.duplicate_of, v.story_id, v.similarity) == (
        "duplicate", "exact", "a1", first.story_id, 1.0)


@pytest.mark.parametrize("name,copy", [
    ("trimmed to half", body(FLOOD[:4])),
    ("extended with two paragraphs", body(FLOOD + MAYOR[4:])),
    ("paragraphs moved", body([FLOOD[3], FLOOD[0], FLOOD[1], FLOOD[2], FLOOD[7], FLOOD[4], FLOOD[5], FLOOD[6]])),
    ("reworded", body(FLOOD).replace("Wednesday", "Wed.").replace("drivers", "riders").replace("water", "flood")
     .replace("said", "told reporters")),
    ("wrapped in another site's boilerplate", "KOMPAS.com - " + body(FLOOD[:6])
     + "\n\nDapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com."),
])
def test_near_duplicates_join_the_story(name, copy):
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    add(idx, "x1", body(OTHER))
    v = add(idx, "a2", copy)
    assert v.status == "duplicate", name
    assert (v.kind, v.duplicate_of, v.story_id) == ("near", "a1", first.story_id), name
    assert DEFAULT_THRESHOLD <= v.similarity <= 1.0, name


def test_different_story_on_the_same_topic_stays_unique():
    idx = DedupIndex({})
    add(idx, "a1", body(FLOOD))
    v = add(idx, "m1", body(MAYOR))
    assert v.status == "unique" and v.story_id == story_id_for("m1")
    # also when the other story is the one indexed first, and for an unrelated story
    idx = DedupIndex({})
    add(idx, "m1", body(MAYOR))
    assert add(idx, "a1", body(FLOOD)).status == "unique"
    assert add(idx, "x1", body(OTHER)).status == "unique"


def test_a_short_excerpt_of_a_long_article_is_not_a_copy():
    idx = DedupIndex({})
    add(idx, "a1", body(FLOOD + MAYOR + OTHER))
    assert add(idx, "a2", FLOOD[2]).status == "unique"  # all of it is inside, but it is ~5% of the long one


def test_story_record_counts_copies_sources_and_times():
    idx = DedupIndex({})
    add(idx, "a1", body(FLOOD), T0, "a.example", "Flood")
    add(idx, "a2", body(FLOOD[:5]), T0 + timedelta(minutes=5), "b.example", "Banjir")
    add(idx, "a3", body(FLOOD), T0 + timedelta(minutes=9), "b.example", "Flood again")
    v = add(idx, "a4", body(FLOOD[2:]), T0 + timedelta(hours=2), None, None)
    assert v.story == {
        "story_id": story_id_for("a1"), "first_article_id": "a1", "latest_article_id": "a1", "title": "Flood",
        "copies": 3, "updates": 0, "sources": ["a.example", "b.example"], "related": [],
        "first_seen": "2025-10-20T08:00:00Z", "last_seen": "2025-10-20T10:00:00Z",
    }
    assert idx.story(story_id_for("a1")) == v.story


def test_duplicate_of_is_the_first_article_even_when_matched_through_a_copy():
    idx = DedupIndex({})
    add(idx, "a1", body(FLOOD[:4]))
    # a longer version: the first four paragraphs and four new ones; it joins a1's story
    v2 = add(idx, "a2", body(FLOOD), T0 + timedelta(minutes=1))
    assert v2.duplicate_of == "a1"
    # the second half only appears in a2: a copy of it is matched through a2, and still points at a1
    v3 = add(idx, "a3", body(FLOOD[4:]), T0 + timedelta(minutes=2))
    assert (v3.status, v3.duplicate_of, v3.story_id) == ("duplicate", "a1", story_id_for("a1"))


def test_same_article_id_with_edited_content_is_an_update_of_its_story():
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    v = add(idx, "a1", body(FLOOD[:7]), T0 + timedelta(minutes=3))
    assert (v.status, v.kind, v.story_id) == ("duplicate", "update", first.story_id)
    assert v.story["updates"] == 1 and v.story["copies"] == 0
    assert idx.size_hint() == 1
    # and the edited version sent again is a redelivery: its verdict again, nothing changes
    before = dict(idx.store)
    assert add(idx, "a1", body(FLOOD[:7]), T0 + timedelta(minutes=4)) == v
    assert idx.store == before


# -- state: raw bytes, restart, eviction ----------------------------------------------------------

def test_store_values_are_bytes_and_a_raw_store_gives_the_same_verdicts():
    plain, js = DedupIndex({}), DedupIndex(RawStore())
    steps = [("a1", body(FLOOD)), ("m1", body(MAYOR)), ("a2", body(FLOOD[:5])), ("a3", body(FLOOD).upper()),
             ("x1", body(OTHER)), ("a4", body(FLOOD[3:]))]
    for n, (aid, text) in enumerate(steps):
        when = T0 + timedelta(minutes=n)
        assert add(plain, aid, text, when).as_dict() == add(js, aid, text, when).as_dict()
    for key, value in plain.store.items():
        assert isinstance(key, str) and isinstance(value, bytes)
    assert js.store.data.keys() == plain.store.keys()  # type: ignore[attr-defined]  # js.store is the test's JsonStore


def test_state_survives_a_restart():
    store = RawStore()
    first = add(DedupIndex(store), "a1", body(FLOOD))
    add(DedupIndex(store), "m1", body(MAYOR))
    again = DedupIndex(store)  # a new process on the same table
    assert again.size_hint() == 2
    v = add(again, "a2", body(FLOOD[1:6]), T0 + timedelta(hours=1))
    assert (v.status, v.story_id, v.duplicate_of) == ("duplicate", first.story_id, "a1")
    assert add(DedupIndex(store), "a3", body(FLOOD), T0 + timedelta(hours=2)).kind == "exact"
    assert DedupIndex(store).size_hint() == 4


def test_eviction_removes_old_entries_and_keeps_recent_ones():
    store: dict = {}
    idx = DedupIndex(store)
    add(idx, "old1", body(FLOOD), T0)
    add(idx, "old2", body(FLOOD[:5]), T0 + timedelta(minutes=1))  # a copy: same story
    add(idx, "new1", body(MAYOR), T0 + timedelta(days=8))
    add(idx, "new2", body(OTHER), T0 + timedelta(days=8, minutes=1))
    assert idx.size_hint() == 4
    removed = idx.evict(T0 + timedelta(days=1))
    assert removed == 2 and idx.size_hint() == 2
    old_sid = story_id_for("old1")
    # nothing points at the old articles or their story any more
    for key, value in store.items():
        assert b"old1" not in value and b"old2" not in value, key
        assert old_sid not in key
    assert idx.entry("new1") and idx.entry("new2")  # (stories of one article have no record: see DedupIndex._story)
    assert len(store) == 2  # one key per article, nothing else left (layout 4)
    # recent articles are still found; the evicted story is not
    assert add(idx, "new3", body(MAYOR[:4]), T0 + timedelta(days=8, minutes=5)).duplicate_of == "new1"
    assert add(idx, "old3", body(FLOOD), T0 + timedelta(days=8, minutes=6)).status == "unique"


def test_a_story_lives_while_its_copies_are_recent():
    idx = DedupIndex({})
    add(idx, "a1", body(FLOOD), T0)
    add(idx, "a2", body(FLOOD[:6]), T0 + timedelta(days=3))
    idx.evict(T0 + timedelta(days=1))  # a1 goes, its story stays: a2 was seen after the cutoff
    assert idx.entry("a1") is None and idx.entry("a2") is not None
    v = add(idx, "a3", body(FLOOD[:6]), T0 + timedelta(days=3, hours=1))
    assert (v.status, v.story_id, v.story["copies"]) == ("duplicate", story_id_for("a1"), 2)


def test_eviction_cost_is_what_it_removes_not_the_index_size():
    store = RawStore()
    idx = DedupIndex(store)
    add(idx, "old", body(FLOOD), T0)
    for n in range(40):
        add(idx, f"r{n}", body(OTHER) + f" Report number {n} of {n * 7} pages.", T0 + timedelta(days=7, minutes=n))
    store.iterations = 0
    reads: list[str] = []

    class Counting(RawStore):  # the same data; every read recorded (self[key] looks __getitem__ up on the type)
        def __getitem__(self, key):
            reads.append(key)
            return super().__getitem__(key)

    store.__class__ = Counting
    assert idx.evict(T0 + timedelta(days=1)) == 1
    assert store.iterations == 0  # no scan of the store
    old_key = next(k for k in reads if k.startswith("a:"))
    recent = {k for k in store.data if k.startswith("a:")}
    assert old_key not in recent and reads  # the old article was read (and removed)
    assert len(recent) == 40 and not recent & set(reads)  # recent articles are not even read
    assert idx.size_hint() == 40


def test_a_busy_minute_is_evicted_whole_and_a_restart_rebuilds_what_points_at_entries():
    store = RawStore()
    idx = DedupIndex(store)
    n = 40
    for i in range(n):
        add(idx, f"b{i}", f"Bulletin {i}: the market closed at {i * 13} points after {i * 7} trades today.", T0)
    assert len(store) == n  # one key per article of its own story: anchors and time order are the process's
    again = DedupIndex(store)  # a new process: the anchor table and the queues are rebuilt from the entries
    assert add(again, "c7", "Bulletin 7: the market closed at 91 points after 49 trades today.", T0).kind == "exact"
    assert again.size_hint() == n + 1
    assert again.evict(T0 + timedelta(minutes=2)) == n + 1
    assert not store.data and again.size_hint() == 0
    assert add(again, "d7", "Bulletin 7: the market closed at 91 points after 49 trades today.", T0).kind == "new"


def test_anchor_table_c_and_python_give_the_same_articles():
    import random
    import struct

    tables = [fpm._PyAnchorTable()]
    if fpm._BUILT is not None:
        tables.append(fpm._BUILT.AnchorTable())
    rng = random.Random(5)
    live: list[tuple[bytes, int]] = []
    for item in range(1, 3000):
        codes = struct.pack("<4I", *(rng.getrandbits(9) for _ in range(4)))  # many articles share a code
        for t in tables:
            t.add(codes, item, 24)
        live.append((codes, item))
        if item % 3 == 0:
            gone = live.pop(rng.randrange(len(live)))
            for t in tables:
                t.remove(*gone)
    for code in range(512):
        q = struct.pack("<I", code)
        got = [sorted(t.get(q, 24)) for t in tables]
        assert all(g == got[0] for g in got)
        assert all(len(t) == len(tables[0]) for t in tables)
    full = [c for c in range(512) if not tables[0].get(struct.pack("<I", c), 24)
            and tables[0].get(struct.pack("<I", c), 25)]
    assert full  # some codes hold 24 articles: skipped by a lookup, as a full anchor key was


# -- facts: updates, same-template stories, redeliveries -------------------------------------------

def sibling_of_flood() -> str:
    """The flood story's words told of another city, other people, other figures and another day."""
    text = body(FLOOD)
    for old, new in (("SEMARANG", "CIREBON"), ("Kaligawe", "Kedawung"), ("Wednesday", "Friday"),
                     ("Tuesday", "Thursday"), ("Wawan", "Darmin"), ("35", "41"), ("Genuk", "Sumber"),
                     ("Terboyo", "Harjamukti"),
                     ("Demak", "Kuningan"), ("Kudus", "Majalengka"), ("six", "nine")):
        text = text.replace(old, new)
    return text


def test_a_story_on_the_same_template_is_a_story_of_its_own_related_to_the_first():
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    v = add(idx, "c1", sibling_of_flood(), T0 + timedelta(minutes=1))
    assert (v.status, v.kind, v.related_to, v.duplicate_of) == ("unique", "sibling", "a1", None)
    assert v.story_id == story_id_for("c1") and v.story["related"] == [first.story_id]
    assert idx.story(first.story_id) is None  # no copy joined the first story: it has no record yet
    # a copy of the sibling joins the sibling's story, not the first one
    c = add(idx, "c2", body(sibling_of_flood().split("\n\n")[:6]), T0 + timedelta(minutes=2))
    assert (c.status, c.story_id, c.duplicate_of) == ("duplicate", v.story_id, "c1")


def test_a_sibling_does_not_join_its_original_through_a_copy_that_holds_fewer_of_its_facts():
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    # a copy of the middle of the story with a paragraph of its own (filed under its own anchors): it holds only
    # 3 of the facts the sibling replaces, too few to tell the sibling from a copy by itself
    part = add(idx, "a2", body(FLOOD[3:7] + OTHER[:1]), T0 + timedelta(minutes=1))
    assert (part.status, part.story_id) == ("duplicate", first.story_id)
    filed = idx.entry("a2")
    assert filed is not None and len(filed.codes) > 0  # filed under anchors of its own
    v = add(idx, "c1", sibling_of_flood(), T0 + timedelta(minutes=2))
    assert (v.status, v.kind, v.related_to, v.story_id) == ("unique", "sibling", "a1", story_id_for("c1"))
    # a copy of the original still joins its story through either article
    c = add(idx, "a3", body(FLOOD[:6]), T0 + timedelta(minutes=3))
    assert (c.status, c.story_id) == ("duplicate", first.story_id)


@pytest.mark.parametrize("lede", [MAYOR[:2], [OTHER[0], MAYOR[1]]])
def test_a_follow_up_with_its_own_lede_above_the_earlier_report_is_a_story_of_its_own(lede):
    # new developments first, then most of the earlier report as background: the old rule merged it as a copy
    # (it holds most of the earlier text; its new facts alone look like a copy's extra paragraph)
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    v = add(idx, "f1", body(lede + FLOOD[1:]), T0 + timedelta(hours=3))
    assert (v.status, v.kind, v.related_to, v.duplicate_of) == ("unique", "follow_up", "a1", None)
    assert v.story_id == story_id_for("f1") and v.story["related"] == [first.story_id]


@pytest.mark.parametrize("name,copy", [
    ("an unrelated paragraph inside", body(FLOOD[:3] + MAYOR[4:5] + FLOOD[3:])),
    ("an unrelated paragraph at the end, trimmed", body(FLOOD[:5] + OTHER[1:2])),
    ("a site's line and a dateline above the lede", "Ikuti berita terkini di Google News.\n\nKOMPAS.com - "
     + body(FLOOD)),
])
def test_a_copy_that_keeps_the_lede_is_no_follow_up(name, copy):
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD))
    v = add(idx, "a2", copy, T0 + timedelta(minutes=5))
    assert (v.status, v.story_id) == ("duplicate", first.story_id), name


def test_a_corrected_figure_is_an_update_and_the_story_keeps_the_latest_version():
    idx = DedupIndex({})
    first = add(idx, "a1", body(FLOOD), title="Flood")
    revised = body(FLOOD).replace("six kilometres", "eight kilometres").replace("Wawan, 35", "Wawan, 36")
    v = add(idx, "a2", revised, T0 + timedelta(minutes=30), title="Flood: traffic jam grows")
    assert (v.status, v.kind, v.story_id, v.duplicate_of) == ("duplicate", "update", first.story_id, "a1")
    assert v.story["latest_article_id"] == "a2" and v.story["updates"] == 1 and v.story["copies"] == 0
    assert v.story["title"] == "Flood: traffic jam grows"
    added = body(FLOOD) + " By noon 14 houses in Trimulyo had been evacuated."
    assert add(idx, "a3", added, T0 + timedelta(minutes=40)).kind == "update"


def test_a_redelivered_article_gets_its_first_verdict_and_changes_nothing():
    idx = DedupIndex({})
    steps = [("a1", body(FLOOD)), ("a2", body(FLOOD[:5])), ("c1", sibling_of_flood()), ("m1", body(MAYOR)),
             ("a3", body(FLOOD).replace("six kilometres", "eight kilometres"))]
    first = [add(idx, aid, text, T0 + timedelta(minutes=n)) for n, (aid, text) in enumerate(steps)]
    assert [v.kind for v in first] == ["new", "near", "sibling", "new", "update"]
    before = {k: (dict(v) if isinstance(v, dict) else v) for k, v in idx.store.items()}
    for n, (aid, text) in enumerate(steps):  # everything again, later (a crash and a replay of the topic)
        again = add(idx, aid, text, T0 + timedelta(hours=1, minutes=n))
        assert again == first[n] or (again._replace(story=None) == first[n]._replace(story=None)), aid
        assert again.duplicate_of != aid
    assert idx.store == before  # no counter, story record, bucket or key changed
    assert idx.size_hint() == len(steps)


def test_the_pipeline_gives_a_redelivered_message_the_same_event():
    from workers.core.pipeline import Limits, Pipeline
    from workers.core.records import Source

    p = Pipeline(limits=Limits(timeout_seconds=0))
    msgs = [orjson.dumps({"url": f"https://news.example/{i}", "text": text, "title": "Banjir"})
            for i, text in enumerate([body(FLOOD), body(FLOOD[:6]), sibling_of_flood()])]
    out = [p.process(m, Source(topic="news.raw", partition=0, offset=n)) for n, m in enumerate(msgs)]
    store_before = dict(p.dedup.store)
    again = [p.process(m, Source(topic="news.raw", partition=0, offset=n)) for n, m in enumerate(msgs)]
    for a, b in zip(out, again, strict=True):
        assert a.kind == b.kind and a.article["dedup"] == b.article["dedup"]
        now = p.dedup.story(a.article["dedup"]["story_id"])  # as it is now (a story of one article has no record)
        assert b.story == (a.story if now is None else dict(now, schema_version=2))
        assert b.article["dedup"]["duplicate_of"] != b.article["id"]
    assert [o.article["dedup"]["kind"] for o in out] == ["new", "near", "sibling"]
    assert dict(p.dedup.store) == store_before


def test_a_redelivery_is_recognised_by_its_source_position_when_its_body_changed():
    """Between two deliveries of one message the site's learned template may change its cleaned body."""
    idx = DedupIndex({})
    first = idx.check_and_add("a1", fingerprint(body(FLOOD)), "a.example", None, T0, extract_facts(body(FLOOD)),
                              origin="news.raw/3/1207")
    before = dict(idx.store)
    trimmed = body(FLOOD[1:])  # a boilerplate first line learned as template in between
    again = idx.check_and_add("a1", fingerprint(trimmed), "a.example", None, T0 + timedelta(minutes=9),
                              extract_facts(trimmed), origin="news.raw/3/1207")
    assert again == first and idx.store == before
    # the same URL fetched again later (another message) with an edited body is an update
    edited = idx.check_and_add("a1", fingerprint(trimmed), "a.example", None, T0 + timedelta(minutes=9),
                               extract_facts(trimmed), origin="news.raw/3/5000")
    assert (edited.status, edited.kind, edited.story_id) == ("duplicate", "update", first.story_id)


def test_entries_hold_any_article_id():
    from workers.core.dedup import _id_bytes, _read_id

    ids = ["a1", "0f" * 12, "ABCDEF", "é" * 100, "x" * 300, "", "\x00", "https://site.example/a?b=1"]
    raw, at, back = b"".join(_id_bytes(i) for i in ids), 0, []
    while at < len(raw):
        aid, at = _read_id(raw, at)
        back.append(aid)
    assert back == ids
    assert len(_id_bytes("0f" * 12)) == 13  # the pipeline's hex ids are kept as their bytes
    idx = DedupIndex(RawStore())
    for aid in ids:
        v = add(idx, aid, body(FLOOD))
        assert v.status == "unique" if aid == ids[0] else v.duplicate_of == ids[0]
    assert [idx.entry(aid).article_id for aid in ids] == ids  # type: ignore[union-attr]


@pytest.mark.parametrize("accel", [False, True])
def test_elias_fano_lists_round_trip_and_match_the_reference(accel):
    import random

    if accel and fpm._BUILT is None:
        pytest.skip("C extension not built")
    was = fpm.extension_in_use()
    fpm.use_extension(accel)
    try:
        rng = random.Random(3)
        for ubits in (16, 22, 32):
            for n in (0, 1, 2, 7, 128, 300):
                vals = sorted(rng.getrandbits(ubits) for _ in range(n))
                if n > 2:
                    vals[1] = vals[2]  # a repeated value (a 16-bit sketch can hold one)
                raw = fpm.ef_pack(np.array(vals, dtype="<u4").tobytes(), ubits)
                assert raw == fpm._ef_pack(vals, ubits)  # the C bytes are the reference's
                assert fpm.ef_unpack(raw, ubits) == fpm._ef_unpack(raw, ubits) == vals
                if n == 128:
                    assert len(raw) <= 3 + n * (2 + ubits - 7) / 8  # n * (2 + low) bits, low = ubits - 7
        facts32 = np.array(sorted(rng.getrandbits(32) for _ in range(128)), dtype="<u4").tobytes()
        cut = fpm.ef_pack(facts32, 24, 10, 8)  # facts with their context hash cut from 22 bits to 14
        want = sorted({((v >> 18) << 10) | (v & 0x3FF) for v in np.frombuffer(facts32, dtype="<u4").tolist()})
        assert fpm.ef_unpack(cut, 24) == want
        shuffled = [5, 1, 9, 3]
        assert fpm.ef_unpack(fpm.ef_pack(np.array(shuffled, dtype="<u4").tobytes(), 32), 32) == sorted(shuffled)
        sk = fingerprint(body(FLOOD)).sketch
        assert list(fpm.unpack(fpm.pack(sk))[1]) == list(fpm.unpack(fpm.pack(np.array(sk, dtype=np.uint64)))[1])
    finally:
        fpm.use_extension(was)
