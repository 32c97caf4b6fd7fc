"""workers.core.dates: date values in Indonesian and English, relative dates, dates in URLs."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from workers.core import dates
from workers.core.records import rfc3339

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Sabtu, 28 Oktober 2023", "2023-10-28T00:00:00Z"),
        ("Selasa, 21 Okt 2025 20:43 WIB", "2025-10-21T13:43:00Z"),
        ("Selasa (21/10/2025)", "2025-10-21T00:00:00Z"),
        ("21/10/2025 08:15 WITA", "2025-10-21T00:15:00Z"),
        ("Kamis, 3 Juli 2025 10:00 WIT", "2025-07-03T01:00:00Z"),
        ("October 28, 2023 8:03 AM ET", "2023-10-28T12:03:00Z"),
        ("2023-10-28T08:03:27Z", "2023-10-28T08:03:27Z"),
        ("2023-10-28T15:03:27+07:00", "2023-10-28T08:03:27Z"),
        ("2 jam yang lalu", "2025-11-05T10:00:00Z"),
        ("3 hours ago", "2025-11-05T09:00:00Z"),
    ],
)
def test_dates(value, expected):
    assert rfc3339(dates.parse_value(value, now=NOW)) == expected


def test_dates_updated_label_and_url():
    found = dates.find_dates("Sabtu, 28 Oktober 2023 | 0 Views Last Updated 2023-10-28T08:03:27Z", now=NOW)
    assert [f.updated for f in found] == [False, True]
    assert dates.from_url("https://x.example/2024/02/29/story") == datetime(2024, 2, 29, tzinfo=UTC)
    assert dates.from_url("https://x.example/d-8171947/story") is None


def test_dates_reject_implausible():
    assert dates.parse_value("31/02/2025") is None
    assert dates.find_dates("in 2099-01-01 we", now=NOW) == []


def _every_char():
    return (chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_name_search_premises_hold_for_every_code_point():
    """The name-first patterns are tried only where a name starts in the lower-cased text (dates._matches).
    That finds every match when no character outside ASCII matches an ASCII letter under re.IGNORECASE
    but those of _FOLDS_TO_ASCII, no other changes length when lower-cased, and lower-casing keeps \\w."""
    letter = re.compile(r"[a-z]", re.IGNORECASE)
    word = re.compile(r"\w")
    odd = {ch for ch in _every_char() if (not ch.isascii() and letter.fullmatch(ch)) or len(ch.lower()) != 1}
    assert odd == {ch for ch in _every_char() if dates._FOLDS_TO_ASCII.fullmatch(ch)}
    assert all(bool(word.match(ch)) == bool(word.match(ch.lower())) for ch in _every_char() if ch not in odd)


_DATE_BITS = ["Senin", "SELASA", "rabu", "Kamis,", "Jum'at", "sabtu (", "Minggu, ", "Tuesday, ", "Oct. ", "Oktober ",
              "mei", "(20/10)", "21/10/2025", " 21 ", "2025", "12:30 WIB", "desa", "saat", "_senin", "xsenin", "ſenin",
              "\u0130", "K", "ı", "-", " ", "\n", ", ", "2024-03-01", "Mar 5, 2024", "5 March 2024", "Sun", "sun"]


def test_name_first_patterns_find_what_the_plain_search_finds(monkeypatch):
    rnd = random.Random(3)
    texts = ["".join(rnd.choice(_DATE_BITS) for _ in range(rnd.randrange(1, 30))) for _ in range(3000)]
    texts += ["Senin (20/10)", "senin (20/10) Selasa, 21 Oktober", "xSenin (20/10)", "Tuesday, Oct. 21",
              "ſenin (20/10)", "Kamis, 23 Oktober pukul 10.00 WIB"]
    now = datetime(2025, 11, 1, tzinfo=UTC)
    fast = [dates.find_dates(t, now=now) for t in texts]
    monkeypatch.setattr(dates, "_FOLDS_TO_ASCII", re.compile(""))  # every text the plain way
    plain = [dates.find_dates(t, now=now) for t in texts]
    assert fast == plain
    assert sum(map(len, plain)) > 1000  # the texts do hold dates
