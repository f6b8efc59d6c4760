"""Pure multipart rules: part numbers, the completion part list, ETags, copy ranges, errors.

Messages are S3's, word for word where known (note the two spaces in InvalidPart's).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_s3 import checksums
from nimbus_s3.errors import invalid_argument, invalid_request, malformed_xml

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
MAX_PART_NUMBER = 10_000
MAX_LISTED = 1000


def new_upload_id() -> str:
    """An opaque upload id, URL-safe (it travels in query strings)."""
    return secrets.token_urlsafe(48)


def part_number(value: Any) -> int:
    """PartNumber checked as S3 checks it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or not 1 <= number <= MAX_PART_NUMBER:
        raise invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive",
            "partNumber",
            "" if value is None else str(value),
        )
    return number


def max_listed(value: Any, name: str) -> int:
    """MaxParts / MaxUploads: default and ceiling 1000, negatives refused."""
    if value is None:
        return MAX_LISTED
    number = int(value)
    if number < 0:
        raise invalid_argument(
            f"Argument {name} must be an integer between 0 and 2147483647", name, str(value)
        )
    return min(number, MAX_LISTED)


def bare_etag(etag: str) -> str:
    """An ETag without surrounding whitespace and quotes, for comparisons."""
    return etag.strip().strip('"')


def quoted(md5_hex: str) -> str:
    return f'"{md5_hex}"'


def multipart_etag(part_etags: Sequence[str]) -> str:
    """S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-N"."""
    digest = hashlib.md5(b"".join(bytes.fromhex(bare_etag(e)) for e in part_etags))
    return f'"{digest.hexdigest()}-{len(part_etags)}"'


@dataclass(frozen=True)
class ListedPart:
    """One <Part> of a CompleteMultipartUpload body."""

    number: int
    etag: str  # bare
    checksums: dict[str, str] = field(default_factory=dict)  # algorithm -> base64


def listed_parts(document: Mapping[str, Any] | None, upload_id: str) -> list[ListedPart]:
    """The completion's part list: MalformedXML when empty, InvalidPartOrder unless strictly
    ascending by part number."""
    raw = (document or {}).get("Parts") or []
    if not raw:
        raise malformed_xml()
    parts: list[ListedPart] = []
    for item in raw:
        if item.get("PartNumber") is None or item.get("ETag") is None:
            raise malformed_xml()
        number = int(item["PartNumber"])
        if parts and number <= parts[-1].number:
            raise invalid_part_order(upload_id)
        sums = {
            a: str(item[checksums.member(a)])
            for a in checksums.ALGORITHMS
            if item.get(checksums.member(a))
        }
        parts.append(ListedPart(number, bare_etag(str(item["ETag"])), sums))
    return parts


def invalid_part(upload_id: str, number: int, etag: str) -> AwsError:
    return AwsError(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been "
        "uploaded, or the specified entity tag may not have matched the part's entity tag.",
        400,
        extra={"UploadId": upload_id, "PartNumber": str(number), "ETag": etag},
    )


def invalid_part_order(upload_id: str) -> AwsError:
    return AwsError(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
        400,
        extra={"UploadId": upload_id},
    )


def entity_too_small(size: int, number: int, etag: str) -> AwsError:
    return AwsError(
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size",
        400,
        extra={
            "ProposedSize": str(size),
            "MinSizeAllowed": str(MIN_PART_SIZE),
            "PartNumber": str(number),
            "ETag": etag,
        },
    )


def entity_too_large(size: int) -> AwsError:
    return AwsError(
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size",
        400,
        extra={"ProposedSize": str(size), "MaxSizeAllowed": str(MAX_PART_SIZE)},
    )


# --- checksum settings of an upload -------------------------------------------------------

UPLOAD_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def upload_checksum(params: Mapping[str, Any]) -> dict[str, str] | None:
    """CreateMultipartUpload's x-amz-checksum-algorithm / -type as stored on the upload."""
    algorithm = params.get("ChecksumAlgorithm")
    kind = params.get("ChecksumType")
    if algorithm is None:
        if kind is not None:
            raise invalid_request(
                "The x-amz-checksum-type header can only be used with the "
                "x-amz-checksum-algorithm header."
            )
        return None
    algorithm = str(algorithm).upper()
    if algorithm not in UPLOAD_ALGORITHMS:
        raise invalid_request(
            "Checksum algorithm provided is unsupported. Please try again with any of the "
            "valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
        )
    if kind is None:
        kind = "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
    kind = str(kind).upper()
    if kind not in ("COMPOSITE", "FULL_OBJECT"):
        raise invalid_request("Value for x-amz-checksum-type header is invalid.")
    if kind == "FULL_OBJECT" and algorithm not in checksums.CRC_ALGORITHMS:
        raise invalid_request(
            f"The FULL_OBJECT checksum type cannot be used with the {algorithm.lower()} "
            "checksum algorithm."
        )
    if kind == "COMPOSITE" and algorithm == "CRC64NVME":
        raise invalid_request(
            "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."
        )
    return {"algorithm": algorithm, "type": kind}


def object_checksum(setting: Mapping[str, str], parts: Sequence[tuple[str, int]]) -> dict[str, str]:
    """The completed object's checksum from its parts' (base64 checksum, size)."""
    algorithm, kind = setting["algorithm"], setting["type"]
    if kind == "FULL_OBJECT":
        value = checksums.full_object(algorithm, parts)
    else:
        value = checksums.composite(algorithm, [v for v, _ in parts])
    return {"algorithm": algorithm, "value": value, "type": kind}


# --- UploadPartCopy ranges ------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def copy_range(value: str | None, size: int) -> tuple[int, int]:
    """x-amz-copy-source-range as [start, end) of the source; the whole source when absent."""
    if value is None:
        return 0, size
    match = _RANGE.match(value.strip())
    if match is None or int(match.group(1)) > int(match.group(2)):
        raise invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where "
            "first and last are the zero-based offsets of the first and last bytes to copy",
            "x-amz-copy-source-range",
            value,
        )
    first, last = int(match.group(1)), int(match.group(2))
    if last >= size:
        raise AwsError(
            "InvalidRange",
            "The requested range is not satisfiable",
            416,
            extra={"RangeRequested": value, "ActualObjectSize": str(size)},
        )
    return first, last + 1
