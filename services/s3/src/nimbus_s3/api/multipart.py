"""Multipart uploads: create, upload (and copy) parts, complete, abort, list.

Parts stream into blobs of their own; completing an upload makes a version whose blob list
is the chosen parts' blobs (no byte is copied) and drops the upload in the same transaction.
Parts left out, and every part of an aborted upload, become unreferenced blobs that the
collector removes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, OperationTable, Output, UploadBody
from nimbus_core.runtime import Resources

from nimbus_s3 import acl, checksums, lifecycle_rules
from nimbus_s3.blobs import BlobStore, BlobWritten, blob_store
from nimbus_s3.bucket_checks import check_expected_owner
from nimbus_s3.buckets import Bucket, require_bucket
from nimbus_s3.configs import get_config
from nimbus_s3.errors import (
    invalid_request,
    no_such_upload,
    precondition_failed,
)
from nimbus_s3.listing_keys import Encoder, encoding
from nimbus_s3.listing_walk import CommonPrefix, Start, first_start, walk
from nimbus_s3.multipart_digests import check_part, to_compute
from nimbus_s3.multipart_input import check_part_encryption, object_fields
from nimbus_s3.multipart_rules import (
    MAX_PART_SIZE,
    MIN_PART_SIZE,
    copy_range,
    entity_too_large,
    entity_too_small,
    invalid_part,
    listed_parts,
    max_listed,
    multipart_etag,
    new_upload_id,
    object_checksum,
    part_number,
    quoted,
    upload_checksum,
)
from nimbus_s3.object_checks import check_write_conditions, upload_checks
from nimbus_s3.object_copy import copy_source_version
from nimbus_s3.object_inputs import encryption_output, parse_time, require_sse_c_match
from nimbus_s3.object_reads import check_copy_conditions
from nimbus_s3.settings import S3Settings
from nimbus_s3.versions import (
    NewVersion,
    latest_version,
    lock_key,
    put_version,
    response_version_id,
)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def initiator(upload: asyncpg.Record) -> dict[str, str]:
    """Initiator as S3 gives it: the account's owner element for root, else the IAM ARN."""
    arn = str(upload["initiator_arn"] or "")
    if not arn or arn.endswith(":root"):
        return acl.owner(upload["owner_account"])
    return {"ID": arn, "DisplayName": arn.rsplit("/", 1)[-1]}


# Key of a part's checksum document holding the CRC64NVME S3 computes for every part.
DEFAULT_KEY = "crc64nvme"


def _checksum_setting(upload: asyncpg.Record) -> dict[str, str] | None:
    value = _json(upload["checksum"])
    return value if value else None


def _part_checksum_output(raw: Any) -> dict[str, str]:
    """The part's own checksum members (the one its upload or request asked for)."""
    value = _json(raw)
    if not value or not value.get("algorithm"):
        return {}
    return {checksums.member(value["algorithm"]): value["value"]}


def _default_checksum(chosen: list[asyncpg.Record]) -> dict[str, str] | None:
    """S3's default for an upload without a checksum: a full-object CRC64NVME, combined
    from the CRC64NVME every part gets."""
    values = [(_json(r["checksum"]) or {}).get(DEFAULT_KEY) for r in chosen]
    if not all(values):
        return None
    combined = checksums.full_object(
        "CRC64NVME", [(str(v), int(r["size"])) for v, r in zip(values, chosen, strict=True)]
    )
    return {"algorithm": "CRC64NVME", "value": combined, "type": "FULL_OBJECT"}


async def _bucket(db: asyncpg.Pool, params: Input) -> Bucket:
    bucket = await require_bucket(db, params["Bucket"])
    check_expected_owner(bucket, params)
    return bucket


async def _upload(
    db: asyncpg.Pool | asyncpg.Connection, bucket: str, key: str, upload_id: Any
) -> asyncpg.Record:
    row = await db.fetchrow("SELECT * FROM s3_uploads WHERE upload_id = $1", str(upload_id or ""))
    if row is None or row["bucket"] != bucket or row["key"] != key:
        raise no_such_upload(str(upload_id or ""))
    return row


