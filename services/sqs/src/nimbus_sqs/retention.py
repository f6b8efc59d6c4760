"""Retention: every replica sweeps messages older than their queue's retention period,
and drops the Redis keys of queues PostgreSQL no longer has (a DeleteQueue that crashed
between its commit and store.drop). Each step is one atomic Lua call, so replicas racing
each other only repeat work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence

import asyncpg
from nimbus_core.runtime import Resources
from redis.asyncio import Redis

from nimbus_sqs.model import QueueRecord
from nimbus_sqs.runtime import key_prefix, sqs_settings
from nimbus_sqs.store import MessageStore

log = logging.getLogger(__name__)

# Keys of an unknown queue id are dropped only once first seen this long ago: the queue
# list is read after the registry, and a queue is in PostgreSQL before its first send.
ORPHAN_AGE_MS = 60_000


def _store(resources: Resources) -> tuple[MessageStore, Redis]:
    settings = sqs_settings(resources)
    redis = Redis.from_url(settings.redis_url, decode_responses=False)
    return MessageStore(redis, key_prefix(settings)), redis


async def reconcile_once(store: MessageStore, pool: asyncpg.Pool) -> tuple[int, int]:
    """One pass over every queue PostgreSQL knows: (messages expired, queues dropped)."""
    from nimbus_sqs import queues  # lazily: queues.py imports more than this loop needs

    registered, now_ms = await store.registered_queues()  # before the queue list: see above
    return await sweep(store, await queues.all_queues(pool), registered, now_ms)


async def sweep(
    store: MessageStore,
    records: Sequence[QueueRecord],
    registered: Mapping[str, int],
    now_ms: int,
) -> tuple[int, int]:
    """Expire every listed queue's old messages; drop registered queue ids that are not
    listed and were first seen more than ORPHAN_AGE_MS before `now_ms`."""
    expired = 0
    for queue in records:
        expired += await store.expire(queue)
    live = {queue.queue_id for queue in records}
    orphans = [
        queue_id
        for queue_id, first_seen in registered.items()
        if queue_id not in live and first_seen < now_ms - ORPHAN_AGE_MS
    ]
    for queue_id in orphans:
        await store.drop(queue_id)
    return expired, len(orphans)


async def reconcile_forever(resources: Resources) -> None:
    """reconcile_once every sqs_retention_interval_seconds until the replica stops."""
    interval = sqs_settings(resources).sqs_retention_interval_seconds
    store, redis = _store(resources)
    try:
        while not resources.stop.is_set():
            try:
                expired, dropped = await reconcile_once(store, resources.pool)
                if expired or dropped:
                    log.info("retention expired %d messages, dropped %d queues", expired, dropped)
            except Exception:
                log.exception("retention pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(resources.stop.wait(), interval)
    finally:
        await redis.aclose()


async def reset(resources: Resources) -> None:
    """Admin.Reset: drop every message key of this cloud."""
    store, redis = _store(resources)
    try:
        await store.reset()
    finally:
        await redis.aclose()
