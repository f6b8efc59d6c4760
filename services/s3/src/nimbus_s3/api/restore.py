"""RestoreObject: temporary readable copies of archived (GLACIER, DEEP_ARCHIVE) objects.

Nimbus has no tape to wait for, so a restore completes at once: the version gets S3's
`x-amz-restore: ongoing-request="false", expiry-date="..."` (stored as its Restore header),
GETs work until the expiry, and "Object Restore Initiated" then "Object Restore Completed"
go to the outbox in the same transaction. The first request answers 202 Accepted, a repeat
while the copy is still there 200 OK (it only moves the expiry), as S3 does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import OperationTable
from nimbus_core.runtime import Resources

from nimbus_s3.buckets import require_bucket
from nimbus_s3.errors import malformed_xml
from nimbus_s3.events import object_event
from nimbus_s3.object_reads import ARCHIVED, restore_expiry
from nimbus_s3.settings import S3Settings
from nimbus_s3.versions import get_version, lock_key

# Restores last a whole number of days, counted to the next midnight UTC, 1..30000 days.
MAX_RESTORE_DAYS = 30000
TIERS = frozenset({"Standard", "Bulk", "Expedited"})


def restore_header(expiry: datetime) -> str:
    return f'ongoing-request="false", expiry-date="{format_datetime(expiry, usegmt=True)}"'


def expiry_after(days: int, now: datetime) -> datetime:
    """S3 rounds a restore's end up to the midnight UTC after now + days."""
    end = now + timedelta(days=days)
    return datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)


def _days(request: dict[str, Any]) -> int:
    if request.get("Type") == "SELECT":
        raise AwsError(
            "InvalidArgument", "Restore with SELECT is not supported by this endpoint.", 400
        )
    tier = (request.get("GlacierJobParameters") or {}).get("Tier") or request.get("Tier")
    if tier is not None and tier not in TIERS:
        raise malformed_xml()
    days = request.get("Days")
    if not isinstance(days, int):
        raise malformed_xml()
    if not 1 <= days <= MAX_RESTORE_DAYS:
        raise AwsError(
            "InvalidArgument",
            f"Restore days must be between 1 and {MAX_RESTORE_DAYS}",
            400,
            extra={"ArgumentName": "Days", "ArgumentValue": str(days)},
        )
    return days


class RestoreApi:
    def __init__(self, resources: Resources) -> None:
        self._pool = resources.pool

    async def restore_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        days = _days(params.get("RestoreRequest") or {})
        async with self._pool.acquire() as conn, conn.transaction():
            bucket = await require_bucket(conn, params["Bucket"])
            key = params["Key"]
            await lock_key(conn, bucket.name, key)
            version = await get_version(conn, bucket, key, params.get("VersionId"), method="POST")
            if version.storage_class not in ARCHIVED:
                raise AwsError(
                    "InvalidObjectState",
                    "Restore is not allowed for the object's current storage class",
                    403,
                    extra={"StorageClass": version.storage_class},
                )
            now = datetime.now(UTC)
            already = restore_expiry(version) is not None
            header = restore_header(expiry_after(days, now))
            await conn.execute(
                "UPDATE s3_objects SET headers = headers || jsonb_build_object('Restore', $4::text)"
                " WHERE bucket = $1 AND key = $2 AND version_id = $3",
                bucket.name,
                key,
                version.version_id,
                header,
            )
            if not already:
                tier = (params["RestoreRequest"].get("GlacierJobParameters") or {}).get(
                    "Tier", "Standard"
                )
                await object_event(conn, "Object Restore Initiated", bucket, version, ctx)
                await object_event(
                    conn,
                    "Object Restore Completed",
                    bucket,
                    version,
                    ctx,
                    restore_expiry_time=expiry_after(days, now).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    source_storage_class=version.storage_class,
                    source_tier=tier,
                )
        # 202 for a new restore, 200 for an existing copy: the gateway's status convention.
        return {} if already else {"__status": 202}  # see the gateway's protocol/statuses.py


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    return OperationTable(unary={"RestoreObject": RestoreApi(resources).restore_object})
