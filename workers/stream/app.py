"""The Faust app: three thin agents around the pure pipeline.

    raw topics ──ingest──▶ <app>-by-site (keyed by site) ──extract──▶ <app>-to-dedup (1 partition) ──dedup──▶ outputs
        │                        │  site-template table                     │  dedup-index table
        └─ dead letters ◀────────┴──────────────────────────────────────────┘

Why these hops: site-template statistics must see all articles of a site,
so the extract stage is partitioned by site (registered domain); the dedup index must see every
article, whichever partition or process it came in on, so the dedup stage
reads a single-partition topic and owns the whole index (a Faust table backed
by a changelog topic, restored on restart or failover). Cleaning and
enrichment, the expensive part, scale out across partitions and processes;
the dedup stage does microseconds of work per article.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import faust
import orjson
from faust.types import TP

from ..core.article import Built
from ..core.decode import decode
from ..core.dedup import INDEX_LAYOUT
from ..core.pipeline import Outcome, Pipeline, site_key
from ..core.records import RawArticle, Rejected, Source, utc_now
from ..settings import Settings
from . import metrics as m
from .guard import ProcessGuard
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
        producer_max_request_size=max(s.max_record_bytes, 1_048_576),
        producer_max_batch_size=s.producer_max_batch_bytes,
        consumer_max_fetch_size=max(s.max_record_bytes, 1_048_576),
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


def _dumps(value: dict) -> bytes:
    return orjson.dumps(value)


def create_app(settings: Settings | None = None) -> faust.App:
    s = settings or Settings.from_env()
    app = faust.App(s.app_id, **faust_settings(s))
    big = {"max.message.bytes": str(s.max_record_bytes)}

    raw_topic = app.topic(*s.raw_topics)
    by_site = app.topic(f"{s.app_id}-by-site", partitions=s.topic_partitions, internal=True, config=big)
    to_dedup = app.topic(f"{s.app_id}-to-dedup", partitions=1, internal=True, config=big)
    outputs = {
        "article": app.topic(s.articles_topic),
        "duplicate": app.topic(s.duplicates_topic),
        "deadletter": app.topic(s.deadletter_topic),
    }
    stories = app.topic(s.stories_topic)

    # Table keys and values are JSON (Faust's default for non-bytes types); messages are raw bytes.
    templates = app.Table("site-templates", partitions=s.topic_partitions, key_type=str)
    # Versioned name: an index written by another layout (dedup.INDEX_LAYOUT) is never read, see README "Upgrades".
    # Values are the index's own packed bytes: value_type=bytes gives Faust's "raw" serializer (no JSON around them).
    index = app.Table(f"dedup-index-v{INDEX_LAYOUT}", partitions=1, key_type=str, value_type=bytes)
    pipeline = Pipeline.from_settings(s, dedup_store=index, template_store=templates, template_flush_every=5)
    app.pipeline = pipeline  # for tests and the health views
    state = {"last_evict": time.monotonic(), "last_template_count": 0.0}
    since_report: Counter = Counter()  # outcomes since the last progress line in the log

    async def publish(outcome: Outcome) -> None:
        await outputs[outcome.kind].send(key=outcome.key.encode() if outcome.key else None, value=_dumps(outcome.value))
        m.EVENTS_PUBLISHED.labels(outcome=outcome.kind).inc()
        since_report[outcome.kind] += 1
        if outcome.kind == "deadletter":
            m.DEADLETTERS.labels(reason=outcome.value["error"]["reason"]).inc()
            log.warning("dead letter %s at %s: %s", outcome.value["error"]["reason"], outcome.value["source"],
                        outcome.value["error"]["message"][:200])
        if outcome.story is not None:
            await stories.send(key=outcome.story["story_id"].encode(), value=_dumps(outcome.story))
            m.EVENTS_PUBLISHED.labels(outcome="story").inc()
        m.LAST_PROCESSED.set(time.time())

    @app.agent(raw_topic, name="ingest")
    async def ingest(stream):
        async for event in stream.events():
            msg = event.message
            source = Source(msg.topic, msg.partition, msg.offset)
            m.MESSAGES_CONSUMED.labels(topic=msg.topic).inc()
            with m.PROCESSING_SECONDS.labels(stage="ingest").time():
                raw = pipeline.ingest(event.value, source)
            if isinstance(raw, Outcome):
                await publish(raw)
                continue
            key = site_key(raw)
            await by_site.send(
                key=key.encode() if key else None,
                value=_dumps({"source": source.as_dict(), "payload": event.value.decode("utf-8")}),
            )

    @app.agent(by_site, name="extract")
    async def extract(stream):
        async for event in stream.events():
            envelope = orjson.loads(event.value)
            source = Source.from_dict(envelope["source"])
            payload = envelope["payload"].encode("utf-8")
            with m.PROCESSING_SECONDS.labels(stage="extract").time():
                try:
                    raw: RawArticle = decode(payload, s.max_message_bytes)
                except Rejected as rej:  # cannot happen after ingest, unless limits changed between stages
                    await publish(pipeline.reject(payload, source, rej))
                    continue
                built = await pipeline.extract_async(raw, payload, source)
            if isinstance(built, Outcome):
                await publish(built)
                continue
            await to_dedup.send(
                key=None,
                value=_dumps({"source": envelope["source"], "payload": envelope["payload"], "built": _built_dict(built)}),
            )
            if time.monotonic() - state["last_template_count"] > TEMPLATE_COUNT_EVERY_SECONDS:
                state["last_template_count"] = time.monotonic()  # a count walks every site's record
                m.TEMPLATE_LINE_COUNTERS.set(pipeline.templates.size_hint())

    @app.agent(to_dedup, name="dedup")
    async def dedup(stream):
        async for event in stream.events():
            envelope = orjson.loads(event.value)
            source = Source.from_dict(envelope["source"])
            built = _built_from(envelope["built"])
            with m.PROCESSING_SECONDS.labels(stage="dedup").time():
                try:
                    outcome = pipeline.decide(built, source)
                except Exception as exc:  # our bug: dead-letter the original message, keep the stream going
                    outcome = pipeline.internal_error(envelope["payload"].encode("utf-8"), source, exc)
            await publish(outcome)
            if outcome.kind in ("article", "duplicate"):
                _observe_article(outcome)
            if time.monotonic() - state["last_evict"] > EVICT_EVERY_SECONDS:
                state["last_evict"] = time.monotonic()
                try:  # housekeeping after the verdict is out: a failure here must not stop the agent
                    removed = pipeline.evict()
                    log.info("dedup index: evicted %d articles older than %s", removed, pipeline.dedup_window)
                except Exception:
                    log.exception("dedup index: eviction failed; will try again in %.0f s", EVICT_EVERY_SECONDS)
            m.DEDUP_INDEX_ARTICLES.set(pipeline.dedup.size_hint())

    @app.timer(interval=PROGRESS_EVERY_SECONDS)
    async def progress_log():
        if since_report:
            log.info("last %.0f s: %d articles, %d duplicates, %d dead letters; dedup index holds %d articles",
                     PROGRESS_EVERY_SECONDS, since_report["article"], since_report["duplicate"],
                     since_report["deadletter"], pipeline.dedup.size_hint())
            since_report.clear()

    @app.timer(interval=15.0)
    async def lag_probe():
        await _update_lag(app, set(s.raw_topics), lambda tps: committed_offsets(app, tps))

    @app.on_partitions_revoked.connect
    async def _forget_unwritten_counts(app_, revoked, **kwargs):
        # A site's partition may come back after another worker updated its record: never
        # let a stale in-memory copy overwrite it.
        pipeline.templates.forget_pending()

    return app


def _observe_article(outcome: Outcome) -> None:
    event = outcome.value
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


def _built_dict(b: Built) -> dict:
    return {"article": b.article, "host": b.host, "sketch": list(b.sketch), "anchors": list(b.anchors),
            "facts": b.facts}


def _built_from(d: dict) -> Built:
    return Built(d["article"], d["host"], set(), tuple(d["sketch"]), tuple(d["anchors"]), d["facts"])


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
