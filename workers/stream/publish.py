"""Delivery of a message's records, confirmed before its offset may be committed.

Faust's ``topic.send()`` returns once a record is handed to the producer; a failed delivery
(record too large, no authorisation, missing topic) only sets that future's exception and logs a
warning, while the consumed message is acked and its offset committed by the next commit: the
message is lost. Here every record of a message is awaited until the broker confirms it, retried
with backoff, and when it still fails the worker stops at once (``stop_worker``), before the
stream acks the message, so that the offset is not committed and the message comes back to
whichever worker takes the partition.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, NamedTuple

from . import metrics as m

log = logging.getLogger("newsworker")

# sysexits.h EX_TEMPFAIL: "try again later"; the supervisor (Kubernetes, compose) restarts the worker.
EXIT_PUBLISH_FAILED = 75


# One attempt's wait for the broker's confirmation; a record not confirmed by then is sent again.
ATTEMPT_SECONDS = 30.0


class Record(NamedTuple):
    output: str  # logical output: article, duplicate, deadletter, story, by_site, to_dedup
    key: bytes | None
    value: bytes


class PublishFailed(Exception):
    """Records the broker did not take after every retry."""


# send(output, key, value) hands a record to the producer and returns its delivery future.
Send = Callable[[str, bytes | None, bytes], Awaitable[Awaitable[object]]]


class Publisher:
    def __init__(self, send: Send, attempts: int = 5, backoff_seconds: float = 0.2, max_backoff_seconds: float = 5.0,
                 attempt_seconds: float = ATTEMPT_SECONDS):
        self.send = send
        self.attempt_seconds = attempt_seconds
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds

    async def _attempt(self, record: Record) -> object:
        # Bounded: a request the broker never answers would otherwise hold the message (and the
        # partition) for the producer's request timeout; on Tansu a whole worker sat 13 minutes on one.
        return await asyncio.wait_for(self._send(record), timeout=self.attempt_seconds)

    async def _send(self, record: Record) -> object:
        return await (await self.send(*record))

    async def deliver(self, records: Sequence[Record]) -> None:
        """Every record confirmed by the broker, or ``PublishFailed``. Records are sent together and
        awaited together (one round trip per message); only those that failed are sent again."""
        pending = list(records)
        for attempt in range(1, self.attempts + 1):
            results = await asyncio.gather(*(self._attempt(r) for r in pending), return_exceptions=True)
            failed = [(r, res) for r, res in zip(pending, results, strict=True) if isinstance(res, BaseException)]
            if not failed:
                return
            for record, exc in failed:
                if isinstance(exc, asyncio.CancelledError):  # the worker is stopping: not ours to retry
                    raise exc
                m.PUBLISH_RETRIES.labels(output=record.output).inc()
                log.warning("send to %s failed (attempt %d of %d): %s: %s", record.output, attempt, self.attempts,
                            type(exc).__name__, exc)
            pending = [r for r, _ in failed]
            if attempt < self.attempts:
                await asyncio.sleep(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))
        for record in pending:
            m.PUBLISH_FAILURES.labels(output=record.output).inc()
        raise PublishFailed(f"{len(pending)} record(s) to {sorted({r.output for r in pending})} not delivered "
                            f"after {self.attempts} attempts: {failed[0][1]!r}")


# Long enough for two scrapes at the shipped 15 s interval: the failure reaches Prometheus before the exit.
HOLD_SECONDS = 35.0


async def stop_worker(exc: PublishFailed, where: Mapping[str, Any], hold_seconds: float = HOLD_SECONDS) -> None:
    """Stop the process without acking the message and without Faust's shutdown (which would ack
    the message in flight and commit its offset): the message is delivered again after the restart.
    The agent holds the message for ``hold_seconds`` first, so that newsworker_publish_failures_total
    is scraped; a shutdown signal meanwhile ends the wait, and the process exits all the same."""
    log.critical("stopping the worker in %.0f s: could not publish the outcome of the message at %s (%s). "
                 "Its offset is not committed; it will be processed again after the restart. "
                 "Check the broker, the output topics and their max.message.bytes "
                 "(newsworker_publish_failures_total).", hold_seconds, where, exc)
    try:
        await asyncio.sleep(hold_seconds)
    finally:
        for handler in logging.getLogger().handlers + log.handlers:
            try:
                handler.flush()
            except Exception:
                pass
        os._exit(EXIT_PUBLISH_FAILED)
