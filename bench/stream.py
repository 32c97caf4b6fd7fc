"""The worker on the embedded broker: throughput and latency beside a Faust passthrough, record sizes of
the internal topics and changelogs, and scaling from one to two worker processes.

    python bench/stream.py throughput [--input mixed|html|text] [--messages 300] [--runs 3]
    python bench/stream.py sizes [--messages 400] [--input text] [--zipf]
    python bench/stream.py scaling [--messages 3000] [--sites 60] [--runs 1]

throughput: the worker and a passthrough agent (raw bytes forwarded unchanged: Faust and the broker
  alone), each as its own process on the same Tansu broker with the same input; rate from the first
  message produced (after one warm-up message) to the last output read, and end-to-end latency per
  message from the raw record's timestamp to its output record's timestamp (both set by producers on
  this machine). Inputs: pages of the extraction benchmark (HTML), detik articles (scraped text, ~2 KB),
  or both alternately, each with a unique URL.
sizes: key + value bytes of every record the worker wrote to ``<app>-by-site`` and ``<app>-to-dedup``
  divided by the raw messages' value bytes, beside the format before the envelope (JSON with the
  payload as a JSON string; computed from the same records); and the bytes written to each changelog
  per article. Record-batch framing (61 bytes per batch, one record per batch on Tansu) is not counted.
scaling: a raw topic pre-loaded with ~2 KB text messages whose sites follow a Zipf mix (the largest site
  >= 30%), drained by one worker process, then by two (fresh topics each); drain time, the workers'
  CPU-seconds (their process trees) and the load per extract partition.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import hashlib
import io
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import machine, now  # noqa: E402
from workers.settings import Settings  # noqa: E402
from workers.tools.broker import EmbeddedBroker, free_port  # noqa: E402
from workers.tools.demo import start_worker, stop_worker  # noqa: E402
from workers.tools.kafka_tools import create_topics, message_key  # noqa: E402

SHARED = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared")) / "data"


# --- inputs -----------------------------------------------------------------------------------------

def _pages() -> list[dict]:
    bench = SHARED / "article-extraction-benchmark"
    truth = orjson.loads((bench / "ground-truth.json").read_bytes())
    return [{"html": gzip.decompress((bench / "html" / f"{h}.html.gz").read_bytes()).decode("utf-8", "replace")}
            for h in sorted(truth)]


def _texts() -> list[dict]:
    csv.field_size_limit(10**9)
    with open(SHARED / "detik-id-news" / "data_berita.csv", newline="", encoding="utf-8") as f:
        return [{"title": r["judul"], "text": r["isi_berita"][:2000]} for r in csv.DictReader(f)]


def inputs(n: int, kind: str = "mixed", sites: list[str] | None = None, seed: int = 1) -> list[bytes]:
    """``n`` messages with unique URLs; sites drawn from ``sites`` (weights by repetition) or 7 sites."""
    rng = random.Random(seed)
    pages = _pages() if kind in ("mixed", "html") else []
    texts = _texts() if kind in ("mixed", "text") else []
    pool = [x for pair in zip(pages, texts, strict=False) for x in pair] if kind == "mixed" else pages or texts
    out = []
    for i in range(n):
        item = dict(pool[i % len(pool)])
        site = rng.choice(sites) if sites else f"site{i % 7}.example"
        item["url"] = f"https://{site}/{uuid.UUID(int=rng.getrandbits(128)).hex}"
        if "text" in item:  # distinct stories: a repeated detik body would be a copy (cheap dedup path)
            item["text"] = f"Edisi {i}. " + item["text"]
        out.append(orjson.dumps(item))
    return out


def zipf_sites(n_sites: int, top_share: float = 0.3, seed: int = 1) -> list[str]:
    """A list whose uniform draw gives a Zipf-like mix: site k has weight ~1/k^s, s chosen so the
    largest site gets ``top_share`` of the messages."""
    def share(s: float) -> float:
        weights = [1 / (k ** s) for k in range(1, n_sites + 1)]
        return weights[0] / sum(weights)

    lo, hi = 0.1, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if share(mid) < top_share else (lo, mid)
    weights = [1 / (k ** hi) for k in range(1, n_sites + 1)]
    total = sum(weights)
    return [f"site{k}.example" for k, w in enumerate(weights) for _ in range(max(1, round(1000 * w / total)))]


# --- helpers ----------------------------------------------------------------------------------------

def settings_for(broker: EmbeddedBroker, workdir: Path, **kw) -> Settings:
    uid = uuid.uuid4().hex[:8]
    return broker.worker_settings(
        Settings(), app_id=f"bench-{uid}", raw_topics=(f"raw-{uid}",), articles_topic=f"art-{uid}",
        duplicates_topic=f"dup-{uid}", deadletter_topic=f"dead-{uid}", stories_topic=f"st-{uid}",
        web_port=free_port(), state_dir=workdir / uid, **kw)


def produce(s: Settings, lines: list[bytes], keyed: bool = True) -> None:
    from kafka import KafkaProducer

    p = KafkaProducer(bootstrap_servers=s.bootstrap_servers, linger_ms=20, max_request_size=s.max_record_bytes)
    for line in lines:
        p.send(s.raw_topics[0], key=message_key(line) if keyed else None, value=line)
    p.flush()
    p.close()


def read_all(s: Settings, topics: list[str], expect: int | None = None, timeout: float = 1800.0,
             quiet: float = 3.0) -> list:
    """Every record of ``topics`` from the start: until ``expect`` records, else until quiet."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(*topics, bootstrap_servers=s.bootstrap_servers, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None, fetch_max_bytes=50_000_000,
                             max_partition_fetch_bytes=20_000_000)
    records: list = []
    deadline, last = time.monotonic() + timeout, time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
                last = time.monotonic()
            if expect is not None and len(records) >= expect:
                break
            if expect is None and time.monotonic() - last > quiet:
                break
    finally:
        consumer.close()
    return records


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU-seconds of a process and its living descendants (the extraction child)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
    wanted, frontier = {pid}, [pid]
    while frontier:
        p = frontier.pop()
        for child, ppid in parent.items():
            if ppid == p and child not in wanted:
                wanted.add(child)
                frontier.append(child)
    return sum(cpu.get(p, 0.0) for p in wanted)


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


