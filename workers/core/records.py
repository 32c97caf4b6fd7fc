"""Plain records that flow between the pipeline stages, and the dead-letter record.

Nothing here knows about Kafka: a ``Source`` is just "where the bytes came
from" (topic/partition/offset for a stream, line number for a file).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

SCHEMA_VERSION = 1  # dead letters
# Article and story events: 2 added dedup.related_to, the kinds update / follow_up / sibling and the story's
# latest_article_id, updates and related (schemas/article.schema.json, schemas/story.schema.json).
EVENT_SCHEMA_VERSION = 2

# Stable dead-letter reason codes: dashboards and alerts key on these.
REASONS = ("invalid_json", "invalid_utf8", "schema", "no_content", "too_large", "timeout", "internal")


@dataclass(frozen=True)
class Source:
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    line: int | None = None
    name: str | None = None  # file name in offline mode

    def as_dict(self) -> dict:
        if self.line is not None:
            return {"topic": None, "partition": None, "offset": None, "line": self.line, "name": self.name}
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset}

    @classmethod
    def from_dict(cls, d: dict) -> Source:
        return cls(d.get("topic"), d.get("partition"), d.get("offset"), d.get("line"), d.get("name"))


class Rejected(Exception):
    """A message that cannot become an article: carries the dead-letter reason code."""

    def __init__(self, reason: str, message: str):
        assert reason in REASONS, reason
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


def dead_letter(payload: bytes, source: Source, reason: str, message: str, now: datetime | None = None) -> dict:
    """The dead-letter record: reason, where the message came from, and its original bytes."""
    try:
        text, encoding = payload.decode("utf-8"), "utf-8"
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
