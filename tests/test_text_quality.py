"""Cleaning and enrichment quality: template lines, learned site templates, dates, authors, datelines.

Inline texts written for these tests; one test reads the detik CSV from ../shared when it is there.
"""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from workers.core import dates, enrich, entities, language, text
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import ArticleEvent, Source, rfc3339

from .conftest import DETIK_CSV

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
WIB = timedelta(hours=7)


def _pipeline(**kw) -> Pipeline:
    return Pipeline(limits=Limits(timeout_seconds=0), clock=lambda: NOW, **kw)


def _process(p: Pipeline, msg: dict, line: int = 1) -> ArticleEvent:
    out = p.process(orjson.dumps(msg), Source(line=line))
    assert out.kind in ("article", "duplicate"), out.value
    return out.article


# -- detik-style template lines --------------------------------------------------------------
DETIK_STYLE = "\n".join([
    "Menkeu Tegaskan Anggaran Daerah Aman Hingga Akhir Tahun",
    "Menteri Keuangan Purbaya Yudhi Sadewa menegaskan anggaran transfer ke daerah tetap aman hingga akhir tahun.",
    "\"Kami pastikan semua daerah menerima haknya tepat waktu,\" kata Purbaya di Jakarta, Selasa (21/10/2025).",
    "SCROLL TO CONTINUE WITH CONTENT",
    "ADVERTISEMENT",
    "Purbaya menyebut realisasi belanja daerah sudah mencapai 70 persen dari pagu tahun ini.",
    "Baca juga: Purbaya Sebut Ekonomi Tumbuh 5 Persen",
    "Simak juga Video 'Purbaya Ungkap Rahasia Harga Stabil':",
    "Tonton juga video \"Menkeu Bicara soal Dana Daerah\" di sini:",
    "Saksikan Live DetikPagi :",
    "Lihat Video 'Rapat Kerja Menkeu dengan DPR':",
    "Simak selengkapnya di halaman selanjutnya.",
    "Ia meminta pemerintah daerah mempercepat penyerapan anggaran pada kuartal terakhir.",
    "Ia meminta pemerintah daerah mempercepat penyerapan anggaran pada kuartal terakhir.",
    "×",
    "1.234 kali dibaca",
    "Bagikan",
])


def test_detik_style_template_lines_removed_paragraphs_kept():
    out = text.clean_lines(DETIK_STYLE)
    assert out.title == "Menkeu Tegaskan Anggaran Daerah Aman Hingga Akhir Tahun"
    assert out.paragraphs == [
        "Menteri Keuangan Purbaya Yudhi Sadewa menegaskan anggaran transfer ke daerah tetap aman hingga akhir tahun.",
        "\"Kami pastikan semua daerah menerima haknya tepat waktu,\" kata Purbaya di Jakarta, Selasa (21/10/2025).",
        "Purbaya menyebut realisasi belanja daerah sudah mencapai 70 persen dari pagu tahun ini.",
        "Ia meminta pemerintah daerah mempercepat penyerapan anggaran pada kuartal terakhir.",
    ]


@pytest.mark.parametrize("line", [
    "Read more: Fed holds rates steady", "Related Coverage", "Watch: The moment the bridge fell",
    "Baca beritanya dalam bahasa Inggris", "Follow us on Google News", "Skip to main content",
    "We use cookies to improve your experience on our site.", "Halaman 1 2 3 Selanjutnya", "Next page",
    "Sign up for our newsletter to get the latest news in your inbox",
])
def test_template_rules_english_and_indonesian(line):
    assert text.is_template_line(line)


@pytest.mark.parametrize("line", [
    "Baca juga buku ini, ujarnya kepada siswa di kelas pada Senin pagi yang cerah itu.",
    "Pemerintah melarang iklan rokok di televisi mulai tahun depan, kata menteri.",
    "Related talks between the two countries resumed on Monday after a long pause in Geneva.",
])
def test_sentences_that_start_like_template_stay(line):
    assert not text.is_template_line(line)


def test_mojibake_nfc_and_whitespace():
    out = text.clean_lines("Sekjen PBB AntÃ³nio Guterres memuji\u00a0 prestasi   Brigadir Renita di Jakarta.\r\n"
                           "Cafe\u0301 itu\u200b ramai dikunjungi warga pada akhir pekan lalu.", detect_title=False)
    assert out.paragraphs == ["Sekjen PBB António Guterres memuji prestasi Brigadir Renita di Jakarta.",
                              "Café itu ramai dikunjungi warga pada akhir pekan lalu."]


