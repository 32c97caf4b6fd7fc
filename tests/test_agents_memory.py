"""The stream's three stages in memory: every message ends in exactly one place, whatever raises where.

The agents' bodies (``workers.stream.app.Stages``) run here unchanged, with a real pipeline, on an
in-memory log (in the style of bytewax's testing sources and sinks): each stage's records are fed to
the next stage with their positions, as the broker would. An exception is injected at each point of
each stage's body (``POINTS``), and every raw message must still come out once, as an article, a
duplicate or a dead letter that holds its original bytes and source position. Publish failures are
retried, and when they persist the worker stops without the message being acked.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from workers.core import envelope, schemas
from workers.core import pipeline as pipeline_module
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source
from workers.core.templates import SiteTemplates
from workers.stream import app as app_module
from workers.stream.app import Stages
from workers.stream.publish import Publisher, PublishFailed, Record

RAW_TOPIC = "raw"
BODY = ("The harbour authority said on Tuesday that the northern pier would close for repairs after storms "
        "damaged its supports. Engineers expect the work to take three months. Ferries will use the southern "
        "terminal meanwhile, and the timetable stays the same for most routes.")


def messages() -> list[bytes]:
    """Articles (text and HTML, a copy of the first) and malformed messages."""
    html = f"<html><head><title>Pier closes</title></head><body><article><p>{BODY}</p></article></body></html>"
    return [
        orjson.dumps({"url": "https://news-a.example/pier", "text": BODY, "title": "Pier closes"}),
        orjson.dumps({"url": "https://www.news-b.example/2024/pier.html", "html": html}),
        orjson.dumps({"url": "https://news-c.example/other", "text": BODY.replace("northern", "eastern") + " More."}),
        b'{"url": "https://x.example/a", "text": ',  # invalid JSON
        orjson.dumps({"url": "https://x.example/b", "text": ""}),  # no content
    ]


class Stops(list):
    """(exception, source position) of each stop of the worker."""


class Injected(RuntimeError):
    """The exception a test injects."""


@dataclass
class MemoryLog:
    """Topics as lists of (key, value); a send succeeds unless ``failures`` says otherwise."""

    topics: dict[str, list[tuple[bytes | None, bytes]]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=dict)  # output -> sends still to fail (-1: always)

    async def send(self, output: str, key: bytes | None, value: bytes, partition: int | None = None):
        left = self.failures.get(output, 0)
        if left:
            self.failures[output] = left - 1 if left > 0 else left
            raise Injected(f"send to {output}")
        self.topics[output].append((key, value))
        done = asyncio.get_running_loop().create_future()
        done.set_result(len(self.topics[output]) - 1)
        return done


def make_stages(log: MemoryLog, stops: list) -> Stages:
    pipe = Pipeline(limits=Limits(timeout_seconds=0), template_flush_every=5)

    async def stop(exc, where):
        stops.append((exc, where))

    return Stages(pipe, Publisher(log.send, attempts=3, backoff_seconds=0.001), stop=stop)


async def run_chain(stages: Stages, log: MemoryLog, lines: list[bytes]) -> dict[int, list[tuple[str, dict]]]:
    """Each line through ingest, then every by-site record through extract, then every to-dedup record
    through dedup, each with its position on its topic. Returns raw offset -> outcomes."""
    for offset, line in enumerate(lines):
        await _stage(stages.ingest, line, Source(RAW_TOPIC, 0, offset))
    for offset, (_, value) in enumerate(list(log.topics["by_site"])):
        await _stage(stages.extract, value, Source("nw-by-site", 0, offset))
    for offset, (_, value) in enumerate(list(log.topics["to_dedup"])):
        await _stage(stages.dedup, value, Source("nw-to-dedup", 0, offset))
    out: dict[int, list[tuple[str, dict]]] = defaultdict(list)
    for kind in ("article", "duplicate", "deadletter"):
        for _, value in log.topics[kind]:
            record = orjson.loads(value)
            assert record["source"]["topic"] == RAW_TOPIC, record["source"]
            out[record["source"]["offset"]].append((kind, record))
    return out


async def _stage(body, value, position) -> None:
    try:
        await (await body(value, position))  # the stage's records handed over, then confirmed
    except PublishFailed:
        pass  # the worker has stopped (``stop`` recorded it); the message is not acked


def original_bytes(dead: Mapping[str, Any]) -> bytes:
    return base64.b64decode(dead["payload"]) if dead["payload_encoding"] == "base64" else dead["payload"].encode()


def check_one_place_each(out, lines: list[bytes]) -> None:
    assert sorted(out) == list(range(len(lines))), f"missing: {set(range(len(lines))) - set(out)}"
    for offset, outcomes in out.items():
        assert len(outcomes) == 1, (offset, [k for k, _ in outcomes])
        kind, record = outcomes[0]
        if kind == "deadletter":
            assert schemas.errors("deadletter", record) == []
            assert original_bytes(record) == lines[offset]
            assert record["source"] == {"topic": RAW_TOPIC, "partition": 0, "offset": offset}


def fault_free() -> dict[int, tuple[str, str | None]]:
    log, stops = MemoryLog(), Stops()
    out = asyncio.run(run_chain(make_stages(log, stops), log, messages()))
    return {i: (o[0][0], o[0][1].get("error", {}).get("reason")) for i, o in out.items()}


def test_fault_free_chain():
    lines = messages()
    log, stops = MemoryLog(), Stops()
    out = asyncio.run(run_chain(make_stages(log, stops), log, lines))
    check_one_place_each(out, lines)
    assert [out[i][0][0] for i in range(5)] == ["article", "duplicate", "duplicate", "deadletter", "deadletter"]
    assert [out[i][0][1]["error"]["reason"] for i in (3, 4)] == ["invalid_json", "no_content"]
    assert len(log.topics["story"]) == 3 and not stops


# Every point of every stage's body where an exception is injected: (stage, point, target, attribute).
# A raising replacement of ``target.attribute`` is installed for the run.
POINTS = [
    ("ingest", "decode", pipeline_module, "decode"),
    ("ingest", "site key", app_module, "site_key"),
    ("ingest", "envelope encode", envelope, "pack_raw"),
    ("extract", "envelope decode", envelope, "raw_article"),
    ("extract", "template lookup", SiteTemplates, "template_lines"),
    ("extract", "clean and enrich", pipeline_module, "build"),
    ("extract", "template update", SiteTemplates, "observe"),
    ("extract", "envelope encode", envelope, "pack_built"),
    ("dedup", "envelope decode", envelope, "built_article"),
    ("dedup", "verdict", Pipeline, "decide"),
    ("dedup", "event encode", app_module, "_dumps"),
]


@pytest.mark.parametrize(("stage", "point", "target", "attribute"), POINTS,
                         ids=[f"{stage}-{point}" for stage, point, _, _ in POINTS])
def test_exception_at_each_point_gives_one_internal_dead_letter(monkeypatch, stage, point, target, attribute):
    lines = messages()
    before = fault_free()
    calls = {"n": 0}

    def boom(*args, **kwargs):
        calls["n"] += 1
        raise Injected(f"{stage}: {point}")

    if attribute == "_dumps":  # dead letters are encoded by the same function: fail for events only
        real = app_module._dumps

        def boom(*args, **kwargs):
            if "dedup" in args[0]:
                calls["n"] += 1
                raise Injected(f"{stage}: {point}")
            return real(*args, **kwargs)

    monkeypatch.setattr(target, attribute, boom)
    log, stops = MemoryLog(), Stops()
    out = asyncio.run(run_chain(make_stages(log, stops), log, lines))
    assert calls["n"] > 0, f"the injection point {stage}/{point} was never reached"
    check_one_place_each(out, lines)
    assert not stops
    rejected_first = set() if point == "decode" else {i for i, (kind, _) in before.items() if kind == "deadletter"}
    for offset, outcomes in out.items():
        kind, record = outcomes[0]
        if offset in rejected_first:  # rejected before this point: the same reason, not relabelled
            assert (kind, record["error"]["reason"]) == before[offset], (offset, kind)
        else:
            assert (kind, record["error"]["reason"]) == ("deadletter", "internal")
            assert f"Injected: {stage}: {point}" in record["error"]["message"]


PUBLISH_POINTS = [("ingest", "by_site"), ("extract", "to_dedup"), ("dedup", "article"), ("dedup", "duplicate"),
                  ("dedup", "story"), ("ingest", "deadletter")]


@pytest.mark.parametrize(("stage", "output"), PUBLISH_POINTS, ids=[f"{s}-{o}" for s, o in PUBLISH_POINTS])
def test_a_failed_send_is_retried_and_delivered_once(stage, output):
    lines = messages()
    log, stops = MemoryLog(failures={output: 2}), Stops()  # fails twice, the third attempt goes through
    out = asyncio.run(run_chain(make_stages(log, stops), log, lines))
    check_one_place_each(out, lines)
    assert not stops and log.failures[output] == 0
    assert len(log.topics["story"]) == 3


@pytest.mark.parametrize(("stage", "output"), PUBLISH_POINTS, ids=[f"{s}-{o}" for s, o in PUBLISH_POINTS])
def test_a_send_that_keeps_failing_stops_the_worker_without_ack(stage, output):
    from workers.stream import metrics as m

    before = m.PUBLISH_FAILURES.labels(output=output)._value.get()
    lines = messages()
    log, stops = MemoryLog(failures={output: -1}), Stops()
    out = asyncio.run(run_chain(make_stages(log, stops), log, lines))
    assert stops, "the worker must stop"
    assert all(isinstance(exc, PublishFailed) for exc, _ in stops)
    assert {where["topic"] for _, where in stops} <= {RAW_TOPIC}
    assert m.PUBLISH_FAILURES.labels(output=output)._value.get() == before + len(stops)
    # The others came out once each; those that stopped the worker are redelivered after the restart
    # (only a story update can be missing from a message whose event went out).
    stopped = {where["offset"] for _, where in stops}
    assert stopped | set(out) == set(range(len(lines)))
    assert all(len(o) == 1 for o in out.values())
    if output != "story":
        assert not stopped & set(out)


def test_dead_letter_that_cannot_be_sent_stops_the_worker(monkeypatch):
    """An exception, and then the dead letter fails too: the worker stops, the message is not acked."""
    def boom(*args, **kwargs):
        raise Injected("verdict")

    monkeypatch.setattr(Pipeline, "decide", boom)
    lines = messages()[:1]
    log, stops = MemoryLog(failures={"deadletter": -1}), Stops()
    out = asyncio.run(run_chain(make_stages(log, stops), log, lines))
    assert not out and [where for _, where in stops] == [{"topic": RAW_TOPIC, "partition": 0, "offset": 0}]


def test_corrupt_envelope_is_a_dead_letter_of_the_record_itself():
    """Bytes on an internal topic that are no envelope (another writer, a bug): one internal dead letter
    that holds them and their own position; there is no original message to recover."""
    log, stops = MemoryLog(), Stops()
    stages = make_stages(log, stops)
    asyncio.run(_stage(stages.extract, b"\x01not zstd", Source("nw-by-site", 2, 7)))
    asyncio.run(_stage(stages.dedup, b"", Source("nw-to-dedup", 0, 3)))
    dead = [orjson.loads(v) for _, v in log.topics["deadletter"]]
    assert [(d["error"]["reason"], d["source"]["topic"], d["source"]["offset"]) for d in dead] == [
        ("internal", "nw-by-site", 7), ("internal", "nw-to-dedup", 3)]
    assert original_bytes(dead[0]) == b"\x01not zstd"


@pytest.mark.parametrize("point", ["decode", "site_key", "build", "observe", "decide"])
def test_pipeline_process_guards_its_whole_body(monkeypatch, point):
    """Offline mode: ``Pipeline.process`` gives one outcome per input whatever raises inside."""
    def boom(*args, **kwargs):
        raise Injected(point)

    target = {"decode": pipeline_module, "site_key": pipeline_module, "build": pipeline_module,
              "observe": SiteTemplates, "decide": Pipeline}[point]
    monkeypatch.setattr(target, point, boom)
    pipe = Pipeline(limits=Limits(timeout_seconds=0))
    for i, line in enumerate(messages()[:3]):
        outcome = pipe.process(line, Source(line=i + 1))
        assert outcome.kind == "deadletter" and outcome.dead_letter["error"]["reason"] == "internal"
        assert original_bytes(outcome.value) == line


def test_agents_route_through_faust_test_context(tmp_path):
    """The real ingest agent, driven by Faust's in-memory test context, hands the record and its
    position to the stage and sends what the stage returns."""
    from workers.settings import Settings
    from workers.stream.app import create_app
    from workers.tools.broker import free_port

    async def run():
        app = create_app(Settings(app_id="nw-memory", state_dir=tmp_path, web_port=free_port()))
        app.finalize()
        app.conf.store = "memory://"  # type: ignore[assignment]  # Faust parses the URL string
        app.flow_control.resume()
        log = MemoryLog()
        app.stages.publisher = Publisher(log.send, attempts=1)  # type: ignore[attr-defined]  # set by create_app
        agent = app.agents["ingest"]
        lines = messages()
        async with agent.test_context() as tester:
            for line in lines:
                await tester.put(line)
        return log

    log = asyncio.run(run())
    raw = [envelope.raw_article(envelope.open_envelope(v))[0] for _, v in log.topics["by_site"]]
    assert [r.url for r in raw] == [orjson.loads(line)["url"] for line in messages()[:3]]
    keys = [k for k, _ in log.topics["by_site"]]
    assert keys == [b"news-a.example", b"news-b.example", b"news-c.example"]
    assert [orjson.loads(v)["error"]["reason"] for _, v in log.topics["deadletter"]] == ["invalid_json", "no_content"]
    positions = [int(envelope.open_envelope(v).source.offset or 0) for _, v in log.topics["by_site"]]
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_a_send_the_broker_never_confirms_is_sent_again():
    """A delivery future that never completes (a request the broker never answered) holds the message
    one attempt's time, not the producer's request timeout; the record is then sent again."""
    sent: list = []

    async def send(output, key, value, partition=None):
        sent.append(value)
        fut = asyncio.get_running_loop().create_future()
        if len(sent) > 1:
            fut.set_result(0)
        return fut  # the first one never completes

    async def run():
        publisher = Publisher(send, attempts=3, backoff_seconds=0.001, attempt_seconds=0.2)
        await publisher.deliver([Record("article", b"k", b"v")])

    started = time.monotonic()
    asyncio.run(run())
    assert sent == [b"v", b"v"] and time.monotonic() - started < 5
