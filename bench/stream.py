"""The worker on the embedded broker: throughput and latency beside a Faust passthrough, record sizes of
the internal topics and changelogs, and scaling from one to two worker processes.

    python bench/stream.py throughput [--input mixed|html|text] [--messages 300] [--runs 3]
    python bench/stream.py sizes [--messages 400] [--input text] [--zipf]
    python bench/stream.py scaling [--messages 3000] [--sites 60] [--runs 1]
    python bench/stream.py dedup-partition [--messages 1000] [--records 20000]
    python bench/stream.py template-traffic [--messages 3000]

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
dedup-partition: what one dedup partition can absorb: the dedup agent's body in-process (CPU per article,
  table writes per article) and the embedded broker's rate for such changelog records on one partition,
  produced (one record per batch and batched) and read back (a recovery).
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
from workers.core.dedup import INDEX_LAYOUT  # noqa: E402
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
    return sum(_tree_cpu(pid))


def _tree_cpu(pid: int) -> tuple[float, float]:
    """(the process's own CPU-seconds, its living descendants')."""
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
    own = cpu.get(pid, 0.0)
    return own, sum(cpu.get(p, 0.0) for p in wanted) - own


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
    for name in ("site-templates-v2", f"dedup-index-v{INDEX_LAYOUT}"):
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
        cpu0 = [_tree_cpu(p.pid) for p in procs]
        started = time.monotonic()
        produce(s, lines)
        got = read_all(s, outputs, expect=len(lines), timeout=3600)
        elapsed = time.monotonic() - started
        cpu1 = [_tree_cpu(p.pid) for p in procs]
        cpu = [(a[0] - b[0], a[1] - b[1]) for a, b in zip(cpu1, cpu0, strict=True)]
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
    from kafka.partitioner.default import murmur2

    load: Counter = Counter()
    for line in lines:
        key = message_key(line) or b""
        load[(murmur2(key) & 0x7FFFFFFF) % partitions] += 1
    return [load.get(p, 0) for p in range(partitions)]


def scaling(args, broker: EmbeddedBroker, workdir: Path) -> None:
    sites = zipf_sites(args.sites, top_share=0.32)  # drawn: the largest site's share comes out >= 30 %
    lines = inputs(args.messages, "text", sites=sites)
    mix = Counter(orjson.loads(x)["url"].split("/")[2] for x in lines)
    print(f"input: {len(lines)} text messages, {len(mix)} sites, largest {mix.most_common(1)[0][1] / len(lines):.0%}\n")
    before = site_keyed_load(lines)
    best, worst = _pair_shares(before)
    print(f"extract partition load had the stage stayed keyed by site: {before} (largest partition "
          f"{max(before) / len(lines):.0%}, so at most {len(lines) / max(before):.2f}x with any number of "
          f"processes; two processes hold two partitions each: the busier one holds {best:.0%} to {worst:.0%} "
          f"of the work, as the assignment pairs them: at most {1 / best:.2f}x to {1 / worst:.2f}x)\n")
    print("| workers | drain messages/s | drain s | CPU-s of each worker (process + extraction child) | "
          "CPU per message | messages per extract partition | machine load 1 min (before, after) |")
    print("|---|---|---|---|---|---|---|")
    rates: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.runs):
        for n in (1, 2):
            r = run_drain(broker, lines, n, workdir, **_batch(args))
            rates[n].append(r["rate"])
            cpu = r["cpu"]
            print(f"| {n} | {r['rate']:.1f} | {r['seconds']:.1f} | {', '.join(f'{a:.1f} + {b:.1f}' for a, b in cpu)} | "
                  f"{sum(map(sum, cpu)) / len(lines) * 1000:.1f} ms | {r['load']} | "
                  f"{r['machine_load'][0]:.1f}, {r['machine_load'][1]:.1f} |", flush=True)
    print(f"\n2 workers / 1 worker: {statistics.median(rates[2]) / statistics.median(rates[1]):.2f}x "
          f"(runs: 1 worker {', '.join(f'{v:.1f}' for v in rates[1])}; 2 workers "
          f"{', '.join(f'{v:.1f}' for v in rates[2])})")


def _pair_shares(load: list[int]) -> tuple[float, float]:
    """The busier process's share when 4 partitions are split 2 + 2: the best and the worst split."""
    total = sum(load)
    busier = [max(load[a] + load[b], total - load[a] - load[b]) / total for a in range(4) for b in range(a + 1, 4)]
    return min(busier), max(busier)


