"""Operator tooling with kafka-python: create topics, publish JSON Lines, read topics back."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from ..core.urls import canonicalize, site
from ..settings import Settings

log = logging.getLogger(__name__)


def topic_specs(s: Settings) -> list[NewTopic]:
    retention = str(s.topic_retention_hours * 3600 * 1000)
    # Every topic takes the largest record the worker may write: an article event holds a body of up
    # to max_text_chars characters, a dead letter the original message (a broker's 1 MB default would
    # make such a send fail, and the worker stop on it: see workers/stream/publish.py).
    big = str(s.max_record_bytes)
    specs = []
    for name in (*s.raw_topics, s.articles_topic, s.duplicates_topic, s.deadletter_topic):
        specs.append(NewTopic(name, s.topic_partitions, s.topic_replication,
                              topic_configs={"retention.ms": retention, "max.message.bytes": big}))
    # Stories: one record per story id, the latest wins.
    specs.append(NewTopic(s.stories_topic, s.topic_partitions, s.topic_replication,
                          topic_configs={"cleanup.policy": "compact", "max.message.bytes": big}))
    return specs


def create_topics(s: Settings, out=sys.stderr) -> list[str]:
    """Create the raw and output topics; existing ones are left as they are. Returns the names created."""
    admin = KafkaAdminClient(bootstrap_servers=s.bootstrap_servers, client_id=f"{s.app_id}-admin",
                             **s.kafka_python_security())
    created = []
    try:
        existing = set(admin.list_topics())
        for spec in topic_specs(s):
            if spec.name in existing:
                print(f"topic {spec.name}: exists", file=out)
                continue
            try:
                admin.create_topics([spec])
                created.append(spec.name)
                print(f"topic {spec.name}: created ({spec.num_partitions} partitions)", file=out)
            except TopicAlreadyExistsError:
                print(f"topic {spec.name}: exists", file=out)
    finally:
        admin.close()
    return created


def message_key(line: bytes) -> bytes | None:
    """Key raw messages by site, so one site's articles keep their order on one partition."""
    import orjson

    try:
        obj = orjson.loads(line)
        url = obj.get("url") if isinstance(obj, dict) else None
        key = site(canonicalize(url)) if isinstance(url, str) else None
        return key.encode() if key else None
    except Exception:
        return None  # malformed lines are still sent: the worker dead-letters them


def iter_lines(path: str) -> Iterator[bytes]:
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below, stdin is not
    try:
        for line in stream:
            line = line.rstrip(b"\r\n")
            if line:
                yield line
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def produce_file(s: Settings, path: str, topic: str | None = None, out=sys.stderr) -> int:
    """Publish every non-empty line of a JSON Lines file as one message; shows progress."""
    topic = topic or s.raw_topics[0]
    producer = KafkaProducer(bootstrap_servers=s.bootstrap_servers, acks="all", linger_ms=20,
                             max_request_size=s.max_record_bytes, **s.kafka_python_security())
    sent = 0
    failures: list[Exception] = []
    started = time.monotonic()
    try:
        for line in iter_lines(path):
            producer.send(topic, key=message_key(line), value=line).add_errback(failures.append)
            sent += 1
            if sent % 500 == 0:
                rate = sent / max(1e-9, time.monotonic() - started)
                print(f"\rproduced {sent} messages ({rate:.0f}/s)", end="", file=out, flush=True)
        producer.flush()
    finally:
        producer.close()
    if failures:
        raise RuntimeError(f"{len(failures)} of {sent} messages were not delivered: {failures[0]}")
    print(f"\rproduced {sent} messages to {topic} in {time.monotonic() - started:.1f} s", file=out)
    return sent


def read_topics(s: Settings, topics: list[str], expect: int | None = None,
                timeout: float = 60.0) -> dict[str, list[dict]]:
    """Read output topics from the start until ``expect`` records arrived or ``timeout`` passed."""
    import orjson

    consumer = KafkaConsumer(*topics, bootstrap_servers=s.bootstrap_servers, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None, consumer_timeout_ms=1000,
                             **s.kafka_python_security())
    got: dict[str, list[dict]] = {t: [] for t in topics}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=500)
            for tp, records in batch.items():
                for rec in records:
                    got[tp.topic].append(orjson.loads(rec.value))
            if expect is not None and sum(len(v) for v in got.values()) >= expect:
                break
    finally:
        consumer.close()
    return got
