"""Named entities (persons, organisations, locations) by capitalised spans and evidence.

A rule-based tagger: offline, fast, and the same for Indonesian and English.

1. Runs of capitalised words are found in the prose. Headline-like lines (the
   title, Title Case subheadings) are read too, but a name found only there
   must be known (gazetteer, institution morphology) or also named in the prose:
   "Prabowo Klaim Ekonomi-Inflasi RI Terbaik" is capitalised throughout.
2. A run is cut at weak connectors ("dan", "di", "and") and at known places,
   stripped of leading titles and roles ("Menteri Dalam Negeri", "Gubernur"),
   and a titled run that ends in a name is split into its institution and the
   person: "Kepala BPS Amalia Adininggar Widyasanti" -> BPS + Amalia ...
3. Each piece is typed by evidence, strongest first: gazetteers; telling words
   and institution morphology (Kementerian, Universitas, Kemen*, Polres*,
   Inc, University, City); a title or role before it; a speech verb before or
   after it ("kata Tito", "Tito said"); an age after it ("Colleen Hoffman (69)");
   an acronym defined after it ("Badan Pusat Statistik (BPS)"); acronyms are
   institutions. Without evidence, a run of two to four capitalised words is a
   person only in languages that do not capitalise common nouns in terms
   (not Indonesian or Malay), and only if none of its words occurs in lower case
   in the same text.
4. Across the document: a word used alone as a person's name makes the full
   names containing it persons, and surname mentions fold into the full name.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .gazetteer import (
    KNOWN_ORGS,
    LOC_HEAD_WORDS,
    LOC_TAIL_WORDS,
    LOCATIONS,
    NON_ORG_CAPS,
    NOT_PERSON_WORDS,
    ORG_HEAD_WORDS,
    ORG_WORDS,
    PERSON_CUES,
    ROLE_WORDS,
    SPEECH_AFTER,
    SPEECH_BEFORE,
    STOP_CAPS,
    is_org_morph,
    is_person_cue,
)
from .records import Entities

_TOKEN = r"(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][\w'’-]*\w|[A-Z]{2,}|[A-Z])"
_NAME_LINK = r"(?:bin|binti|van|von|de|der|da|al|el|of|for|and|dan|di|&)"
_SPAN = re.compile(rf"(?<![\w]){_TOKEN}(?:(?:\s+|\s+{_NAME_LINK}\s+|-){_TOKEN})*")
_SENT_START = re.compile(r"(?:^|[.!?:\"“”(]\s*|\n)\s*$")
_WEAK_LINKS = {"dan", "and", "&", "di"}  # join two names, never inside one
_ORG_LINKS = {"of", "for"}  # inside organisation names only
_KEYS = {"person": "persons", "organization": "organizations", "location": "locations"}
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,9}$")
_ROMAN = re.compile(r"^(?=[IVXLC]+$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_REDUPLICATED = re.compile(r"^([^\W\d_]+)-\1$", re.IGNORECASE)  # "Bapak-bapak", "Anak-anak": plural nouns
_AGE_AFTER = re.compile(r"^\s*\(\s*\d{1,3}\s*(?:th|tahun|thn)?\s*\)")
_ACRONYM_AFTER = re.compile(r"^\s*\(\s*([A-Z][A-Za-z0-9&-]{1,11})\s*\)")
_NAMED_BEFORE = re.compile(r"(?:bernama|berinisial|alias|disapa|sapaan|panggilan|named|called)\s*$", re.IGNORECASE)
_ROLE_AFTER = re.compile(r"^\s*[,.]\s*([^\W\d_]+)")
_APPOSITIVE_GAP = re.compile(r"\s*(?:\(\s*[^()]{1,20}\)\s*,?|,)\s*")
_APPOSITIVE_MAX = 40  # the longest gap it matches, with spaces collapsed: only a gap this short is looked at
_LOWER_WORD = re.compile(r"(?<![\w.!?]\s)(?<!^)\b([a-z][a-z'’-]+)\b")


def _low(words: list[str]) -> str:
    return " ".join(words).strip(" .,'’-").lower()


@lru_cache(maxsize=1 << 16)  # a pure test of one word, asked for the same words again and again
def _is_acronym(word: str) -> bool:
    w = word.replace(".", "")
    return bool(_ACRONYM.match(w)) and not _ROMAN.match(w) and w.lower() not in NON_ORG_CAPS


@lru_cache(maxsize=1 << 16)  # a pure test of one word, asked for the same words again and again
def _org_shaped(word: str) -> bool:
    low = word.lower()
    return low in ORG_WORDS or low in KNOWN_ORGS or is_org_morph(low)


@lru_cache(maxsize=1 << 16)  # a pure test of one word, asked for the same words again and again
def _name_like(word: str) -> bool:
    """A word that can be part of a person's name."""
    low = word.lower().strip(".")
    return (word[:1].isupper() and not word.isupper() and not _REDUPLICATED.match(word)
            and low not in ORG_WORDS and low not in ROLE_WORDS and low not in STOP_CAPS and not is_person_cue(low)
            and low not in LOCATIONS and low not in KNOWN_ORGS and not is_org_morph(low)
            and low not in LOC_HEAD_WORDS and not any(ch.isdigit() for ch in word) and not _ID_CIRCUMFIX.match(low))


