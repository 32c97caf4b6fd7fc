"""Delivery of a message's records, confirmed before its offset may be committed.

Faust's ``topic.send()`` returns once a record is handed to the producer; a failed delivery
(record too large, no authorisation, missing topic) only sets that future's exception and logs a
warning, while the consumed message is acked and its offset committed by the next commit: the
message is lost. Here every record of a message is confirmed by the broker, retried with backoff,
before the message is acked (``InOrderAcks``: in order, while the agent goes on with its next
messages), and when a record still fails the worker stops at once (``stop_worker``) without
acking it or anything after it, so that the offset is not committed and the message comes back to
whichever worker takes the partition.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
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
    partition: int | None = None  # None: the producer's partitioner chooses (by key)


class PublishFailed(Exception):
    """Records the broker did not take after every retry."""


# send(output, key, value, partition) hands a record to the producer and returns its delivery future.
Send = Callable[[str, bytes | None, bytes, int | None], Awaitable[Awaitable[object]]]


class Publisher:
    def __init__(self, send: Send, attempts: int = 5, backoff_seconds: float = 0.2, max_backoff_seconds: float = 5.0,
                 attempt_seconds: float = ATTEMPT_SECONDS):
        self.send = send
        self.attempt_seconds = attempt_seconds
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds

    async def _hand(self, record: Record) -> Awaitable[object] | BaseException:
        """The record handed to the producer: its delivery future, or why the producer refused it."""
        try:
            # Bounded: the producer waits here while its buffer is full.
            return await asyncio.wait_for(self.send(*record), timeout=self.attempt_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc

    async def _confirmed(self, handed: Awaitable[object] | BaseException) -> object:
        if isinstance(handed, BaseException):
            raise handed
        # Bounded: a request the broker never answers would otherwise hold the message (and the
        # partition) for the producer's request timeout; on Tansu a whole worker sat 13 minutes on one.
        return await asyncio.wait_for(handed, timeout=self.attempt_seconds)

    async def submit(self, records: Sequence[Record]) -> asyncio.Future:
        """Hand every record to the producer now, in order, and return the wait for their confirmation:
        an awaitable that ends when the broker has confirmed them all (failed ones are sent again with
        backoff) or raises ``PublishFailed``. The caller may process its next message meanwhile: the
        round trip is paid once per batch the producer sends, not once per message."""
        pending = list(records)
        handed = [await self._hand(r) for r in pending]
        return asyncio.ensure_future(self._confirm(pending, handed))

    async def deliver(self, records: Sequence[Record]) -> None:
        """Every record confirmed by the broker, or ``PublishFailed``."""
        await (await self.submit(records))

    async def _confirm(self, pending: list[Record], handed: list) -> None:
        for attempt in range(1, self.attempts + 1):
            results = await asyncio.gather(*(self._confirmed(h) for h in handed), return_exceptions=True)
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
                handed = [await self._hand(r) for r in pending]
        for record in pending:
            m.PUBLISH_FAILURES.labels(output=record.output).inc()
        raise PublishFailed(f"{len(pending)} record(s) to {sorted({r.output for r in pending})} not delivered "
                            f"after {self.attempts} attempts: {failed[0][1]!r}")


class InOrderAcks:
    """Acks each consumed event once its message's records are confirmed, in the order the events came.

    An agent hands its message's records to the producer and goes on to the next message; the ack
    waits for the confirmation. Acks are given strictly in arrival order (per agent, so per partition):
    Faust commits the first run of consecutive acked offsets, and its test for a hole at the head of
    that run misses a hole of one offset (faust-streaming #312/#606), so an ack out of order could
    commit past a message still in flight. After a failed delivery nothing is acked any more: the
    worker is stopping (``stop_worker``) and every later message is read again after the restart.

    Acks run from the deliveries' completion callbacks, not from the agent's loop, so that a
    rebalance waiting for the in-flight messages (Faust's ``wait_empty``) is never stuck behind an
    agent that waits for its next message."""

    def __init__(self, ack: Callable[[Any, bool], object], window: int):
        self._ack = ack
        self.window = window
        self._pending: deque[tuple[Any, asyncio.Future, bool]] = deque()  # (event, delivery, processed)
        self.failed: BaseException | None = None

    def add(self, event: Any, delivery: asyncio.Future) -> None:
        self._pending.append((event, delivery, True))
        delivery.add_done_callback(self._release)

    def skip(self, event: Any) -> None:
        """An event the agent did not process (``consumer.admit``): released in its turn, never counted as done."""
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        done.set_result(None)
        self._pending.append((event, done, False))
        self._release()

    def __len__(self) -> int:
        return len(self._pending)

    def _release(self, _: object = None) -> None:
        while self._pending and self.failed is None and self._pending[0][1].done():
            event, delivery, processed = self._pending[0]
            exc = delivery.exception() if not delivery.cancelled() else asyncio.CancelledError()
            if exc is not None:
                self.failed = exc
                return
            self._pending.popleft()
            self._ack(event, processed)

    async def wait_room(self) -> None:
        """Until fewer than ``window`` messages are in flight; raises the failure of a delivery."""
        while len(self._pending) >= self.window and self.failed is None:
            await asyncio.wait([self._pending[0][1]])
            self._release()
        self.check()

    async def drain(self) -> None:
        """Until every message in flight is acked; raises the failure of a delivery."""
        while self._pending and self.failed is None:
            await asyncio.wait([self._pending[0][1]])
            self._release()
        self.check()

    def check(self) -> None:
        if self.failed is not None:
            raise self.failed


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
