"""Per-article time limit: run a function in a child process and kill it on overrun.

A pathological page can keep lxml or a regular expression busy for minutes; in
the worker's own process that would stall the partition and the consumer's
heartbeat. A child process can be killed; a thread cannot.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC
from typing import Any

from .records import Rejected

log = logging.getLogger(__name__)


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


def _warm_up(parent: int) -> None:
    """Runs in each new child before its first article's clock starts: imports, model and
    pattern loading, so that the deadline measures the article's own work."""
    from datetime import datetime

    _exit_with(parent)

    from .article import build
    from .records import RawArticle

    sample = "<html><body><article><h1>Warm up</h1><p>" + "Kalimat pemanasan untuk model bahasa. " * 20
    build(RawArticle(html=sample + "</p></article></body></html>", text=None, url="https://warm-up.example/a"),
          frozenset(), datetime.now(UTC), 10_000)


class Deadline:
    """Calls ``fn(*args)`` with a time limit. ``seconds <= 0`` runs in-process with no limit."""

    def __init__(self, seconds: float, processes: int = 1):
        self.seconds = seconds
        self.processes = max(1, processes)
        self._pool: ProcessPoolExecutor | None = None
        self._warming: Future | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: children do not inherit the parent's threads (Kafka client, event loop).
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=_warm_up, initargs=(os.getpid(),))
            self._warming = self._pool.submit(os.getpid)  # done once the child has imported the pipeline
        return self._pool

    def _ready(self) -> Future:
        """Completes when a child is up: its start-up (imports) must not count against an article's time."""
        self._get_pool()
        return self._warming

    def _reset(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()  # the only way to stop a runaway parse
        pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, fn: Callable, args: tuple) -> Future:
        try:
            return self._get_pool().submit(fn, *args)
        except BrokenProcessPool:
            self._reset()
            return self._get_pool().submit(fn, *args)

    def _timeout(self) -> Rejected:
        self._reset()
        return Rejected("timeout", f"processing took longer than {self.seconds:g} s")

    def run(self, fn: Callable, *args: Any) -> Any:
        if self.seconds <= 0:
            return fn(*args)
        self._ready().result(timeout=120)
        future = self._submit(fn, args)
        try:
            return future.result(timeout=self.seconds)
        except FutureTimeout:
            raise self._timeout() from None
        except BrokenProcessPool:
            self._reset()
            raise Rejected("internal", "the extraction process died (out of memory or a crash in a C library)") from None

    async def run_async(self, fn: Callable, *args: Any) -> Any:
        if self.seconds <= 0:
            return fn(*args)
        await asyncio.wait_for(asyncio.wrap_future(self._ready()), timeout=120)
        future = asyncio.wrap_future(self._submit(fn, args))
        try:
            return await asyncio.wait_for(future, timeout=self.seconds)
        except TimeoutError:
            raise self._timeout() from None
        except BrokenProcessPool:
            self._reset()
            raise Rejected("internal", "the extraction process died (out of memory or a crash in a C library)") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
