"""The Faust app: three thin agents around the pure pipeline.

    raw topics ──ingest──▶ <app>-by-site (spread by URL) ──extract──▶ <app>-to-dedup (1 partition) ──dedup──▶ outputs
        │                        │  site-template table                     │  dedup-index table
        └─ dead letters ◀────────┴──────────────────────────────────────────┘

Why these hops: cleaning and enrichment, the expensive part, scale out across partitions and
processes, so the extract stage's partition comes from a hash of the URL: one large site is not
pinned to one process. Its template statistics are learned per partition, each from a uniform
sample of the site's articles (``templates.shard``). The dedup index must see every article,
whichever partition or process it came in on, so the dedup stage reads a single-partition topic and
owns the whole index (a Faust table backed by a changelog topic, restored on restart or failover;
BENCHMARKS.md "what one dedup partition absorbs").
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import faust
import orjson
from faust.types import TP

from ..core import envelope, templates
from ..core.dedup import INDEX_LAYOUT
from ..core.pipeline import Outcome, Pipeline, site_key
from ..core.ratelog import RateLimitedLog
from ..core.records import ArticleEvent, Source, utc_now
from ..settings import Settings
from . import metrics as m
from .consumer import NoGapConsumer, admit, finished
from .guard import ProcessGuard
from .publish import InOrderAcks, Publisher, PublishFailed, Record, stop_worker
from .web import WebServer

log = logging.getLogger("newsworker")

EVICT_EVERY_SECONDS = 600.0
TEMPLATE_COUNT_EVERY_SECONDS = 10.0
PROGRESS_EVERY_SECONDS = 60.0


def faust_settings(s: Settings) -> dict:
    kwargs = dict(
        broker=s.broker,
        store=s.store,
        datadir=str(s.state_dir),
        # Faust's own web server is off: its default views (/, /router/, /table/<name>/<key>/) read the
        # tables with no authentication. Ours (WebServer below) serves /metrics, /healthz and /readyz only.
        web_enabled=False,
        web_port=s.web_port,
        web_bind=s.web_host,
        topic_partitions=s.topic_partitions,
        topic_replication_factor=s.topic_replication,
        broker_session_timeout=s.session_timeout_seconds,
        broker_rebalance_timeout=s.rebalance_timeout_seconds,
        broker_heartbeat_interval=s.heartbeat_interval_seconds,
        producer_max_request_size=s.max_record_bytes,
        # Faust's default is 20 minutes: a produce request the broker never answers would hold the agent
        # that awaits it that long (workers/stream/publish.py retries after 30 s).
        producer_request_timeout=60.0,
        producer_max_batch_size=s.producer_max_batch_bytes,
        consumer_max_fetch_size=s.max_record_bytes,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        table_cleanup_interval=60.0,
        autodiscover=False,
    )
    if s.security_protocol != "PLAINTEXT":
        kwargs["broker_credentials"] = _credentials(s)
    return kwargs


def _ssl_context(s: Settings) -> ssl.SSLContext | None:
    return ssl.create_default_context(cafile=s.ssl_cafile or None) if s.security_protocol.endswith("SSL") else None


def _credentials(s: Settings) -> faust.SASLCredentials | faust.SSLCredentials:
    if s.security_protocol.startswith("SASL"):
        return faust.SASLCredentials(username=s.sasl_username, password=s.sasl_password.get_secret_value(),
                                     mechanism=s.sasl_mechanism, ssl_context=_ssl_context(s))
    return faust.SSLCredentials(_ssl_context(s))


def _dumps(value: Mapping[str, Any]) -> bytes:
    return orjson.dumps(value)


@dataclass
class Origin:
    """What a dead letter of the message carries: its original bytes and its source position. For
    the later stages both come out of the envelope; until it is decoded, the record itself."""

    payload: bytes | None
    source: Source


def _records(outcome: Outcome) -> list[Record]:
    records = [Record(outcome.kind, outcome.key.encode() if outcome.key else None, _dumps(outcome.value))]
    if outcome.story is not None:
        records.append(Record("story", outcome.story["story_id"].encode(), _dumps(outcome.story)))
    return records


class Stages:
    """The body of each agent. Everything from the consumed record to the broker's confirmation of
    what it became runs inside one guard (``_run``): an exception anywhere makes the message an
    ``internal`` dead letter with its original bytes and source position; a record the broker does
    not take, even a dead letter, stops the worker before the message is acked (``publish.py``)."""

    def __init__(self, pipeline: Pipeline, publisher: Publisher,
                 stop: Callable[[PublishFailed, Mapping[str, Any]], Awaitable[None]] = stop_worker,
                 extract_partitions: int = 1):
        self.pipeline = pipeline
        self.extract_partitions = extract_partitions  # of <app>-by-site
        self.publisher = publisher
        self.dead_letter_log = RateLimitedLog(log)  # a hostile feed must not flood the log; counts are in metrics
        self.stop = stop
        self.state = {"last_evict": time.monotonic(), "last_template_count": 0.0}
        self.since_report: Counter = Counter()  # outcomes since the last progress line in the log

    async def _run(self, stage: str, value: bytes | None, position: Source,
                   body: Callable[[bytes | None, Origin], Awaitable[tuple[list[Record], Outcome | None]]]
                   ) -> asyncio.Future:
        """Runs the stage's body and hands its records to the producer; returns the delivery, which ends
        when the broker has confirmed them all (the message may then be acked) or raises PublishFailed
        after the worker was told to stop (``stop``)."""
        origin = Origin(value, position)
        try:
            with m.PROCESSING_SECONDS.labels(stage=stage).time():
                records, outcome = await body(value, origin)
        except Exception as exc:  # a bug, wherever it is: the message still ends in one place
            outcome = self.pipeline.internal_error(origin.payload, origin.source, exc)
            records = _records(outcome)
        confirmation = await self.publisher.submit(records)
        return asyncio.ensure_future(self._finish(confirmation, outcome, origin))

    async def _finish(self, confirmation: Awaitable[None], outcome: Outcome | None, origin: Origin) -> None:
        try:
            await confirmation
        except PublishFailed as exc:
            await self.stop(exc, origin.source.as_dict())
            raise  # only reached when ``stop`` returns (tests): the message is never acked as done
        if outcome is not None:
            self._after(outcome)

    def _after(self, outcome: Outcome) -> None:
        """Metrics and logs of a delivered outcome: outside the guard, they can never add a dead letter."""
        try:
            m.EVENTS_PUBLISHED.labels(outcome=outcome.kind).inc()
            self.since_report[outcome.kind] += 1
            if outcome.story is not None:
                m.EVENTS_PUBLISHED.labels(outcome="story").inc()
            if outcome.kind == "deadletter":
                letter = outcome.dead_letter
                error = letter["error"]
                m.DEADLETTERS.labels(reason=error["reason"]).inc()
                self.dead_letter_log.log(logging.WARNING, error["reason"], "dead letter %s at %s: %s",
                                               error["reason"], letter["source"], error["message"][:200])
            else:
                _observe_article(outcome.article)
            m.LAST_PROCESSED.set(time.time())
        except Exception:
            log.exception("metrics of a published outcome failed")

    # -- stage 1: raw message -> <app>-by-site, spread by URL ----------------
    async def ingest(self, value: bytes | None, source: Source) -> asyncio.Future:
        return await self._run("ingest", value, source, self._ingest)

    async def _ingest(self, value: bytes | None, origin: Origin) -> tuple[list[Record], Outcome | None]:
        raw = self.pipeline.ingest(value, origin.source)
        if isinstance(raw, Outcome):
            return _records(raw), raw
        site = site_key(raw)
        packed = envelope.pack_raw(raw, site, origin.source, value)
        # Spread by URL, not by site: one large site's articles are cleaned on every partition (and process);
        # each partition learns the site's templates from its own uniform share (templates.shard).
        partition = templates.shard(raw.canonical_url or raw.url or value or b"", self.extract_partitions)
        return [Record("by_site", site.encode() if site else None, packed, partition)], None

    # -- stage 2: clean and enrich -> <app>-to-dedup ----------------------------
    async def extract(self, value: bytes | None, position: Source) -> asyncio.Future:
        return await self._run("extract", value, position, self._extract)

    async def _extract(self, value: bytes | None, origin: Origin) -> tuple[list[Record], Outcome | None]:
        partition = origin.source.partition
        opened = envelope.open_envelope(value)
        origin.source, origin.payload = opened.source, opened.payload
        raw, site = envelope.raw_article(opened)
        # The template statistics of the site's share on this partition: the record's key names the
        # partition, whose changelog holds it (Faust writes a table's changelog to the event's partition).
        stats = templates.shard_key(site, partition)
        built = await self.pipeline.extract_async(raw, origin.payload, origin.source, site=stats)
        if isinstance(built, Outcome):
            return _records(built), built
        return [Record("to_dedup", None, envelope.pack_built(built, origin.source, origin.payload))], None

    def after_extract(self) -> None:
        if time.monotonic() - self.state["last_template_count"] > TEMPLATE_COUNT_EVERY_SECONDS:
            self.state["last_template_count"] = time.monotonic()  # a count walks every site's record
            m.TEMPLATE_LINE_COUNTERS.set(self.pipeline.templates.size_hint())

    # -- stage 3: dedup verdict -> articles / duplicates, stories ---------------
    async def dedup(self, value: bytes | None, position: Source) -> asyncio.Future:
        return await self._run("dedup", value, position, self._dedup)

    async def _dedup(self, value: bytes | None, origin: Origin) -> tuple[list[Record], Outcome | None]:
        opened = envelope.open_envelope(value)
        origin.source, origin.payload = opened.source, opened.payload
        built = envelope.built_article(opened)
        outcome = self.pipeline.decide(built, origin.source)
        return _records(outcome), outcome

    def after_dedup(self) -> None:
        if time.monotonic() - self.state["last_evict"] > EVICT_EVERY_SECONDS:
            self.state["last_evict"] = time.monotonic()
            try:  # housekeeping after the verdict is out: a failure here must not stop the agent
                removed = self.pipeline.evict()
                log.info("dedup index: evicted %d articles older than %s", removed, self.pipeline.dedup_window)
            except Exception:
                log.exception("dedup index: eviction failed; will try again in %.0f s", EVICT_EVERY_SECONDS)
        m.DEDUP_INDEX_ARTICLES.set(self.pipeline.dedup.size_hint())


def _position(event) -> Source:
    msg = event.message
    return Source(msg.topic, msg.partition, msg.offset)


def create_app(settings: Settings | None = None) -> faust.App:
    s = settings or Settings.from_env()
    app = faust.App(s.app_id, **faust_settings(s))
    # Never commit past messages that did not reach an agent (workers/stream/consumer.py, faust-streaming #606).
    # ignore: Transport.Consumer is Faust's override point for the consumer class; set on this app's
    # transport instance, not on the class, so that no other app in the process is changed.
    app.transport.Consumer = NoGapConsumer  # type: ignore[misc]
    big = {"max.message.bytes": str(s.max_record_bytes)}

    raw_topic = app.topic(*s.raw_topics)
    by_site = app.topic(f"{s.app_id}-by-site", partitions=s.topic_partitions, internal=True, config=big)
    to_dedup = app.topic(f"{s.app_id}-to-dedup", partitions=1, internal=True, config=big)
    outputs = {
        "article": app.topic(s.articles_topic),
        "duplicate": app.topic(s.duplicates_topic),
        "deadletter": app.topic(s.deadletter_topic),
        "story": app.topic(s.stories_topic),
        "by_site": by_site,
        "to_dedup": to_dedup,
    }

    # Table keys and values are JSON (Faust's default for non-bytes types); messages are raw bytes.
    # Keyed by site and by-site partition (templates.shard_key); "v2": before, by site alone (README "Upgrades").
    site_templates = app.Table("site-templates-v2", partitions=s.topic_partitions, key_type=str)
    # Versioned name: an index written by another layout (dedup.INDEX_LAYOUT) is never read, see README "Upgrades".
    # Values are the index's own packed bytes: value_type=bytes gives Faust's "raw" serializer (no JSON around them).
    index = app.Table(f"dedup-index-v{INDEX_LAYOUT}", partitions=1, key_type=str, value_type=bytes)
    pipeline = Pipeline.from_settings(s, dedup_store=index, template_store=site_templates, template_flush_every=5)
    app.pipeline = pipeline  # type: ignore[attr-defined]  # for tests and the health views

    @index.on_recover
    async def _index_recovered() -> None:
        # The index's anchor table and eviction queues live in this process, derived from the table's entries
        # (dedup.py, layout 4): after a recovery (start, rebalance) they are rebuilt from what the table now holds.
        pipeline.dedup.reload()

    async def send(output: str, key: bytes | None, value: bytes, partition: int | None):
        return await outputs[output].send(key=key, value=value, partition=partition)

    stages = Stages(pipeline, Publisher(send), extract_partitions=s.topic_partitions)
    app.stages = stages  # type: ignore[attr-defined]  # tests swap the publisher for an in-memory one

    _add_agents(app, stages, raw_topic, by_site, to_dedup)

    @app.timer(interval=PROGRESS_EVERY_SECONDS)
    async def progress_log():
        since_report = stages.since_report
        if since_report:
            log.info("last %.0f s: %d articles, %d duplicates, %d dead letters; dedup index holds %d articles",
                     PROGRESS_EVERY_SECONDS, since_report["article"], since_report["duplicate"],
                     since_report["deadletter"], pipeline.dedup.size_hint())
            since_report.clear()

    @app.timer(interval=15.0)
    async def lag_probe():
        await _update_lag(app, set(s.raw_topics), lambda tps: committed_offsets(app, tps))

    # ignore: mode types a handler as a union of sync and async callables, which mypy cannot match an
    # async def against; the handler has the signature mode calls (sender, *args, signal=..., **kwargs).
    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def _forget_unwritten_counts(sender: object, *args: object, signal: object, **kwargs: object) -> None:
        # A site's partition may come back after another worker updated its record: never
        # let a stale in-memory copy overwrite it.
        pipeline.templates.forget_pending()

    return app


# Messages an agent may have in flight (handed to the producer, not yet confirmed, so not acked). One: the
# next message is taken once the last one's records are confirmed and it is acked. With 64, in 4 of 17 runs of
# tests/test_stream_state.py::test_index_survives_sigkill[memory://] one republished copy came out twice and
# another never within the test's 150 s (after the restart, no rebalance, no gap logged; cause not found); with 1,
# 0 of 4 (and main 0 of 6). The throughput it would buy was not measurable on this machine (BENCHMARKS.md
# "Stream: throughput and latency beside a Faust passthrough"): the worker is bound elsewhere.
IN_FLIGHT = 1


def _add_agents(app: faust.App, stages: Stages, raw_topic, by_site, to_dedup) -> None:
    """Three thin agents: each hands a record and its position to its stage (``Stages``) and acks the
    message when the stage's records are confirmed (``InOrderAcks``), while it goes on with the next."""

    @app.agent(raw_topic, name="ingest")
    async def ingest(stream):
        async for event, acks in _pipelined(app, stream):
            if not await admit(app, event.message):  # each partition in order (consumer.py)
                acks.skip(event)
                continue
            m.MESSAGES_CONSUMED.labels(topic=event.message.topic).inc()
            acks.add(event, await stages.ingest(event.value, _position(event)))

    @app.agent(by_site, name="extract")
    async def extract(stream):
        async for event, acks in _pipelined(app, stream):
            if not await admit(app, event.message):
                acks.skip(event)
                continue
            acks.add(event, await stages.extract(event.value, _position(event)))
            stages.after_extract()

    @app.agent(to_dedup, name="dedup")
    async def dedup(stream):
        async for event, acks in _pipelined(app, stream):
            if not await admit(app, event.message):
                acks.skip(event)
                continue
            acks.add(event, await stages.dedup(event.value, _position(event)))
            stages.after_dedup()


