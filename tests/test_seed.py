"""The first golden test: the seed page (a real Indonesian scrape with its site template)."""

from __future__ import annotations

import orjson
import pytest

from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

from .conftest import REPO, SEED

TEMPLATE_LINES = ["Notification", "×", "Iklan", "Berita Terbaru Update", "0 Views", "Last Updated"]


@pytest.fixture(scope="module")
def event(shared):
    seed = SEED.read_text(encoding="utf-8")
    outcome = Pipeline(limits=Limits(timeout_seconds=0)).process(orjson.dumps({"text": seed}), Source(line=1))
    assert outcome.kind == "article", outcome.value
    return outcome.value


def test_title_language_date_dateline(event):
    assert event["title"] == "AS-China Sepakat Pertemukan Antara Pemimpin Kedua Negara Pada November 2023"
    assert event["language"] == "id"
    assert event["published_at"].startswith("2023-10-28")
    assert event["updated_at"] == "2023-10-28T08:03:27Z"  # "Last Updated 2023-10-28T08:03:27Z"
    assert event["dateline"]["place"] == "Jakarta"
    assert event["dateline"]["agency"] == "AFP"  # "... melansir AFP."


def test_template_lines_removed(event):
    body = event["body"]
    lines = body.split("\n\n")
    for template in TEMPLATE_LINES:
        assert all(template not in line for line in lines), template
    assert "Sabtu, 28 Oktober 2023" not in body
    assert not body.startswith(event["title"])


def test_repeated_line_once_and_edges_kept(event):
    body = event["body"]
    assert body.count("menyerahkan konfirmasi kedatangan Xi Jinping pada China.") == 1
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("Jakarta, Ungkapfakta.Online -- Amerika Serikat dan China sepakat")
    assert paragraphs[-1].endswith("serangkaian kontak tingkat tinggi antara AS dan China.")


def test_persons(event):
    persons = set(event["entities"]["persons"])
    assert {"Joe Biden", "Xi Jinping", "Wang Yi"} <= persons


def test_matches_golden_file(event):
    """The whole cleaned article, checked by eye once (tests/golden/seed_article.json)."""
    golden = orjson.loads((REPO / "tests" / "golden" / "seed_article.json").read_bytes())
    for field, expected in golden.items():
        assert event[field] == expected, field
