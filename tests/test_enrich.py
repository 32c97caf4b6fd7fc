"""workers.core.enrich: dateline and agency, authors, title."""

from __future__ import annotations

from workers.core import enrich


def test_dateline_and_agency():
    assert enrich.dateline("JAKARTA (Reuters) - Harga minyak naik.", "") == {"place": "Jakarta", "agency": "Reuters"}
    assert enrich.dateline("Jakarta, CNN Indonesia -- Harga naik.", "dikutip dari Antara.") == {
        "place": "Jakarta", "agency": "Antara"}
    assert enrich.dateline("Harga minyak naik pada Senin.", "Tidak ada kantor berita.") is None


def test_authors_cleaned():
    byline = ["By Jane Doe, Senior Reporter", "Email the author", "https://x.example/jd"]
    assert enrich.clean_authors(byline) == ["Jane Doe"]
    assert enrich.clean_authors(["Oleh: Budi Santoso dan Siti Aminah"]) == ["Budi Santoso", "Siti Aminah"]


def test_title_site_suffix_removed():
    title = enrich.clean_title("Rates rise again in Vestmark | The Daily Ledger", "The Daily Ledger")
    assert title == "Rates rise again in Vestmark"
