"""The internal envelope: what the extract and dedup stages receive is what ingest and extract sent."""

from __future__ import annotations

import dataclasses
import gzip

import orjson
import pytest

from workers.core import envelope
from workers.core.article import Built
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import RawArticle, Source

from .conftest import BENCHMARK


def page_message(i: int = 0) -> bytes:
    truth = orjson.loads((BENCHMARK / "ground-truth.json").read_bytes())
    h = sorted(truth)[i]
    html = gzip.decompress((BENCHMARK / "html" / f"{h}.html.gz").read_bytes()).decode("utf-8", "replace")
    return orjson.dumps({"url": "https://www.example.com/news/a?utm_source=x", "html": html, "authors": ["A B"]})


def test_raw_envelope_round_trip_and_size():
    message = page_message()
    pipe = Pipeline(limits=Limits(timeout_seconds=0))
    source = Source("news.raw", 3, 12345)
    raw = pipe.ingest(message, source)
    assert isinstance(raw, RawArticle)
    packed = envelope.pack_raw(raw, "example.com", source, message)
    opened = envelope.open_envelope(packed)
    assert opened.source == source and opened.payload == message
    again, site = envelope.raw_article(opened)
    assert again == raw and site == "example.com"
    assert again.canonical_url == "https://www.example.com/news/a"  # canonicalised once, in ingest
    # The original bytes ride along, yet the record is smaller than the message (zstd finds the repeat).
    assert len(packed) < 0.5 * len(message)


def test_built_envelope_round_trip():
    message = page_message(1)
    pipe = Pipeline(limits=Limits(timeout_seconds=0))
    source = Source("news.raw", 0, 7)
    raw = pipe.ingest(message, source)
    assert isinstance(raw, RawArticle)
    built = pipe.extract(raw, message, source)
    assert isinstance(built, Built)
    opened = envelope.open_envelope(envelope.pack_built(built, source, message))
    assert opened.source == source and opened.payload == message
    again = envelope.built_article(opened)
    for f in dataclasses.fields(built):
        if f.name != "line_hashes":
            assert getattr(again, f.name) == getattr(built, f.name), f.name
    # The dedup stage decides the same from the envelope as from the original.
    assert Pipeline().decide(again, source).article["id"] == Pipeline().decide(built, source).article["id"]


def test_wrong_or_corrupt_envelopes_are_refused():
    message = page_message()
    source = Source("news.raw", 0, 1)
    pipe = Pipeline(limits=Limits(timeout_seconds=0))
    raw = pipe.ingest(message, source)
    assert isinstance(raw, RawArticle)
    packed = envelope.pack_raw(raw, None, source, message)
    with pytest.raises(envelope.EnvelopeError):
        envelope.built_article(envelope.open_envelope(packed))
    for bad in (b"", None, b"\x07abc", message):
        with pytest.raises(Exception):  # noqa: B017 - any error: the stage's guard makes it a dead letter
            envelope.open_envelope(bad)