# --- throughput and latency -------------------------------------------------------------------------

def run_throughput(broker: EmbeddedBroker, lines: list[bytes], passthrough: bool, workdir: Path,
                   **kw) -> dict:
    s = settings_for(broker, workdir, **kw)
    create_topics(s, out=io.StringIO())
    log = workdir / f"{s.app_id}.log"
    if passthrough:
        env = {**os.environ, **s.to_env(), "PYTHONPATH": str(REPO)}
        with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen([sys.executable, "-m", "bench.passthrough_app"], env=env, cwd=REPO,
                                    stdout=out, stderr=subprocess.STDOUT)
        outputs = [s.articles_topic]
    else:
        proc = start_worker(s, log)
        outputs = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
    try:
        produce(s, lines[:1])  # warm-up: start-up and the group join are not timed
        if len(read_all(s, outputs, expect=1, timeout=180)) < 1 or proc.poll() is not None:
            raise RuntimeError(f"{'passthrough' if passthrough else 'worker'} did not start: see {log}")
        started = time.monotonic()
        produce(s, lines[1:])
        got = read_all(s, outputs, expect=len(lines), timeout=1800)
        elapsed = time.monotonic() - started
    finally:
        stop_worker(proc)
    if len(got) < len(lines):
        raise RuntimeError(f"only {len(got)} of {len(lines)} outputs arrived")
    raw = read_all(s, [s.raw_topics[0]], expect=len(lines), timeout=120)
    produced_at = {(r.partition, r.offset): r.timestamp for r in raw}
    by_value = {hashlib.blake2b(r.value, digest_size=8).digest(): r.timestamp for r in raw}
    latencies = []
    for rec in got:
        if passthrough:
            t0 = by_value.get(hashlib.blake2b(rec.value, digest_size=8).digest())
        else:
            src = orjson.loads(rec.value)["source"]
            t0 = produced_at.get((src["partition"], src["offset"]))
        if t0 is not None:
            latencies.append((rec.timestamp - t0) / 1000)
    return {"rate": (len(lines) - 1) / elapsed, "p50": _percentile(latencies, 0.5), "p99": _percentile(latencies, 0.99)}


