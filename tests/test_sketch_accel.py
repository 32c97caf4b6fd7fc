"""The C fingerprint (workers.core._sketch) gives bit-identical results to the numpy reference.

Stored sketches and content hashes depend on every bit, so the two paths are compared on real bodies (the
extraction benchmark's gold bodies, detik news) and on random strings mixing scripts, marks, emoji and punctuation.
"""

from __future__ import annotations

import csv
import os
import random
import types

import numpy as np
import orjson
import pytest

from tests.conftest import BENCHMARK, DETIK_CSV
from workers.core import fingerprint as F

# In CI the extension must have been built (gcc and the Python headers are there): a missing one fails these
# tests instead of skipping them, so that the numpy fallback never runs unnoticed where C was meant to.
if F._sketch is None and os.environ.get("CI"):
    raise RuntimeError("CI: the C extension workers.core._sketch was not built (pip install needs gcc and python3-dev)")
pytestmark = pytest.mark.skipif(F._sketch is None, reason="the C extension workers.core._sketch is not built")


def _c() -> types.ModuleType:
    """The C extension (the tests of this file are skipped without it)."""
    assert F._sketch is not None
    return F._sketch


def same(text: str, k: int = F.SHINGLE, size: int = F.SKETCH) -> None:
    ch_ref, sk_ref = F._analyse_numpy(text, k, size)
    ch, sk = F._analyse(text, k, size)
    assert ch == ch_ref, text
    assert sk.dtype == sk_ref.dtype and sk.tolist() == sk_ref.tolist(), text
    if (k, size) == (F.SHINGLE, F.SKETCH):
        fp, ref = F.fingerprint(text), F._fingerprint_numpy(text)
        assert fp == ref, text
        assert fp.stored == ref.stored == F.stored_bytes(ref.sketch), text  # (not part of ==)


def test_accelerated_path_is_used():
    fp = F.fingerprint("Satu dua tiga empat")
    assert fp == F._fingerprint_numpy("Satu dua tiga empat")
    assert type(fp.sketch) is tuple and all(type(v) is int for v in fp.sketch)


def test_benchmark_gold_bodies():
    path = BENCHMARK / "ground-truth.json"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    truth = orjson.loads(path.read_bytes())
    bodies = [v["articleBody"] for v in truth.values() if v.get("articleBody")]
    assert len(bodies) > 100
    for body in bodies:
        same(body)
    for body in bodies[:20]:
        for k in (1, 2, 4, 5):
            for size in (0, 1, 32, 256):
                same(body, k, size)


def test_detik_bodies():
    if not DETIK_CSV.exists():
        pytest.skip(f"{DETIK_CSV} is missing")
    with DETIK_CSV.open(newline="", encoding="utf-8") as f:
        bodies = [row["isi_berita"] for _, row in zip(range(200), csv.DictReader(f), strict=False)]
    assert len(bodies) == 200
    for body in bodies:
        same(body)
        same(body + "\n" + body)  # repeated shingles


_PIECES = [
    "berita", "Jakarta", "Presiden", "mengapresiasi", "inflasi", "persen", "DPR", "kata", "yang", "dan",
    "the", "News", "world", "x", "a", "I", "İstanbul", "STRASSE", "Straße", "naïve", "café", "ﬁnance",
    "東京", "北京市", "한국어", "日本語のテキスト", "русский", "Ελληνικά", "עברית", "العربية", "हिन्दी", "ไทย",
    "🙂", "👍🏽", "👨‍👩‍👧", "🇮🇩", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛", "𐍈", "\U0001f600x",
    "e\u0301", "a\u0308b", "\u0301", "\u0903", "\u200b", "\u200d", "\ufeff", "\u00ad",
    "“", "”", "‘", "’", "–", "—", "…", "•", "\u00a0", "«", "»", "·", "©", "°", "½", "²", "Ⅻ", "٣",
    "0", "2025", "3,5", "10.000", "_", "__init__", "a_b", "-", "--", ".", ",", "!?", "(", ")", "\"", "'",
    "\t", "\n", "\r\n", " ", "  ", "\x00", "\x7f", "\x85", "\u2028", "\u3000",
]