async def _pipelined(app: faust.App, stream):
    """The stream's events with manual acks (``noack``), each with the agent's ``InOrderAcks``.

    Before the next event is taken: room in the window, and no message in flight while the app is
    rebalancing. An event is acked as done only once its records are confirmed (``finished``); events
    the agent does not take (``admit``) and those Faust skips on its own during a rebalance are released
    without counting (consumer.py), so a commit never passes them. After a failed delivery no message
    is taken any more (the worker is stopping)."""
    sensors = app.sensors

    def ack(event, done: bool) -> None:
        if done:  # confirmed by the broker: only now may its ack count (consumer.py)
            finished(app, event.message)
        last = event.ack()
        msg = event.message
        sensors.on_stream_event_out(msg.tp, msg.offset, stream, event)
        if last:
            sensors.on_message_out(msg.tp, msg.offset, msg)

    acks = InOrderAcks(ack, IN_FLIGHT)
    async for event in stream.noack().events():
        yield event, acks
        try:
            await acks.wait_room()
            if getattr(app, "rebalancing", False) or not app.flow_control.is_active():
                await acks.drain()
        except PublishFailed:
            # The worker is stopping (stop_worker holds for the scrape, then exits): take no more messages.
            await asyncio.Event().wait()


def _observe_article(event: ArticleEvent) -> None:
    dd = event["dedup"]
    if dd["status"] == "duplicate":
        m.DUPLICATES.labels(kind=dd.get("kind") or "near").inc()
    else:
        m.STORIES.inc()
    m.ARTICLES_BY_LANGUAGE.labels(language=event.get("language") or "unknown").inc()
    fetched = event.get("fetched_at")
    if fetched:
        from datetime import datetime

        age = (utc_now() - datetime.fromisoformat(fetched.replace("Z", "+00:00"))).total_seconds()
        if age >= 0:
            m.EVENT_AGE_SECONDS.observe(age)


