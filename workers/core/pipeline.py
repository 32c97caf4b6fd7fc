"""The processing pipeline as plain functions over plain state.

Three stages, each usable on its own, so that the Faust app can run them on
different partitionings (see ``workers/stream/app.py``) and offline mode can
chain them in one process:

1. ``ingest``:  bytes -> RawArticle, or a dead letter
2. ``extract``: RawArticle -> Built article fields (clean + enrich), or a dead letter;
   uses and updates the site-template statistics of the article's site (registered domain)
3. ``decide``:  Built -> the article event with its dedup verdict, and the story update

Every input ends in exactly one ``Outcome``: article, duplicate or deadletter.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import schemas, urls
from .article import Built, build
from .deadline import Deadline
from .decode import decode
from .dedup import DedupIndex
from .fingerprint import Fingerprint
from .ratelog import RateLimitedLog
from .records import (
    EVENT_SCHEMA_VERSION,
    ArticleEvent,
    DeadLetter,
    OutcomeKind,
    RawArticle,
    Rejected,
    Source,
    dead_letter,
    rfc3339,
    utc_now,
)
from .templates import SiteTemplates

if TYPE_CHECKING:  # the core reads settings only through these two constructors
    from ..settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    kind: OutcomeKind
    key: str | None  # message key for the output topic
    value: ArticleEvent | DeadLetter  # the article event for article/duplicate, the dead letter otherwise
    story: dict | None = None  # story update to publish (articles and duplicates)

    @property
    def dead_letter(self) -> DeadLetter:
        """The dead-letter record (``kind == "deadletter"``); ValueError for an article."""
        value = self.value
        if "error" in value:
            return value
        raise ValueError(f"a {self.kind} outcome holds no dead letter")

    @property
    def article(self) -> ArticleEvent:
        """The article event (``kind`` article or duplicate); ValueError for a dead letter."""
        value = self.value
        if "dedup" in value:
            return value
        raise ValueError(f"a {self.kind} outcome holds no article event: {value.get('error')}")


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 5_000_000
    max_html_bytes: int = 3_000_000
    max_text_chars: int = 500_000
    timeout_seconds: float = 10.0

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        return cls(max_message_bytes=s.max_message_bytes, max_html_bytes=s.max_html_bytes,
                   max_text_chars=s.max_text_chars, timeout_seconds=s.article_timeout_seconds)


def site_key(raw: RawArticle) -> str | None:
    """The site an article belongs to, for its template statistics. The stream partitions the
    extract stage by this key, so that one process sees all of a site's articles."""
    canonical = raw.canonical_url if raw.canonical_url is not None else urls.canonicalize(raw.url)
    return urls.site(canonical)


_UNSET = object()  # "site not computed yet" (None is a valid site: a message without a usable URL)


