"""Reading back what reached Kafka, for assertions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from nimbus_core.events import Event, decode


async def read_events(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[Event]], bool],
    timeout: float = 30.0,
) -> list[Event]:
    """Every event on topic from the beginning, read until `until` holds or timeout passes."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    events: list[Event] = []
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while asyncio.get_running_loop().time() < deadline and not until(events):
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                events.extend(decode(r.value) for r in records)
    finally:
        await consumer.stop()
    return events
