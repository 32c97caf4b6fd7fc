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
from collections import Counter
from functools import lru_cache

import numpy as np
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

# Articles carry ISO 639-1 codes (two letters). The model also knows languages without one: those
# that belong to a macrolanguage with a code report it, the others (and "zxx", no linguistic content)
# report no language. Page declarations and raw fields sometimes use ISO 639-2/3 codes for the same.
_TO_639_1 = {
    # the model's own three-letter classes
    "arz": "ar", "ary": "ar", "uzs": "uz", "yue": "zh", "wuu": "zh", "gug": "gn", "sdh": "ku", "fuv": "ff",
    "kik": "ki",
    # ISO 639-2/T and /B codes of the languages this worker meets most
    "ind": "id", "msa": "ms", "may": "ms", "zsm": "ms", "eng": "en", "jav": "jv", "sun": "su", "ara": "ar",
    "zho": "zh", "chi": "zh", "cmn": "zh", "jpn": "ja", "kor": "ko", "fra": "fr", "fre": "fr", "deu": "de",
    "ger": "de", "spa": "es", "por": "pt", "rus": "ru", "nld": "nl", "dut": "nl", "ita": "it", "tha": "th",
    "vie": "vi", "hin": "hi", "tgl": "tl", "fil": "tl", "tur": "tr", "pol": "pl", "ukr": "uk", "hbs": "sh",
}
_CODE = re.compile(r"[a-z]{2,3}")


def iso639_1(code: str | None) -> str | None:
    """A language tag ("en", "en-US", "id_ID", "ind", "EN") as its ISO 639-1 code, else None."""
    if not code or not isinstance(code, str):
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    if not _CODE.fullmatch(primary):  # "éé", "x", "english", digits
        return None
    primary = _TO_639_1.get(primary, primary)
    return primary if primary in _known_codes() else None


@lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    """The ISO 639-1 codes the model knows ("zz" is not a language)."""
    return frozenset(c for c in _identifier().nb_classes if len(c) == 2) | frozenset(_TO_639_1.values())


# The model's tokeniser is an Aho-Corasick automaton over UTF-8 bytes whose deepest state is WINDOW bytes from
# the start (tests/test_language.py proves it for the model installed): the state after any byte is the
# state reached from the start by the WINDOW bytes ending there, whatever came before them.
WINDOW = 6


class _Identifier(LanguageIdentifier):
    """py3langid's identifier with its byte walk done for all positions at once in numpy.

    py3langid walks the automaton byte by byte in Python (about 1 us a byte: most of ``detect``'s cost).
    Here every position walks its own window of WINDOW bytes, all positions together: WINDOW vectorised
    steps instead of one Python step per byte. The feature counts, their order (first occurrence, as
    py3langid's Counter has them) and so the scores are the same, bit for bit (tests/test_language.py)."""

    __slots__ = ("_moves", "_rows", "_outputs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._moves = np.asarray(self.tk_nextmove)
        self._rows = np.asarray(self._rowbase, dtype=np.int64)
        self._outputs = np.asarray(self.tk_output, dtype=np.int64)

    def visits(self, data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(feature indexes in order of first occurrence, their counts), None when there is none."""
        b = np.frombuffer(data, dtype=np.uint8)
        n = b.size
        state = np.zeros(n, dtype=np.uint32)
        for k in range(WINDOW):
            lo = WINDOW - 1 - k  # position i reads byte i - lo in this step (none before the text starts)
            if lo < n:
                state[lo:] = self._moves[self._rows[state[lo:]] + b[: n - lo]]
        found = self._outputs[state]
        found = found[found >= 0]
        if not found.size:
            return None
        order = np.argsort(found, kind="stable")
        ranked = found[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        counts = np.diff(np.r_[starts, ranked.size])
        first = np.argsort(order[starts])
        return ranked[starts][first], counts[first]

    def _raw_score(self, text):
        visits = self.visits(text)
        if visits is None:
            return super()._raw_score(text)  # no feature: py3langid's own answer
        idx, counts = visits
        # py3langid's _sparse_score on the same arrays (intp indexes, float32 counts): the same sums
        return np.log1p(counts.astype(np.float32)) @ self.nb_ptc[idx.astype(np.intp)] + self.nb_pc


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return _Identifier.from_model_file(MODEL_FILE, norm_probs=True)


def _id_or_ms(sample: str) -> tuple[str | None, float]:
    """("id" or "ms" or None when the markers do not decide, share of the markers that agree)."""
    counts = Counter(_WORD.findall(sample.lower()))  # counted in C; the marker sets are disjoint
    n_id = sum(counts[w] for w in _ID_MARKERS.intersection(counts))
    n_ms = sum(counts[w] for w in _MS_MARKERS.intersection(counts))
    share_id = (n_id + 1) / (n_id + n_ms + 2)  # Laplace-smoothed
    if n_id - n_ms >= 2 and n_id >= 2 * n_ms:
        return "id", share_id
    if n_ms - n_id >= 2 and n_ms >= 2 * n_id:
        return "ms", 1 - share_id
    return None, max(share_id, 1 - share_id)


def detect(text: str, hint: str | None = None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0..1) or (None, None) for too little text."""
    sample = text[:MARKER_CHARS]
    hint = iso639_1(hint) or ""
    if len(sample.strip()) < MIN_CHARS:
        return (hint, None) if hint else (None, None)
    ranked = _identifier().rank(sample[:MODEL_CHARS])
    best, p1 = ranked[0]
    if best not in _SIBLINGS:
        code = iso639_1(best)
        return (code, round(min(1.0, float(p1)), 4)) if code else (None, None)
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