def _readiness(app: faust.App) -> tuple[bool, dict]:
    try:
        assigned = app.consumer.assignment()
    except Exception:  # ConsumerNotStarted: the consumer thread is still starting
        assigned = set()
    recovery = app.tables.recovery  # type: ignore[attr-defined]  # on the TableManager, not its interface type
    # completed is set after the first recovery (and stays set); in_recovery covers later rebalances.
    recovered = bool(recovery.completed.is_set() and not recovery.in_recovery)
    rebalancing = bool(getattr(app, "rebalancing", False))
    ready = bool(assigned) and recovered and not rebalancing
    return ready, {"assigned_partitions": len(assigned), "recovered": recovered, "rebalancing": rebalancing}


Committed = Callable[[list[TP]], Awaitable[dict[TP, int]]]


async def committed_offsets(app: faust.App, tps: list[TP]) -> dict[TP, int]:
    """This worker's committed offsets, by public APIs: Faust's monitor sensor records every commit;
    a partition not committed since this process started has not moved past where the group resumed
    it, which is the consumer's position until the first commit (at most the fetch buffer ahead).

    Not asked of the broker: an OffsetFetch for the group from a second client lost a message on the
    embedded Tansu broker (tests/test_stream_state.py, 3 runs of 3)."""
    done = app.monitor.tp_committed_offsets
    offsets = {}
    for tp in tps:
        offset = done.get(tp)
        if offset is None:
            offset = await app.consumer.position(tp)
        if offset is not None:
            offsets[tp] = offset
    return offsets


