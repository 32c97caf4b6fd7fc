"""Dates in news text, metadata values and URLs, in Indonesian and English.

Everything is converted to UTC. A date without a time of day is reported as
midnight UTC of that calendar date, so the date itself never shifts.

The patterns meet untrusted text, so each runs in linear time: runs of white space
between optional parts are possessive (``\\s*+``), so that a date followed by 100,000
form feeds is read once, not once per way of splitting the run (tests/test_linear_time.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_MONTHS = {
    1: "januari january jan",
    2: "februari pebruari february feb peb",
    3: "maret march mar",
    4: "april apr",
    5: "mei may",
    6: "juni june jun",
    7: "juli july jul",
    8: "agustus august aug agu agt",
    9: "september sept sep",
    10: "oktober october oct okt",
    11: "november nopember nov nop",
    12: "desember december dec des",
}
MONTH = {name: num for num, names in _MONTHS.items() for name in names.split()}
_MONTH_RE = "|".join(sorted(MONTH, key=len, reverse=True))
_DAYS = (
    "senin selasa rabu kamis jumat jum'at sabtu minggu ahad "
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun"
)
_DAY_RE = "|".join(sorted(_DAYS.split(), key=len, reverse=True))

# Zone abbreviations seen in Indonesian and English news.
ZONES = {
    "wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0, "z": 0, "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3,
    "est": -5, "edt": -4, "et": -4, "cst": -6, "cdt": -5, "ct": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    "pt": -7, "jst": 9, "kst": 9, "sgt": 8, "myt": 8, "hkt": 8, "ist": 5.5, "aest": 10, "aedt": 11,
}
_ZONE_NAMES = "|".join(sorted((z for z in ZONES if z != "z"), key=len, reverse=True))
_ZONE_RE = r"(?P<zone>" + _ZONE_NAMES + r"|[+-]\d{2}:?\d{2})"
# Possessive white space: what follows each run never starts with white space, so nothing is lost.
_TIME_RE = (
    r"(?:\s*+(?:(?:,|\||-|pukul|jam|at|@)\s*+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"\s*+(?P<ampm>am|pm|a\.m\.|p\.m\.)?)?(?:\s*+\(?" + _ZONE_RE + r"\)?)?"
)
_COMMA = r"\s*+(?:,\s*+)?"  # "Senin, ", "Senin ", "Senin,"
_COMMA_SPACE = r"(?:\s*+,\s++|\s++)"  # the same with at least one space at its end

_MONTH_FIRST = re.compile(
    r"(?<![\w])(?P<mname>" + _MONTH_RE + r")\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:19|20)\d{2})(?!\d)" + _TIME_RE,
    re.IGNORECASE,
)
_PATTERNS = [
    # 2023-10-28T08:03:27Z, 2023-10-28 08:03:27+07:00, 2023-10-28
    re.compile(
        r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
        r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
        r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?)?(?!\d)",
        re.IGNORECASE,
    ),
    # Sabtu, 28 Oktober 2023 08:03 WIB / 28 Oct. 2023
    re.compile(
        r"(?<![\w])(?P<day>\d{1,2})\s+(?P<mname>" + _MONTH_RE + r")\.?,?\s+(?P<year>(?:19|20)\d{2})(?!\d)" + _TIME_RE,
        re.IGNORECASE,
    ),
    # October 28, 2023 8:03 AM ET / Oktober 28, 2023 WIB
    _MONTH_FIRST,
    # 21/10/2025 20:43 WIB, (21/10/2025), 21-10-2025, 21.10.2025
    re.compile(
        r"(?<![\w/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d{2})(?![\w/])" + _TIME_RE,
        re.IGNORECASE,
    ),
]
# Year-less dates that carry their day name, so that the year can be recovered:
# "Senin (20/10)" (Indonesian wire style), "Selasa, 21 Oktober", "Tuesday, Oct. 21".
_YEARLESS = [
    re.compile(r"(?<![\w])(?P<dname>" + _DAY_RE + r")" + _COMMA + r"\(\s*+(?P<day>\d{1,2})/(?P<month>\d{1,2})\s*+\)",
               re.IGNORECASE),
    re.compile(
        r"(?<![\w])(?P<dname>" + _DAY_RE + r")" + _COMMA_SPACE + r"(?P<day>\d{1,2})\s++(?P<mname>" + _MONTH_RE + r")\.?"
        r"(?!\w|" + _COMMA + r"(?:19|20)\d{2})" + _TIME_RE,
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<![\w])(?P<dname>" + _DAY_RE + r")" + _COMMA_SPACE + r"(?P<mname>" + _MONTH_RE + r")\.?\s++(?P<day>\d{1,2})"
        r"(?:st|nd|rd|th)?(?!\w|" + _COMMA + r"(?:19|20)\d{2})",
        re.IGNORECASE,
    ),
]
_WEEKDAY = {
    **dict.fromkeys(("senin", "monday", "mon"), 0), **dict.fromkeys(("selasa", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("rabu", "wednesday", "wed"), 2), **dict.fromkeys(("kamis", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("jumat", "jum'at", "friday", "fri"), 4), **dict.fromkeys(("sabtu", "saturday", "sat"), 5),
    **dict.fromkeys(("minggu", "ahad", "sunday", "sun"), 6),
}
# Where each name-first pattern can start: the positions of its names in the lower-cased text, found by
# a case-sensitive search whose first letters sre scans for in C, instead of trying the pattern's
# case-insensitive alternation of 24 or 46 names at every position (about 120 us per pattern over a
# 3,000-character article). Exact: under re.IGNORECASE only these characters outside ASCII match an ASCII
# letter, and only U+0130 changes length when lower-cased (tests/test_dates.py checks both over every code
# point); a text holding one of them is searched the plain way.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")
# A name at the start or after a non-word character (sre scans for the \W in C): (?<![\w]) is the same in
# the text and in its lower-cased copy (lower-casing keeps \w, checked in the tests as well).
_DAY_NAMES = re.compile(r"\W?(?:" + _DAY_RE + ")"), re.compile(r"\W(?:" + _DAY_RE + ")")
_MONTH_NAMES = re.compile(r"\W?(?:" + _MONTH_RE + ")"), re.compile(r"\W(?:" + _MONTH_RE + ")")
_DAY_BEFORE = re.compile(r"(?:" + _DAY_RE + r")" + _COMMA + r"\(?\s*$", re.IGNORECASE)

# A count of at most four digits, not the tail of a longer number ("99999999999999999999 days ago" is no date).
_RELATIVE = re.compile(
    r"(?<!\d)(?P<n>\d{1,4}(?!\d)|se|a|an|one)\s*+(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|seconds?|minutes?|mins?|hours?|hrs?|"
    r"days?|weeks?|months?|years?)\s+(?:yang\s+)?(?:lalu|ago)",
    re.IGNORECASE,
)
_UNIT_SECONDS = {
    "detik": 1, "second": 1, "menit": 60, "minute": 60, "min": 60, "jam": 3600, "hour": 3600, "hr": 3600,
    "hari": 86400, "day": 86400, "minggu": 604800, "pekan": 604800, "week": 604800, "bulan": 2592000,
    "month": 2592000, "tahun": 31536000, "year": 31536000,
}
_UPDATED_LABEL = re.compile(r"(last\s+updated|updated|diperbarui|pembaruan|modified|diubah)\s*:?\s*$", re.IGNORECASE)
_DATE_WORDS = re.compile(r"\b(?:" + _MONTH_RE + "|" + _DAY_RE + r")\b\.?", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    value: datetime  # aware, UTC
    start: int
    end: int
    has_time: bool
    updated: bool  # labelled as an update ("Last Updated ...")
    weekday: bool = False  # written with its day name, "Selasa (21/10/2025)": how wires date their stories


# Time zones in use reach from UTC-12:00 to UTC+14:00; "+99:99" is no zone.
_MAX_OFFSET = timedelta(hours=14)
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")
# Dates an article can carry: news archives online start in the 1990s; two days ahead allows for
# clocks and time zones. Outside this range a date is an error or a placeholder.
MIN_DATE = datetime(1990, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=2)
# A metadata value longer than this is no date ("2025-10-21T20:43:00+07:00" has 25 characters).
MAX_VALUE_CHARS = 200


def within_range(dt: datetime | None, reference: datetime) -> datetime | None:
    """``dt`` when it lies from MIN_DATE to two days after ``reference`` (the fetch time, else now), else None:
    the one range check every date passes at the core's boundary."""
    if dt is None or not (MIN_DATE <= dt <= reference + MAX_AHEAD):
        return None
    return dt


