"""Bounds on what a worker does when things go wrong around it: log volume and stop time.

With its broker gone, aiokafka logs every failed connection and Faust every failed
commit: a demo worker wrote 1.1 MB in 40 s and a stop hung for 22 s. The guard
lets each kind of log line through a few times a minute (counting the rest), and
ends the process if a stop takes longer than its timeout.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from mode import Service, ServiceT

LINES_PER_MINUTE = 5  # of one kind: same logger, level and message template


class RepeatFilter(logging.Filter):
    """At most ``limit`` records of one kind per ``window`` seconds; the next one let through says
    how many were dropped."""

    def __init__(self, limit: int = LINES_PER_MINUTE, window: float = 60.0):
        super().__init__()
        self.limit, self.window = limit, window
        self._seen: dict[tuple[str, int, str], list] = {}  # kind -> [window start, passed, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = time.monotonic()
        entry = self._seen.get(kind)
        if entry is None or now - entry[0] > self.window:
            dropped = entry[2] if entry else 0
            self._seen[kind] = entry = [now, 0, 0]
            if len(self._seen) > 10_000:  # message templates are few; this only guards against odd callers
                self._seen = {kind: entry}
            if dropped:
                record.msg = f"{record.msg} [{dropped} more like this in the last {self.window:.0f} s not shown]"
        if entry[1] < self.limit:
            entry[1] += 1
            return True
        entry[2] += 1
        return False


class ProcessGuard(Service):
    """Installs the repeat filter on the log handlers once the worker has set up logging, and ends the
    process ``stop_within`` seconds after ``app`` began to stop if it is still running then. A thread
    does the timing, so that a blocked event loop cannot hold the process either."""

    def __init__(self, app: ServiceT, stop_within: float, **kwargs):
        self.app, self.stop_within = app, stop_within
        self.filter = RepeatFilter()
        super().__init__(**kwargs)

    async def on_start(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.addFilter(self.filter)
        threading.Thread(target=self._watch, name="stop-deadline", daemon=True).start()

    def _watch(self) -> None:
        while not self.app.should_stop:
            time.sleep(0.5)
        time.sleep(self.stop_within)
        logging.getLogger("newsworker").error(
            "stop did not finish within %.0f s (NEWSWORKER_SHUTDOWN_TIMEOUT_SECONDS): exiting", self.stop_within)
        logging.shutdown()
        os._exit(1)
