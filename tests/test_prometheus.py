"""The worker's metrics against the operations files, with a real Prometheus server.

- The alert rules and the Prometheus configs pass ``promtool check``, and the alert unit tests
  (deploy/prometheus/alerts_test.yml) pass ``promtool test rules``.
- Every metric named by an alert or a dashboard panel is one the worker exports (no server needed).
- The lag probe and the readiness check of the Faust app behave on a fake consumer.
- End to end: a worker on the embedded broker processes the sample, Debian's ``prometheus`` scrapes it every
  second with the job of deploy/prometheus/prometheus.yml and loads deploy/prometheus/alerts.yml; every
  dashboard expression and every alert expression, evaluated through the HTTP API, returns data. For an alert
  the expression is split at its top-level ``and``/``or``/``unless`` and stripped of comparisons with a
  number (``rate(x[5m]) > 0.1`` -> ``rate(x[5m])``; ``absent(x)`` -> ``x``), so that each part must return
  data; on top of that every single metric selector must match a series.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from workers.settings import Settings

from .promql import eval_targets, metric_name, selectors

REPO = Path(__file__).resolve().parents[1]
PROM_DIR = REPO / "deploy" / "prometheus"
ALERTS = PROM_DIR / "alerts.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "newsworker.json"
SAMPLE = REPO / "samples" / "demo.jsonl"

# Concrete values for Grafana's built-in and template variables, as a dashboard would send them.
GRAFANA_VARS = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m", "instance": ".*"}


def grafana_substitute(expr: str) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in GRAFANA_VARS:
            raise KeyError(f"dashboard variable ${name} has no test value: add it to GRAFANA_VARS")
        return GRAFANA_VARS[name]

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", sub, expr)


def alert_rules() -> list[dict]:
    doc = yaml.safe_load(ALERTS.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"] if "alert" in rule]


def dashboard_expressions() -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target and every query variable of the dashboard."""
    dash = json.loads(DASHBOARD.read_text())
    out = []
    panels = list(dash["panels"])
    for panel in panels:
        panels.extend(panel.get("panels", []))  # panels inside collapsed rows
        for target in panel.get("targets", []):
            out.append((f"panel {panel['title']!r} target {target['refId']}", grafana_substitute(target["expr"])))
    for var in dash.get("templating", {}).get("list", []):
        if var.get("type") != "query":
            continue
        query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
        m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\)\s*", query)
        out.append((f"variable ${var['name']}", grafana_substitute(m.group(1) if m else query)))
    return out


def expressions_to_check() -> list[tuple[str, str]]:
    """(where, PromQL) pairs that must each return data: alert parts, dashboard targets, every selector."""
    checks = []
    for rule in alert_rules():
        for part in eval_targets(rule["expr"]):
            checks.append((f"alert {rule['alert']}: {part}", part))
    for where, expr in dashboard_expressions():
        checks.append((where, expr))
    for sel in all_selectors():
        checks.append((f"selector {sel}", sel))
    return checks


def all_selectors() -> list[str]:
    sources = [rule["expr"] for rule in alert_rules()] + [expr for _, expr in dashboard_expressions()]
    return sorted({s for expr in sources for s in selectors(expr)})


# --- the reader itself ------------------------------------------------------------------------------------

def test_promql_reader_splits_and_strips():
    assert eval_targets("rate(x[5m]) > 0.1") == ["rate(x[5m])"]
    assert eval_targets("absent(up{job=\"a\"} == 1)") == ['up{job="a"}']
    assert eval_targets("sum by (t) (a) > 1000\nand\nsum by (t) (deriv(a[15m])) > 0") == [
        "sum by (t) (a)", "sum by (t) (deriv(a[15m]))"]
    assert eval_targets("a > 0 unless on (instance) b > 0") == ["a", "b"]
    assert eval_targets("(sum(a) / sum(b)) > 0.1") == ["sum(a) / sum(b)"]
    assert eval_targets("0.5 < bool histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))") == [
        "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))"]
    assert eval_targets("a > b") == ["a", "b"]
    assert selectors('sum by (le, stage) (rate(m_bucket{job="n", stage=~"a|b"}[5m])) / on (x) group_left (y) '
                     'count(up) and {__name__="z"} offset 5m') == [
        'm_bucket{job="n", stage=~"a|b"}', "up", '{__name__="z"}']
    assert selectors("time() - max(last_ts{a=\"}\"})") == ['last_ts{a="}"}']
    assert grafana_substitute('rate(x{instance=~"$instance"}[$__rate_interval]) + ${instance} + [[instance]]') == (
        'rate(x{instance=~".*"}[1m]) + .* + .*')


