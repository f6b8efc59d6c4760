"""Object versions: S3's versioning, delete markers and Object Lock, in one place.

Every writer of s3_objects goes through put_version / delete_key, inside the caller's
transaction, so the is_latest flip, the null-version rules, lock checks and the outbox event
are never done twice or differently. Writers of one key are serialized with a transaction
advisory lock on (bucket, key).
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError

from nimbus_s3.buckets import Bucket
from nimbus_s3.configs import get_config
from nimbus_s3.errors import invalid_argument, method_not_allowed, no_such_key, no_such_version
from nimbus_s3.events import object_event

Executor: TypeAlias = "asyncpg.Connection[asyncpg.Record] | asyncpg.Pool[asyncpg.Record]"

NULL = "null"
_VERSION_ID = re.compile(r"^[A-Za-z0-9._-]{32}$")


def new_version_id() -> str:
    """A fresh version id, 32 URL-safe characters like S3's."""
    return secrets.token_urlsafe(24)


def valid_version_id(version_id: str) -> bool:
    return version_id == NULL or bool(_VERSION_ID.match(version_id))


def invalid_version_id(version_id: str) -> AwsError:
    return invalid_argument("Invalid version id specified", "versionId", version_id)


def object_locked() -> AwsError:
    return AwsError("AccessDenied", "Access Denied because object protected by object lock.", 403)


@dataclass
class NewVersion:
    bucket: str
    key: str
    owner_account: str
    size: int
    etag: str  # with its quotes, as S3 returns it
    blob_ids: list[uuid.UUID]
    part_sizes: list[int] | None = None
    parts: list[dict[str, Any]] | None = None
    storage_class: str = "STANDARD"
    metadata: dict[str, str] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    checksum: dict[str, Any] | None = None
    encryption: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    acl: dict[str, Any] | None = None
    lock_mode: str | None = None
    lock_retain_until: datetime | None = None
    legal_hold: bool = False


@dataclass(frozen=True)
class StoredVersion:
    """One row of s3_objects (JSON columns decoded)."""

    bucket: str
    key: str
    version_id: str
    seq: int
    is_latest: bool
    delete_marker: bool
    last_modified: datetime
    size: int
    etag: str
    blob_ids: list[uuid.UUID]
    part_sizes: list[int] | None
    parts: list[dict[str, Any]] | None
    owner_account: str
    storage_class: str
    metadata: dict[str, str]
    headers: dict[str, Any]
    checksum: dict[str, Any] | None
    encryption: dict[str, Any]
    tags: dict[str, str]
    acl: dict[str, Any] | None
    lock_mode: str | None
    lock_retain_until: datetime | None
    legal_hold: bool

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> StoredVersion:
        return cls(
            bucket=row["bucket"],
            key=row["key"],
            version_id=row["version_id"],
            seq=row["seq"],
            is_latest=row["is_latest"],
            delete_marker=row["delete_marker"],
            last_modified=row["last_modified"],
            size=row["size"],
            etag=row["etag"],
            blob_ids=list(row["blob_ids"] or []),
            part_sizes=None if row["part_sizes"] is None else list(row["part_sizes"]),
            parts=_json(row["parts"]),
            owner_account=row["owner_account"],
            storage_class=row["storage_class"],
            metadata=_json(row["metadata"]) or {},
            headers=_json(row["headers"]) or {},
            checksum=_json(row["checksum"]),
            encryption=_json(row["encryption"]) or {},
            tags=_json(row["tags"]) or {},
            acl=_json(row["acl"]),
            lock_mode=row["lock_mode"],
            lock_retain_until=row["lock_retain_until"],
            legal_hold=row["legal_hold"],
        )

    def retention_active(self, now: datetime | None = None) -> bool:
        return (
            self.lock_mode is not None
            and self.lock_retain_until is not None
            and self.lock_retain_until > (now or datetime.now(UTC))
        )

    def protected(self, bypass_governance: bool) -> bool:
        """Object Lock forbids deleting (or overwriting) this version now."""
        if self.delete_marker:
            return False
        if self.legal_hold:
            return True
        if not self.retention_active():
            return False
        return not (self.lock_mode == "GOVERNANCE" and bypass_governance)


