"""Bucket lifecycle: CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, ListBuckets."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, OperationTable, Output, UnaryHandler
from nimbus_core.runtime import Resources

from nimbus_s3 import acl
from nimbus_s3.bucket_checks import check_expected_owner, iso
from nimbus_s3.bucket_events import bucket_changed
from nimbus_s3.bucket_names import validate_bucket_name
from nimbus_s3.buckets import Bucket, get_bucket, require_bucket
from nimbus_s3.config_tagging import MAX_BUCKET_TAGS, validate_tag_set
from nimbus_s3.configs import put_config
from nimbus_s3.errors import invalid_argument
from nimbus_s3.settings import S3Settings

US_EAST_1 = "us-east-1"
OWNERSHIPS = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
# What every new bucket gets since April 2023.
DEFAULT_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
# Legacy location constraints and the regions they mean.
_LEGACY = {"EU": "eu-west-1"}
MAX_BUCKETS_PAGE = 10000


def bucket_already_exists(name: str) -> AwsError:
    return AwsError(
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all "
        "users of the system. Please select a different name and try again.",
        409,
        extra={"BucketName": name},
    )


def bucket_already_owned_by_you(name: str) -> AwsError:
    return AwsError(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
        extra={"BucketName": name},
    )


def bucket_not_empty(bucket: Bucket) -> AwsError:
    message = "The bucket you tried to delete is not empty"
    if bucket.versioning:
        message += ". You must delete all versions in the bucket."
    return AwsError("BucketNotEmpty", message, 409, extra={"BucketName": bucket.name})


def invalid_location_constraint(constraint: str) -> AwsError:
    return AwsError(
        "InvalidLocationConstraint",
        "The specified location-constraint is not valid",
        400,
        extra={"LocationConstraint": constraint},
    )


def illegal_location_constraint(constraint: str) -> AwsError:
    shown = constraint or "unspecified"
    return AwsError(
        "IllegalLocationConstraintException",
        f"The {shown} location constraint is incompatible for the region specific endpoint "
        "this request was sent to.",
        400,
    )


def bucket_region(request_region: str, constraint: str) -> str:
    """The region a new bucket goes to, under S3's LocationConstraint rules.

    us-east-1 (the global endpoint) takes no constraint or any other region's; every other
    regional endpoint takes its own region only.
    """
    region = request_region or US_EAST_1
    if region == US_EAST_1:
        if not constraint:
            return US_EAST_1
        if constraint == US_EAST_1:
            raise invalid_location_constraint(constraint)
        if constraint in _LEGACY:
            return _LEGACY[constraint]
        if not _REGION.fullmatch(constraint):
            raise invalid_location_constraint(constraint)
        return constraint
    if constraint and constraint not in _LEGACY and not _REGION.fullmatch(constraint):
        raise invalid_location_constraint(constraint)
    if _LEGACY.get(constraint, constraint) != region:
        raise illegal_location_constraint(constraint)
    return region


def location(name: str, region: str) -> str:
    """CreateBucket's Location: a path in us-east-1, the virtual-host URL S3 gives elsewhere."""
    if region == US_EAST_1:
        return f"/{name}"
    return f"http://{name}.s3.amazonaws.com/"


def invalid_acl_with_ownership() -> AwsError:
    return AwsError(
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        400,
    )


def _ownership(params: Input) -> str:
    value = params.get("ObjectOwnership")
    if value is None:
        return "BucketOwnerEnforced"
    if value not in OWNERSHIPS:
        raise invalid_argument(
            "Invalid x-amz-object-ownership header", "x-amz-object-ownership", str(value)
        )
    return str(value)


def _new_acl(params: Input, account_id: str, ownership: str) -> dict[str, Any]:
    document = acl.from_request(params, account_id) or acl.canned("private", account_id)
    if ownership == "BucketOwnerEnforced" and not acl.only_owner(document, account_id):
        raise invalid_acl_with_ownership()
    if acl.is_public(document):  # every new bucket starts with all of Block Public Access on
        raise AwsError(
            "InvalidBucketAclWithBlockPublicAccessError",
            "Bucket cannot have public ACLs set with BlockPublicAccess enabled",
            400,
        )
    return document


