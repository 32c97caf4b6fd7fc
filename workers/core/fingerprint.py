"""Fingerprints of a cleaned body: an exact content hash and a MinHash signature.

MinHash estimates the Jaccard similarity of two bodies' word shingles; LSH
banding turns the signature into a few keys so that similar bodies share at
least one key with high probability. The parameters are chosen in
BENCHMARKS.md ("Near-duplicates") from measurements on real news text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rensa import RMinHash

NUM_PERM = 128
BANDS = 32  # 32 bands x 4 rows: a pair at Jaccard 0.5 collides in >= 1 band with p ~ 0.87
ROWS = NUM_PERM // BANDS
SHINGLE = 3  # words per shingle
SEED = 20231028  # fixed: signatures must agree across processes and restarts

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def content_hash(text: str) -> str:
    """Identical for bodies that differ only in case, punctuation and spacing."""
    return hashlib.blake2b(" ".join(tokens(text)).encode("utf-8"), digest_size=16).hexdigest()


def shingles(words: list[str], k: int = SHINGLE) -> list[str]:
    if len(words) < k:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]


@dataclass(frozen=True)
class Fingerprint:
    content_hash: str
    signature: tuple[int, ...]
    bands: tuple[str, ...]


def fingerprint(text: str) -> Fingerprint:
    words = tokens(text)
    mh = RMinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update(shingles(words))
    sig = tuple(mh.digest())
    bands = tuple(
        f"{b:02d}{hashlib.blake2b(repr(sig[b * ROWS:(b + 1) * ROWS]).encode(), digest_size=8).hexdigest()}"
        for b in range(BANDS)
    )
    return Fingerprint(hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest(), sig, bands)


def similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b) if x == y) / len(a)
