"""Stage 1: raw message bytes -> ``RawArticle``, or ``Rejected`` with a reason code."""

from __future__ import annotations

import orjson

from . import schemas
from .records import RawArticle, Rejected

_BOM = b"\xef\xbb\xbf"
_TOO_DEEP = "depth limit exceeded"  # orjson's message


def decode(payload: bytes | None, max_bytes: int) -> RawArticle:
    if payload is None or len(payload) == 0:
        raise Rejected("no_content", "empty message value")
    if len(payload) > max_bytes:
        raise Rejected("too_large", f"message is {len(payload)} bytes, limit {max_bytes}")
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected("invalid_utf8", f"not valid UTF-8 at byte {exc.start}: {exc.reason}") from None
    if payload.startswith(_BOM):  # RFC 8259 section 8.1: parsers may ignore it; no reason to lose an article
        payload = payload[len(_BOM):]
    try:
        obj = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        if _TOO_DEEP in str(exc):  # valid JSON, nested deeper than orjson's 1,024 levels: no article nests so
            raise Rejected("too_large", f"the message nests deeper than the JSON parser reads ({exc})") from None
        raise Rejected("invalid_json", str(exc)) from None
    if not isinstance(obj, dict):
        raise Rejected("schema", f"expected a JSON object, got {type(obj).__name__}")
    # Distinguish "nothing to read" from a structurally wrong message.
    if all(obj.get(k) in (None, "") or (isinstance(obj.get(k), str) and not obj[k].strip()) for k in ("html", "text")):
        raise Rejected("no_content", "neither html nor text holds any content")
    problems = schemas.errors("raw_article", obj)
    if problems:
        raise Rejected("schema", "; ".join(problems[:5]))
    authors = obj.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.replace(";", ",").split(",") if a.strip()]
    return RawArticle(
        html=obj.get("html") or None,
        text=obj.get("text") or None,
        url=(obj.get("url") or "").strip() or None,
        id=obj.get("id") or None,
        source_name=obj.get("source") or None,
        title=obj.get("title") or None,
        published_at=obj.get("published_at") or None,
        fetched_at=obj.get("fetched_at") or None,
        language=obj.get("language") or None,
        authors=list(authors),
    )
