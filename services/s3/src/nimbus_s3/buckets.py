"""Reading buckets: the one place that knows how a bucket row maps to a Bucket."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg

from nimbus_s3.errors import no_such_bucket

Executor: TypeAlias = "asyncpg.Connection[asyncpg.Record] | asyncpg.Pool[asyncpg.Record]"


@dataclass(frozen=True)
class Bucket:
    name: str
    account_id: str
    region: str
    created_at: datetime
    versioning: str  # '', 'Enabled' or 'Suspended'
    mfa_delete: str
    object_lock_enabled: bool
    object_ownership: str
    acl: dict[str, Any]

    @property
    def versioned(self) -> bool:
        """Whether new writes get fresh version ids (only while versioning is Enabled)."""
        return self.versioning == "Enabled"


_COLUMNS = (
    "name, account_id, region, created_at, versioning, mfa_delete, object_lock_enabled,"
    " object_ownership, acl"
)


def _bucket(row: asyncpg.Record) -> Bucket:
    acl = row["acl"]
    return Bucket(
        name=row["name"],
        account_id=row["account_id"],
        region=row["region"],
        created_at=row["created_at"],
        versioning=row["versioning"],
        mfa_delete=row["mfa_delete"],
        object_lock_enabled=row["object_lock_enabled"],
        object_ownership=row["object_ownership"],
        acl=json.loads(acl) if isinstance(acl, str) else acl,
    )


async def get_bucket(db: Executor, name: str, *, for_update: bool = False) -> Bucket | None:
    """The bucket, or None. for_update locks its row (inside a transaction) so that writes
    racing a versioning change or a DeleteBucket see one consistent state."""
    if "\x00" in name:
        return None  # PostgreSQL text cannot hold NUL; no bucket has one in its name
    lock = " FOR SHARE" if for_update else ""
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM s3_buckets WHERE name = $1{lock}", name)
    return None if row is None else _bucket(row)


async def require_bucket(db: Executor, name: str, *, for_update: bool = False) -> Bucket:
    """The bucket, or S3's NoSuchBucket."""
    bucket = await get_bucket(db, name, for_update=for_update)
    if bucket is None:
        raise no_such_bucket(name)
    return bucket