class Pipeline:
    def __init__(
        self,
        dedup_store: MutableMapping | None = None,
        template_store: MutableMapping | None = None,
        *,
        limits: Limits = Limits(),
        dedup_threshold: float = 0.7,
        template_min_articles: int = 20,
        template_ratio: float = 0.3,
        template_max_lines: int = 5000,
        template_flush_every: int = 1,
        template_window: timedelta = timedelta(days=30),
        template_max_sites: int = 50_000,
        dedup_window: timedelta = timedelta(days=7),
        clock: Callable[[], datetime] = utc_now,
        validate_output: bool = True,
    ):
        self.limits = limits
        self.dedup_window = dedup_window
        self.clock = clock
        self.dedup = DedupIndex(dedup_store if dedup_store is not None else {}, threshold=dedup_threshold)
        self.templates = SiteTemplates(
            template_store if template_store is not None else {}, min_articles=template_min_articles,
            ratio=template_ratio, max_lines=template_max_lines, flush_every=template_flush_every,
            window_seconds=template_window.total_seconds(), max_sites=template_max_sites,
        )
        self.deadline = Deadline(limits.timeout_seconds)
        self.validate_output = validate_output
        self.internal_log = RateLimitedLog(log)  # a bug hit by every message of a feed must not flood the logs

    @classmethod
    def from_settings(cls, settings: Settings, dedup_store: MutableMapping | None = None,
                      template_store: MutableMapping | None = None, **kw: Any) -> Pipeline:
        return cls(
            dedup_store, template_store,
            limits=Limits.from_settings(settings),
            dedup_threshold=settings.dedup_threshold,
            dedup_window=timedelta(days=settings.dedup_window_days),
            template_min_articles=settings.template_min_articles,
            template_ratio=settings.template_line_ratio,
            template_max_lines=settings.template_max_lines_per_site,
            template_window=timedelta(days=settings.template_window_days),
            template_max_sites=settings.template_max_sites,
            **kw,
        )

    # -- stage 1 -------------------------------------------------------------
    def ingest(self, payload: bytes | None, source: Source) -> RawArticle | Outcome:
        """Decode and validate once; the URL is canonicalised here, once, for every later step."""
        try:
            raw = decode(payload, self.limits.max_message_bytes)
            if raw.html and len(raw.html.encode("utf-8", "surrogatepass")) > self.limits.max_html_bytes:
                raise Rejected("too_large", f"html is over the {self.limits.max_html_bytes}-byte limit")
            raw.canonical_url = urls.canonicalize(raw.url)
            return raw
        except Exception as exc:  # a bug must not stop the stream either: dead-letter it and say so
            return self.failed(payload, source, exc)

    # -- stage 2 -------------------------------------------------------------
    def _build_args(self, raw: RawArticle, site) -> tuple[str | None, tuple]:
        """The site of the article and the arguments of ``build`` (pure: it may run in a child process)."""
        key = site_key(raw) if site is _UNSET else site
        return key, (raw, self.templates.template_lines(key), self.clock(), self.limits.max_text_chars)

    def _learned(self, site: str | None, built: Built) -> Built:
        self.templates.observe(site, built.line_hashes)
        return built

    def extract(self, raw: RawArticle, payload: bytes | None, source: Source, site=_UNSET) -> Built | Outcome:
        """``site``: the article's site when the caller has it already (the stream's routing key)."""
        try:
            key, args = self._build_args(raw, site)
            return self._learned(key, self.deadline.run(build, *args, isolate=raw.html is not None))
        except Exception as exc:
            return self.failed(payload, source, exc)

    async def extract_async(self, raw: RawArticle, payload: bytes | None, source: Source,
                            site=_UNSET) -> Built | Outcome:
        try:
            key, args = self._build_args(raw, site)
            # HTML meets lxml/libxml2 (C): only a child process can stop it; scraped text is timed in-process.
            return self._learned(key, await self.deadline.run_async(build, *args, isolate=raw.html is not None))
        except Exception as exc:
            return self.failed(payload, source, exc)

    # -- stage 3 -------------------------------------------------------------
    def decide(self, built: Built, source: Source) -> Outcome:
        now = self.clock()
        art = built.article
        fp = Fingerprint(art["content_hash"], tuple(built.sketch), tuple(built.anchors))
        origin = f"{source.topic}/{source.partition}/{source.offset}" if source.offset is not None else None
        verdict = self.dedup.check_and_add(art["id"], fp, art["domain"] or art["site_name"], art["title"], now,
                                           built.facts, origin)
        event: ArticleEvent = {**art, "dedup": verdict.as_dict(), "source": source.as_dict(),
                               "schema_version": EVENT_SCHEMA_VERSION, "processed_at": rfc3339(now)}
        if self.validate_output:
            problems = schemas.errors("article", event)
            if problems:  # our own bug: never publish an event that breaks the contract
                raise ValueError("article event violates schemas/article.schema.json: " + "; ".join(problems[:3]))
        story = dict(verdict.story, schema_version=EVENT_SCHEMA_VERSION)
        return Outcome("article" if verdict.status == "unique" else "duplicate", art["id"], event, story)

    def evict(self) -> int:
        """Forget articles older than the dedup window; returns how many."""
        return self.dedup.evict(self.clock() - self.dedup_window)

    # -- all stages, for offline mode and tests ---------------------------------
    def process(self, payload: bytes | None, source: Source) -> Outcome:
        """One outcome per message, whatever raises: the whole body runs inside one guard."""
        try:
            raw = self.ingest(payload, source)
            if isinstance(raw, Outcome):
                return raw
            built = self.extract(raw, payload, source)
            if isinstance(built, Outcome):
                return built
            return self.decide(built, source)
        except Exception as exc:
            return self.failed(payload, source, exc)

    # -- dead letters ----------------------------------------------------------
    def failed(self, payload: bytes | None, source: Source, exc: Exception) -> Outcome:
        """The dead letter for an exception: its reason code when rejected, ``internal`` for a bug."""
        if isinstance(exc, Rejected):
            return self.reject(payload, source, exc)
        return self.internal_error(payload, source, exc)

    def reject(self, payload: bytes | None, source: Source, rej: Rejected) -> Outcome:
        return Outcome("deadletter", None, dead_letter(payload or b"", source, rej.reason, rej.message, self.clock()))

    def internal_error(self, payload: bytes | None, source: Source, exc: Exception) -> Outcome:
        if self.internal_log.log(logging.ERROR, "internal", "internal error on %s: %s", source.as_dict(),
                                 "".join(traceback.format_exception_only(exc)).strip()):
            log.debug("traceback", exc_info=exc)
        message = f"{type(exc).__name__}: {exc}"
        return Outcome("deadletter", None, dead_letter(payload or b"", source, "internal", message, self.clock()))

    def close(self) -> None:
        self.internal_log.flush()
        self.templates.flush()
        self.deadline.close()
