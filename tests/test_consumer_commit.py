"""The commit rule of ``workers/stream/consumer.py``: a partition's committed offset advances only over an
unbroken run of messages an agent finished, starting at the offset already committed.

Runs Faust's real consumer class (no broker: nothing here connects) through its ack and commit-offset
bookkeeping, the part that decides which offset a commit sends.
"""

from __future__ import annotations

import asyncio

import faust
import pytest
from faust.transport.drivers.aiokafka import Consumer as FaustConsumer
from faust.types import TP
from faust.types.tuples import ConsumerMessage

from workers.stream.consumer import NoGapConsumer, finished

TOPIC = "raw"
P0 = TP(TOPIC, 0)


def _consumer(cls: type = NoGapConsumer):
    app = faust.App(f"commit-rule-{cls.__name__}", broker="kafka://localhost:1", autodiscover=False)
    app.transport.Consumer = cls  # type: ignore[misc]  # the override point the worker uses (app.create_app)
    app.topics.acking_topics.add(TOPIC)  # what subscribing an agent to the topic does
    return app, app.consumer


def _message(offset: int, tp: TP = P0) -> ConsumerMessage:
    message = ConsumerMessage(tp.topic, tp.partition, offset, 0.0, 0, None, None, b"v", None, tp=tp)
    message.refcount = 1
    return message


def _handled(app, consumer, offsets, *, done=True) -> None:
    """What a stream does with each message: track it, hand it to the agent, ack it."""
    for offset in offsets:
        message = _message(offset)
        message.tracked = True
        consumer.unacked.add(message)
        if done:
            finished(app, message)
        message.ack(consumer)


def _commit(consumer, tp: TP = P0) -> int | None:
    """What a commit does with the offsets: Faust's choice (``_filter_committable_offsets``), then the
    bookkeeping of ``_commit_offsets`` once the broker took it."""
    offset = consumer._filter_committable_offsets([tp]).get(tp)
    if offset is not None:
        consumer._committed_offset[tp] = offset
    return offset


def test_finished_messages_in_order_are_committed_up_to_the_last():
    app, consumer = _consumer()
    consumer._committed_offset[P0] = 10
    _handled(app, consumer, range(10, 15))
    assert _commit(consumer) == 15
    assert _commit(consumer) is None  # nothing new


def test_a_message_acked_without_being_finished_is_never_committed_past():
    """Faust's stream acks the messages it skips (fetched in an older generation, read while flow is
    suspended) and those whose agent stopped mid-way: they must not count."""
    app, consumer = _consumer()
    consumer._committed_offset[P0] = 10
    _handled(app, consumer, [10, 11])
    _handled(app, consumer, [12], done=False)
    _handled(app, consumer, [13, 14])
    assert not consumer.unacked, "an unfinished message is released: wait_empty must not wait for it"
    assert _commit(consumer) == 12
    assert _commit(consumer) is None  # 12 is still missing: the commit stays at 12
    _handled(app, consumer, [12])  # read again and finished
    assert _commit(consumer) == 15


@pytest.mark.parametrize("cls, expected", [(FaustConsumer, 13), (NoGapConsumer, None)])
def test_a_run_starting_past_the_committed_offset_is_not_committed(cls, expected):
    """Faust's off-by-one: committed 10 (the next offset to read), 11 and 12 done, 10 not: Faust commits 13
    and 10 is never read again. The stock class's figure is asserted too, as the reason this exists."""
    app, consumer = _consumer(cls)
    consumer._committed_offset[P0] = 10
    _handled(app, consumer, [11, 12])
    assert _commit(consumer) == expected


def test_after_faust_drops_the_committed_offset_the_floor_still_holds():
    """At a rebalance Faust forgets the committed offsets before the agents finish and it commits; the
    consumer keeps its own floor, so a run not starting there is not committed."""
    app, consumer = _consumer()
    consumer._committed_offset[P0] = 10
    _handled(app, consumer, [10])
    assert _commit(consumer) == 11
    consumer._keep_floors()  # on_partitions_revoked: the floors are kept, then Faust drops the committed offsets
    consumer._committed_offset.pop(P0)
    _handled(app, consumer, [13])
    assert _commit(consumer) is None  # Faust: 14, past 11 and 12
    _handled(app, consumer, [11, 12])
    assert _commit(consumer) == 14


def test_nothing_is_committed_where_the_start_is_unknown():
    app, consumer = _consumer()
    _handled(app, consumer, [5, 6])
    assert _commit(consumer) is None
    consumer._floor[P0] = 5  # perform_seek: the earliest offset of a partition never committed
    assert _commit(consumer) == 7


