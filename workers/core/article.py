"""Stage 2: a validated raw article -> the normalised article's fields (clean + enrich).

``build`` is a pure function of its inputs. It may run in a separate process
(see ``deadline.Deadline``), so everything it needs comes in as arguments and
everything it learns goes out in the result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import dates, enrich, entities, fingerprint, language, page, text, urls
from .records import RawArticle, Rejected, rfc3339

# Indonesian sites print local time; a zone-less time on a page in Indonesian is WIB.
_DEFAULT_ZONE = {"id": timedelta(hours=7), "ms": timedelta(hours=8)}


@dataclass
class Built:
    article: dict  # every event field except dedup, source, processed_at
    host: str | None  # the article's host (the event's ``domain`` field)
    line_hashes: set[str]  # for the site-template statistics
    signature: tuple[int, ...]
    bands: tuple[str, ...]


def _pick_date(candidates: list[str], now: datetime) -> datetime | None:
    for value in candidates:
        dt = dates.parse_value(value, now=now)
        if dt is not None:
            return dt
    return None


def build(raw: RawArticle, template_lines: frozenset[str], now: datetime, max_text_chars: int) -> Built:
    url = raw.canonical_url if raw.canonical_url is not None else urls.canonicalize(raw.url)
    meta = page.HtmlDoc(text="")
    if raw.html:
        meta = page.extract(raw.html, url=url)
    source_text = meta.text if raw.html and meta.text.strip() else (raw.text or "")
    if not source_text.strip() and raw.text:
        source_text = raw.text
    if len(source_text) > max_text_chars:
        raise Rejected("too_large", f"article text is {len(source_text)} characters, limit {max_text_chars}")

    given_title = raw.title or meta.title
    cleaned = text.clean_lines(source_text, title=given_title, extra_template=template_lines,
                               detect_title=not raw.html)
    body = "\n\n".join(cleaned.paragraphs)
    if len(text.words(body)) < 5:
        raise Rejected("no_content", "no article text left after cleaning")

    site_name = meta.site_name or raw.source_name
    title = enrich.clean_title(raw.title or meta.title or cleaned.title, site_name)

    lang_hint = raw.language or meta.language
    lang, confidence = language.detect(body, hint=lang_hint)
    zone = _DEFAULT_ZONE.get(lang or "")

    # Dates: explicit fields, then page metadata, then the header lines of the text, then the URL.
    reference = dates.parse_value(raw.fetched_at) or now
    published = dates.parse_value(raw.published_at, now=reference) or _pick_date(meta.published, reference)
    updated = _pick_date(meta.modified, reference)
    header_found = [d for line in cleaned.header_lines for d in dates.find_dates(line, now=reference, default_zone=zone)]
    if published is None:
        plain = [d for d in header_found if not d.updated]
        published = plain[0].value if plain else None
    if updated is None:
        labelled = [d for d in header_found if d.updated]
        updated = labelled[0].value if labelled else None
    if published is None:
        for line in cleaned.header_lines:
            published = dates.find_relative(line, reference)
            if published:
                break
    if published is None:
        published = dates.from_url(raw.url)
    if published is None and cleaned.paragraphs:
        # News text dates its events by day name: "..., Selasa (21/10/2025)", "Senin (20/10)".
        mention = dates.latest_dated_mention(body, now=reference, default_zone=zone)
        published = mention.value if mention else None
    if updated is not None and published is not None and updated < published:
        updated = None

    ents = entities.extract(body, title=title, lang=lang)
    fp = fingerprint.fingerprint(body)
    canonical = urls.canonicalize(meta.canonical_url, base=url) or url
    article_id = _article_id(canonical, fp.content_hash)
    host = urls.host(canonical or url)
    lead = enrich.lead(cleaned.paragraphs)
    article = {
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
        "fetched_at": rfc3339(dates.parse_value(raw.fetched_at)),
        "authors": enrich.clean_authors(raw.authors or meta.authors),
        "dateline": enrich.dateline(cleaned.paragraphs[0], body),
        "entities": ents,
        "keywords": enrich.keywords(title, body, ents["persons"] + ents["organizations"] + ents["locations"],
                                    given=meta.keywords),
        "word_count": len(text.words(body)),
        "char_count": len(body),
        "paragraph_count": len(cleaned.paragraphs),
        "content_hash": fp.content_hash,
    }
    return Built(article, host, cleaned.line_hashes, fp.signature, fp.bands)


def _article_id(canonical_url: str | None, content_hash: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the content."""
    basis = ("url:" + canonical_url) if canonical_url else ("content:" + content_hash)
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=12).hexdigest()
