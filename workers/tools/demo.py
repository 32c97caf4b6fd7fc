"""``newsworker demo``: the whole pipeline on the embedded broker, then a readable summary.

Starts Tansu on loopback, creates the topics, starts the worker as its own
process (as in production), feeds the bundled sample, reads every output topic
until each raw message is accounted for, and prints what happened.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

from ..settings import Settings
from .broker import EmbeddedBroker, free_port, terminate_with_parent
from .kafka_tools import create_topics, iter_lines, produce_file, read_topics


def bundled_sample() -> str:
    return str(resources.files("workers.samples").joinpath("demo.jsonl"))


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
WORKER_STOP_SECONDS = 6.0  # then SIGKILL; with the broker's 3 s the demo is gone within 10 s of a signal


class Stopped(Exception):
    """The demo got SIGINT, SIGTERM or SIGHUP: stop the worker, then the broker."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_signal(signum, frame) -> None:
    for sig in STOP_SIGNALS:  # one stop at a time: a second Ctrl-C must not cut the clean-up short
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signum)


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}
    env.update(settings.to_env())
    return env


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen:
    """The worker in its own session: a Ctrl-C or hang-up of the terminal reaches only its owner, which
    stops it in order; it also gets SIGTERM if its owner dies."""
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "workers.cli", "worker"], env=worker_env(settings),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=terminate_with_parent)


def stop_worker(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_demo(base: Settings, sample: str | None = None, keep_running: bool = False) -> int:
    """Runs the demo; SIGINT, SIGTERM and SIGHUP stop the worker and then the broker, within 10 s."""
    previous = {sig: signal.signal(sig, _on_signal) for sig in STOP_SIGNALS}
    try:
        return _demo(base, sample or bundled_sample(), keep_running)
    except Stopped as stop:
        print(f"\nnewsworker demo: {stop}: worker and broker stopped", flush=True)
        return 128 + stop.signum
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _demo(base: Settings, sample: str, keep_running: bool) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="newsworker-demo-"))
    expected = sum(1 for _ in iter_lines(sample))
    print(f"newsworker demo: {expected} raw messages from {sample}")
    print(f"logs and state in {workdir}", flush=True)
    with EmbeddedBroker(log_file=workdir / "broker.log", stop_seconds=3.0) as broker:
        settings = broker.worker_settings(
            base, app_id="newsworker-demo", state_dir=workdir / "state",
            web_port=base.web_port if base.web_port != 6066 else free_port(), topic_partitions=4,
        )
        print(f"1/4 embedded Tansu broker on {broker.bootstrap} (pid {broker.pid})", flush=True)
        create_topics(settings, out=io.StringIO())
        print("2/4 topics created: " + ", ".join([*settings.raw_topics, settings.articles_topic,
                                                  settings.duplicates_topic, settings.deadletter_topic,
                                                  settings.stories_topic]))
        worker = start_worker(settings, workdir / "worker.log")
        try:
            print(f"3/4 worker started (pid {worker.pid}); feeding the sample", flush=True)
            produce_file(settings, sample)
            outputs = [settings.articles_topic, settings.duplicates_topic, settings.deadletter_topic]
            print("4/4 waiting for every message to come out ...", flush=True)
            got = read_topics(settings, outputs, expect=expected, timeout=180)
            metrics_url = f"http://127.0.0.1:{settings.web_port}/metrics"
            print_summary(settings, got, expected, metrics_url)
            if worker.poll() is not None:
                print(f"the worker exited early with code {worker.returncode}; see {workdir / 'worker.log'}")
                return 1
            if keep_running:
                print(f"worker running; metrics at {metrics_url}. Ctrl-C to stop.", flush=True)
                worker.wait()
            else:
                print(f"The worker and the broker stop now, and {metrics_url} with them: "
                      "`newsworker demo --keep-running` (or `./dev run --keep-running`) keeps them up.")
        finally:
            stop_worker(worker, WORKER_STOP_SECONDS)
    accounted = sum(len(v) for v in got.values())
    return 0 if accounted == expected else 1


def print_summary(s: Settings, got: dict[str, list[dict]], expected: int, metrics_url: str) -> None:
    articles, duplicates, dead = got[s.articles_topic], got[s.duplicates_topic], got[s.deadletter_topic]
    accounted = len(articles) + len(duplicates) + len(dead)
    verdict = "all accounted for" if accounted == expected else f"{expected - accounted} MISSING"
    print()
    print("=" * 72)
    print(f"{expected} raw messages -> {len(articles)} articles, {len(duplicates)} duplicates, "
          f"{len(dead)} dead letters ({verdict})")
    print("=" * 72)
    stories: dict[str, list[dict]] = defaultdict(list)
    for ev in articles + duplicates:
        stories[ev["dedup"]["story_id"]].append(ev)
    print(f"\nStories ({len(stories)}):")
    for sid, evs in sorted(stories.items(), key=lambda kv: -len(kv[1])):
        evs.sort(key=lambda e: e["dedup"]["status"] != "unique")
        first = evs[0]
        print(f"  {sid}  [{first.get('language')}] {(first.get('title') or '(no title)')[:70]}")
        for ev in evs:
            dd = ev["dedup"]
            tag = "first" if dd["status"] == "unique" else f"copy ({dd['kind']}, similarity {dd['similarity']})"
            src = ev["source"]
            print(f"      {tag:<32} {ev.get('domain') or '(no url)':<28} {ev['word_count']:>5} words  "
                  f"p{src['partition']}@{src['offset']}")
    reasons = Counter(d["error"]["reason"] for d in dead)
    print(f"\nDead letters by reason: {dict(reasons) or 'none'}")
    for d in dead:
        src = d["source"]
        print(f"  {d['error']['reason']:<14} p{src['partition']}@{src['offset']}: {d['error']['message'][:80]}")
    print(f"\nMetrics: {metrics_url}")
    try:
        text = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
        for line in text.splitlines():
            if line.startswith(("newsworker_events_published_total", "newsworker_deadletters_total",
                                "newsworker_messages_consumed_total")):
                print("  " + line)
    except OSError as exc:
        print(f"  (could not read metrics: {exc})")
    print()
