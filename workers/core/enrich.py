"""Enrichment helpers: dateline, authors, title, keywords, lead.

Every pattern here meets untrusted text and runs in linear time: white space is collapsed before
the author patterns run, and the dateline patterns read only the opening of the first paragraph
(tests/test_linear_time.py).
"""

from __future__ import annotations

import re
from collections import Counter

from .gazetteer import NEWS_AGENCIES
from .records import Dateline
from .text import words

_MONTH_ABBR = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Januari|Februari|Maret|April|Mei|Juni|Juli|"
               r"Agustus|Oktober|Desember|January|February|March|June|July|August|September|October|November|December)")
# "JAKARTA (Reuters) -", "Jakarta, CNN Indonesia --", "WASHINGTON —", "HAYWARD, Calif. (AP) —",
# "LONDON, Nov 20 (Reuters) -", "Washington, DC, United States:", "Jakarta (ANTARA) -"
_PLACE = r"[A-Z][A-Za-z.'’-]*(?:\s[A-Z][A-Za-z.'’-]*){0,3}"
_DATELINE = re.compile(
    r"^\s*(?P<place>" + _PLACE + r")"
    r"(?:\s*,\s*(?P<region>[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*){0,2}))?"
    r"(?:\s*,\s*(?P<outlet>[A-Za-z][\w.]*(?:\s[A-Za-z][\w.]*){0,3}?))?"
    r"(?:\s*,?\s*" + _MONTH_ABBR + r"\.?\s+\d{1,2})?"
    r"\s*(?:\((?P<agency>[^)]{2,30})\))?\s*(?:--|—|–|-|:)\s+\S"
)
# A dateline opens the first paragraph: "HAYWARD, Calif., Nov. 20 (AP) — " has 34 characters.
_DATELINE_CHARS = 160
# "(CNN) President ...", "Hong Kong (CNN Business) A muddled view ...": a credit without a dash.
_CREDIT_START = re.compile(
    r"^\s*(?:(?P<place>" + _PLACE + r")\s*)?\((?P<agency>[A-Za-z][\w .&/-]{1,30})\)\s*[—–-]*\s*[A-Z\"“]")
_AGENCY_NAMES = (r"AFP|Reuters|AP|Associated Press|Antara|ANTARA|Bloomberg|Xinhua|Kyodo|Bernama|Yonhap|dpa|EFE|"
                 r"ANSA|TASS|UPI|Anadolu|Anadolu Agency|RIA Novosti|Interfax|WAFA|SPA|IRNA|KCNA|PTI|ANI|"
                 r"Agence France-Presse")
_AGENCY_CREDIT = re.compile(
    r"(?:\b(?:melansir|dilansir(?: dari)?|mengutip|dikutip dari|seperti dikutip(?: dari)?|"
    r"sebagaimana dilansir(?: dari)?|seperti dilansir(?: dari)?|menurut|laporan|kata .{0,40}? kepada|"
    r"ujar(?:nya)? .{0,40}? kepada|according to|told|"
    r"reported by|via|said in a statement to|(?:the )?news agency)\s+(?:kantor berita\s+|the\s+|news agency\s+)?"
    r"(?P<agency>" + _AGENCY_NAMES + r")\b"
    r"|\b(?P<agency2>" + _AGENCY_NAMES + r")\s+(?:reported|melaporkan|memberitakan|said|news agency)\b"
    r"|\((?P<agency3>" + _AGENCY_NAMES + r")(?:/[A-Za-z]+)*\)\s*$)"
)


def _agency(tag: str | None) -> str | None:
    tag = (tag or "").strip()
    if not tag:
        return None
    low = tag.lower()
    if low in NEWS_AGENCIES:
        return NEWS_AGENCIES[low]
    first = low.split("/")[0].split()[0] if low.split() else ""
    if first in NEWS_AGENCIES:  # "CNN Business", "AFP/Reuters"
        return NEWS_AGENCIES[first]
    return tag if tag.isupper() and len(tag) <= 10 else None


