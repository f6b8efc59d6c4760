"""FIFO queues over the real Redis: order, group locks, dedup, attempt ids, handles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from nimbus_core.errors import AwsError
from nimbus_sqs.model import QueueCounts, ReceiveResult
from nimbus_sqs.store import MessageStore, ReceiptHandleExpired
from redis.asyncio import Redis

from tests.integration.sqs_store.conftest import message, queue


@pytest.fixture
async def short_windows(redis: Redis, prefix: str) -> AsyncIterator[MessageStore]:
    """A store whose dedup and attempt-id windows last 1 s instead of AWS's 5 minutes."""
    store = MessageStore(redis, prefix, dedup_window_seconds=1, attempt_window_seconds=1)
    yield store
    await store.reset()


def bodies(result: ReceiveResult) -> list[str]:
    return [m.body for m in result.messages]


async def test_order_within_groups_and_sequence_numbers(store: MessageStore) -> None:
    q = queue(fifo=True)
    sent = await store.send(
        q,
        [message("a1", group="a"), message("b1", group="b"), message("a2", group="a")],
    )
    seqs = [s.sequence_number or "" for s in sent]
    assert seqs == sorted(seqs)
    assert all(len(s) == 20 and s.isdigit() for s in seqs)
    sent += await store.send(q, [message("a3", group="a")])
    assert (sent[3].sequence_number or "") > seqs[-1]

    got = await store.receive(q, 10, 30)
    assert bodies(got) == ["a1", "a2", "a3", "b1"]
    by_body = {m.body: m for m in got.messages}
    assert by_body["a2"].sequence_number == sent[2].sequence_number
    assert by_body["a2"].message_group_id == "a"
    assert by_body["a2"].deduplication_id == "a2"


async def test_group_is_locked_while_any_message_is_in_flight(store: MessageStore) -> None:
    q = queue(fifo=True)
    await store.send(q, [message(f"a{i}", group="a") for i in range(1, 4)])
    await store.send(q, [message("b1", group="b"), message("b2", group="b")])

    first = await store.receive(q, 2, 30)
    assert bodies(first) == ["a1", "a2"]
    assert bodies(await store.receive(q, 10, 30)) == ["b1", "b2"]
    assert bodies(await store.receive(q, 10, 30)) == []  # a3 waits behind a1, a2

    await store.delete(q, first.messages[0].receipt_handle)
    assert bodies(await store.receive(q, 10, 30)) == []  # a2 still in flight
    await store.change_visibility(q, first.messages[1].receipt_handle, 0)
    # a2 is visible again and comes back first, before a3.
    assert bodies(await store.receive(q, 10, 30)) == ["a2", "a3"]


async def test_expired_visibility_returns_the_group_in_order(store: MessageStore) -> None:
    q = queue(fifo=True)
    await store.send(q, [message(f"m{i}", group="g") for i in range(4)])
    assert bodies(await store.receive(q, 2, 1)) == ["m0", "m1"]
    assert bodies(await store.receive(q, 10, 1)) == []
    await asyncio.sleep(1.1)
    again = await store.receive(q, 10, 30)
    assert bodies(again) == ["m0", "m1", "m2", "m3"]
    assert [m.receive_count for m in again.messages] == [2, 2, 1, 1]


async def test_one_message_extended_keeps_the_group_locked(store: MessageStore) -> None:
    q = queue(fifo=True)
    await store.send(q, [message(f"m{i}", group="g") for i in range(3)])
    got = await store.receive(q, 2, 1)
    await store.change_visibility(q, got.messages[1].receipt_handle, 30)
    await asyncio.sleep(1.1)
    # m0's visibility ended but m1 is still in flight: nothing of the group is returned.
    assert bodies(await store.receive(q, 10, 30)) == []
    assert await store.counts(q) == QueueCounts(visible=2, not_visible=1, delayed=0)


async def test_deduplication_window(short_windows: MessageStore) -> None:
    store = short_windows
    q = queue(fifo=True)
    [original] = await store.send(q, [message("x", group="g", dedup="d")])
    [duplicate] = await store.send(q, [message("other body", group="g", dedup="d")])
    assert duplicate == original
    assert await store.counts(q) == QueueCounts(1, 0, 0)
    # Still deduplicated after the original is deleted, within the window.
    await store.delete(q, (await store.receive(q, 1, 30)).messages[0].receipt_handle)
    assert (await store.send(q, [message("y", group="g", dedup="d")]))[0] == original
    await asyncio.sleep(1.1)
    [fresh] = await store.send(q, [message("z", group="g", dedup="d")])
    assert fresh.message_id != original.message_id
    assert fresh.sequence_number is not None and original.sequence_number is not None
    assert fresh.sequence_number > original.sequence_number
    assert bodies(await store.receive(q, 10, 30)) == ["z"]


