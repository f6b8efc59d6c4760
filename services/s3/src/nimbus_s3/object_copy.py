"""CopyObject: a new version that shares the source's blobs (no byte is copied), with S3's
metadata/tagging directives, conditional copy, and the copy-onto-itself rule."""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError

from nimbus_s3 import checksums
from nimbus_s3.blobs import BlobStore
from nimbus_s3.buckets import Bucket, Executor, require_bucket
from nimbus_s3.configs import get_config
from nimbus_s3.errors import invalid_argument, invalid_request
from nimbus_s3.object_checks import check_write_conditions
from nimbus_s3.object_inputs import (
    MAX_PUT_BYTES,
    check_key,
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
from nimbus_s3.object_reads import check_copy_conditions, check_readable, checksum_members, iso
from nimbus_s3.versions import (
    NewVersion,
    StoredVersion,
    get_version,
    latest_version,
    lock_key,
    put_version,
    response_version_id,
)

COPY_TO_ITSELF = (
    "This copy request is illegal because it is trying to copy an object to itself without "
    "changing the object's metadata, storage class, website redirect location or encryption "
    "attributes."
)


def parse_copy_source(value: str) -> tuple[str, str, str | None]:
    """x-amz-copy-source: "[/]bucket/key[?versionId=id]", the key URL-encoded."""
    raw, _, query = value.partition("?")
    raw = raw.removeprefix("/")
    bucket, sep, key = raw.partition("/")
    if not sep or not bucket or not key:
        raise invalid_argument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            "x-amz-copy-source",
            value,
        )
    version_id = None
    if query:
        values = parse_qs(query, keep_blank_values=True).get("versionId")
        if values:
            version_id = values[0]
    return unquote(bucket), unquote(key), version_id


class CopySource(NamedTuple):
    bucket: Bucket
    version: StoredVersion
    # Whether x-amz-copy-source named a version (?versionId=) rather than the latest.
    version_named: bool


async def copy_source_version(
    db: Executor, copy_source: str, expected_owner: object = None
) -> CopySource:
    """The bucket and version an x-amz-copy-source names, with S3's errors: AccessDenied when
    the bucket's owner is not the expected one; a delete marker named by version id cannot
    be a copy source."""
    name, key, version_id = parse_copy_source(copy_source)
    bucket = await require_bucket(db, name)
    if expected_owner is not None and str(expected_owner) != bucket.account_id:
        raise AwsError("AccessDenied", "Access Denied", 403)
    try:
        version = await get_version(db, bucket, key, version_id, method="GET")
    except AwsError as error:
        if error.code == "MethodNotAllowed":
            raise invalid_request(
                "The source of a copy request may not specifically refer to a delete marker "
                "by version id."
            ) from None
        raise
    return CopySource(bucket, version, version_id is not None)


def _directive(params: dict[str, Any], member: str, header: str, what: str) -> str:
    value = str(params.get(member) or "COPY")
    if value not in ("COPY", "REPLACE"):
        raise invalid_argument(f"Unknown {what} directive.", header, value)
    return value


async def _checksum_of(
    store: BlobStore, source: StoredVersion, algorithm: str | None
) -> dict[str, Any] | None:
    """The copy's checksum: the source's full-object one when it fits, else computed by
    streaming the shared bytes once."""
    stored = source.checksum
    if algorithm is None:
        if stored and stored.get("type") == "FULL_OBJECT":
            return dict(stored)
        algorithm = "CRC64NVME"
    elif stored and stored.get("algorithm") == algorithm and stored.get("type") == "FULL_OBJECT":
        return dict(stored)
    hasher = checksums.hasher(algorithm)
    sizes = list(source.part_sizes) if source.part_sizes else [source.size]
    async for chunk in store.read(source.blob_ids, sizes, 0, source.size):
        hasher.update(chunk)
    return {"algorithm": algorithm, "value": checksums.b64(hasher.digest()), "type": "FULL_OBJECT"}