def dateline(first_paragraph: str, body: str) -> Dateline | None:
    """Place and agency of the dateline, with the agency also taken from a credit in the text."""
    place = agency = None
    opening = first_paragraph[:_DATELINE_CHARS]
    m = _DATELINE.match(opening)
    if m and len(m.group("place")) <= 40 and not _looks_like_sentence(m.group("place")):
        place = m.group("place").strip()
        agency = _agency(m.group("agency"))
    else:
        c = _CREDIT_START.match(opening)
        if c:
            agency = _agency(c.group("agency"))
            if agency and c.group("place") and not _looks_like_sentence(c.group("place")):
                place = c.group("place").strip()
    if place:
        place = place.title() if place.isupper() else place
    if agency is None:
        for credit in _AGENCY_CREDIT.finditer(body):
            tag = credit.group("agency") or credit.group("agency2") or credit.group("agency3")
            agency = NEWS_AGENCIES.get(tag.lower(), tag)
            break
    if place is None and agency is None:
        return None
    return {"place": place, "agency": agency}


def _looks_like_sentence(place: str) -> bool:
    """"Presiden Prabowo" before a dash is a subject, not a place: datelines are places."""
    words = place.split()
    return any(w.lower().strip(".") in _NOT_PLACE for w in words)


_NOT_PLACE = frozenset(
    [
        "presiden", "menteri", "gubernur", "kata", "ujar", "the", "a", "an", "this", "that", "he", "she", "they",
        "it", "we", "i", "but", "and", "or", "said", "says", "according", "menurut", "namun", "sementara", "selain",
        "jadi", "itu", "ini", "dia", "ia", "mereka", "kami", "update", "updated", "editor", "reporter", "oleh", "by"
    ]
)


_AUTHOR_NOISE = re.compile(
    r"\b(email the author|e-mail the author|follow (him|her|them|on \w+)|view all posts|more by|more from|"
    r"read more|see all|all articles|profile|staff writer|staff reporter|senior (writer|editor|reporter|correspondent)|"
    r"(chief |senior |political |foreign |white house |washington |business |economics |health |science |sports )?"
    r"(correspondent|columnist|contributor|editor|reporter|writer|photographer|producer|anchor|analyst|intern|"
    r"fellow|bureau chief|journalist|news editor|managing editor|editor-at-large|contributing writer)s?|"
    r"kontributor|wartawan|jurnalis|penulis|redaksi|tim redaksi|redaktur|fotografer|koresponden|pewarta|"
    r"twitter|facebook|instagram|linkedin|updated|published|diperbarui|dipublikasikan)\b.*$",
    re.IGNORECASE,
)
_AUTHOR_PREFIX = re.compile(
    r"^\s*(by|oleh|penulis|reporter|editor|author|written by|words by|story by|laporan)\s*:?\s+", re.IGNORECASE)
_NOT_AUTHOR = frozenset({"admin", "administrator", "redaksi", "tim redaksi", "newsroom", "staff", "news desk",
                         "web desk", "editorial board", "editors", "unknown", "anonymous", "tim",
                         "the associated press", "associated press"})


# A by-line of several names with roles fits in this; longer values are not author fields.
MAX_AUTHOR_CHARS = 2048
_PARENTHESIS = re.compile(r"\([^()]*+\)")
_AUTHOR_CLAUSE = re.compile(r" (?:is|adalah|merupakan) ")
_AUTHOR_SPLIT = re.compile(r" ?(?:;|\||,|/|\band\b|\bdan\b|&) ?| [-–—] ")


def clean_authors(values: list[str]) -> list[str]:
    """Names only: no "By", no job titles, no "Email the author", no links, handles or dates."""
    out: list[str] = []
    for value in values[:100]:
        if not value or len(value) > MAX_AUTHOR_CHARS:
            continue
        # One space for every run of white space (a line break separates names): the patterns
        # below then meet no run to backtrack over.
        value = " ".join(value.replace("\n", ";").split())
        value = _PARENTHESIS.sub(" ", value)  # "Jane Doe (AP)"
        value = " ".join(value.split())
        value = _AUTHOR_CLAUSE.split(value)[0]  # "Jane Doe is a reporter at ..."
        for part in _AUTHOR_SPLIT.split(value):
            name = _AUTHOR_PREFIX.sub("", part)
            name = _AUTHOR_NOISE.sub("", name).strip(" -–—,.:@·•")
            name = " ".join(name.split())
            n_words = len(name.split())
            if (not name or n_words > 5 or "http" in name or "@" in name or "www." in name
                    or any(ch.isdigit() for ch in name) or name.lower() in _NOT_AUTHOR
                    or not name[0].isupper() or ".com" in name.lower()):
                continue
            if name.isupper() and len(name) > 3:
                name = name.title()  # "JANE DOE"
            if name.lower() in {n.lower() for n in out}:
                continue
            out.append(name)
    return out[:10]