# --- site-template changelog traffic, offline ---------------------------------------------------------

def template_traffic(args) -> None:
    """The site-templates table's writes for the Zipf feed of ``scaling`` (each article's real line hashes,
    from the offline pipeline), replayed into a counting store: keyed by site and written every 5 articles
    (before) against per site and extract partition with the write bounded by ``WRITE_RATIO`` (now)."""
    from workers.core import templates
    from workers.core.pipeline import Limits, Pipeline
    from workers.core.records import Source

    lines = inputs(args.messages, "text", sites=zipf_sites(args.sites, top_share=0.32))
    pipe, feed = Pipeline(limits=Limits(timeout_seconds=0)), []
    for line in lines:
        raw = pipe.ingest(line, Source())
        built = pipe.extract(raw, line, Source()) if not hasattr(raw, "kind") else raw
        if hasattr(built, "line_hashes"):
            url = orjson.loads(line)["url"]
            feed.append((url.split("/")[2], url, built.line_hashes))
    mix = Counter(site for site, _, _ in feed)
    big = mix.most_common(1)[0][0]

    def replay(sharded: bool) -> tuple[_CountingStore, dict]:
        store = _CountingStore()
        t = templates.SiteTemplates(store, flush_every=5)
        big_bytes = {"before": 0, "articles": 0}
        for site, url, hashes in feed:
            before = store.nbytes
            t.observe(templates.shard_key(site, templates.shard(url, 4)) if sharded else site, hashes)
            if site == big:
                big_bytes["before"] += store.nbytes - before
                big_bytes["articles"] += 1
        return store, big_bytes

    changed = statistics.mean(len(h) + 1 for _, _, h in feed)
    print(f"input: {len(feed)} text articles, {len(mix)} sites, largest {big} {mix[big] / len(feed):.0%}; "
          f"an article changes {changed:.1f} counters (~{changed * 17:.0f} bytes at ~17 bytes per counter)\n")
    print("| site-templates writes | records written | bytes per article | of which the largest site, bytes per "
          "its article |")
    print("|---|---|---|---|")
    ratio = templates.WRITE_RATIO
    for label, sharded, bound in (("keyed by site, every 5 articles (before)", False, False),
                                  ("per site and partition, every 5 articles", True, False),
                                  (f"per site and partition, bounded (WRITE_RATIO {ratio}, now)", True, True)):
        templates.WRITE_RATIO = ratio if bound else 10**9
        store, big_bytes = replay(sharded)
        print(f"| {label} | {store.writes} | {store.nbytes / len(feed):.0f} | "
              f"{big_bytes['before'] / max(1, big_bytes['articles']):.0f} |")
    templates.WRITE_RATIO = ratio


# --- one dedup partition ----------------------------------------------------------------------------

class _CountingStore(dict):
    """The index's table, counting the writes (changelog records) and their key + value bytes."""

    writes = 0
    nbytes = 0

    def __setitem__(self, key, value) -> None:
        self.writes += 1
        self.nbytes += len(key) + len(value if isinstance(value, bytes) else orjson.dumps(value))
        super().__setitem__(key, value)


