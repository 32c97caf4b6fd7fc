"""Enrichment helpers: dateline, authors, title, keywords, lead."""

from __future__ import annotations

import re
from collections import Counter

from .gazetteer import NEWS_AGENCIES
from .text import words

# "JAKARTA (Reuters) -", "Jakarta, CNN Indonesia --", "WASHINGTON —", "Jakarta (ANTARA) -"
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z.'’-]*(?:\s[A-Z][A-Za-z.'’-]*){0,3})"
    r"(?:\s*,\s*(?P<outlet>[A-Za-z][\w.]*(?:\s[A-Za-z][\w.]*){0,3}))?"
    r"\s*(?:\((?P<agency>[^)]{2,30})\))?\s*(?:--|—|–|-|:)\s+\S"
)
_AGENCY_CREDIT = re.compile(
    r"\b(?:melansir|dilansir|dilansir dari|mengutip|dikutip dari|seperti dikutip|sebagaimana dilansir|menurut|"
    r"kata .{0,40}? kepada|according to|told|reported by|via)\s+(?:kantor berita\s+|the\s+)?"
    r"(?P<agency>AFP|Reuters|AP|Associated Press|Antara|Bloomberg|Xinhua|Kyodo|Bernama|Yonhap|dpa|EFE|ANSA|TASS|UPI|Anadolu)\b"
)


def dateline(first_paragraph: str, body: str) -> dict | None:
    """Place and agency of the dateline, with the agency also taken from a credit in the text."""
    place = agency = None
    m = _DATELINE.match(first_paragraph)
    if m and len(m.group("place")) <= 40:
        place = m.group("place").strip()
        place = place.title() if place.isupper() else place
        tag = (m.group("agency") or "").strip()
        agency = NEWS_AGENCIES.get(tag.lower()) or (tag if tag.isupper() and len(tag) <= 10 else None)
    if agency is None:
        credit = _AGENCY_CREDIT.search(body)
        if credit:
            agency = NEWS_AGENCIES.get(credit.group("agency").lower(), credit.group("agency"))
    if place is None and agency is None:
        return None
    return {"place": place, "agency": agency}


_AUTHOR_NOISE = re.compile(
    r"\b(email the author|follow (him|her|them|on \w+)|view all posts|staff writer|senior (writer|editor|reporter)|"
    r"correspondent|contributor|editor|reporter|writer|kontributor|wartawan|penulis|redaksi|tim redaksi|"
    r"twitter|facebook|instagram)\b.*$",
    re.IGNORECASE,
)
_AUTHOR_PREFIX = re.compile(r"^\s*(by|oleh|penulis|reporter|editor|author|written by)\s*:?\s+", re.IGNORECASE)


def clean_authors(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in re.split(r"\s*(?:;|\||,|\band\b|\bdan\b|&)\s*", value or ""):
            name = _AUTHOR_PREFIX.sub("", part)
            name = _AUTHOR_NOISE.sub("", name).strip(" -–—,.:@")
            name = re.sub(r"\s+", " ", name)
            n_words = len(name.split())
            if not name or n_words > 5 or "http" in name or "@" in name or any(ch.isdigit() for ch in name):
                continue
            if name.lower() in {n.lower() for n in out}:
                continue
            out.append(name)
    return out[:10]


_TITLE_SUFFIX = re.compile(r"\s+(?:[|·•–—-]|::)\s+[^|·•–—]{2,60}$")


def clean_title(title: str | None, site_name: str | None) -> str | None:
    """Drop a trailing " | Site" or " - Site" that pages append to their titles."""
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip()
    m = _TITLE_SUFFIX.search(title)
    if m and len(title) - len(m.group(0)) >= 15:
        tail = m.group(0).strip(" |·•–—-:").lower()
        site = (site_name or "").lower()
        if not site or tail in site or site in tail or len(tail.split()) <= 3:
            title = title[: m.start()].strip()
    return title or None


_STOPWORDS = frozenset(
    """
    yang dan di ke dari ini itu dengan untuk pada dalam tidak akan juga ada adalah oleh sebagai karena telah sudah
    bisa dapat atau saat para lebih kata ujar menurut mereka kami kita ia dia anda saya tersebut namun tetapi serta
    agar bahwa hingga sejak seperti antara setelah sebelum masih harus bagi tak pun lagi hanya baru banyak sangat
    satu dua tiga tahun bulan hari jam pukul senin selasa rabu kamis jumat sabtu minggu wib hal secara terus kali
    jadi yakni yaitu maupun ketika sementara kemudian selain nya punya sendiri menjadi membuat melakukan mengatakan
    the a an and or of to in on for with at by from as is was were are be been being that this these those it its
    he she they we you i his her their our not but if so than then there here has have had will would can could
    said says also about into over after before more most other some such no only just up out new one two year
    who what which when where how all any each may might must should do does did while per
    """.split()
)


def keywords(title: str | None, body: str, entity_names: list[str], limit: int = 10) -> list[str]:
    """Terms that characterise the article: entities first, then frequent content words."""
    text = f"{title or ''}\n{body}"
    tokens = [w.lower() for w in words(text)]
    counts = Counter(t for t in tokens if len(t) > 3 and t not in _STOPWORDS and not t.isdigit())
    title_tokens = {w.lower() for w in words(title or "")}
    scored: Counter = Counter()
    for term, c in counts.items():
        scored[term] = c * (2.0 if term in title_tokens else 1.0)
    out: list[str] = []
    for name in entity_names:
        low = name.lower()
        if low not in out and text.lower().count(low) >= 2:
            out.append(low)
        if len(out) >= limit // 2:
            break
    covered = {w for k in out for w in k.split()}
    for term, _ in scored.most_common():
        if len(out) >= limit:
            break
        if term not in covered:
            out.append(term)
    return out


def lead(paragraphs: list[str], max_chars: int = 400) -> str:
    """The opening of the article: its first paragraph, cut at a sentence end when long."""
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if len(first) <= max_chars:
        return first
    cut = max(first.rfind(". ", 0, max_chars), first.rfind("? ", 0, max_chars), first.rfind("! ", 0, max_chars))
    return first[: cut + 1] if cut > 80 else first[:max_chars].rsplit(" ", 1)[0] + "…"
