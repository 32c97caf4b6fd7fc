"""workers.core.dates: date values in Indonesian and English, relative dates, dates in URLs."""

from __future__ import annotations

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