# --- static: promtool and metric names --------------------------------------------------------------------

def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus; ./dev test installs it as root)")
    return promtool


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-kubernetes.yml"])
def test_promtool_check_config(config):
    result = subprocess.run([_promtool(), "check", "config", config], cwd=PROM_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_promtool_check_rules():
    result = subprocess.run([_promtool(), "check", "rules", "alerts.yml"], cwd=PROM_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(alert_rules())} rules found" in result.stdout + result.stderr


def test_promtool_alert_unit_tests():
    """The alerts fire, with their labels and texts, in the situations they are meant for, and only then."""
    result = subprocess.run([_promtool(), "test", "rules", "alerts_test.yml"], cwd=PROM_DIR, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    tested = set(re.findall(r"alertname: (\w+)", (PROM_DIR / "alerts_test.yml").read_text()))
    assert tested == {rule["alert"] for rule in alert_rules()}, "every alert needs a case in alerts_test.yml"


def exported_names() -> set[str]:
    """Sample names the worker's registry can export (whether or not a labelled child exists yet)."""
    from prometheus_client import REGISTRY

    import workers.stream.metrics  # noqa: F401  (registers the metrics)

    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""],
                "summary": ["", "_sum", "_count"]}
    names: set[str] = set()
    for family in REGISTRY.collect():
        if family.name.startswith("newsworker_"):
            names.update(family.name + s for s in suffixes.get(family.type, [""]))
    return names


def test_rules_and_dashboard_name_only_exported_metrics():
    exported = exported_names() | {"up"}
    assert "newsworker_consumer_lag_messages" in exported and "newsworker_processing_seconds_bucket" in exported
    used: dict[str | None, list[str]] = {}  # None: a selector by matchers only, never exported
    for rule in alert_rules():
        for sel in selectors(rule["expr"]):
            used.setdefault(metric_name(sel), []).append(f"alert {rule['alert']}")
        assert 'job="newsworker"' in rule["expr"], f"{rule['alert']} must select job=\"newsworker\""
    for where, expr in dashboard_expressions():
        for sel in selectors(expr):
            used.setdefault(metric_name(sel), []).append(where)
    unknown = {name: where for name, where in used.items() if name not in exported}
    assert not unknown, f"metrics the worker does not export: {unknown}"


# --- the lag probe and readiness, on fakes -----------------------------------------------------------------

def _sample(name: str, **labels) -> float | None:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels)


def test_lag_probe_per_partition(unique_id):
    from faust.types import TP

    from workers.stream.app import _update_lag

    raw = f"raw-{unique_id}"
    p0, p1, p2 = TP(raw, 0), TP(raw, 1), TP(raw, 2)

    class Consumer:
        def __init__(self, assigned):
            self.assigned = assigned

        def assignment(self):
            return set(self.assigned) | {TP(f"{raw}-changelog", 0)}

        async def highwaters(self, *tps):
            return {tp: 10 for tp in tps}

        async def earliest_offsets(self, *tps):
            return {tp: 4 for tp in tps}  # retention removed offsets 0..3

    async def committed(tps):
        # the group's committed offset is the next offset to read (Kafka's convention); absent: nothing committed
        return {tp: offset for tp, offset in {p0: 7, p2: 10}.items() if tp in tps}

    app: Any = SimpleNamespace(consumer=Consumer([p0, p1, p2]))  # the two consumer methods the probe uses
    asyncio.run(_update_lag(app, {raw}, committed))
    lag = "newsworker_consumer_lag_messages"
    assert _sample(lag, topic=raw, partition="0") == 3
    assert _sample(lag, topic=raw, partition="1") == 6   # nothing committed: from the earliest offset
    assert _sample(lag, topic=raw, partition="2") == 0   # all processed
    assert _sample("newsworker_assigned_partitions") == 3
    # After a rebalance took partitions 0 and 2 away, their series go: no double counting across workers.
    app.consumer.assigned = [p1]
    asyncio.run(_update_lag(app, {raw}, committed))
    assert _sample(lag, topic=raw, partition="0") is None
    assert _sample(lag, topic=raw, partition="2") is None
    assert _sample(lag, topic=raw, partition="1") == 6
    assert _sample("newsworker_assigned_partitions") == 1


