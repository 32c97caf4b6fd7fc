"""Dedup state across partitions, processes and crashes, on the embedded broker."""

from __future__ import annotations

import signal
import uuid

import orjson
import pytest

from workers.tools.broker import free_port
from workers.tools.demo import start_worker, stop_worker
from workers.tools.kafka_tools import create_topics, read_topics

from .conftest import BENCHMARK
from .streaming import (
    end_offsets_are_exclusive,
    metric_value,
    produce_lines,
    read_until,
    stream_settings,
    wait_raw_committed,
    wait_ready,
    wait_until,
)

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def stories(n: int) -> list[tuple[str, str]]:
    """Real article bodies from the extraction benchmark: (url, body), n different stories."""
    truth = orjson.loads((BENCHMARK / "ground-truth.json").read_bytes())
    out = []
    for h in sorted(truth):
        body = truth[h]["articleBody"]
        if 250 <= len(body.split()) <= 1500:
            out.append((truth[h]["url"], body))
        if len(out) == n:
            return out
    raise AssertionError("not enough benchmark articles")


def original(i: int, url: str, body: str) -> bytes:
    return orjson.dumps({"url": url, "text": body, "title": f"Story number {i}"})


def republished(i: int, body: str) -> bytes:
    """The same story on another site: new headline, last paragraph cut, a boilerplate line added."""
    paras = [p for p in body.split("\n") if p.strip()]
    kept = paras[:-1] if len(paras) > 3 else paras
    text = "\n".join(["Also on our network: subscribe to the morning briefing", *kept])
    return orjson.dumps({"url": f"https://copies{i}.example/news/{i}", "text": text, "title": f"Copy of story {i}!"})


def copies(events: list[dict]) -> list[dict]:
    """Events of the republished copies, one per raw message. Delivery is at-least-once: a restart
    or a rebalance may process a message again, which gives the same verdict again."""
    by_source = {}
    for e in events:
        if (e.get("title") or "").startswith("Copy of story"):
            by_source[(e["source"]["partition"], e["source"]["offset"])] = e
    return list(by_source.values())


def outcomes(s, expect: int) -> dict[str, list[dict]]:
    return read_topics(s, [s.articles_topic, s.duplicates_topic, s.deadletter_topic], expect=expect, timeout=150)


def test_copies_on_other_partitions_and_processes_are_caught(broker, tmp_path):
    uid = uuid.uuid4().hex[:8]
    s = stream_settings(broker, uid, tmp_path)
    create_topics(s)
    s2 = s.replace(web_port=free_port(), state_dir=tmp_path / "state2")
    w1 = start_worker(s, tmp_path / "w1.log")
    w2 = start_worker(s2, tmp_path / "w2.log")
    try:
        wait_ready(s.web_port, s2.web_port)
        # The second join's rebalance has settled when the two workers own every raw partition between them.
        wait_until(lambda: metric_value(s.web_port, "newsworker_assigned_partitions")
                   + metric_value(s2.web_port, "newsworker_assigned_partitions") == s.topic_partitions,
                   "raw partitions shared by the two workers")
        wait_ready(s.web_port, s2.web_port)
        items = stories(8)
        lines, partitions = [], []
        for i, (url, body) in enumerate(items):
            lines.append(original(i, url, body))
            partitions.append(i % 4)
        for i, (_url, body) in enumerate(items):
            lines.append(republished(i, body))
            partitions.append((i + 2) % 4)  # the copy lands on another partition than its original
        where = produce_lines(s, lines, partitions)
        got = outcomes(s, len(lines))
        consumed = [metric_value(port, f'newsworker_messages_consumed_total{{topic="{s.raw_topics[0]}"}}')
                    for port in (s.web_port, s2.web_port)]
    finally:
        stop_worker(w1)
        stop_worker(w2)
    assert all(c > 0 for c in consumed), f"both workers must take part: consumed {consumed}"
    assert sum(consumed) == len(lines)
    line_of = {}
    for topic in (s.articles_topic, s.duplicates_topic):
        for ev in got[topic]:
            line_of[where[(ev["source"]["partition"], ev["source"]["offset"])]] = ev
    assert not got[s.deadletter_topic]
    assert sorted(line_of) == list(range(len(lines)))
    for i in range(len(items)):
        a, b = line_of[i], line_of[i + len(items)]
        assert a["dedup"]["story_id"] == b["dedup"]["story_id"], f"story {i} not matched across partitions"
        assert {a["dedup"]["status"], b["dedup"]["status"]} == {"unique", "duplicate"}
    assert len({ev["dedup"]["story_id"] for ev in line_of.values()}) == len(items)


