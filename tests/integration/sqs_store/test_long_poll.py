"""Long polling: woken through Redis pub/sub by a send on another connection."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from nimbus_sqs.model import ReceiveResult
from nimbus_sqs.store import MessageStore
from nimbus_sqs.waker import Waker
from redis.asyncio import Redis

from tests.conftest import REDIS
from tests.integration.sqs_store.conftest import message, queue


@pytest.fixture
async def waker(redis: Redis, prefix: str) -> AsyncIterator[Waker]:
    waker = Waker(redis, prefix)
    yield waker
    await waker.close()


@pytest.fixture
async def other_replica(prefix: str) -> AsyncIterator[MessageStore]:
    """A second client with its own connections, as another replica would have."""
    client = Redis.from_url(REDIS, decode_responses=False)
    yield MessageStore(client, prefix)
    await client.aclose()


async def test_wakes_within_100ms_of_a_send_elsewhere(
    store: MessageStore, waker: Waker, other_replica: MessageStore
) -> None:
    q = queue()
    attempts = 0

    async def attempt() -> ReceiveResult:
        nonlocal attempts
        attempts += 1
        return await store.receive(q, 10, 30)

    poll = asyncio.create_task(waker.long_poll(q.queue_id, 10, attempt))
    await asyncio.sleep(0.5)  # the poll is asleep by now
    assert not poll.done()
    asleep_attempts = attempts
    started = time.monotonic()
    await other_replica.send(q, [message("wake up")])
    result = await poll
    elapsed = time.monotonic() - started
    assert [m.body for m in result.messages] == ["wake up"]
    assert elapsed < 0.1, f"woke after {elapsed * 1000:.0f} ms"
    assert attempts == asleep_attempts + 1  # no polling while asleep


async def test_times_out_empty_without_busy_polling(store: MessageStore, waker: Waker) -> None:
    q = queue()
    attempts = 0

    async def attempt() -> ReceiveResult:
        nonlocal attempts
        attempts += 1
        return await store.receive(q, 10, 30)

    result = await waker.long_poll(q.queue_id, 0.5, attempt)
    assert result.messages == []
    assert attempts <= 3


async def test_wakes_when_a_delayed_message_becomes_visible(
    store: MessageStore, waker: Waker
) -> None:
    q = queue()
    await store.send(q, [message("delayed", delay=1)])
    result = await waker.long_poll(q.queue_id, 5, lambda: store.receive(q, 10, 30))
    assert [m.body for m in result.messages] == ["delayed"]


async def test_sends_do_not_publish_without_waiters(
    store: MessageStore, redis: Redis, other_replica: MessageStore
) -> None:
    q = queue()
    pubsub = redis.pubsub()
    await pubsub.subscribe(store.wake_channel)
    try:
        await pubsub.get_message(timeout=1.0)  # the subscribe confirmation
        await other_replica.send(q, [message("nobody waits")])
        assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.3) is None
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def test_many_pollers_on_one_queue_each_wake(
    store: MessageStore, waker: Waker, other_replica: MessageStore
) -> None:
    q = queue()
    polls = [
        asyncio.create_task(waker.long_poll(q.queue_id, 5, lambda: store.receive(q, 1, 30)))
        for _ in range(3)
    ]
    await asyncio.sleep(0.3)
    await other_replica.send(q, [message(str(i)) for i in range(3)])
    results = await asyncio.gather(*polls)
    assert sorted(m.body for r in results for m in r.messages) == ["0", "1", "2"]


async def test_resubscribes_after_its_connection_is_killed(
    store: MessageStore, redis: Redis, prefix: str, other_replica: MessageStore
) -> None:
    name = f"waker-{uuid.uuid4().hex[:12]}"
    client = Redis.from_url(REDIS, decode_responses=False, client_name=name)
    waker = Waker(client, prefix)
    q = queue()
    try:
        poll = asyncio.create_task(
            waker.long_poll(q.queue_id, 10, lambda: store.receive(q, 10, 30))
        )
        await asyncio.sleep(0.3)
        # Kill only this waker's subscription (the Redis is shared with other tests).
        clients = await redis.client_list(_type="pubsub")
        ids = [c["id"] for c in clients if c.get("name") == name]
        assert len(ids) == 1
        await redis.client_kill_filter(_id=ids[0])
        await asyncio.sleep(0.5)
        assert not poll.done()
        await other_replica.send(q, [message("after reconnect")])
        # Woken by the send, long before the poll's own 10 s deadline would end it.
        result = await asyncio.wait_for(poll, 5)
        assert [m.body for m in result.messages] == ["after reconnect"]
    finally:
        await waker.close()
        await client.aclose()