async def copy_object(
    pool: asyncpg.Pool, store: BlobStore, ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    key = str(params["Key"])
    check_key(key)
    bucket = await require_bucket(pool, params["Bucket"])
    src_bucket, source, version_named = await copy_source_version(pool, str(params["CopySource"]))
    require_sse_c_match(source.encryption, params, prefix="CopySource")
    check_copy_conditions(params, source)
    check_readable(source, copy_source=True)
    if source.size > MAX_PUT_BYTES:
        raise invalid_request(
            "The specified copy source is larger than the maximum allowable size for a copy "
            f"source: {MAX_PUT_BYTES}"
        )
    meta_directive = _directive(params, "MetadataDirective", "x-amz-metadata-directive", "metadata")
    tag_directive = _directive(params, "TaggingDirective", "x-amz-tagging-directive", "tagging")
    same = src_bucket.name == bucket.name and source.key == key
    if (
        same
        and meta_directive == "COPY"
        and not params.get("StorageClass")
        and not params.get("WebsiteRedirectLocation")
        and not params.get("ServerSideEncryption")
        and not params.get("SSECustomerAlgorithm")
        and not params.get("SSEKMSKeyId")
        and (not version_named or source.is_latest)
    ):
        raise invalid_request(COPY_TO_ITSELF)

    if meta_directive == "REPLACE":
        user_metadata = metadata(params)
        headers = system_headers(params)
    else:
        user_metadata = dict(source.metadata)
        headers = dict(source.headers)
        if params.get("WebsiteRedirectLocation"):
            headers["WebsiteRedirectLocation"] = params["WebsiteRedirectLocation"]
    tags = (
        tagging_header(params.get("Tagging")) if tag_directive == "REPLACE" else dict(source.tags)
    )
    lock_mode, lock_until, legal_hold, _ = object_lock(params, bucket)
    algorithm = params.get("ChecksumAlgorithm")
    if algorithm is not None and str(algorithm).upper() not in checksums.ALGORITHMS:
        raise invalid_request("Value for x-amz-checksum-algorithm header is invalid.")
    new = NewVersion(
        bucket=bucket.name,
        key=key,
        owner_account=ctx.account_id,
        size=source.size,
        etag=source.etag,
        blob_ids=list(source.blob_ids),
        part_sizes=list(source.part_sizes) if source.part_sizes else None,
        parts=source.parts,
        storage_class=storage_class(params),
        metadata=user_metadata,
        headers=headers,
        checksum=await _checksum_of(
            store, source, None if algorithm is None else str(algorithm).upper()
        ),
        encryption=encryption(params, bucket, await get_config(pool, bucket.name, "encryption")),
        tags=tags,
        acl=await object_acl(pool, params, bucket, ctx.account_id),
        lock_mode=lock_mode,
        lock_retain_until=lock_until,
        legal_hold=legal_hold,
    )
    async with pool.acquire() as conn, conn.transaction():
        bucket = await require_bucket(conn, bucket.name, for_update=True)
        # The source's blobs must still be referenced while we add our reference: lock it.
        row = await conn.fetchval(
            "SELECT 1 FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3 FOR SHARE",
            src_bucket.name,
            source.key,
            source.version_id,
        )
        if row is None:
            raise AwsError(
                "NoSuchKey", "The specified key does not exist.", 404, extra={"Key": source.key}
            )
        if params.get("IfNoneMatch") is not None or params.get("IfMatch") is not None:
            await lock_key(conn, bucket.name, key)
            check_write_conditions(params, key, await latest_version(conn, bucket.name, key))
        stored = await put_version(conn, bucket, new, ctx, reason="CopyObject")

    result: dict[str, Any] = {"ETag": stored.etag, "LastModified": iso(stored.last_modified)}
    result.update(checksum_members(stored))
    out: dict[str, Any] = {"CopyObjectResult": result}
    src_vid = response_version_id(src_bucket, source.version_id)
    if src_vid is not None:
        out["CopySourceVersionId"] = src_vid
    vid = response_version_id(bucket, stored.version_id)
    if vid is not None:
        out["VersionId"] = vid
    out.update(encryption_output(stored.encryption))
    return out