@pytest.mark.parametrize("store", ["memory://", "rocksdb://"])
def test_index_survives_sigkill(broker, tmp_path, store):
    uid = uuid.uuid4().hex[:8]
    s = stream_settings(broker, uid, tmp_path, store=store)
    if store.startswith("rocksdb"):
        pytest.importorskip("rocksdict")
    create_topics(s)
    items = stories(4)
    w = start_worker(s, tmp_path / "before.log")
    try:
        produce_lines(s, [original(i, url, body) for i, (url, body) in enumerate(items)])
        before = outcomes(s, len(items))
        wait_raw_committed(s, s.web_port)  # the restart must not ingest these again
    finally:
        w.send_signal(signal.SIGKILL)  # no clean shutdown, no flush of anything
        w.wait()
    assert len(before[s.articles_topic]) == len(items), (before, (tmp_path / "before.log").read_text()[-3000:])
    first_ids = {ev["title"]: ev["id"] for ev in before[s.articles_topic]}

    w = start_worker(s, tmp_path / "after.log")
    try:
        produce_lines(s, [republished(i, body) for i, (_, body) in enumerate(items)])
        topics = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
        after = read_until(s, topics, lambda got: len(copies(got[s.duplicates_topic])) + len(got[s.articles_topic])
                           + len(got[s.deadletter_topic]) >= 2 * len(items))
    finally:
        stop_worker(w)
    dups = copies(after[s.duplicates_topic])
    log = (tmp_path / "after.log").read_text(errors="replace")
    assert len(dups) == len(items), (after, log[-3000:])
    assert {d["dedup"]["duplicate_of"] for d in dups} == set(first_ids.values())
    # The originals only: a copy, or an original delivered again, never counts as a new story.
    assert {ev["id"] for ev in after[s.articles_topic]} == set(first_ids.values())


def test_tansu_end_offsets_need_single_record_batches(broker, tmp_path):
    """Why the tests and the demo set producer_max_batch_bytes=1 on the embedded broker."""
    if getattr(broker, "external", False):
        pytest.skip("only about the embedded Tansu broker")
    s = stream_settings(broker, uuid.uuid4().hex[:8], tmp_path)
    assert not end_offsets_are_exclusive(s), "Tansu now reports end offsets like Kafka: the workaround can go"


def test_site_templates_survive_sigkill(broker, tmp_path):
    """Template lines learned from a site's articles are still known after a crash and restart. One partition:
    a site's articles spread over the extract partitions by URL, and each learns from its own share
    (tests/test_templates_traffic.py); here all 25 are on one, enough to learn the template."""
    uid = uuid.uuid4().hex[:8]
    s = stream_settings(broker, uid, tmp_path, topic_partitions=1)
    create_topics(s)
    template = ["Harbour Light Courier | Since 1911", "Tips? Write to the newsroom desk tonight",
                "Members read without limits, join the circle"]
    bodies = [body for _, body in stories(26)]

    def page(i: int, body: str) -> bytes:
        paras = [p for p in body.split("\n") if p.strip()][:6]
        text = "\n".join([template[0], *paras[:3], template[1], *paras[3:], template[2]])
        return orjson.dumps({"url": f"https://www.harbourlight.example/news/{i}", "text": text, "title": f"Item {i}"})

    w = start_worker(s, tmp_path / "before.log")
    try:
        produce_lines(s, [page(i, b) for i, b in enumerate(bodies[:25])])
        outcomes(s, 25)
        wait_raw_committed(s, s.web_port)
    finally:
        w.send_signal(signal.SIGKILL)
        w.wait()
    w = start_worker(s, tmp_path / "after.log")
    try:
        produce_lines(s, [page(25, bodies[25])])
        topics = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
        got = read_until(s, topics, lambda g: any(e.get("title") == "Item 25" for t in topics[:2] for e in g[t]))
    finally:
        stop_worker(w)
    last = next(e for t in topics[:2] for e in got[t] if e.get("title") == "Item 25")
    assert not any(line in last["body"] for line in template), last["body"][:500]
    assert [p for p in bodies[25].split("\n") if p.strip()][0][:60] in last["body"]
