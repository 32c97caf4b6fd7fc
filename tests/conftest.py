"""Shared fixtures. Broker tests start a real Tansu broker on loopback (the dev extra)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared"))
SEED = SHARED / "seeds" / "000_4678e5728421bb87.txt"
BENCHMARK = SHARED / "data" / "article-extraction-benchmark"
DETIK_CSV = SHARED / "data" / "detik-id-news" / "data_berita.csv"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.exists():
        pytest.fail(f"../shared is missing at {SHARED}; set NEWSWORKER_SHARED_DIR")
    return SHARED


class ExternalBroker:
    external = True

    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap
        self.url = f"kafka://{bootstrap}"


@pytest.fixture(scope="session")
def broker():
    """One broker for the whole session; tests use fresh topic names and group ids.

    The embedded Tansu broker by default; NEWSWORKER_TEST_BROKER=host:port runs the
    same tests against another Kafka-compatible broker (e.g. Apache Kafka).
    """
    from workers.tools.broker import EmbeddedBroker

    if os.environ.get("NEWSWORKER_TEST_BROKER"):
        yield ExternalBroker(os.environ["NEWSWORKER_TEST_BROKER"])
        return
    b = EmbeddedBroker(log_file=Path(os.environ.get("TMPDIR", "/tmp")) / f"tansu-{os.getpid()}.log")
    b.start()
    yield b
    b.stop()


@pytest.fixture
def unique_id() -> str:
    """A fresh suffix for app ids (consumer groups) and topic names: a stale group member would stall a join."""
    return uuid.uuid4().hex[:8]
