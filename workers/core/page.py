"""HTML pages: main-content text (see ``body``), metadata from meta tags and JSON-LD.

``body`` finds the article body (trafilatura on the marked article element or the whole page,
checked by resiliparse; trafilatura's default mode and readability vote when they disagree); we
read the metadata ourselves as well, because news pages state full timestamps (with time of day
and zone) in ``article:published_time`` and JSON-LD, where trafilatura keeps only the day.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
import orjson
from htmldate import find_date
from trafilatura import metadata as _tmeta
from trafilatura.settings import Document
from trafilatura.utils import DOCTYPE_TAG as _DOCTYPE_TAG  # a DOCTYPE with a slash, which libxml2 misreads

from .body import extract_main
from .dates import parse_value
from .records import Rejected

log = logging.getLogger(__name__)
# Deeper trees are hostile or broken. libxml2 stops nesting at 256 levels and
# silently flattens the rest, so a page that reaches this depth is not parsed faithfully.
MAX_DEPTH = 250
# "0001-01-01T00:00:00Z" and the like: an unset date field of the site's CMS, not a date
_PLACEHOLDER_DATE = re.compile(r"^\s*0\d{3}\b")

# -- the parse step: what libxml2 must not see ---------------------------------------------------
# lxml refuses a str that starts with an XML declaration naming an encoding (XHTML pages): the text is
# already decoded, so the declaration is dropped.
_XML_DECLARATION = re.compile(r"\A\ufeff?\s*+<\?xml\b[^<>]*+>", re.IGNORECASE)
# C0 control characters that XML 1.0 forbids: with one of them in the page, trafilatura's output step
# fails and the whole body is lost. Browsers do not render them; they are dropped (form feed and
# vertical tab are white space, kept as a space), as ftfy drops them from text input.
_CONTROL_CHARS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]]
_CONTROL_TABLE = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0xFFFE, 0xFFFF]} | {0x0B: " ", 0x0C: " "}
# libxml2 checks each attribute of a tag against the others: 100,000 attributes on one tag take it
# 36 s (10,000: 0.65 s; 1,000: 1 ms). Real tags carry a few dozen; after this many the rest of the tag is dropped.
MAX_ATTRIBUTES = 1000
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{4096,}+>")  # [^<>] stops at the next bracket: each character is read once
_ATTRIBUTE = re.compile(r"""[^\s"'<>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'<>]++))?""")
# Values longer than this in a meta tag are not metadata (a title, a date, a name, a description).
MAX_META_CHARS = 2048
# JSON-LD authors nest {"author": {"name": ...}} or lists of those: deeper nesting is not a name.
_MAX_NAME_DEPTH = 8


@dataclass
class HtmlDoc:
    text: str
    title: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # candidate values, best first
    modified: list[str] = field(default_factory=list)
    description: str | None = None
    language: str | None = None
    keywords: list[str] = field(default_factory=list)


# True when an element sits at depth MAX_DEPTH + 1 (the root is depth 1): one XPath walk in C,
# five times cheaper than a Python walk of the tree (0.15 against 0.79 ms per benchmark page).
_TOO_DEEP = lxml.etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")


def _cap_attributes(tag: str) -> str:
    """The tag with at most MAX_ATTRIBUTES attributes."""
    attributes = _ATTRIBUTE.finditer(tag, 1)
    name = next(attributes, None)  # the tag's own name
    end = name.end() if name else 1
    for i, attr in enumerate(attributes):
        if i >= MAX_ATTRIBUTES:
            return tag[:end] + (" /" if tag.endswith("/>") else "") + ">"
        end = attr.end()
    return tag


def prepare(html: str) -> str:
    """The page as libxml2 can parse it faithfully (see the comments on the patterns above)."""
    html = _XML_DECLARATION.sub("", html, count=1)
    # 29 substring tests in C: a quarter of the cost of one character-class regex over the page
    # (0.12 against 0.43 ms a page on the benchmark and the devsets)
    if any(c in html for c in _CONTROL_CHARS):
        html = html.translate(_CONTROL_TABLE)
    return _LONG_TAG.sub(lambda m: _cap_attributes(m.group(0)), html)


