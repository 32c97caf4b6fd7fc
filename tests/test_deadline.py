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


def _stubborn(seconds: float) -> int:
    """Python work that swallows every Exception on its way, as a careless guard inside the pipeline would."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        try:
            n += sum(range(1000))
        except Exception:
            pass
    return n


def test_text_work_is_timed_in_process_and_a_broad_except_cannot_swallow_the_overrun():
    import signal

    deadline = Deadline(seconds=0.5)
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(Rejected) as err:
        deadline.run(_stubborn, 30.0, isolate=False)
    assert err.value.reason == "timeout" and time.monotonic() - started < 5
    assert deadline.run(os.getpid, isolate=False) == os.getpid()  # no child process was needed
    assert deadline._pool is None
    assert signal.getsignal(signal.SIGALRM) is before  # the caller's handler is back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and no timer is left running


def test_off_the_main_thread_text_work_still_goes_to_the_child():
    import threading

    deadline = Deadline(seconds=10.0)
    pids: list[int] = []
    try:
        worker = threading.Thread(target=lambda: pids.append(deadline.run(os.getpid, isolate=False)))
        worker.start()
        worker.join(timeout=120)
        assert pids and pids[0] != os.getpid()  # signals reach only the main thread: the child keeps the limit
    finally:
        deadline.close()


def test_the_pipeline_isolates_html_and_times_text_in_process():
    from workers.core.pipeline import Limits, Pipeline
    from workers.core.records import Source

    pipe = Pipeline(limits=Limits(timeout_seconds=10))
    try:
        text = b'{"url": "https://a.example/x", "text": "' + b"Kalimat yang cukup panjang untuk artikel. " * 20 + b'"}'
        assert pipe.process(text, Source(line=1)).kind == "article"
        assert pipe.deadline._pool is None  # text: no child process
        html = (b'{"url": "https://a.example/y", "html": "<html><body><article><p>'
                + b"Sebuah berita lain tentang banjir di kota pelabuhan. " * 20 + b'</p></article></body></html>"}')
        assert pipe.process(html, Source(line=2)).kind == "article"
        assert pipe.deadline._pool is not None  # HTML: in the child
    finally:
        pipe.close()