_TITLE_SUFFIX = re.compile(r" (?:[|·•–—-]|::) [^|·•–—]{2,60}$")
# Longer "titles" are body text or garbage (the raw schema allows 2,048 characters).
MAX_TITLE_CHARS = 2048


def clean_title(title: str | None, site_name: str | None) -> str | None:
    """Drop a trailing " | Site" or " - Site" that pages append to their titles."""
    if not title or len(title) > MAX_TITLE_CHARS:
        return None
    title = " ".join(title.split())
    m = _TITLE_SUFFIX.search(title)
    if m and len(title) - len(m.group(0)) >= 15:
        tail = m.group(0).strip(" |·•–—-:").lower()
        site = (site_name or "").lower()
        if not site or tail in site or site in tail or len(tail.split()) <= 3:
            title = title[: m.start()].strip()
    return title or None


_STOPWORDS = frozenset(
    [
        "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "dalam", "tidak", "akan", "juga",
        "ada", "adalah", "oleh", "sebagai", "karena", "telah", "sudah", "bisa", "dapat", "atau", "saat", "para",
        "lebih", "kata", "ujar", "menurut", "mereka", "kami", "kita", "ia", "dia", "anda", "saya", "tersebut",
        "namun", "tetapi", "serta", "agar", "bahwa", "hingga", "sejak", "seperti", "antara", "setelah", "sebelum",
        "masih", "harus", "bagi", "tak", "pun", "lagi", "hanya", "baru", "banyak", "sangat", "satu", "dua", "tiga",
        "tahun", "bulan", "hari", "jam", "pukul", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu",
        "wib", "hal", "secara", "terus", "kali", "jadi", "yakni", "yaitu", "maupun", "ketika", "sementara",
        "kemudian", "selain", "nya", "punya", "sendiri", "menjadi", "membuat", "melakukan", "mengatakan", "the", "a",
        "an", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "as", "is", "was", "were",
        "are", "be", "been", "being", "that", "this", "these", "those", "it", "its", "he", "she", "they", "we", "you",
        "i", "his", "her", "their", "our", "not", "but", "if", "so", "than", "then", "there", "here", "has", "have",
        "had", "will", "would", "can", "could", "said", "says", "also", "about", "into", "over", "after", "before",
        "more", "most", "other", "some", "such", "no", "only", "just", "up", "out", "new", "one", "two", "year",
        "who", "what", "which", "when", "where", "how", "all", "any", "each", "may", "might", "must", "should", "do",
        "does", "did", "while", "per"
    ]
)


def keywords(title: str | None, body: str, entity_names: list[str], limit: int = 10,
             given: list[str] | None = None, body_words: list[str] | None = None) -> list[str]:
    """Terms that characterise the article: the page's own keywords that the text uses, then the
    entities named at least twice, then frequent content words (title words count double).
    ``body_words``: ``words(body)`` when the caller has it (no word spans a line break, so the words of
    title + "\n" + body are the title's, then the body's)."""
    text = f"{title or ''}\n{body}"
    title_words = words(title or "")
    tokens = [w.lower() for w in title_words + (words(body) if body_words is None else body_words)]
    counts = Counter(t for t in tokens if len(t) > 3 and t not in _STOPWORDS and not t.isdigit())
    title_tokens = {w.lower() for w in title_words}
    scored: Counter[str] = Counter()
    for term, c in counts.items():
        scored[term] = c * (2 if term in title_tokens else 1)
    out: list[str] = []
    low_text = text.lower()
    for kw in given or []:
        kw = re.sub(r"\s+", " ", kw).strip().lower()
        if kw and kw not in out and len(kw) <= 60 and kw in low_text:
            out.append(kw)
        if len(out) >= limit // 2:
            break
    for name in entity_names:
        low = name.lower()
        if low not in out and low_text.count(low) >= 2:
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
