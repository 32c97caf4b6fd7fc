"""Prometheus metrics of the worker. One prefix, base units, bounded labels."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from ..core.records import REASONS

# Where the worker writes: the three outcome topics, story updates and the two internal hops.
OUTPUTS = ("article", "duplicate", "deadletter", "story", "by_site", "to_dedup")
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_AGE_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86400, 3 * 86400, 7 * 86400)

MESSAGES_CONSUMED = Counter(
    "newsworker_messages_consumed_total", "Raw-article messages consumed, by raw topic.", ["topic"]
)
EVENTS_PUBLISHED = Counter(
    "newsworker_events_published_total",
    "Events published, by outcome: article (unique), duplicate, deadletter, story (story update).",
    ["outcome"],
)
DEADLETTERS = Counter("newsworker_deadletters_total", "Messages dead-lettered, by reason code.", ["reason"])
DUPLICATES = Counter(
    "newsworker_duplicates_total", "Articles found to duplicate a known story, by kind (exact, near, update).",
    ["kind"],
)
STORIES = Counter("newsworker_stories_total", "New stories started (first articles).")
PROCESSING_SECONDS = Histogram(
    "newsworker_processing_seconds", "Processing time per message, by stage (ingest, extract, dedup).", ["stage"],
    buckets=_LATENCY_BUCKETS,
)
EVENT_AGE_SECONDS = Histogram(
    "newsworker_event_age_seconds", "Age of an article at output: now minus its fetched_at.", buckets=_AGE_BUCKETS
)
ARTICLES_BY_LANGUAGE = Counter(
    "newsworker_articles_by_language_total", "Articles published, by detected language (ISO 639-1, or 'unknown').",
    ["language"],
)
DEDUP_INDEX_ARTICLES = Gauge("newsworker_dedup_index_articles", "Articles held in this worker's dedup index.")
TEMPLATE_LINE_COUNTERS = Gauge(
    "newsworker_template_line_counters", "Site-template line counters held by this worker, over all domains."
)
LAST_PROCESSED = Gauge(
    "newsworker_last_processed_timestamp_seconds", "Unix time at which this worker last finished a message."
)
CONSUMER_LAG = Gauge(
    "newsworker_consumer_lag_messages", "End offset minus committed offset, per assigned raw-topic partition.",
    ["topic", "partition"],
)
PUBLISH_FAILURES = Counter(
    "newsworker_publish_failures_total",
    "Records the broker did not take after every retry, by output; the worker then stops without committing.",
    ["output"],
)
PUBLISH_RETRIES = Counter(
    "newsworker_publish_retries_total", "Failed sends that were tried again, by output.", ["output"]
)
ASSIGNED_PARTITIONS = Gauge("newsworker_assigned_partitions", "Raw-topic partitions assigned to this worker.")


def set_consumer_lag(lags: dict[tuple[str, int], int]) -> None:
    """Replace the lag series with ``lags`` ({(topic, partition): lag}).

    Partitions no longer assigned to this worker are removed, so that summing
    the lag over all workers does not count a moved partition twice.
    """
    wanted = {(topic, str(partition)): max(0, int(lag)) for (topic, partition), lag in lags.items()}
    exported = {(s.labels["topic"], s.labels["partition"]) for metric in CONSUMER_LAG.collect() for s in metric.samples}
    for topic, partition in exported - wanted.keys():
        CONSUMER_LAG.remove(topic, partition)  # label values in declaration order: topic, partition
    for (topic, partition), lag in wanted.items():
        CONSUMER_LAG.labels(topic=topic, partition=partition).set(lag)


def _init_known_labels() -> None:
    """Export every known label value at 0 from the start.

    A labelled counter that first appears at 1 makes rate() and increase() miss
    that first event: a single internal error would never fire an alert, and a
    dashboard panel would show "no data" instead of 0.
    """
    for outcome in ("article", "duplicate", "deadletter", "story"):
        EVENTS_PUBLISHED.labels(outcome=outcome)
    for reason in REASONS:
        DEADLETTERS.labels(reason=reason)
    for kind in ("exact", "near", "update"):
        DUPLICATES.labels(kind=kind)
    for stage in ("ingest", "extract", "dedup"):
        PROCESSING_SECONDS.labels(stage=stage)
    for output in OUTPUTS:
        PUBLISH_FAILURES.labels(output=output)
        PUBLISH_RETRIES.labels(output=output)


_init_known_labels()
OFFSET_GAPS = Counter(
    "newsworker_offset_gaps_total",
    "Jumps in the offsets of a topic the agents read: messages that never reached an agent. Faust would commit "
    "past them; here the commit stops below them and the consumer seeks back to read them again.",
)