def _zone_offset(zone: str | None) -> timedelta | None:
    """The zone's offset from UTC; None when there is no zone, or when the zone is out of range."""
    if not zone:
        return None
    z = zone.lower()
    if z in ZONES:
        return timedelta(hours=ZONES[z])
    m = _OFFSET.fullmatch(zone)
    if m and int(m.group(3)) < 60:
        sign = 1 if m.group(1) == "+" else -1
        offset = sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
        return offset if abs(offset) <= _MAX_OFFSET else None
    return None


def _build(year: int, month: int, day: int, g: dict, default_zone: timedelta | None) -> tuple[datetime, bool] | None:
    try:
        hour = int(g.get("hour") or 0)
        minute = int(g.get("minute") or 0)
        second = int(g.get("second") or 0)
        ampm = (g.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        naive = datetime(year, month, day, hour, minute, second)
    except (ValueError, TypeError):
        return None
    has_time = g.get("hour") is not None
    if not has_time:
        return naive.replace(tzinfo=UTC), False
    offset = _zone_offset(g.get("zone"))
    if offset is None and g.get("zone"):
        return None  # "10:00 +99:99": a time in a zone that does not exist
    if offset is None:
        offset = default_zone if default_zone is not None else timedelta(0)
    return (naive - offset).replace(tzinfo=UTC), True


def _plausible(dt: datetime, now: datetime) -> bool:
    return within_range(dt, now) is not None


def find_dates(text: str, now: datetime | None = None, default_zone: timedelta | None = None) -> list[FoundDate]:
    """Absolute dates in ``text``, in order of appearance, overlapping matches removed.

    A date written without its year but with its day name ("Senin (20/10)") gets the year,
    near the text's first full date (else ``now``), in which that day falls on that weekday.
    """
    now = now or datetime.now(UTC)
    found: list[FoundDate] = []
    taken = _Taken()
    low = None if _FOLDS_TO_ASCII.search(text) else text.lower()
    for pattern in _PATTERNS:
        taken.freeze()
        for m in (_matches(pattern, text, low, _MONTH_NAMES) if pattern is _MONTH_FIRST else pattern.finditer(text)):
            if taken.overlaps(m.start(), m.end()):
                continue
            g = m.groupdict()
            year = int(g["year"])
            if "mname" in g and g.get("mname"):
                month, day = MONTH[_name_key(g["mname"])], int(g["day"])
            elif "a" in g and g.get("a"):
                a, b = int(g["a"]), int(g["b"])
                day, month = (a, b) if (a > 12 or b <= 12) else (b, a)  # day-first unless impossible
            else:
                month, day = int(g["month"]), int(g["day"])
            built = _build(year, month, day, g, default_zone)
            if not built or not _plausible(built[0], now):
                continue
            updated = bool(_UPDATED_LABEL.search(text[max(0, m.start() - 20) : m.start()]))
            weekday = bool(_DAY_BEFORE.search(text[max(0, m.start() - 12) : m.start()]))
            found.append(FoundDate(built[0], m.start(), m.end(), built[1], updated, weekday))
            taken.add(m.start(), m.end())
    anchor = min(found, key=lambda f: f.start).value if found else now
    day_starts = _name_starts(low, _DAY_NAMES) if low is not None else None
    for pattern in _YEARLESS:
        taken.freeze()
        for m in _matches(pattern, text, low, _DAY_NAMES, day_starts):
            if taken.overlaps(m.start(), m.end()):
                continue
            g = m.groupdict()
            month = MONTH[_name_key(g["mname"])] if g.get("mname") else int(g["month"])
            day = int(g["day"])
            year_found = _year_for_weekday(day, month, _WEEKDAY[_name_key(g["dname"])], anchor, now)
            built = _build(year_found, month, day, g, default_zone) if year_found else None
            if not built or not _plausible(built[0], now):
                continue
            updated = bool(_UPDATED_LABEL.search(text[max(0, m.start() - 20) : m.start()]))
            found.append(FoundDate(built[0], m.start(), m.end(), built[1], updated, True))
            taken.add(m.start(), m.end())
    return sorted(found, key=lambda f: f.start)


# What re.IGNORECASE matches to an ASCII letter but str.lower() leaves alone ("ſenin" was a KeyError).
_FOLD_KEYS = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0307": None})  # "İ".lower() is "i" + U+0307


def _name_key(name: str) -> str:
    """A day or month name as matched, as the key of its table."""
    return name.lower().translate(_FOLD_KEYS)


def _name_starts(low: str, names: tuple[re.Pattern, re.Pattern]) -> list[int]:
    """Every position where a word of ``names`` starts in ``low`` (``text.lower()``), ascending. ``names``:
    (the names, optionally after a non-word character; the names after one)."""
    at_start, after_non_word = names
    out = [0] if low[:1].isalpha() and at_start.match(low) else []
    m = after_non_word.search(low)
    while m is not None:
        out.append(m.start() + 1)
        m = after_non_word.search(low, m.start() + 1)  # the next has its \W after this one's
    return out


def _matches(pattern: re.Pattern, text: str, low: str | None, names: tuple[re.Pattern, re.Pattern],
             starts: list[int] | None = None):
    """``pattern.finditer(text)`` for a pattern whose every match starts with a word of ``names``: the pattern
    is tried only where such a word starts, left to right, from the end of the last match on. ``low`` is
    ``text.lower()``, or None to search the plain way."""
    if low is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for at in _name_starts(low, names) if starts is None else starts:
        if at >= end:
            m = pattern.match(text, at)
            if m is not None:
                end = m.end()
                yield m


class _Taken:
    """Spans already read as dates. Spans of earlier patterns are checked by bisection (a text
    with 100,000 dates must not compare each with every other); one pattern's own matches never
    overlap each other, so they join the sorted spans only when the next pattern starts."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self._new: list[tuple[int, int]] = []

    def freeze(self) -> None:
        if self._new:
            spans = sorted([*zip(self.starts, self.ends, strict=True), *self._new])
            self.starts, self.ends = [s for s, _ in spans], [e for _, e in spans]
            self._new = []

    def add(self, start: int, end: int) -> None:
        self._new.append((start, end))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)  # spans starting before ``end``: the last of them is the only candidate
        return i > 0 and self.ends[i - 1] > start


def _year_for_weekday(day: int, month: int, weekday: int, anchor: datetime, now: datetime) -> int | None:
    """The year nearest to ``anchor`` (not after ``now``) in which day/month is that weekday."""
    for delta in (0, -1, 1, -2, 2, -3, -4, -5, -6):
        year = anchor.year + delta
        try:
            d = datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            continue
        if d.weekday() == weekday and d <= now + timedelta(days=2):
            return year
    return None


def latest_dated_mention(text: str, now: datetime, default_zone: timedelta | None = None) -> FoundDate | None:
    """The latest weekday-dated mention not after ``now``: "..., Selasa (21/10/2025)".

    News text dates its events by day name and date; the story is published on the day of
    its latest reported event, rarely later, and mentions of coming events are fewer.
    """
    mentions = [f for f in find_dates(text, now=now, default_zone=default_zone) if f.weekday and f.value <= now]
    return max(mentions, key=lambda f: f.value) if mentions else None


def find_relative(text: str, reference: datetime) -> datetime | None:
    """"2 jam yang lalu" / "3 hours ago", counted back from ``reference`` (the fetch time)."""
    m = _RELATIVE.search(text)
    if not m:
        return None
    n_raw = m.group("n").lower()
    n = 1 if n_raw in {"se", "a", "an", "one"} else int(n_raw)
    unit = m.group("unit").lower()
    unit = unit if unit in _UNIT_SECONDS else unit.rstrip("s")
    seconds = _UNIT_SECONDS.get(unit) or _UNIT_SECONDS.get(unit.rstrip("s"))
    if not seconds or n * seconds > (reference - MIN_DATE).total_seconds():
        return None  # "2000 tahun lalu" is history, not a publication date
    return within_range(reference - timedelta(seconds=n * seconds), reference)


def strip_date_words(text: str) -> str:
    return _DATE_WORDS.sub(" ", text)


def _valid_offset(dt: datetime, text: str) -> bool:
    offset = dt.utcoffset()
    written = _OFFSET.search(text[-6:])
    return (offset is not None and abs(offset) <= _MAX_OFFSET
            and (written is None or _zone_offset(written.group()) is not None))


def parse_value(value: str | None, now: datetime | None = None) -> datetime | None:
    """A date from a metadata value (raw field, meta tag, JSON-LD): ISO first, then text forms."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > MAX_VALUE_CHARS:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        elif not _valid_offset(dt, value):
            return None  # "+99:99", "+07:60": no zone, so no point in time
        dt = dt.astimezone(UTC)
        # Placeholders such as 0001-01-01T00:00:00Z mean "no date".
        return dt if _plausible(dt, now or datetime.now(UTC)) else None
    except (ValueError, OverflowError):
        pass
    found = find_dates(value, now=now)
    if found:
        return found[0].value
    if now is not None:
        return find_relative(value, now)
    return None


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|-|\d{2,}|$)")


def from_url(url: str | None) -> datetime | None:
    if not url:
        return None
    m = _URL_DATE.search(url)
    if not m:
        return None
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=UTC)
    except ValueError:
        return None