class Multipart:
    """The handlers, sharing the pool, the blob store and the settings."""

    def __init__(self, resources: Resources, settings: S3Settings) -> None:
        self.db: asyncpg.Pool = resources.pool
        self.blobs: BlobStore = blob_store(resources, settings)
        self.settings = settings

    # --- create ------------------------------------------------------------------------

    async def create(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(self.db, params)
        key = str(params["Key"])
        fields = await object_fields(self.db, params, bucket, ctx)
        setting = upload_checksum(params)
        upload_id = new_upload_id()
        initiated = await self.db.fetchval(
            "INSERT INTO s3_uploads (upload_id, bucket, key, owner_account, initiator_arn,"
            " storage_class, metadata, headers, checksum, encryption, tags, acl, lock_mode,"
            " lock_retain_until, legal_hold) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb,"
            " $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, $13, $14, $15)"
            " RETURNING initiated_at",
            upload_id,
            bucket.name,
            key,
            fields.owner_account,
            ctx.principal_arn,
            fields.storage_class,
            json.dumps(fields.metadata),
            json.dumps(fields.headers, default=str),
            None if setting is None else json.dumps(setting),
            json.dumps(fields.encryption),
            json.dumps(fields.tags),
            None if fields.acl is None else json.dumps(fields.acl),
            fields.lock_mode,
            fields.lock_retain_until,
            fields.legal_hold,
        )
        out: Output = {"Bucket": bucket.name, "Key": key, "UploadId": upload_id}
        out.update(encryption_output(fields.encryption))
        if setting is not None:
            out["ChecksumAlgorithm"] = setting["algorithm"]
            out["ChecksumType"] = setting["type"]
        out.update(await self._abort_rule(bucket.name, key, initiated))
        return out

    async def _abort_rule(self, bucket: str, key: str, initiated: datetime) -> dict[str, Any]:
        """x-amz-abort-date / -rule-id when a lifecycle rule will abort this upload."""
        config = await get_config(self.db, bucket, "lifecycle")
        if not config:
            return {}
        found = lifecycle_rules.abort_date(
            config, key, initiated, self.settings.s3_lifecycle_clock_scale
        )
        if found is None:
            return {}
        when, rule_id = found
        out: dict[str, Any] = {"AbortDate": timestamp(when)}
        if rule_id:
            out["AbortRuleId"] = rule_id
        return out

    # --- parts -------------------------------------------------------------------------

    async def _store_part(
        self, upload_id: str, number: int, written: BlobWritten, checksum: dict[str, str] | None
    ) -> datetime:
        """Record a part (replacing an earlier one of the same number) unless the upload
        has gone meanwhile; the blob is discarded when the part is not recorded."""
        try:
            async with self.db.acquire() as conn, conn.transaction():
                live = await conn.fetchval(
                    "SELECT 1 FROM s3_uploads WHERE upload_id = $1 FOR SHARE", upload_id
                )
                if live is None:
                    raise no_such_upload(upload_id)
                modified: datetime = await conn.fetchval(
                    "INSERT INTO s3_parts (upload_id, part_number, blob_id, size, etag, checksum)"
                    " VALUES ($1, $2, $3, $4, $5, $6::jsonb)"
                    " ON CONFLICT (upload_id, part_number) DO UPDATE SET"
                    " blob_id = EXCLUDED.blob_id, size = EXCLUDED.size, etag = EXCLUDED.etag,"
                    " checksum = EXCLUDED.checksum, last_modified = now()"
                    " RETURNING last_modified",
                    upload_id,
                    number,
                    written.blob_id,
                    written.size,
                    quoted(written.md5_hex),
                    json.dumps({**(checksum or {}), DEFAULT_KEY: written.checksums["CRC64NVME"]}),
                )
                return modified
        except BaseException:
            await self.blobs.discard(written.blob_id)
            raise

    async def upload_part(self, ctx: RequestContext, params: Input, body: UploadBody) -> Output:
        bucket = await _bucket(self.db, params)
        number = part_number(params.get("PartNumber"))
        upload = await _upload(self.db, bucket.name, str(params["Key"]), params.get("UploadId"))
        check_part_encryption(_json(upload["encryption"]) or {}, params)
        checks = upload_checks(params)
        if checks.length is not None and checks.length > MAX_PART_SIZE:
            raise entity_too_large(checks.length)
        setting = _checksum_setting(upload)
        algorithm = setting["algorithm"] if setting else None
        written = await self.blobs.write(body, algorithms=to_compute(checks, algorithm))
        try:
            if written.size > MAX_PART_SIZE:
                raise entity_too_large(written.size)
            checksum = check_part(checks, body.trailers, written, algorithm)
        except BaseException:
            await self.blobs.discard(written.blob_id)
            raise
        await self._store_part(upload["upload_id"], number, written, checksum)
        out: Output = {"ETag": quoted(written.md5_hex)}
        if checksum is not None:
            out[checksums.member(checksum["algorithm"])] = checksum["value"]
        out.update(encryption_output(_json(upload["encryption"]) or {}))
        return out

    async def upload_part_copy(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(self.db, params)
        number = part_number(params.get("PartNumber"))
        upload = await _upload(self.db, bucket.name, str(params["Key"]), params.get("UploadId"))
        source_bucket, source, _ = await copy_source_version(
            self.db, str(params.get("CopySource")), params.get("ExpectedSourceBucketOwner")
        )
        require_sse_c_match(source.encryption, params, "CopySource")
        check_part_encryption(_json(upload["encryption"]) or {}, params)
        check_copy_conditions(params, source)
        start, end = copy_range(params.get("CopySourceRange"), source.size)
        if end - start > MAX_PART_SIZE:
            raise entity_too_large(end - start)
        setting = _checksum_setting(upload)
        algorithms = [setting["algorithm"]] if setting else []
        algorithms.append("CRC64NVME")
        written = await self.blobs.write(
            self._source_bytes(source.blob_ids, source.part_sizes, source.size, start, end),
            algorithms=algorithms,
        )
        checksum = None
        if setting:
            checksum = {
                "algorithm": setting["algorithm"],
                "value": written.checksums[algorithms[0]],
            }
        modified = await self._store_part(upload["upload_id"], number, written, checksum)
        result: dict[str, Any] = {
            "ETag": quoted(written.md5_hex),
            "LastModified": timestamp(modified),
        }
        if checksum is not None:
            result[checksums.member(checksum["algorithm"])] = checksum["value"]
        out: Output = {"CopyPartResult": result}
        source_version = response_version_id(source_bucket, source.version_id)
        if source_version is not None:
            out["CopySourceVersionId"] = source_version
        out.update(encryption_output(_json(upload["encryption"]) or {}))
        return out

    def _source_bytes(
        self,
        blob_ids: list[uuid.UUID],
        part_sizes: list[int] | None,
        size: int,
        start: int,
        end: int,
    ) -> AsyncIterator[bytes]:
        if not blob_ids or end <= start:
            return _nothing()
        sizes = list(part_sizes) if part_sizes and len(part_sizes) == len(blob_ids) else [size]
        return self.blobs.read(blob_ids, sizes, start, end)

    # --- complete / abort ----------------------------------------------------------------

    async def complete(self, ctx: RequestContext, params: Input) -> Output:
        bucket_name, key = str(params["Bucket"]), str(params["Key"])
        upload_id = str(params.get("UploadId") or "")
        bucket = await _bucket(self.db, params)
        listed = listed_parts(params.get("MultipartUpload"), upload_id)
        async with self.db.acquire() as conn, conn.transaction():
            upload = await conn.fetchrow(
                "SELECT * FROM s3_uploads WHERE upload_id = $1 FOR UPDATE", upload_id
            )
            if upload is None or upload["bucket"] != bucket_name or upload["key"] != key:
                done = await conn.fetchval(
                    "SELECT output FROM s3_completed_uploads"
                    " WHERE upload_id = $1 AND bucket = $2 AND key = $3",
                    upload_id,
                    bucket_name,
                    key,
                )
                if done is None:
                    raise no_such_upload(upload_id)
                repeated: Output = _json(done)
                return repeated
            bucket = await require_bucket(conn, bucket_name, for_update=True)
            rows = {
                r["part_number"]: r
                for r in await conn.fetch("SELECT * FROM s3_parts WHERE upload_id = $1", upload_id)
            }
            setting = _checksum_setting(upload)
            chosen = self._match_parts(upload_id, listed, rows, setting)
            total = sum(int(r["size"]) for r in chosen)
            self._check_totals(params, total, setting)
            await lock_key(conn, bucket.name, key)
            if params.get("IfNoneMatch") is not None or params.get("IfMatch") is not None:
                check_write_conditions(params, key, await latest_version(conn, bucket.name, key))
            etag = multipart_etag([str(r["etag"]) for r in chosen])
            checksum: dict[str, str] | None
            if setting is not None:
                checksum = object_checksum(
                    setting, [(_json(r["checksum"])["value"], int(r["size"])) for r in chosen]
                )
            else:
                checksum = _default_checksum(chosen)
            if checksum is not None:
                self._check_object_checksum(params, checksum)
            parts_doc = []
            for index, row in enumerate(chosen, start=1):
                entry: dict[str, Any] = {
                    "PartNumber": index,
                    "UploadedPartNumber": row["part_number"],
                    "Size": int(row["size"]),
                    "ETag": row["etag"],
                }
                entry.update(_part_checksum_output(row["checksum"]))
                parts_doc.append(entry)
            new = NewVersion(
                bucket=bucket.name,
                key=key,
                owner_account=upload["owner_account"],
                size=total,
                etag=etag,
                blob_ids=[r["blob_id"] for r in chosen],
                part_sizes=[int(r["size"]) for r in chosen],
                parts=parts_doc,
                storage_class=upload["storage_class"],
                metadata=_json(upload["metadata"]) or {},
                headers=_json(upload["headers"]) or {},
                checksum=checksum,
                encryption=_json(upload["encryption"]) or {},
                tags=_json(upload["tags"]) or {},
                acl=_json(upload["acl"]),
                lock_mode=upload["lock_mode"],
                lock_retain_until=upload["lock_retain_until"],
                legal_hold=upload["legal_hold"],
            )
            stored = await put_version(conn, bucket, new, ctx, reason="CompleteMultipartUpload")
            await conn.execute("DELETE FROM s3_uploads WHERE upload_id = $1", upload_id)
            out: Output = {
                "Location": self._location(ctx, bucket.name, key),
                "Bucket": bucket.name,
                "Key": key,
                "ETag": etag,
            }
            if checksum is not None:
                out[checksums.member(checksum["algorithm"])] = checksum["value"]
                out["ChecksumType"] = checksum["type"]
            out.update(encryption_output(new.encryption))
            version = response_version_id(bucket, stored.version_id)
            if version is not None:
                out["VersionId"] = version
            expiration = await self._expiration(conn, bucket.name, new, stored.last_modified)
            if expiration:
                out["Expiration"] = expiration
            await conn.execute(
                "INSERT INTO s3_completed_uploads (upload_id, bucket, key, output)"
                " VALUES ($1, $2, $3, $4::jsonb)",
                upload_id,
                bucket.name,
                key,
                json.dumps(out),
            )
            return out

    @staticmethod
    def _location(ctx: RequestContext, bucket: str, key: str) -> str:
        host = ctx.endpoint_host or "s3.amazonaws.com"
        return f"http://{host}/{bucket}/{quote(key)}"

    async def _expiration(
        self, conn: asyncpg.Connection, bucket: str, new: NewVersion, modified: datetime
    ) -> str | None:
        config = await get_config(conn, bucket, "lifecycle")
        if not config:
            return None
        return lifecycle_rules.expiration_header(
            config, new.key, new.tags, new.size, modified, self.settings.s3_lifecycle_clock_scale
        )

    @staticmethod
    def _match_parts(
        upload_id: str,
        listed: list[Any],
        rows: dict[int, asyncpg.Record],
        setting: dict[str, str] | None,
    ) -> list[asyncpg.Record]:
        """The stored parts the list names: InvalidPart for a missing part or a wrong ETag or
        checksum, EntityTooSmall for a part under 5 MiB that is not the last."""
        chosen: list[asyncpg.Record] = []
        for item in listed:
            row = rows.get(item.number)
            if row is None or str(row["etag"]).strip('"') != item.etag:
                raise invalid_part(upload_id, item.number, item.etag)
            stored = _json(row["checksum"]) or {}
            for algorithm, value in item.checksums.items():
                if stored.get("algorithm") != algorithm or stored.get("value") != value:
                    raise invalid_part(upload_id, item.number, item.etag)
            composite = setting is not None and setting["type"] == "COMPOSITE"
            if composite and setting is not None and setting["algorithm"] not in item.checksums:
                raise invalid_request(
                    f"The upload was created using a {setting['algorithm'].lower()} "
                    "checksum. The complete request must include the checksum for each "
                    f"part. It was missing for part {item.number} in the request."
                )
            chosen.append(row)
        for row in chosen[:-1]:
            if int(row["size"]) < MIN_PART_SIZE:
                raise entity_too_small(int(row["size"]), row["part_number"], str(row["etag"]))
        return chosen

    @staticmethod
    def _check_totals(params: Input, total: int, setting: dict[str, str] | None) -> None:
        size = params.get("MpuObjectSize")
        if size is not None and int(size) != total:
            raise invalid_request(
                f"The provided 'x-amz-mp-object-size' header value {size} does not match what "
                f"was computed: {total}"
            )
        kind = params.get("ChecksumType")
        if kind is not None and (setting is None or str(kind).upper() != setting["type"]):
            mode = setting["type"] if setting else "no"
            raise invalid_request(
                f"The upload was created using the {mode} checksum mode. The complete "
                "request must use the same checksum mode."
            )

    @staticmethod
    def _check_object_checksum(params: Input, checksum: dict[str, str]) -> None:
        for algorithm in checksums.ALGORITHMS:
            sent = params.get(checksums.member(algorithm))
            if sent is None:
                continue
            if algorithm != checksum["algorithm"]:
                raise invalid_request(
                    "Checksum Type mismatch occurred, expected checksum Type: "
                    f"{checksum['algorithm'].lower()}, actual checksum Type: {algorithm.lower()}"
                )
            if str(sent).split("-")[0] != checksum["value"].split("-")[0]:
                raise AwsError(
                    "BadDigest",
                    f"The {algorithm.lower()} you specified for the multipart upload did not "
                    "match the calculated checksum.",
                    400,
                )

    async def abort(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(self.db, params)
        key, upload_id = str(params["Key"]), str(params.get("UploadId") or "")
        async with self.db.acquire() as conn, conn.transaction():
            upload = await conn.fetchrow(
                "SELECT bucket, key, initiated_at FROM s3_uploads WHERE upload_id = $1 FOR UPDATE",
                upload_id,
            )
            if upload is None or upload["bucket"] != bucket.name or upload["key"] != key:
                raise no_such_upload(upload_id)
            wanted = params.get("IfMatchInitiatedTime")
            if wanted is not None:
                initiated = upload["initiated_at"].replace(microsecond=0)
                moment = parse_time(wanted)
                if moment is None or moment.replace(microsecond=0) != initiated:
                    raise precondition_failed("x-amz-if-match-initiated-time")
            await conn.execute("DELETE FROM s3_uploads WHERE upload_id = $1", upload_id)
        return {}

    # --- listings -------------------------------------------------------------------------

    async def list_parts(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(self.db, params)
        upload = await _upload(self.db, bucket.name, str(params["Key"]), params.get("UploadId"))
        limit = max_listed(params.get("MaxParts"), "max-parts")
        marker = int(params.get("PartNumberMarker") or 0)
        rows = await self.db.fetch(
            "SELECT part_number, size, etag, checksum, last_modified FROM s3_parts"
            " WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3",
            upload["upload_id"],
            marker,
            limit + 1,
        )
        truncated = limit > 0 and len(rows) > limit
        rows = rows[:limit]
        parts = []
        for row in rows:
            part: dict[str, Any] = {
                "PartNumber": row["part_number"],
                "LastModified": timestamp(row["last_modified"]),
                "ETag": row["etag"],
                "Size": row["size"],
            }
            part.update(_part_checksum_output(row["checksum"]))
            parts.append(part)
        out: Output = {
            "Bucket": bucket.name,
            "Key": upload["key"],
            "UploadId": upload["upload_id"],
            "PartNumberMarker": marker,
            "MaxParts": limit,
            "IsTruncated": truncated,
            "Initiator": initiator(upload),
            "Owner": acl.owner(upload["owner_account"]),
            "StorageClass": upload["storage_class"],
        }
        if rows:
            out["NextPartNumberMarker"] = rows[-1]["part_number"]
            out["Parts"] = parts
        setting = _checksum_setting(upload)
        if setting is not None:
            out["ChecksumAlgorithm"] = setting["algorithm"]
            out["ChecksumType"] = setting["type"]
        out.update(await self._abort_rule(bucket.name, upload["key"], upload["initiated_at"]))
        return out

    async def list_uploads(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(self.db, params)
        encode = Encoder(encoding(params.get("EncodingType")))
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        limit = max_listed(params.get("MaxUploads"), "max-uploads")
        key_marker = params.get("KeyMarker") or ""
        id_marker = params.get("UploadIdMarker") or ""
        start = first_start(prefix, key_marker)
        if key_marker and id_marker and key_marker >= prefix:
            seq = await self.db.fetchval(
                "SELECT seq FROM s3_uploads WHERE upload_id = $1 AND bucket = $2 AND key = $3",
                id_marker,
                bucket.name,
                key_marker,
            )
            if seq is not None:
                start = Start(key_marker, inclusive=False, seq=int(seq))
        page = await walk(
            self._uploads_fetcher(bucket.name),
            lambda row: str(row["key"]),
            lambda row: int(row["seq"]),
            prefix=prefix,
            delimiter=delimiter,
            start=start,
            marker=key_marker,
            limit=limit,
        )
        out: Output = {
            "Bucket": bucket.name,
            "KeyMarker": encode(key_marker),
            "UploadIdMarker": id_marker,
            "Prefix": encode(prefix),
            "MaxUploads": limit,
            "IsTruncated": page.truncated,
        }
        if params.get("Delimiter") is not None:
            out["Delimiter"] = encode(str(params["Delimiter"]))
        if params.get("EncodingType"):
            out["EncodingType"] = params["EncodingType"]
        uploads, prefixes = [], []
        for entry in page.entries:
            if isinstance(entry, CommonPrefix):
                prefixes.append({"Prefix": encode(entry.prefix)})
                continue
            item: dict[str, Any] = {
                "UploadId": entry["upload_id"],
                "Key": encode(entry["key"]),
                "Initiated": timestamp(entry["initiated_at"]),
                "StorageClass": entry["storage_class"],
                "Owner": acl.owner(entry["owner_account"]),
                "Initiator": initiator(entry),
            }
            setting = _checksum_setting(entry)
            if setting is not None:
                item["ChecksumAlgorithm"] = setting["algorithm"]
                item["ChecksumType"] = setting["type"]
            uploads.append(item)
        if page.entries:
            last = page.entries[-1]
            if isinstance(last, CommonPrefix):
                out["NextKeyMarker"] = encode(last.prefix)
            else:
                out["NextKeyMarker"] = encode(last["key"])
                out["NextUploadIdMarker"] = last["upload_id"]
        if uploads:
            out["Uploads"] = uploads
        if prefixes:
            out["CommonPrefixes"] = prefixes
        return out

    def _uploads_fetcher(self, bucket: str) -> Any:
        """Uploads in key order, oldest first within a key (index s3_uploads_listing)."""
        columns = (
            "upload_id, key, seq, initiated_at, storage_class, owner_account, initiator_arn,"
            " checksum"
        )

        async def fetch(start: Start, end: str | None, limit: int) -> list[asyncpg.Record]:
            rows: list[asyncpg.Record] = []
            position = start
            if start.seq is not None:
                rows += await self.db.fetch(
                    f"SELECT {columns} FROM s3_uploads WHERE bucket = $1 AND key = $2"
                    " AND seq > $3 ORDER BY seq LIMIT $4",
                    bucket,
                    start.key,
                    start.seq,
                    limit,
                )
                position = Start(start.key, inclusive=False)
            if len(rows) < limit:
                lower = ">=" if position.inclusive else ">"
                upper = " AND key < $4" if end is not None else ""
                args: list[Any] = [bucket, position.key, limit - len(rows)]
                if end is not None:
                    args.append(end)
                rows += await self.db.fetch(
                    f"SELECT {columns} FROM s3_uploads WHERE bucket = $1 AND key {lower} $2"
                    f"{upper} ORDER BY key, seq LIMIT $3",
                    *args,
                )
            return rows

        return fetch


async def _nothing() -> AsyncIterator[bytes]:
    empty: tuple[bytes, ...] = ()
    for chunk in empty:
        yield chunk


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    handlers = Multipart(resources, settings)
    return OperationTable(
        unary={
            "CreateMultipartUpload": handlers.create,
            "UploadPartCopy": handlers.upload_part_copy,
            "CompleteMultipartUpload": handlers.complete,
            "AbortMultipartUpload": handlers.abort,
            "ListParts": handlers.list_parts,
            "ListMultipartUploads": handlers.list_uploads,
        },
        upload={"UploadPart": handlers.upload_part},
    )
