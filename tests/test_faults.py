"""Faults on the embedded broker with two worker processes (short versions of bench/faults.py).

Crashes (SIGKILL, single and bursts), a broker frozen past the session timeout, and graceful stops
(SIGTERM): every input must still come out (0 lost); after a graceful stop nothing is processed twice.
The commit rule that makes 0 lost hold is workers/stream/consumer.py (RELIABILITY.md, "Faults"); before it,
kills lost messages (1 of 3,000, 3 of 1,500) and a stall left 71 of 1,500 inputs out.
"""

from __future__ import annotations

import pytest

from bench import faults
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def _redelivery_is_idempotent() -> bool:
    """Does the core give an article processed twice the verdict it was first given? (Until it does,
    a redelivered article comes out as a duplicate of itself: reported, not asserted.)"""
    pipe = Pipeline(limits=Limits(timeout_seconds=0))
    line = faults.make_inputs(30, seed=5).phase1[0]
    first = pipe.process(line, Source("t", 0, 0))
    again = pipe.process(line, Source("t", 0, 0))
    return first.kind == again.kind and first.value.get("dedup") == again.value.get("dedup")


@pytest.fixture
def embedded(broker):
    if getattr(broker, "external", False):
        pytest.skip("kills and freezes the embedded broker's processes")
    return broker


def test_sigkill_loses_nothing(embedded, tmp_path):
    inputs = faults.make_inputs(160, seed=11, html_share=0.02)
    # A worker needs ~10 s to start and join: kills closer together than that stop all progress.
    result = faults.run(embedded, inputs, tmp_path, n_workers=2,
                        fault=faults.kill_fault(seed=3, pause=(6.0, 12.0), stop_at=0.7), timeout=900)
    n = len(inputs.all)
    assert result.events["kills"] >= 2
    assert result.lost(n) == [], f"lost inputs {result.lost(n)[:10]}; events {result.events}"
    # The republished copies name their original, never themselves.
    copies = [i for i, k in enumerate(inputs.kinds) if k == "copy"]
    first = {i: result.by_input[i][0] for i in copies}
    assert all(kind == "duplicate" for kind, _ in first.values())
    if _redelivery_is_idempotent():
        assert result.self_duplicates() == 0


def test_broker_frozen_past_the_session_timeout(embedded, tmp_path):
    inputs = faults.make_inputs(200, seed=12, html_share=0.0)
    result = faults.run(embedded, inputs, tmp_path, n_workers=2, fault=faults.stall_fault(at=0.3), timeout=900)
    n = len(inputs.all)
    assert result.events.get("stall_seconds", 0) > 10  # longer than the session timeout (10 s)
    assert result.lost(n) == [], result.events
    assert not result.events["unexpected_exits"], "the workers recover by themselves"


def test_graceful_stop_loses_nothing_and_repeats_nothing(embedded, tmp_path):
    inputs = faults.make_inputs(240, seed=13, html_share=0.0)
    result = faults.run(embedded, inputs, tmp_path, n_workers=2, fault=faults.term_fault(at=(0.25, 0.6)),
                        timeout=900)
    n = len(inputs.all)
    assert result.events["terms"] == 2 and result.events["exit_codes"] == [0, 0], result.events
    assert result.lost(n) == []
    assert result.redeliveries() == 0, f"{result.redeliveries()} messages processed twice after SIGTERM"
