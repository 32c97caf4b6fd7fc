"""Faults on the embedded broker with two worker processes: is every message still accounted for?

    python bench/faults.py --fault kill  [--articles 20000] [--workers 2] [--seed 1]
    python bench/faults.py --fault stall [--articles 3000]
    python bench/faults.py --fault term  [--articles 3000]

Each run streams the same inputs twice through fresh topics: once without faults (the reference) and
once with the fault, and compares every input's outcome:

- kill:  SIGKILL a worker at random moments, single kills and bursts (kill, restart, kill again
         0.1-1 s later), restart it each time; the next pause starts once new inputs come out again;
         kills stop when 95% of the inputs have an outcome.
- stall: SIGSTOP the broker for longer than the session timeout mid-stream, then SIGCONT; the time
         from SIGCONT to the first new outcome and to the end is measured.
- term:  SIGTERM a worker mid-stream (graceful stop), restart it; no message may be processed twice.

Inputs: phase 1 is distinct articles (text articles drawn from the detik sentences, so no two
are copies, and the extraction benchmark's HTML pages) plus 1% malformed messages; phase 2, produced
once phase 1 is all out, holds edited republications of some phase-1 articles on other sites. The two
phases make every verdict independent of the order the dedup stage sees articles in, so the reference
and the faulty run must agree on each input's id, status, kind and story.

Reported: inputs, outcomes, lost (inputs without outcome), redeliveries (outcomes beyond one per
input), verdict differences against the reference, events whose duplicate_of is their own id, kills,
recovery times. tests/test_faults.py runs short versions of the same code in CI.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from workers.settings import Settings  # noqa: E402
from workers.tools.broker import EmbeddedBroker, free_port  # noqa: E402
from workers.tools.demo import start_worker, stop_worker  # noqa: E402
from workers.tools.kafka_tools import create_topics, message_key  # noqa: E402

SHARED = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared")) / "data"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# --- inputs -----------------------------------------------------------------------------------------

def _detik_sentences() -> list[str]:
    csv.field_size_limit(10**9)
    with open(SHARED / "detik-id-news" / "data_berita.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen, out = set(), []
    for row in rows:
        for s in _SENTENCE_END.split(row["isi_berita"].replace("\n", " ")):
            s = s.strip()
            if 60 <= len(s) <= 400 and s not in seen:
                seen.add(s)
                out.append(s)
    return out


def _html_pages(limit: int) -> list[str]:
    bench = SHARED / "article-extraction-benchmark"
    truth = orjson.loads((bench / "ground-truth.json").read_bytes())
    return [gzip.open(bench / "html" / f"{h}.html.gz").read().decode("utf-8", "replace") for h in sorted(truth)[:limit]]


@dataclass
class Inputs:
    phase1: list[bytes]
    phase2: list[bytes]
    kinds: list[str] = field(default_factory=list)  # text / html / malformed / copy, per input

    @property
    def all(self) -> list[bytes]:
        return self.phase1 + self.phase2


def make_inputs(n: int, seed: int = 1, html_share: float = 0.05, copy_share: float = 0.15,
                malformed_share: float = 0.01) -> Inputs:
    """``n`` messages: distinct text and HTML articles and malformed ones, then copies of some texts."""
    rng = random.Random(seed)
    pool = _detik_sentences()
    n_copies = int(n * copy_share)
    n_first = n - n_copies
    n_html = min(int(n_first * html_share), 181)
    n_bad = max(1, int(n * malformed_share))
    html = _html_pages(n_html)
    phase1, kinds, texts = [], [], []
    for i in range(n_first - n_html - n_bad):
        sentences = rng.sample(pool, rng.randint(10, 18))
        paras = ["\n".join(sentences[j:j + 2]) for j in range(1, len(sentences), 2)]
        title = sentences[0][:120]
        site = f"site{rng.randrange(60)}.example"
        texts.append((i, title, paras))
        phase1.append(orjson.dumps({"url": f"https://{site}/news/{seed}-{i}", "title": title,
                                    "text": "\n\n".join(paras)}))
        kinds.append("text")
    for i, page in enumerate(html):
        phase1.append(orjson.dumps({"url": f"https://pages{i % 20}.example/{seed}/{i}", "html": page}))
        kinds.append("html")
    for i in range(n_bad):
        phase1.append([b'{"url": "https://bad.example/x", "text": ', orjson.dumps({"url": "https://bad.example/y"}),
                       b"\xff\xfe not utf-8"][i % 3])
        kinds.append("malformed")
    order = list(range(len(phase1)))
    rng.shuffle(order)
    phase1 = [phase1[k] for k in order]
    kinds = [kinds[k] for k in order]
    phase2 = []
    for i, title, paras in rng.sample(texts, min(n_copies, len(texts))):
        kept = paras[:-1] if len(paras) > 3 else paras
        body = "\n\n".join(["Baca juga berita lainnya di kanal kami", *kept])
        phase2.append(orjson.dumps({"url": f"https://copies{i % 30}.example/{seed}/{i}", "title": "Salinan: " + title,
                                    "text": body}))
        kinds.append("copy")
    return Inputs(phase1, phase2, kinds)


# --- a run ------------------------------------------------------------------------------------------

def settings_for(broker: EmbeddedBroker, workdir: Path, **overrides) -> Settings:
    uid = uuid.uuid4().hex[:8]
    return broker.worker_settings(
        Settings(), app_id=f"faults-{uid}", raw_topics=(f"raw-{uid}",), articles_topic=f"art-{uid}",
        duplicates_topic=f"dup-{uid}", deadletter_topic=f"dead-{uid}", stories_topic=f"st-{uid}",
        topic_partitions=4, state_dir=workdir / uid, web_port=free_port(), **overrides)


class Workers:
    """Worker processes with their own web ports and state dirs; restartable by index.

    Every worker is started by one long-lived thread (``_spawner``): a worker gets SIGTERM when the
    *thread* that started it ends (PR_SET_PDEATHSIG, ``terminate_with_parent``), so a worker restarted
    by a fault's thread would get an unplanned graceful stop when that thread finishes."""

    def __init__(self, s: Settings, n: int, workdir: Path):
        self.settings = [s.replace(web_port=free_port() if i else s.web_port, state_dir=workdir / f"{s.app_id}-w{i}")
                         for i in range(n)]
        self.workdir = workdir
        self.procs: list[subprocess.Popen | None] = [None] * n
        self.starts = 0
        self.lock = threading.Lock()
        self.requests: queue.Queue[tuple[int, threading.Event]] = queue.Queue()
        threading.Thread(target=self._spawner, daemon=True).start()

    def log(self, i: int) -> Path:
        return self.workdir / f"{self.settings[i].app_id}-w{i}.log"

    def _spawner(self) -> None:
        while True:
            i, done = self.requests.get()
            try:
                with self.lock:
                    self.procs[i] = start_worker(self.settings[i], self.log(i))
                    self.starts += 1
            finally:
                done.set()

    def start(self, i: int) -> None:
        done = threading.Event()
        self.requests.put((i, done))
        done.wait()

    def start_all(self) -> None:
        for i in range(len(self.procs)):
            self.start(i)

    def signal(self, i: int, sig: int) -> subprocess.Popen | None:
        with self.lock:
            proc = self.procs[i]
            if proc is not None and proc.poll() is None:
                proc.send_signal(sig)
            return proc

    def exited(self) -> list[tuple[int, int]]:
        """(worker, exit code) of processes that ended without being told to."""
        return [(i, p.returncode) for i, p in enumerate(self.procs) if p is not None and p.poll() is not None]

    def stop_all(self) -> None:
        for p in self.procs:
            if p is not None:
                stop_worker(p)


