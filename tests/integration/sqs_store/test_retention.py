"""The retention reconciler's pass: expiry per queue and orphaned queue keys."""

from __future__ import annotations

import asyncio

from nimbus_sqs import retention
from nimbus_sqs.model import QueueCounts
from nimbus_sqs.store import MessageStore
from redis.asyncio import Redis

from tests.integration.sqs_store.conftest import message, queue


async def test_sweep_expires_and_drops_only_old_orphans(store: MessageStore, redis: Redis) -> None:
    short = queue(MessageRetentionPeriod="1")
    kept = queue()
    deleted_long_ago = queue()
    deleted_just_now = queue()
    for q in (short, kept, deleted_long_ago, deleted_just_now):
        await store.send(q, [message("m")])
    # deleted_long_ago was first seen two minutes ago.
    await redis.zadd(store.registry_key, {deleted_long_ago.queue_id: 1}, xx=True)
    await asyncio.sleep(1.1)

    registered, now_ms = await store.registered_queues()
    expired, dropped = await retention.sweep(store, [short, kept], registered, now_ms)

    assert (expired, dropped) == (1, 1)
    assert await store.counts(short) == QueueCounts(0, 0, 0)
    assert await store.counts(kept) == QueueCounts(1, 0, 0)
    assert await store.counts(deleted_long_ago) == QueueCounts(0, 0, 0)
    # Too young to be called an orphan: its queue may be newer than the queue list.
    assert await store.counts(deleted_just_now) == QueueCounts(1, 0, 0)
    registered, _ = await store.registered_queues()
    assert deleted_long_ago.queue_id not in registered


async def test_two_sweeps_at_once_are_safe(store: MessageStore) -> None:
    q = queue(MessageRetentionPeriod="1")
    for start in range(0, 300, 10):
        await store.send(q, [message(str(i)) for i in range(start, start + 10)])
    await asyncio.sleep(1.1)
    registered, now_ms = await store.registered_queues()
    results = await asyncio.gather(
        *(retention.sweep(store, [q], registered, now_ms) for _ in range(3))
    )
    assert sum(expired for expired, _ in results) == 300
    assert await store.counts(q) == QueueCounts(0, 0, 0)
