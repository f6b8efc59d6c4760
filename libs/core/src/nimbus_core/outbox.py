"""The outbox writer: record an event inside the caller's own transaction.

The event reaches Kafka only if the transaction commits, and always does if it commits:
the relay (nimbus_core.relay) publishes whatever rows it finds.
"""

from __future__ import annotations

import json

import asyncpg

from nimbus_core import telemetry
from nimbus_core.events import Event, encode

NOTIFY_CHANNEL = "nimbus_outbox"


async def add_event(
    conn: asyncpg.Connection, topic: str, event: Event, *, key: str | None = None
) -> None:
    """Write event for topic; call it inside the transaction that makes the change.

    The Kafka key (default: the event's first resource) keeps one resource's events in
    order on one partition. The current trace context rides along in the headers.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("outbox events must be written inside the change's transaction")
    if key is None and event.resources:
        key = event.resources[0]
    await conn.execute(
        "INSERT INTO nimbus_outbox (event_id, topic, key, payload, headers)"
        " VALUES ($1, $2, $3, $4, $5::jsonb)",
        event.id,
        topic,
        key.encode() if key is not None else None,
        encode(event),
        json.dumps(telemetry.current_trace_headers()),
    )
    # Delivered at commit only; wakes the relays at once instead of at their next poll.
    await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
