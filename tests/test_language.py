"""workers.core.language: language identification."""

from __future__ import annotations

from workers.core import language


def test_language_id_and_en():
    indonesian = "Pemerintah Indonesia akan meningkatkan anggaran pendidikan pada tahun depan untuk sekolah."
    assert language.detect(indonesian)[0] == "id"
    assert language.detect("The government will raise the education budget next year for public schools.")[0] == "en"
    assert language.detect("ok") == (None, None)
