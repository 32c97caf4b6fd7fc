"""Plain records that flow between the pipeline stages, and the dead-letter record.

Nothing here knows about Kafka: a ``Source`` is just "where the bytes came
from" (topic/partition/offset for a stream, line number for a file).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, NotRequired, TypedDict, final, get_args

SCHEMA_VERSION = 1  # dead letters
# Article and story events: 2 added dedup.related_to, the kinds update / follow_up / sibling and the story's
# latest_article_id, updates and related (schemas/article.schema.json, schemas/story.schema.json).
EVENT_SCHEMA_VERSION = 2

# Stable dead-letter reason codes: dashboards and alerts key on these.
Reason = Literal["invalid_json", "invalid_utf8", "schema", "no_content", "too_large", "timeout", "internal"]
REASONS: tuple[Reason, ...] = get_args(Reason)
# Where a consumed message ends: exactly one of these.
OutcomeKind = Literal["article", "duplicate", "deadletter"]
DedupStatus = Literal["unique", "duplicate"]
# duplicates: exact, near, update; unique: new, follow_up, sibling (README "Stories")
DedupKind = Literal["new", "exact", "near", "update", "follow_up", "sibling"]


# -- the wire formats of the events (schemas/*.schema.json), as types -------------------------------------
class SourceRecord(TypedDict):
    topic: str | None
    partition: int | None
    offset: int | None
    line: NotRequired[int]  # offline mode
    name: NotRequired[str | None]


class ErrorRecord(TypedDict):
    reason: Reason
    message: str


@final  # final: `"error" in value` tells a dead letter from an article event (type narrowing)
class DeadLetter(TypedDict):
    error: ErrorRecord
    source: SourceRecord
    payload: str
    payload_encoding: Literal["utf-8", "base64"]
    schema_version: int
    failed_at: str | None


class Dateline(TypedDict):
    place: str | None
    agency: str | None


class Entities(TypedDict):
    persons: list[str]
    organizations: list[str]
    locations: list[str]


class ArticleFields(TypedDict):
    """What the extract stage makes: every field of the article event but dedup, source and the stamps."""

    id: str
    raw_id: str | None
    url: str | None
    canonical_url: str | None
    domain: str | None  # the article's host (urls.host); the site (registered domain) is urls.site
    site_name: str | None
    title: str | None
    body: str
    lead: str | None
    language: str | None
    language_confidence: float | None
    published_at: str | None
    updated_at: str | None
    fetched_at: str | None
    authors: list[str]
    dateline: Dateline | None
    entities: Entities
    keywords: list[str]
    word_count: int
    char_count: int
    paragraph_count: int
    content_hash: str


class DedupRecord(TypedDict):
    status: DedupStatus
    kind: DedupKind
    story_id: str
    duplicate_of: str | None
    similarity: float | None
    related_to: str | None


@final
class ArticleEvent(ArticleFields):
    """The normalised article event (schemas/article.schema.json)."""

    dedup: DedupRecord
    source: SourceRecord
    schema_version: int
    processed_at: str | None


@dataclass(frozen=True)
class Source:
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    line: int | None = None
    name: str | None = None  # file name in offline mode

    def as_dict(self) -> SourceRecord:
        if self.line is not None:
            return {"topic": None, "partition": None, "offset": None, "line": self.line, "name": self.name}
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset}

    @classmethod
    def from_dict(cls, d: SourceRecord | dict) -> Source:
        return cls(d.get("topic"), d.get("partition"), d.get("offset"), d.get("line"), d.get("name"))


class Rejected(Exception):
    """A message that cannot become an article: carries the dead-letter reason code."""

    def __init__(self, reason: Reason, message: str):
        if reason not in REASONS:  # a typo in our own code: fail loudly (survives python -O, unlike assert)
            raise ValueError(f"unknown dead-letter reason {reason!r}")
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message

    def __reduce__(self):  # crosses the process boundary of deadline.Deadline
        return (Rejected, (self.reason, self.message))


@dataclass
class RawArticle:
    """A validated raw-article message."""

    html: str | None
    text: str | None
    url: str | None = None
    id: str | None = None
    source_name: str | None = None
    title: str | None = None
    published_at: str | None = None
    fetched_at: str | None = None
    language: str | None = None
    authors: list[str] = field(default_factory=list)
    canonical_url: str | None = None  # set once by the ingest stage (``Pipeline.ingest``)


def utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(dt: datetime | None) -> str | None:
    """RFC 3339 UTC with a Z suffix, second precision."""
    if dt is None:
        return None
    # utctimetuple() reads a naive datetime as UTC and converts an aware one: the same text as
    # dt.astimezone(timezone.utc).strftime(...) at two thirds of its cost (it runs for every article).
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", dt.utctimetuple())


def dead_letter(
    payload: bytes, source: Source, reason: Reason, message: str, now: datetime | None = None
) -> DeadLetter:
    """The dead-letter record: reason, where the message came from, and its original bytes."""
    try:
        encoding: Literal["utf-8", "base64"] = "utf-8"
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(payload).decode("ascii"), "base64"
    return {
        "error": {"reason": reason, "message": message[:2000]},
        "source": source.as_dict(),
        "payload": text,
        "payload_encoding": encoding,
        "schema_version": SCHEMA_VERSION,
        "failed_at": rfc3339(now or utc_now()),
    }
