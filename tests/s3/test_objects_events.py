"""Every object create and delete reaches Kafka as an EventBridge-shaped S3 event."""

from __future__ import annotations

import asyncio
from typing import Any

from nimbus_core.events import Event, detail
from nimbus_s3.events import OBJECT_TOPIC

from tests.integration.kafka_helpers import read_events


def test_object_events(s3: Any, bucket: str, kafka_bootstrap: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="ev", Body=b"12345")
    s3.copy_object(Bucket=bucket, Key="ev2", CopySource={"Bucket": bucket, "Key": "ev"})
    s3.delete_object(Bucket=bucket, Key="ev")

    def mine(events: list[Event]) -> list[Event]:
        return [e for e in events if detail(e).get("bucket", {}).get("name") == bucket]

    events = mine(
        asyncio.run(
            read_events(kafka_bootstrap, OBJECT_TOPIC, until=lambda seen: len(mine(seen)) >= 3)
        )
    )
    kinds = [(e.detail_type, detail(e)["object"]["key"], detail(e)["reason"]) for e in events]
    # One key's events keep their order (same Kafka key); keys may interleave.
    assert [k for k in kinds if k[1] == "ev"] == [
        ("Object Created", "ev", "PutObject"),
        ("Object Deleted", "ev", "DeleteObject"),
    ]
    assert [k for k in kinds if k[1] == "ev2"] == [("Object Created", "ev2", "CopyObject")]
    first = next(e for e in events if detail(e)["object"]["key"] == "ev")
    created = detail(first)
    assert first.source == "aws.s3"
    assert list(first.resources) == [f"arn:aws:s3:::{bucket}"]
    assert created["object"]["size"] == 5
    assert created["object"]["etag"] == put["ETag"].strip('"')
    assert created["requester"] == "000000000000"
    deleted = next(e for e in events if e.detail_type == "Object Deleted")
    assert detail(deleted)["deletion-type"] == "Permanently Deleted"
