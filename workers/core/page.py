"""HTML pages: main-content text (see ``body``), metadata from meta tags and JSON-LD.

``body`` finds the article body (trafilatura twice, readability as a
third opinion); we read the metadata ourselves as well, because news pages
state full timestamps (with time of day and zone) in ``article:published_time``
and JSON-LD, where trafilatura keeps only the day.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import lxml.html
import orjson
import trafilatura

from .body import extract_main
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
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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


def _tree_depth(root) -> int:
    depth, stack = 0, [(root, 1)]
    while stack:
        node, d = stack.pop()
        if d > depth:
            depth = d
            if depth > MAX_DEPTH:
                return depth
        stack.extend((child, d + 1) for child in node)
    return depth


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
    if _CONTROL.search(html):
        html = html.translate(_CONTROL_TABLE)
    return _LONG_TAG.sub(lambda m: _cap_attributes(m.group(0)), html)


def parse(html: str):
    """The lxml tree of a page; ``Rejected`` when it cannot be parsed or nests too deep."""
    # Without comments: trafilatura parses so itself, and with <!-- --> inside a paragraph
    # (React pages) it loses the text after the comment. One parser per call: lxml parsers are not thread-safe.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml.html.document_fromstring(prepare(html), parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise Rejected("no_content", f"HTML could not be parsed: {exc}") from None
    if _tree_depth(tree) > MAX_DEPTH:
        raise Rejected("too_large", f"HTML nests deeper than {MAX_DEPTH} elements")
    return tree


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


def _metadata(tree, url: str | None):
    """trafilatura's metadata (title, site name, date, author): a second opinion after our own
    meta tags and JSON-LD. Its date validation fails on values such as a "+99:99" zone offset
    (htmldate: ValueError); the page then goes on with our own readings."""
    try:
        return trafilatura.extract_metadata(tree, default_url=url)
    except (ValueError, OverflowError) as exc:
        log.debug("trafilatura metadata failed: %s", exc)
        return None


_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "webpage"}


def extract(html: str, url: str | None = None) -> HtmlDoc:
    tree = parse(html)
    meta = _meta(tree)
    ld = [d for d in _jsonld(tree) if str(d.get("@type", ""))[:100].lower() in _ARTICLE_TYPES or "datePublished" in d]

    doc = _metadata(tree, url)
    result = HtmlDoc(text="")

    def first(*values):
        for v in values:
            if isinstance(v, str) and v.strip() and len(v) <= MAX_META_CHARS:
                return v.strip()
        return None

    headlines = [d.get("headline") for d in ld] + meta.get("og:title", []) + meta.get("twitter:title", [])
    result.title = first(*headlines, doc.title if doc else None)
    result.text = extract_main(tree, url, [h for h in (*headlines, doc.title if doc else None) if isinstance(h, str)])
    result.site_name = first(*meta.get("og:site_name", []), doc.sitename if doc else None)
    canonical = None
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            canonical = link.get("href").strip()
            break
    result.canonical_url = first(canonical, *meta.get("og:url", []))
    result.published = [
        v for v in (
            *(d.get("datePublished") for d in ld), *meta.get("article:published_time", []),
            *meta.get("og:published_time", []), *meta.get("pubdate", []), *meta.get("publishdate", []),
            *meta.get("date", []), *meta.get("dc.date.issued", []), *meta.get("datepublished", []),
            *meta.get("sailthru.date", []), *meta.get("parsely-pub-date", []), doc.date if doc else None,
        ) if isinstance(v, str) and v.strip() and not _PLACEHOLDER_DATE.match(v)
    ]
    result.modified = [
        v for v in (
            *(d.get("dateModified") for d in ld), *meta.get("article:modified_time", []),
            *meta.get("og:updated_time", []), *meta.get("datemodified", []),
        ) if isinstance(v, str) and v.strip() and not _PLACEHOLDER_DATE.match(v)
    ]
    authors = [n for d in ld for n in _names(d.get("author"))]
    authors += meta.get("author", []) + meta.get("article:author", []) + meta.get("parsely-author", [])
    if not authors and doc and doc.author:
        authors = [a for a in doc.author.split(";")]
    result.authors = [a for a in authors if a and not a.startswith("http")]
    result.description = first(*meta.get("og:description", []), *meta.get("description", []))
    lang = tree.get("lang") or first(*meta.get("og:locale", []), *meta.get("content-language", []))
    result.language = lang.replace("_", "-").split("-")[0].lower() if lang else None
    kw = meta.get("news_keywords", []) + meta.get("keywords", [])
    result.keywords = [k.strip() for v in kw for k in v.split(",") if k.strip()][:20]
    return result
