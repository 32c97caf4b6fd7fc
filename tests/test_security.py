"""Security: the SASL password never appears in output, TLS and SASL/SCRAM are configured from the settings,
and the web server serves /metrics, /healthz and /readyz only, on NEWSWORKER_WEB_HOST."""

from __future__ import annotations

import io
import logging
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from workers.settings import Settings

from .conftest import REPO

PASSWORD = "pw-7f3a-never-print-me"


def sasl(tmp_path, protocol="SASL_SSL", mechanism="SCRAM-SHA-512") -> Settings:
    import certifi  # a real CA bundle, so that the TLS context really loads it

    return Settings(security_protocol=protocol, sasl_mechanism=mechanism, sasl_username="newsworker",
                    sasl_password=PASSWORD, ssl_cafile=certifi.where() if protocol.endswith("SSL") else "")


def test_every_printable_form_masks_the_password(tmp_path):
    s = sasl(tmp_path)
    for text in (repr(s), str(s), f"{s}", str(s.public()), str(s.model_dump()), s.model_dump_json(), repr(vars(s))):
        assert PASSWORD not in text
    assert s.sasl_password.get_secret_value() == PASSWORD


@pytest.mark.parametrize(("protocol", "mechanism"), [("SASL_SSL", "SCRAM-SHA-512"), ("SASL_SSL", "SCRAM-SHA-256"),
                                                     ("SASL_PLAINTEXT", "PLAIN"), ("SSL", "PLAIN")])
def test_tls_and_sasl_are_configured_from_the_settings(tmp_path, protocol, mechanism):
    import faust

    from workers.stream.app import _credentials, faust_settings

    s = sasl(tmp_path, protocol, mechanism) if protocol.startswith("SASL") else Settings(
        security_protocol="SSL", ssl_cafile=str(sasl(tmp_path).ssl_cafile))
    creds = faust_settings(s)["broker_credentials"]
    assert PASSWORD not in repr(creds)
    if protocol.startswith("SASL"):
        assert isinstance(creds, faust.SASLCredentials)
        assert (creds.username, creds.password, creds.mechanism.value) == ("newsworker", PASSWORD, mechanism)
        assert (creds.ssl_context is not None) == protocol.endswith("SSL")
    else:
        assert isinstance(creds, faust.SSLCredentials) and isinstance(creds.context, ssl.SSLContext)
    assert _credentials(s).protocol.value == protocol
    kp = s.kafka_python_security()
    assert kp["security_protocol"] == protocol
    if protocol.startswith("SASL"):
        assert (kp["sasl_mechanism"], kp["sasl_plain_password"]) == (mechanism, PASSWORD)
    if protocol.endswith("SSL"):
        assert kp["ssl_cafile"] == s.ssl_cafile
    assert "broker_credentials" not in faust_settings(Settings())  # PLAINTEXT


def test_the_settings_log_line_masks_the_password(tmp_path, monkeypatch, caplog):
    """What `newsworker worker` logs at start, through the real command (stopped before the broker wait)."""
    from workers import cli
    from workers.tools import broker_wait

    s = sasl(tmp_path)
    for name, value in s.to_env().items():
        monkeypatch.setenv(name, value)

    def no_broker(settings, retry_seconds=0):
        raise broker_wait.BrokerUnavailable("no broker in this test")

    monkeypatch.setattr(broker_wait, "wait_for_broker", no_broker)
    with caplog.at_level(logging.INFO, logger="newsworker"):
        assert cli.main(["worker"]) == 3
    text = caplog.text
    assert "newsworker settings:" in text and "sasl_password" in text and "fingerprint:" in text
    assert PASSWORD not in text


def test_bad_password_setting_is_reported_without_the_value(monkeypatch, capsys):
    from workers import cli

    monkeypatch.setenv("NEWSWORKER_SASL_PASSWORD", PASSWORD)
    monkeypatch.setenv("NEWSWORKER_SECURITY_PROTOCOL", "SASL_SSL")  # no user name
    assert cli.main(["topics"]) == 2
    captured = capsys.readouterr()
    assert "NEWSWORKER_SASL_USERNAME" in captured.err and PASSWORD not in captured.err + captured.out


@pytest.mark.broker
def test_running_worker_shows_no_password_and_serves_only_its_three_paths(broker, tmp_path, unique_id):
    from workers.tools.demo import start_worker, stop_worker
    from workers.tools.kafka_tools import create_topics

    from .streaming import get_json, stream_settings, wait_ready

    s = stream_settings(broker, unique_id, tmp_path, sasl_username="newsworker", sasl_password=PASSWORD)
    assert s.web_host == "127.0.0.1"
    create_topics(s, out=io.StringIO())
    log = tmp_path / "worker.log"
    worker = start_worker(s, log)
    try:
        wait_ready(s.web_port)
        base = f"http://127.0.0.1:{s.web_port}"
        metrics = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
        assert "newsworker_" in metrics and PASSWORD not in metrics
        assert get_json(f"{base}/healthz") == (200, {"status": "alive"})
        assert get_json(f"{base}/readyz")[0] == 200
        for path in ("/", "/router/", "/table/", "/table/dedup-index/x/", "/graph/", "/stats/"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(base + path, timeout=5)
            assert err.value.code == 404, path
        # bound to loopback only (NEWSWORKER_WEB_HOST): not on the machine's other addresses
        listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
        ours = [line.split()[3] for line in listening.splitlines() if line.split()[3].endswith(f":{s.web_port}")]
        assert ours == [f"127.0.0.1:{s.web_port}"], ours
    finally:
        stop_worker(worker)
    text = log.read_text(errors="replace")
    assert "newsworker settings:" in text and "sasl_password" in text
    assert PASSWORD not in text


def test_process_command_prints_no_password(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"url": "https://x.example/a", "text": "Satu dua tiga empat lima enam tujuh delapan."}\n')
    env = {"PATH": "/usr/bin:/bin", "NEWSWORKER_SASL_PASSWORD": PASSWORD, "NEWSWORKER_ARTICLE_TIMEOUT_SECONDS": "0"}
    proc = subprocess.run([sys.executable, "-m", "workers.cli", "process", "-i", str(inp), "-o", "-"], cwd=REPO,
                          env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert PASSWORD.encode() not in proc.stdout + proc.stderr