def test_committed_offsets_from_the_monitor_then_the_consumer_position():
    from faust.types import TP

    from workers.stream.app import committed_offsets

    p0, p1, p2 = TP("raw", 0), TP("raw", 1), TP("raw", 2)

    class Consumer:
        async def position(self, tp):
            return {p1: 5}.get(tp)  # p2: no position known yet

    app: Any = SimpleNamespace(monitor=SimpleNamespace(tp_committed_offsets={p0: 7}), consumer=Consumer())
    assert asyncio.run(committed_offsets(app, [p0, p1, p2])) == {p0: 7, p1: 5}


def test_readiness_needs_partitions_and_recovered_tables():
    from workers.stream.app import _readiness

    class NotStarted:
        def assignment(self):
            raise RuntimeError("Consumer thread not yet started")

    class Completed:
        def __init__(self, done):
            self.done = done

        def is_set(self):
            return self.done

    def app(consumer, completed, in_recovery=False, rebalancing=False):
        recovery = SimpleNamespace(completed=Completed(completed), in_recovery=in_recovery)
        return SimpleNamespace(consumer=consumer, tables=SimpleNamespace(recovery=recovery), rebalancing=rebalancing)

    assigned = SimpleNamespace(assignment=lambda: {("raw", 0)})
    assert _readiness(app(NotStarted(), False))[0] is False
    assert _readiness(app(assigned, False))[0] is False            # partitions, first recovery not done
    assert _readiness(app(assigned, True, in_recovery=True))[0] is False
    assert _readiness(app(assigned, True, rebalancing=True))[0] is False
    ready, detail = _readiness(app(assigned, True))
    assert ready and detail == {"assigned_partitions": 1, "recovered": True, "rebalancing": False}


# --- end to end with a real Prometheus ----------------------------------------------------------------------

def _get(url: str, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def _query(base: str, expr: str) -> dict:
    data = _get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    assert data["status"] == "success", (expr, data)
    return data["data"]


def _has_data(result: dict) -> bool:
    return result["resultType"] == "scalar" or bool(result["result"])


def _wait(what: str, predicate, timeout: float, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, LookupError, ValueError):  # not up yet, or no such series yet
            pass
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}:\n" + p.read_text(errors="replace")[-3000:] for p in logs if p.exists())
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def prometheus_test_config(web_port: int) -> dict:
    """deploy/prometheus/prometheus.yml's newsworker job and rules, scraping one local worker every second."""
    deployed = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text())
    job = next(j for j in deployed["scrape_configs"] if j["job_name"] == "newsworker")
    test_job = {k: v for k, v in job.items() if not k.endswith("_sd_configs")}
    test_job.update(scrape_interval="1s", scrape_timeout="1s", static_configs=[{"targets": [f"127.0.0.1:{web_port}"]}])
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(PROM_DIR / name) for name in deployed["rule_files"]],
        "scrape_configs": [test_job],
    }


@contextlib.contextmanager
def running_prometheus(prometheus: str, web_port: int, tmp_path: Path, log: Path) -> Iterator[str]:
    """Prometheus with prometheus_test_config on a free port, stopped on exit; yields its base URL."""
    from workers.tools.broker import free_port

    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(prometheus_test_config(web_port)))
    port = free_port()
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        prom = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait("Prometheus to be ready", lambda: prom.poll() is None and
              urllib.request.urlopen(f"{base}/-/ready", timeout=2).status == 200, 60, [log])
        yield base
    finally:
        if prom.poll() is None:
            prom.terminate()
            try:
                prom.wait(10)
            except subprocess.TimeoutExpired:
                prom.kill()
                prom.wait()


def _wait_until_scraped(base: str, s: Settings, consumed: int, logs: list[Path]) -> None:
    """The last batch is in Prometheus: counters scraped, lag probed, and three samples of every series."""
    _wait("the scrape after the last batch", lambda: float(_query(
        base, 'sum(newsworker_messages_consumed_total{job="newsworker"})')["result"][0]["value"][1])
        == consumed, 30, logs)
    # the worker's lag probe runs every 15 s: wait until it reports every partition processed
    _wait("a consumer lag of 0 on every raw partition", lambda: _query(
        base, 'count(newsworker_consumer_lag_messages{job="newsworker"} == 0)')["result"][0]["value"][1]
        == str(s.topic_partitions), 60, logs)
    # range functions (rate, deriv, increase) need at least two samples of every series, the newest included
    names = sorted({name for sel in all_selectors() if (name := metric_name(sel))})
    _wait("three samples of every series", lambda: all(float(_query(
        base, f'min(count_over_time({name}{{job="newsworker"}}[1m]))')["result"][0]["value"][1]) >= 3
        for name in names), 30, logs)


