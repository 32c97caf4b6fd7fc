"""Settings from the environment, and the offline ``newsworker process`` command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from workers.cli import main
from workers.settings import Settings, SettingsError

from .conftest import REPO

SAMPLE = REPO / "samples" / "demo.jsonl"


def set_env(monkeypatch, env: dict[str, str]) -> None:
    for name in [n for n in os.environ if n.startswith("NEWSWORKER_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_settings_defaults_and_env(monkeypatch):
    set_env(monkeypatch, {})
    s = Settings.from_env()
    assert s.broker == "kafka://localhost:9092" and s.app_id == "newsworker" and s.web_port == 6066
    assert s.web_host == "0.0.0.0" and s.broker_wait_seconds == 60 and s.max_record_bytes == 11_000_000
    set_env(monkeypatch, {
        "NEWSWORKER_BROKER": "kafka://k1:9092;kafka://k2:9092",
        "NEWSWORKER_RAW_TOPICS": "a, b ,c",
        "NEWSWORKER_WEB_PORT": "7000",
        "NEWSWORKER_STATE_DIR": "/var/lib/nw",
        "NEWSWORKER_DEDUP_THRESHOLD": "0.6",
        "NEWSWORKER_LOG_LEVEL": "WARNING",
        "NEWSWORKER_SKETCH_ACCEL": "0",
    })
    s = Settings.from_env()
    assert s.raw_topics == ("a", "b", "c") and s.log_level == "warning" and s.sketch_accel is False
    assert s.web_port == 7000 and str(s.state_dir) == "/var/lib/nw" and s.dedup_threshold == 0.6
    assert s.bootstrap_servers == "k1:9092,k2:9092"


BAD = [  # (variable, value, what the message must say)
    ("NEWSWORKER_WEB_PORT", "abc", "integer"),
    ("NEWSWORKER_WEB_PORT", "0", "greater than or equal to 1"),
    ("NEWSWORKER_WEB_PORT", "99999", "less than or equal to 65535"),
    ("NEWSWORKER_SECURITY_PROTOCOL", "FOO", "'PLAINTEXT', 'SSL', 'SASL_PLAINTEXT' or 'SASL_SSL'"),
    ("NEWSWORKER_SASL_MECHANISM", "bad", "'PLAIN', 'SCRAM-SHA-256' or 'SCRAM-SHA-512'"),
    ("NEWSWORKER_LOG_LEVEL", "loud", "'critical', 'error', 'warning', 'info' or 'debug'"),
    ("NEWSWORKER_STORE", "bogus://", "'memory://' or 'rocksdb://'"),
    ("NEWSWORKER_ARTICLE_TIMEOUT_SECONDS", "-1", "greater than or equal to 0"),
    ("NEWSWORKER_BROKER_WAIT_SECONDS", "-5", "greater than or equal to 0"),
    ("NEWSWORKER_DEDUP_THRESHOLD", "1.5", "less than or equal to 1"),
    ("NEWSWORKER_TOPIC_PARTITIONS", "0", "greater than or equal to 1"),
    ("NEWSWORKER_TEMPLATE_MAX_SITES", "-1", "greater than or equal to 1"),
    ("NEWSWORKER_SKETCH_ACCEL", "maybe", "boolean"),
    ("NEWSWORKER_RAW_TOPICS", " , ", "at least 1 item"),
    ("NEWSWORKER_RAW_TOPICS", "news.articles", "output topic"),
    ("NEWSWORKER_SSL_CAFILE", "/nonexistent/ca.pem", "no such file"),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_bad_settings_are_clear_errors(monkeypatch, name, value, says):
    set_env(monkeypatch, {name: value})
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    assert name in str(err.value) and says in str(err.value)


def test_sasl_needs_credentials(monkeypatch):
    set_env(monkeypatch, {"NEWSWORKER_SECURITY_PROTOCOL": "SASL_SSL"})
    with pytest.raises(SettingsError, match="NEWSWORKER_SASL_USERNAME and NEWSWORKER_SASL_PASSWORD"):
        Settings.from_env()


@pytest.mark.parametrize("command", [["worker"], ["topics"], ["produce", "x.jsonl"], ["demo"],
                                     ["process", "-i", "x", "-o", "y"]])
@pytest.mark.parametrize(("name", "value", "says"), [BAD[1], BAD[3], BAD[5], BAD[6]])
def test_every_command_stops_with_exit_2(monkeypatch, capsys, command, name, value, says):
    set_env(monkeypatch, {name: value})
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsworker: bad setting: ") and name in err and says in err and "Traceback" not in err


def test_bad_setting_from_the_command_line_has_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "NEWSWORKER_WEB_PORT": "99999", "NEWSWORKER_LOG_LEVEL": "loud"}
    proc = subprocess.run([sys.executable, "-m", "workers.cli", "worker"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "NEWSWORKER_WEB_PORT=" in proc.stderr and "NEWSWORKER_LOG_LEVEL=" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_misspelt_variable_is_reported(monkeypatch, capsys):
    set_env(monkeypatch, {"NEWSWORKER_WEB_PROT": "7000", "NEWSWORKER_WEB_PORT": "0", "NEWSWORKER_TEST_BROKER": "x"})
    assert main(["worker"]) == 2
    err = capsys.readouterr().err
    assert "NEWSWORKER_WEB_PROT is not a setting" in err and "NEWSWORKER_TEST_BROKER" not in err


def test_replace_checks_like_the_environment():
    s = Settings(web_port=7001)
    assert s.replace(web_port=7002).web_port == 7002 and s.web_port == 7001
    with pytest.raises(SettingsError, match="NEWSWORKER_WEB_PORT"):
        s.replace(web_port=0)


def test_password_is_masked():
    s = Settings(sasl_password="secret-pw-123")
    assert s.public()["sasl_password"] == "**********"
    assert "secret-pw-123" not in repr(s) and "secret-pw-123" not in str(s) and "secret-pw-123" not in str(s.public())
    assert s.to_env()["NEWSWORKER_SASL_PASSWORD"] == "secret-pw-123"  # for a child's environment only


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
    assert [r["error"]["reason"] for r in results[10:]] == ["invalid_json", "invalid_utf8", "schema", "no_content",
                                                             "schema"]
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


def test_settings_round_trip_through_env(monkeypatch):
    s = Settings(raw_topics=("a", "b"), web_port=7001, dedup_threshold=0.7, sasl_password="x", log_level="debug")
    set_env(monkeypatch, s.to_env())
    assert Settings.from_env() == s


def test_process_dead_letters_an_article_over_the_time_limit(tmp_path, shared):
    """A page whose cleaning takes longer than the limit becomes a timeout dead letter; the next one still runs."""
    import gzip

    pages = sorted((shared / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"),
                   key=lambda p: p.stat().st_size)
    with gzip.open(pages[-1]) as page:
        big = page.read().decode("utf-8", "replace")
    # The largest page with 12,000 more paragraphs: over half a second of work, ten times the limit
    # (the deadline's watchdog checks every 0.1 s, so the margin must be several of its periods).
    filler = "".join(f"<p>Paragraph {i} of a long article body, with several words in it.</p>" for i in range(12_000))
    big = big.replace("</body>", filler + "</body>", 1)
    payload = b"\n".join([
        orjson.dumps({"url": "https://x.example/slow", "html": big}),
        orjson.dumps({"url": "https://x.example/ok", "text": "Satu dua tiga empat lima enam tujuh delapan."}),
    ]) + b"\n"
    results = run_process(payload, tmp_path, ("NEWSWORKER_ARTICLE_TIMEOUT_SECONDS", "0.05"))
    assert results[0]["error"]["reason"] == "timeout"
    assert results[0]["source"]["line"] == 1
    assert orjson.loads(results[0]["payload"])["url"] == "https://x.example/slow"
    assert "error" not in results[1] and results[1]["dedup"]["status"] == "unique"


@pytest.mark.parametrize(("command", "wait"), [(["worker"], 8), (["topics"], 0), (["produce", "-"], 0)])
def test_no_broker_at_start_is_waited_for_then_a_clear_exit(command, wait):
    """One rule for worker, topics and produce: one log line per try, then exit 3 naming the settings."""
    from workers.tools.broker import free_port

    env = {"PATH": "/usr/bin:/bin", "NEWSWORKER_BROKER": f"kafka://127.0.0.1:{free_port()}",
           "NEWSWORKER_BROKER_WAIT_SECONDS": str(wait)}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "workers.cli", *command], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60, input="")
    took = time.monotonic() - started
    assert proc.returncode == 3, proc.stderr
    waits = [line for line in proc.stderr.splitlines() if "waiting for the Kafka broker" in line]
    assert len(waits) == (1 if wait else 0), proc.stderr  # a try every 5 s, each waiting up to 5 s for an answer
    assert "no Kafka broker answered at 127.0.0.1:" in proc.stderr and "NEWSWORKER_BROKER_WAIT_SECONDS" in proc.stderr
    assert "Traceback" not in proc.stderr and wait <= took < wait + 8, took
    assert len(proc.stderr.splitlines()) < 6, proc.stderr
