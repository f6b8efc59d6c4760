"""Object events as S3 sends them to EventBridge, written to the outbox in the change's
own transaction (so an event exists exactly when its change committed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.events import new_event
from nimbus_core.outbox import add_event

from nimbus_s3.buckets import Bucket

if TYPE_CHECKING:
    from nimbus_s3.versions import StoredVersion

OBJECT_TOPIC = "s3.object-events.v1"
SERVICE_PRINCIPAL = "s3.amazonaws.com"
DETAIL_TYPES = (
    "Object Created",
    "Object Deleted",
    "Object Restore Initiated",
    "Object Restore Completed",
    "Object Tags Added",
    "Object Tags Deleted",
)


def sequencer(seq: int) -> str:
    """S3's sequencer: a hex string that orders the events of one key."""
    return f"{seq:016X}"


async def object_event(
    conn: asyncpg.Connection,
    kind: str,
    bucket: Bucket,
    version: StoredVersion,
    ctx: RequestContext,
    **detail: Any,
) -> None:
    """One EventBridge-shaped event about one version of an object.

    Extra detail fields are given with underscores (reason="PutObject",
    deletion_type="Delete Marker Created") and written with hyphens, as AWS names them.
    """
    if kind not in DETAIL_TYPES:
        raise ValueError(f"unknown S3 object event {kind!r}")
    obj: dict[str, Any] = {"key": version.key}
    if kind == "Object Created":
        obj["size"] = version.size
        obj["etag"] = version.etag.strip('"')
    if version.version_id != "null":
        obj["version-id"] = version.version_id
    obj["sequencer"] = sequencer(version.seq)
    body: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": obj,
        "request-id": ctx.request_id,
        # S3's own work (lifecycle) names the service, as AWS does; callers name their account.
        "requester": SERVICE_PRINCIPAL
        if ctx.principal_arn == SERVICE_PRINCIPAL
        else ctx.account_id,
        "source-ip-address": ctx.source_ip,
    }
    body.update({name.replace("_", "-"): value for name, value in detail.items()})
    event = new_event(
        source="aws.s3",
        detail_type=kind,
        account=bucket.account_id,
        region=bucket.region,
        detail=body,
        resources=[f"arn:aws:s3:::{bucket.name}"],
    )
    await add_event(conn, OBJECT_TOPIC, event, key=f"{bucket.name}/{version.key}")