class Collector(threading.Thread):
    """Reads the three outcome topics from the start, continuously, into ``records``."""

    def __init__(self, s: Settings):
        super().__init__(daemon=True)
        from kafka import KafkaConsumer

        self.topics = [s.articles_topic, s.duplicates_topic, s.deadletter_topic]
        self.kind = dict(zip(self.topics, ("article", "duplicate", "deadletter"), strict=True))
        self.consumer = KafkaConsumer(*self.topics, bootstrap_servers=s.bootstrap_servers,
                                      auto_offset_reset="earliest", enable_auto_commit=False, group_id=None,
                                      fetch_max_bytes=50_000_000, max_partition_fetch_bytes=20_000_000)
        self.records: list[tuple[str, dict]] = []
        self.raw_topic = s.raw_topics[0]
        self.inputs_out: set[tuple[int, int]] = set()  # raw (partition, offset) with at least one outcome
        self.last_at = time.monotonic()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                batch = self.consumer.poll(timeout_ms=300)
            except Exception:  # the broker is stopped (stall fault): keep trying
                time.sleep(0.5)
                continue
            for tp, recs in batch.items():
                for r in recs:
                    rec = orjson.loads(r.value)
                    self.records.append((self.kind[tp.topic], rec))
                    src = rec["source"]
                    if src.get("topic") == self.raw_topic:
                        self.inputs_out.add((src["partition"], src["offset"]))
                    self.last_at = time.monotonic()
        self.consumer.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(10)


