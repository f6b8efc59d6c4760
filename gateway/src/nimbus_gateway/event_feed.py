"""Follow a Kafka topic from every gateway replica, to drop cached state when IAM changes it.

Every replica must see every event, so each reads with no consumer group from the latest
offset; whatever happened while it was not listening is covered by dropping everything on
(re)connect, and by the caches' TTLs while Kafka is away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from nimbus_core import events

log = logging.getLogger(__name__)


async def follow(
    bootstrap: str,
    topic: str,
    *,
    on_event: Callable[[bytes], None],
    on_connect: Callable[[], None],
    stop: asyncio.Event,
) -> None:
    """Call on_event for each message of topic until stop is set, reconnecting as needed."""
    while not stop.is_set():
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="latest",
            client_id=f"nimbus-gateway-{uuid.uuid4().hex[:8]}",
        )
        try:
            await consumer.start()
            on_connect()
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        on_event(record.value)
        except Exception as exc:  # Kafka away: keep serving from the TTL caches
            log.warning("event feed %s interrupted: %s", topic, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2.0)
        finally:
            await consumer.stop()


def invalidate_by_detail(
    payload: bytes, key: str, invalidate: Callable[[str | None], None]
) -> None:
    """Drop the cache entry an event's detail names under key (e.g. "queueArn"); drop them
    all when the event cannot be read or names none, since something changed."""
    try:
        detail = events.detail(events.decode(payload))
    except Exception:
        invalidate(None)
        return
    value = detail.get(key)
    invalidate(value if isinstance(value, str) else None)
