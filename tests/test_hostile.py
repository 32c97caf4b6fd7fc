"""Hostile input, cause by cause (issue 10, section 1): each input that crashed the worker, became an
``internal`` dead letter or lost a real article now comes out as an article with its bad value
normalised away, or as a dead letter with an honest reason."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from workers.core import dates, language, page, urls
from workers.core.pipeline import Limits, Pipeline, site_key
from workers.core.ratelog import RateLimitedLog
from workers.core.records import RawArticle, Source

NOW = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
PARAGRAPHS = [
    "Presiden Prabowo Subianto meresmikan jembatan baru di Kabupaten Bogor pada Senin pagi bersama gubernur.",
    "Jembatan sepanjang dua ratus meter itu menghubungkan dua kecamatan yang selama ini terpisah oleh sungai.",
    "Warga setempat menyambut peresmian itu karena waktu tempuh ke pasar kini hanya sepuluh menit saja.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def html_page(head: str = "", body: str | None = None, prefix: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) if body is None else body
    return (f"{prefix}<html><head><title>Jembatan Baru Diresmikan</title>{head}</head>"
            f"<body><article><h1>Jembatan Baru Diresmikan</h1>{paragraphs}</article></body></html>")


def pipeline(**kw) -> Pipeline:
    return Pipeline(limits=Limits(timeout_seconds=0), clock=lambda: NOW, **kw)


def run(obj: dict, p: Pipeline | None = None):
    outcome = (p or pipeline()).process(orjson.dumps(obj), Source(line=1))
    assert outcome.kind != "deadletter" or outcome.dead_letter["error"]["reason"] != "internal", outcome.value
    return outcome


def article(obj: dict, p: Pipeline | None = None) -> dict:
    outcome = run(obj, p)
    assert outcome.kind in ("article", "duplicate"), outcome.value
    return outcome.value


# -- URLs that do not parse: a null canonical URL, the article still processed --------------------------
BAD_URLS = ["http://x.example:99999/a", "http://x.example:abc/a", "http://x.example:-1/a", "http://[::1",
            "https://[not-ipv6]/a", "http://exa mple.com/a", "http://", "https:///path", "javascript:alert(1)",
            "http://x.example:/a:99999", "http://" + "a" * 5000 + ".example/", "\x00http://x.example/", ""]


@pytest.mark.parametrize("url", BAD_URLS)
def test_urls_never_raise(url):
    canonical = urls.canonicalize(url)
    assert canonical is None or canonical.startswith("https://")
    joined = urls.canonicalize("/a/b", base=url)
    assert joined is None or joined.startswith("https://")
    if canonical is None:
        assert urls.host(url) is None and urls.site(url) is None
    site_key(RawArticle(html=None, text="x", url=url))


@pytest.mark.parametrize("url", ["http://x.example:99999/a", "http://x.example:abc/a", "http://[::1"])
def test_bad_raw_url_gives_null_canonical_and_an_article(url):
    event = article({"text": TEXT, "url": url})
    assert event["url"] == url and event["canonical_url"] is None and event["domain"] is None


@pytest.mark.parametrize("bad", ["http://[::1", "https://x.example:99999/a", "http://x.example:-1/"])
@pytest.mark.parametrize("where", ["canonical", "og:url"])
def test_bad_page_canonical_falls_back_to_the_message_url(bad, where):
    head = (f'<link rel="canonical" href="{bad}">' if where == "canonical"
            else f'<meta property="og:url" content="{bad}">')
    event = article({"html": html_page(head), "url": "https://news.example.com/a/1"})
    assert event["canonical_url"] == "https://news.example.com/a/1"
    assert event["domain"] == "news.example.com"


def test_well_formed_urls_keep_their_canonical_form():
    assert urls.canonicalize("http://[::1]:8080/a?utm_source=x") == "https://[::1]:8080/a"
    assert urls.canonicalize("https://X.Example:443/a/amp#f") == "https://x.example/a"
    assert urls.site("https://news.detik.com/a") == "detik.com"


# -- dates: one range check at the boundary ----------------------------------------------------------
@pytest.mark.parametrize("header", ["5000 tahun lalu", "2000 tahun lalu", "99999999999999999999 days ago",
                                    "9999 years ago", "40 tahun yang lalu", "1" * 5000 + " hari lalu"])
def test_relative_dates_out_of_range_are_no_dates(header):
    found = dates.find_relative(header, NOW)
    assert found is None or found >= dates.MIN_DATE
    event = article({"text": "Jakarta\n" + header + "\n" + TEXT, "fetched_at": "2025-11-05T12:00:00Z"})
    assert event["published_at"] is None


def test_relative_dates_in_range_still_count():
    assert dates.find_relative("3 jam yang lalu", NOW) == NOW - timedelta(hours=3)
    assert dates.find_relative("2 years ago", NOW) == NOW - timedelta(days=730)


@pytest.mark.parametrize("value, expected", [
    ("1989-12-31T23:00:00Z", None), ("1990-01-01T00:00:00Z", "1990-01-01T00:00:00Z"),
    ("2025-11-06T12:00:00Z", "2025-11-06T12:00:00Z"), ("2025-11-09T13:00:00Z", None), ("2999-01-01", None),
    ("0001-01-01T00:00:00Z", None), ("2024-01-01T10:00:00-12:00", "2024-01-01T22:00:00Z"),
    # a zone that does not exist gives no point in time; trafilatura's reading of the day alone may remain
    ("2024-01-01T10:00:00+99:99", None), ("2024-01-01T10:00:00+14:30", None), ("2024-01-01T10:00:00+07:60", None),
])
@pytest.mark.parametrize("where", ["field", "meta", "jsonld"])
def test_dates_from_1990_to_two_days_after_the_fetch(value, expected, where):
    obj: dict = {"fetched_at": "2025-11-05T12:00:00Z", "url": "https://news.example.com/a"}
    if where == "field":
        obj |= {"text": TEXT, "published_at": value}
    elif where == "meta":
        obj["html"] = html_page(f'<meta property="article:published_time" content="{value}">')
    else:
        ld = orjson.dumps({"@type": "NewsArticle", "datePublished": value}).decode()
        obj["html"] = html_page(f'<script type="application/ld+json">{ld}</script>')
    published = article(obj)["published_at"]
    day_only = value[:10] + "T00:00:00Z" if "+" in value[10:] and where != "field" else None
    assert published in (expected, day_only), published


@pytest.mark.parametrize("fetched", ["1850-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_fetch_time_out_of_range_is_null_and_now_is_the_reference(fetched):
    event = article({"text": TEXT, "fetched_at": fetched, "published_at": "2025-11-04T10:00:00Z"})
    assert event["fetched_at"] is None and event["published_at"] == "2025-11-04T10:00:00Z"


@pytest.mark.parametrize("zone", ["+99:99", "-24:00", "+1460", "+14:30", "+07:60"])
def test_zones_out_of_range_give_no_point_in_time(zone):
    assert dates.find_dates(f"Selasa, 21 Oktober 2025 10:00 {zone}", now=NOW) == []
    assert dates.parse_value(f"2025-10-21T10:00:00{zone}", now=NOW) is None
    assert dates.parse_value("2025-10-21T10:00:00+07:00", now=NOW) == datetime(2025, 10, 21, 3, tzinfo=UTC)


# -- language: ISO 639-1 or null ---------------------------------------------------------------------
@pytest.mark.parametrize("hint, expected", [("éé", None), ("x", None), ("english", None), ("zz", None),
                                            ("ind", "id"), ("en-US", "en"), ("id_ID", "id"), ("EN", "en"),
                                            ("zxx", None), ("pcm", None), ("arz", "ar"), (None, None)])
def test_language_codes_are_iso_639_1(hint, expected):
    assert language.iso639_1(hint) == expected


@pytest.mark.parametrize("body", [
    "1234 5678 9012 3456 7890 1234 5678 9012 3456 7890",                 # the model says zxx
    "Mesin tungkop ureueng Aceh ka geujak u gampong gobnyan uroe nyoe",  # ace: no ISO 639-1 code
    "How far you dey? Wetin dey happen for here abeg make una hear am",  # pcm: no ISO 639-1 code
    "xxxx yyyy zzzz wwww vvvv uuuu tttt ssss rrrr qqqq",
])
@pytest.mark.parametrize("hint", [None, "éé", "pcm", "ind", "a"])
def test_article_language_is_two_letters_or_null(body, hint):
    event = article({"text": body, "language": hint})
    assert event["language"] is None or (len(event["language"]) == 2 and event["language"].isascii())
    assert (event["language"] is None) <= (event["language_confidence"] is None) or event["language"] is not None


def test_short_text_takes_a_valid_hint_only():
    assert language.detect("ok", "éé") == (None, None)
    assert language.detect("ok", "ind") == ("id", None)


# -- HTML that libxml2 or trafilatura refused ----------------------------------------------------------
@pytest.mark.parametrize("prefix", ['<?xml version="1.0" encoding="utf-8"?>\n',
                                    "\ufeff<?xml version='1.0' encoding='ISO-8859-1' standalone='yes'?>",
                                    '  <?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
                                    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'])
def test_xhtml_with_an_xml_declaration_is_parsed(prefix):
    event = article({"html": html_page(prefix=prefix)})
    assert PARAGRAPHS[1] in event["body"]


@pytest.mark.parametrize("code", [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
def test_html_with_control_characters_keeps_its_text(code):
    ch = chr(code)
    body = f"<p>{PARAGRAPHS[0]}{ch}</p><p>{ch}{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p>"
    event = article({"html": html_page(body=body)})
    for p in PARAGRAPHS:
        assert p in event["body"]


def test_jsonld_authors_nested_deep_are_read_without_recursion():
    for depth in (5, 1000, 5000):
        author = "{" + '"name":{' * depth + '"name":"Jane Doe"' + "}" * depth + "}"
        ld = '{"@type":"NewsArticle","author":' + author + "}"
        event = article({"html": html_page(f'<script type="application/ld+json">{ld}</script>')})
        assert event["authors"] in ([], ["Jane Doe"])
    lists = '{"@type":"NewsArticle","author":' + "[" * 900 + '{"name":"Jane Doe"}' + "]" * 900 + "}"
    article({"html": html_page(f'<script type="application/ld+json">{lists}</script>')})
    assert page._names([{"name": "A B"}, {"name": {"name": "C D"}}, "E F"]) == ["A B", "C D", "E F"]


def test_a_tag_with_100000_attributes_is_parsed_with_the_first_thousand():
    attrs = " ".join(f"data-a{i}='{i}'" for i in range(100_000))
    tree = page.parse(f"<html><body><p {attrs} id='last'>{PARAGRAPHS[0]}</p></body></html>")
    p = tree.find(".//p")
    assert len(p.attrib) == page.MAX_ATTRIBUTES and p.text == PARAGRAPHS[0]
    assert page.prepare("<p a=1 b='2' c=\"3\" d>x</p>") == "<p a=1 b='2' c=\"3\" d>x</p>"


# -- learned site templates never turn an article into a dead letter -------------------------------------
@pytest.mark.parametrize("form", ["html", "text"])
def test_many_copies_of_one_page_from_one_site_stay_articles(form):
    p = pipeline()
    for i in range(45):
        url = f"https://www.site.example/news/{i}"
        obj = {"html": html_page(), "url": url} if form == "html" else {"text": TEXT, "url": url}
        outcome = run(obj, p)
        assert outcome.kind in ("article", "duplicate"), (i, outcome.value)
        assert outcome.article["body"] == article(obj, pipeline())["body"]  # the same body as on a fresh site


def test_learned_templates_still_remove_a_sites_furniture():
    p = pipeline()
    furniture = "Ikuti Terus Kabar Kota Kami Setiap Hari Bersama Redaksi"
    for i in range(30):
        story = f"Cerita nomor {i} tentang warga kampung yang membangun sumur baru bersama tetangga mereka. " * 3
        event = article({"text": f"{story}\n\n{furniture}", "url": f"https://site.example/{i}"}, p)
    assert furniture not in event["body"] and "Cerita nomor 29" in event["body"]


# -- the offline command: byte-exact payloads, no output lost on a typo ----------------------------------
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NEWSWORKER_ARTICLE_TIMEOUT_SECONDS="0")
    return subprocess.run([sys.executable, "-m", "workers.cli", "process", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=120)


def test_cli_keeps_every_byte_but_the_newline(tmp_path):
    lines = [b'not json\r\r', b'{"text": 5}\r', b"\xff\xfe bad utf-8 \r\r", b'{"text": "\\u0000"}\r\r\r', b"   "]
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines))  # the last line has no newline
    proc = _cli("-i", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert len(out) == len(lines)
    for line, record in zip(lines, out, strict=True):
        payload = record["payload"].encode() if record["payload_encoding"] == "utf-8" else None
        if payload is None:
            import base64
            payload = base64.b64decode(record["payload"])
        assert payload == line


def test_cli_input_typo_leaves_the_output_alone(tmp_path):
    (tmp_path / "out.jsonl").write_bytes(b"earlier results\n")
    proc = _cli("-i", "typo.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"typo.jsonl" in proc.stderr and b"Traceback" not in proc.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == b"earlier results\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary file left


def test_cli_output_in_a_missing_directory_is_a_clear_error(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(orjson.dumps({"text": TEXT}) + b"\n")
    proc = _cli("-i", "in.jsonl", "-o", "nowhere/out.jsonl", cwd=tmp_path)
    assert proc.returncode == 2 and b"nowhere/out.jsonl" in proc.stderr and b"Traceback" not in proc.stderr


# -- logs: a flood of dead letters writes a bounded number of lines -----------------------------------------
def test_rate_limited_log_writes_a_burst_then_a_summary_by_key(caplog):
    now = [0.0]
    limited = RateLimitedLog(logging.getLogger("test.ratelog"), burst=3, interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.ratelog"):
        written = [limited.log(logging.WARNING, "schema" if i % 3 else "invalid_json", "dead letter %d", i)
                   for i in range(1000)]
        assert sum(written) == 3 and len(caplog.records) == 3
        now[0] = 61.0
        assert limited.log(logging.WARNING, "schema", "dead letter %d", 1000)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 5
    assert "997 more lines" in messages[3] and "schema: 664" in messages[3] and "invalid_json: 333" in messages[3]


def test_internal_errors_are_logged_at_a_bounded_rate(caplog):
    p = pipeline()
    with caplog.at_level(logging.ERROR, logger="workers.core.pipeline"):
        outcomes = [p.internal_error(b"{}", Source(line=i), ZeroDivisionError("bug")) for i in range(200)]
    assert all(o.dead_letter["error"]["reason"] == "internal" for o in outcomes)
    assert len(caplog.records) == p.internal_log.burst
