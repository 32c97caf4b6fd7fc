"""Faust's Kafka consumer, changed so that a commit only ever passes messages an agent finished.

One rule: the committed offset of a partition advances only over an unbroken run of offsets, starting at
the offset already committed, whose messages an agent finished (``finished`` is called by the agent after
the stage's records are confirmed by the broker). Faust's consumer breaks that rule in four ways, all seen
or traced under repeated SIGKILLs and rebalances of two workers (RELIABILITY.md, "Faults"):

1. **Skipped messages are acked.** A message fetched before a rebalance (its ``generation_id`` is not the
   app's) or read while flow control is suspended is dropped by ``Stream`` and then *acked* in the
   stream's ``finally`` (faust/streams.py; faust-streaming #221/#223), exactly like a processed one. So is
   a message whose agent was cancelled or raised mid-way (the same ``finally``; #604). Here ``ack`` counts
   only messages marked ``finished``; any other is released (so that ``wait_empty`` does not wait for it)
   but never counted, and the partition is read again from the commit at the next rebalance or restart,
   or at once when the agent sees its offsets jump (``app._follow``).
2. **The commit starts one offset too far.** ``_new_offset`` accepts a run of acks that starts one past the
   committed offset (``min(acked) - committed > 1``, an off-by-one), and checks nothing at all when the
   committed offset is None or 0: a partition never committed, or any partition during a rebalance, whose
   committed offsets Faust drops before it waits for the agents and commits (#312). Here the run must
   start at the committed offset; when Faust has none, at the last offset this consumer committed or was
   assigned at (``_floor``), and with no known floor nothing is committed.
3. **Gap filling** (#606): when the offsets the consumer fetches jump, Faust records the missing offsets
   as a "gap" and later commits past them, as if they were compaction holes or transaction markers.
   Nothing here compacts or writes transactions on the topics the agents read (raw topics and the two
   internal ones; changelogs are read without acks and never reach this): the gap is not recorded.
4. At a rebalance Faust drops the partition's acks before it waits for the agents: finished messages not
   yet committed would be processed again by the next owner. ``on_partitions_revoked`` commits first.

Nothing can be committed past an unfinished message, so a message can be redelivered (at-least-once; the
verdicts of redelivered messages are idempotent) but never lost. The price: a partition whose hole is
never read again stands still (the lag alert shows it) until the next rebalance or restart.
"""

from __future__ import annotations

import logging
import weakref

from faust.transport.drivers.aiokafka import Consumer
from faust.types import TP, Message

from ..core.ratelog import RateLimitedLog
from . import metrics as m

log = logging.getLogger("newsworker")
_gap_log = RateLimitedLog(log, burst=5, interval=60.0)


class NoGapConsumer(Consumer):
    """The aiokafka consumer of Faust, committing only unbroken runs of finished messages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._finished: weakref.WeakSet[Message] = weakref.WeakSet()
        self._floor: dict[TP, int] = {}  # per partition: the committed offset, kept across Faust's resets

    def finished(self, message: Message) -> None:
        """The agent is done with ``message``: its outcome is confirmed by the broker."""
        self._finished.add(message)

    def ack(self, message: Message) -> bool:
        if message in self._finished or not self.app.topics.acks_enabled_for(message.topic):
            self._finished.discard(message)
            return super().ack(message)
        # Never finished: skipped by the stream (older generation, flow suspended) or its agent stopped
        # mid-way. Released, so that nothing waits for it, and not counted: the commit stops below it.
        message.acked = True
        self._unacked_messages.discard(message)
        m.OFFSET_GAPS.inc()
        _gap_log.log(logging.INFO, "unfinished",
                     "%s[%d] offset %d was acked without an agent finishing it: not committed, read again",
                     message.topic, message.partition, message.offset)
        return False

    def _start(self, tp: TP) -> int | None:
        committed = self._committed_offset[tp]
        if committed is not None:
            self._floor[tp] = committed
            return committed
        return self._floor.get(tp)

    def _new_offset(self, tp: TP) -> int | None:
        start = self._start(tp)
        acked = self._acked[tp]
        if not acked or start is None:
            return None  # nothing finished, or where the run must start is unknown: commit nothing
        acked.sort()
        below = 0
        while below < len(acked) and acked[below] < start:
            below += 1  # committed meanwhile (e.g. by the partition's previous owner)
        if below:
            self._acked_index[tp].difference_update(acked[:below])
            del acked[:below]
        end = start
        while end - start < len(acked) and acked[end - start] == end:
            end += 1
        if end == start:
            return None  # the message at the committed offset is not finished
        self._acked_index[tp].difference_update(acked[:end - start])
        del acked[:end - start]
        return end

    def _keep_floors(self) -> None:
        for tp, committed in self._committed_offset.items():
            if committed is not None:
                self._floor[tp] = committed

    async def perform_seek(self) -> None:
        """Seek to the committed offsets (Faust), and know every assigned partition's floor: its committed
        offset, or for a partition never committed its earliest offset (auto_offset_reset = earliest)."""
        await super().perform_seek()
        unset = [tp for tp in self.assignment() if self._committed_offset.get(tp) is None
                 and not self._is_changelog_tp(tp)]
        self._keep_floors()
        if unset:
            for tp, offset in (await self.earliest_offsets(*unset)).items():
                self._floor[tp] = offset

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        try:  # what the agents finished is committed before Faust drops the acks
            await self.commit()
        except Exception as exc:  # the next owner reads it again: a redelivery, never a loss
            log.info("commit before a rebalance failed: %r", exc)
        self._keep_floors()  # Faust drops the committed offsets next, before the agents finish and it commits
        await super().on_partitions_revoked(revoked)

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        m.OFFSET_GAPS.inc()
        _gap_log.log(logging.WARNING, "gap",
                     "offsets %d-%d of %s[%d] were fetched past without reaching an agent: the commit stops below "
                     "them until a rebalance or restart reads them again", offset_from, offset_to, tp.topic,
                     tp.partition)


def finished(app: object, message: Message) -> None:
    """Tell the app's consumer that an agent finished ``message`` (its ack may now count)."""
    consumer = getattr(app, "consumer", None)
    if isinstance(consumer, NoGapConsumer):
        consumer.finished(message)