def _batch(args) -> dict:
    """Settings that differ from the broker's defaults for the worker (``--batch-bytes``)."""
    return {"producer_max_batch_bytes": args.batch_bytes} if args.batch_bytes else {}


def throughput(args, broker: EmbeddedBroker, workdir: Path) -> None:
    lines = inputs(args.messages, args.input)
    results: dict[str, list[dict]] = {"faust passthrough": [], "newsworker worker": []}
    for run in range(args.runs):
        for name in results:
            r = run_throughput(broker, lines, name == "faust passthrough", workdir, **_batch(args))
            results[name].append(r)
            print(f"run {run + 1}: {name}: {r['rate']:.1f} messages/s, p50 {r['p50']:.2f} s, p99 {r['p99']:.2f} s",
                  file=sys.stderr)
    raw_kb = statistics.median(len(x) for x in lines) / 1000
    print(f"input: {args.messages} messages ({args.input}), median {raw_kb:.1f} KB\n")
    print("| pipeline | messages/s (median) | runs | latency p50 (s) | latency p99 (s) |")
    print("|---|---|---|---|---|")
    for name, rs in results.items():
        rates = [r["rate"] for r in rs]
        print(f"| {name} | {statistics.median(rates):.1f} | {', '.join(f'{v:.1f}' for v in rates)} | "
              f"{statistics.median(r['p50'] for r in rs):.2f} | {statistics.median(r['p99'] for r in rs):.2f} |")
    ratio = statistics.median(r["rate"] for r in results["newsworker worker"]) / statistics.median(
        r["rate"] for r in results["faust passthrough"])
    print(f"\nnewsworker / passthrough: {ratio:.3f}")


# --- record sizes -----------------------------------------------------------------------------------

def _old_by_site(payload: bytes, source: Mapping[str, Any]) -> int:
    """The record before the envelope: JSON with the original message as a JSON string."""
    return len(orjson.dumps({"source": source, "payload": payload.decode("utf-8")}))


def _old_to_dedup(payload: bytes, source: Mapping[str, Any], built) -> int:
    fields = {f.name: list(v) if isinstance(v := getattr(built, f.name), tuple) else v
              for f in dataclasses.fields(built) if f.name != "line_hashes"}
    return len(orjson.dumps({"source": source, "payload": payload.decode("utf-8"), "built": fields}))


def sizes(args, broker: EmbeddedBroker, workdir: Path) -> None:
    from workers.core import envelope

    lines = inputs(args.messages, args.input, sites=zipf_sites(args.sites) if args.zipf else None)
    s = settings_for(broker, workdir, **_batch(args))
    create_topics(s, out=io.StringIO())
    proc = start_worker(s, workdir / f"{s.app_id}.log")
    try:
        produce(s, lines)
        read_all(s, [s.articles_topic, s.duplicates_topic, s.deadletter_topic], expect=len(lines))
        time.sleep(6)  # past two commit intervals: table changelogs written
    finally:
        stop_worker(proc)
    raw = read_all(s, [s.raw_topics[0]], expect=len(lines), timeout=120)
    raw_bytes = sum(len(r.value) for r in raw)
    n = len(raw)
    print(f"input: {n} messages ({args.input}), {raw_bytes / n / 1000:.1f} KB mean value\n")
    print("| topic | records | key+value bytes / raw value bytes | before the envelope (same records) |")
    print("|---|---|---|---|")
    for name in ("by-site", "to-dedup"):
        recs = read_all(s, [f"{s.app_id}-{name}"])
        stored = sum(len(r.value) + len(r.key or b"") for r in recs)
        old = 0
        for r in recs:
            opened = envelope.open_envelope(r.value)
            src = opened.source.as_dict()
            key = len(r.key or b"")
            old += key + (_old_by_site(opened.payload, src) if name == "by-site"
                          else _old_to_dedup(opened.payload, src, envelope.built_article(opened)))
        print(f"| `<app>-{name}` | {len(recs)} | {stored / raw_bytes:.3f} | {old / raw_bytes:.3f} |")
    print("\n| changelog | records | bytes | bytes per article |")
    print("|---|---|---|---|")
    for name in ("site-templates-v2", "dedup-index-v3"):
        recs = read_all(s, [f"{s.app_id}-{name}-changelog"])
        total = sum(len(r.value or b"") + len(r.key or b"") for r in recs)
        print(f"| `<app>-{name}-changelog` | {len(recs)} | {total} | {total / n:.0f} |")
        if name.startswith("site-templates"):
            _template_traffic(recs, lines, total)


