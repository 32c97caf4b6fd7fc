"""Per-article limits: a runaway article becomes a dead letter, and the next one still runs."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from workers.core.deadline import Deadline
from workers.core.records import Rejected


def test_timeout_kills_and_recovers():
    deadline = Deadline(seconds=1.0)
    try:
        started = time.monotonic()
        with pytest.raises(Rejected) as err:
            deadline.run(time.sleep, 30)
        assert err.value.reason == "timeout"
        assert time.monotonic() - started < 10
        assert deadline.run(os.getpid) != os.getpid()  # a fresh child process does the next article
    finally:
        deadline.close()


def test_timeout_async():
    deadline = Deadline(seconds=1.0)
    try:
        with pytest.raises(Rejected) as err:
            asyncio.run(deadline.run_async(time.sleep, 30))
        assert err.value.reason == "timeout"
    finally:
        deadline.close()


def test_rejections_cross_the_process_boundary():
    deadline = Deadline(seconds=10.0)
    try:
        with pytest.raises(Rejected) as err:
            deadline.run(_reject)
        assert (err.value.reason, err.value.message) == ("no_content", "nothing here")
    finally:
        deadline.close()


def _reject():
    raise Rejected("no_content", "nothing here")
