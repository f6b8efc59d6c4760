"""GetObjectAttributes: ETag (unquoted here), checksum, parts (paged), storage class, size."""

from __future__ import annotations

from typing import Any

import asyncpg

from nimbus_s3 import checksums
from nimbus_s3.buckets import require_bucket
from nimbus_s3.errors import invalid_argument
from nimbus_s3.object_inputs import require_sse_c_match
from nimbus_s3.object_reads import iso
from nimbus_s3.versions import StoredVersion, get_version, response_version_id

ATTRIBUTES = ("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")


def _requested(params: dict[str, Any]) -> set[str]:
    raw = params.get("ObjectAttributes") or []
    values = raw if isinstance(raw, list) else str(raw).split(",")
    wanted = {str(v).strip() for v in values if str(v).strip()}
    for name in wanted:
        if name not in ATTRIBUTES:
            raise invalid_argument(
                "Invalid attribute name specified.", "x-amz-object-attributes", name
            )
    if not wanted:
        raise invalid_argument("Empty Attribute List", "x-amz-object-attributes", "")
    return wanted


def _checksum(version: StoredVersion) -> dict[str, Any] | None:
    stored = version.checksum
    if not stored or not stored.get("algorithm"):
        return None
    value = str(stored.get("value", ""))
    if stored.get("type") == "COMPOSITE":
        value = value.split("-", 1)[0]
    out: dict[str, Any] = {checksums.member(str(stored["algorithm"])): value}
    if stored.get("type"):
        out["ChecksumType"] = stored["type"]
    return out


def _parts(version: StoredVersion, params: dict[str, Any]) -> dict[str, Any] | None:
    if not version.part_sizes:
        return None
    marker = int(params.get("PartNumberMarker") or 0)
    max_parts = int(params.get("MaxParts") or 1000)
    listed = version.parts or [
        {"PartNumber": i + 1, "Size": size} for i, size in enumerate(version.part_sizes)
    ]
    after = [p for p in listed if int(p.get("PartNumber", 0)) > marker]
    page = after[:max_parts]
    truncated = len(after) > max_parts
    out: dict[str, Any] = {
        "TotalPartsCount": len(version.part_sizes),
        "PartNumberMarker": marker,
        "MaxParts": max_parts,
        "IsTruncated": truncated,
        "Parts": [
            {
                k: v
                for k, v in p.items()
                if k == "PartNumber" or k == "Size" or k.startswith("Checksum")
            }
            for p in page
        ],
    }
    if page:
        out["NextPartNumberMarker"] = int(page[-1]["PartNumber"])
    return out


async def get_object_attributes(pool: asyncpg.Pool, params: dict[str, Any]) -> dict[str, Any]:
    wanted = _requested(params)
    bucket = await require_bucket(pool, params["Bucket"])
    version = await get_version(
        pool, bucket, str(params["Key"]), params.get("VersionId"), method="GET"
    )
    require_sse_c_match(version.encryption, params)
    out: dict[str, Any] = {"LastModified": iso(version.last_modified)}
    vid = response_version_id(bucket, version.version_id)
    if vid is not None:
        out["VersionId"] = vid
    if "ETag" in wanted:
        out["ETag"] = version.etag.strip('"')
    if "Checksum" in wanted:
        checksum = _checksum(version)
        if checksum:
            out["Checksum"] = checksum
    if "ObjectParts" in wanted:
        parts = _parts(version, params)
        if parts:
            out["ObjectParts"] = parts
    if "StorageClass" in wanted:
        out["StorageClass"] = version.storage_class
    if "ObjectSize" in wanted:
        out["ObjectSize"] = version.size
    return out
