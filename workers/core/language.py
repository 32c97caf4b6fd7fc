"""Offline language identification with py3langid (its model ships in the wheel).

Measured (bench/quality.py, BENCHMARKS.md): py3langid over all its languages is
right on the benchmark pages, and on Indonesian news it errs only between the
siblings Indonesian and Malay. lingua-language-detector was measured too, and
was no better and four to five times slower, with a 96 MB wheel.

Indonesian and Malay share most of their vocabulary but not their spelling
standards and administrative words ("bahwa/bahawa", "karena/kerana",
"uang/wang", "pemerintah/kerajaan", "kabupaten", "ringgit"). When the model's
best answer is one of the two, these marker words decide between them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Short texts are classified unreliably; below this many characters we say nothing.
MIN_CHARS = 20
# The model reads this much of the text (its cost grows with the length: a byte-by-byte walk in
# Python); the Indonesian/Malay marker words are counted over MARKER_CHARS. Measured in BENCHMARKS.md.
MODEL_CHARS = 1000
MARKER_CHARS = 5000
_SIBLINGS = {"id", "ms"}

# Words written one way in Indonesia and another in Malaysia (spelling reform of 1972 kept
# some apart), and words for institutions of one country only. Lower-case, whole words.
_ID_MARKERS = frozenset([
    "bahwa", "karena", "uang", "pemerintah", "pemerintahan", "yaitu", "setelah", "perusahaan", "bisa", "nggak",
    "enggak", "gak", "kabupaten", "provinsi", "kecamatan", "kelurahan", "mobil", "kantor", "rp", "wib", "wita",
    "proyek", "kualitas", "aktivitas", "komunitas", "fasilitas", "maupun", "kendaraan", "parlemen", "agustus",
    "desember", "maret", "juni", "juli", "pemilu", "kepolisian", "dprd", "polri", "kemarin", "sepeda", "rupiah",
    "silakan",
])
_MS_MARKERS = frozenset([
    "bahawa", "kerana", "kerajaan", "iaitu", "selepas", "syarikat", "sahaja", "kakitangan", "polis",
    "universiti", "baharu", "ringgit", "ogos", "julai", "disember", "kenderaan", "parlimen", "projek",
    "kualiti", "aktiviti", "komuniti", "fasiliti", "mahupun", "menerusi", "akhbar", "perlembagaan", "pelancong",
    "sebarang",
])
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _id_or_ms(sample: str) -> tuple[str | None, float]:
    """("id" or "ms" or None when the markers do not decide, share of the markers that agree)."""
    n_id = n_ms = 0
    for w in _WORD.findall(sample.lower()):
        if w in _ID_MARKERS:
            n_id += 1
        elif w in _MS_MARKERS:
            n_ms += 1
    share_id = (n_id + 1) / (n_id + n_ms + 2)  # Laplace-smoothed
    if n_id - n_ms >= 2 and n_id >= 2 * n_ms:
        return "id", share_id
    if n_ms - n_id >= 2 and n_ms >= 2 * n_id:
        return "ms", 1 - share_id
    return None, max(share_id, 1 - share_id)


def detect(text: str, hint: str | None = None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0..1) or (None, None) for too little text."""
    sample = text[:MARKER_CHARS]
    hint = (hint or "").lower()[:2]
    if len(sample.strip()) < MIN_CHARS:
        return (hint, None) if len(hint) == 2 and hint.isalpha() else (None, None)
    ranked = _identifier().rank(sample[:MODEL_CHARS])
    best, p1 = ranked[0]
    if best not in _SIBLINGS:
        return best, round(min(1.0, float(p1)), 4)
    pair = sum(float(p) for lang, p in ranked[:5] if lang in _SIBLINGS)
    choice, share = _id_or_ms(sample)
    if choice is not None:
        return choice, round(min(1.0, pair * share), 4)
    # The markers do not decide: the page's own declaration breaks a close call, else the model.
    if hint in _SIBLINGS and hint != best:
        second = next((float(p) for lang, p in ranked[:5] if lang == hint), 0.0)
        if second >= 0.25 * float(p1):
            return hint, round(second, 4)
    return best, round(min(1.0, float(p1)), 4)