async def test_duplicates_inside_one_batch(store: MessageStore) -> None:
    q = queue(fifo=True)
    results = await store.send(q, [message("x", group="g", dedup="d")] * 3)
    assert len({r.message_id for r in results}) == 1
    assert await store.counts(q) == QueueCounts(1, 0, 0)


async def test_deduplication_scope_per_group(store: MessageStore) -> None:
    per_queue = queue(fifo=True)
    per_group = queue(fifo=True, DeduplicationScope="messageGroup")
    for q, expected in ((per_queue, 1), (per_group, 2)):
        await store.send(q, [message("1", group="g1", dedup="same")])
        await store.send(q, [message("2", group="g2", dedup="same")])
        assert (await store.counts(q)).visible == expected


async def test_receive_attempt_id_replays_the_same_receive(short_windows: MessageStore) -> None:
    store = short_windows
    q = queue(fifo=True)
    await store.send(q, [message(f"m{i}", group="g") for i in range(3)])
    await store.send(q, [message("other", group="h")])
    first = await store.receive(q, 2, 30, attempt_id="attempt-1")
    retry = await store.receive(q, 2, 30, attempt_id="attempt-1")
    assert [m.receipt_handle for m in retry.messages] == [m.receipt_handle for m in first.messages]
    assert bodies(retry) == ["m0", "m1"]
    assert [m.receive_count for m in retry.messages] == [1, 1]
    # A different attempt id is a new receive.
    assert bodies(await store.receive(q, 2, 30, attempt_id="attempt-2")) == ["other"]
    # Once a message was touched, the attempt id no longer replays.
    await store.delete(q, first.messages[0].receipt_handle)
    assert bodies(await store.receive(q, 2, 30, attempt_id="attempt-1")) == []


async def test_receive_attempt_id_expires(short_windows: MessageStore) -> None:
    store = short_windows
    q = queue(fifo=True)
    await store.send(q, [message("m0", group="g")])
    first = await store.receive(q, 1, 30, attempt_id="a")
    await asyncio.sleep(1.1)
    assert bodies(await store.receive(q, 1, 30, attempt_id="a")) == []
    await store.delete(q, first.messages[0].receipt_handle)


async def test_stale_fifo_handles_are_expired(store: MessageStore) -> None:
    q = queue(fifo=True)
    await store.send(q, [message("m", group="g")])
    old = (await store.receive(q, 1, 1)).messages[0].receipt_handle
    await asyncio.sleep(1.1)
    # The visibility timeout passed: the handle's receive is over.
    for call in (store.delete(q, old), store.change_visibility(q, old, 10)):
        with pytest.raises(ReceiptHandleExpired) as caught:
            await call
        assert caught.value.code == "InvalidParameterValue"
        assert caught.value.message == (
            f"Value {old} for parameter ReceiptHandle is invalid. "
            "Reason: The receipt handle has expired."
        )
    new = (await store.receive(q, 1, 30)).messages[0].receipt_handle
    with pytest.raises(AwsError):
        await store.delete(q, old)  # received again: the old handle stays expired
    await store.change_visibility(q, new, 60)
    await store.delete(q, new)
    assert await store.counts(q) == QueueCounts(0, 0, 0)


async def test_delete_unlocks_the_group(store: MessageStore) -> None:
    q = queue(fifo=True)
    await store.send(q, [message("m0", group="g"), message("m1", group="g")])
    [m0] = (await store.receive(q, 1, 30)).messages
    await store.delete(q, m0.receipt_handle)
    assert bodies(await store.receive(q, 10, 30)) == ["m1"]


async def test_fifo_purge_with_many_groups(store: MessageStore) -> None:
    q = queue(fifo=True)
    for start in range(0, 1500, 10):
        await store.send(q, [message(f"m{i}", group=f"g{i}") for i in range(start, start + 10)])
    locked = (await store.receive(q, 10, 30)).messages
    await store.purge(q)
    assert await store.counts(q) == QueueCounts(0, 0, 0)
    assert bodies(await store.receive(q, 10, 30)) == []
    await store.delete(q, locked[0].receipt_handle)
    [after] = await store.send(q, [message("after", group="g0")])
    assert after.sequence_number == f"{1501:020d}"  # the sequence continues
    assert bodies(await store.receive(q, 10, 30)) == ["after"]


async def test_fifo_retention(store: MessageStore) -> None:
    q = queue(fifo=True, MessageRetentionPeriod="1")
    await store.send(q, [message("old0", group="g"), message("old1", group="g")])
    await asyncio.sleep(1.1)
    await store.send(q, [message("new", group="g")])
    assert bodies(await store.receive(q, 10, 30)) == ["new"]
