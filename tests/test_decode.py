"""workers.core.decode: every bad input gets its reason code; good input keeps its optional fields."""

from __future__ import annotations

import orjson
import pytest

from workers.core.decode import decode
from workers.core.records import Rejected


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"", "no_content"),
        (b'{"text": "unterminated', "invalid_json"),
        (b'{"text": "caf\xe9"}', "invalid_utf8"),
        (b"[1, 2]", "schema"),
        (b'{"html": 42}', "schema"),
        (b'{"text": "ok text here", "authors": 5}', "schema"),
        (b'{"url": "https://x.example/a"}', "no_content"),
        (b'{"text": "   \\n  "}', "no_content"),
    ],
)
def test_decode_rejects_with_reason(payload, reason):
    with pytest.raises(Rejected) as err:
        decode(payload, max_bytes=1000)
    assert err.value.reason == reason


def test_decode_too_large():
    with pytest.raises(Rejected) as err:
        decode(orjson.dumps({"text": "x" * 2000}), max_bytes=1000)
    assert err.value.reason == "too_large"


def test_decode_accepts_optional_fields():
    payload = {"text": "Body", "url": " https://a.example/x ", "authors": "A. Writer; B. Writer"}
    raw = decode(orjson.dumps(payload), 10_000)
    assert raw.url == "https://a.example/x"
    assert raw.authors == ["A. Writer", "B. Writer"]
