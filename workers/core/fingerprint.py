"""Fingerprints of a cleaned body: an exact content hash and a bottom-k sketch.

The sketch is the ``SKETCH`` smallest distinct 53-bit hashes of the body's word
``SHINGLE``-shingles (lower-cased ``\\w+`` tokens), in ascending order. Two
sketches estimate how much of two bodies is shared, even when one body is much
shorter than the other: below the smaller of the two sketches' largest values
both sketches hold *every* shingle hash of their body, so they are two
consistent samples of the same hash range (see ``resemblance``). That gives the
containment of the shorter body in the longer one (a story trimmed to half
still scores ~1) as well as the Jaccard similarity.

The first ``ANCHORS`` values are the body's *anchor keys*, under which the
dedup index files it; a copy is found because it shares at least one of them
with its original (``QUERY_ANCHORS`` of its own are looked up). The parameters
were chosen from measurements: BENCHMARKS.md, "Near-duplicates".

The tokenise-and-hash step runs in the C extension ``workers.core._sketch``
(two passes over the UTF-8 bytes) when it was built, else as a few numpy passes
over them, no Python loop per word (``_analyse_numpy``: the reference; both give
bit-identical results, tests/test_sketch_accel.py). So do the index's ``pack``
and ``overlap_packed``, with numpy fallbacks checked the same way. Tokenisation is
exactly ``re.findall(r"\\w+", text.lower())``, so ``content_hash`` is unchanged
from the first version of this module. Hashes are fixed (no random seeds): the
same body gives the same sketch in every process, on every machine.
"""

from __future__ import annotations

import hashlib
import re
import struct
import types
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SHINGLE = 3  # words per shingle
SKETCH = 128  # sketch size: smallest distinct shingle hashes kept
ANCHORS = 8  # smallest values under which an article is indexed
QUERY_ANCHORS = 12  # smallest values of a new article looked up in the index
HASH_BITS = 53  # sketch values are < 2**53: exact as JSON numbers anywhere (IEEE doubles)
STORED_BITS = 32  # the index stores the top 32 bits of each value: half the size, the same estimates
_STORED_SHIFT = HASH_BITS - STORED_BITS

_TOKEN = re.compile(r"\w+", re.UNICODE)

# -- tokenisation tables ---------------------------------------------------------
# ASCII bytes: word characters kept, the rest become spaces. Bytes >= 0x80 are
# parts of non-ASCII characters, sorted out by _fix_non_ascii.
_WORD = [chr(i).isalnum() or i == 0x5F for i in range(128)]
_SPACED = bytes((i if _WORD[i] else 0x20) if i < 128 else i for i in range(256))
_BMP_WORD = np.array([chr(c).isalnum() or c == 0x5F for c in range(0x10000)], dtype=bool)
_SEQ_LEN = np.zeros(256, dtype=np.int64)
_SEQ_LEN[0xC0:0xE0], _SEQ_LEN[0xE0:0xF0], _SEQ_LEN[0xF0:0xF8] = 2, 3, 4

# -- hashing constants ------------------------------------------------------------
_U64 = np.uint64
_MASK64 = (1 << 64) - 1
_P = 0x9E3779B97F4A7C15 | 1  # token hash: polynomial in this odd base, mod 2**64
_P_INV = pow(_P, -1, 1 << 64)
_POW_CACHE = 1 << 16
_MIX = tuple(_U64(x) for x in (0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63,
                               0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9))
# A fixed random 64-bit value per byte (from blake2b: the same on every machine and numpy version, forever --
# stored sketches depend on it), 0 for the space that separates tokens.
_BYTE_HASH = np.array(
    [0 if i == 0x20 else int.from_bytes(hashlib.blake2b(b"newsworker-byte-%d" % i, digest_size=8).digest(), "little")
     for i in range(256)],
    dtype=_U64,
)
_DROP = _U64(64 - HASH_BITS)
# Common non-word characters outside ASCII, turned into spaces with bytes.replace before the general (slower) path.
_COMMON_PUNCT = tuple(
    c.encode("utf-8") for c in "\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u2022\u00a0\u00ab\u00bb\u00b7\u00a9\u00b0"
)


