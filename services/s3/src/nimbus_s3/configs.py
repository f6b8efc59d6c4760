"""Bucket sub-resources (policy, CORS, lifecycle, ...) stored as JSON documents by kind."""

from __future__ import annotations

import json
from typing import Any, TypeAlias

import asyncpg

Executor: TypeAlias = "asyncpg.Connection[asyncpg.Record] | asyncpg.Pool[asyncpg.Record]"


async def get_config(db: Executor, bucket: str, kind: str) -> dict[str, Any] | None:
    """The stored document of one sub-resource, or None when it is not set."""
    raw = await db.fetchval(
        "SELECT document FROM s3_bucket_configs WHERE bucket = $1 AND kind = $2", bucket, kind
    )
    if raw is None:
        return None
    document: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return document


async def put_config(db: Executor, bucket: str, kind: str, document: dict[str, Any]) -> None:
    await db.execute(
        "INSERT INTO s3_bucket_configs (bucket, kind, document) VALUES ($1, $2, $3::jsonb)"
        " ON CONFLICT (bucket, kind) DO UPDATE SET document = EXCLUDED.document,"
        " updated_at = now()",
        bucket,
        kind,
        json.dumps(document),
    )


async def delete_config(db: Executor, bucket: str, kind: str) -> bool:
    """Remove a sub-resource; False when it was not set."""
    status: str = await db.execute(
        "DELETE FROM s3_bucket_configs WHERE bucket = $1 AND kind = $2", bucket, kind
    )
    return status != "DELETE 0"
