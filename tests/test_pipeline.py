"""workers.core.pipeline: outcomes, dead-letter payloads, internal errors, stable article ids."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson

import workers.core.pipeline as pipeline_mod
from workers.core import schemas
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)


def test_pipeline_outcomes_and_dead_letter_payload():
    p = Pipeline(limits=Limits(timeout_seconds=0), clock=lambda: NOW)
    body = " ".join(f"Kalimat nomor {i} tentang banjir di kota yang sama." for i in range(40))
    first = p.process(orjson.dumps({"url": "https://a.example/1", "text": body}), Source("raw", 0, 1))
    again = p.process(orjson.dumps({"url": "https://b.example/9", "text": body}), Source("raw", 1, 5))
    bad = p.process(b'{"text": "caf\xe9"}', Source("raw", 0, 2))
    assert first.kind == "article" and first.article["dedup"]["status"] == "unique"
    assert again.kind == "duplicate" and again.article["dedup"]["duplicate_of"] == first.article["id"]
    assert again.article["dedup"]["story_id"] == first.article["dedup"]["story_id"]
    assert again.article["source"] == {"topic": "raw", "partition": 1, "offset": 5}
    assert bad.kind == "deadletter"
    assert bad.dead_letter["error"]["reason"] == "invalid_utf8"
    assert bad.dead_letter["payload_encoding"] == "base64"
    assert base64.b64decode(bad.dead_letter["payload"]) == b'{"text": "caf\xe9"}'
    assert bad.dead_letter["source"] == {"topic": "raw", "partition": 0, "offset": 2}
    assert schemas.errors("deadletter", bad.value) == []
    assert schemas.errors("article", first.value) == []


def test_pipeline_internal_error_is_dead_lettered(monkeypatch):
    def boom(*args):
        raise RuntimeError("bug in a stage")

    monkeypatch.setattr(pipeline_mod, "build", boom)
    p = Pipeline(limits=Limits(timeout_seconds=0))
    out = p.process(orjson.dumps({"text": "Some article text that is long enough to keep."}), Source(line=3))
    assert out.kind == "deadletter"
    assert out.dead_letter["error"]["reason"] == "internal"
    assert "bug in a stage" in out.dead_letter["error"]["message"]
    assert out.dead_letter["source"]["line"] == 3


def test_article_id_stable_from_canonical_url():
    p = Pipeline(limits=Limits(timeout_seconds=0))
    a = p.process(orjson.dumps({"url": "https://a.example/x?utm_source=t", "text": "Satu dua tiga empat lima enam."}),
                  Source(line=1))
    b = Pipeline(limits=Limits(timeout_seconds=0)).process(
        orjson.dumps({"url": "https://a.example/x", "text": "Satu dua tiga empat lima enam tujuh."}), Source(line=1))
    assert a.article["id"] == b.article["id"]
    c = p.process(orjson.dumps({"text": "Tanpa URL sama sekali untuk artikel ini ya."}), Source(line=2))
    d = Pipeline(limits=Limits(timeout_seconds=0)).process(
        orjson.dumps({"text": "Tanpa URL sama sekali untuk artikel ini ya."}), Source(line=2))
    assert c.article["id"] == d.article["id"] != a.article["id"]