async def _update_lag(app: faust.App, raw_topics: set[str], committed: Committed) -> None:
    """Lag per assigned raw partition: end offset minus committed offset.

    Kafka's convention: the committed offset is the next offset to read, so a fully
    processed partition has committed == end. With nothing committed yet, the group
    starts at the earliest offset still in the log.
    """
    consumer = app.consumer
    try:
        tps = [tp for tp in consumer.assignment() if tp.topic in raw_topics]
    except Exception:  # ConsumerNotStarted
        return
    m.ASSIGNED_PARTITIONS.set(len(tps))
    lags: dict[tuple[str, int], int] = {}
    try:
        if tps:
            ends = await consumer.highwaters(*tps)
            done = await committed(tps)
            unset = [tp for tp in tps if tp not in done]
            if unset:
                done.update(await consumer.earliest_offsets(*unset))
            for tp in tps:
                end = ends.get(tp)
                if end is not None:
                    lags[(tp.topic, tp.partition)] = end - (done.get(tp) or 0)
    except Exception as exc:  # the probe must never take the worker down
        log.debug("lag probe failed: %s", exc)
        return
    m.set_consumer_lag(lags)


def worker(app: faust.App, s: Settings) -> faust.Worker:
    """The Faust worker for ``app`` (Faust's public API), with our web server beside it, and a guard
    that bounds repeated log lines and ends the process if a stop takes over ``shutdown_timeout_seconds``."""
    web = WebServer(s.web_host, s.web_port, lambda: _readiness(app))
    return faust.Worker(app, web, ProcessGuard(app, s.shutdown_timeout_seconds), loglevel=s.log_level)