@dataclass(frozen=True)
class DeleteResult:
    delete_marker: bool
    version_id: str | None  # None when the bucket was never versioned


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def response_version_id(bucket: Bucket, version_id: str) -> str | None:
    """The VersionId to return: none at all in a bucket that was never versioned."""
    return None if bucket.versioning == "" else version_id


async def lock_key(conn: asyncpg.Connection, bucket: str, key: str) -> None:
    """Serialize writers of one key until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 42))", f"{bucket}/{key}")


async def _default_retention(
    conn: asyncpg.Connection, bucket: Bucket
) -> tuple[str, datetime] | None:
    if not bucket.object_lock_enabled:
        return None
    config = await get_config(conn, bucket.name, "object_lock")
    rule = ((config or {}).get("Rule") or {}).get("DefaultRetention") or {}
    mode = rule.get("Mode")
    if not mode:
        return None
    days = int(rule.get("Days") or 0) + 365 * int(rule.get("Years") or 0)
    return mode, datetime.now(UTC) + timedelta(days=days)


async def _fetch(
    db: Executor, bucket: str, key: str, version_id: str | None, *, lock: bool = False
) -> StoredVersion | None:
    suffix = " FOR UPDATE" if lock else ""
    if version_id is None:
        row = await db.fetchrow(
            "SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2 AND is_latest" + suffix,
            bucket,
            key,
        )
    else:
        row = await db.fetchrow(
            "SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3" + suffix,
            bucket,
            key,
            version_id,
        )
    return None if row is None else StoredVersion.from_row(row)


async def _insert(
    conn: asyncpg.Connection,
    new: NewVersion,
    version_id: str,
    delete_marker: bool,
    *,
    demote: bool = True,
) -> StoredVersion:
    """Insert the new latest version; demote=False when no other version can exist (a
    never-versioned bucket whose null version was just removed)."""
    if demote:
        await conn.execute(
            "UPDATE s3_objects SET is_latest = false WHERE bucket = $1 AND key = $2 AND is_latest",
            new.bucket,
            new.key,
        )
    row = await conn.fetchrow(
        "INSERT INTO s3_objects (bucket, key, version_id, is_latest, delete_marker, size, etag,"
        " blob_ids, part_sizes, parts, owner_account, storage_class, metadata, headers,"
        " checksum, encryption, tags, acl, lock_mode, lock_retain_until, legal_hold)"
        " VALUES ($1, $2, $3, true, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb,"
        " $13::jsonb, $14::jsonb, $15::jsonb, $16::jsonb, $17::jsonb, $18, $19, $20)"
        " RETURNING *",
        new.bucket,
        new.key,
        version_id,
        delete_marker,
        new.size,
        new.etag,
        new.blob_ids,
        new.part_sizes,
        None if new.parts is None else json.dumps(new.parts),
        new.owner_account,
        new.storage_class,
        json.dumps(new.metadata),
        json.dumps(new.headers),
        None if new.checksum is None else json.dumps(new.checksum),
        json.dumps(new.encryption),
        json.dumps(new.tags),
        None if new.acl is None else json.dumps(new.acl),
        new.lock_mode,
        new.lock_retain_until,
        new.legal_hold,
    )
    assert row is not None
    return StoredVersion.from_row(row)


async def _drop_null(conn: asyncpg.Connection, bucket: Bucket, key: str) -> StoredVersion | None:
    """Remove the key's null version (it is being replaced); Object Lock permitting (a
    refusal raises, which rolls the caller's transaction back)."""
    row = await conn.fetchrow(
        "DELETE FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3 RETURNING *",
        bucket.name,
        key,
        NULL,
    )
    if row is None:
        return None
    old = StoredVersion.from_row(row)
    if old.protected(bypass_governance=False):
        raise object_locked()
    return old


async def put_version(
    conn: asyncpg.Connection,
    bucket: Bucket,
    new: NewVersion,
    ctx: RequestContext,
    *,
    reason: str = "PutObject",
) -> StoredVersion:
    """Store a new current version of new.key (inside the caller's transaction)."""
    await lock_key(conn, bucket.name, new.key)
    if bucket.versioned:
        version_id = new_version_id()
    else:
        version_id = NULL
        await _drop_null(conn, bucket, new.key)
    if new.lock_mode is None and new.lock_retain_until is None:
        default = await _default_retention(conn, bucket)
        if default is not None:
            new.lock_mode, new.lock_retain_until = default
    stored = await _insert(conn, new, version_id, delete_marker=False)
    await object_event(conn, "Object Created", bucket, stored, ctx, reason=reason)
    return stored


