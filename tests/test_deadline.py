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


def test_a_child_that_dies_is_an_internal_dead_letter_and_the_next_article_runs():
    deadline = Deadline(seconds=10.0)
    try:
        with pytest.raises(Rejected) as err:
            deadline.run(os._exit, 3)  # as an out-of-memory kill or a crash in a C library would
        assert err.value.reason == "internal" and "died" in err.value.message
        assert deadline.run(os.getpid) != os.getpid()
    finally:
        deadline.close()


def test_a_runaway_in_c_is_killed_at_once(tmp_path):
    """SIGTERM ends a child at once even while it is busy outside Python (as in a long lxml parse)."""
    deadline = Deadline(seconds=1.0)
    try:
        deadline.run(os.getpid)  # the child is up and warm
        started = time.monotonic()
        with pytest.raises(Rejected) as err:
            deadline.run(_busy_in_c)
        took = time.monotonic() - started
        assert err.value.reason == "timeout" and took < 3.5, f"{took:.1f} s"  # pebble waits 3 s before SIGKILL
    finally:
        deadline.close()


def test_the_child_runs_the_same_fingerprint_path_as_its_parent():
    from workers.core import fingerprint

    was = fingerprint.extension_in_use()
    fingerprint.use_extension(False)
    deadline = Deadline(seconds=10.0)
    try:
        assert deadline.run(fingerprint.extension_in_use) is False
    finally:
        deadline.close()
        fingerprint.use_extension(was)


def _busy_in_c():
    import re

    re.match(r"(a+)+$", "a" * 40 + "b")  # catastrophic backtracking: seconds inside the C regex engine