def _powers(base: int, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) mod 2**64."""
    out = np.empty(n, dtype=_U64)
    out[0] = 1
    if n > 1:
        out[1:] = np.cumprod(np.full(n - 1, base, dtype=_U64))
    return out


_POW = _powers(_P, _POW_CACHE)
_IPOW = _powers(_P_INV, _POW_CACHE)
_EMPTY_HASH = hashlib.blake2b(b"", digest_size=16).hexdigest()

_BUILT: types.ModuleType | None  # what was built
try:  # the same tokenise-and-hash in C; built by `pip install` when a C compiler is there
    from . import _sketch as _compiled
except ImportError:  # pragma: no cover - depends on the build
    _BUILT = None
else:
    _compiled.init(_BYTE_HASH.tobytes(), np.array(_MIX, dtype=_U64).tobytes(), _P, int(_DROP))
    _BUILT = _compiled
_sketch = _BUILT  # what runs (None: the numpy path)


def use_extension(enabled: bool) -> str:
    """Run the C extension (if built) or the numpy path in this process (NEWSWORKER_SKETCH_ACCEL)."""
    global _sketch
    _sketch = _BUILT if enabled else None
    return "C extension" if _sketch is not None else "numpy"


def extension_in_use() -> bool:
    return _sketch is not None


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def content_hash(text: str) -> str:
    """Identical for bodies that differ only in case, punctuation and spacing."""
    return hashlib.blake2b(" ".join(tokens(text)).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    content_hash: str
    sketch: tuple[int, ...]  # ascending distinct shingle hashes (< 2**53)
    anchors: tuple[str, ...]  # the index keys of the first QUERY_ANCHORS sketch values (anchor_keys)
    # stored_bytes(sketch), made with the sketch (cheaper than from the tuple); None when not known
    stored: bytes | None = field(default=None, compare=False, repr=False)


def _fix_non_ascii(b: np.ndarray) -> np.ndarray:
    """Turn the bytes of non-ASCII characters that are not ``\\w`` (quotes, dashes, symbols) into spaces."""
    n = b.size
    lead = np.flatnonzero(b >= 0xC0)
    if not lead.size:
        return b
    ln = _SEQ_LEN[b[lead]]
    ok = (ln > 0) & (lead + ln <= n)
    lead, ln = lead[ok], ln[ok]
    cont = [b[np.minimum(lead + j, n - 1)].astype(np.int64) & 0x3F for j in (1, 2, 3)]
    b0 = b[lead].astype(np.int64)
    cp = np.where(ln == 2, ((b0 & 0x1F) << 6) | cont[0],
                  np.where(ln == 3, ((b0 & 0x0F) << 12) | (cont[0] << 6) | cont[1],
                           ((b0 & 0x07) << 18) | (cont[0] << 12) | (cont[1] << 6) | cont[2]))
    word = _BMP_WORD[np.minimum(cp, 0xFFFF)]
    for i in np.flatnonzero(cp > 0xFFFF):  # outside the BMP: rare, ask Python
        word[i] = chr(int(cp[i])).isalnum()
    bad = np.flatnonzero(~word)
    if bad.size:
        b = b.copy()
        for j in range(4):
            sel = bad[ln[bad] > j]
            b[lead[sel] + j] = 0x20
    return b


def _c_input(text: str) -> str | bytes:
    """What the C functions take: an ASCII str as it is (they lower-case it), else the lower-cased UTF-8."""
    return text if text.isascii() and isinstance(text, str) else text.lower().encode("utf-8")


def _analyse(text: str, k: int = SHINGLE, size: int = SKETCH) -> tuple[str, np.ndarray]:
    """(content hash, sketch as a sorted uint64 array) of a text."""
    if _sketch is not None and 1 <= k <= len(_MIX) and size >= 0:
        joined, sk = _sketch.sketch(_c_input(text), k, size)
        return hashlib.blake2b(joined, digest_size=16).hexdigest(), np.frombuffer(sk, dtype=_U64)
    return _analyse_numpy(text, k, size)


def _analyse_numpy(text: str, k: int = SHINGLE, size: int = SKETCH) -> tuple[str, np.ndarray]:
    """``_analyse`` in numpy: the reference for the C extension, and the fallback without it."""
    low = text.lower()
    raw = low.encode("utf-8")
    if not low.isascii():
        for c in _COMMON_PUNCT:  # quotes, dashes, ellipsis, no-break space...: not word characters
            if c in raw:
                raw = raw.replace(c, b" " * len(c))
    # Padded with a space at both ends, so that tokens start and end inside the array.
    b = np.frombuffer(b" " + raw.translate(_SPACED) + b" ", dtype=np.uint8)
    if not raw.isascii():
        b = _fix_non_ascii(b)
    word = b != 0x20
    # e[0::2]: the byte before each token; e[1::2]: each token's last byte
    e = (word[1:] != word[:-1]).nonzero()[0]
    before, last = e[0::2], e[1::2]
    nt = before.size
    if nt == 0:
        return _EMPTY_HASH, np.zeros(0, dtype=_U64)
    # The tokens joined by single spaces, exactly " ".join(tokens(text)): the content hash.
    keep = word.copy()
    keep[last[:-1] + 1] = True
    ch = hashlib.blake2b(b[keep].tobytes(), digest_size=16).hexdigest()
    # Token hashes: sum of H(byte) * P**position over the token (H: random 64-bit values, 0 for the space that
    # separates tokens, so each segment from a token's start to the next token's start sums just the token),
    # shifted to the token's own start.
    n = b.size
    pw, ipw = (_POW, _IPOW) if n < _POW_CACHE else (_powers(_P, n), _powers(_P_INV, n))
    first = before + 1
    th = np.add.reduceat(_BYTE_HASH.take(b) * pw[:n], first) * ipw.take(first)
    # Shingle hashes: k consecutive token hashes, each times its own odd constant, summed; top HASH_BITS bits.
    if nt >= k:
        m = nt - k + 1
        s = th[:m] * _MIX[0]
        for j in range(1, k):
            s += th[j : j + m] * _MIX[j]
    else:
        s = np.array([sum(int(t) * int(_MIX[j]) for j, t in enumerate(th)) & _MASK64], dtype=_U64)
    s >>= _DROP
    # The smallest distinct values.
    if s.size > size + 16:
        s = np.partition(s, size + 15)[: size + 16]
        s.sort()
        s = s[np.concatenate(([True], s[1:] != s[:-1]))]
        if s.size < size:  # many repeated shingles: take the distinct values from all of them
            return ch, _analyse_all(th, k, size)
        return ch, s[:size]
    s.sort()
    if s.size > 1:
        s = s[np.concatenate(([True], s[1:] != s[:-1]))]
    return ch, s[:size]


def _analyse_all(th: np.ndarray, k: int, size: int) -> np.ndarray:
    m = th.size - k + 1
    s = th[:m] * _MIX[0]
    for j in range(1, k):
        s += th[j : j + m] * _MIX[j]
    s >>= _DROP
    return np.unique(s)[:size]


def anchor_keys(sketch: np.ndarray | list[int] | tuple[int, ...], count: int = QUERY_ANCHORS) -> tuple[str, ...]:
    """Index keys of the first ``count`` sketch values (12 hex digits each)."""
    arr = sketch[:count] if isinstance(sketch, np.ndarray) else np.asarray(sketch[:count], dtype=_U64)
    h = arr.astype("<u8", copy=False).tobytes().hex()
    return tuple(h[i : i + 12] for i in range(0, len(h), 16))


def fingerprint(text: str) -> Fingerprint:
    if _sketch is not None:
        joined, sk, keys, st = _sketch.fingerprint(_c_input(text), SHINGLE, SKETCH, QUERY_ANCHORS, _STORED_SHIFT)
        return Fingerprint(hashlib.blake2b(joined, digest_size=16).hexdigest(), sk, keys, st)
    return _fingerprint_numpy(text)


def _fingerprint_numpy(text: str) -> Fingerprint:
    """``fingerprint`` without the C extension (the reference)."""
    ch, sk = _analyse_numpy(text)
    return Fingerprint(ch, tuple(sk.tolist()), anchor_keys(sk), stored_bytes(sk))


class _PyAnchorTable:
    """``_sketch.AnchorTable`` without the C extension (the same answers; a dict of lists: ~100 B per code)."""

    def __init__(self) -> None:
        self._codes: dict[int, list[int]] = {}
        self._n = 0

    def add(self, codes: bytes, item: int, cap: int) -> None:
        for (code,) in struct.iter_unpack("<I", codes):
            held = self._codes.setdefault(code, [])
            if len(held) < cap:
                held.append(item)
                self._n += 1

    def remove(self, codes: bytes, item: int) -> None:
        for (code,) in struct.iter_unpack("<I", codes):
            held = self._codes.get(code)
            if held and item in held:
                held.remove(item)
                self._n -= 1
                if not held:
                    del self._codes[code]

    def get(self, codes: bytes, full: int) -> list[int]:
        out: list[int] = []
        for (code,) in struct.iter_unpack("<I", codes):
            held = self._codes.get(code)
            if held and len(held) < full:
                out += held
        return out

    def __len__(self) -> int:
        return self._n


def anchor_table() -> Any:
    """The dedup index's anchor table (anchor code -> articles): ``_sketch.AnchorTable`` (C) when the extension is
    in use, else its Python twin."""
    return _sketch.AnchorTable() if _sketch is not None else _PyAnchorTable()


# -- comparing sketches ------------------------------------------------------------

def _as_array(sig) -> np.ndarray:
    if isinstance(sig, np.ndarray):
        return sig
    return np.fromiter(sig, dtype=_U64, count=len(sig))  # a third faster than np.array for a tuple of ints


_NO_CUT = _U64(1 << HASH_BITS)


def overlap(a, b, full: int = SKETCH) -> tuple[int, int, int]:
    """(shared, na, nb): sketch values shared by ``a`` and ``b`` and held by each, below their common cut.

    A sketch shorter than ``full`` holds every shingle of its body. Below the
    smaller "largest value" of two full sketches, both hold every hash of their
    body, so these counts are a sample of the bodies' shingles at the same rate.
    """
    a, b = _as_array(a), _as_array(b)
    return _overlap_q(a, a.size >= full, b, b.size >= full)


def resemblance(a, b, full: int = SKETCH) -> tuple[float, float]:
    """(containment, jaccard) of two bodies, estimated from their sketches.

    containment = |A & B| / min(|A|, |B|): ~1 when the shorter body is (mostly)
    inside the longer one; jaccard = |A & B| / |A | B|.
    """
    shared, na, nb = overlap(a, b, full)
    small, union = min(na, nb), na + nb - shared
    return (shared / small if small else 0.0), (shared / union if union else 0.0)


def similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """How much of the shorter body is in the longer one (containment, 0..1), from two sketches."""
    return resemblance(a, b)[0]




def stored(sketch) -> np.ndarray:
    """A sketch reduced to what the index stores (top STORED_BITS bits), to compare with ``unpack(...)[1]``."""
    return _as_array(sketch) >> _U64(_STORED_SHIFT)


def stored_bytes(sketch) -> bytes:
    """``stored(sketch)`` as little-endian uint32 bytes: what the index compares (``Fingerprint.stored``)."""
    return stored(sketch).astype("<u4").tobytes()


def _q16_shift(last: int) -> int:
    """The smallest shift that brings a stored value below 2**16 (the packed form's resolution)."""
    return max(0, int(last).bit_length() - 16)


def _ef_low(n: int, ubits: int) -> int:
    return max(0, ubits - (n - 1).bit_length())


def _ef_pack(values, ubits: int) -> bytes:
    """A non-decreasing list of n values below 2**ubits as Elias-Fano: n (uint16 LE), the low ``ubits - bits(n-1)``
    bits of each (LSB first), then the high parts in unary (bit ``(v >> low) + i`` set for value i): n * (2 + low)
    bits. The reference for ``_sketch.c``'s ef_write (tests/test_sketch_accel.py)."""
    vals = sorted(int(v) for v in values)
    n = len(vals)
    if not n:
        return b"\0\0"
    low = _ef_low(n, ubits)
    lo = hi = 0
    for i, v in enumerate(vals):
        lo |= (v & ((1 << low) - 1)) << (i * low)
        hi |= 1 << ((v >> low) + i)
    return struct.pack("<H", n) + lo.to_bytes((n * low + 7) // 8, "little") + hi.to_bytes((hi.bit_length() + 7) // 8,
                                                                                        "little")


def _ef_unpack(raw: bytes, ubits: int) -> list[int]:
    (n,) = struct.unpack_from("<H", raw)
    if not n:
        return []
    low = _ef_low(n, ubits)
    nlo = (n * low + 7) // 8
    lo, hi = int.from_bytes(raw[2 : 2 + nlo], "little"), int.from_bytes(raw[2 + nlo :], "little")
    mask, out = (1 << low) - 1, []
    for i in range(n):
        bit = hi & -hi
        hi ^= bit
        out.append(((bit.bit_length() - 1 - i) << low) | ((lo >> (i * low)) & mask))
    return out


def ef_pack(values: bytes, ubits: int, keep: int = 32, drop: int = 0) -> bytes:
    """Little-endian uint32 values as an Elias-Fano list of ``ubits``-bit values (``_ef_pack``). With ``drop``, each
    value is cut first: its ``drop`` bits above the low ``keep`` removed (and repeats then dropped)."""
    if _sketch is not None:
        return _sketch.ef_pack(values, ubits, keep, drop)
    vals = np.frombuffer(values, dtype="<u4").tolist()
    if drop:
        vals = sorted({((v >> (keep + drop)) << keep) | (v & ((1 << keep) - 1)) for v in vals})
    elif any(a > b for a, b in zip(vals, vals[1:], strict=False)):
        vals = sorted(set(vals))
    return _ef_pack(vals, ubits)


def ef_unpack(raw: bytes, ubits: int) -> list[int]:
    """The values of ``ef_pack``, ascending."""
    if _sketch is not None:
        return _sketch.ef_unpack(raw, ubits)
    return _ef_unpack(raw, ubits)


def pack(sketch, anchors: int = 0, stored_form: bytes | None = None) -> bytes:
    """A sketch as the index stores it (raw bytes): its first ``anchors`` values in full (little-endian uint64:
    the anchor keys can be rebuilt from them), one byte ``shift``, then every stored value (``stored``, 32 bits)
    shifted right by it, an Elias-Fano list of 16-bit values (``_ef_pack``: ~11 bits a value; index layout 3 kept
    them as uint16): the shift is the smallest that brings the largest value below 2**16 (the same verdicts as 32-bit
    values: see ``overlap_packed``). ``stored_form`` is ``stored_bytes(sketch)`` when the caller has it already."""
    if stored_form is None:
        stored_form = stored_bytes(sketch)
    if _sketch is not None and not isinstance(sketch, np.ndarray):
        return _sketch.pack(sketch[:anchors], stored_form)
    st = np.frombuffer(stored_form, dtype="<u4")
    shift = _q16_shift(st[-1]) if st.size else 0
    return (_as_array(sketch)[:anchors].astype("<u8").tobytes() + bytes((shift,))
            + _ef_pack((st >> np.uint32(shift)).tolist(), 16))


def unpack(raw: bytes, anchors: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """(the first ``anchors`` values in full, the packed values (stored values >> shift) as uint64, the shift)."""
    return (np.frombuffer(raw, dtype="<u8", count=anchors),
            np.array(_ef_unpack(raw[8 * anchors + 1 :], 16), dtype=_U64), raw[8 * anchors])


def overlap_packed(mine: bytes, packed: bytes, anchors: int = 0, full: int = SKETCH) -> tuple[int, int, int]:
    """``overlap`` of a sketch in its stored form (``stored_bytes``) and a packed one (``pack``): the index's lookup.

    Both are compared at the coarser of their two shifts; values that become equal inside one sketch count once.
    128 values over 65,536 steps: a value of a sketch falls on one of an unrelated sketch ~1 time in 500 (containment
    +0.002 on average); bench/dedup.py gave the same verdicts as with 32-bit values (BENCHMARKS.md)."""
    if _sketch is not None:
        return _sketch.overlap_packed(mine, packed, anchors, full)
    a = np.frombuffer(mine, dtype="<u4").astype(_U64)
    _, b, sb = unpack(packed, anchors)
    shift = max(_q16_shift(a[-1]) if a.size else 0, sb)
    qa, qb = np.unique(a >> _U64(shift)), np.unique(b >> _U64(shift - sb))
    # fullness is a property of the sketches (their number of values), not of what is left after the shift
    return _overlap_q(qa, a.size >= full, qb, b.size >= full)


def _overlap_q(a: np.ndarray, full_a: bool, b: np.ndarray, full_b: bool) -> tuple[int, int, int]:
    if not a.size or not b.size:
        return 0, int(a.size), int(b.size)
    cut = min(a[-1] if full_a else _NO_CUT, b[-1] if full_b else _NO_CUT)
    na = int(a.searchsorted(cut, side="right"))
    nb = int(b.searchsorted(cut, side="right"))
    small, big, ns, nbig = (a, b, na, nb) if na <= nb else (b, a, nb, na)
    small = small[:ns]
    pos = big[:nbig].searchsorted(small)
    pos[pos == nbig] = 0
    return int(np.count_nonzero(big[pos] == small)), na, nb
