"""Stage 2: a validated raw article -> the normalised article's fields (clean + enrich).

``build`` is a pure function of its inputs. It may run in a separate process
(see ``deadline.Deadline``), so everything it needs comes in as arguments and
everything it learns goes out in the result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import dates, enrich, entities, facts, fingerprint, language, page, text, urls
from .records import ArticleFields, RawArticle, Rejected, rfc3339

# Fewer words than this after cleaning: no article (a ``no_content`` dead letter).
MIN_WORDS = text.MIN_BODY_WORDS
# Indonesian sites print local time; a zone-less time on a page in Indonesian is WIB.
_DEFAULT_ZONE = {"id": timedelta(hours=7), "ms": timedelta(hours=8)}


@dataclass
class Built:
    article: ArticleFields  # every event field except dedup, source, schema_version, processed_at
    host: str | None  # the article's host (the event's ``domain`` field)
    line_hashes: set[str]  # for the site-template statistics
    sketch: tuple[int, ...]  # fingerprint.Fingerprint.sketch of the body
    anchors: tuple[str, ...]  # its anchor keys
    facts: str = ""  # facts.pack(facts.extract(body, title)): what tells a copy from another story on the same words


def _pick_date(candidates: list[str], now: datetime) -> datetime | None:
    for value in candidates:
        dt = dates.within_range(dates.parse_value(value, now=now), now)
        if dt is not None:
            return dt
    return None


def _dates(raw: RawArticle, meta: page.HtmlDoc, cleaned: text.CleanText, body: str, reference: datetime,
           zone: timedelta | None) -> tuple[datetime | None, datetime | None]:
    """(published, updated): explicit fields, then page metadata, then the header lines of the text,
    then the URL, then the text's dated mentions. Every candidate passes the one range check of
    ``dates.within_range`` (1990 to two days after the fetch time), so a bad one gives way to the next."""
    def ok(dt: datetime | None) -> datetime | None:
        return dates.within_range(dt, reference)

    published = ok(dates.parse_value(raw.published_at, now=reference)) or _pick_date(meta.published, reference)
    updated = _pick_date(meta.modified, reference)
    header_found = [d for line in cleaned.header_lines
                    for d in dates.find_dates(line, now=reference, default_zone=zone) if ok(d.value)]
    if published is None:
        published = next((d.value for d in header_found if not d.updated), None)
    if updated is None:
        updated = next((d.value for d in header_found if d.updated), None)
    if published is None:
        published = next(filter(None, (ok(dates.find_relative(line, reference)) for line in cleaned.header_lines)),
                         None)
    if published is None:
        published = ok(dates.from_url(raw.url))
    if published is None and cleaned.paragraphs:
        # News text dates its events by day name: "..., Selasa (21/10/2025)", "Senin (20/10)".
        mention = dates.latest_dated_mention(body, now=reference, default_zone=zone)
        published = ok(mention.value) if mention else None
    if updated is not None and published is not None and updated < published:
        updated = None
    return published, updated


def build(raw: RawArticle, template_lines: frozenset[str], now: datetime, max_text_chars: int) -> Built:
    url = raw.canonical_url if raw.canonical_url is not None else urls.canonicalize(raw.url)
    meta = page.HtmlDoc(text="")
    if raw.html:
        meta = page.extract(raw.html, url=url)
    extracted = bool(raw.html and meta.text.strip())  # the page's main content, as the extractor found it
    source_text = meta.text if extracted else (raw.text or "")
    if not source_text.strip() and raw.text:
        source_text = raw.text
    if len(source_text) > max_text_chars:
        raise Rejected("too_large", f"article text is {len(source_text)} characters, limit {max_text_chars}")

    given_title = raw.title or meta.title
    cleaned = _clean(source_text, given_title, template_lines, detect_title=not raw.html,
                     extracted=extracted)
    body = "\n\n".join(cleaned.paragraphs)
    body_words = text.words(body)  # found once: a regex pass over the whole body (count and keywords)
    word_count = len(body_words)
    if word_count < MIN_WORDS:
        raise Rejected("no_content", "no article text left after cleaning")

    site_name = meta.site_name or raw.source_name
    title = enrich.clean_title(raw.title or meta.title or cleaned.title, site_name)

    lang_hint = raw.language or meta.language
    lang, confidence = language.detect(body, hint=lang_hint)  # ISO 639-1 or None, whatever the hint
    zone = _DEFAULT_ZONE.get(lang or "")

    fetched = dates.within_range(dates.parse_value(raw.fetched_at), now)
    published, updated = _dates(raw, meta, cleaned, body, fetched or now, zone)

    ents = entities.extract(body, title=title, lang=lang)
    fp = fingerprint.fingerprint(body)
    canonical = urls.canonicalize(meta.canonical_url, base=url) or url
    article_id = _article_id(canonical, fp.content_hash)
    host = urls.host(canonical or url)
    lead = enrich.lead(cleaned.paragraphs)
    article: ArticleFields = {
        "id": article_id,
        "raw_id": raw.id,
        "url": raw.url,
        "canonical_url": canonical,
        "domain": host,
        "site_name": site_name,
        "title": title,
        "body": body,
        "lead": lead,
        "language": lang,
        "language_confidence": confidence,
        "published_at": rfc3339(published),
        "updated_at": rfc3339(updated),
        "fetched_at": rfc3339(fetched),
        "authors": enrich.clean_authors(raw.authors or meta.authors),
        "dateline": enrich.dateline(cleaned.paragraphs[0], body),
        "entities": ents,
        "keywords": enrich.keywords(title, body, ents["persons"] + ents["organizations"] + ents["locations"],
                                    given=meta.keywords, body_words=body_words),
        "word_count": word_count,
        "char_count": len(body),
        "paragraph_count": len(cleaned.paragraphs),
        "content_hash": fp.content_hash,
    }
    return Built(article, host, cleaned.line_hashes, fp.sketch, fp.anchors, facts.pack(facts.extract(body, title)))


def _clean(source_text: str, title: str | None, template_lines: frozenset[str], detect_title: bool,
           extracted: bool = False) -> text.CleanText:
    """Clean the text with the site's learned template lines, unless they would take most of it.

    Learned lines are meant to be a site's furniture. When they hold more words than are left (a site
    that sent the same page 37 times has learned the page itself), the statistics describe the article,
    not the template, and the article is cleaned by the rules alone: learned templates never turn an
    article into a dead letter.
    """
    cleaned = text.clean_lines(source_text, title=title, extra_template=template_lines, detect_title=detect_title,
                               extracted=extracted)
    if cleaned.learned_words and cleaned.learned_words >= sum(len(text.words(p)) for p in cleaned.paragraphs):
        cleaned = text.clean_lines(source_text, title=title, detect_title=detect_title, extracted=extracted)
    return cleaned


def _article_id(canonical_url: str | None, content_hash: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the content."""
    basis = ("url:" + canonical_url) if canonical_url else ("content:" + content_hash)
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=12).hexdigest()
