"""BucketConfigChanged events: how gateways learn to drop a bucket's cached access config.

Written in the same transaction as the change (outbox), keyed by the bucket name so that
one bucket's changes stay in order on one partition.
"""

from __future__ import annotations

import asyncpg
from nimbus_core.events import new_event
from nimbus_core.outbox import add_event

from nimbus_s3.buckets import Bucket

TOPIC = "s3.bucket-events.v1"
SOURCE = "nimbus.s3"
DETAIL_TYPE = "BucketConfigChanged"


async def bucket_changed(
    conn: asyncpg.Connection[asyncpg.Record], bucket: Bucket, change: str
) -> None:
    """Announce that bucket's access-relevant state changed ("policy", "acl", "deleted", ...)."""
    event = new_event(
        source=SOURCE,
        detail_type=DETAIL_TYPE,
        account=bucket.account_id,
        region=bucket.region,
        detail={"bucket": bucket.name, "change": change},
        resources=[f"arn:aws:s3:::{bucket.name}"],
    )
    await add_event(conn, TOPIC, event, key=bucket.name)
