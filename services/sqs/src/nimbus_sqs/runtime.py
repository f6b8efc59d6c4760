"""What the sqs handlers share in one replica: settings, pools and the message store.

Built once per process from the runtime's Resources (build_operations and every background
loop call build_runtime). Nothing here holds state that matters: PostgreSQL holds queues,
Redis holds messages, and any replica can serve any request.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from nimbus_core.runtime import Resources
from redis.asyncio import Redis

from nimbus_sqs.settings import SqsSettings
from nimbus_sqs.store import MessageStore
from nimbus_sqs.waker import Waker


@dataclass
class SqsRuntime:
    settings: SqsSettings
    pool: asyncpg.Pool
    redis: Redis
    store: MessageStore
    waker: Waker
    resources: Resources


def sqs_settings(resources: Resources) -> SqsSettings:
    """The sqs settings, even when the runtime was handed plain CoreSettings."""
    settings = resources.settings
    if isinstance(settings, SqsSettings):
        return settings
    return SqsSettings(**settings.model_dump())


def key_prefix(settings: SqsSettings) -> str:
    """Redis key namespace: the database prefix keeps several clouds on one Redis apart."""
    return f"{settings.db_prefix}sqs:"


def build_runtime(resources: Resources) -> SqsRuntime:
    settings = sqs_settings(resources)
    redis = Redis.from_url(settings.redis_url, decode_responses=False)
    prefix = key_prefix(settings)
    return SqsRuntime(
        settings=settings,
        pool=resources.pool,
        redis=redis,
        store=MessageStore(redis, prefix),
        waker=Waker(redis, prefix),
        resources=resources,
    )
