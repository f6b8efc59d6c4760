"""Outbox relay throughput: events per second to Kafka by batch size, side by side in one run.

Needs the local infrastructure (make infra-up). Prints each batch size's rate and its ratio
to batch size 1, so the figure to quote is the ratio, not the absolute rate of this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import asyncpg
from nimbus_core import db, kafka
from nimbus_core.events import new_event
from nimbus_core.migrations import apply_migrations, load_migrations
from nimbus_core.outbox import add_event
from nimbus_core.relay import OutboxRelay
from nimbus_core.settings import dsn_for

SERVER = "postgresql://nimbus:nimbus@127.0.0.1:5432"
KAFKA = "127.0.0.1:9092"


async def fill(pool: asyncpg.Pool, topic: str, count: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for n in range(count):
            event = new_event(
                source="bench",
                detail_type="N",
                account="000000000000",
                region="us-east-1",
                detail={"n": n},
                resources=[f"r{n % 16}"],
            )
            await add_event(conn, topic, event)


async def measure(pool: asyncpg.Pool, batch_size: int, count: int) -> float:
    topic = f"bench.{uuid.uuid4().hex[:8]}.v1"
    await kafka.ensure_topics(KAFKA, [topic])
    await fill(pool, topic, count)
    producer = kafka.make_producer(KAFKA, "bench-relay")
    await producer.start()
    try:
        started = time.perf_counter()
        moved = await OutboxRelay(pool, producer, batch_size=batch_size).drain()
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    assert moved == count
    return count / elapsed


async def main(count: int, batch_sizes: list[int]) -> None:
    database = f"bench_{uuid.uuid4().hex[:8]}"
    await db.ensure_database(SERVER, database)
    pool = await db.create_pool(dsn_for(SERVER, database))
    try:
        async with pool.acquire() as conn:
            await apply_migrations(conn, "core", load_migrations("nimbus_core.schema"))
        rates = {size: await measure(pool, size, count) for size in batch_sizes}
    finally:
        await db.close_pool(pool)
        admin = await asyncpg.connect(dsn_for(SERVER, "postgres"))
        await admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        await admin.close()
    base = rates[batch_sizes[0]]
    print(f"outbox relay, {count} events each run")
    print(f"{'batch':>6} {'events/s':>10} {'vs batch ' + str(batch_sizes[0]):>12}")
    for size, rate in rates.items():
        print(f"{size:>6} {rate:>10.0f} {rate / base:>11.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch-sizes", default="1,10,100,500")
    options = parser.parse_args()
    asyncio.run(main(options.count, [int(s) for s in options.batch_sizes.split(",")]))