def _template_traffic(recs: list, lines: list[bytes], total: int) -> None:
    """What an article adds to the site-templates state: the counters it changes (its distinct short lines,
    and the article count), at the mean JSON size of a counter in the records written."""
    from workers.core.pipeline import Limits, Pipeline
    from workers.core.records import Source

    last = {r.key: orjson.loads(r.value) for r in recs if r.value}
    counters = sum(len(v["lines"]) for v in last.values())
    per_counter = sum(len(orjson.dumps(v["lines"])) for v in last.values()) / max(1, counters)
    pipe, changed = Pipeline(limits=Limits(timeout_seconds=0)), []
    for line in lines:
        raw = pipe.ingest(line, Source())
        built = pipe.extract(raw, line, Source()) if not hasattr(raw, "kind") else raw
        if hasattr(built, "line_hashes"):
            changed.append(len(built.line_hashes) + 1)
    added = statistics.mean(changed) * per_counter
    largest = max(last.values(), key=lambda v: len(v["lines"]))
    print(f"\nsite-templates: an article changes {statistics.mean(changed):.1f} counters (~{added:.0f} bytes at "
          f"{per_counter:.1f} bytes per counter); written {total / len(lines):.0f} bytes per article = "
          f"{total / len(lines) / added:.1f}x; {len(last)} records (site x partition), largest "
          f"{len(largest['lines'])} counters over {largest['n']} articles")


# --- scaling ----------------------------------------------------------------------------------------

def _ready(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=3) as resp:
            return resp.status == 200
    except OSError:
        return False


def run_drain(broker: EmbeddedBroker, lines: list[bytes], n_workers: int, workdir: Path, **kw) -> dict:
    """The workers started and ready (every partition assigned, tables recovered) on empty topics, then the
    messages produced at once (~1 s for 3,000): the drain is timed from the first message produced to the
    last output read; CPU-seconds of the workers' process trees over the same span."""
    s = settings_for(broker, workdir, topic_partitions=4, **kw)
    create_topics(s, out=io.StringIO())
    settings = [s.replace(web_port=free_port() if i else s.web_port, state_dir=workdir / f"{s.app_id}-{i}")
                for i in range(n_workers)]
    procs = [start_worker(x, workdir / f"{s.app_id}-{i}.log") for i, x in enumerate(settings)]
    outputs = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
    try:
        deadline = time.monotonic() + 240
        while not all(_ready(x.web_port) for x in settings):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"workers not ready: see {workdir}")
            time.sleep(0.5)
        load_before = os.getloadavg()[0]
        cpu0 = [tree_cpu_seconds(p.pid) for p in procs]
        started = time.monotonic()
        produce(s, lines)
        got = read_all(s, outputs, expect=len(lines), timeout=3600)
        elapsed = time.monotonic() - started
        cpu = [tree_cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0, strict=True)]
        load_after = os.getloadavg()[0]
    finally:
        for p in procs:
            stop_worker(p)
    if len(got) < len(lines):
        raise RuntimeError(f"only {len(got)} of {len(lines)} outputs arrived")
    by_site = read_all(s, [f"{s.app_id}-by-site"])
    load = Counter(r.partition for r in by_site)
    return {"seconds": elapsed, "rate": len(lines) / elapsed, "cpu": cpu, "load": [load.get(p, 0) for p in range(4)],
            "machine_load": (load_before, load_after)}


