"""The outbox reaches Kafka exactly when its transaction commits, and survives relay crashes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import asyncpg
import pytest
from nimbus_core import kafka
from nimbus_core.events import Event, new_event
from nimbus_core.outbox import add_event
from nimbus_core.relay import OutboxRelay

from tests.integration.kafka_helpers import read_events

pytestmark = pytest.mark.infra


def make_event(n: int, resource: str = "arn:aws:s3:::bucket") -> Event:
    return new_event(
        source="test.outbox",
        detail_type="Numbered",
        account="000000000000",
        region="us-east-1",
        detail={"n": n},
        resources=[resource],
    )


async def outbox_size(pool: asyncpg.Pool) -> int:
    size: int = await pool.fetchval("SELECT count(*) FROM nimbus_outbox")
    return size


async def test_committed_events_reach_kafka_and_rolled_back_ones_never_do(
    core_pool: asyncpg.Pool, kafka_bootstrap: str, unique_topic: str
) -> None:
    committed_before, rolled_back, committed_after = make_event(1), make_event(2), make_event(3)
    async with core_pool.acquire() as conn:
        async with conn.transaction():
            await add_event(conn, unique_topic, committed_before)
        with pytest.raises(RuntimeError, match="abandon"):
            async with conn.transaction():
                await add_event(conn, unique_topic, rolled_back)
                raise RuntimeError("abandon the change")
        async with conn.transaction():
            await add_event(conn, unique_topic, committed_after)

    producer = kafka.make_producer(kafka_bootstrap, "test-relay")
    await producer.start()
    try:
        moved = await OutboxRelay(core_pool, producer).drain()
    finally:
        await producer.stop()
    assert moved == 2
    assert await outbox_size(core_pool) == 0

    # One resource key means one partition, so the later event arriving proves the earlier
    # rolled-back one had its chance to arrive and did not.
    events = await read_events(
        kafka_bootstrap, unique_topic, until=lambda seen: committed_after.id in {e.id for e in seen}
    )
    assert [e.id for e in events] == [committed_before.id, committed_after.id]
    assert events[0].detail_json == b'{"n":1}'


async def test_writing_outside_a_transaction_is_refused(core_pool: asyncpg.Pool) -> None:
    async with core_pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside the change's transaction"):
            await add_event(conn, "t", make_event(0))


async def test_relay_killed_midway_loses_nothing(
    core_pool: asyncpg.Pool, fresh_database: str, kafka_bootstrap: str, unique_topic: str
) -> None:
    total = 1000
    events = [make_event(n, resource=f"r{n % 7}") for n in range(total)]
    async with core_pool.acquire() as conn, conn.transaction():
        for event in events:
            await add_event(conn, unique_topic, event)
    await kafka.ensure_topics(kafka_bootstrap, [unique_topic])

    def start_relay() -> asyncio.Future[asyncio.subprocess.Process]:
        return asyncio.ensure_future(
            asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "nimbus_core.relay",
                "--dsn",
                fresh_database,
                "--kafka",
                kafka_bootstrap,
                "--batch-size",
                "5",
                "--poll-seconds",
                "0.2",
                stderr=asyncio.subprocess.DEVNULL,
            )
        )

    relay = await start_relay()
    remaining = total
    while remaining > total * 0.6:  # wait until the relay is well under way
        await asyncio.sleep(0.01)
        remaining = await outbox_size(core_pool)
    os.kill(relay.pid, signal.SIGKILL)
    await relay.wait()
    remaining_at_kill = await outbox_size(core_pool)
    assert 0 < remaining_at_kill < total, "the kill must land in the middle of the stream"

    relay = await start_relay()
    try:
        for _ in range(600):
            if await outbox_size(core_pool) == 0:
                break
            await asyncio.sleep(0.1)
        assert await outbox_size(core_pool) == 0
    finally:
        relay.send_signal(signal.SIGTERM)
        await relay.wait()

    wanted = {e.id for e in events}
    received = await read_events(
        kafka_bootstrap, unique_topic, until=lambda seen: wanted <= {e.id for e in seen}, timeout=60
    )
    received_ids = [e.id for e in received]
    assert wanted <= set(received_ids), f"lost {len(wanted - set(received_ids))} events"
    duplicates = len(received_ids) - len(set(received_ids))
    print(
        f"\nrelay kill -9 at {total - remaining_at_kill}/{total} published: "
        f"all {total} arrived, {duplicates} duplicates"
    )


async def test_concurrent_relays_share_the_work_without_losing_any(
    core_pool: asyncpg.Pool, kafka_bootstrap: str, unique_topic: str
) -> None:
    events = [make_event(n, resource=f"r{n}") for n in range(300)]
    async with core_pool.acquire() as conn, conn.transaction():
        for event in events:
            await add_event(conn, unique_topic, event)
    producer = kafka.make_producer(kafka_bootstrap, "test-relays")
    await producer.start()
    try:
        relays = [OutboxRelay(core_pool, producer, batch_size=7) for _ in range(3)]
        moved = await asyncio.gather(*(r.drain() for r in relays))
    finally:
        await producer.stop()
    # SKIP LOCKED hands each row to exactly one relay.
    assert sum(moved) == len(events)
    wanted = {e.id for e in events}
    received = await read_events(
        kafka_bootstrap, unique_topic, until=lambda seen: len(seen) >= len(events)
    )
    assert sorted(e.id for e in received) == sorted(wanted)