def test_headline_detection_one_sentence_only():
    assert text.looks_like_headline("Korban Keracunan MBG Bisa Ditanggung BPJS, Asal...")
    assert text.looks_like_headline("Lengkap! Isi Pidato Prabowo soal Rp 13 T Hasil Sitaan Kasus Sawit")
    assert text.looks_like_headline("Penggiat Medsos Rusia 'Mr. Terimakasih' Ngaku Diculik-Disiksa 7 Jam di Sanur")
    # a lead paragraph of two sentences is not a headline
    assert not text.looks_like_headline("Bank Indonesia menyampaikan tantangan perekonomian global. Lantas bagaimana?")
    body_only = text.clean_lines("Harga beras naik di sejumlah daerah. Lantas apa penyebabnya?\n"
                                 "Kepala BPS menjelaskan kenaikan dipicu cuaca buruk di sentra produksi.")
    assert body_only.title is None and len(body_only.paragraphs) == 2


@pytest.mark.skipif(not DETIK_CSV.exists(), reason="detik CSV not in ../shared")
def test_detik_csv_bodies_have_no_template_strings():
    csv.field_size_limit(1 << 30)
    with DETIK_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(itertools.islice(csv.DictReader(f), 100))
    p = _pipeline()
    raw_hits = 0
    for i, r in enumerate(rows, start=1):
        raw_hits += "SCROLL TO CONTINUE WITH CONTENT" in r["isi_berita"]
        ev = _process(p, {"url": r["tautan"], "text": r["judul"] + "\n" + r["isi_berita"]}, i)
        assert ev["title"] == r["judul"].strip()
        assert ev["language"] == "id"
        for s in ("SCROLL TO CONTINUE WITH CONTENT", "ADVERTISEMENT", "Simak juga Video", "Baca juga"):
            assert s not in ev["body"], (r["id"], s)
    assert raw_hits >= 90  # the input really carries the template


# -- site templates learned from the stream ----------------------------------------------------
INVENTED = ["Lighthouse Ledger", "Harbour · Valley · Farms · Opinion", "Tip line open around the clock: 555-0199",
            "Our newsroom is funded by members like you", "Printed by the Ledger Cooperative, Quay Street"]
STORIES = [
    "The harbour board approved a new ferry schedule on Monday after months of complaints from commuters.",
    "Farmers in the valley reported the earliest apple harvest in a decade, citing a warm spring.",
    "The county library will extend its weekend hours starting next month, the director announced.",
    "A storm knocked out power to about two thousand homes overnight before crews restored service.",
    "Local schools will receive new science labs funded by a state grant awarded this week.",
]


def _story(i: int) -> str:
    first = f"{STORIES[i % len(STORIES)]} Officials said case number {i} would be reviewed by the council."
    second = f"Residents who spoke at meeting {i} asked for clearer timelines and a public report by spring."
    return "\n".join(INVENTED[:2] + [first] + INVENTED[2:3] + [second] + INVENTED[3:])


def test_unknown_site_template_learned_and_removed():
    assert not any(text.is_template_line(ln) for ln in INVENTED), "the template must be unknown to the rules"
    p = _pipeline(template_min_articles=10, template_ratio=0.3)
    bodies = [_process(p, {"url": f"https://www.ledger.example/news/{i}", "text": _story(i)}, i)["body"]
              for i in range(16)]
    early, late = bodies[:10], bodies[11:]
    assert all(any(t in b for t in INVENTED) for b in early)  # before learning: the rules do not know them
    for i, body in enumerate(late, start=11):
        assert not any(t in body for t in INVENTED), body
        assert f"case number {i} would be reviewed" in body and f"meeting {i} asked" in body
    # another domain has learned nothing
    other = _process(p, {"url": "https://other.example/a", "text": _story(99)}, 99)["body"]
    assert "Our newsroom is funded by members like you" in other


# -- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("Sabtu, 28 Oktober 2023", "2023-10-28T00:00:00Z"),
    ("Selasa (21/10/2025)", "2025-10-21T00:00:00Z"),
    ("Selasa, 21 Okt 2025 20:43 WIB", "2025-10-21T13:43:00Z"),
    ("Rabu, 22 Oktober 2025 | 09.15 WITA", "2025-10-22T01:15:00Z"),
    ("Kamis, 23 Okt 2025 10:00 WIT", "2025-10-23T01:00:00Z"),
    ("2 jam yang lalu", "2025-11-05T10:00:00Z"),
    ("30 menit lalu", "2025-11-05T11:30:00Z"),
    ("sehari yang lalu", "2025-11-04T12:00:00Z"),
    ("Updated Oct. 21, 2025 8:03 p.m. ET", "2025-10-22T00:03:00Z"),
])
def test_indonesian_and_english_date_forms(value, expected):
    assert rfc3339(dates.parse_value(value, now=NOW)) == expected


def test_year_less_weekday_date_gets_its_year_from_the_weekday():
    found = dates.find_dates("Hal ini disampaikan Jumat (27/10) waktu setempat.", now=datetime(2026, 11, 1, tzinfo=UTC))
    assert [f.value.date().isoformat() for f in found] == ["2023-10-27"]  # the latest 27 October on a Friday
    found = dates.find_dates("Selasa (21/10/2025) dan Senin (20/10) lalu", now=NOW)
    assert [f.value.date().isoformat() for f in found] == ["2025-10-21", "2025-10-20"]


