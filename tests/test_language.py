"""workers.core.language: language identification."""

from __future__ import annotations

import csv
import itertools
import random

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from workers.core import language

from .conftest import DETIK_CSV


def test_language_id_and_en():
    indonesian = "Pemerintah Indonesia akan meningkatkan anggaran pendidikan pada tahun depan untuk sekolah."
    assert language.detect(indonesian)[0] == "id"
    assert language.detect("The government will raise the education budget next year for public schools.")[0] == "en"
    assert language.detect("ok") == (None, None)


def test_model_state_depends_only_on_the_last_window_bytes():
    """The premise of the vectorised walk: from ANY state of the model's automaton, reading any WINDOW
    bytes lands in the state that reading them from the start gives. Proved by partition refinement:
    two states are k-equivalent when every k-byte word leads them to the same state; after WINDOW rounds
    every state must be equivalent to every other (a new py3langid model that breaks this fails here)."""
    ident = language._identifier()
    moves = np.asarray(ident.tk_nextmove).reshape(-1, 256)
    rows = np.asarray(ident.tk_row, dtype=np.intp)
    cls = np.arange(len(rows), dtype=np.int64)  # 0 rounds: every state is its own class
    for _ in range(language.WINDOW):
        after = np.ascontiguousarray(cls[moves])  # per distinct row: the classes its 256 moves lead to
        _, row_cls = np.unique(after.view(np.dtype((np.void, after.shape[1] * 8))).ravel(), return_inverse=True)
        cls = row_cls.ravel()[rows]
    assert (cls == cls[0]).all()


def _texts() -> list[str]:
    rnd = random.Random(12)
    out = ["", "a", "ab", "ABCDEF", "é", "Ünïcödé ÀÉÎ", "日本語のテキスト", "\x00\x01 \n\t", "ok " * 400,
           "Pemerintah Indonesia akan meningkatkan anggaran pendidikan pada tahun depan untuk sekolah. " * 12,
           "The government will raise the education budget next year for public schools. " * 12]
    alphabets = ["abcdefghijklmnopqrstuvwxyz     .,", "ABCDEFGH abcdefgh 0123456789", "éèàçñüößøåæ αβγδ абвгд"]
    for _ in range(150):
        chars = rnd.choice(alphabets)
        out.append("".join(rnd.choice(chars) for _ in range(rnd.randrange(0, 1200))))
    out += ["".join(chr(rnd.randrange(0x20, 0x3000)) for _ in range(rnd.randrange(0, 300))) for _ in range(100)]
    if DETIK_CSV.exists():
        csv.field_size_limit(10**9)
        with DETIK_CSV.open(newline="", encoding="utf-8") as f:
            rows = itertools.islice(csv.DictReader(f), 200)
            out += [row["isi_berita"][: language.MODEL_CHARS] for row in rows]
    return out


def test_vectorised_walk_scores_as_py3langid_does():
    """Bit for bit: the same ranking and the same probabilities as py3langid's own byte-by-byte walk."""
    ours = language._identifier()
    theirs = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    assert isinstance(ours, language._Identifier)
    for text in _texts():
        assert ours.rank(text) == theirs.rank(text), text[:80]


def test_marker_sets_are_disjoint():
    """_id_or_ms counts each word for one side only (it sums the counts of each set's words)."""
    assert not language._ID_MARKERS & language._MS_MARKERS
