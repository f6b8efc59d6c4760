"""Message-store fixtures: the real Redis, a key prefix of this test's own, removed after."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nimbus_sqs.model import NewMessage, QueueRecord, Redrive
from nimbus_sqs.store import MessageStore
from redis.asyncio import Redis

from tests.conftest import REDIS

ACCOUNT = "000000000000"
REGION = "us-east-1"


@pytest.fixture
async def redis(infrastructure: None) -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS, decode_responses=False)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test{uuid.uuid4().hex[:10]}:sqs:"


@pytest.fixture
async def store(redis: Redis, prefix: str) -> AsyncIterator[MessageStore]:
    store = MessageStore(redis, prefix)
    yield store
    await store.reset()


def queue(
    *,
    fifo: bool = False,
    redrive: Redrive | None = None,
    name: str | None = None,
    **attributes: str,
) -> QueueRecord:
    """A queue as queues.py would load it, with AWS's defaults unless overridden."""
    values = {
        "VisibilityTimeout": "30",
        "DelaySeconds": "0",
        "MessageRetentionPeriod": "345600",
        "MaximumMessageSize": "1048576",
        "ReceiveMessageWaitTimeSeconds": "0",
    }
    if fifo:
        values |= {"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    values |= attributes
    queue_id = str(uuid.uuid4())
    name = name or f"q-{queue_id[:8]}" + (".fifo" if fifo else "")
    return QueueRecord(queue_id, ACCOUNT, REGION, name, fifo, values, {}, 0.0, 0.0, redrive)


def redrive_to(dlq: QueueRecord, max_receive_count: int) -> Redrive:
    return Redrive(dlq.queue_id, dlq.arn, dlq.fifo, max_receive_count)


def message(
    body: str,
    *,
    group: str | None = None,
    dedup: str | None = None,
    delay: int = 0,
    attributes: dict[str, dict[str, Any]] | None = None,
) -> NewMessage:
    return NewMessage(
        body=body,
        message_attributes=attributes or {},
        system_attributes={},
        md5_of_body=f"md5-{body}",
        md5_of_message_attributes="md5-attrs" if attributes else None,
        md5_of_system_attributes=None,
        delay_seconds=delay,
        sender_id="AIDATEST",
        message_group_id=group,
        deduplication_id=dedup if dedup is not None else (body if group else None),
    )