def produce(s: Settings, lines: list[bytes], offset_of: dict[tuple[int, int], int], first_index: int) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=s.bootstrap_servers, acks="all", linger_ms=20,
                             max_request_size=s.max_record_bytes)
    futures = [producer.send(s.raw_topics[0], key=message_key(line), value=line) for line in lines]
    producer.flush()
    for i, fut in enumerate(futures):
        md = fut.get(timeout=60)
        offset_of[(md.partition, md.offset)] = first_index + i
    producer.close()


def outcomes_by_input(records: list[tuple[str, dict]], offset_of: dict, raw_topic: str) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for kind, rec in records:
        src = rec["source"]
        if src.get("topic") == raw_topic:
            out[offset_of[(src["partition"], src["offset"])]].append((kind, rec))
    return out


@dataclass
class RunResult:
    by_input: dict[int, list]
    seconds: float
    events: dict = field(default_factory=dict)  # fault figures: kills, recovery times, exit codes

    def lost(self, n: int) -> list[int]:
        return [i for i in range(n) if i not in self.by_input]

    def redeliveries(self) -> int:
        return sum(len(v) - 1 for v in self.by_input.values())

    def self_duplicates(self) -> int:
        return sum(1 for v in self.by_input.values() for kind, rec in v
                   if kind != "deadletter" and rec["dedup"].get("duplicate_of") == rec["id"])


