"""The wire format of the records between the stream's stages (``<app>-by-site``, ``<app>-to-dedup``).

One envelope per message, next to the types it carries (``RawArticle``, ``Built``, ``Source``):

    version byte | zstd( header length (4 bytes, big-endian) | orjson header | original message bytes )

The header holds the decoded article (so the extract stage never decodes or validates the message
again), its site and canonical URL (computed once, in ingest), and the message's source position;
or the built article without its fingerprint, which the dedup stage computes again from the body.
The original bytes ride behind the header, not escaped inside it, because any later stage may
have to dead-letter the message with its original bytes. They repeat the article's text, but zstd
finds the repeat: an HTML page's envelope is about a fifth of the message, a 2-3 KB text article's
about half (bench/stream.py --envelope measures it; level 3 costs ~0.3 ms on a 170 KB page).
Compression is done here, not by the producer, so that only the internal topics are compressed
(consumers of the output topics need no codec) and the same bytes are stored on any broker.
"""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass
from typing import Any

import cramjam
import orjson

from . import fingerprint
from .article import Built
from .records import RawArticle, Source

RAW = 1  # <app>-by-site: a decoded raw article
BUILT = 2  # <app>-to-dedup: a built article
_LEVEL = 3
_LENGTH = struct.Struct(">I")
_RAW_FIELDS = ("html", "text", "url", "id", "source_name", "title", "published_at", "fetched_at", "language",
               "authors", "canonical_url")


class EnvelopeError(ValueError):
    """Bytes that are not an envelope of the expected kind."""


def _pack(kind: int, header: dict, payload: bytes | None) -> bytes:
    head = orjson.dumps(header)
    body = b"".join((_LENGTH.pack(len(head)), head, payload or b""))
    return bytes((kind,)) + bytes(cramjam.zstd.compress(body, level=_LEVEL))


@dataclass(frozen=True)
class Opened:
    """An envelope's frame: where the message came from and its original bytes come out first, so
    that whatever fails after this point can still dead-letter the message as it was."""

    kind: int
    header: dict
    source: Source
    payload: bytes


def open_envelope(data: bytes | None) -> Opened:
    if not data or data[0] not in (RAW, BUILT):
        raise EnvelopeError("not an envelope")
    body = bytes(cramjam.zstd.decompress(data[1:]))
    (length,) = _LENGTH.unpack_from(body)
    header = orjson.loads(body[4:4 + length])
    return Opened(data[0], header, Source.from_dict(header["source"]), body[4 + length:])


def _expect(opened: Opened, kind: int) -> dict:
    if opened.kind != kind:
        raise EnvelopeError(f"envelope of kind {opened.kind}, expected {kind}")
    return opened.header


def pack_raw(raw: RawArticle, site: str | None, source: Source, payload: bytes | None) -> bytes:
    fields = {name: getattr(raw, name) for name in _RAW_FIELDS}
    return _pack(RAW, {"source": source.as_dict(), "site": site, "raw": fields}, payload)


def raw_article(opened: Opened) -> tuple[RawArticle, str | None]:
    """The decoded raw article and its site."""
    header = _expect(opened, RAW)
    return RawArticle(**header["raw"]), header["site"]


def _derived(built: Built) -> dict:
    """The Built fields that are the body's fingerprint (the sketch and its anchor keys): ~1 KB of
    incompressible hash values per article, more than a 2 KB text message's own bytes compressed.
    They are dropped from the envelope when ``fingerprint(body)`` gives them again, and recomputed by
    the dedup stage (~40 us with the C extension)."""
    body = built.article.get("body")
    if not isinstance(body, str):
        return {}
    fp = fingerprint.fingerprint(body)
    if fp.content_hash != built.article.get("content_hash"):
        return {}
    names = [f.name for f in dataclasses.fields(Built) if f.name not in ("article", "host", "line_hashes")]
    same = {n: getattr(fp, n) for n in names if hasattr(fp, n) and tuple(getattr(fp, n)) == tuple(getattr(built, n))}
    return same


def pack_built(built: Built, source: Source, payload: bytes | None) -> bytes:
    # Every field of Built but line_hashes (only the extract stage, which made them, uses them) and
    # those the fingerprint gives again, so that a field added to Built travels without a change here.
    derived = _derived(built)
    fields = {f.name: getattr(built, f.name) for f in dataclasses.fields(Built)
              if f.name != "line_hashes" and f.name not in derived}
    return _pack(BUILT, {"source": source.as_dict(), "built": fields, "derived": sorted(derived)}, payload)


def built_article(opened: Opened) -> Built:
    header = _expect(opened, BUILT)
    # JSON has no tuples: the sequence fields (sketch, anchors, ...) come back as lists.
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in header["built"].items()}
    if header.get("derived"):
        fp = fingerprint.fingerprint(header["built"]["article"]["body"])
        fields.update({name: tuple(getattr(fp, name)) for name in header["derived"]})
    return Built(**fields, line_hashes=set())
