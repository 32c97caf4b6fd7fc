"""Prometheus metrics of the worker. One prefix, base units, bounded labels."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
DUPLICATES = Counter("newsworker_duplicates_total", "Articles found to duplicate a known story, by kind (exact, near).", ["kind"])
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
ASSIGNED_PARTITIONS = Gauge("newsworker_assigned_partitions", "Raw-topic partitions assigned to this worker.")
