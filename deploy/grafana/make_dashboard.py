"""Writes dashboards/newsworker.json, the Grafana dashboard of the newsworker.

    python deploy/grafana/make_dashboard.py          # rewrite the JSON after editing the panels below
    python deploy/grafana/make_dashboard.py --check  # exit 1 if the JSON is out of date (the tests do this)

Built with Grafana's grafana-foundation-sdk (the dev extra): typed builders generated from Grafana's own
schemas, so a misspelt option or a wrong enum value fails mypy instead of being ignored by Grafana, and the
grid positions come from the SDK's row layout. Only metrics the worker exports (workers/stream/metrics.py) and
Prometheus's `up` may appear: tests/test_prometheus.py evaluates every expression against a real Prometheus.
Every expression filters on the dashboard's $instance variable; rates use $__rate_interval.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from grafana_foundation_sdk.builders import common as gc
from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import piechart, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as mc
from grafana_foundation_sdk.models import dashboard as md
from grafana_foundation_sdk.models.piechart import PieChartLegendValues, PieChartType

OUT = Path(__file__).resolve().parent / "dashboards" / "newsworker.json"
DS = md.DataSourceRef(type_val="prometheus", uid="${datasource}")
SEL = 'job="newsworker", instance=~"$instance"'
RATE = "$__rate_interval"
Step = tuple[float | None, str]  # a threshold step: (from value, colour); None is the base step


def q(expr: str, legend: str = "__auto") -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).ref_id("A")


def thresholds(steps: Sequence[Step]) -> gd.ThresholdsConfig:
    return (gd.ThresholdsConfig().mode(md.ThresholdsMode.ABSOLUTE)
            .steps([md.Threshold(value=v, color=c) for v, c in steps]))


def last_value() -> gc.ReduceDataOptions:
    return gc.ReduceDataOptions().calcs(["lastNotNull"]).fields("").values(False)


def stat_panel(title: str, expr: str, unit: str, desc: str,
               steps: Sequence[Step] = ((None, "green"),)) -> stat.Panel:
    return (stat.Panel().title(title).description(desc).datasource(DS).span(4).height(4)
            .with_target(q(expr, title)).unit(unit).thresholds(thresholds(steps))
            .reduce_options(last_value()).color_mode(mc.BigValueColorMode.VALUE)
            .graph_mode(mc.BigValueGraphMode.AREA).text_mode(mc.BigValueTextMode.AUTO))


def series(title: str, targets: Sequence[prometheus.Dataquery], unit: str, desc: str,
           stack: bool = False) -> timeseries.Panel:
    panel = (timeseries.Panel().title(title).description(desc).datasource(DS).span(12).height(8).unit(unit)
             .draw_style(mc.GraphDrawStyle.LINE).line_width(1).fill_opacity(20 if stack else 10)
             .show_points(mc.VisibilityMode.NEVER)
             .stacking(gc.StackingConfig().mode(mc.StackingMode.NORMAL if stack else mc.StackingMode.NONE).group("A"))
             .legend(gc.VizLegendOptions().display_mode(mc.LegendDisplayMode.TABLE)
                     .placement(mc.LegendPlacement.BOTTOM).show_legend(True).calcs(["mean", "max", "lastNotNull"]))
             .tooltip(gc.VizTooltipOptions().mode(mc.TooltipDisplayMode.MULTI).sort(mc.SortOrder.DESCENDING)))
    for i, target in enumerate(targets):
        panel.with_target(target.ref_id(chr(ord("A") + i)))
    return panel


def pie(title: str, expr: str, legend: str, desc: str) -> piechart.Panel:
    return (piechart.Panel().title(title).description(desc).datasource(DS).span(12).height(8).unit("short")
            .with_target(q(expr, legend).instant()).pie_type(PieChartType.DONUT).reduce_options(last_value())
            .legend(piechart.PieChartLegendOptions().display_mode(mc.LegendDisplayMode.TABLE)
                    .placement(mc.LegendPlacement.RIGHT).show_legend(True)
                    .values([PieChartLegendValues.VALUE, PieChartLegendValues.PERCENT])))


def quantiles(metric: str, by: str, qs: Sequence[float] = (0.5, 0.9, 0.99)) -> list[prometheus.Dataquery]:
    out = []
    for p in qs:
        label = f"p{int(p * 100)}"
        legend = f"{label} {{{{{by}}}}}" if by else label
        group = f"le, {by}" if by else "le"
        out.append(q(f"histogram_quantile({p}, sum by ({group}) (rate({metric}_bucket{{{SEL}}}[{RATE}])))", legend))
    return out


Panel = stat.Panel | timeseries.Panel | piechart.Panel

ROWS: list[tuple[str, list[Panel]]] = [
    ("Overview", [
        stat_panel("Workers up", f"sum(up{{{SEL}}})", "short",
                   "Scrape targets of job newsworker that answer /metrics.", [(None, "red"), (1, "green")]),
        stat_panel("Consumed / s", f"sum(rate(newsworker_messages_consumed_total{{{SEL}}}[{RATE}]))", "ops",
                   "Raw messages consumed per second, all raw topics."),
        stat_panel("Consumer lag", f"sum(newsworker_consumer_lag_messages{{{SEL}}})", "short",
                   "Raw messages not yet processed (end offset minus committed offset), all assigned partitions.",
                   [(None, "green"), (1000, "orange"), (10000, "red")]),
        stat_panel("Since last output", f"time() - max(newsworker_last_processed_timestamp_seconds{{{SEL}}})", "s",
                   "Seconds since any worker last published an event. Large is fine when there is no lag.",
                   [(None, "green"), (600, "orange")]),
        stat_panel("Dedup index", f"sum(newsworker_dedup_index_articles{{{SEL}}})", "short",
                   "Articles in the dedup index (the window is NEWSWORKER_DEDUP_WINDOW_DAYS)."),
        stat_panel("Raw partitions owned", f"sum(newsworker_assigned_partitions{{{SEL}}})", "short",
                   "Raw-topic partitions assigned over all workers: should equal the partition count.",
                   [(None, "red"), (1, "green")]),
    ]),
    ("Throughput and outcomes", [
        series("Throughput", [
            q(f"sum by (topic) (rate(newsworker_messages_consumed_total{{{SEL}}}[{RATE}]))", "consumed {{topic}}"),
            q(f"sum(rate(newsworker_events_published_total{{{SEL}, outcome!=\"story\"}}[{RATE}]))", "published"),
        ], "ops", "Raw messages consumed per topic, and events published (articles + duplicates + dead letters)."),
        series("Outcomes", [
            q(f"sum by (outcome) (rate(newsworker_events_published_total{{{SEL}}}[{RATE}]))", "{{outcome}}"),
        ], "ops", "Events published per second by outcome: article (unique), duplicate, deadletter, story (story "
            "update).", stack=True),
    ]),
    ("Latency", [
        series("Processing time per stage", quantiles("newsworker_processing_seconds", "stage"), "s",
               "Percentiles of processing time per message, by stage (ingest, extract, dedup)."),
        series("Mean processing time per stage", [
            q(f"sum by (stage) (rate(newsworker_processing_seconds_sum{{{SEL}}}[{RATE}])) / "
              f"sum by (stage) (rate(newsworker_processing_seconds_count{{{SEL}}}[{RATE}]))", "{{stage}}"),
        ], "s", "Mean processing time per message, by stage."),
        series("Event age at output", quantiles("newsworker_event_age_seconds", ""), "s",
               "Age of articles when published: now minus fetched_at. Includes the crawler's delay, not only ours."),
    ]),
    ("Duplicates and stories", [
        series("Duplicates and new stories", [
            q(f"sum by (kind) (rate(newsworker_duplicates_total{{{SEL}}}[{RATE}]))", "duplicate ({{kind}})"),
            q(f"sum(rate(newsworker_stories_total{{{SEL}}}[{RATE}]))", "new story"),
        ], "ops", "Articles recognised as copies of a known story (exact or near), and articles that start a story."),
        series("Duplicate share", [
            q(f"sum(rate(newsworker_duplicates_total{{{SEL}}}[{RATE}])) / "
              f"(sum(rate(newsworker_duplicates_total{{{SEL}}}[{RATE}])) "
              f"+ sum(rate(newsworker_stories_total{{{SEL}}}[{RATE}])))", "duplicates / articles"),
        ], "percentunit", "Share of articles that duplicate a known story."),
    ]),
    ("Dead letters", [
        series("Dead letters by reason", [
            q(f"sum by (reason) (rate(newsworker_deadletters_total{{{SEL}}}[{RATE}]))", "{{reason}}"),
        ], "ops", "Messages dead-lettered per second, by reason. internal = a bug; timeout = a page over the time "
            "limit.", stack=True),
        series("Dead-letter share", [
            q(f"sum(rate(newsworker_deadletters_total{{{SEL}}}[{RATE}])) / "
              f"sum(rate(newsworker_messages_consumed_total{{{SEL}}}[{RATE}]))", "dead letters / consumed"),
        ], "percentunit", "Share of raw messages dead-lettered (alert NewsworkerDeadLetterRate fires over 10%)."),
    ]),
    ("Consumer lag and partitions", [
        series("Lag per partition", [
            q(f"sum by (topic, partition) (newsworker_consumer_lag_messages{{{SEL}}})", "{{topic}}/{{partition}}"),
        ], "short", "Unprocessed raw messages per partition (updated every 15 s by each worker).", stack=True),
        series("Lag and partitions per worker", [
            q(f"sum by (instance) (newsworker_consumer_lag_messages{{{SEL}}})", "lag {{instance}}"),
            q(f"sum by (instance) (newsworker_assigned_partitions{{{SEL}}})", "partitions {{instance}}"),
        ], "short", "Lag and raw-partition count per worker: an uneven spread shows a rebalance in progress."),
    ]),
    ("Languages and state", [
        pie("Articles by language",
            f"sum by (language) (increase(newsworker_articles_by_language_total{{{SEL}}}[$__range]))",
            "{{language}}", "Articles and duplicates published in the selected time range, by detected language."),
        series("Worker state", [
            q(f"sum by (instance) (newsworker_dedup_index_articles{{{SEL}}})", "dedup index {{instance}}"),
            q(f"sum by (instance) (newsworker_template_line_counters{{{SEL}}})", "template counters {{instance}}"),
        ], "short", "Entries held in memory (or RocksDB) by each worker: the dedup index and the site-template "
            "counters."),
    ]),
]


def variables() -> list[Builder[md.VariableModel]]:
    instances = 'label_values(up{job="newsworker"}, instance)'
    return [
        gd.DatasourceVariable("datasource").label("Data source").type("prometheus"),
        gd.QueryVariable("instance").label("Worker").datasource(DS).query(instances)
        .include_all(True).multi(True).all_value(".*").current(md.VariableOption(text="All", value="$__all"))
        .refresh(md.VariableRefresh.ON_TIME_RANGE_CHANGED).sort(md.VariableSort.ALPHABETICAL_ASC),
    ]


def dashboard() -> md.Dashboard:
    board = (gd.Dashboard("newsworker").uid("newsworker").readonly().refresh("30s").version(1)
             .description("Streaming news worker: throughput, latency, outcomes, duplicates, dead letters, lag, "
                          "languages.")
             .tags(["newsworker", "kafka", "faust"]).tooltip(md.DashboardCursorSync.CROSSHAIR)
             .time("now-6h", "now").timezone("browser").variables(variables()))
    ids = itertools.count(1)
    for title, panels in ROWS:
        board.with_row(gd.Row(title).id(next(ids)))
        for panel in panels:
            board.with_panel(panel.id(next(ids)))
    return board.build()


def render() -> str:
    return json.dumps(dashboard(), cls=JSONEncoder, indent=2, ensure_ascii=False) + "\n"


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
