"""ListObjects, ListObjectsV2 and ListObjectVersions over the key-ordered indexes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, OperationTable, Output
from nimbus_core.runtime import Resources

from nimbus_s3 import acl
from nimbus_s3.bucket_checks import check_expected_owner
from nimbus_s3.buckets import Bucket, require_bucket
from nimbus_s3.errors import invalid_argument
from nimbus_s3.listing_keys import Encoder, encoding, make_token, max_keys, read_token
from nimbus_s3.listing_walk import CommonPrefix, Page, Start, first_start, walk
from nimbus_s3.settings import S3Settings
from nimbus_s3.versions import valid_version_id

# LastModified is formatted by PostgreSQL (whole seconds, as S3 lists it) and only the
# checksum's algorithm and type are read: a 1000-key page builds no datetime or JSON.
_COLUMNS = (
    "key, version_id, seq, is_latest, delete_marker,"
    " to_char(last_modified AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\".000Z\"')"
    " AS modified, size, etag, storage_class, owner_account,"
    " checksum->>'algorithm' AS checksum_algorithm, checksum->>'type' AS checksum_type"
)


# S3 writes <Version> and <DeleteMarker> interleaved in listing order; the model keeps them
# in two lists, so the order travels in a reserved output key the gateway's rest-xml
# serializer reads (see ORDER_KEY in nimbus_gateway.protocol.restxml): one tag per entry.
_ORDER_KEY = "__order"
_ORDER_TAGS = {"Versions": "V", "DeleteMarkers": "D"}


def _range_sql(start: Start, end: str | None, table_filter: str, order: str) -> str:
    lower = ">=" if start.inclusive else ">"
    upper = " AND key < $4" if end is not None else ""
    return (
        f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = $1 AND {table_filter}"
        f" AND key {lower} $2{upper} ORDER BY {order} LIMIT $3"
    )


def current_fetcher(db: asyncpg.Pool, bucket: str) -> Callable[[Start, str | None, int], Any]:
    """Rows of the current, non-deleted versions (index s3_objects_current)."""

    async def fetch(start: Start, end: str | None, limit: int) -> list[asyncpg.Record]:
        sql = _range_sql(start, end, "is_latest AND NOT delete_marker", "key")
        args: list[Any] = [bucket, start.key, limit]
        if end is not None:
            args.append(end)
        return list(await db.fetch(sql, *args))

    return fetch


def versions_fetcher(db: asyncpg.Pool, bucket: str) -> Callable[[Start, str | None, int], Any]:
    """Every version and delete marker, key ascending, newest first (s3_objects_versions)."""

    async def fetch(start: Start, end: str | None, limit: int) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = []
        position = start
        if start.seq is not None:
            rows += await db.fetch(
                f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = $1 AND key = $2"
                " AND seq < $3 ORDER BY seq DESC LIMIT $4",
                bucket,
                start.key,
                start.seq,
                limit,
            )
            position = Start(start.key, inclusive=False)
        if len(rows) < limit:
            sql = _range_sql(position, end, "true", "key, seq DESC")
            args: list[Any] = [bucket, position.key, limit - len(rows)]
            if end is not None:
                args.append(end)
            rows += await db.fetch(sql, *args)
        return rows

    return fetch


def _key(row: asyncpg.Record) -> str:
    return str(row["key"])


def _seq(row: asyncpg.Record) -> int:
    return int(row["seq"])


def _checksum_fields(row: asyncpg.Record) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row["checksum_algorithm"]:
        out["ChecksumAlgorithm"] = [row["checksum_algorithm"]]
    if row["checksum_type"]:
        out["ChecksumType"] = row["checksum_type"]
    return out


@functools.lru_cache(maxsize=4096)
def _owner(account_id: str) -> dict[str, str]:
    return acl.owner(account_id)


def _object(row: asyncpg.Record, encode: Encoder, owner: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Key": encode(row["key"]),
        "LastModified": row["modified"],
        "ETag": row["etag"],
        **_checksum_fields(row),
        "Size": row["size"],
        "StorageClass": row["storage_class"],
    }
    if owner:
        item["Owner"] = _owner(row["owner_account"])
    return item


def _version(row: asyncpg.Record, encode: Encoder) -> tuple[str, dict[str, Any]]:
    common = {
        "Key": encode(row["key"]),
        "VersionId": row["version_id"],
        "IsLatest": row["is_latest"],
        "LastModified": row["modified"],
        "Owner": _owner(row["owner_account"]),
    }
    if row["delete_marker"]:
        return "DeleteMarkers", common
    return "Versions", {
        "ETag": row["etag"],
        **_checksum_fields(row),
        "Size": row["size"],
        "StorageClass": row["storage_class"],
        **common,
    }


def _common_prefixes(page: Page[asyncpg.Record], encode: Encoder) -> list[dict[str, str]]:
    return [{"Prefix": encode(e.prefix)} for e in page.entries if isinstance(e, CommonPrefix)]


def _position(entry: asyncpg.Record | CommonPrefix) -> str:
    return entry.prefix if isinstance(entry, CommonPrefix) else str(entry["key"])


def _echo(out: Output, params: Input, encode: Encoder, *names: tuple[str, str]) -> None:
    """Copy request members S3 echoes (url-encoded when asked) into the output."""
    for member, target in names:
        value = params.get(member)
        if value is not None:
            out[target] = encode(str(value))


async def _bucket(db: asyncpg.Pool, params: Input) -> Bucket:
    bucket = await require_bucket(db, params["Bucket"])
    check_expected_owner(bucket, params)
    return bucket


def _list_params(params: Input) -> tuple[str, str, int, Encoder]:
    encode = Encoder(encoding(params.get("EncodingType")))
    return (
        params.get("Prefix") or "",
        params.get("Delimiter") or "",
        max_keys(params.get("MaxKeys")),
        encode,
    )


def _finish(out: Output, page: Page[asyncpg.Record], encode: Encoder, owner: bool) -> None:
    contents = [_object(e, encode, owner) for e in page.entries if not isinstance(e, CommonPrefix)]
    if contents:
        out["Contents"] = contents
    prefixes = _common_prefixes(page, encode)
    if prefixes:
        out["CommonPrefixes"] = prefixes


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    db = resources.pool

    async def list_objects(ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(db, params)
        prefix, delimiter, limit, encode = _list_params(params)
        marker = params.get("Marker") or ""
        page = await walk(
            current_fetcher(db, bucket.name),
            _key,
            lambda row: None,
            prefix=prefix,
            delimiter=delimiter,
            start=first_start(prefix, marker),
            marker=marker,
            limit=limit,
        )
        out: Output = {
            "Name": bucket.name,
            "Prefix": encode(prefix),
            "Marker": encode(marker),
            "MaxKeys": limit,
            "IsTruncated": page.truncated,
        }
        _echo(out, params, encode, ("Delimiter", "Delimiter"))
        if params.get("EncodingType"):
            out["EncodingType"] = params["EncodingType"]
        if page.truncated and delimiter:
            out["NextMarker"] = encode(_position(page.entries[-1]))
        _finish(out, page, encode, owner=True)
        return out

    async def list_objects_v2(ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(db, params)
        prefix, delimiter, limit, encode = _list_params(params)
        token = params.get("ContinuationToken")
        if token:
            marker = read_token(str(token))
            start = Start(marker, inclusive=False) if marker >= prefix else first_start(prefix, "")
        else:
            marker = params.get("StartAfter") or ""
            start = first_start(prefix, marker)
        page = await walk(
            current_fetcher(db, bucket.name),
            _key,
            lambda row: None,
            prefix=prefix,
            delimiter=delimiter,
            start=start,
            marker=marker,
            limit=limit,
        )
        out: Output = {
            "Name": bucket.name,
            "Prefix": encode(prefix),
            "MaxKeys": limit,
            "KeyCount": len(page.entries),
            "IsTruncated": page.truncated,
        }
        _echo(out, params, encode, ("Delimiter", "Delimiter"), ("StartAfter", "StartAfter"))
        if params.get("EncodingType"):
            out["EncodingType"] = params["EncodingType"]
        if token is not None:
            out["ContinuationToken"] = token
        if page.truncated:
            out["NextContinuationToken"] = make_token(_position(page.entries[-1]))
        _finish(out, page, encode, owner=bool(params.get("FetchOwner")))
        return out

    async def list_object_versions(ctx: RequestContext, params: Input) -> Output:
        bucket = await _bucket(db, params)
        prefix, delimiter, limit, encode = _list_params(params)
        key_marker = params.get("KeyMarker") or ""
        version_marker = params.get("VersionIdMarker") or ""
        start = first_start(prefix, key_marker)
        if version_marker:
            if not key_marker:
                raise invalid_argument(
                    "A version-id marker cannot be specified without a key marker.",
                    "version-id-marker",
                    version_marker,
                )
            if not valid_version_id(version_marker):
                raise invalid_argument(
                    "Invalid version id specified", "version-id-marker", version_marker
                )
            seq = await db.fetchval(
                "SELECT seq FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3",
                bucket.name,
                key_marker,
                version_marker,
            )
            if seq is not None and key_marker >= prefix:
                start = Start(key_marker, inclusive=False, seq=int(seq))
        page = await walk(
            versions_fetcher(db, bucket.name),
            _key,
            _seq,
            prefix=prefix,
            delimiter=delimiter,
            start=start,
            marker=key_marker,
            limit=limit,
        )
        out: Output = {
            "Name": bucket.name,
            "Prefix": encode(prefix),
            "KeyMarker": encode(key_marker),
            "VersionIdMarker": version_marker,
            "MaxKeys": limit,
            "IsTruncated": page.truncated,
        }
        _echo(out, params, encode, ("Delimiter", "Delimiter"))
        if params.get("EncodingType"):
            out["EncodingType"] = params["EncodingType"]
        if page.truncated:
            last = page.entries[-1]
            out["NextKeyMarker"] = encode(_position(last))
            if not isinstance(last, CommonPrefix):
                out["NextVersionIdMarker"] = last["version_id"]
        order: list[str] = []
        for entry in page.entries:
            if not isinstance(entry, CommonPrefix):
                member, item = _version(entry, encode)
                out.setdefault(member, []).append(item)
                order.append(_ORDER_TAGS[member])
        if out.get("DeleteMarkers"):
            out[_ORDER_KEY] = order
        prefixes = _common_prefixes(page, encode)
        if prefixes:
            out["CommonPrefixes"] = prefixes
        return out

    return OperationTable(
        unary={
            "ListObjects": list_objects,
            "ListObjectsV2": list_objects_v2,
            "ListObjectVersions": list_object_versions,
        }
    )