def fuzz_string(rng: random.Random) -> str:
    mode = rng.random()
    if mode < 0.1:
        return rng.choice(["", " ", "kata", "dua kata", "“satu”", "a b", "a b c", "_", "…", "🙂", "e\u0301"])
    if mode < 0.2:  # ASCII only (the C code lower-cases an ASCII str itself): every ASCII character, capitals
        if rng.random() < 0.5:
            return "".join(chr(rng.randint(0, 127)) for _ in range(rng.randint(0, 300)))
        ascii_pieces = [p for p in _PIECES if p.isascii()] + ["JAKARTA", "Kata", "ABC", "Z", "mIxEd", "X_Y", "A1B2"]
        return " ".join(rng.choice(ascii_pieces) for _ in range(rng.randint(0, 400)))
    if mode < 0.35:  # random code points from everywhere (no lone surrogates: str.encode would refuse them)
        out = []
        for _ in range(rng.randint(0, 60)):
            r = rng.random()
            if r < 0.4:
                cp = rng.randint(0x20, 0x7E)
            elif r < 0.8:
                cp = rng.randint(0x80, 0xFFFF)
            else:
                cp = rng.randint(0x10000, 0x10FFFF)
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0x20
            out.append(chr(cp))
        return "".join(out)
    n = rng.randint(0, 400)
    sep = [" ", " ", " ", "  ", "\n", ", ", ". ", "—", "“", "” ", "’"]
    return "".join(rng.choice(_PIECES) + (rng.choice(sep) if rng.random() < 0.7 else "") for _ in range(n))


def test_fuzz():
    rng = random.Random(20261127)
    for i in range(4000):
        text = fuzz_string(rng)
        same(text)
        if i % 10 == 0:
            same(text, rng.randint(1, 8), rng.choice([0, 1, 2, 8, 128, 300]))


def test_ascii_str_and_bytes_give_the_same():
    for text in ["Satu DUA tiga, Empat_lima!", "ABC def GHI jkl MNO", "".join(map(chr, range(128))) * 3, "x" * 100]:
        assert text.isascii()
        low = text.lower().encode("utf-8")
        assert _c().fingerprint(text, 3, 128, 12, 21) == _c().fingerprint(low, 3, 128, 12, 21)
        assert _c().sketch(text, 2, 64) == _c().sketch(low, 2, 64)
    with pytest.raises(ValueError):
        _c().sketch("caf\u00e9", 3, 128)  # a non-ASCII str must come lower-cased and encoded


def test_edge_cases():
    for text in ["", " ", "\n\t", "…", "“”", "a", "A", "a b", "a  b", "a b c", "_", "__", "é", "🙂", "x" * 70000,
                 "X" * 70000, "Ab" * 40 + " " + "é" * 50, " ".join(["same"] * 1000), " ".join(["a", "b"] * 500),
                 "kata " * 10 + "lain " * 10]:
        same(text)
        for k in range(1, 9):
            same(text, k, 16)


def test_many_repeated_shingles():
    # Fewer than SKETCH distinct values among the smallest SKETCH + 16 shingles: the full distinct set is taken.
    words = [f"w{i}" for i in range(60)]
    text = " ".join(words * 5) + " " + " ".join(f"u{i}" for i in range(500))
    same(text)
    rng = random.Random(1)
    for _ in range(50):
        pool = [f"k{i}" for i in range(rng.randint(1, 200))]
        same(" ".join(rng.choice(pool) for _ in range(rng.randint(0, 2000))))


def test_sketch_array_is_usable():
    ch, sk = F._analyse("satu dua tiga empat lima enam")
    assert isinstance(sk, np.ndarray) and sk.dtype == np.uint64
    assert F.anchor_keys(sk) == F.fingerprint("satu dua tiga empat lima enam").anchors
    sk[:1] = 0  # writable, like the numpy path's array


def test_bad_input_does_not_crash():
    with pytest.raises(UnicodeEncodeError):
        F.fingerprint("a \ud800 b")  # a lone surrogate: refused before the C code, as in the numpy path
    with pytest.raises(UnicodeEncodeError):
        F._fingerprint_numpy("a \ud800 b")
    # Invalid UTF-8 straight into the C function: no crash, no read past the end.
    for raw in [b"\xff", b"\xc3", b"a \xe2\x80", b"\xf0\x9f", b"\x80\x80 abc \xc0", bytes(range(256))]:
        _c().sketch(raw, 3, 128)
        _c().fingerprint(raw, 3, 128, 12, 21)
    with pytest.raises(ValueError):
        _c().sketch(b"a b c", 0, 128)
    with pytest.raises(ValueError):
        _c().sketch(b"a b c", 9, 128)


# -- the index's stored sketches: pack and overlap_packed in C and in numpy -------------------------------------

