"""Idempotent Kafka consumption: each event has its effect once, however often it arrives.

The handler runs inside a PostgreSQL transaction that also records the event id in
nimbus_processed_events; a redelivered event finds its id there and is skipped. Offsets are
committed only after processing, so a crash means redelivery, never loss. A handler that
keeps failing is retried with backoff, then its event is parked on "<topic>.dlq".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from nimbus_core import telemetry
from nimbus_core.events import Event, decode

log = logging.getLogger(__name__)

Handler = Callable[[Event, asyncpg.Connection], Awaitable[None]]


class IdempotentConsumer:
    """Feeds events from a consumer group to a handler, once per event id."""

    def __init__(
        self,
        *,
        name: str,
        consumer: AIOKafkaConsumer,
        pool: asyncpg.Pool,
        handler: Handler,
        dead_letters: AIOKafkaProducer | None = None,
        max_attempts: int = 5,
        base_backoff: float = 0.1,
    ) -> None:
        self.name = name
        self._consumer = consumer
        self._pool = pool
        self._handler = handler
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff

    async def process(self, event: Event) -> bool:
        """Apply the handler once for this event id; False if it was already processed."""
        async with self._pool.acquire() as conn, conn.transaction():
            first_time = await conn.fetchval(
                "INSERT INTO nimbus_processed_events (consumer, event_id) VALUES ($1, $2)"
                " ON CONFLICT DO NOTHING RETURNING true",
                self.name,
                event.id,
            )
            if not first_time:
                return False
            await self._handler(event, conn)
            return True

    async def _process_with_retries(self, record: ConsumerRecord) -> None:
        event = decode(record.value)
        headers = {key: value.decode() for key, value in record.headers or ()}
        with telemetry.consumer_span(f"{record.topic} process", headers, self.name):
            for attempt in range(1, self._max_attempts + 1):
                try:
                    await self.process(event)
                    return
                except Exception:
                    log.exception(
                        "handler failed",
                        extra={"consumer": self.name, "event_id": event.id, "attempt": attempt},
                    )
                    if attempt < self._max_attempts:
                        await asyncio.sleep(self._base_backoff * 2 ** (attempt - 1))
        await self._park(record)

    async def _park(self, record: ConsumerRecord) -> None:
        if self._dead_letters is None:
            raise RuntimeError(f"{self.name}: event failed {self._max_attempts} times")
        await self._dead_letters.send_and_wait(
            f"{record.topic}.dlq",
            value=record.value,
            key=record.key,
            headers=list(record.headers or ()),
        )
        log.error("event parked on dead-letter topic", extra={"consumer": self.name})

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until stop is set; commit each batch's offsets after processing it."""
        while not stop.is_set():
            batches = await self._consumer.getmany(timeout_ms=500, max_records=200)
            for records in batches.values():
                for record in records:
                    await self._process_with_retries(record)
            if batches:
                await self._consumer.commit()
