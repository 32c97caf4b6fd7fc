"""Unit tests of the pure core: plain functions, no broker."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timezone

import orjson
import pytest

from workers.core import dates, enrich, entities, language, schemas, text, urls
from workers.core.decode import decode
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Rejected, Source

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)


# -- decode: every bad input gets its reason code ------------------------------------------
@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"", "no_content"),
        (b'{"text": "unterminated', "invalid_json"),
        (b'{"text": "caf\xe9"}', "invalid_utf8"),
        (b"[1, 2]", "schema"),
        (b'{"html": 42}', "schema"),
        (b'{"text": "ok text here", "authors": 5}', "schema"),
        (b'{"url": "https://x.example/a"}', "no_content"),
        (b'{"text": "   \\n  "}', "no_content"),
    ],
)
def test_decode_rejects_with_reason(payload, reason):
    with pytest.raises(Rejected) as err:
        decode(payload, max_bytes=1000)
    assert err.value.reason == reason


def test_decode_too_large():
    with pytest.raises(Rejected) as err:
        decode(orjson.dumps({"text": "x" * 2000}), max_bytes=1000)
    assert err.value.reason == "too_large"


def test_decode_accepts_optional_fields():
    raw = decode(orjson.dumps({"text": "Body", "url": " https://a.example/x ", "authors": "A. Writer; B. Writer"}), 10_000)
    assert raw.url == "https://a.example/x"
    assert raw.authors == ["A. Writer", "B. Writer"]


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("Sabtu, 28 Oktober 2023", "2023-10-28T00:00:00Z"),
        ("Selasa, 21 Okt 2025 20:43 WIB", "2025-10-21T13:43:00Z"),
        ("Selasa (21/10/2025)", "2025-10-21T00:00:00Z"),
        ("21/10/2025 08:15 WITA", "2025-10-21T00:15:00Z"),
        ("Kamis, 3 Juli 2025 10:00 WIT", "2025-07-03T01:00:00Z"),
        ("October 28, 2023 8:03 AM ET", "2023-10-28T12:03:00Z"),
        ("2023-10-28T08:03:27Z", "2023-10-28T08:03:27Z"),
        ("2023-10-28T15:03:27+07:00", "2023-10-28T08:03:27Z"),
        ("2 jam yang lalu", "2025-11-05T10:00:00Z"),
        ("3 hours ago", "2025-11-05T09:00:00Z"),
    ],
)
def test_dates(value, expected):
    from workers.core.records import rfc3339

    assert rfc3339(dates.parse_value(value, now=NOW)) == expected


def test_rfc3339_reads_naive_as_utc_and_converts_aware():
    from datetime import datetime, timedelta

    from workers.core.records import rfc3339

    assert rfc3339(None) is None
    assert rfc3339(datetime(2025, 10, 21, 20, 43, 59, 999999)) == "2025-10-21T20:43:59Z"
    assert rfc3339(datetime(2025, 10, 21, 20, 43, tzinfo=timezone(timedelta(hours=7)))) == "2025-10-21T13:43:00Z"
    assert rfc3339(datetime(2025, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))) == "2024-12-31T20:30:00Z"
    assert rfc3339(datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)) == "1969-12-31T23:59:59Z"


def test_dates_updated_label_and_url():
    found = dates.find_dates("Sabtu, 28 Oktober 2023 | 0 Views Last Updated 2023-10-28T08:03:27Z", now=NOW)
    assert [f.updated for f in found] == [False, True]
    assert dates.from_url("https://x.example/2024/02/29/story") == datetime(2024, 2, 29, tzinfo=UTC)
    assert dates.from_url("https://x.example/d-8171947/story") is None


def test_dates_reject_implausible():
    assert dates.parse_value("31/02/2025") is None
    assert dates.find_dates("in 2099-01-01 we", now=NOW) == []


# -- urls -------------------------------------------------------------------------------------
def test_canonical_url_drops_tracking_and_fragment():
    url = "HTTP://WWW.Example.com:80/news/a?utm_source=x&id=7&fbclid=abc#top"
    assert urls.canonicalize(url) == "https://www.example.com/news/a?id=7"
    assert urls.host(url) == "example.com"
    assert urls.canonicalize("/rel/path", base="https://m.site.example/a/b") == "https://m.site.example/rel/path"
    assert urls.canonicalize("javascript:void(0)") is None


# -- text cleaning ------------------------------------------------------------------------------
def test_clean_lines_template_repeats_and_mojibake():
    raw = "\n".join([
        "Headline Of The Story Goes Here",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        "First paragraph of the story has enough words to be real text.",
        "Baca juga: Something else entirely",
        "Second paragraph mentions the cafÃ© downtown and continues for a while.",
        "Second paragraph mentions the cafÃ© downtown and continues for a while.",
        "Simak juga Video: Another thing",
        "•",
        "1.234 kali dibaca",
        "Last paragraph ends the story here.",
    ])
    out = text.clean_lines(raw)
    assert out.title == "Headline Of The Story Goes Here"
    assert out.paragraphs == [
        "First paragraph of the story has enough words to be real text.",
        "Second paragraph mentions the café downtown and continues for a while.",
        "Last paragraph ends the story here.",
    ]


def test_clean_lines_keeps_sentences_that_mention_template_words():
    raw = "Pemerintah melarang iklan rokok di televisi mulai tahun depan, kata menteri.\nBaca juga buku ini, ujarnya kepada siswa di kelas pada Senin pagi yang cerah itu."
    out = text.clean_lines(raw, detect_title=False)
    assert out.paragraphs[0].startswith("Pemerintah melarang iklan rokok")


def test_clean_lines_learned_template():
    raw = "A paragraph of article text that is long enough.\nJoin our newsletter today\nAnother paragraph of text."
    learned = {text.line_hash(text._key("Join our newsletter today"))}
    out = text.clean_lines(raw, extra_template=frozenset(learned), detect_title=False)
    assert "Join our newsletter today" not in out.paragraphs
    assert len(out.paragraphs) == 2


# -- enrichment -----------------------------------------------------------------------------------
def test_language_id_and_en():
    assert language.detect("Pemerintah Indonesia akan meningkatkan anggaran pendidikan pada tahun depan untuk sekolah.")[0] == "id"
    assert language.detect("The government will raise the education budget next year for public schools.")[0] == "en"
    assert language.detect("ok") == (None, None)


def test_entities_english():
    ents = entities.extract(
        "WASHINGTON (Reuters) - U.S. President Donald Trump said on Tuesday that the Federal Reserve should cut "
        "rates. Treasury Secretary Scott Bessent told reporters in New York that the Bank of England agreed."
    )
    assert {"Donald Trump", "Scott Bessent"} <= set(ents["persons"])
    assert {"Federal Reserve", "Bank of England", "Reuters"} <= set(ents["organizations"])
    assert "New York" in ents["locations"]


def test_dateline_and_agency():
    assert enrich.dateline("JAKARTA (Reuters) - Harga minyak naik.", "") == {"place": "Jakarta", "agency": "Reuters"}
    assert enrich.dateline("Jakarta, CNN Indonesia -- Harga naik.", "dikutip dari Antara.") == {"place": "Jakarta", "agency": "Antara"}
    assert enrich.dateline("Harga minyak naik pada Senin.", "Tidak ada kantor berita.") is None


def test_authors_cleaned():
    assert enrich.clean_authors(["By Jane Doe, Senior Reporter", "Email the author", "https://x.example/jd"]) == ["Jane Doe"]
    assert enrich.clean_authors(["Oleh: Budi Santoso dan Siti Aminah"]) == ["Budi Santoso", "Siti Aminah"]


def test_title_site_suffix_removed():
    assert enrich.clean_title("Rates rise again in Vestmark | The Daily Ledger", "The Daily Ledger") == "Rates rise again in Vestmark"


# -- the pipeline ---------------------------------------------------------------------------------
def test_pipeline_outcomes_and_dead_letter_payload():
    p = Pipeline(limits=Limits(timeout_seconds=0), clock=lambda: NOW)
    body = " ".join(f"Kalimat nomor {i} tentang banjir di kota yang sama." for i in range(40))
    first = p.process(orjson.dumps({"url": "https://a.example/1", "text": body}), Source("raw", 0, 1))
    again = p.process(orjson.dumps({"url": "https://b.example/9", "text": body}), Source("raw", 1, 5))
    bad = p.process(b'{"text": "caf\xe9"}', Source("raw", 0, 2))
    assert first.kind == "article" and first.value["dedup"]["status"] == "unique"
    assert again.kind == "duplicate" and again.value["dedup"]["duplicate_of"] == first.value["id"]
    assert again.value["dedup"]["story_id"] == first.value["dedup"]["story_id"]
    assert again.value["source"] == {"topic": "raw", "partition": 1, "offset": 5}
    assert bad.kind == "deadletter"
    assert bad.value["error"]["reason"] == "invalid_utf8"
    assert bad.value["payload_encoding"] == "base64"
    assert base64.b64decode(bad.value["payload"]) == b'{"text": "caf\xe9"}'
    assert bad.value["source"] == {"topic": "raw", "partition": 0, "offset": 2}
    assert schemas.errors("deadletter", bad.value) == []
    assert schemas.errors("article", first.value) == []


def test_pipeline_internal_error_is_dead_lettered(monkeypatch):
    import workers.core.pipeline as pipeline_mod

    def boom(*args):
        raise RuntimeError("bug in a stage")

    monkeypatch.setattr(pipeline_mod, "build", boom)
    p = Pipeline(limits=Limits(timeout_seconds=0))
    out = p.process(orjson.dumps({"text": "Some article text that is long enough to keep."}), Source(line=3))
    assert out.kind == "deadletter"
    assert out.value["error"]["reason"] == "internal"
    assert "bug in a stage" in out.value["error"]["message"]
    assert out.value["source"]["line"] == 3


def test_article_id_stable_from_canonical_url():
    p = Pipeline(limits=Limits(timeout_seconds=0))
    a = p.process(orjson.dumps({"url": "https://a.example/x?utm_source=t", "text": "Satu dua tiga empat lima enam."}), Source(line=1))
    b = Pipeline(limits=Limits(timeout_seconds=0)).process(
        orjson.dumps({"url": "https://a.example/x", "text": "Satu dua tiga empat lima enam tujuh."}), Source(line=1))
    assert a.value["id"] == b.value["id"]
    c = p.process(orjson.dumps({"text": "Tanpa URL sama sekali untuk artikel ini ya."}), Source(line=2))
    d = Pipeline(limits=Limits(timeout_seconds=0)).process(
        orjson.dumps({"text": "Tanpa URL sama sekali untuk artikel ini ya."}), Source(line=2))
    assert c.value["id"] == d.value["id"] != a.value["id"]


def test_site_templates_bounded_flushed_and_forgotten():
    from workers.core.templates import SiteTemplates

    store: dict = {}
    t = SiteTemplates(store, min_articles=4, ratio=0.5, max_lines=8, flush_every=3)
    for i in range(4):
        t.observe("site.example", {"menu", "footer", f"body-{i}-a", f"body-{i}-b"})
    assert store["d:site.example"]["n"] == 3  # written every 3 articles
    assert t.template_lines("site.example") == {"menu", "footer"}  # the unwritten 4th counts in memory
    assert len(t._record("site.example")["lines"]) <= 8  # bounded: the rarest lines are dropped first
    t.forget_pending()
    assert t.template_lines("site.example") == frozenset()  # back to the stored 3 articles: below min_articles
    assert t.template_lines("other.example") == frozenset() and t.template_lines(None) == frozenset()
