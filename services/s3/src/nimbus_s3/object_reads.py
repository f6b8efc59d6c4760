"""What GET/HEAD answer for a stored version: conditional requests, ranges, part numbers
and the output members, with S3's precedence rules and errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_s3 import checksums
from nimbus_s3.buckets import Bucket
from nimbus_s3.errors import not_modified, precondition_failed
from nimbus_s3.object_inputs import encryption_output, parse_time
from nimbus_s3.versions import StoredVersion, response_version_id


def iso(moment: datetime) -> str:
    """S3's timestamp: whole seconds (HTTP dates have no fractions, so neither do we)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def etag_matches(header: str, etag: str) -> bool:
    """If-Match / If-None-Match: "*" or a comma list of (quoted or bare, maybe weak) tags."""
    bare = etag.strip('"')
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == "*" or tag.strip('"') == bare:
            return True
    return False


def check_read_conditions(params: dict[str, Any], version: StoredVersion) -> None:
    """GET/HEAD preconditions (RFC 7232 order, as S3): If-Match beats If-Unmodified-Since
    (412), If-None-Match beats If-Modified-Since (304)."""
    modified = seconds(version.last_modified)
    if_match = params.get("IfMatch")
    if if_match is not None:
        if not etag_matches(str(if_match), version.etag):
            raise precondition_failed("If-Match")
    else:
        since = parse_time(params.get("IfUnmodifiedSince"))
        if since is not None and modified > since:
            raise precondition_failed("If-Unmodified-Since")
    if_none = params.get("IfNoneMatch")
    if if_none is not None:
        if etag_matches(str(if_none), version.etag):
            raise _not_modified(version)
    else:
        since = parse_time(params.get("IfModifiedSince"))
        if since is not None and modified <= since:
            raise _not_modified(version)


def _not_modified(version: StoredVersion) -> AwsError:
    """304 with the validators S3 sends along (ETag, Last-Modified)."""
    error = not_modified()
    error.extra["header:ETag"] = version.etag
    error.extra["header:Last-Modified"] = iso(version.last_modified)
    return error


def check_copy_conditions(params: dict[str, Any], version: StoredVersion) -> None:
    """CopySourceIf*: the same pairs as GET, but every failure is 412."""
    modified = seconds(version.last_modified)
    if_match = params.get("CopySourceIfMatch")
    if if_match is not None:
        if not etag_matches(str(if_match), version.etag):
            raise precondition_failed("x-amz-copy-source-If-Match")
    else:
        since = parse_time(params.get("CopySourceIfUnmodifiedSince"))
        if since is not None and modified > since:
            raise precondition_failed("x-amz-copy-source-If-Unmodified-Since")
    if_none = params.get("CopySourceIfNoneMatch")
    if if_none is not None:
        if etag_matches(str(if_none), version.etag):
            raise precondition_failed("x-amz-copy-source-If-None-Match")
    else:
        since = parse_time(params.get("CopySourceIfModifiedSince"))
        if since is not None and modified <= since:
            raise precondition_failed("x-amz-copy-source-If-Modified-Since")


ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})


_RESTORE_EXPIRY = re.compile(r'expiry-date="([^"]+)"')


def restore_expiry(version: StoredVersion) -> datetime | None:
    """When the restored copy of an archived version goes away; None when there is none (or
    it has gone)."""
    match = _RESTORE_EXPIRY.search(str(version.headers.get("Restore") or ""))
    if match is None:
        return None
    try:
        expiry = parsedate_to_datetime(match.group(1))
    except (TypeError, ValueError):
        return None
    return expiry if expiry > datetime.now(UTC) else None


def check_readable(version: StoredVersion, *, copy_source: bool = False) -> None:
    """Archived objects are not readable until restored (HEAD still works)."""
    if version.storage_class in ARCHIVED and restore_expiry(version) is None:
        message = (
            "Operation is not valid for the source object's storage class"
            if copy_source
            else "The operation is not valid for the object's storage class"
        )
        raise AwsError(
            "InvalidObjectState", message, 403, extra={"StorageClass": version.storage_class}
        )


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def invalid_range(requested: str, size: int) -> AwsError:
    return AwsError(
        "InvalidRange",
        "The requested range is not satisfiable",
        416,
        extra={"RangeRequested": requested, "ActualObjectSize": size},
    )


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a Range header; None for no range or one S3 ignores (malformed,
    several ranges); InvalidRange when it cannot be satisfied."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise invalid_range(header, size)
        return max(0, size - suffix), size
    start = int(first)
    end = int(last) + 1 if last else size
    if last and end <= start:
        return None  # last < first: syntactically invalid, S3 ignores it
    if start >= size:
        raise invalid_range(header, size)
    return start, min(end, size)


