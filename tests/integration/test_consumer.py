"""An idempotent consumer has each event's effect once, despite redelivery and failures."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from nimbus_core import kafka
from nimbus_core.consumer import IdempotentConsumer
from nimbus_core.events import Event, encode, new_event

from tests.integration.kafka_helpers import read_events

pytestmark = pytest.mark.infra


async def publish(bootstrap: str, topic: str, events: list[Event]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(topic, encode(event), key=b"k")
    finally:
        await producer.stop()


async def consume_until(
    consumer: IdempotentConsumer, pool: asyncpg.Pool, count: int, timeout: float = 30
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if await pool.fetchval("SELECT count(*) FROM nimbus_processed_events") >= count:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # give any stray second application time to show
    finally:
        stop.set()
        await task


def numbered(n: int) -> Event:
    return new_event(
        source="test.consumer",
        detail_type="Numbered",
        account="000000000000",
        region="us-east-1",
        detail={"n": n},
    )


async def test_each_event_is_processed_once_despite_redelivery(
    core_pool: asyncpg.Pool, kafka_bootstrap: str, unique_topic: str
) -> None:
    await core_pool.execute("CREATE TABLE effects (event_id text, n int)")
    events = [numbered(n) for n in range(50)]
    await publish(kafka_bootstrap, unique_topic, events + events[:20] + events[10:30])

    async def apply(event: Event, conn: asyncpg.Connection) -> None:
        await conn.execute("INSERT INTO effects VALUES ($1, $2)", event.id, len(event.detail_json))

    group = f"g-{uuid.uuid4().hex[:8]}"
    source = kafka.make_consumer(kafka_bootstrap, group, [unique_topic], "test")
    await source.start()
    try:
        consumer = IdempotentConsumer(
            name="effects", consumer=source, pool=core_pool, handler=apply
        )
        await consume_until(consumer, core_pool, len(events))
    finally:
        await source.stop()

    rows = await core_pool.fetch("SELECT event_id, count(*) AS n FROM effects GROUP BY 1")
    assert len(rows) == len(events)
    assert all(r["n"] == 1 for r in rows)

    # A second run of the same group starts after the committed offsets: nothing re-applied.
    source = kafka.make_consumer(kafka_bootstrap, group, [unique_topic], "test")
    await source.start()
    try:
        assert await source.getmany(timeout_ms=1000) == {}
    finally:
        await source.stop()


async def test_a_failing_handler_is_retried_and_its_effect_kept_once(
    core_pool: asyncpg.Pool, kafka_bootstrap: str, unique_topic: str
) -> None:
    await core_pool.execute("CREATE TABLE effects (event_id text)")
    event = numbered(1)
    await publish(kafka_bootstrap, unique_topic, [event])
    attempts = 0

    async def flaky(event: Event, conn: asyncpg.Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.execute("INSERT INTO effects VALUES ($1)", event.id)
        if attempts < 3:
            raise ConnectionError("downstream not ready")

    source = kafka.make_consumer(kafka_bootstrap, f"g-{uuid.uuid4().hex[:8]}", [unique_topic], "t")
    await source.start()
    try:
        consumer = IdempotentConsumer(
            name="flaky", consumer=source, pool=core_pool, handler=flaky, base_backoff=0.01
        )
        await consume_until(consumer, core_pool, 1)
    finally:
        await source.stop()
    assert attempts == 3
    # The failed attempts rolled back their writes together with the processed-id record.
    assert await core_pool.fetchval("SELECT count(*) FROM effects") == 1


async def test_an_event_that_always_fails_is_parked_on_the_dead_letter_topic(
    core_pool: asyncpg.Pool, kafka_bootstrap: str, unique_topic: str
) -> None:
    poison, good = numbered(1), numbered(2)
    await publish(kafka_bootstrap, unique_topic, [poison, good])
    await kafka.ensure_topics(kafka_bootstrap, [f"{unique_topic}.dlq"])

    async def reject_poison(event: Event, conn: asyncpg.Connection) -> None:
        if event.id == poison.id:
            raise ValueError("cannot process")

    source = kafka.make_consumer(kafka_bootstrap, f"g-{uuid.uuid4().hex[:8]}", [unique_topic], "t")
    dead_letters = kafka.make_producer(kafka_bootstrap, "t-dlq")
    await source.start()
    await dead_letters.start()
    try:
        consumer = IdempotentConsumer(
            name="dlq",
            consumer=source,
            pool=core_pool,
            handler=reject_poison,
            dead_letters=dead_letters,
            max_attempts=2,
            base_backoff=0.01,
        )
        await consume_until(consumer, core_pool, 1)
    finally:
        await source.stop()
        await dead_letters.stop()

    parked = await read_events(
        kafka_bootstrap, f"{unique_topic}.dlq", until=lambda seen: len(seen) >= 1
    )
    assert [e.id for e in parked] == [poison.id]
    processed = await core_pool.fetch("SELECT event_id FROM nimbus_processed_events")
    assert [r["event_id"] for r in processed] == [good.id]
