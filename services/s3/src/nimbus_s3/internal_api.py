"""The S3Internal gRPC service: what the gateway needs to authorize S3 requests itself.

Answers carry the stored documents in Get* output shape; the gateway caches them until a
BucketConfigChanged event (nimbus_s3.bucket_events) names the bucket.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import asyncpg
import grpc
from nimbus.s3.v1 import s3_pb2, s3_pb2_grpc
from nimbus_core.runtime import Resources

from nimbus_s3 import acl
from nimbus_s3.buckets import get_bucket

SERVICE_NAME = s3_pb2.DESCRIPTOR.services_by_name["S3Internal"].full_name

# Config kinds the gateway needs, and the BucketAccess field each goes to.
_ACCESS_KINDS = ("policy", "public_access_block", "cors", "website")


def _dump(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"))


def _loaded(raw: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return value


async def bucket_access(pool: asyncpg.Pool[asyncpg.Record], name: str) -> s3_pb2.BucketAccess:
    """A bucket's owner, region and access configuration in one answer."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        bucket = await get_bucket(conn, name)
        if bucket is None:
            return s3_pb2.BucketAccess(exists=False)
        rows = await conn.fetch(
            "SELECT kind, document FROM s3_bucket_configs WHERE bucket = $1 AND kind = ANY($2)",
            name,
            list(_ACCESS_KINDS),
        )
    configs = {row["kind"]: _loaded(row["document"]) for row in rows}
    policy = configs.get("policy")
    return s3_pb2.BucketAccess(
        exists=True,
        owner_account=bucket.account_id,
        region=bucket.region,
        policy=str(policy.get("Policy", "")) if policy else "",
        acl_json=_dump(bucket.acl),
        public_access_block_json=_dump(configs["public_access_block"])
        if "public_access_block" in configs
        else "",
        object_ownership=bucket.object_ownership or "ObjectWriter",
        cors_json=_dump(configs["cors"]) if "cors" in configs else "",
        website_json=_dump(configs["website"]) if "website" in configs else "",
    )


async def object_acl(
    pool: asyncpg.Pool[asyncpg.Record], bucket: str, key: str, version_id: str
) -> s3_pb2.ObjectAcl:
    """The ACL of an object version (the current one when version_id is empty)."""
    if "\x00" in bucket + key + version_id:
        return s3_pb2.ObjectAcl(exists=False)  # no stored name can hold NUL
    if version_id:
        row = await pool.fetchrow(
            "SELECT acl, owner_account, delete_marker, tags FROM s3_objects"
            " WHERE bucket = $1 AND key = $2 AND version_id = $3",
            bucket,
            key,
            version_id,
        )
    else:
        row = await pool.fetchrow(
            "SELECT acl, owner_account, delete_marker, tags FROM s3_objects"
            " WHERE bucket = $1 AND key = $2 AND is_latest",
            bucket,
            key,
        )
    if row is None or row["delete_marker"]:
        return s3_pb2.ObjectAcl(exists=False)
    document = row["acl"]
    stored = (
        _loaded(document) if document is not None else acl.canned("private", row["owner_account"])
    )
    tags = _loaded(row["tags"]) if row["tags"] is not None else {}
    return s3_pb2.ObjectAcl(
        exists=True, acl_json=_dump(stored), tags={str(k): str(v) for k, v in tags.items()}
    )


class S3InternalServicer(s3_pb2_grpc.S3InternalServicer):
    def __init__(self, resources: Resources) -> None:
        self._pool = resources.pool

    async def GetBucketAccess(
        self, request: s3_pb2.GetBucketAccessRequest, context: grpc.aio.ServicerContext
    ) -> s3_pb2.BucketAccess:
        return await bucket_access(self._pool, request.bucket)

    async def GetObjectAcl(
        self, request: s3_pb2.GetObjectAclRequest, context: grpc.aio.ServicerContext
    ) -> s3_pb2.ObjectAcl:
        return await object_acl(self._pool, request.bucket, request.key, request.version_id)


def registrar(resources: Resources) -> Callable[[grpc.aio.Server], None]:
    def add(server: grpc.aio.Server) -> None:
        s3_pb2_grpc.add_S3InternalServicer_to_server(S3InternalServicer(resources), server)

    return add
