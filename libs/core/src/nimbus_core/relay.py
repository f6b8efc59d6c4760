"""The outbox relay: publishes outbox rows to Kafka, at least once, safe with N relays.

Each pass locks a batch with FOR UPDATE SKIP LOCKED, so concurrent relays take disjoint
batches; rows are deleted only after Kafka acknowledged every message of the batch, in the
same transaction that locked them. A relay killed between the acknowledgement and the
commit leaves the rows for the next pass: duplicates are possible, loss is not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from nimbus_core import db, kafka
from nimbus_core.logs import configure_logging
from nimbus_core.outbox import NOTIFY_CHANNEL
from nimbus_core.signals import install_stop_signals

log = logging.getLogger(__name__)

_LOCK_BATCH = """
SELECT id, topic, key, payload, headers FROM nimbus_outbox
ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""


class OutboxRelay:
    """Moves outbox rows of one database to Kafka until stopped."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 100,
        poll_seconds: float = 1.0,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wakeup = asyncio.Event()

    async def publish_batch(self) -> int:
        """Publish one batch; return how many rows it moved."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_LOCK_BATCH, self._batch_size)
            if not rows:
                return 0
            sends = [
                await self._producer.send(
                    row["topic"],
                    value=bytes(row["payload"]),
                    key=bytes(row["key"]) if row["key"] is not None else None,
                    headers=[(k, v.encode()) for k, v in json.loads(row["headers"]).items()],
                )
                for row in rows
            ]
            await asyncio.gather(*sends)
            await conn.execute(
                "DELETE FROM nimbus_outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
            )
            return len(rows)

    async def drain(self) -> int:
        """Publish until the outbox is empty; return how many rows moved."""
        total = 0
        while moved := await self.publish_batch():
            total += moved
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Drain on every NOTIFY, and at least every poll_seconds, until stop is set."""
        listener = await self._pool.acquire()
        await listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
        try:
            while not stop.is_set():
                try:
                    await self.drain()
                except Exception as exc:  # a broken pass must not end the relay
                    log.warning("outbox relay pass failed: %s", exc)
                    await asyncio.sleep(self._poll_seconds)
                self._wakeup.clear()
                waiters = [
                    asyncio.create_task(self._wakeup.wait()),
                    asyncio.create_task(stop.wait()),
                ]
                await asyncio.wait(
                    waiters, timeout=self._poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                for waiter in waiters:
                    waiter.cancel()
        finally:
            await listener.remove_listener(NOTIFY_CHANNEL, self._on_notify)
            await self._pool.release(listener)

    def _on_notify(self, *_: object) -> None:
        self._wakeup.set()


async def _main(options: argparse.Namespace) -> None:
    configure_logging("INFO", component="outbox-relay")
    pool = await db.create_pool(options.dsn, max_size=3)
    producer = kafka.make_producer(options.kafka, "nimbus-outbox-relay")
    await kafka.start_with_retry(producer, timeout=60)
    stop = asyncio.Event()
    install_stop_signals(stop)
    try:
        await OutboxRelay(
            pool, producer, batch_size=options.batch_size, poll_seconds=options.poll_seconds
        ).run(stop)
    finally:
        await producer.stop()
        await pool.close()


def main() -> None:
    """Run a relay on its own, for one database (the services run one in-process)."""
    parser = argparse.ArgumentParser(description="Publish a database's outbox to Kafka.")
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--poll-seconds", type=float, default=1.0)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