def _dedup_stage_rate(n: int) -> dict:
    """The dedup agent's whole body (envelope, fingerprint again, verdict, events, schema check, records handed
    over and confirmed), in-process on an in-memory log: what one partition's process can do, Kafka apart."""
    import asyncio

    from workers.core import envelope
    from workers.core.pipeline import Limits, Pipeline
    from workers.core.records import Source
    from workers.stream.app import Stages
    from workers.stream.publish import Publisher

    lines = inputs(n, "text")
    offline = Pipeline(limits=Limits(timeout_seconds=0))
    packed = []
    for i, line in enumerate(lines):
        src = Source("raw", 0, i)
        built = offline.extract(offline.ingest(line, src), line, src)  # type: ignore[arg-type]
        if not hasattr(built, "kind"):
            packed.append(envelope.pack_built(built, src, line))
    store = _CountingStore()
    pipe = Pipeline(dedup_store=store, limits=Limits(timeout_seconds=0))

    async def send(output, key, value, partition=None):
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def run() -> float:
        stages = Stages(pipe, Publisher(send))
        t0 = time.process_time()
        for i, value in enumerate(packed):
            await (await stages.dedup(value, Source("to-dedup", 0, i)))
        return time.process_time() - t0

    cpu = asyncio.run(run())
    return {"articles": len(packed), "cpu": cpu, "writes": store.writes / len(packed),
            "bytes": store.nbytes / len(packed)}


def _broker_rates(broker: EmbeddedBroker, records: int, size: int) -> dict:
    """Records of ``size`` bytes produced to one partition of Tansu (aiokafka, as Faust's producer: all sent,
    then flushed) with one record per batch and with 16 KB batches; then read back from the start (a
    table's recovery reads its changelog so)."""
    import asyncio

    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.structs import TopicPartition

    from workers.settings import Settings

    bootstrap = Settings().replace(broker=broker.url).bootstrap_servers
    out = {}

    async def run(batch: int) -> tuple[float, float]:
        topic = f"rate-{batch}-{uuid.uuid4().hex[:6]}"
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_batch_size=batch, linger_ms=0)
        await producer.start()
        try:
            value = os.urandom(size // 2).hex().encode()
            await (await producer.send(topic, value, key=b"k", partition=0))  # creates the topic
            t0 = time.monotonic()
            futures = [await producer.send(topic, value, key=b"k%d" % i, partition=0) for i in range(records)]
            await asyncio.gather(*futures)
            produce_rate = records / (time.monotonic() - t0)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                                    max_partition_fetch_bytes=20_000_000, fetch_max_bytes=50_000_000)
        await consumer.start()
        try:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            t0, got = time.monotonic(), 0
            while got < records + 1:
                batches = await consumer.getmany(tp, timeout_ms=1000, max_records=100_000)
                got += sum(len(v) for v in batches.values())
            read_rate = got / (time.monotonic() - t0)
        finally:
            await consumer.stop()
        return produce_rate, read_rate

    for batch in (1, 16384):
        out[batch] = asyncio.run(run(batch))
    return out


def dedup_partition(args, broker: EmbeddedBroker, workdir: Path) -> None:
    stage = _dedup_stage_rate(args.messages)
    per_article = stage["cpu"] / stage["articles"]
    print(f"dedup agent body, in-process (fresh index, {stage['articles']} detik articles): "
          f"{per_article * 1e6:.0f} us CPU per article = {1 / per_article:.0f} articles/s; "
          f"{stage['writes']:.1f} table writes ({stage['bytes']:.0f} bytes) per article\n")
    size = max(16, round(stage["bytes"] / max(stage["writes"], 1)))
    rates = _broker_rates(broker, args.records, size)
    print(f"Tansu, one partition, {args.records} records of {size} bytes (the mean changelog record):\n")
    print("| producer batch | produced records/s | read back records/s | articles/s the changelog allows | "
          "restore of a million articles' compacted changelog (6.83 M records) |")
    print("|---|---|---|---|---|")
    for batch, (produced, read) in rates.items():
        print(f"| {'1 record (the Tansu workaround)' if batch == 1 else f'{batch} bytes'} | {produced:.0f} | "
              f"{read:.0f} | {produced / stage['writes']:.0f} | {6.83e6 / read:.0f} s |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["throughput", "sizes", "scaling", "dedup-partition", "template-traffic"])
    ap.add_argument("--records", type=int, default=20000, help="dedup-partition: records produced to the broker")
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
    if args.mode == "template-traffic":  # offline: no broker
        template_traffic(args)
        return
    with EmbeddedBroker(log_file=workdir / "broker.log") as broker:
        modes = {"throughput": throughput, "sizes": sizes, "scaling": scaling, "dedup-partition": dedup_partition}
        modes[args.mode](args, broker, workdir)


if __name__ == "__main__":
    main()
