"""S3 object operations: PutObject, GetObject, HeadObject, DeleteObject(s), CopyObject and
GetObjectAttributes. Bytes stream through the blob store; a write's version row (and its
outbox event) commits before the reply, so a 200 means durable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import OperationTable, UploadBody
from nimbus_core.runtime import Resources

from nimbus_s3.blobs import BlobStore, blob_store
from nimbus_s3.buckets import Bucket, require_bucket
from nimbus_s3.configs import get_config
from nimbus_s3.errors import malformed_xml
from nimbus_s3.lifecycle_rules import expiration_header
from nimbus_s3.object_attributes import get_object_attributes
from nimbus_s3.object_checks import (
    check_write_conditions,
    upload_checks,
    verify_upload,
)
from nimbus_s3.object_copy import copy_object
from nimbus_s3.object_inputs import (
    check_key,
    check_size,
    encryption,
    encryption_output,
    metadata,
    object_acl,
    object_lock,
    require_sse_c_match,
    storage_class,
    system_headers,
    tagging_header,
)
from nimbus_s3.object_reads import (
    check_read_conditions,
    check_readable,
    checksum_members,
    plan_read,
    version_output,
)
from nimbus_s3.settings import S3Settings
from nimbus_s3.versions import (
    NewVersion,
    StoredVersion,
    delete_key,
    get_version,
    latest_version,
    lock_key,
    put_version,
    response_version_id,
)

MAX_DELETE_OBJECTS = 1000


def write_output(bucket: Bucket, stored: StoredVersion) -> dict[str, Any]:
    """ETag, VersionId, encryption and checksum members of a write's reply."""
    out: dict[str, Any] = {"ETag": stored.etag}
    vid = response_version_id(bucket, stored.version_id)
    if vid is not None:
        out["VersionId"] = vid
    out.update(encryption_output(stored.encryption))
    out.update(checksum_members(stored))
    return out


def blob_sizes(version: StoredVersion) -> list[int]:
    return list(version.part_sizes) if version.part_sizes else [version.size]