def parse(html: str):
    """The lxml tree of a page; ``Rejected`` when it cannot be parsed or nests too deep."""
    return _parse(html)[0]

def _meta(tree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value and len(value) <= MAX_META_CHARS:
            out.setdefault(key, []).append(value)
    return out


def _jsonld(tree) -> list[dict]:
    """Objects from ``<script type="application/ld+json">``, @graph flattened."""
    found: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = orjson.loads(script.text.strip().encode())
        except orjson.JSONDecodeError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return found


def _names(value, depth: int = 0) -> list[str]:
    """Names in a JSON-LD author value: a string, {"name": ...}, or lists of these."""
    if isinstance(value, str):
        return [value]
    if depth >= _MAX_NAME_DEPTH:
        return []
    if isinstance(value, dict):
        return _names(value.get("name"), depth + 1)
    if isinstance(value, list):
        return [n for v in value[:100] for n in _names(v, depth + 1)]
    return []


_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "webpage"}


_SELF_CLOSING_HTML = re.compile(r"<html\b[^<>]{0,2000}/>", re.IGNORECASE)  # bounded: linear time


def _parse(html: str):
    """The page's one lxml tree, shared by the metadata pass and the lxml-based body candidates;
    and the repaired source, for the one that parses on its own (resiliparse, see ``body``)."""
    # trafilatura's own repairs of the string first (``repair_faulty_html``: control characters, a
    # DOCTYPE that libxml2 misreads, a self-closing <html .../>): without them a page whose <html> tag
    # closes itself parses to an empty tree, while trafilatura given the string extracts it (issue 12).
    # ``prepare`` has dropped the same control characters already, so only the DOCTYPE repair is
    # taken from it (its character scan cost 0.46 ms a page for nothing); the <html/> one is below.
    beginning = html[:50].lower()
    html = prepare(html)
    if "doctype" in beginning:
        first_line, newline, rest = html.partition("\n")
        html = _DOCTYPE_TAG.sub("", first_line, count=1) + newline + rest
    # trafilatura repairs a self-closing <html/> only when it ends a line; libxml2 drops the whole
    # document after one wherever it stands.
    m = _SELF_CLOSING_HTML.search(html, 0, 4096)
    if m:
        html = html[: m.end() - 2].rstrip() + ">" + html[m.end():]
    # Without comments: trafilatura parses so itself, and with <!-- --> inside a paragraph
    # (React pages) it loses the text after the comment. One parser per call: lxml parsers are not thread-safe.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise Rejected("no_content", f"HTML could not be parsed: {exc}") from None
    if _TOO_DEEP(tree):
        raise Rejected("too_large", f"HTML nests deeper than {MAX_DEPTH} elements")
    return tree, html


def _page_metadata(tree, url: str | None, need_author: bool, need_date: bool):
    """trafilatura's metadata pass (``trafilatura.extract_metadata``) without the parts we do not use
    (categories, tags, licence) and with the two costly ones only when our own meta tags and JSON-LD
    lack the field: the author search copies and prunes the whole tree, the date search (htmldate)
    scans it; together they were 4-7 ms of a page's 37 ms (bench/extraction.py, BENCHMARKS.md)."""
    doc = _tmeta.examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None
    try:
        doc = _tmeta.extract_meta_json(tree, doc)
    except Exception:  # trafilatura's JSON-LD reader on hostile input: the fields stay as they were
        pass
    if not doc.title:
        doc.title = _tmeta.extract_title(tree)
    if need_author and not doc.author:
        doc.author = _tmeta.extract_author(tree)
    if not doc.url:
        doc.url = _tmeta.extract_url(tree, url)
    if need_date:
        params = _tmeta.set_date_params(True)
        params["url"] = doc.url
        doc.date = find_date(tree, **params)
    if not doc.sitename:
        doc.sitename = _tmeta.extract_sitename(tree)
    if doc.sitename:
        doc.sitename = doc.sitename.lstrip("@")
        if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
            doc.sitename = doc.sitename.title()
    elif doc.url:
        m = _tmeta.META_URL.match(doc.url)
        if m:
            doc.sitename = m[1]
    doc.clean_and_trim()
    return doc


