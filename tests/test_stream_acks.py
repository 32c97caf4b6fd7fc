"""Acks in order after confirmation (workers/stream/publish.py): an agent hands a message's records to the
producer and goes on with the next message; each message is acked only once all its records are
confirmed, strictly in the order the messages came, and nothing more is acked after a failed delivery."""

from __future__ import annotations

import asyncio

import pytest

from workers.stream.publish import InOrderAcks, Publisher, PublishFailed, Record


def test_acks_follow_the_arrival_order_not_the_confirmation_order():
    async def run() -> list[str]:
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        acks = InOrderAcks(lambda event, _done: acked.append(event), window=10)
        futures = [loop.create_future() for _ in range(4)]
        for name, fut in zip("abcd", futures, strict=True):
            acks.add(name, fut)
        futures[1].set_result(None)  # b confirmed before a
        futures[3].set_result(None)
        await asyncio.sleep(0)
        assert acked == []  # a is still in flight: nothing may be acked past it
        futures[0].set_result(None)
        await asyncio.sleep(0)
        assert acked == ["a", "b"]
        futures[2].set_result(None)
        await asyncio.sleep(0)
        await acks.drain()
        return acked

    assert asyncio.run(run()) == ["a", "b", "c", "d"]


def test_nothing_is_acked_after_a_failed_delivery():
    async def run() -> tuple[list[str], InOrderAcks]:
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        acks = InOrderAcks(lambda event, _done: acked.append(event), window=10)
        futures = [loop.create_future() for _ in range(3)]
        for name, fut in zip("abc", futures, strict=True):
            acks.add(name, fut)
        futures[2].set_result(None)
        futures[1].set_exception(PublishFailed("b"))
        futures[0].set_result(None)
        await asyncio.sleep(0)
        with pytest.raises(PublishFailed):
            await acks.drain()
        return acked, acks

    acked, acks = asyncio.run(run())
    assert acked == ["a"] and isinstance(acks.failed, PublishFailed)


def test_the_window_bounds_the_messages_in_flight():
    async def run() -> list[str]:
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        acks = InOrderAcks(lambda event, _done: acked.append(event), window=2)
        first, second = loop.create_future(), loop.create_future()
        acks.add("a", first)
        acks.add("b", second)
        waiting = asyncio.ensure_future(acks.wait_room())
        await asyncio.sleep(0.01)
        assert not waiting.done()  # two in flight: the agent takes no third message
        first.set_result(None)
        await asyncio.wait_for(waiting, 1)
        assert len(acks) == 1
        second.set_result(None)
        await acks.drain()
        return acked

    assert asyncio.run(run()) == ["a", "b"]


def test_records_of_the_next_message_are_handed_over_before_the_first_is_confirmed():
    """The round trip is not paid per message: submit returns once the records are with the producer."""
    async def run() -> tuple[list[bytes], list[str]]:
        loop = asyncio.get_running_loop()
        handed: list[bytes] = []
        confirmations: list[asyncio.Future] = []

        async def send(output, key, value, partition=None):
            handed.append(value)
            confirmations.append(loop.create_future())
            return confirmations[-1]

        publisher = Publisher(send, attempts=1)
        acked: list[str] = []
        acks = InOrderAcks(lambda event, _done: acked.append(event), window=8)
        for i in range(3):
            acks.add(f"m{i}", await publisher.submit([Record("article", None, b"%d" % i)]))
        assert handed == [b"0", b"1", b"2"]
        await asyncio.sleep(0.01)
        assert acked == []  # all handed over, none confirmed yet
        for fut in reversed(confirmations):
            fut.set_result(None)
        await acks.drain()
        return handed, acked

    handed, acked = asyncio.run(run())
    assert handed == [b"0", b"1", b"2"] and acked == ["m0", "m1", "m2"]


def test_a_failed_record_is_sent_again_and_then_confirmed():
    async def run() -> list[bytes]:
        sent: list[bytes] = []

        async def send(output, key, value, partition=None):
            sent.append(value)
            fut = asyncio.get_running_loop().create_future()
            if len(sent) == 1:
                fut.set_exception(RuntimeError("broker said no"))
            else:
                fut.set_result(0)
            return fut

        publisher = Publisher(send, attempts=3, backoff_seconds=0.001)
        await (await publisher.submit([Record("article", b"k", b"v", 2)]))
        return sent

    assert asyncio.run(run()) == [b"v", b"v"]


def test_a_skipped_event_is_released_in_its_turn_and_never_counted_as_done():
    async def run() -> list[tuple[str, bool]]:
        loop = asyncio.get_running_loop()
        acked: list[tuple[str, bool]] = []
        acks = InOrderAcks(lambda event, done: acked.append((event, done)), window=10)
        first = loop.create_future()
        acks.add("a", first)
        acks.skip("b")  # not admitted (consumer.admit): released only after a, and not as processed
        assert acked == []
        first.set_result(None)
        await asyncio.sleep(0)
        await acks.drain()
        return acked

    assert asyncio.run(run()) == [("a", True), ("b", False)]