def _numpy_only(monkeypatch, fn, *args):
    with monkeypatch.context() as m:
        m.setattr(F, "_sketch", None)
        return fn(*args)


def _sketches(rng: random.Random) -> list[tuple[int, ...]]:
    """Real sketches (short and full bodies) and random ascending ones, some with values that share their top bits."""
    out = [F.fingerprint(t).sketch for t in ["", "satu", "satu dua tiga", "a b c d e f g h i j k l m n o p",
                                                 " ".join(f"kata{i}" for i in range(400))]]
    for _ in range(150):
        n = rng.choice([0, 1, 5, 60, 127, 128, 128, 128])
        top = 1 << rng.choice([F.HASH_BITS, 40, 24])  # small ranges: values collide once cut to 32 bits
        out.append(tuple(sorted(rng.sample(range(top), n))))
    return out


def test_pack_matches_numpy(monkeypatch):
    rng = random.Random(7)
    for sig in _sketches(rng):
        for anchors in (0, 1, 8, 200):
            packed = F.pack(sig, anchors)
            assert packed == _numpy_only(monkeypatch, F.pack, sig, anchors)
            assert packed == F.pack(np.array(sig, dtype=np.uint64), anchors)
            head, st, shift = F.unpack(packed, min(anchors, len(sig)))
            full = F.stored(sig)
            assert head.tolist() == list(sig[:anchors]) and st.tolist() == (full >> np.uint64(shift)).tolist()
            assert not full.size or (st[-1] < 2**16 and (shift == 0 or st[-1] >= 2**15))  # the smallest shift


def test_overlap_packed_matches_numpy(monkeypatch):
    rng = random.Random(11)
    sigs = _sketches(rng)
    body = " ".join(f"kata{i}" for i in range(600))
    half, whole = F.fingerprint(body[: len(body) // 2]).sketch, F.fingerprint(body).sketch  # half inside the whole
    words = [f"w{rng.randrange(3000)}" for _ in range(5000)]
    real = [half, whole] + [F.fingerprint(" ".join(words[i : i + n])).sketch
                            for i, n in ((0, 400), (100, 400), (200, 300), (1000, 500), (0, 4000), (50, 3900))]
    sigs += real
    for _ in range(3000):
        a, b = rng.choice(sigs), rng.choice(sigs)
        anchors = rng.choice([0, 8])
        full = rng.choice([F.SKETCH, 64, 1])
        mine, packed = F.stored_bytes(a), F.pack(b, anchors)
        got = F.overlap_packed(mine, packed, min(anchors, len(b)), full)
        assert got == _numpy_only(monkeypatch, F.overlap_packed, mine, packed, min(anchors, len(b)), full)
        if a is b:
            assert got[0] == got[1] == got[2]  # a sketch holds all of itself at any resolution
        if (any(a is x for x in real) and any(b is x for x in real)
                and F.unpack(F.pack(a))[2] == F.unpack(packed, min(anchors, len(b)))[2]):
            # sketches of texts (hash values, not the edge cases of _sketches) of one scale, as copies are:
            # 16-bit steps make a few values of one fall on another's (or two of one merge into one)
            exact = F.overlap(F.stored(a), F.stored(b), full)
            assert max(abs(x - y) for x, y in zip(got, exact, strict=True)) <= 3, (got, exact)
    shared, na, nb = F.overlap_packed(F.stored_bytes(half), F.pack(whole, 8), 8)
    assert shared / min(na, nb) > 0.9  # a body cut to half is still (almost) all inside the whole


def test_overlap_packed_refuses_what_pack_does_not_write():
    mine = F.stored_bytes(F.fingerprint("satu dua tiga empat").sketch)
    for bad in [b"", b"\x00\x01\x02\x03", b"\x11\x00\x00"]:  # no shift, not whole uint16 values, shift over 16
        with pytest.raises(ValueError):
            _c().overlap_packed(mine, bad, 0, 128)
    with pytest.raises(TypeError):
        _c().overlap_packed(mine, "AAAA", 0, 128)  # text (layout 2's base64) is not a packed sketch
    with pytest.raises(ValueError):
        _c().overlap_packed(mine, F.pack((1, 2, 3)), 8, 128)  # fewer bytes than the anchors claim
    with pytest.raises(ValueError):
        _c().overlap_packed(b"abc", F.pack((1, 2, 3)), 0, 128)  # not uint32
    with pytest.raises(OverflowError):
        _c().pack((-1,), b"")