class ObjectApi:
    def __init__(self, resources: Resources, settings: S3Settings) -> None:
        self.pool = resources.pool
        self.settings = settings
        self.store: BlobStore = blob_store(resources, settings)

    async def put_object(
        self, ctx: RequestContext, params: dict[str, Any], body: UploadBody
    ) -> dict[str, Any]:
        key = str(params["Key"])
        check_key(key)
        bucket = await require_bucket(self.pool, params["Bucket"])
        checks = upload_checks(params)
        if checks.length is not None:
            check_size(checks.length)
        lock_mode, lock_until, legal_hold, lock_given = object_lock(params, bucket)
        if lock_given and not (checks.content_md5 or checks.declared or checks.requested):
            raise AwsError(
                "InvalidRequest",
                "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object "
                "requests with Object Lock parameters",
                400,
            )
        new = NewVersion(
            bucket=bucket.name,
            key=key,
            owner_account=ctx.account_id,
            size=0,
            etag="",
            blob_ids=[],
            storage_class=storage_class(params),
            metadata=metadata(params),
            headers=system_headers(params),
            encryption=encryption(
                params, bucket, await get_config(self.pool, bucket.name, "encryption")
            ),
            tags=tagging_header(params.get("Tagging")),
            acl=await object_acl(self.pool, params, bucket, ctx.account_id),
            lock_mode=lock_mode,
            lock_retain_until=lock_until,
            legal_hold=legal_hold,
        )
        if params.get("IfNoneMatch") is not None or params.get("IfMatch") is not None:
            # Fail before taking the bytes; checked again, under the key lock, at commit.
            check_write_conditions(params, key, await latest_version(self.pool, bucket.name, key))
        written = await self.store.write(body, algorithms=checks.algorithms)
        try:
            new.checksum = verify_upload(checks, written, body.trailers)
            check_size(written.size)
            new.size = written.size
            new.etag = f'"{written.md5_hex}"'
            new.blob_ids = [written.blob_id]
            async with self.pool.acquire() as conn, conn.transaction():
                bucket = await require_bucket(conn, bucket.name, for_update=True)
                if params.get("IfNoneMatch") is not None or params.get("IfMatch") is not None:
                    await lock_key(conn, bucket.name, key)
                    check_write_conditions(
                        params, key, await latest_version(conn, bucket.name, key)
                    )
                stored = await put_version(conn, bucket, new, ctx)
        except BaseException:
            await self.store.discard(written.blob_id)
            raise
        return await self._with_expiration(write_output(bucket, stored), bucket, stored)

    async def _with_expiration(
        self, out: dict[str, Any], bucket: Bucket, version: StoredVersion
    ) -> dict[str, Any]:
        """Add x-amz-expiration when a lifecycle rule will expire this current version."""
        if not version.is_latest:
            return out
        config = await get_config(self.pool, bucket.name, "lifecycle")
        if config:
            expiration = expiration_header(
                config,
                version.key,
                version.tags,
                version.size,
                version.last_modified,
                self.settings.s3_lifecycle_clock_scale,
            )
            if expiration:
                out["Expiration"] = expiration
        return out

    async def _readable(self, params: dict[str, Any], method: str) -> tuple[Bucket, StoredVersion]:
        bucket = await require_bucket(self.pool, params["Bucket"])
        version = await get_version(
            self.pool, bucket, str(params["Key"]), params.get("VersionId"), method=method
        )
        require_sse_c_match(version.encryption, params)
        check_read_conditions(params, version)
        return bucket, version

    async def get_object(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
        bucket, version = await self._readable(params, "GET")
        check_readable(version)
        plan = plan_read(params, version)
        out = await self._with_expiration(
            version_output(bucket, version, params, plan), bucket, version
        )
        if version.tags:
            out["TagCount"] = len(version.tags)
        chunks = self.store.read(version.blob_ids, blob_sizes(version), plan.start, plan.end)
        return out, chunks

    async def head_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket, version = await self._readable(params, "HEAD")
        plan = plan_read(params, version)
        return await self._with_expiration(
            version_output(bucket, version, params, plan), bucket, version
        )

    async def delete_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = str(params["Key"])
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await require_bucket(conn, params["Bucket"], for_update=True)
            if params.get("IfMatch") is not None:
                await lock_key(conn, bucket.name, key)
                check_write_conditions(
                    {"IfMatch": params["IfMatch"]},
                    key,
                    await latest_version(conn, bucket.name, key),
                )
            result = await delete_key(
                conn,
                bucket,
                key,
                params.get("VersionId"),
                ctx,
                bool(params.get("BypassGovernanceRetention")),
            )
        out: dict[str, Any] = {}
        if result.delete_marker:
            out["DeleteMarker"] = True
        if result.version_id is not None and bucket.versioning:
            out["VersionId"] = result.version_id
        return out

    async def delete_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        delete = params.get("Delete") or {}
        objects = delete.get("Objects") or []
        if not objects or len(objects) > MAX_DELETE_OBJECTS:
            raise malformed_xml()
        quiet = bool(delete.get("Quiet"))
        bypass = bool(params.get("BypassGovernanceRetention"))
        bucket = await require_bucket(self.pool, params["Bucket"])
        deleted: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in objects:
            key = str(item.get("Key", ""))
            version_id = item.get("VersionId")
            try:
                check_key(key)
                async with self.pool.acquire() as conn, conn.transaction():
                    bucket = await require_bucket(conn, bucket.name, for_update=True)
                    result = await delete_key(conn, bucket, key, version_id, ctx, bypass)
            except AwsError as error:
                entry: dict[str, Any] = {"Key": key, "Code": error.code, "Message": error.message}
                if version_id is not None:
                    entry["VersionId"] = version_id
                errors.append(entry)
                continue
            if quiet:
                continue
            done: dict[str, Any] = {"Key": key}
            if version_id is not None:
                done["VersionId"] = version_id
                if result.delete_marker:
                    done["DeleteMarker"] = True
                    done["DeleteMarkerVersionId"] = version_id
            elif result.delete_marker:
                done["DeleteMarker"] = True
                if result.version_id is not None:
                    done["DeleteMarkerVersionId"] = result.version_id
            deleted.append(done)
        out: dict[str, Any] = {}
        if deleted:
            out["Deleted"] = deleted
        if errors:
            out["Errors"] = errors
        return out

    async def copy_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await copy_object(self.pool, self.store, ctx, params)

    async def get_object_attributes(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await get_object_attributes(self.pool, params)


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    api = ObjectApi(resources, settings)
    return OperationTable(
        unary={
            "HeadObject": api.head_object,
            "DeleteObject": api.delete_object,
            "DeleteObjects": api.delete_objects,
            "CopyObject": api.copy_object,
            "GetObjectAttributes": api.get_object_attributes,
        },
        upload={"PutObject": api.put_object},
        download={"GetObject": api.get_object},
    )