def _check_the_numbers_are_the_workers(base: str, s: Settings, consumed: int, deadletters: int) -> None:
    def value(expr: str) -> float:
        return float(_query(base, expr)["result"][0]["value"][1])

    assert value('sum(newsworker_messages_consumed_total{job="newsworker"})') == consumed
    assert value('sum(newsworker_events_published_total{job="newsworker", outcome!="story"})') == consumed
    assert value('sum(newsworker_deadletters_total{job="newsworker"})') == deadletters
    assert value('sum(newsworker_assigned_partitions{job="newsworker"})') == s.topic_partitions
    assert value('sum(rate(newsworker_messages_consumed_total{job="newsworker"}[5m]))') > 0
    p99 = value('histogram_quantile(0.99, sum by (le) (rate(newsworker_processing_seconds_bucket'
                '{job="newsworker", stage="extract"}[5m])))')
    assert 0 < p99 < 30


def _check_alert_rules_evaluated(base: str, logs: list[Path]) -> None:
    def rules() -> list[dict]:
        return [r for g in _get(f"{base}/api/v1/rules")["data"]["groups"] for r in g["rules"]]

    _wait("every alert rule to be evaluated", lambda: len(rules()) == len(alert_rules()) and all(
        not r["lastEvaluation"].startswith("0001") for r in rules()), 30, logs)
    bad = [(r["name"], r.get("lastError")) for r in rules() if r["health"] != "ok"]
    assert not bad, bad
    firing = [a["labels"]["alertname"] for a in _get(f"{base}/api/v1/alerts")["data"]["alerts"]
              if a["state"] == "firing"]
    assert firing == [], f"a healthy worker fires alerts: {firing}"


@pytest.mark.broker
@pytest.mark.slow
def test_real_prometheus_evaluates_every_dashboard_and_alert_expression(broker, unique_id, tmp_path):
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("the prometheus binary is not installed (Debian package prometheus; ./dev test installs it "
                    "as root)")
    from workers.tools.demo import start_worker, stop_worker
    from workers.tools.kafka_tools import create_topics, iter_lines, produce_file, read_topics

    from .streaming import stream_settings

    s = stream_settings(broker, f"prom-{unique_id}", tmp_path)
    outputs = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
    per_batch = sum(1 for _ in iter_lines(str(SAMPLE)))
    worker_log, prom_log = tmp_path / "worker.log", tmp_path / "prometheus.log"
    logs = [prom_log, worker_log]
    quiet = io.StringIO()
    create_topics(s, out=quiet)
    worker = start_worker(s, worker_log)
    try:
        # 1. a batch through the worker
        produce_file(s, str(SAMPLE), out=quiet)
        got = read_topics(s, outputs, expect=per_batch, timeout=180)
        first = {t: len(v) for t, v in got.items()}
        assert sum(first.values()) == per_batch, f"{first}\n{worker_log.read_text(errors='replace')[-3000:]}"

        # 2. Prometheus scraping it every second, with the deployed job and rules
        with running_prometheus(prometheus, s.web_port, tmp_path, prom_log) as base:
            _wait("three successful scrapes of the worker",
                  lambda: _has_data(_query(base, 'count_over_time(up{job="newsworker"}[1m]) >= 3')), 60, logs)
            assert _query(base, 'up{job="newsworker"}')["result"][0]["value"][1] == "1"

            # 3. a second batch while Prometheus watches, so that rates and latency quantiles have samples
            produce_file(s, str(SAMPLE), out=quiet)
            got = read_topics(s, outputs, expect=2 * per_batch, timeout=180)
            assert sum(len(v) for v in got.values()) == 2 * per_batch
            _wait_until_scraped(base, s, 2 * per_batch, logs)

            # 4. every expression returns data
            checks = expressions_to_check()
            assert len(checks) > 40
            missing = [(where, expr) for where, expr in checks if not _has_data(_query(base, expr))]
            assert not missing, "no data for:\n" + "\n".join(f"  {w}: {e}" for w, e in missing)
            # ... and the numbers are the worker's: 2 batches, every message counted once
            _check_the_numbers_are_the_workers(base, s, 2 * per_batch, len(got[s.deadletter_topic]))

            # 5. Prometheus loaded and evaluated every alert rule without error
            _check_alert_rules_evaluated(base, logs)
    finally:
        stop_worker(worker)


if __name__ == "__main__":  # print what the end-to-end test evaluates
    for where, expr in expressions_to_check():
        print(f"{where}\n    {expr}")
    sys.exit(0)
