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
   but never counted.
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
verdicts of redelivered messages are idempotent) but never lost.

After each rebalance every assigned partition is sought to its committed offset, including those never
committed: aiokafka's ``seek_to_committed`` skips a partition whose committed offset is None or 0, whose
fetch then goes on from wherever records were dropped (a run stood still with both workers idle and 1,152
of 3,000 inputs not out).

**Agents take each partition in order** (``admit``, called by the agent before it processes a message):
a message is processed only if its offset is the next one on its partition (the committed offset at the
start of an assignment). Faust does hand agents a partition's messages with holes: records fetched
before the seek to the committed offsets that ends each rebalance's recovery arrive after it (seen:
``by-site`` partition 0, 1 -> 89, right after "Seek stream partitions to committed offsets"), and the
queues cleared at a rebalance drop messages whose fetch position has moved on. At a hole the consumer
seeks back to the missing offset and skips everything else until it comes: the skipped messages come
again after it. Processing what follows a hole instead (the first version) redelivered the agent's whole
buffer at every hole: ~2.3 outcomes per input under kills (RELIABILITY.md). If the missing offset does
not come within ``GIVE_UP_SECONDS`` (it might not exist in the log), the agent goes on; the commit then
stays below the hole until a rebalance or restart reads it again.
"""

from __future__ import annotations

import logging
import time
import weakref

from faust.transport.drivers.aiokafka import Consumer
from faust.types import TP, Message

from ..core.ratelog import RateLimitedLog
from . import metrics as m

log = logging.getLogger("newsworker")
_gap_log = RateLimitedLog(log, burst=5, interval=60.0)

# At a hole the partition is sought back to the missing offset; again (at most once a second) when the
# fetch loop has moved past it meanwhile (records of the batch in progress: Faust's drain loop then drops
# the missing offset as "already read"), and anyway every SEEK_AGAIN_SECONDS. Processing goes on past the
# hole after GIVE_UP_SECONDS (a restarted worker joins in ~10-20 s on the test machine).
RESEEK_SECONDS = 1.0
SEEK_AGAIN_SECONDS = 10.0
GIVE_UP_SECONDS = 60.0


class NoGapConsumer(Consumer):
    """The aiokafka consumer of Faust, committing only unbroken runs of finished messages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._finished: weakref.WeakSet[Message] = weakref.WeakSet()
        self._floor: dict[TP, int] = {}  # per partition: the committed offset, kept across Faust's resets
        self._next: dict[TP, int] = {}  # per partition, in this assignment: the offset an agent may take next
        self._hole_since: dict[TP, tuple[float, float]] = {}  # partition -> (first seek, last seek) to _next
        # Until the seek to the committed offsets that ends a rebalance's recovery, Faust already lets records
        # through (flow resumes earlier), fetched from wherever the previous assignment left off; they are read
        # again after the seek. Agents take nothing before it: the committed offsets are not known yet.
        # (True until the first assignment: nothing is fetched before it; Faust's agent test contexts have none.)
        self._sought = True
        # Partitions with records refused before that seek. They were handed out after Faust's perform_seek had
        # set its read offsets, so the drain loop moved its read offset past them, and it drops their copies
        # fetched again after the seek as "already read": the partition would wait for them forever (seen in
        # CI's graceful-stop test: both workers ready, nothing processed). They are sought again once it ends.
        self._refused: set[TP] = set()

    async def admit(self, message: Message) -> bool:
        """May an agent process ``message`` now? Only the next offset of its partition; at a hole, seek
        back to the missing offset and skip the rest until it comes (module docstring)."""
        if not self._sought:
            _gap_log.log(logging.INFO, "before-seek", "%s[%d] offset %d skipped: before the seek to the committed "
                         "offsets", message.tp.topic, message.tp.partition, message.offset)
            self._refused.add(message.tp)
            return False  # read again after the seek to the committed offsets (perform_seek)
        tp, offset = message.tp, message.offset
        expected = self._next.get(tp)
        if expected is None:
            expected = self._start(tp)
        if expected is None or offset == expected:
            self._take(tp, offset)
            return True
        if offset < expected:
            _gap_log.log(logging.INFO, "below-next", "%s[%d] offset %d skipped: below the next offset %d",
                         tp.topic, tp.partition, offset, expected)
            return False  # processed in this assignment, or committed: done
        now = time.monotonic()
        first, last = self._hole_since.get(tp, (now, 0.0))
        if now - first > GIVE_UP_SECONDS:
            _gap_log.log(logging.WARNING, "give-up", "offsets %d-%d of %s[%d] did not come in %.0f s: going on from "
                         "%d; the commit stays below them until a rebalance or restart", expected, offset - 1,
                         tp.topic, tp.partition, GIVE_UP_SECONDS, offset)
            self._take(tp, offset)
            return True
        read = self._read_offset.get(tp)
        passed = read is None or read > expected  # the fetch loop is past the hole again: it would drop it
        if now - last >= SEEK_AGAIN_SECONDS or (passed and now - last >= RESEEK_SECONDS):
            self._hole_since[tp] = (first, now)
            m.OFFSET_GAPS.inc()
            _gap_log.log(logging.WARNING, "hole", "offset gap on %s[%d]: %d came while %d was next; reading again "
                         "from %d", tp.topic, tp.partition, offset, expected, expected)
            try:
                await self.seek(tp, expected)
            except Exception as exc:  # e.g. revoked meanwhile: its next owner reads from the commit
                log.warning("offset gap on %s[%d]: could not seek back to %d (%r)", tp.topic, tp.partition,
                            expected, exc)
        return False

    def _take(self, tp: TP, offset: int) -> None:
        self._next[tp] = offset + 1
        self._hole_since.pop(tp, None)

    def finished(self, message: Message) -> None:
        """The agent is done with ``message``: its outcome is confirmed by the broker."""
        self._finished.add(message)

    def ack(self, message: Message) -> bool:
        if message in self._finished or not self.app.topics.acks_enabled_for(message.topic):
            self._finished.discard(message)
            return super().ack(message)
        # Never finished: skipped by the stream (older generation, flow suspended) or by ``admit``, or its
        # agent stopped mid-way. Released, so that nothing waits for it, and not counted: the commit stops
        # below it.
        message.acked = True
        self._unacked_messages.discard(message)
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
        try:
            await super().perform_seek()
            unset = [tp for tp in self.assignment() if self._committed_offset.get(tp) is None
                     and not self._is_changelog_tp(tp)]
            self._keep_floors()
            if unset:
                for tp, offset in (await self.earliest_offsets(*unset)).items():
                    self._floor[tp] = offset
                    # aiokafka's seek_to_committed does not seek a partition never committed (or committed at
                    # 0): its fetch would go on from where records were dropped before this seek.
                    await self.seek(tp, offset)
        finally:  # even after a failure: agents then take what comes, and commits wait for a known floor
            self._sought = True
            await self._seek_refused()

    async def _seek_refused(self) -> None:
        """Read again, from the committed offset, the partitions whose records were refused before the seek."""
        refused, self._refused = self._refused, set()
        assigned = self.assignment()
        for tp in refused:
            start = self._start(tp)
            if tp not in assigned or start is None:
                continue  # revoked meanwhile, or never committed: its next owner, or the floor's seek, reads it
            try:
                await self.seek(tp, start)  # Faust's seek also sets the read offset back, so nothing is dropped
            except Exception as exc:  # the commit stays below them: a restart or rebalance reads them again
                log.warning("%s[%d]: could not seek back to %d after a rebalance (%r)", tp.topic, tp.partition,
                            start, exc)

    async def on_partitions_assigned(self, assigned: set[TP], generation_id: int = 0) -> None:
        self._sought = False
        for tp in assigned:  # the floors kept for the revoke's last commit; perform_seek sets them again
            self._floor.pop(tp, None)
        await super().on_partitions_assigned(assigned, generation_id)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        try:  # what the agents finished is committed before Faust drops the acks
            await self.commit()
        except Exception as exc:  # the next owner reads it again: a redelivery, never a loss
            log.info("commit before a rebalance failed: %r", exc)
        self._keep_floors()  # Faust drops the committed offsets next, before the agents finish and it commits
        for tp in revoked:  # the next assignment starts at its committed offset
            self._next.pop(tp, None)
            self._hole_since.pop(tp, None)
        await super().on_partitions_revoked(revoked)

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        m.OFFSET_GAPS.inc()
        _gap_log.log(logging.WARNING, "gap",
                     "offsets %d-%d of %s[%d] were fetched past without reaching an agent: the commit stops below "
                     "them until a rebalance or restart reads them again", offset_from, offset_to, tp.topic,
                     tp.partition)


async def admit(app: object, message: Message) -> bool:
    """May an agent of ``app`` process ``message`` now (``NoGapConsumer.admit``)?"""
    consumer = getattr(app, "consumer", None)
    return await consumer.admit(message) if isinstance(consumer, NoGapConsumer) else True


def finished(app: object, message: Message) -> None:
    """Tell the app's consumer that an agent finished ``message`` (its ack may now count)."""
    consumer = getattr(app, "consumer", None)
    if isinstance(consumer, NoGapConsumer):
        consumer.finished(message)