def _own_published(meta: dict[str, list[str]], ld: list[dict]) -> list:
    return [
        *(d.get("datePublished") for d in ld), *meta.get("article:published_time", []),
        *meta.get("og:published_time", []), *meta.get("pubdate", []), *meta.get("publishdate", []),
        *meta.get("date", []), *meta.get("dc.date.issued", []), *meta.get("datepublished", []),
        *meta.get("sailthru.date", []), *meta.get("parsely-pub-date", []),
    ]


def _own_authors(meta: dict[str, list[str]], ld: list[dict]) -> list[str]:
    authors = [n for d in ld for n in _names(d.get("author"))]
    return authors + meta.get("author", []) + meta.get("article:author", []) + meta.get("parsely-author", [])


def _any_text(values: list) -> bool:
    return any(isinstance(v, str) and v.strip() and len(v) <= MAX_META_CHARS for v in values)


def _usable_date(v) -> bool:
    return isinstance(v, str) and bool(v.strip()) and not _PLACEHOLDER_DATE.match(v)


def extract(html: str, url: str | None = None) -> HtmlDoc:
    tree, html = _parse(html)
    meta = _meta(tree)
    ld = [d for d in _jsonld(tree) if str(d.get("@type", ""))[:100].lower() in _ARTICLE_TYPES or "datePublished" in d]
    own_published = [v for v in _own_published(meta, ld) if _usable_date(v)]
    own_authors = _own_authors(meta, ld)
    headlines = [d.get("headline") for d in ld] + meta.get("og:title", []) + meta.get("twitter:title", [])
    need_author, need_date = not own_authors, not any(parse_value(v) for v in own_published)
    doc = Document()
    # trafilatura's metadata is a second opinion after our own meta tags and JSON-LD: when these give
    # every field it would fill (a headline, the site's name, an author, a date), it is not asked
    # (0.6-1.2 ms a page; 103 of the 181 benchmark pages).
    if need_author or need_date or not meta.get("og:site_name") or not _any_text(headlines):
        try:
            doc = _page_metadata(tree, url, need_author=need_author, need_date=need_date)
        except (ValueError, OverflowError) as exc:
            # its date validation fails on values such as a "+99:99" zone offset (htmldate: ValueError).
            log.debug("trafilatura metadata failed: %s", exc)
    result = HtmlDoc(text="")

    def first(*values):
        for v in values:
            if isinstance(v, str) and v.strip() and len(v) <= MAX_META_CHARS:
                return v.strip()
        return None

    result.title = first(*headlines, doc.title)
    result.text = extract_main(tree, html, url, [h for h in (*headlines, doc.title) if isinstance(h, str)])
    result.site_name = first(*meta.get("og:site_name", []), doc.sitename)
    canonical = None
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            canonical = link.get("href").strip()
            break
    result.canonical_url = first(canonical, *meta.get("og:url", []))
    result.published = [*own_published, *([doc.date] if isinstance(doc.date, str) and _usable_date(doc.date) else [])]
    modified = (*(d.get("dateModified") for d in ld), *meta.get("article:modified_time", []),
                *meta.get("og:updated_time", []), *meta.get("datemodified", []))
    result.modified = [v for v in modified if isinstance(v, str) and _usable_date(v)]
    authors: list[str] = own_authors
    if not authors and doc.author:
        authors = [a for a in doc.author.split(";")]
    result.authors = [a for a in authors if a and not a.startswith("http")]
    result.description = first(*meta.get("og:description", []), *meta.get("description", []))
    lang = tree.get("lang") or first(*meta.get("og:locale", []), *meta.get("content-language", []))
    result.language = lang.replace("_", "-").split("-")[0].lower() if lang else None
    kw = meta.get("news_keywords", []) + meta.get("keywords", [])
    result.keywords = [k.strip() for v in kw for k in v.split(",") if k.strip()][:20]
    return result