def _handlers(pool: asyncpg.Pool[asyncpg.Record]) -> dict[str, UnaryHandler]:
    async def create_bucket(ctx: RequestContext, params: Input) -> Output:
        name = str(params.get("Bucket", ""))
        validate_bucket_name(name)
        config = params.get("CreateBucketConfiguration") or {}
        region = bucket_region(ctx.region, str(config.get("LocationConstraint") or ""))
        ownership = _ownership(params)
        document = _new_acl(params, ctx.account_id, ownership)
        tags = config.get("Tags")
        tag_set = (
            validate_tag_set({"TagSet": tags}, limit=MAX_BUCKET_TAGS) if tags is not None else []
        )
        lock = bool(params.get("ObjectLockEnabledForBucket"))
        async with pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO s3_buckets (name, account_id, region, versioning,"
                " object_lock_enabled, object_ownership, acl)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
                " ON CONFLICT (name) DO NOTHING RETURNING name",
                name,
                ctx.account_id,
                region,
                "Enabled" if lock else "",
                lock,
                ownership,
                _json(document),
            )
            if inserted is None:
                await _existing(conn, name, ctx, region, document)
                return {"Location": location(name, region)}
            await put_config(conn, name, "public_access_block", dict(DEFAULT_PUBLIC_ACCESS_BLOCK))
            if lock:
                await put_config(conn, name, "object_lock", {"ObjectLockEnabled": "Enabled"})
            if tag_set:
                await put_config(conn, name, "tagging", {"TagSet": tag_set})
            bucket = await require_bucket(conn, name)
            await bucket_changed(conn, bucket, "created")
        return {"Location": location(name, region)}

    async def _existing(
        conn: asyncpg.Connection[asyncpg.Record],
        name: str,
        ctx: RequestContext,
        region: str,
        document: dict[str, Any],
    ) -> None:
        """S3's answer to creating a bucket that exists: us-east-1 re-creates are 200 and reset
        the ACL; elsewhere BucketAlreadyOwnedByYou; another account's is BucketAlreadyExists."""
        existing = await get_bucket(conn, name, for_update=True)
        if existing is None:  # deleted meanwhile: the client may retry
            raise bucket_already_exists(name)
        if existing.account_id != ctx.account_id:
            raise bucket_already_exists(name)
        if region != US_EAST_1 or existing.region != US_EAST_1:
            raise bucket_already_owned_by_you(name)
        if existing.object_ownership != "BucketOwnerEnforced" and existing.acl != document:
            await conn.execute(
                "UPDATE s3_buckets SET acl = $2::jsonb WHERE name = $1", name, _json(document)
            )
            await bucket_changed(conn, existing, "acl")

    async def delete_bucket(ctx: RequestContext, params: Input) -> Output:
        name = str(params.get("Bucket", ""))
        async with pool.acquire() as conn, conn.transaction():
            # FOR UPDATE waits for writers holding the row FOR SHARE and blocks new ones.
            await conn.execute("SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE", name)
            bucket = await require_bucket(conn, name)
            check_expected_owner(bucket, params)
            if await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM s3_objects WHERE bucket = $1)", name
            ):
                raise bucket_not_empty(bucket)
            await conn.execute("DELETE FROM s3_uploads WHERE bucket = $1", name)
            await conn.execute("DELETE FROM s3_buckets WHERE name = $1", name)
            await bucket_changed(conn, bucket, "deleted")
        return {}

    async def head_bucket(ctx: RequestContext, params: Input) -> Output:
        bucket = await require_bucket(pool, str(params.get("Bucket", "")))
        check_expected_owner(bucket, params)
        return {"BucketRegion": bucket.region, "AccessPointAlias": False}

    async def get_bucket_location(ctx: RequestContext, params: Input) -> Output:
        bucket = await require_bucket(pool, str(params.get("Bucket", "")))
        check_expected_owner(bucket, params)
        if bucket.region == US_EAST_1:
            return {}
        return {"LocationConstraint": bucket.region}

    async def list_buckets(ctx: RequestContext, params: Input) -> Output:
        limit = _max_buckets(params.get("MaxBuckets"))
        prefix = str(params.get("Prefix") or "")
        region = params.get("BucketRegion")
        after = _decode_token(params.get("ContinuationToken"))
        rows = await pool.fetch(
            "SELECT name, region, created_at FROM s3_buckets"
            " WHERE account_id = $1 AND name > $2 AND starts_with(name, $3)"
            " AND ($4::text IS NULL OR region = $4) ORDER BY name LIMIT $5",
            ctx.account_id,
            after,
            prefix,
            region,
            limit + 1,
        )
        output: Output = {
            "Buckets": [
                {
                    "Name": r["name"],
                    "CreationDate": iso(r["created_at"]),
                    "BucketRegion": r["region"],
                }
                for r in rows[:limit]
            ],
            "Owner": acl.owner(ctx.account_id),
        }
        if len(rows) > limit:
            output["ContinuationToken"] = _encode_token(rows[limit - 1]["name"])
        if params.get("Prefix") is not None:
            output["Prefix"] = prefix
        return output

    return {
        "CreateBucket": create_bucket,
        "DeleteBucket": delete_bucket,
        "HeadBucket": head_bucket,
        "GetBucketLocation": get_bucket_location,
        "ListBuckets": list_buckets,
    }


def _max_buckets(value: Any) -> int:
    if value is None:
        return MAX_BUCKETS_PAGE
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_BUCKETS_PAGE:
        raise invalid_argument(
            "Argument max-buckets must be an integer between 1 and 10000",
            "max-buckets",
            str(value),
        )
    return number


def _encode_token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _decode_token(token: Any) -> str:
    if token is None or token == "":
        return ""
    try:
        return base64.urlsafe_b64decode(str(token).encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_argument(
            "The continuation token provided is incorrect", "continuation-token", str(token)
        ) from None


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document)


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    return OperationTable(unary=_handlers(resources.pool))