def test_published_date_from_the_text_of_a_scrape():
    p = _pipeline()
    ev = _process(p, {"url": "https://news.example.co.id/berita/123", "text": DETIK_STYLE})
    assert ev["published_at"] == "2025-10-21T00:00:00Z"  # "..., Selasa (21/10/2025)."
    ev = _process(p, {"url": "https://news.example.co.id/berita/124",
                      "text": "Judul Berita Tentang Banjir Di Kota Hari Ini\nSelasa, 21 Okt 2025 20:43 WIB\n"
                              "Banjir merendam ratusan rumah warga di kota itu sejak pagi hari, kata petugas."})
    assert ev["published_at"] == "2025-10-21T13:43:00Z"


# -- authors, dateline, language, entities ---------------------------------------------------------
def test_author_noise_removed():
    byline = ["By Jane Doe, Senior Reporter", "Email the author", "https://x.example/jd"]
    assert enrich.clean_authors(byline) == ["Jane Doe"]
    assert enrich.clean_authors(["JOHN SMITH | Political Correspondent", "Follow on Twitter @js"]) == ["John Smith"]
    assert enrich.clean_authors(["Jane Doe is a reporter at the Daily Ledger"]) == ["Jane Doe"]
    assert enrich.clean_authors(["Oleh: Budi Santoso dan Siti Aminah", "Tim Redaksi", "Rina Sari - detikNews"]) == [
        "Budi Santoso", "Siti Aminah", "Rina Sari"]
    assert enrich.clean_authors(["Ahmad Dani (AP)", "Updated 3 hours ago"]) == ["Ahmad Dani"]


@pytest.mark.parametrize("first, body, expected", [
    ("JAKARTA (Reuters) - Harga minyak naik.", "", {"place": "Jakarta", "agency": "Reuters"}),
    ("LONDON, Nov 20 (Reuters) - Oil prices rose.", "", {"place": "London", "agency": "Reuters"}),
    ("HAYWARD, Calif. (AP) — The Latest on a stabbing.", "", {"place": "Hayward", "agency": "AP"}),
    ("Jakarta (ANTARA) - Presiden meresmikan bendungan.", "", {"place": "Jakarta", "agency": "Antara"}),
    ("(CNN) President Donald Trump made a trip.", "", {"place": None, "agency": "CNN"}),
    ("Jakarta - Presiden Prabowo menegaskan hal itu.", "Hal itu disampaikan seperti dilansir kantor berita AFP.",
     {"place": "Jakarta", "agency": "AFP"}),
    ("Harga emas naik pada Senin.", "The company told Reuters on Monday.", {"place": None, "agency": "Reuters"}),
    ("Presiden Prabowo - kata dia - menegaskan hal itu.", "Tanpa kantor berita.", None),
])
def test_dateline_place_and_agency(first, body, expected):
    assert enrich.dateline(first, body or first) == expected


def test_language_indonesian_not_malay():
    lang, conf = language.detect("Dalam Islam sebenarnya utang merupakan urusan muamalah yang diperbolehkan karena "
                                 "pemerintah mengatur bahwa uang pinjaman harus dikembalikan setelah jatuh tempo.")
    assert lang == "id" and conf is not None and 0 < conf <= 1
    lang, _ = language.detect("Kerajaan Malaysia berkata bahawa syarikat itu perlu membayar kerana projek tersebut "
                              "gagal selepas beberapa bulan.")
    assert lang == "ms"


def test_entities_indonesian_roles_split_and_headline_noise():
    body = ("Menteri Keuangan Purbaya Yudhi Sadewa menyambangi Kantor Kementerian Pekerjaan Umum di Jakarta Selatan. "
            "Kepala Badan Pusat Statistik (BPS) Amalia Adininggar Widyasanti hadir. "
            "Hal itu disampaikan Anggota Komisi XII DPR RI, Junaidi Auly, kepada wartawan.\n"
            "\"Kami siap,\" kata Purbaya.")
    ents = entities.extract(body, title="Purbaya Sambangi Kementerian PU, Bahas Anggaran Tahun Depan", lang="id")
    assert {"Purbaya Yudhi Sadewa", "Amalia Adininggar Widyasanti", "Junaidi Auly"} <= set(ents["persons"])
    assert {"Badan Pusat Statistik", "BPS", "Komisi XII DPR RI"} <= set(ents["organizations"])
    assert "Jakarta Selatan" in ents["locations"]
    names = ents["persons"] + ents["organizations"] + ents["locations"]
    assert not any("Bahas" in n or "Sambangi" in n for n in names)