def test_acks_below_the_committed_offset_are_dropped():
    app, consumer = _consumer()
    consumer._floor[P0] = 3
    _handled(app, consumer, [3, 4, 5])
    consumer._committed_offset[P0] = 5  # committed meanwhile (e.g. by the partition's previous owner)
    assert _commit(consumer) == 6
    assert consumer._acked[P0] == [] and not consumer._acked_index[P0]


class _Seeks(NoGapConsumer):
    """The real class with the broker's side of ``seek`` recorded instead of sent."""

    seeks: list[tuple[int, int]]

    async def _seek(self, partition: TP, offset: int) -> None:
        self.seeks.append((partition.partition, offset))


def _admitted(consumer, offsets) -> list[int]:
    consumer._sought = True  # what perform_seek sets at the end of a rebalance

    async def run():
        return [o for o in offsets if await consumer.admit(_message(o))]

    return asyncio.run(run())


def test_agents_take_each_partition_in_order_and_read_a_hole_again():
    """Faust hands an agent 10, 11, 15, 16 (12-14 dropped around a rebalance): the agent takes 10 and 11, seeks
    back to 12 once, skips 15 and 16 (they come again), then takes 12.. in order; what it already took is
    not taken again."""
    app, consumer = _consumer(_Seeks)
    consumer.seeks = []
    consumer._committed_offset[P0] = 10
    assert _admitted(consumer, [10, 11, 15, 16]) == [10, 11]
    assert consumer.seeks == [(0, 12)]
    assert _admitted(consumer, [12, 13, 14, 11, 15, 16]) == [12, 13, 14, 15, 16]
    assert consumer.seeks == [(0, 12)]


def test_the_first_message_of_an_assignment_must_be_the_committed_one():
    app, consumer = _consumer(_Seeks)
    consumer.seeks = []
    consumer._committed_offset[P0] = 40
    assert _admitted(consumer, [39, 89]) == []  # 39 is committed already; 89 is past a hole
    assert consumer.seeks == [(0, 40)]
    assert _admitted(consumer, [40, 41]) == [40, 41]


def test_a_hole_that_never_fills_is_given_up_after_a_while(monkeypatch):
    from workers.stream import consumer as module

    app, consumer = _consumer(_Seeks)
    consumer.seeks = []
    consumer._committed_offset[P0] = 0
    now = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    assert _admitted(consumer, [0, 2]) == [0]
    consumer._read_offset[P0] = 1  # the seek is in effect: not sought again at once
    now[0] += module.RESEEK_SECONDS
    assert _admitted(consumer, [2]) == []
    assert consumer.seeks == [(0, 1)]
    consumer._read_offset[P0] = 2  # the fetch loop moved past the hole (it would drop offset 1): seek again
    assert _admitted(consumer, [2]) == []
    assert consumer.seeks == [(0, 1), (0, 1)]
    consumer._read_offset[P0] = 1
    now[0] += module.SEEK_AGAIN_SECONDS
    assert _admitted(consumer, [2]) == []
    assert consumer.seeks == [(0, 1), (0, 1), (0, 1)]  # sought again anyway
    now[0] += module.GIVE_UP_SECONDS
    assert _admitted(consumer, [2, 3]) == [2, 3]
    _handled(app, consumer, [0, 2, 3])
    assert _commit(consumer) == 1  # the commit stays below the hole


def test_nothing_is_taken_before_the_seek_to_the_committed_offsets():
    """Faust resumes the flow before it seeks to the committed offsets: records fetched from where the
    previous assignment left off come first (seen: 796 while the partition's next offset was unknown)."""
    app, consumer = _consumer(_Seeks)
    consumer.seeks = []
    consumer._sought = False

    async def run():
        return await consumer.admit(_message(796))

    assert asyncio.run(run()) is False and consumer.seeks == []


def test_a_partition_refused_before_the_seek_is_read_again_from_its_committed_offset_after_it():
    """Records handed out between Faust's seek and the end of perform_seek are refused, and the drain loop's
    read offset moves past them, so their copies fetched after the seek would be dropped as "already read"
    (CI's graceful-stop test: both workers ready, nothing processed). The partition is sought again."""
    app, consumer = _consumer(_Seeks)
    consumer.seeks = []
    consumer.assignment = lambda: {P0}  # no broker: the assignment is given
    consumer._sought = False
    consumer._committed_offset[P0] = 44

    async def run() -> bool:
        refused = await consumer.admit(_message(57))
        consumer._read_offset[P0] = 58  # what the drain loop set when it handed 57 out
        consumer._sought = True  # perform_seek's end
        await consumer._seek_refused()
        return refused

    assert asyncio.run(run()) is False
    assert consumer.seeks == [(0, 44)] and consumer._read_offset[P0] == 44
    assert _admitted(consumer, [44, 45]) == [44, 45]