def run(broker: EmbeddedBroker, inputs: Inputs, workdir: Path, n_workers: int = 2,
        fault: Callable[[Workers, Collector, int, EmbeddedBroker, dict], None] | None = None,
        timeout: float = 3600.0) -> RunResult:
    """Stream ``inputs`` (phase 1, then phase 2 once phase 1 is out) through ``n_workers`` workers;
    ``fault`` runs in its own thread meanwhile. Returns each input's outcomes."""
    s = settings_for(broker, workdir)
    create_topics(s, out=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    workers = Workers(s, n_workers, workdir)
    collector = Collector(s)
    collector.start()
    events: dict = {"kills": 0, "terms": 0, "unexpected_exits": []}
    offset_of: dict[tuple[int, int], int] = {}
    n = len(inputs.all)
    workers.start_all()
    started = time.monotonic()
    stop_fault = threading.Event()
    events["stop"] = stop_fault
    thread = None
    if fault is not None:
        thread = threading.Thread(target=fault, args=(workers, collector, n, broker, events), daemon=True)
    try:
        produce(s, inputs.phase1, offset_of, 0)
        if thread is not None:
            events["faulting"] = True
            thread.start()
        _wait(lambda: len(outcomes_by_input(collector.records, offset_of, s.raw_topics[0])) >= len(inputs.phase1),
              started + timeout, workers, events, collector)
        _restart_if_stuck(lambda: len(outcomes_by_input(collector.records, offset_of, s.raw_topics[0])),
                          len(inputs.phase1), "phase1_missing_before_restart", workers, collector, events, timeout)
        produce(s, inputs.phase2, offset_of, len(inputs.phase1))
        _wait(lambda: len(outcomes_by_input(collector.records, offset_of, s.raw_topics[0])) >= n,
              started + timeout, workers, events, collector)
        _restart_if_stuck(lambda: len(outcomes_by_input(collector.records, offset_of, s.raw_topics[0])),
                          n, "missing_before_restart", workers, collector, events, timeout)
        stop_fault.set()
        if thread is not None:
            thread.join(120)
        elapsed = time.monotonic() - started
        quiet_since = time.monotonic()  # late redeliveries: wait until the outputs are quiet for 5 s
        while time.monotonic() - max(collector.last_at, quiet_since) < 5:
            time.sleep(0.5)
    finally:
        stop_fault.set()
        workers.stop_all()
        collector.stop()
    events.pop("stop", None)
    events["starts"] = workers.starts
    return RunResult(outcomes_by_input(collector.records, offset_of, s.raw_topics[0]), elapsed, events)


def _restart_if_stuck(count: Callable[[], int], want: int, name: str, workers: Workers, collector: Collector,
                      events: dict, timeout: float) -> None:
    """Stuck or lost? After giving up, restart every worker once: messages whose offsets were never
    committed come out now; what is still missing after that is lost."""
    if not events.get("gave_up_waiting"):
        return
    events[name] = want - count()
    workers.stop_all()
    workers.start_all()
    events["gave_up_waiting"] = False
    collector.last_at = time.monotonic()  # the quiet clock starts again with the restart
    _wait(lambda: count() >= want, time.monotonic() + timeout, workers, events, collector, quiet_limit=120.0)


def _wait(done: Callable[[], bool], deadline: float, workers: Workers, events: dict, collector: Collector,
          quiet_limit: float = 180.0) -> None:
    """Until ``done()``; gives up at ``deadline`` or when no outcome arrived for ``quiet_limit`` seconds
    after the faults ended (the inputs still missing then are lost, and reported as such)."""
    last_report = time.monotonic()
    while not done():
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError("not every input came out in time")
        if (events["stop"].is_set() or not events.get("faulting")) and now - collector.last_at > quiet_limit:
            events["gave_up_waiting"] = True
            return
        for i, code in workers.exited():
            if i in events.get("expect_exit", set()):
                continue
            events["unexpected_exits"].append((i, code))
            workers.start(i)  # a worker that stopped on its own (e.g. a publish failure): restart it
        if now - last_report > 15:
            last_report = now
            print(f"  {len(collector.records)} outcomes so far ({len(collector.inputs_out)} inputs); kills "
                  f"{events['kills']}, terms {events['terms']}",
                  file=sys.stderr, flush=True)
        time.sleep(1.0)


# --- faults -----------------------------------------------------------------------------------------

def _progress(collector: Collector, n: int) -> float:
    """Share of the inputs with an outcome (redelivered outcomes do not count)."""
    return len(collector.inputs_out) / max(1, n)


def kill_fault(seed: int = 7, pause: tuple[float, float] = (4.0, 12.0), stop_at: float = 0.95):
    """Kill episodes until ``stop_at`` of the outcomes are in: a single SIGKILL and restart, or a burst
    of 2-4 kills 0.1-1 s apart (each followed by a restart), then a pause."""
    rng = random.Random(seed)

    def fault(workers: Workers, collector: Collector, n: int, broker, events: dict) -> None:
        events["expect_exit"] = set(range(len(workers.procs)))
        events["bursts"] = 0
        while not events["stop"].is_set() and _progress(collector, n) < stop_at:
            if events["stop"].wait(rng.uniform(*pause)):
                break
            i = rng.randrange(len(workers.procs))
            burst = rng.random() < 0.4
            for k in range(rng.randint(2, 4) if burst else 1):
                proc = workers.signal(i, signal.SIGKILL)
                if proc is not None:
                    proc.wait()
                    events["kills"] += 1
                workers.start(i)
                if k:
                    time.sleep(rng.uniform(0.1, 1.0))
            events["bursts"] += burst
            # The next episode's pause starts once work flows again: on this 2-core machine a rebalance with
            # the dedup index's changelog restore takes 15-30 s, and kills faster than that stop all progress.
            out, since = len(collector.inputs_out), time.monotonic()
            while (len(collector.inputs_out) == out and time.monotonic() - since < 120
                   and not events["stop"].wait(0.5)):
                pass
        events["expect_exit"] = set()
        events["faulting"] = False

    return fault


def stall_fault(at: float = 0.3, seconds: float | None = None):
    """SIGSTOP the broker when ``at`` of the outcomes are in, for longer than the session timeout."""

    def fault(workers: Workers, collector: Collector, n: int, broker: EmbeddedBroker, events: dict) -> None:
        while _progress(collector, n) < at and not events["stop"].is_set():
            time.sleep(0.2)
        hold = seconds if seconds is not None else workers.settings[0].session_timeout_seconds + 5
        before = len(collector.records)
        assert broker.proc is not None
        broker.proc.send_signal(signal.SIGSTOP)
        time.sleep(hold)
        broker.proc.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        while len(collector.records) <= before and not events["stop"].is_set():
            time.sleep(0.05)
        events["stall_seconds"] = hold
        events["first_output_after_resume_seconds"] = round(time.monotonic() - resumed, 2)
        events["outcomes_before_stall"] = before
        events["faulting"] = False

    return fault


def term_fault(at: tuple[float, ...] = (0.2, 0.5), exit_timeout: float = 60.0):
    """SIGTERM one worker (alternately) when each share in ``at`` of the outcomes is in; restart it."""

    def fault(workers: Workers, collector: Collector, n: int, broker, events: dict) -> None:
        events["expect_exit"] = set(range(len(workers.procs)))
        events["exit_seconds"], events["exit_codes"] = [], []
        for k, share in enumerate(at):
            while _progress(collector, n) < share and not events["stop"].is_set():
                time.sleep(0.1)
            i = k % len(workers.procs)
            t = time.monotonic()
            proc = workers.signal(i, signal.SIGTERM)
            if proc is not None:
                try:
                    proc.wait(exit_timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                events["terms"] += 1
                events["exit_seconds"].append(round(time.monotonic() - t, 1))
                events["exit_codes"].append(proc.returncode)
            workers.start(i)
        events["expect_exit"] = set()
        events["faulting"] = False

    return fault


# --- comparison -------------------------------------------------------------------------------------

def verdict(kind: str, rec: dict) -> tuple:
    if kind == "deadletter":
        return ("deadletter", rec["error"]["reason"])
    d = rec["dedup"]
    return (rec["id"], d["status"], d.get("kind"), d["story_id"])


def compare(reference: RunResult, faulty: RunResult, n: int) -> dict:
    """Each input's verdicts in the faulty run against its verdict in the reference."""
    differ, differ_redelivered_only = [], []
    for i in range(n):
        ref = reference.by_input.get(i)
        got = faulty.by_input.get(i)
        if not ref or not got:
            continue
        want = verdict(*ref[0])
        verdicts = [verdict(*o) for o in got]
        if verdicts[0] != want:
            differ.append((i, want, verdicts))
        elif any(v != want for v in verdicts[1:]):
            differ_redelivered_only.append((i, want, verdicts))
    return {"first_verdict_differs": differ, "redelivered_verdict_differs": differ_redelivered_only}


def summary(name: str, result: RunResult, n: int) -> dict:
    return {"run": name, "inputs": n, "outcomes": sum(len(v) for v in result.by_input.values()),
            "lost": len(result.lost(n)), "redeliveries": result.redeliveries(),
            "self_duplicates": result.self_duplicates(), "seconds": round(result.seconds, 1),
            "outcome_kinds": dict(Counter(v[0][0] for v in result.by_input.values())),
            **{k: v for k, v in result.events.items() if k not in ("expect_exit",)}}


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup (workers, broker) on SIGTERM
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fault", choices=["kill", "stall", "term"], required=True)
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pause", type=float, nargs=2, default=(10.0, 25.0), metavar=("MIN", "MAX"),
                    help="seconds between kill episodes (a restart takes ~10-20 s on this machine)")
    ap.add_argument("--no-reference", action="store_true", help="skip the fault-free run (no verdict comparison)")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds each run may take before it is abandoned")
    args = ap.parse_args()
    inputs = make_inputs(args.articles, seed=args.seed)
    n = len(inputs.all)
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"nw-faults-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)
    fault = {"kill": kill_fault(seed=args.seed, pause=tuple(args.pause)), "stall": stall_fault(),
             "term": term_fault()}[args.fault]
    print(f"inputs: {n} ({dict(Counter(inputs.kinds))}); logs in {workdir}", file=sys.stderr)
    with EmbeddedBroker(log_file=workdir / "broker.log") as broker:
        reference = None if args.no_reference else run(broker, inputs, workdir, args.workers, timeout=args.timeout)
        faulty = run(broker, inputs, workdir, args.workers, fault=fault, timeout=args.timeout)
    print(f"command: python bench/faults.py {' '.join(sys.argv[1:])}")
    from bench.common import machine, now

    print(f"machine: {machine()}; date: {now()}")
    if reference is not None:
        print(orjson.dumps(summary("reference (no faults)", reference, n)).decode())
    print(orjson.dumps(summary(f"with fault: {args.fault}", faulty, n), default=str).decode())
    if reference is not None:
        cmp = compare(reference, faulty, n)
        print(f"verdicts differing from the reference: first outcome {len(cmp['first_verdict_differs'])}, "
              f"only in a redelivered outcome {len(cmp['redelivered_verdict_differs'])}")
        kinds = Counter((want[1] if len(want) > 2 else want[0], got[0][1] if len(got[0]) > 2 else got[0][0])
                        for _, want, got in cmp["first_verdict_differs"] + cmp["redelivered_verdict_differs"])
        print(f"(reference status, faulty status) of the differences: {dict(kinds)}")
        for i, want, got in (cmp["first_verdict_differs"] + cmp["redelivered_verdict_differs"])[:5]:
            print(f"  input {i} ({inputs.kinds[i]}): reference {want}, faulty {got}")
    lost = faulty.lost(n)
    if lost:
        print(f"LOST {len(lost)} inputs, e.g. {lost[:10]} ({dict(Counter(inputs.kinds[i] for i in lost))})")
    exits = faulty.events.get("exit_seconds")
    if exits:
        print(f"graceful stop: exit within {statistics.median(exits)} s (median), codes {faulty.events['exit_codes']}")


if __name__ == "__main__":
    main()
