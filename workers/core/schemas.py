"""JSON Schema validators for the records in ``schemas/`` (draft 2020-12).

``errors`` runs on every message twice (the raw article in, the event out). jsonschema walks the schema
anew for each record, about 0.2 ms for an event; ``_compile`` turns a schema into nested Python checks
once, a few microseconds a record (BENCHMARKS.md, "Scraped-text speed"). The compiled check only says
valid or not, with jsonschema's semantics for the keywords our schemas use (tests/test_schemas.py
compares the two on generated records); a record it finds invalid is handed to jsonschema for the
messages, so a dead letter's reason text is jsonschema's. A schema with a keyword the compiler does
not know is checked by jsonschema alone.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator

_REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

Check = Callable[[Any], bool]


def _schema_text(name: str) -> bytes:
    try:
        return resources.files("workers.schemas").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return (_REPO_SCHEMAS / name).read_bytes()  # running from a source checkout


@cache
def _schema(kind: str) -> dict:
    return orjson.loads(_schema_text(f"{kind}.schema.json"))


@cache
def validator(kind: str) -> Draft202012Validator:
    """``kind`` is one of raw_article, article, deadletter, story."""
    schema = _schema(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(kind: str, record: object) -> list[str]:
    """Human-readable schema violations, empty when the record is valid."""
    check = _compiled(kind)
    if check is not None and check(record):
        return []
    out = []
    for err in sorted(validator(kind).iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message[:300]}")
    return out


class Unsupported(ValueError):
    """A schema keyword (or value) the compiler leaves to jsonschema."""


@cache
def _compiled(kind: str) -> Check | None:
    validator(kind)  # the schema itself is checked once, as before
    try:
        return _compile(_schema(kind), _schema(kind))
    except Unsupported:
        return None


# jsonschema's draft 2020-12 type checker: bool is no number; 1.0 is an integer.
_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "number": lambda x: isinstance(x, numbers.Number) and not isinstance(x, bool),
    "integer": lambda x: not isinstance(x, bool) and (isinstance(x, int) or (isinstance(x, float) and x.is_integer())),
}
_IGNORED = frozenset(["$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"])


def _compile(schema: Any, root: dict) -> Check:
    """One check for ``schema`` (a conjunction of one check per keyword)."""
    if schema is True:
        return lambda x: True
    if schema is False:
        return lambda x: False
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    found = [_keyword(key, value, schema, root) for key, value in schema.items() if key not in _IGNORED]
    checks = [c for c in found if c is not None]
    if len(checks) == 1:
        return checks[0]
    return lambda x: all(c(x) for c in checks)


def _literal(value: Any) -> Check:
    """jsonschema's ``equal`` for a string or a number (not bool) constant."""
    if isinstance(value, str):
        return lambda x: isinstance(x, str) and x == value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return lambda x: isinstance(x, int | float) and not isinstance(x, bool) and x == value
    raise Unsupported(repr(value))


def _keyword(key: str, value: Any, schema: dict, root: dict) -> Check | None:  # noqa: C901 - one branch per keyword
    if key == "type":
        names = [value] if isinstance(value, str) else value
        tests = [_TYPES[name] for name in names]
        return tests[0] if len(tests) == 1 else (lambda x: any(t(x) for t in tests))
    if key == "properties":
        props = [(name, _compile(sub, root)) for name, sub in value.items()]
        return lambda x: not isinstance(x, dict) or all(name not in x or c(x[name]) for name, c in props)
    if key == "required":
        names = list(value)
        return lambda x: not isinstance(x, dict) or all(name in x for name in names)
    if key == "additionalProperties":
        if value is True:
            return None
        known = frozenset(schema.get("properties", {}))
        if "patternProperties" in schema:
            raise Unsupported(key)
        extra = _compile(value, root)
        return lambda x: not isinstance(x, dict) or all(extra(v) for k, v in x.items() if k not in known)
    if key in ("maxLength", "minLength"):
        limit = int(value)
        if key == "maxLength":
            return lambda x: not isinstance(x, str) or len(x) <= limit
        return lambda x: not isinstance(x, str) or len(x) >= limit
    if key == "pattern":
        search = re.compile(value).search
        return lambda x: not isinstance(x, str) or search(x) is not None
    if key in ("minimum", "maximum"):
        number = _TYPES["number"]
        if key == "minimum":  # as jsonschema compares: NaN passes both
            return lambda x: not number(x) or not x < value
        return lambda x: not number(x) or not x > value
    if key == "maxItems":
        return lambda x: not isinstance(x, list) or len(x) <= value
    if key == "items":
        item = _compile(value, root)
        return lambda x: not isinstance(x, list) or all(item(v) for v in x)
    if key == "enum":
        options = [_literal(v) for v in value]
        return lambda x: any(o(x) for o in options)
    if key == "const":
        return _literal(value)
    if key in ("anyOf", "oneOf"):
        subs = [_compile(sub, root) for sub in value]
        if key == "anyOf":
            return lambda x: any(s(x) for s in subs)
        return lambda x: sum(1 for s in subs if s(x)) == 1
    if key == "$ref":
        if not isinstance(value, str) or not value.startswith("#/$defs/"):
            raise Unsupported(value)
        return _compile(root["$defs"][value.removeprefix("#/$defs/")], root)
    raise Unsupported(key)
