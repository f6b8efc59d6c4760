"""Standard queues over the real Redis: visibility, counts, delay, retention, handles."""

from __future__ import annotations

import asyncio

import pytest
from nimbus_core.errors import AwsError
from nimbus_sqs import receipts
from nimbus_sqs.model import QueueCounts
from nimbus_sqs.store import MessageStore
from redis.asyncio import Redis

from tests.integration.sqs_store.conftest import message, queue


async def test_received_message_is_invisible_then_redelivered(store: MessageStore) -> None:
    q = queue()
    [sent] = await store.send(q, [message("hello", attributes={"a": {"DataType": "String"}})])
    first = await store.receive(q, 10, 1)
    assert [m.message_id for m in first.messages] == [sent.message_id]
    got = first.messages[0]
    assert got.body == "hello"
    assert got.md5_of_body == "md5-hello"
    assert got.message_attributes == {"a": {"DataType": "String"}}
    assert got.receive_count == 1
    assert got.sender_id == "AIDATEST"
    assert got.sequence_number is None
    assert got.first_receive_timestamp_ms >= got.sent_timestamp_ms > 0

    hidden = await store.receive(q, 10, 1)
    assert hidden.messages == []
    assert hidden.next_visible_ms is not None
    assert hidden.next_visible_ms >= got.first_receive_timestamp_ms + 1000

    await asyncio.sleep(1.1)
    again = await store.receive(q, 10, 30)
    [redelivered] = again.messages
    assert redelivered.message_id == sent.message_id
    assert redelivered.receive_count == 2
    assert redelivered.first_receive_timestamp_ms == got.first_receive_timestamp_ms
    assert redelivered.sent_timestamp_ms == got.sent_timestamp_ms
    assert redelivered.receipt_handle != got.receipt_handle


async def test_counts_visible_in_flight_and_delayed(store: MessageStore) -> None:
    q = queue()
    await store.send(q, [message("a"), message("b"), message("c", delay=30)])
    assert await store.counts(q) == QueueCounts(visible=2, not_visible=0, delayed=1)
    received = await store.receive(q, 1, 30)
    assert await store.counts(q) == QueueCounts(visible=1, not_visible=1, delayed=1)
    await store.delete(q, received.messages[0].receipt_handle)
    assert await store.counts(q) == QueueCounts(visible=1, not_visible=0, delayed=1)


async def test_visibility_zero_keeps_message_visible(store: MessageStore) -> None:
    q = queue()
    await store.send(q, [message("a"), message("b")])
    first = await store.receive(q, 10, 0)
    assert sorted(m.body for m in first.messages) == ["a", "b"]
    assert await store.counts(q) == QueueCounts(visible=2, not_visible=0, delayed=0)
    second = await store.receive(q, 10, 0)
    assert [m.receive_count for m in second.messages] == [2, 2]


async def test_delayed_message_appears_after_its_delay(store: MessageStore) -> None:
    q = queue()
    await store.send(q, [message("later", delay=1)])
    early = await store.receive(q, 10, 30)
    assert early.messages == []
    assert early.next_visible_ms is not None
    await asyncio.sleep(1.1)
    assert [m.body for m in (await store.receive(q, 10, 30)).messages] == ["later"]


async def test_send_order_is_kept_for_simultaneous_sends(store: MessageStore) -> None:
    q = queue()
    bodies = [str(i) for i in range(10)]
    await store.send(q, [message(b) for b in bodies])
    assert [m.body for m in (await store.receive(q, 10, 30)).messages] == bodies


async def test_retention_expiry(store: MessageStore) -> None:
    q = queue(MessageRetentionPeriod="1")
    await store.send(q, [message(str(i)) for i in range(5)])
    await asyncio.sleep(1.1)
    assert await store.expire(q) == 5
    assert await store.counts(q) == QueueCounts(0, 0, 0)
    assert await store.expire(q) == 0


async def test_expired_messages_are_never_returned(store: MessageStore) -> None:
    q = queue(MessageRetentionPeriod="1")
    await store.send(q, [message("old")])
    received = await store.receive(q, 10, 0)
    assert len(received.messages) == 1
    await asyncio.sleep(1.1)
    assert (await store.receive(q, 10, 30)).messages == []
    assert await store.counts(q) == QueueCounts(0, 0, 0)