@dataclass(frozen=True)
class ReadPlan:
    """The bytes a GET sends: [start, end) of the object, and how to describe them."""

    start: int
    end: int
    content_range: str | None = None
    parts_count: int | None = None
    part_number: int | None = None


def plan_read(params: dict[str, Any], version: StoredVersion) -> ReadPlan:
    size = version.size
    part_number = params.get("PartNumber")
    if part_number is not None:
        number = int(part_number)
        if params.get("Range"):
            raise AwsError(
                "InvalidRequest",
                "Cannot specify both Range header and partNumber query parameter",
                400,
            )
        sizes = version.part_sizes or [size]
        if number < 1 or number > len(sizes):
            if number == 1 and size == 0:
                return ReadPlan(0, 0, None, len(sizes), 1)
            raise AwsError(
                "InvalidPartNumber",
                "The requested partnumber is not satisfiable",
                416,
                extra={"PartNumberRequested": number, "ActualPartCount": len(sizes)},
            )
        start = sum(sizes[: number - 1])
        end = start + sizes[number - 1]
        parts_count = len(version.part_sizes) if version.part_sizes else None
        content_range = f"bytes {start}-{end - 1}/{size}" if version.part_sizes else None
        return ReadPlan(start, end, content_range, parts_count, number)
    span = parse_range(params.get("Range"), size)
    if span is None:
        return ReadPlan(0, size)
    start, end = span
    return ReadPlan(start, end, f"bytes {start}-{end - 1}/{size}")


_OVERRIDES = (
    ("ResponseCacheControl", "CacheControl"),
    ("ResponseContentDisposition", "ContentDisposition"),
    ("ResponseContentEncoding", "ContentEncoding"),
    ("ResponseContentLanguage", "ContentLanguage"),
    ("ResponseContentType", "ContentType"),
    ("ResponseExpires", "Expires"),
)


def checksum_members(version: StoredVersion, part_number: int | None = None) -> dict[str, Any]:
    """ChecksumXXX + ChecksumType of the object (or of one part of a multipart object)."""
    stored = version.checksum
    if not stored or not stored.get("algorithm"):
        return {}
    algorithm = str(stored["algorithm"])
    if part_number is not None and version.parts:
        for part in version.parts:
            if part.get("PartNumber") == part_number and part.get(checksums.member(algorithm)):
                return {checksums.member(algorithm): part[checksums.member(algorithm)]}
        return {}
    out: dict[str, Any] = {checksums.member(algorithm): stored.get("value")}
    if stored.get("type"):
        out["ChecksumType"] = stored["type"]
    return out


def version_output(
    bucket: Bucket, version: StoredVersion, params: dict[str, Any], plan: ReadPlan
) -> dict[str, Any]:
    """The output members GetObject and HeadObject share."""
    out: dict[str, Any] = {
        "AcceptRanges": "bytes",
        "LastModified": iso(version.last_modified),
        "ContentLength": plan.end - plan.start,
        "ETag": version.etag,
    }
    vid = response_version_id(bucket, version.version_id)
    if vid is not None:
        out["VersionId"] = vid
    if plan.content_range:
        out["ContentRange"] = plan.content_range
    if plan.parts_count:
        out["PartsCount"] = plan.parts_count
    for name, value in version.headers.items():
        out[name] = value
    if version.metadata:
        out["Metadata"] = dict(version.metadata)
    if version.storage_class != "STANDARD":
        out["StorageClass"] = version.storage_class
    out.update(encryption_output(version.encryption))
    if version.lock_mode and version.lock_retain_until:
        out["ObjectLockMode"] = version.lock_mode
        out["ObjectLockRetainUntilDate"] = iso(version.lock_retain_until)
    if version.legal_hold:
        out["ObjectLockLegalHoldStatus"] = "ON"
    whole = plan.start == 0 and plan.end == version.size and plan.part_number is None
    if str(params.get("ChecksumMode") or "").upper() == "ENABLED":
        if whole:
            out.update(checksum_members(version))
        elif plan.part_number is not None:
            out.update(checksum_members(version, plan.part_number))
    for override, member in _OVERRIDES:
        if params.get(override) is not None:
            out[member] = params[override]
    return out
