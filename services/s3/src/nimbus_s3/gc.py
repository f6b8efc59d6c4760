"""The blob collector: removes the bytes of overwritten and deleted objects and of
abandoned uploads.

Two passes, so a download already streaming a blob can finish: a blob no version or part
references is first marked (orphaned_at), and deleted on a later pass only if it is still
unreferenced a grace period later. Young blobs are never marked, so a blob whose version
row is about to commit is safe; blobs still 'writing' are spared far longer (a slow upload).
Every replica runs this; SKIP LOCKED keeps them off each other's rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import asyncpg
from nimbus_core.runtime import Resources

from nimbus_s3.settings import S3Settings

log = logging.getLogger(__name__)

BATCH = 500
# A blob still being written is left alone this long (an upload that died mid-stream).
WRITING_BOUND_SECONDS = 6 * 3600.0

_UNREFERENCED = (
    "NOT EXISTS (SELECT 1 FROM s3_objects o WHERE o.blob_ids @> ARRAY[b.id])"
    " AND NOT EXISTS (SELECT 1 FROM s3_parts p WHERE p.blob_id = b.id)"
)


def _settings(resources: Resources) -> S3Settings:
    settings = resources.settings
    if isinstance(settings, S3Settings):
        return settings
    return S3Settings(**settings.model_dump())


async def mark(pool: asyncpg.Pool, grace: float, writing_bound: float) -> int:
    """Stamp orphaned_at on unreferenced blobs past their youth; returns how many."""
    status: str = await pool.execute(
        "UPDATE s3_blobs SET orphaned_at = now() WHERE id IN ("
        " SELECT b.id FROM s3_blobs b WHERE b.orphaned_at IS NULL"
        " AND ((b.state = 'complete' AND b.created_at < now() - make_interval(secs => $1))"
        "   OR b.created_at < now() - make_interval(secs => $2))"
        f" AND {_UNREFERENCED} LIMIT $3 FOR UPDATE SKIP LOCKED)",
        grace,
        max(grace, writing_bound),
        BATCH,
    )
    return int(status.split()[-1])


async def unmark(pool: asyncpg.Pool) -> None:
    """A marked blob that is referenced again is not an orphan (defensive)."""
    await pool.execute(
        "UPDATE s3_blobs b SET orphaned_at = NULL WHERE b.orphaned_at IS NOT NULL"
        f" AND NOT ({_UNREFERENCED})"
    )


async def sweep(pool: asyncpg.Pool, grace: float) -> list[uuid.UUID]:
    """Delete blobs (chunks cascade) marked at least `grace` ago and still unreferenced."""
    rows = await pool.fetch(
        "DELETE FROM s3_blobs WHERE id IN ("
        " SELECT b.id FROM s3_blobs b WHERE b.orphaned_at < now() - make_interval(secs => $1)"
        f" AND {_UNREFERENCED} LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id",
        grace,
        BATCH,
    )
    return [row["id"] for row in rows]


async def collect_once(pool: asyncpg.Pool, settings: S3Settings) -> int:
    """One pass: sweep what was marked long enough ago, then mark new orphans."""
    grace = settings.s3_gc_grace_seconds
    removed = 0
    while True:
        if settings.s3_blob_backend == "filesystem":
            batch = await _sweep_files(pool, settings, grace)
        else:
            batch = await sweep(pool, grace)
        removed += len(batch)
        if len(batch) < BATCH:
            break
    await unmark(pool)
    while await mark(pool, grace, WRITING_BOUND_SECONDS) >= BATCH:
        pass
    return removed


async def _sweep_files(pool: asyncpg.Pool, settings: S3Settings, grace: float) -> list[uuid.UUID]:
    """Filesystem backend: delete the files first, then the rows (a row without a file is
    harmless; a file without a row would leak)."""
    from nimbus_s3.blobs_fs import remove_file

    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT b.id FROM s3_blobs b WHERE b.orphaned_at < now() - make_interval(secs => $1)"
            f" AND {_UNREFERENCED} LIMIT $2 FOR UPDATE SKIP LOCKED",
            grace,
            BATCH,
        )
        ids = [row["id"] for row in rows]
        for blob_id in ids:
            await asyncio.to_thread(remove_file, settings.s3_blob_dir, blob_id)
        await conn.execute("DELETE FROM s3_blobs WHERE id = ANY($1::uuid[])", ids)
    return ids


async def collect_forever(resources: Resources) -> None:
    """Remove blobs no version or part references, every s3_gc_interval_seconds."""
    settings = _settings(resources)
    while not resources.stop.is_set():
        try:
            removed = await collect_once(resources.pool, settings)
            if removed:
                log.info("blob collector removed %d blobs", removed)
        except Exception:
            log.exception("blob collector pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(resources.stop.wait(), settings.s3_gc_interval_seconds)