async def test_malformed_and_foreign_receipt_handles(store: MessageStore) -> None:
    q, other = queue(), queue()
    await store.send(other, [message("x")])
    [foreign] = (await store.receive(other, 1, 30)).messages
    for bad in ("garbage", "", "AAAA", foreign.receipt_handle):
        with pytest.raises(AwsError) as caught:
            await store.delete(q, bad)
        assert caught.value.code == "ReceiptHandleIsInvalid"
        assert caught.value.http_status == 404
        assert caught.value.message == (
            f'The input receipt handle "{bad}" is not a valid receipt handle.'
        )
        with pytest.raises(AwsError) as caught:
            await store.change_visibility(q, bad, 10)
        assert caught.value.code == "ReceiptHandleIsInvalid"


async def test_delete_twice_and_with_an_older_handle(store: MessageStore) -> None:
    q = queue()
    await store.send(q, [message("a")])
    old = (await store.receive(q, 1, 1)).messages[0].receipt_handle
    await asyncio.sleep(1.1)
    new = (await store.receive(q, 1, 30)).messages[0].receipt_handle
    assert receipts.decode(old) is not None
    await store.delete(q, old)  # standard: an older handle still deletes
    assert await store.counts(q) == QueueCounts(0, 0, 0)
    await store.delete(q, new)  # already deleted: accepted, as AWS does
    await store.delete(q, old)


async def test_change_visibility(store: MessageStore) -> None:
    q = queue()
    await store.send(q, [message("a")])
    handle = (await store.receive(q, 1, 30)).messages[0].receipt_handle
    await store.change_visibility(q, handle, 0)
    assert await store.counts(q) == QueueCounts(1, 0, 0)
    with pytest.raises(AwsError) as caught:
        await store.change_visibility(q, handle, 10)
    assert caught.value.code == "MessageNotInflight"

    handle = (await store.receive(q, 1, 30)).messages[0].receipt_handle
    await store.change_visibility(q, handle, 1)
    await asyncio.sleep(1.1)
    assert len((await store.receive(q, 1, 30)).messages) == 1

    await store.delete(q, handle)
    with pytest.raises(AwsError) as caught:
        await store.change_visibility(q, handle, 10)
    assert caught.value.code == "InvalidParameterValue"
    assert caught.value.message == (
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: "
        "Message does not exist or is not available for visibility timeout change."
    )


async def test_twelve_hour_cap_counts_from_the_current_receive(store: MessageStore) -> None:
    q = queue()
    await store.send(q, [message("a")])
    handle = (await store.receive(q, 1, 30)).messages[0].receipt_handle
    await store.change_visibility(q, handle, 43200)
    await asyncio.sleep(1.1)
    with pytest.raises(AwsError) as caught:
        await store.change_visibility(q, handle, 43200)
    assert caught.value.code == "InvalidParameterValue"
    assert caught.value.message == (
        "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
        "VisibilityTimeout for the message is beyond the limit [43200 seconds]"
    )
    await store.change_visibility(q, handle, 43199)


async def test_purge_removes_everything_in_steps(store: MessageStore) -> None:
    q = queue()
    for start in range(0, 2500, 10):
        await store.send(q, [message(str(i)) for i in range(start, start + 10)])
    in_flight = (await store.receive(q, 10, 30)).messages
    await store.purge(q)
    assert await store.counts(q) == QueueCounts(0, 0, 0)
    assert (await store.receive(q, 10, 30)).messages == []
    await store.delete(q, in_flight[0].receipt_handle)  # a purged message's handle: fine
    await store.send(q, [message("after")])
    assert [m.body for m in (await store.receive(q, 10, 30)).messages] == ["after"]


async def _keys(redis: Redis, pattern: str) -> list[bytes]:
    return [key async for key in redis.scan_iter(match=pattern, count=1000)]


async def test_drop_and_reset_remove_keys(store: MessageStore, redis: Redis) -> None:
    q, kept = queue(), queue()
    await store.send(q, [message("a")])
    await store.send(kept, [message("b")])
    await store.drop(q.queue_id)
    assert await _keys(redis, f"{store.prefix}{q.queue_id}:*") == []
    assert await store.counts(kept) == QueueCounts(1, 0, 0)
    registered, _ = await store.registered_queues()
    assert set(registered) == {kept.queue_id}
    await store.reset()
    assert await _keys(redis, f"{store.prefix}*") == []
