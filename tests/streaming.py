"""Helpers for tests that run real workers on the embedded broker."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import orjson
from kafka import KafkaProducer

from workers.settings import Settings
from workers.tools.broker import QUICK_GROUP, free_port
from workers.tools.kafka_tools import message_key


def stream_settings(broker, uid: str, tmp, **overrides) -> Settings:
    """Fresh topics and consumer group per test: a stale group member would stall the next join."""
    names = dict(
        app_id=f"nw-{uid}", raw_topics=(f"raw-{uid}",), articles_topic=f"articles-{uid}",
        duplicates_topic=f"duplicates-{uid}", deadletter_topic=f"dead-{uid}", stories_topic=f"stories-{uid}",
        web_port=free_port(), topic_partitions=4, state_dir=tmp / "state",
    )
    if getattr(broker, "external", False):
        return Settings().replace(broker=broker.url, **{**QUICK_GROUP, **names, **overrides})
    return broker.worker_settings(Settings(), **{**names, **overrides})


def produce_lines(settings: Settings, lines: list[bytes],
                  partitions: list[int] | None = None) -> dict[tuple[int, int], int]:
    """Publish each line (to a given partition, or by key); returns (partition, offset) -> line index."""
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all")
    futures = [
        producer.send(settings.raw_topics[0], key=message_key(line), value=line,
                      partition=partitions[i] if partitions else None)
        for i, line in enumerate(lines)
    ]
    producer.flush()
    where = {}
    for i, fut in enumerate(futures):
        md = fut.get(timeout=30)
        where[(md.partition, md.offset)] = i
    producer.close()
    return where


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status, orjson.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, orjson.loads(err.read() or b"{}")


def wait_ready(*ports: int, timeout: float = 90.0) -> None:
    """Until every worker says /readyz 200 (partitions assigned, tables recovered)."""
    deadline = time.monotonic() + timeout
    pending = set(ports)
    while pending and time.monotonic() < deadline:
        for port in list(pending):
            try:
                status, _ = get_json(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                continue
            if status == 200:
                pending.discard(port)
        time.sleep(0.5)
    if pending:
        raise TimeoutError(f"workers on ports {sorted(pending)} not ready within {timeout} s")


def metric_value(port: int, name_and_labels: str) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name_and_labels + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def metric_series(port: int, name: str) -> list[float]:
    """Every sample of one metric family on a worker's /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith((name + " ", name + "{"))]


def wait_until(condition, what: str, timeout: float = 120.0) -> None:
    """Poll ``condition()`` until it holds: broker tests wait on conditions, never on fixed sleeps."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:  # a worker still starting its web server
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{what}: not within {timeout} s")


def wait_raw_committed(settings: Settings, *ports: int, timeout: float = 120.0) -> None:
    """Until the workers own every raw partition and each one's committed offset is its end offset (the
    workers' own lag gauges, refreshed every 15 s: no second client joins the group's affairs)."""
    def caught_up() -> bool:
        assigned = sum(metric_value(p, "newsworker_assigned_partitions") for p in ports)
        lags = [v for p in ports for v in metric_series(p, "newsworker_consumer_lag_messages")]
        return assigned == settings.topic_partitions and len(lags) == settings.topic_partitions and not any(lags)
    wait_until(caught_up, "raw offsets committed", timeout)


def end_offsets_are_exclusive(settings: Settings) -> bool:
    """Kafka reports a partition's end offset as last offset + 1. Tansu 0.6 reports the base
    offset of the last record batch + 1, which Faust's RocksDB recovery reads as "changelog
    shorter than the store" and refuses to start."""
    import uuid

    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
    from kafka.admin import NewTopic

    topic = f"probe-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers, linger_ms=200)
    sent = [producer.send(topic, b"x", partition=0) for _ in range(3)]  # one batch of three records
    producer.flush()
    producer.close()
    assert [f.get(timeout=10).offset for f in sent] == [0, 1, 2]
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers)
    end = consumer.end_offsets([TopicPartition(topic, 0)])[TopicPartition(topic, 0)]
    consumer.close()
    return end == 3


def read_until(settings: Settings, topics: list[str], done, timeout: float = 150.0) -> dict[str, list[dict]]:
    """Read ``topics`` from the start until ``done(records_by_topic)`` is true or ``timeout`` passes."""
    from workers.tools.kafka_tools import read_topics

    deadline = time.monotonic() + timeout
    got = read_topics(settings, topics, timeout=3)
    while not done(got) and time.monotonic() < deadline:
        time.sleep(1)
        got = read_topics(settings, topics, timeout=3)
    return got
