"""End to end on the embedded broker: the worker as its own process, real topics, real Kafka clients.

Every raw message must come out exactly once, in news.articles, news.duplicates
or news.deadletter, identified by its source topic/partition/offset.
"""

from __future__ import annotations

import base64
import urllib.request
from collections import Counter

import pytest

from workers.core import schemas
from workers.tools.demo import start_worker, stop_worker
from workers.tools.kafka_tools import create_topics, read_topics

from .conftest import REPO
from .streaming import produce_lines, stream_settings, wait_raw_committed

pytestmark = pytest.mark.broker
SAMPLE_LINES = (REPO / "samples" / "demo.jsonl").read_bytes().splitlines()


@pytest.fixture(scope="module")
def run(broker, tmp_path_factory):
    import uuid

    uid = uuid.uuid4().hex[:8]
    tmp = tmp_path_factory.mktemp("e2e")
    s = stream_settings(broker, uid, tmp)
    create_topics(s)
    worker = start_worker(s, tmp / "worker.log")
    try:
        where = produce_lines(s, SAMPLE_LINES)
        outputs = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
        read_topics(s, outputs, expect=len(SAMPLE_LINES), timeout=120)
        wait_raw_committed(s, s.web_port)  # every message done and committed: nothing late can still come
        got = read_topics(s, outputs + [s.stories_topic], timeout=5)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{s.web_port}/metrics", timeout=5).read().decode()
        alive = worker.poll() is None
    finally:
        stop_worker(worker)
    log = (tmp / "worker.log").read_text(errors="replace")
    assert alive, log[-3000:]
    return {"settings": s, "where": where, "got": got, "metrics": metrics, "log": log}


def by_line(run) -> dict[int, tuple[str, dict]]:
    s, where = run["settings"], run["where"]
    out: dict[int, tuple[str, dict]] = {}
    outputs = ((s.articles_topic, "article"), (s.duplicates_topic, "duplicate"), (s.deadletter_topic, "deadletter"))
    for topic, kind in outputs:
        for rec in run["got"][topic]:
            src = rec["source"]
            assert src["topic"] == s.raw_topics[0]
            line = where[(src["partition"], src["offset"])]
            assert line not in out, f"line {line} came out twice: {out[line][0]} and {kind}"
            out[line] = (kind, rec)
    return out


def test_every_message_accounted_for_exactly_once(run):
    out = by_line(run)
    assert sorted(out) == list(range(len(SAMPLE_LINES))), run["log"][-3000:]


def test_outcomes(run):
    out = by_line(run)
    kinds = {i: kind for i, (kind, _) in out.items()}
    assert kinds[0] == "article"  # the seed page
    # One story published three times (original, syndicated copy, edited rewrite): one first, two copies.
    flood = [out[i] for i in (1, 2, 3)]
    assert Counter(k for k, _ in flood) == {"article": 1, "duplicate": 2}
    assert len({rec["dedup"]["story_id"] for _, rec in flood}) == 1
    first_id = next(rec["id"] for k, rec in flood if k == "article")
    assert all(rec["dedup"]["duplicate_of"] == first_id for k, rec in flood if k == "duplicate")
    # A different flood story (same topic, other city) is not merged.
    assert kinds[4] == "article" and out[4][1]["dedup"]["story_id"] != flood[0][1]["dedup"]["story_id"]
    # The English story on two sites.
    assert Counter(kinds[i] for i in (5, 6)) == {"article": 1, "duplicate": 1}
    assert all(kinds[i] == "article" for i in (7, 8, 9))
    reasons = [out[i][1]["error"]["reason"] for i in range(10, 15)]
    assert reasons == ["invalid_json", "invalid_utf8", "schema", "no_content", "schema"]


def test_dead_letters_keep_original_bytes(run):
    out = by_line(run)
    for i in range(10, 15):
        kind, rec = out[i]
        assert kind == "deadletter"
        assert schemas.errors("deadletter", rec) == []
        original = base64.b64decode(rec["payload"]) if rec["payload_encoding"] == "base64" else rec["payload"].encode()
        assert original == SAMPLE_LINES[i]


def test_events_follow_the_schema(run):
    for kind, rec in by_line(run).values():
        if kind != "deadletter":
            assert schemas.errors("article", rec) == []
            assert rec["body"] and "SCROLL TO CONTINUE" not in rec["body"]


def test_story_updates_published(run):
    s = run["settings"]
    updates = run["got"][s.stories_topic]
    assert all(schemas.errors("story", u) == [] for u in updates)
    latest = {}
    for u in updates:
        latest[u["story_id"]] = u
    # The two sites' versions of the markets story reach the dedup stage in either order (the extract stage's
    # partition comes from the URL): the longer first makes the shorter a copy, the shorter first makes the
    # longer an update of it. Either way the story holds one more article.
    assert sorted(u["copies"] + u["updates"] for u in latest.values()) == [0, 0, 0, 0, 0, 1, 2]


def test_metrics_count_what_happened(run):
    metrics = run["metrics"]
    s = run["settings"]
    assert f'newsworker_messages_consumed_total{{topic="{s.raw_topics[0]}"}} 15.0' in metrics
    assert 'newsworker_events_published_total{outcome="article"} 7.0' in metrics
    assert 'newsworker_events_published_total{outcome="duplicate"} 3.0' in metrics
    assert 'newsworker_events_published_total{outcome="deadletter"} 5.0' in metrics
    assert 'newsworker_deadletters_total{reason="schema"} 2.0' in metrics
    assert "newsworker_processing_seconds_bucket" in metrics
