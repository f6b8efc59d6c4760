"""Dead-letter redrive inside receive: exactly at maxReceiveCount, same message."""

from __future__ import annotations

import asyncio

from nimbus_sqs.model import QueueCounts
from nimbus_sqs.store import MessageStore

from tests.integration.sqs_store.conftest import message, queue, redrive_to


async def test_standard_message_moves_after_max_receive_count(store: MessageStore) -> None:
    dlq = queue()
    source = queue(redrive=redrive_to(dlq, 2))
    [sent] = await store.send(
        source, [message("poison", attributes={"k": {"DataType": "String", "StringValue": "v"}})]
    )
    first = (await store.receive(source, 1, 0)).messages[0]
    second = (await store.receive(source, 1, 0)).messages[0]
    assert (first.receive_count, second.receive_count) == (1, 2)
    assert await store.counts(dlq) == QueueCounts(0, 0, 0)

    third = await store.receive(source, 10, 30)
    assert third.messages == []
    assert await store.counts(source) == QueueCounts(0, 0, 0)
    assert await store.counts(dlq) == QueueCounts(1, 0, 0)

    [dead] = (await store.receive(dlq, 10, 30)).messages
    assert dead.message_id == sent.message_id
    assert dead.body == "poison"
    assert dead.message_attributes == {"k": {"DataType": "String", "StringValue": "v"}}
    assert dead.dead_letter_source_arn == source.arn
    assert dead.sent_timestamp_ms == first.sent_timestamp_ms  # standard: kept
    assert dead.first_receive_timestamp_ms == first.first_receive_timestamp_ms
    assert dead.receive_count == 3  # AWS keeps counting across the move
    await store.delete(dlq, dead.receipt_handle)
    assert await store.counts(dlq) == QueueCounts(0, 0, 0)


async def test_other_messages_are_still_returned_in_the_same_receive(
    store: MessageStore,
) -> None:
    dlq = queue()
    source = queue(redrive=redrive_to(dlq, 1))
    await store.send(source, [message("poison")])
    await store.receive(source, 1, 0)
    await store.send(source, [message("fine")])
    got = await store.receive(source, 10, 30)
    assert [m.body for m in got.messages] == ["fine"]
    assert (await store.counts(dlq)).visible == 1


async def test_fifo_message_moves_with_new_enqueue_time_and_sequence(store: MessageStore) -> None:
    dlq = queue(fifo=True)
    source = queue(fifo=True, redrive=redrive_to(dlq, 1))
    sent, _ = await store.send(source, [message("m0", group="g"), message("m1", group="g")])
    first = await store.receive(source, 1, 1)
    assert [m.body for m in first.messages] == ["m0"]
    await asyncio.sleep(1.1)
    # m0 has had its one receive: it goes to the DLQ and m1 is delivered in its place.
    assert [m.body for m in (await store.receive(source, 10, 30)).messages] == ["m1"]
    [dead] = (await store.receive(dlq, 10, 30)).messages
    assert dead.message_id == sent.message_id
    assert dead.message_group_id == "g"
    assert dead.dead_letter_source_arn == source.arn
    assert dead.sequence_number == f"{1:020d}"  # the DLQ's own sequence
    assert dead.sent_timestamp_ms > first.messages[0].sent_timestamp_ms  # FIFO: reset