async def get_version(
    db: Executor,
    bucket: Bucket,
    key: str,
    version_id: str | None,
    *,
    method: str = "GET",
    allow_delete_marker: bool = False,
) -> StoredVersion:
    """The requested version (the latest when version_id is None), with S3's errors:
    NoSuchKey (the latest is a delete marker: DeleteMarker/VersionId extras, which the
    gateway sends as x-amz-delete-marker / x-amz-version-id), NoSuchVersion, and
    MethodNotAllowed for a delete marker asked for by version id."""
    if version_id is not None and not valid_version_id(version_id):
        raise invalid_version_id(version_id)
    found = await _fetch(db, bucket.name, key, version_id)
    if found is None:
        if version_id is None:
            raise no_such_key(key)
        raise no_such_version(key, version_id)
    if found.delete_marker and not allow_delete_marker:
        if version_id is None:
            error = no_such_key(key)
            error.extra["DeleteMarker"] = True
            vid = response_version_id(bucket, found.version_id)
            if vid is not None:
                error.extra["VersionId"] = vid
            raise error
        error = method_not_allowed(method, "DeleteMarker")
        error.extra["DeleteMarker"] = True
        error.extra["VersionId"] = found.version_id
        error.extra["LastModified"] = found.last_modified.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        error.extra["Allow"] = "DELETE"
        raise error
    return found


async def _promote_newest(conn: asyncpg.Connection, bucket: str, key: str) -> None:
    await conn.execute(
        "UPDATE s3_objects SET is_latest = true WHERE bucket = $1 AND key = $2 AND seq ="
        " (SELECT max(seq) FROM s3_objects WHERE bucket = $1 AND key = $2)",
        bucket,
        key,
    )


async def delete_key(
    conn: asyncpg.Connection,
    bucket: Bucket,
    key: str,
    version_id: str | None,
    ctx: RequestContext,
    bypass_governance: bool = False,
    *,
    reason: str = "DeleteObject",
) -> DeleteResult:
    """DeleteObject's semantics (inside the caller's transaction): a version id deletes that
    version for good (Object Lock permitting); otherwise a versioned bucket gets a delete
    marker and an unversioned one loses its null version. Deleting what is not there
    succeeds."""
    if version_id is not None and not valid_version_id(version_id):
        raise invalid_version_id(version_id)
    await lock_key(conn, bucket.name, key)
    if version_id is not None:
        old = await _fetch(conn, bucket.name, key, version_id, lock=True)
        if old is None:
            return DeleteResult(delete_marker=False, version_id=version_id)
        if old.protected(bypass_governance):
            raise object_locked()
        await conn.execute(
            "DELETE FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3",
            bucket.name,
            key,
            version_id,
        )
        if old.is_latest:
            await _promote_newest(conn, bucket.name, key)
        await object_event(
            conn, "Object Deleted", bucket, old, ctx, reason=reason,
            deletion_type="Permanently Deleted",
        )  # fmt: skip
        return DeleteResult(delete_marker=old.delete_marker, version_id=version_id)

    if bucket.versioning == "":
        old = await _drop_null(conn, bucket, key)
        if old is not None:
            await _promote_newest(conn, bucket.name, key)
            await object_event(
                conn, "Object Deleted", bucket, old, ctx, reason=reason,
                deletion_type="Permanently Deleted",
            )  # fmt: skip
        return DeleteResult(delete_marker=False, version_id=None)

    marker_id = new_version_id() if bucket.versioned else NULL
    if not bucket.versioned:
        await _drop_null(conn, bucket, key)
    marker = NewVersion(
        bucket=bucket.name, key=key, owner_account=ctx.account_id, size=0, etag="", blob_ids=[]
    )
    stored = await _insert(conn, marker, marker_id, delete_marker=True)
    await object_event(
        conn, "Object Deleted", bucket, stored, ctx, reason=reason,
        deletion_type="Delete Marker Created",
    )  # fmt: skip
    return DeleteResult(delete_marker=True, version_id=marker_id)


async def latest_version(db: Executor, bucket: str, key: str) -> StoredVersion | None:
    """The key's newest version (maybe a delete marker), or None."""
    return await _fetch(db, bucket, key, None)