def site_keyed_load(lines: list[bytes], partitions: int = 4) -> list[int]:
    """Messages per partition had the extract stage stayed keyed by site (Kafka's default partitioner,
    murmur2 of the key, as aiokafka's): the largest site's whole share on one partition."""
    from kafka.partitioner.default import DefaultPartitioner

    load: Counter = Counter()
    for line in lines:
        key = message_key(line)
        load[DefaultPartitioner()(key, list(range(partitions)), list(range(partitions)))] += 1
    return [load.get(p, 0) for p in range(partitions)]


def scaling(args, broker: EmbeddedBroker, workdir: Path) -> None:
    sites = zipf_sites(args.sites)
    lines = inputs(args.messages, "text", sites=sites)
    mix = Counter(orjson.loads(x)["url"].split("/")[2] for x in lines)
    print(f"input: {len(lines)} text messages, {len(mix)} sites, largest {mix.most_common(1)[0][1] / len(lines):.0%}\n")
    before = site_keyed_load(lines)
    print(f"extract partition load had the stage stayed keyed by site: {before} (largest partition "
          f"{max(before) / len(lines):.0%}; two processes hold two partitions each, so the busier one "
          f"holds at least {_best_pair_share(before):.0%} of the work: at most "
          f"{1 / _best_pair_share(before):.2f}x)\n")
    print("| workers | drain messages/s | drain s | worker CPU-s (each) | CPU-s per message | messages per extract "
          "partition | machine load 1 min (before, after) |")
    print("|---|---|---|---|---|---|---|")
    rates: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.runs):
        for n in (1, 2):
            r = run_drain(broker, lines, n, workdir, **_batch(args))
            rates[n].append(r["rate"])
            cpu = r["cpu"]
            print(f"| {n} | {r['rate']:.1f} | {r['seconds']:.1f} | {', '.join(f'{c:.1f}' for c in cpu)} | "
                  f"{sum(cpu) / len(lines) * 1000:.1f} ms | {r['load']} | "
                  f"{r['machine_load'][0]:.1f}, {r['machine_load'][1]:.1f} |", flush=True)
    print(f"\n2 workers / 1 worker: {statistics.median(rates[2]) / statistics.median(rates[1]):.2f}x "
          f"(runs: 1 worker {', '.join(f'{v:.1f}' for v in rates[1])}; 2 workers "
          f"{', '.join(f'{v:.1f}' for v in rates[2])})")


def _best_pair_share(load: list[int]) -> float:
    """The busier process's share when 4 partitions are split 2 + 2 as evenly as possible."""
    total = sum(load)
    best = min(max(load[a] + load[b], total - load[a] - load[b]) for a in range(4) for b in range(a + 1, 4))
    return best / total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["throughput", "sizes", "scaling"])
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--input", choices=["mixed", "html", "text"], default="mixed")
    ap.add_argument("--sites", type=int, default=60)
    ap.add_argument("--zipf", action="store_true", help="sizes: sites drawn from the Zipf mix of scaling")
    ap.add_argument("--batch-bytes", type=int, default=0,
                    help="producer batch size of the worker (default: 1, Tansu's one record per batch workaround)")
    args = ap.parse_args()
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"nw-bench-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)
    print(f"command: python bench/stream.py {' '.join(sys.argv[1:])}")
    print(f"machine: {machine()}; date: {now()}")
    with EmbeddedBroker(log_file=workdir / "broker.log") as broker:
        {"throughput": throughput, "sizes": sizes, "scaling": scaling}[args.mode](args, broker, workdir)


if __name__ == "__main__":
    main()
