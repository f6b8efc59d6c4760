"""Object sub-resources: tagging, ACL, retention and legal hold of one object version."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output, UnaryHandler

from nimbus_s3 import acl
from nimbus_s3.bucket_checks import check_expected_owner, iso
from nimbus_s3.buckets import Bucket, require_bucket
from nimbus_s3.config_acl import check_public_acl, requested_acl
from nimbus_s3.config_errors import (
    acls_not_supported,
    missing_object_lock,
    no_object_lock_configuration,
)
from nimbus_s3.config_lock import check_retention_change, validate_retention
from nimbus_s3.config_tagging import MAX_OBJECT_TAGS, validate_tag_set
from nimbus_s3.errors import malformed_xml
from nimbus_s3.events import object_event
from nimbus_s3.versions import StoredVersion, get_version, lock_key, response_version_id


def _version_id(params: Input) -> str | None:
    value = params.get("VersionId")
    return None if value is None or value == "" else str(value)


def _with_version(output: Output, bucket: Bucket, version: StoredVersion) -> Output:
    version_id = response_version_id(bucket, version.version_id)
    if version_id is not None:
        output["VersionId"] = version_id
    return output


def object_acl(version: StoredVersion) -> dict[str, Any]:
    """The version's ACL; one never set is the owner's private ACL."""
    if version.acl:
        return version.acl
    return acl.canned("private", version.owner_account)


def handlers(pool: asyncpg.Pool[asyncpg.Record]) -> dict[str, UnaryHandler]:
    async def target(db: Any, params: Input) -> tuple[Bucket, StoredVersion]:
        bucket = await require_bucket(db, str(params.get("Bucket", "")), for_update=db is not pool)
        check_expected_owner(bucket, params)
        key = str(params.get("Key", ""))
        if db is not pool:
            await lock_key(db, bucket.name, key)
        method = "PUT" if db is not pool else "GET"
        version = await get_version(db, bucket, key, _version_id(params), method=method)
        return bucket, version

    async def put_tagging(ctx: RequestContext, params: Input) -> Output:
        tag_set = validate_tag_set(params.get("Tagging"), limit=MAX_OBJECT_TAGS)
        tags = {tag["Key"]: tag["Value"] for tag in tag_set}
        async with pool.acquire() as conn, conn.transaction():
            bucket, version = await target(conn, params)
            await _update(conn, version, "tags = $4::jsonb", json.dumps(tags))
            await object_event(conn, "Object Tags Added", bucket, version, ctx)
        return _with_version({}, bucket, version)

    async def get_tagging(ctx: RequestContext, params: Input) -> Output:
        bucket, version = await target(pool, params)
        tag_set = [{"Key": k, "Value": v} for k, v in version.tags.items()]
        return _with_version({"TagSet": tag_set}, bucket, version)

    async def delete_tagging(ctx: RequestContext, params: Input) -> Output:
        async with pool.acquire() as conn, conn.transaction():
            bucket, version = await target(conn, params)
            await _update(conn, version, "tags = $4::jsonb", "{}")
            await object_event(conn, "Object Tags Deleted", bucket, version, ctx)
        return _with_version({}, bucket, version)

    async def put_acl(ctx: RequestContext, params: Input) -> Output:
        async with pool.acquire() as conn, conn.transaction():
            bucket, version = await target(conn, params)
            document = requested_acl(params, version.owner_account, bucket.account_id)
            if bucket.object_ownership == "BucketOwnerEnforced" and not (
                acl.allowed_when_acls_disabled(document, bucket.account_id)
            ):
                raise acls_not_supported()
            await check_public_acl(conn, bucket, document)
            await _update(conn, version, "acl = $4::jsonb", json.dumps(document))
        return {}

    async def get_acl(ctx: RequestContext, params: Input) -> Output:
        _, version = await target(pool, params)
        document = object_acl(version)
        return {"Owner": document.get("Owner"), "Grants": document.get("Grants", [])}

    async def put_retention(ctx: RequestContext, params: Input) -> Output:
        mode, until = validate_retention(params.get("Retention"))
        async with pool.acquire() as conn, conn.transaction():
            bucket, version = await target(conn, params)
            if not bucket.object_lock_enabled:
                raise missing_object_lock()
            check_retention_change(
                version.lock_mode,
                version.lock_retain_until,
                mode,
                until,
                bypass_governance=bool(params.get("BypassGovernanceRetention")),
            )
            await conn.execute(
                "UPDATE s3_objects SET lock_mode = $4, lock_retain_until = $5"
                " WHERE bucket = $1 AND key = $2 AND version_id = $3",
                version.bucket,
                version.key,
                version.version_id,
                mode,
                until,
            )
        return {}

    async def get_retention(ctx: RequestContext, params: Input) -> Output:
        bucket, version = await target(pool, params)
        if not bucket.object_lock_enabled:
            raise missing_object_lock()
        if version.lock_mode is None or version.lock_retain_until is None:
            raise no_object_lock_configuration()
        return {
            "Retention": {
                "Mode": version.lock_mode,
                "RetainUntilDate": iso(version.lock_retain_until),
            }
        }

    async def put_legal_hold(ctx: RequestContext, params: Input) -> Output:
        hold = params.get("LegalHold")
        status = hold.get("Status") if isinstance(hold, dict) else None
        if status not in ("ON", "OFF"):
            raise malformed_xml()
        async with pool.acquire() as conn, conn.transaction():
            bucket, version = await target(conn, params)
            if not bucket.object_lock_enabled:
                raise missing_object_lock()
            await _update(conn, version, "legal_hold = $4, legal_hold_set = true", status == "ON")
        return {}

    async def get_legal_hold(ctx: RequestContext, params: Input) -> Output:
        bucket, version = await target(pool, params)
        if not bucket.object_lock_enabled:
            raise missing_object_lock()
        if not version.legal_hold and not await _legal_hold_set(pool, version):
            raise no_object_lock_configuration()
        return {"LegalHold": {"Status": "ON" if version.legal_hold else "OFF"}}

    return {
        "PutObjectTagging": put_tagging,
        "GetObjectTagging": get_tagging,
        "DeleteObjectTagging": delete_tagging,
        "PutObjectAcl": put_acl,
        "GetObjectAcl": get_acl,
        "PutObjectRetention": put_retention,
        "GetObjectRetention": get_retention,
        "PutObjectLegalHold": put_legal_hold,
        "GetObjectLegalHold": get_legal_hold,
    }


async def _legal_hold_set(db: asyncpg.Pool[asyncpg.Record], version: StoredVersion) -> bool:
    value = await db.fetchval(
        "SELECT legal_hold_set FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3",
        version.bucket,
        version.key,
        version.version_id,
    )
    return bool(value)


async def _update(
    conn: asyncpg.Connection[asyncpg.Record], version: StoredVersion, assignment: str, value: Any
) -> None:
    await conn.execute(
        f"UPDATE s3_objects SET {assignment} WHERE bucket = $1 AND key = $2 AND version_id = $3",
        version.bucket,
        version.key,
        version.version_id,
        value,
    )