def _pieces(words: list[str]) -> list[tuple[int, list[str]]]:
    """Cut a run of words into candidate names: (index of first word, words). The result is shared: read only."""
    return _cut_cached(tuple(words)) if len(words) <= _CACHED_WORDS else _cut(tuple(words))


# Runs and names of up to this many words are cached: names are shorter, and a long run (a line of
# capitalised words) would pin its text in the cache.
_CACHED_WORDS = 8


def _cut(run: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    words = list(run)
    out: list[tuple[int, list[str]]] = []
    has_org_word = any(_org_shaped(w) for w in words)
    start = 0
    i = 0
    while i < len(words):
        w = words[i].lower()
        if w == "dan" and _joins_org(words[start:i], words[i + 1 :]):
            i += 1
            continue
        if w in _WEAK_LINKS or (w in _ORG_LINKS and not has_org_word):
            if i > start:
                out.append((start, words[start:i]))
            start = i + 1
        elif not has_org_word and words[start].lower() not in LOC_HEAD_WORDS:
            # A known place inside a longer run ("China Xi Jinping") stands on its own.
            for n in (3, 2, 1):
                if i + n <= len(words) and _low(words[i : i + n]) in LOCATIONS and (i > start or i + n < len(words)):
                    if i > start:
                        out.append((start, words[start:i]))
                    out.append((i, words[i : i + n]))
                    start = i + n
                    i += n - 1
                    break
        i += 1
    if start < len(words):
        out.append((start, words[start:]))
    return out


_cut_cached = lru_cache(maxsize=1 << 14)(_cut)  # pure: the same runs come back article after article


def _joins_org(left: list[str], right: list[str]) -> bool:
    """"Kementerian Perumahan dan Kawasan Permukiman" is one name; "BPS dan KSP" are two."""
    if not left or not right or left[0].lower() not in ORG_HEAD_WORDS and not is_org_morph(left[0]):
        return False
    rest = []
    for w in right:
        if w.lower() in _WEAK_LINKS:
            break
        rest.append(w)
    return bool(rest) and not any(_org_shaped(w) or _is_acronym(w) or is_person_cue(w) for w in rest) \
        and _low(rest) not in LOCATIONS


def _strip_titles(words: list[str]) -> tuple[list[str], bool]:
    """Drop leading titles and roles; say whether a person title was seen."""
    titled = False
    while len(words) > 1:
        w = words[0].lower().strip(".")
        if is_person_cue(w):
            titled = True
        elif len(words) > 2 and " ".join(words[:2]).lower() in PERSON_CUES:
            titled = True
            words = words[1:]
        elif w in SPEECH_BEFORE:  # '"...," Kata Komjen Dedi Prasetyo' at a line start
            titled = True
        elif w in ROLE_WORDS or w in STOP_CAPS or _REDUPLICATED.match(w):
            pass
        else:
            break
        words = words[1:]
    return words, titled


def _split_person_tail(words: list[str]) -> tuple[list[str], list[str]]:
    """"BPS Amalia Adininggar Widyasanti" -> (["BPS"], ["Amalia", "Adininggar", "Widyasanti"]);
    "Mallusetasi AKP Iriansyah" -> (["Mallusetasi"], ["Iriansyah"]): a rank or title right before the
    name marks where it starts, even for a one-word name."""
    k = len(words)
    while k > 0 and _name_like(words[k - 1]):
        k -= 1
    tail = words[k:]
    if not tail or k == 0:
        return words, []
    if is_person_cue(words[k - 1]):
        head = words[: k - 1]
        while head and is_person_cue(head[-1]):
            head = head[:-1]
        return head, tail
    if len(tail) < 2:
        return words, []
    return words[:k], tail


def _trim_head(words: list[str]) -> list[str]:
    """"Hewan Kementerian Pertanian" -> "Kementerian Pertanian": an institution starts at its telling word."""
    for i, w in enumerate(words):
        if w.lower() in ORG_HEAD_WORDS or is_org_morph(w) or _is_acronym(w) or w.lower() in KNOWN_ORGS:
            return words[i:]
    return words


def _type_of(words: list[str], titled: bool, before: str, after: str, prose_lower: set[str], lang: str | None,
             prose_caps: Counter | None = None) -> tuple[str | None, bool]:
    """(type, strong evidence?)"""
    shaped = _shape_type(words)
    if shaped:
        return shaped, True
    person_ok = len(words) <= 5 and all(_name_like(w) or w.lower() in {"bin", "binti", "van", "von", "de", "al"} or
                                         re.fullmatch(r"[A-Z]\.?", w) for w in words)
    if person_ok and _person_context(words, titled, before, after):
        return "person", True
    if _ACRONYM_AFTER.match(after) and len(words) >= 2:
        return "organization", True  # "Badan Pusat Statistik (BPS)": defined names are institutions
    if person_ok and _unmarked_person(words, prose_lower, lang, prose_caps if prose_caps is not None else Counter()):
        return "person", False
    return None, False


def _shape_type(words: list[str]) -> str | None:
    """The type that the words themselves tell: gazetteers, institution and place morphology, acronyms."""
    return _shape_cached(tuple(words)) if len(words) <= _CACHED_WORDS else _shape_of(tuple(words))


def _shape_of(run: tuple[str, ...]) -> str | None:
    words = list(run)
    low = _low(words)
    if low in LOCATIONS:
        return "location"
    if low in KNOWN_ORGS or any(_org_shaped(w) for w in words):
        return "organization"
    first, last = words[0].lower(), words[-1].lower().strip(".")
    if (first in LOC_HEAD_WORDS and len(words) >= 2) or (last in LOC_TAIL_WORDS and len(words) >= 2):
        return "location"
    if len(words) == 1 and _is_acronym(words[0]):
        return "organization"
    return None


_shape_cached = lru_cache(maxsize=1 << 14)(_shape_of)  # pure: asked for the same names again and again


def _person_context(words: list[str], titled: bool, before: str, after: str) -> bool:
    """A title or role, a speech verb or an age around the name."""
    prev = before.split()[-1:] if before.strip() else []
    prev_word = prev[0].lower().strip(".,()\"“”") if prev else ""
    nxt = after.split()[:1]
    nxt_word = nxt[0].lower().strip(",.:;\"”") if nxt else ""
    if titled or is_person_cue(prev_word) or prev_word in SPEECH_BEFORE or _NAMED_BEFORE.search(before):
        return True
    if nxt_word in SPEECH_AFTER or _AGE_AFTER.match(after):
        return True
    role_after = _ROLE_AFTER.match(after)
    # "Priyanka Sachdeva, analis pasar ...", "Endang Tirtana.Pemerhati Politik"
    return bool(role_after and is_person_cue(role_after.group(1)) and len(words) >= 2)


def _unmarked_person(words: list[str], prose_lower: set[str], lang: str | None, prose_caps: Counter) -> bool:
    """Two to four capitalised words never used in lower case: a name (in Indonesian, only if used again)."""
    if not (2 <= len(words) <= 4) or " ".join(words).isupper():
        return False
    if any(w.lower() in prose_lower for w in words) or any(w.lower() in NOT_PERSON_WORDS for w in words):
        return False
    if (lang or "") not in ("id", "ms"):
        return True
    # Indonesian capitalises terms ("Transaksi Elektronik"): a name must also be used again,
    # whole or in part ("Lisa Mariana" ... "kata Lisa"), and not look derived.
    return not any(_ID_DERIVED.match(w) for w in words) and any(prose_caps[w] >= 2 for w in words)


# Indonesian nouns made with a circumfix ("perjuangan", "kebersihan"): never parts of names.
_ID_CIRCUMFIX = re.compile(r"^(?:pe[nmr]?g?\w{3,}an|ke\w{3,}an)$", re.IGNORECASE)
# Indonesian derived nouns and verbs (pe-an, per-an, ke-an, me-, ber-, di-, ter-, -nya): common words, not names.
_ID_DERIVED = re.compile(
    r"^(?:pe[nmr]?g?\w{3,}an|ke\w{3,}an|me[nmr]\w{4,}|ber\w{4,}|di\w{4,}(?:kan|i)|ter\w{4,}|\w+nya)$", re.IGNORECASE)
def _headline_like(line: str) -> bool:
    """A Title Case line without a full stop: the title, a subheading, a promo line."""
    if line.rstrip().endswith((".", '."', ".”")):  # first: most prose lines end so, and it costs no word list
        return False
    ws = re.findall(r"[^\W\d_][\w'’-]*", line)
    if len(ws) < 3:
        return False
    caps = sum(1 for w in ws if w[0].isupper())
    return caps >= 0.7 * len(ws)


class _Found:
    """What one text names, gathered span by span (``extract``), then settled as a whole."""

    def __init__(self, prose: str, lang: str | None):
        self.lang = lang
        self.prose_lower = set(_LOWER_WORD.findall(prose))  # findall gives the pattern's one group
        self.prose_caps = Counter(re.findall(r"\b[A-Z][\w'’-]*\w", prose))
        self.counts: dict[str, Counter] = {k: Counter() for k in _KEYS.values()}
        self.order: dict[str, int] = {}
        self.weak: dict[str, str] = {}  # name -> type, found without strong evidence
        self.restricted: list[tuple[str, str | None]] = []  # (name, type) from headline-like lines
        self.person_words: set[str] = set()

    def add(self, name: str, kind: str, pos: int, strong: bool, headline: bool) -> None:
        name = name.strip(" ,.-'’")
        if not name or len(name) < 2:
            return
        if headline:  # everything is capitalised there: decided after the prose has been read
            self.restricted.append((name, kind))
            return
        if not strong:
            self.weak.setdefault(name, kind)
        self.counts[_KEYS[kind]][name] += 1
        self.order.setdefault(name, pos)
        if kind == "person" and strong:
            self.person_words.update(name.split())

    def read_segment(self, seg: str, base: int, headline: bool) -> None:
        """Every capitalised span of one line (or the title, ``base`` -1)."""
        last_cue_end = -10  # end of the last run that held a title or role ("Anggota Komisi XII DPR RI, Junaidi")
        for m in _SPAN.finditer(seg):
            words = m.group(0).split()
            # "Anggota Komisi XII DPR RI, Junaidi Auly", "Kepala Badan Pusat Statistik (BPS) Amalia ..."
            appositive = (last_cue_end >= 0 and m.start() - last_cue_end <= _APPOSITIVE_MAX
                          and bool(_APPOSITIVE_GAP.fullmatch(seg[last_cue_end : m.start()])))
            if any(is_person_cue(w) for w in words[:2]):
                last_cue_end = m.end()
            self._read_span(seg, m, words, base, headline, appositive)
            acronym_after = _ACRONYM_AFTER.match(seg[m.end() : m.end() + 16])
            if acronym_after and not headline:
                acr = acronym_after.group(1)
                if acr.lower() in LOCATIONS:
                    self.add(acr, "location", max(0, base) + m.start(), True, False)

    def _read_span(self, seg: str, m: re.Match, words: list[str], base: int, headline: bool,
                   appositive: bool) -> None:
        """The names in one capitalised span, piece by piece (a span may hold a title, a place and a name)."""
        before_text = seg[max(0, m.start() - 40) : m.start()]
        sentence_start = bool(_SENT_START.search(before_text))
        pos = max(0, base) + m.start()
        cue_seen = False  # "Menteri Luar Negeri China Wang Yi": the title reaches past the place
        for offset_in, piece in _pieces(words):
            if offset_in > 0 and words[offset_in - 1].lower() in _WEAK_LINKS:
                cue_seen = False
            name_words, titled = _strip_titles(list(piece))
            if not name_words or all(w.lower() in STOP_CAPS or w.lower() in ROLE_WORDS
                                     or is_person_cue(w) or _REDUPLICATED.match(w) for w in name_words):
                cue_seen = cue_seen or any(is_person_cue(w) for w in piece)
                continue
            if _low(name_words) in LOCATIONS and not titled:
                cue_seen = cue_seen or any(is_person_cue(w) for w in piece[: len(piece) - len(name_words)])
                self.add(" ".join(name_words), "location", pos, True, headline)
                continue
            titled = titled or cue_seen or (appositive and offset_in == 0)
            cue_seen = False
            more = offset_in + len(piece) < len(words) and words[offset_in + len(piece)].lower() not in _WEAK_LINKS
            if titled and len(name_words) == 1 and more:
                # "Direktur Eksekutif Poltracking | Indonesia | Hanta Yuda": the institution, then the name
                if _is_acronym(name_words[0]) or _org_shaped(name_words[0]) or _name_like(name_words[0]):
                    self.add(name_words[0], "organization", pos, True, headline)
                cue_seen = True
                continue
            before = " ".join(words[:offset_in] + piece[: len(piece) - len(name_words)])
            before = (before_text + " " + before) if before else before_text
            after = seg[m.end() : m.end() + 30] if offset_in + len(piece) == len(words) else ""
            self._add_piece(name_words, titled, before, after, pos, headline,
                            first_word=offset_in == 0 and sentence_start)

    def _add_piece(self, name_words: list[str], titled: bool, before: str, after: str, pos: int,
                   headline: bool, first_word: bool) -> None:
        head, tail = _split_person_tail(name_words) if titled else (name_words, [])
        if tail:
            head = _trim_head(head)
            kind, strong = _type_of(head, False, before, "", self.prose_lower, self.lang, self.prose_caps)
            if kind and kind != "person":
                self.add(" ".join(head), kind, pos, strong, headline)
            self.add(" ".join(tail), "person", pos, True, headline)
            return
        kind, strong = _type_of(name_words, titled, before, after, self.prose_lower, self.lang, self.prose_caps)
        if kind is None:
            return
        if kind == "organization" and not _org_shaped(name_words[0]) and len(name_words) > 1:
            name_words = _trim_head(name_words)
        if first_word and len(name_words) == 1 and not strong and kind != "location":
            return
        self.add(" ".join(name_words), kind, pos, strong, headline)

    def promote_weak_persons(self) -> None:
        """A weakly typed full name containing a word used as a person's name elsewhere is a person."""
        for name, kind in list(self.weak.items()):
            if kind != "person" and any(w in self.person_words for w in name.split()) and len(name.split()) <= 4:
                self.counts["persons"][name] += self.counts[_KEYS[kind]].pop(name, 0)

    def admit_headline_names(self) -> None:
        """Headline-only names: kept when known, or when the prose names the same entity."""
        known = {n.lower(): k for k, c in self.counts.items() for n in c}
        for name, kind in self.restricted:
            low = name.lower()
            if low in known:
                self.counts[known[low]][name] += 1
                self.order.setdefault(name, 10**9)
            elif kind in ("location", "organization") and (
                    low in LOCATIONS or low in KNOWN_ORGS or _is_acronym(name)
                    or (len(name.split()) <= 4 and (name.split()[0].lower() in ORG_HEAD_WORDS | LOC_HEAD_WORDS
                                                    or is_org_morph(name)))):
                self.counts[_KEYS[kind]][name] += 1
                self.order.setdefault(name, 10**9)

    def entities(self, max_per_type: int) -> Entities:
        persons = _fold_persons(self.counts["persons"])
        person_set = set(persons) | set(self.counts["persons"])

        def first_mentioned(names: list[str]) -> list[str]:
            return sorted(names, key=lambda n: self.order.get(n, 0))[:max_per_type]

        return {
            "persons": first_mentioned(persons),
            "organizations": first_mentioned([n for n in self.counts["organizations"] if n not in person_set]),
            "locations": first_mentioned([n for n in self.counts["locations"] if n not in person_set]),
        }


def extract(text: str, max_per_type: int = 25, title: str | None = None, lang: str | None = None) -> Entities:
    """Persons, organisations and locations named in ``text`` (and ``title``), in order of first mention."""
    lines = text.split("\n")
    headline_lines = [_headline_like(ln) for ln in lines]
    found = _Found("\n".join(ln for ln, h in zip(lines, headline_lines, strict=True) if not h), lang)
    if title:
        found.read_segment(title, -1, True)
    offset = 0
    for ln, headline in zip(lines, headline_lines, strict=True):
        found.read_segment(ln, offset, headline)
        offset += len(ln) + 1
    found.promote_weak_persons()
    found.admit_headline_names()
    return found.entities(max_per_type)


def _fold_persons(found: Counter) -> list[str]:
    """"Biden" next to "Joe Biden" is the same person: keep the full name only."""
    full = [n for n in found if len(n.split()) >= 2]
    out = []
    for name in found:
        parts = name.split()
        if len(parts) == 1 and any(name in f.split() for f in full):
            continue
        out.append(name)
    return out
