"""Offline language identification with py3langid (its model ships in the wheel)."""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Short texts are classified unreliably; below this many characters we say nothing.
MIN_CHARS = 20
# langid.py's inventory treats Malay and Indonesian as separate classes that
# share most vocabulary; scores for "ms" on Indonesian news are common. We keep
# both classes and only resolve the pair when their scores are close.
_SIBLINGS = {("ms", "id"), ("id", "ms")}


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str, hint: str | None = None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0..1) or (None, None) for too little text."""
    sample = text[:5000]
    if len(sample.strip()) < MIN_CHARS:
        hint = (hint or "").lower()[:2]
        return (hint, None) if len(hint) == 2 and hint.isalpha() else (None, None)
    ranked = _identifier().rank(sample)[:2]
    (best, p1), (second, p2) = ranked[0], ranked[1]
    if (best, second) in _SIBLINGS and hint and hint.lower()[:2] == second:
        best, p1 = second, p1 + p2
    elif (best, second) in _SIBLINGS:
        p1 = p1 + p2  # confident about the pair even when unsure which sibling
    return best, round(min(1.0, float(p1)), 4)
