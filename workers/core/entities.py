"""Named entities (persons, organisations, locations) by capitalised spans and cues.

A rule-based tagger: offline, fast, and the same for Indonesian and English.
Runs of capitalised words are cut into pieces at gazetteer places and weak
connectors ("dan", "di", "and"), stripped of titles and roles, then typed by, in
order: the gazetteers, telling words in the piece (Kementerian, Bank,
University...), a title or role just before it (Presiden, Menteri, Mr...), a
speech verb just after it (ujar, said...), and its shape. Mentions of a person
by surname fold into the full name.
"""

from __future__ import annotations

import re
from collections import Counter

from .gazetteer import KNOWN_ORGS, LOCATIONS, ORG_WORDS, PERSON_CUES, ROLE_WORDS, SPEECH_AFTER, STOP_CAPS

_TOKEN = r"(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][\w'’-]*\w|[A-Z]{2,}|[A-Z])"
_NAME_LINK = r"(?:bin|binti|van|von|de|der|da|al|el|of|for|and|dan|di|&)"
_SPAN = re.compile(rf"(?<![\w]){_TOKEN}(?:(?:\s+|\s+{_NAME_LINK}\s+|-){_TOKEN})*")
_SENT_START = re.compile(r"(?:^|[.!?:\"“”(]\s*|\n)\s*$")
_WEAK_LINKS = {"dan", "and", "&", "di"}  # join two names, never inside one
_ORG_LINKS = {"of", "for"}  # inside organisation names only
_KEYS = {"person": "persons", "organization": "organizations", "location": "locations"}


def _low(words: list[str]) -> str:
    return " ".join(words).strip(" .,'’-").lower()


def _pieces(words: list[str]) -> list[tuple[int, list[str]]]:
    """Cut a run of words into candidate names: (index of first word, words)."""
    out: list[tuple[int, list[str]]] = []
    has_org_word = any(w.lower() in ORG_WORDS for w in words)
    start = 0
    i = 0
    while i < len(words):
        w = words[i].lower()
        if w in _WEAK_LINKS or (w in _ORG_LINKS and not has_org_word):
            if i > start:
                out.append((start, words[start:i]))
            start = i + 1
        elif not has_org_word:
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


def _strip_titles(words: list[str]) -> tuple[list[str], bool]:
    """Drop leading titles and roles; say whether a person title was seen."""
    titled = False
    while len(words) > 1:
        w = words[0].lower().strip(".")
        if w in PERSON_CUES:
            titled = True
        elif w in ROLE_WORDS or w in STOP_CAPS:
            pass
        elif len(words) > 2 and " ".join(words[:2]).lower() in PERSON_CUES:
            titled = True
            words = words[1:]
        else:
            break
        words = words[1:]
    return words, titled


def _type_of(words: list[str], titled: bool, before: str, after: str) -> str | None:
    low = _low(words)
    if low in LOCATIONS:
        return "location"
    if low in KNOWN_ORGS or any(w.lower() in ORG_WORDS for w in words):
        return "organization"
    prev = before.split()[-1:] if before.strip() else []
    if titled or (prev and prev[0].lower().strip(".") in PERSON_CUES):
        return "person"
    nxt = after.split()[:1]
    if nxt and nxt[0].lower().strip(",.") in SPEECH_AFTER and len(words) >= 2:
        return "person"
    name = " ".join(words)
    if name.replace(".", "").isupper() and 2 <= len(name) <= 8:
        return "organization"  # acronyms in news are mostly institutions
    if 2 <= len(words) <= 4 and all(w[0].isupper() and not w.isupper() for w in words):
        return "person"
    return None


def extract(text: str, max_per_type: int = 25) -> dict[str, list[str]]:
    counts: dict[str, Counter] = {k: Counter() for k in _KEYS.values()}
    order: dict[str, int] = {}
    for m in _SPAN.finditer(text):
        words = m.group(0).split()
        before_text = text[max(0, m.start() - 40) : m.start()]
        sentence_start = bool(_SENT_START.search(before_text))
        for offset, piece in _pieces(words):
            first_word = offset == 0 and sentence_start
            name_words, titled = _strip_titles(list(piece))
            if not name_words or all(w.lower() in STOP_CAPS or w.lower() in ROLE_WORDS for w in name_words):
                continue
            before = " ".join(words[:offset] + piece[: len(piece) - len(name_words)])
            before = (before_text + " " + before) if before else before_text
            after = text[m.end() : m.end() + 30] if offset + len(piece) == len(words) else ""
            kind = _type_of(name_words, titled, before, after)
            if kind is None or (first_word and len(name_words) == 1 and kind != "location" and not titled
                                and _low(name_words) not in KNOWN_ORGS):
                continue
            name = " ".join(name_words).strip(" ,")
            counts[_KEYS[kind]][name] += 1
            order.setdefault(name, m.start())
    persons = _fold_persons(counts["persons"])
    person_set = set(persons)
    out = {
        "persons": persons,
        "organizations": [n for n in counts["organizations"] if n not in person_set],
        "locations": [n for n in counts["locations"] if n not in person_set],
    }
    return {k: sorted(v, key=lambda n: order.get(n, 0))[:max_per_type] for k, v in out.items()}


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
