"""Writes dashboards/newsworker.json, the Grafana dashboard of the newsworker.

    python deploy/grafana/make_dashboard.py          # rewrite the JSON after editing the panels below
    python deploy/grafana/make_dashboard.py --check  # exit 1 if the JSON is out of date (the tests do this)

The panels live here, as data, so that a panel is a few lines to review and the JSON stays consistent (ids,
grid positions, datasource references). Only metrics the worker exports (workers/stream/metrics.py) and
Prometheus's `up` may appear: tests/test_prometheus.py evaluates every expression against a real Prometheus.
Every expression filters on the dashboard's $instance variable; rates use $__rate_interval.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards" / "newsworker.json"
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job="newsworker", instance=~"$instance"'
RATE = "$__rate_interval"


def q(expr: str, legend: str = "__auto", ref: str = "A", **extra) -> dict:
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, **extra}


def stat(title: str, expr: str, unit: str, desc: str, thresholds: list | None = None) -> dict:
    steps = thresholds or [{"color": "green", "value": None}]
    return {
        "type": "stat", "title": title, "description": desc, "datasource": DS, "w": 4, "h": 4,
        "targets": [q(expr, legend=title)],
        "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "value", "graphMode": "area", "textMode": "auto"},
    }


def series(title: str, targets: list[dict], unit: str, desc: str, w: int = 12, stack: bool = False) -> dict:
    for i, t in enumerate(targets):
        t["refId"] = chr(ord("A") + i)
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 20 if stack else 10, "showPoints": "never",
              "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    return {
        "type": "timeseries", "title": title, "description": desc, "datasource": DS, "w": w, "h": 8,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit, "custom": custom}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max", "lastNotNull"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    }


def pie(title: str, expr: str, legend: str, desc: str) -> dict:
    return {
        "type": "piechart", "title": title, "description": desc, "datasource": DS, "w": 12, "h": 8,
        "targets": [q(expr, legend=legend, instant=True)],
        "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []},
        "options": {"pieType": "donut", "legend": {"displayMode": "table", "placement": "right", "values": ["value", "percent"]},
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    }


def row(title: str) -> dict:
    return {"type": "row", "title": title, "collapsed": False, "w": 24, "h": 1, "panels": []}


def quantiles(metric: str, by: str, qs=(0.5, 0.9, 0.99)) -> list[dict]:
    out = []
    for p in qs:
        label = f"p{int(p * 100)}"
        legend = f"{label} {{{{{by}}}}}" if by else label
        group = f"le, {by}" if by else "le"
        out.append(q(f"histogram_quantile({p}, sum by ({group}) (rate({metric}_bucket{{{SEL}}}[{RATE}])))", legend))
    return out


PANELS = [
    row("Overview"),
    stat("Workers up", f'sum(up{{{SEL}}})', "short", "Scrape targets of job newsworker that answer /metrics.",
         [{"color": "red", "value": None}, {"color": "green", "value": 1}]),
    stat("Consumed / s", f"sum(rate(newsworker_messages_consumed_total{{{SEL}}}[{RATE}]))", "ops",
         "Raw messages consumed per second, all raw topics."),
    stat("Consumer lag", f"sum(newsworker_consumer_lag_messages{{{SEL}}})", "short",
         "Raw messages not yet processed (end offset minus committed offset), all assigned partitions.",
         [{"color": "green", "value": None}, {"color": "orange", "value": 1000}, {"color": "red", "value": 10000}]),
    stat("Since last output", f"time() - max(newsworker_last_processed_timestamp_seconds{{{SEL}}})", "s",
         "Seconds since any worker last published an event. Large is fine when there is no lag.",
         [{"color": "green", "value": None}, {"color": "orange", "value": 600}]),
    stat("Dedup index", f"sum(newsworker_dedup_index_articles{{{SEL}}})", "short",
         "Articles in the dedup index (the window is NEWSWORKER_DEDUP_WINDOW_DAYS)."),
    stat("Raw partitions owned", f"sum(newsworker_assigned_partitions{{{SEL}}})", "short",
         "Raw-topic partitions assigned over all workers: should equal the partition count.",
         [{"color": "red", "value": None}, {"color": "green", "value": 1}]),

    row("Throughput and outcomes"),
    series("Throughput", [
        q(f"sum by (topic) (rate(newsworker_messages_consumed_total{{{SEL}}}[{RATE}]))", "consumed {{topic}}"),
        q(f"sum(rate(newsworker_events_published_total{{{SEL}, outcome!=\"story\"}}[{RATE}]))", "published"),
    ], "ops", "Raw messages consumed per topic, and events published (articles + duplicates + dead letters)."),
    series("Outcomes", [
        q(f"sum by (outcome) (rate(newsworker_events_published_total{{{SEL}}}[{RATE}]))", "{{outcome}}"),
    ], "ops", "Events published per second by outcome: article (unique), duplicate, deadletter, story (story update).",
        stack=True),

    row("Latency"),
    series("Processing time per stage", quantiles("newsworker_processing_seconds", "stage"), "s",
           "Percentiles of processing time per message, by stage (ingest, extract, dedup)."),
    series("Mean processing time per stage", [
        q(f"sum by (stage) (rate(newsworker_processing_seconds_sum{{{SEL}}}[{RATE}])) / "
          f"sum by (stage) (rate(newsworker_processing_seconds_count{{{SEL}}}[{RATE}]))", "{{stage}}"),
    ], "s", "Mean processing time per message, by stage."),
    series("Event age at output", quantiles("newsworker_event_age_seconds", ""), "s",
           "Age of articles when published: now minus fetched_at. Includes the crawler's delay, not only ours."),

    row("Duplicates and stories"),
    series("Duplicates and new stories", [
        q(f"sum by (kind) (rate(newsworker_duplicates_total{{{SEL}}}[{RATE}]))", "duplicate ({{kind}})"),
        q(f"sum(rate(newsworker_stories_total{{{SEL}}}[{RATE}]))", "new story"),
    ], "ops", "Articles recognised as copies of a known story (exact or near), and articles that start a story."),
    series("Duplicate share", [
        q(f"sum(rate(newsworker_duplicates_total{{{SEL}}}[{RATE}])) / "
          f"(sum(rate(newsworker_duplicates_total{{{SEL}}}[{RATE}])) + sum(rate(newsworker_stories_total{{{SEL}}}[{RATE}])))",
          "duplicates / articles"),
    ], "percentunit", "Share of articles that duplicate a known story."),

    row("Dead letters"),
    series("Dead letters by reason", [
        q(f"sum by (reason) (rate(newsworker_deadletters_total{{{SEL}}}[{RATE}]))", "{{reason}}"),
    ], "ops", "Messages dead-lettered per second, by reason. internal = a bug; timeout = a page over the time limit.",
        stack=True),
    series("Dead-letter share", [
        q(f"sum(rate(newsworker_deadletters_total{{{SEL}}}[{RATE}])) / "
          f"sum(rate(newsworker_messages_consumed_total{{{SEL}}}[{RATE}]))", "dead letters / consumed"),
    ], "percentunit", "Share of raw messages dead-lettered (alert NewsworkerDeadLetterRate fires over 10%)."),

    row("Consumer lag and partitions"),
    series("Lag per partition", [
        q(f"sum by (topic, partition) (newsworker_consumer_lag_messages{{{SEL}}})", "{{topic}}/{{partition}}"),
    ], "short", "Unprocessed raw messages per partition (updated every 15 s by each worker).", stack=True),
    series("Lag and partitions per worker", [
        q(f"sum by (instance) (newsworker_consumer_lag_messages{{{SEL}}})", "lag {{instance}}"),
        q(f"sum by (instance) (newsworker_assigned_partitions{{{SEL}}})", "partitions {{instance}}"),
    ], "short", "Lag and raw-partition count per worker: an uneven spread shows a rebalance in progress."),

    row("Languages and state"),
    pie("Articles by language", f"sum by (language) (increase(newsworker_articles_by_language_total{{{SEL}}}[$__range]))",
        "{{language}}", "Articles and duplicates published in the selected time range, by detected language."),
    series("Worker state", [
        q(f"sum by (instance) (newsworker_dedup_index_articles{{{SEL}}})", "dedup index {{instance}}"),
        q(f"sum by (instance) (newsworker_template_line_counters{{{SEL}}})", "template counters {{instance}}"),
    ], "short", "Entries held in memory (or RocksDB) by each worker: the dedup index and the site-template counters."),
]


def dashboard() -> dict:
    panels, x, y, row_h = [], 0, 0, 0
    for n, spec in enumerate(PANELS, start=1):
        panel = dict(spec)
        w, h = panel.pop("w"), panel.pop("h")
        if x + w > 24 or panel["type"] == "row":
            x, y = 0, y + row_h
            row_h = 0
        panel = {"id": n, "gridPos": {"h": h, "w": w, "x": x, "y": y}, **panel}
        panels.append(panel)
        x, row_h = x + w, max(row_h, h)
        if panel["type"] == "row":
            x, y, row_h = 0, y + h, 0
    return {
        "uid": "newsworker",
        "title": "newsworker",
        "description": "Streaming news worker: throughput, latency, outcomes, duplicates, dead letters, lag, languages.",
        "tags": ["newsworker", "kafka", "faust"],
        "editable": False,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []},
            {"name": "instance", "label": "Worker", "type": "query", "datasource": DS,
             "query": {"query": 'label_values(up{job="newsworker"}, instance)', "refId": "instance"},
             "definition": 'label_values(up{job="newsworker"}, instance)',
             "includeAll": True, "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"},
             "refresh": 2, "sort": 1, "hide": 0, "regex": "", "options": []},
        ]},
        "panels": panels,
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
