"""Faust's Kafka consumer with its gap filling turned off (faust-streaming issue #606, open).

When the offsets the consumer fetches on a partition jump, Faust records the missing offsets as a
"gap" and later commits past them, as if they were compaction holes or transaction markers. Nothing
here compacts or writes transactions on the topics the agents read (raw topics and the two internal
ones; changelogs are read without acks and never reach this), so a jump means messages that never
reached an agent: under repeated SIGKILLs of a worker, Faust handed an agent a partition's messages
with such holes and committed past them (RELIABILITY.md, "Faults"). Committing past them loses them.

Without the gap, Faust's commit stops below the first offset that was not acked; the messages are
read again after the next rebalance or restart (at-least-once; redelivered verdicts are idempotent).
Until then the partition's committed offset stands still, which the lag alert shows.
"""

from __future__ import annotations

import logging

from faust.transport.drivers.aiokafka import Consumer
from faust.types import TP

from ..core.ratelog import RateLimitedLog
from . import metrics as m

log = logging.getLogger("newsworker")
_gap_log = RateLimitedLog(log, burst=5, interval=60.0)


class NoGapConsumer(Consumer):
    """The aiokafka consumer of Faust, minus the gap filling that commits past unprocessed messages."""

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        m.OFFSET_GAPS.inc()
        _gap_log.log(logging.WARNING, "gap",
                     "offsets %d-%d of %s[%d] were fetched past without reaching an agent: the commit stops below "
                     "them until a rebalance or restart reads them again", offset_from, offset_to, tp.topic,
                     tp.partition)
