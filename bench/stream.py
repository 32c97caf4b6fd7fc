"""Throughput of the worker on the embedded broker, beside a Faust passthrough agent.

    python bench/stream.py [--messages 400] [--runs 3]

Both run as their own process against the same Tansu broker with the same
input: real pages from the article-extraction benchmark (HTML) and detik
articles (scraped text), each sent with a unique URL. The passthrough agent
reads raw bytes and writes them to an output topic unchanged: the cost of Faust
and the broker alone. Time is measured from the first message produced to the
last output read. Prints medians of --runs runs.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import machine, now  # noqa: E402
from workers.settings import Settings  # noqa: E402
from workers.tools.broker import QUICK_GROUP, EmbeddedBroker, free_port  # noqa: E402
from workers.tools.demo import start_worker, stop_worker  # noqa: E402
from workers.tools.kafka_tools import create_topics, read_topics  # noqa: E402

SHARED = REPO.parent / "shared" / "data"


def inputs(n: int) -> list[bytes]:
    truth = orjson.loads((SHARED / "article-extraction-benchmark" / "ground-truth.json").read_bytes())
    pages = []
    for h in sorted(truth):
        with gzip.open(SHARED / "article-extraction-benchmark" / "html" / f"{h}.html.gz") as page:
            pages.append({"html": page.read().decode("utf-8", "replace")})
    csv.field_size_limit(10**9)
    with open(SHARED / "detik-id-news" / "data_berita.csv", newline="", encoding="utf-8") as f:
        texts = [{"text": f"{r['judul']}\n{r['isi_berita']}"} for r in csv.DictReader(f)]
    mixed = [item for pair in zip(pages, texts, strict=False) for item in pair]
    out = []
    for i in range(n):
        item = dict(mixed[i % len(mixed)])
        item["url"] = f"https://site{i % 7}.example/{uuid.uuid4().hex}"
        out.append(orjson.dumps(item))
    return out


def produce(s: Settings, lines: list[bytes]) -> None:
    from kafka import KafkaProducer

    p = KafkaProducer(bootstrap_servers=s.bootstrap_servers, linger_ms=20, max_request_size=20_000_000)
    for line in lines:
        p.send(s.raw_topics[0], value=line)
    p.flush()
    p.close()


def run_once(broker: EmbeddedBroker, lines: list[bytes], passthrough: bool, workdir: Path) -> float:
    uid = uuid.uuid4().hex[:8]
    s = Settings().replace(
        broker=broker.url, app_id=f"bench-{uid}", raw_topics=(f"raw-{uid}",), articles_topic=f"art-{uid}",
        duplicates_topic=f"dup-{uid}", deadletter_topic=f"dead-{uid}", stories_topic=f"st-{uid}",
        web_port=free_port(), state_dir=workdir / uid, **QUICK_GROUP,
    )
    create_topics(s, out=io.StringIO())
    if passthrough:
        env = {**os.environ, **s.to_env(), "PYTHONPATH": str(REPO)}
        with open(workdir / f"{uid}.log", "wb") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen([sys.executable, "-m", "bench.passthrough_app"], env=env, cwd=REPO,
                                    stdout=log, stderr=subprocess.STDOUT)
        outputs = [s.articles_topic]
    else:
        proc = start_worker(s, workdir / f"{uid}.log")
        outputs = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
    try:
        # Warm up: one message through, so start-up and the group join are not timed.
        produce(s, lines[:1])
        if not sum(len(v) for v in read_topics(s, outputs, expect=1, timeout=120).values()) or proc.poll() is not None:
            what = "passthrough" if passthrough else "worker"
            raise RuntimeError(f"the {what} did not start: see {workdir / uid}.log")
        started = time.monotonic()
        produce(s, lines[1:])
        got = read_topics(s, outputs, expect=len(lines), timeout=1800)
        elapsed = time.monotonic() - started
        n = sum(len(v) for v in got.values())
        if n < len(lines):
            raise RuntimeError(f"only {n} of {len(lines)} outputs arrived")
    finally:
        stop_worker(proc)
    return (len(lines) - 1) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    lines = inputs(args.messages)
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"nw-bench-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)
    rates: dict[str, list[float]] = {"faust passthrough": [], "newsworker worker": []}
    with EmbeddedBroker(log_file=workdir / "broker.log") as broker:
        for run in range(args.runs):
            for name in rates:
                rate = run_once(broker, lines, name == "faust passthrough", workdir)
                rates[name].append(rate)
                print(f"run {run + 1}: {name}: {rate:.1f} messages/s", file=sys.stderr)
    print(f"\ncommand: python bench/stream.py --messages {args.messages} --runs {args.runs}")
    print(f"machine: {machine()}; date: {now()}")
    print(f"input: {args.messages} messages, half HTML benchmark pages, half detik scraped text\n")
    print("| pipeline | messages/s (median) | runs |")
    print("|---|---|---|")
    for name, values in rates.items():
        print(f"| {name} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    ratio = statistics.median(rates["newsworker worker"]) / statistics.median(rates["faust passthrough"])
    print(f"\nnewsworker / passthrough: {ratio:.3f}")


if __name__ == "__main__":
    main()
