"""workers.core.records: the RFC 3339 text of a datetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from workers.core.records import rfc3339


def test_rfc3339_reads_naive_as_utc_and_converts_aware():
    assert rfc3339(None) is None
    assert rfc3339(datetime(2025, 10, 21, 20, 43, 59, 999999)) == "2025-10-21T20:43:59Z"
    assert rfc3339(datetime(2025, 10, 21, 20, 43, tzinfo=timezone(timedelta(hours=7)))) == "2025-10-21T13:43:00Z"
    india = timezone(timedelta(hours=5, minutes=30))
    assert rfc3339(datetime(2025, 1, 1, 2, 0, tzinfo=india)) == "2024-12-31T20:30:00Z"
    assert rfc3339(datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)) == "1969-12-31T23:59:59Z"
