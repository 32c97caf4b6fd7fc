"""``newsworker demo`` owns its children: on SIGINT, SIGTERM or SIGHUP it stops the worker, then the broker,
exits within 10 s and leaves nothing running. A worker whose broker is gone exits within its shutdown timeout,
with a bounded log."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.broker


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def wait_for_line(proc: subprocess.Popen, pattern: str, seen: list[str], timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n{''.join(seen)}")


@pytest.mark.parametrize(("sig", "when", "to_group"), [
    (signal.SIGINT, "worker running", True),      # Ctrl-C on --keep-running: the terminal signals the whole group
    (signal.SIGTERM, "4/4 waiting", False),       # a stop while messages are in flight
    (signal.SIGHUP, "worker running", True),      # the terminal closed
], ids=["SIGINT-keep-running", "SIGTERM-mid-run", "SIGHUP-keep-running"])
def test_demo_stops_its_children_on_signals(sig, when, to_group):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}
    env["NEWSWORKER_ARTICLE_TIMEOUT_SECONDS"] = "5"
    proc = subprocess.Popen([sys.executable, "-u", "-m", "workers.cli", "demo", "--keep-running"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen: list[str] = []
    try:
        broker = int(wait_for_line(proc, r"broker on \S+ \(pid (\d+)\)", seen, 60)[1])
        worker = int(wait_for_line(proc, r"worker started \(pid (\d+)\)", seen, 60)[1])
        wait_for_line(proc, re.escape(when), seen, 240)
        assert alive(broker) and alive(worker)
        sent = time.monotonic()
        if to_group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        code = proc.wait(15)
        took = time.monotonic() - sent
        assert proc.stdout is not None
        seen.append(proc.stdout.read())
        assert took < 10, f"the demo took {took:.1f} s to stop"
        assert code == 128 + sig, "".join(seen)
        assert "worker and broker stopped" in seen[-1]
        deadline = time.monotonic() + 5  # the kernel may take a moment to reap
        while (alive(worker) or alive(broker)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(worker), "the worker outlived the demo"
        assert not alive(broker), "the broker outlived the demo"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_worker_without_its_broker_stops_in_time_with_a_bounded_log(tmp_path, unique_id):
    from workers.settings import Settings
    from workers.tools.broker import EmbeddedBroker, free_port
    from workers.tools.demo import start_worker

    from .streaming import wait_ready

    with EmbeddedBroker(log_file=tmp_path / "broker.log") as broker:
        s = broker.worker_settings(Settings(), app_id=f"nw-{unique_id}", raw_topics=(f"raw-{unique_id}",),
                                   web_port=free_port(), state_dir=tmp_path / "state", shutdown_timeout_seconds=8)
        from workers.tools.kafka_tools import create_topics

        create_topics(s, out=io.StringIO())
        log = tmp_path / "worker.log"
        worker = start_worker(s, log)
        try:
            wait_ready(s.web_port)
        except BaseException:
            worker.kill()
            raise
    # the broker is gone now
    try:
        time.sleep(20)  # what the worker writes while its broker is away
        lines_before_stop = len(log.read_text(errors="replace").splitlines())
        sent = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(s.shutdown_timeout_seconds + 7)
        took = time.monotonic() - sent
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    lines = len(log.read_text(errors="replace").splitlines())
    assert took < s.shutdown_timeout_seconds + 5, f"stop took {took:.1f} s"
    assert lines_before_stop < 400 and lines < 600, f"{lines_before_stop} lines before the stop, {lines} in all"
