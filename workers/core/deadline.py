"""Per-article time limit: run a function in a child process and kill it on overrun.

A pathological page can keep lxml or a regular expression busy for minutes; in
the worker's own process that would stall the partition and the consumer's
heartbeat. A child process can be killed; a thread cannot.

Scraped text (no HTML) meets no C parser: only linear-time patterns, numpy and pure Python
over length-capped input. For it the child's round trip (pickling the article and the result,
0.4-0.6 ms of the ~4 ms an article costs; BENCHMARKS.md "Scraped-text speed") is most of what
the limit costs, so ``run(..., isolate=False)`` keeps the limit in-process instead: a wall-clock
interval timer (SIGALRM) whose handler raises between two bytecodes of the overrunning work.
That needs the main thread (signals are delivered there); elsewhere the child is used.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC
from typing import Any

from pebble import ProcessExpired, ProcessPool

from .records import Rejected

log = logging.getLogger(__name__)

# A new child imports the pipeline and warms up before its first article; pebble starts an
# article's clock only when a child takes it, so this bounds only a child that never starts.
START_SECONDS = 120.0


def _exit_with(parent: int) -> None:
    """A child whose worker died (even by SIGKILL) exits instead of lingering under the forkserver."""
    import threading
    import time

    def watch() -> None:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            time.sleep(2)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _warm_up(parent: int, sketch_accel: bool) -> None:
    """Runs in each new child before its first article's clock starts (``_load``)."""
    from . import fingerprint

    # pebble stops an overrunning child with SIGTERM, then SIGKILL 3 s later; a parse busy in C
    # never runs a Python handler, so SIGTERM must end the child at once, as SIGKILL did before.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _exit_with(parent)
    fingerprint.use_extension(sketch_accel)  # the same fingerprint path as the worker
    _load(html=True)


def _load(html: bool) -> None:
    """Imports, language model and pattern loading, done by one sample article, so that a deadline
    measures an article's own work and not the first article's loading."""
    from datetime import datetime

    from .article import build
    from .records import RawArticle

    words = "Kalimat pemanasan untuk model bahasa. " * 20
    sample = (RawArticle(html=f"<html><body><article><h1>Warm up</h1><p>{words}</p></article></body></html>",
                         text=None, url="https://warm-up.example/a") if html
              else RawArticle(html=None, text=f"Warm up\n{words}", url="https://warm-up.example/a"))
    build(sample, frozenset(), datetime.now(UTC), 10_000)


class _Overrun(BaseException):
    """Raised by the interval timer inside the timed work: a BaseException, so that no ``except Exception``
    on the way (the pipeline's own guards) can swallow it and let the work go on."""


_armed = False  # set only while timed work runs: a late signal after it ended does nothing


def _on_alarm(signum: int, frame: object) -> None:
    if _armed:
        raise _Overrun


_loaded = False  # this process has done ``_load`` (the in-process limit's warm-up)


def _run_timed(fn: Callable, args: tuple, seconds: float) -> Any:
    """``fn(*args)`` in this process, interrupted after ``seconds`` of wall time (main thread only)."""
    global _armed, _loaded
    if not _loaded:
        _load(html=False)  # untimed, once: as a child does before its first article
        _loaded = True
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        _armed = True
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return fn(*args)
        finally:
            _armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Overrun:
        raise Rejected("timeout", f"processing took longer than {seconds:g} s") from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class Deadline:
    """Calls ``fn(*args)`` with a time limit. ``seconds <= 0`` runs in-process with no limit.

    The children are a pebble ProcessPool: a task over its timeout has its child killed (the only
    way to stop a runaway parse) and replaced; the next article runs in a fresh child.
    """

    def __init__(self, seconds: float, processes: int = 1):
        self.seconds = seconds
        self.processes = max(1, processes)
        self._pool: ProcessPool | None = None

    def _get_pool(self) -> ProcessPool:
        if self._pool is None:
            from . import fingerprint

            # forkserver: children do not inherit the parent's threads (Kafka client, event loop).
            self._pool = ProcessPool(self.processes, initializer=_warm_up,
                                     initargs=(os.getpid(), fingerprint.extension_in_use()),
                                     context=multiprocessing.get_context("forkserver"))
        return self._pool

    def _submit(self, fn: Callable, args: tuple) -> Future:
        return self._get_pool().schedule(fn, args, timeout=self.seconds)

    def _failed(self, exc: BaseException) -> Rejected:
        if isinstance(exc, TimeoutError | FutureTimeout):
            return Rejected("timeout", f"processing took longer than {self.seconds:g} s")
        return Rejected("internal", f"the extraction process died (out of memory or a crash in a C library): {exc}")

    def run(self, fn: Callable, *args: Any, isolate: bool = True) -> Any:
        """``isolate=False``: the work meets no C parser (module docstring); timed in-process when possible."""
        if self.seconds <= 0:
            return fn(*args)
        if not isolate and _in_main_thread():
            return _run_timed(fn, args, self.seconds)
        future = self._submit(fn, args)
        try:
            return future.result(timeout=self.seconds + START_SECONDS)
        except (TimeoutError, FutureTimeout, ProcessExpired) as exc:
            future.cancel()
            raise self._failed(exc) from None

    async def run_async(self, fn: Callable, *args: Any, isolate: bool = True) -> Any:
        if self.seconds <= 0:
            return fn(*args)
        if not isolate and _in_main_thread():
            return _run_timed(fn, args, self.seconds)
        future = self._submit(fn, args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=self.seconds + START_SECONDS)
        except (TimeoutError, FutureTimeout, ProcessExpired) as exc:
            future.cancel()
            raise self._failed(exc) from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=10)
            self._pool = None
