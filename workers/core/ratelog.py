"""Log lines about individual messages, at a bounded rate.

A hostile feed makes one dead letter per message; one log line each would flood
the logs (and the disk) at the stream's rate. ``RateLimitedLog`` lets the first
``burst`` lines of each interval through, counts the rest by key (the
dead-letter reason), and writes one summary line with those counts when the
interval is over. Counts of every event belong in metrics, not logs: this only
bounds what a person reads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable


class RateLimitedLog:
    """At most ``burst`` lines per ``interval`` seconds, then one summary line per interval."""

    def __init__(self, logger: logging.Logger, burst: int = 10, interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.logger = logger
        self.burst = burst
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()  # the worker logs from its event loop and from executor threads
        self._window_start = clock()
        self._emitted = 0
        self._suppressed: Counter[str] = Counter()

    def log(self, level: int, key: str, msg: str, *args: object) -> bool:
        """Log ``msg % args`` unless this interval's burst is spent; ``key`` groups suppressed lines in the
        summary. Returns whether the line was written."""
        with self._lock:
            self._roll()
            if self._emitted >= self.burst:
                self._suppressed[key] += 1
                return False
            self._emitted += 1
        self.logger.log(level, msg, *args)
        return True

    def flush(self) -> None:
        """Write the summary of suppressed lines now (at the end of a run)."""
        with self._lock:
            self._summary()
            self._window_start = self.clock()
            self._emitted = 0

    def _roll(self) -> None:
        if self.clock() - self._window_start >= self.interval:
            self._summary()
            self._window_start = self.clock()
            self._emitted = 0

    def _summary(self) -> None:
        if self._suppressed:
            total = sum(self._suppressed.values())
            by_key = ", ".join(f"{k}: {n}" for k, n in self._suppressed.most_common())
            self.logger.warning("%d more lines like the above not logged in the last %.0f s (%s)",
                                total, self.clock() - self._window_start, by_key)
            self._suppressed.clear()
