"""Settings from the environment, and the offline ``newsworker process`` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from workers.settings import Settings, SettingsError

from .conftest import REPO

SAMPLE = REPO / "samples" / "demo.jsonl"


def test_settings_defaults_and_env():
    s = Settings.from_env({})
    assert s.broker == "kafka://localhost:9092" and s.app_id == "newsworker" and s.web_port == 6066
    s = Settings.from_env({
        "NEWSWORKER_BROKER": "kafka://k1:9092;kafka://k2:9092",
        "NEWSWORKER_RAW_TOPICS": "a, b ,c",
        "NEWSWORKER_WEB_PORT": "7000",
        "NEWSWORKER_STATE_DIR": "/var/lib/nw",
        "NEWSWORKER_DEDUP_THRESHOLD": "0.6",
    })
    assert s.raw_topics == ("a", "b", "c")
    assert s.web_port == 7000 and str(s.state_dir) == "/var/lib/nw" and s.dedup_threshold == 0.6
    assert s.bootstrap_servers == "k1:9092,k2:9092"


@pytest.mark.parametrize("env", [
    {"NEWSWORKER_WEB_PORT": "abc"},
    {"NEWSWORKER_DEDUP_THRESHOLD": "1.5"},
    {"NEWSWORKER_RAW_TOPICS": "news.articles"},
    {"NEWSWORKER_RAW_TOPICS": " , "},
])
def test_bad_settings_are_clear_errors(env):
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env)
    assert "NEWSWORKER_" in str(err.value)


def test_password_is_masked():
    assert Settings(sasl_password="secret").public()["sasl_password"] == "***"


def run_process(input_bytes: bytes, tmp_path: Path, *extra_env: tuple[str, str]) -> list[dict]:
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(input_bytes)
    out = tmp_path / "out.jsonl"
    env = {"PATH": "/usr/bin:/bin", "NEWSWORKER_ARTICLE_TIMEOUT_SECONDS": "5", **dict(extra_env)}
    proc = subprocess.run([sys.executable, "-m", "workers.cli", "process", "--input", str(inp), "--output", str(out)],
                          cwd=REPO, env=env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return [orjson.loads(line) for line in out.read_bytes().splitlines()]


def test_process_one_output_line_per_input_line_in_order(tmp_path):
    lines = SAMPLE.read_bytes().splitlines()
    results = run_process(SAMPLE.read_bytes(), tmp_path)
    assert len(results) == len(lines)
    for n, res in enumerate(results, start=1):
        assert res["source"]["line"] == n
    kinds = ["deadletter" if "error" in r else r["dedup"]["status"] for r in results]
    # In a file the order is known: first copies are unique, later ones duplicate.
    assert kinds[:10] == ["unique", "unique", "duplicate", "duplicate", "unique", "unique", "duplicate",
                          "unique", "unique", "unique"]
    assert [r["error"]["reason"] for r in results[10:]] == ["invalid_json", "invalid_utf8", "schema", "no_content", "schema"]
    assert results[2]["dedup"]["kind"] == "exact" and results[3]["dedup"]["kind"] == "near"
    assert results[2]["dedup"]["duplicate_of"] == results[1]["id"] == results[3]["dedup"]["duplicate_of"]
    assert results[4]["dedup"]["story_id"] != results[1]["dedup"]["story_id"]  # other city, other story


def test_process_dead_letters_hostile_html(tmp_path):
    deep = "<div>" * 5000 + "text" + "</div>" * 5000
    huge = "<p>" + "word " * 400_000 + "</p>"
    payload = b"\n".join([
        orjson.dumps({"url": "https://x.example/deep", "html": deep}),
        orjson.dumps({"url": "https://x.example/huge", "html": huge}),
    ]) + b"\n"
    results = run_process(payload, tmp_path, ("NEWSWORKER_MAX_HTML_BYTES", "1000000"))
    assert [r["error"]["reason"] for r in results] == ["too_large", "too_large"]


def test_settings_round_trip_through_env():
    s = Settings(raw_topics=("a", "b"), web_port=7001, dedup_threshold=0.7, sasl_password="x")
    assert Settings.from_env(s.to_env()) == s


def test_process_dead_letters_an_article_over_the_time_limit(tmp_path, shared):
    """A page whose cleaning takes longer than the limit becomes a timeout dead letter; the next one still runs."""
    import gzip

    pages = sorted((shared / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"),
                   key=lambda p: p.stat().st_size)
    big = gzip.open(pages[-1]).read().decode("utf-8", "replace")  # the largest page: well over 50 ms of work
    payload = b"\n".join([
        orjson.dumps({"url": "https://x.example/slow", "html": big}),
        orjson.dumps({"url": "https://x.example/ok", "text": "Satu dua tiga empat lima enam tujuh delapan."}),
    ]) + b"\n"
    results = run_process(payload, tmp_path, ("NEWSWORKER_ARTICLE_TIMEOUT_SECONDS", "0.05"))
    assert results[0]["error"]["reason"] == "timeout"
    assert results[0]["source"]["line"] == 1
    assert orjson.loads(results[0]["payload"])["url"] == "https://x.example/slow"
    assert "error" not in results[1] and results[1]["dedup"]["status"] == "unique"
