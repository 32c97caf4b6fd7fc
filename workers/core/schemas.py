"""JSON Schema validators for the records in ``schemas/`` (draft 2020-12)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import orjson
from jsonschema import Draft202012Validator

_REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _schema_text(name: str) -> bytes:
    try:
        return resources.files("workers.schemas").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return (_REPO_SCHEMAS / name).read_bytes()  # running from a source checkout


@cache
def validator(kind: str) -> Draft202012Validator:
    """``kind`` is one of raw_article, article, deadletter, story."""
    schema = orjson.loads(_schema_text(f"{kind}.schema.json"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(kind: str, record: object) -> list[str]:
    """Human-readable schema violations, empty when the record is valid."""
    out = []
    for err in sorted(validator(kind).iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message[:300]}")
    return out
