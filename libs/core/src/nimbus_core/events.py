"""Building, encoding and decoding the EventBridge-shaped event envelope."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from nimbus.events.v1 import events_pb2

Event = events_pb2.Event


def new_event(
    *,
    source: str,
    detail_type: str,
    account: str,
    region: str,
    detail: Mapping[str, Any],
    resources: Iterable[str] = (),
    event_id: str | None = None,
    time: datetime | None = None,
) -> Event:
    """A new envelope with a fresh id and the current time."""
    timestamp = Timestamp()
    timestamp.FromDatetime(time or datetime.now(UTC))
    return Event(
        id=event_id or str(uuid.uuid4()),
        version="0",
        source=source,
        detail_type=detail_type,
        account=account,
        region=region,
        time=timestamp,
        resources=list(resources),
        detail_json=json.dumps(detail, separators=(",", ":")).encode(),
    )


def encode(event: Event) -> bytes:
    return event.SerializeToString()


def decode(payload: bytes) -> Event:
    return Event.FromString(payload)


def detail(event: Event) -> dict[str, Any]:
    """The event's detail as a dict."""
    value: dict[str, Any] = json.loads(event.detail_json or b"{}")
    return value


def to_eventbridge_json(event: Event) -> dict[str, Any]:
    """The event as EventBridge shows it to targets."""
    return {
        "version": event.version,
        "id": event.id,
        "detail-type": event.detail_type,
        "source": event.source,
        "account": event.account,
        "time": event.time.ToDatetime(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": event.region,
        "resources": list(event.resources),
        "detail": detail(event),
    }
