"""The lifecycle reconciler: applies every bucket's lifecycle rules in the background.

Every s3_lifecycle_interval_seconds each replica walks the buckets that have a lifecycle
configuration. A bucket is worked on by one replica at a time (a session advisory lock it
tries, not waits for); the work is idempotent, so whichever replica gets there does it.
Every deletion goes through versions.delete_key, inside its own short transaction, with
the key re-checked under the key's lock, so a write racing the reconciler always wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.runtime import Resources

from nimbus_s3.buckets import Bucket, get_bucket
from nimbus_s3.configs import get_config
from nimbus_s3.events import SERVICE_PRINCIPAL
from nimbus_s3.lifecycle_actions import LifecycleActions
from nimbus_s3.lifecycle_rules import enabled_rules
from nimbus_s3.settings import S3Settings

log = logging.getLogger(__name__)

# Completed uploads are remembered this long for retried CompleteMultipartUpload calls.
COMPLETED_UPLOAD_MEMORY = timedelta(days=1)


def _settings(resources: Resources) -> S3Settings:
    settings = resources.settings
    if isinstance(settings, S3Settings):
        return settings
    return S3Settings(**settings.model_dump())


def lifecycle_context(bucket: Bucket) -> RequestContext:
    """Who the reconciler acts as: S3 itself, on behalf of the bucket owner."""
    return RequestContext(
        request_id=uuid.uuid4().hex.upper()[:16],
        account_id=bucket.account_id,
        region=bucket.region,
        principal_arn=SERVICE_PRINCIPAL,
        source_ip="",
    )


async def reconcile_bucket(pool: asyncpg.Pool, name: str, scale: float, now: datetime) -> bool:
    """Apply one bucket's rules once; False when another replica holds it right now."""
    async with pool.acquire() as conn:
        lock_name = f"s3-lifecycle/{name}"
        got = await conn.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 7))", lock_name)
        if not got:
            return False
        try:
            bucket = await get_bucket(conn, name)
            config = await get_config(conn, name, "lifecycle")
            if bucket is None or not config:
                return True
            rules = enabled_rules(config)
            actions = LifecycleActions(conn, bucket, lifecycle_context(bucket), scale, now)
            for rule in rules:
                try:
                    await actions.apply(rule)
                except AwsError as exc:  # e.g. a bucket deleted meanwhile
                    log.info("lifecycle rule skipped", extra={"bucket": name, "error": exc.code})
            await conn.execute(
                "INSERT INTO s3_lifecycle_runs (bucket, last_run) SELECT $1, $2"
                " WHERE EXISTS (SELECT 1 FROM s3_buckets WHERE name = $1)"
                " ON CONFLICT (bucket) DO UPDATE SET last_run = EXCLUDED.last_run",
                name,
                now,
            )
            return True
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 7))", lock_name)


async def reconcile_once(pool: asyncpg.Pool, scale: float) -> None:
    """One pass over every bucket with a lifecycle configuration."""
    now = datetime.now(UTC)
    names = [
        r["bucket"]
        for r in await pool.fetch(
            "SELECT bucket FROM s3_bucket_configs WHERE kind = 'lifecycle' ORDER BY bucket"
        )
    ]
    for name in names:
        try:
            await reconcile_bucket(pool, name, scale, now)
        except asyncio.CancelledError:
            raise
        except Exception:  # one bucket's trouble must not stop the others
            log.exception("lifecycle pass failed", extra={"bucket": name})
    await pool.execute(
        "DELETE FROM s3_completed_uploads WHERE completed_at < $1", now - COMPLETED_UPLOAD_MEMORY
    )


async def reconcile_forever(resources: Resources) -> None:
    """Apply every bucket's lifecycle rules, every s3_lifecycle_interval_seconds."""
    settings = _settings(resources)
    interval = max(0.05, settings.s3_lifecycle_interval_seconds)
    while not resources.stop.is_set():
        try:
            await reconcile_once(resources.pool, settings.s3_lifecycle_clock_scale)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must outlive any one bad pass
            log.exception("lifecycle pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(resources.stop.wait(), timeout=interval)
