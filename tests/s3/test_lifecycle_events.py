"""Objects the lifecycle reconciler expires reach Kafka as S3's own deletions."""

from __future__ import annotations

import asyncio
from typing import Any

from nimbus_core.events import Event, detail
from nimbus_s3.events import OBJECT_TOPIC

from tests.integration.kafka_helpers import read_events


def test_a_lifecycle_expiry_is_an_object_deleted_event_by_s3(
    s3: Any, bucket: str, kafka_bootstrap: str
) -> None:
    s3.put_object(Bucket=bucket, Key="tmp/old", Body=b"x")
    # The test cloud's lifecycle clock runs a day per second: this expires within seconds.
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "tmp",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "tmp/"},
                    "Expiration": {"Days": 1},
                }
            ]
        },
    )

    def expired(events: list[Event]) -> list[Event]:
        return [
            e
            for e in events
            if e.detail_type == "Object Deleted" and detail(e)["bucket"]["name"] == bucket
        ]

    events = expired(
        asyncio.run(
            read_events(kafka_bootstrap, OBJECT_TOPIC, until=lambda seen: bool(expired(seen)))
        )
    )
    deleted = detail(events[0])
    assert deleted["object"]["key"] == "tmp/old"
    assert deleted["reason"] == "Lifecycle Expiration"
    assert deleted["requester"] == "s3.amazonaws.com"
