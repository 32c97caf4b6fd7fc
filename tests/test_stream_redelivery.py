"""A message sent again to the worker (a producer retry, a replayed topic) gets its first verdict again."""

from __future__ import annotations

import uuid

import pytest

from workers.tools.demo import start_worker, stop_worker
from workers.tools.kafka_tools import create_topics

from .streaming import produce_lines, read_until, stream_settings, wait_ready
from .test_stream_state import original, republished, stories

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def test_a_resent_message_gets_its_first_verdict_and_changes_no_story(broker, tmp_path):
    uid = uuid.uuid4().hex[:8]
    s = stream_settings(broker, uid, tmp_path)
    create_topics(s)
    items = stories(3)
    lines = [original(i, url, body) for i, (url, body) in enumerate(items)]
    lines += [republished(i, body) for i, (_, body) in enumerate(items)]
    topics = [s.articles_topic, s.duplicates_topic, s.deadletter_topic, s.stories_topic]

    def events(got: dict) -> list[dict]:
        return got[s.articles_topic] + got[s.duplicates_topic] + got[s.deadletter_topic]

    w = start_worker(s, tmp_path / "w.log")
    try:
        wait_ready(s.web_port)
        produce_lines(s, lines)
        # each article or duplicate event comes with one story record
        first = read_until(s, topics, lambda got: len(events(got)) >= len(lines)
                           and len(got[s.stories_topic]) >= len(lines))
        produce_lines(s, lines)  # every message again, at new offsets
        second = read_until(s, topics, lambda got: len(events(got)) >= 2 * len(lines)
                            and len(got[s.stories_topic]) >= 2 * len(lines))
    finally:
        stop_worker(w)
    assert not second[s.deadletter_topic], (tmp_path / "w.log").read_text()[-3000:]
    verdict: dict[str, list[dict]] = {}
    for ev in events(second):
        verdict.setdefault(ev["id"], []).append(ev["dedup"])
        assert ev["dedup"]["duplicate_of"] != ev["id"]
    assert len(verdict) == len(lines)
    for aid, seen in verdict.items():
        assert len(seen) == 2 and seen[0] == seen[1], (aid, seen)  # the same verdict both times
    assert sum(1 for ev in events(second) if ev["dedup"]["status"] == "unique") == 2 * len(items)
    # The story records: no counter moved in the second round (republished as they were). Which of an original
    # and its copy comes first depends on the partitions (a longer version after a shorter one is an update).
    assert len(first[s.articles_topic]) == len(items)
    last_first = {r["story_id"]: r for r in first[s.stories_topic]}
    last_second = {r["story_id"]: r for r in second[s.stories_topic]}
    assert last_second == last_first and len(last_second) == len(items)
    assert all(r["copies"] + r["updates"] == 1 for r in last_second.values())
