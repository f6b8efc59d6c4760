"""Kafka clients configured the one way Nimbus uses them."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


def make_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica and never writes a duplicate on retry."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15000,
    )


def make_consumer(
    bootstrap: str, group_id: str, topics: list[str], client_id: str
) -> AIOKafkaConsumer:
    """A group consumer that commits offsets itself, after processing."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )


async def start_with_retry(client: AIOKafkaProducer | AIOKafkaConsumer, timeout: float) -> None:
    """Start a client, retrying while the broker is unreachable (it may still be starting)."""
    deadline = asyncio.get_running_loop().time() + timeout
    delay = 0.2
    while True:
        try:
            await client.start()
            return
        except KafkaConnectionError:
            if asyncio.get_running_loop().time() + delay > deadline:
                raise
            log.warning("Kafka not reachable yet, retrying")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def ensure_topics(bootstrap: str, topics: list[str], partitions: int = 3) -> None:
    """Create topics that do not exist yet (single-node replication)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            # Another process may create the same topic between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
    finally:
        await admin.close()
