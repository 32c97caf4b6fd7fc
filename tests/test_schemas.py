"""workers.core.schemas: the compiled checks say valid exactly when jsonschema does."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.core import schemas
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
BODY = " ".join(f"Kalimat nomor {i} tentang banjir di Kota Bandung, kata Budi Santoso." for i in range(30))


def _samples() -> dict[str, dict]:
    raw = {"url": "https://a.example/1", "text": "Judul Berita\n" + BODY, "title": "Judul", "id": "r1",
           "published_at": "2025-11-05T10:00:00+07:00", "authors": ["Budi", "Ani"], "language": "id"}
    p = Pipeline(limits=Limits(timeout_seconds=0), clock=lambda: NOW)
    article = p.process(orjson.dumps(raw), Source("raw", 0, 1))
    dead = p.process(b'{"text": 5}', Source("raw", 0, 2))
    assert article.kind == "article" and dead.kind == "deadletter"
    assert article.story is not None
    return {"raw_article": raw, "article": dict(article.value), "deadletter": dict(dead.value),
            "story": article.story}


SAMPLES = _samples()
# The edges of each keyword: bool against integer and number, 1.0 as an integer, NaN against minimum,
# white space against "\\S", lengths at the limits, enum members in another case.
EDGES = [None, True, False, 0, 1, 2, -1, 1.0, 2.0, 0.5, -0.0, 1.5, math.nan, math.inf, 10**30, "", " ", "\x1c",
         "\n\t", "x", "id", "ID", "unique", "new", "utf-8", "schema", "2025-11-05T10:00:00Z",
         "2025-11-05T10:00:00.5Z", "2025-11-05", "a" * 512, "a" * 513, "a" * 2049, "0123456789abcdef0123456789abcdef",
         "é", [], {}, ["a"], [1], ["a"] * 100, ["a"] * 101, {"place": None, "agency": "AP"}]
_EDGES: st.SearchStrategy[object] = st.sampled_from(EDGES)
_SCALARS = _EDGES | st.none() | st.booleans() | st.integers(-3, 3) | st.floats() | st.text(max_size=8)
_VALUES = _EDGES | _EDGES | st.recursive(_SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(
    st.sampled_from(["place", "agency", "persons", "x", "status", "topic", "reason", "message"]), c, max_size=3),
    max_leaves=6)


def _paths(record, prefix=()):
    for key, value in record.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


def _mutated(kind: str):
    sample = SAMPLES[kind]
    paths = sorted(_paths(sample))

    @st.composite
    def build(draw):
        record = copy.deepcopy(sample)
        for _ in range(draw(st.integers(0, 4))):
            path = draw(st.sampled_from([*paths, ("extra",)]))
            parent: Any = record
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(parent, dict):
                continue
            if draw(st.booleans()):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(_VALUES)
        return record

    return build()


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_samples_are_valid_and_compiled(kind):
    assert schemas._compiled(kind) is not None  # every keyword of our schemas is compiled
    assert schemas.errors(kind, SAMPLES[kind]) == []




def _agree(kind: str, record) -> bool:
    compiled = schemas._compiled(kind)
    assert compiled is not None
    return compiled(record) == (not any(schemas.validator(kind).iter_errors(record)))


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_field_at_every_edge(kind):
    """Each field of a valid record replaced by each edge value, or dropped, or joined by an unknown field."""
    sample = SAMPLES[kind]
    for path in [*_paths(sample), ("extra",), ("dedup", "extra")]:
        for value in [*EDGES, _DROP]:
            record = copy.deepcopy(sample)
            parent: Any = record
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(parent, dict):
                continue
            if value is _DROP:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
            assert _agree(kind, record), (path, value)


_DROP = object()


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_compiled_check_agrees_with_jsonschema(kind, data):
    record = data.draw(_mutated(kind))
    assert _agree(kind, record), record


@pytest.mark.parametrize("value", [None, True, 1, 1.0, "x", [], {}, [1], {"text": True}, {"html": " "}])
def test_non_objects_and_odd_records(value):
    for kind in SAMPLES:
        assert _agree(kind, value)


def test_invalid_records_keep_jsonschemas_messages():
    problems = schemas.errors("raw_article", {"text": "ok", "title": 5})
    assert problems == ["title: 5 is not of type 'string', 'null'"]
