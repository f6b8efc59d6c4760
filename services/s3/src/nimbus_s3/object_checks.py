"""Integrity checks of an uploaded body: Content-MD5, x-amz-checksum-* (headers or
aws-chunked trailers), the declared length; and the conditional-write checks."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_s3 import checksums
from nimbus_s3.blobs import BlobWritten
from nimbus_s3.errors import invalid_request, no_such_key, precondition_failed
from nimbus_s3.object_reads import etag_matches
from nimbus_s3.versions import StoredVersion

# What S3 computes when the client asked for no checksum (since its 2025 integrity default).
DEFAULT_ALGORITHM = "CRC64NVME"


def invalid_digest() -> AwsError:
    return AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400)


def bad_digest(expected: str, calculated: str) -> AwsError:
    return AwsError(
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
        400,
        extra={"ExpectedDigest": expected, "CalculatedDigest": calculated},
    )


def checksum_mismatch(algorithm: str) -> AwsError:
    return AwsError(
        "BadDigest",
        f"The {algorithm} you specified did not match the calculated checksum.",
        400,
    )


def invalid_checksum_value(algorithm: str) -> AwsError:
    return invalid_request(f"Value for {checksums.header(algorithm)} header is invalid.")


def incomplete_body() -> AwsError:
    return AwsError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
        400,
    )


@dataclass(frozen=True)
class UploadChecks:
    """What the client declared about the body before sending it."""

    content_md5: bytes | None
    declared: dict[str, str]  # algorithm -> base64 value from headers
    requested: str | None  # x-amz-sdk-checksum-algorithm
    length: int | None

    @property
    def algorithms(self) -> list[str]:
        """Every checksum to compute while the body streams."""
        wanted = list(self.declared)
        if self.requested and self.requested not in wanted:
            wanted.append(self.requested)
        if not wanted:
            wanted.append(DEFAULT_ALGORITHM)
        return wanted


def upload_checks(params: dict[str, Any]) -> UploadChecks:
    md5 = params.get("ContentMD5")
    raw_md5: bytes | None = None
    if md5 is not None:
        raw_md5 = checksums.unb64(str(md5))
        if raw_md5 is None or len(raw_md5) != 16:
            raise invalid_digest()
    declared: dict[str, str] = {}
    for algorithm in checksums.ALGORITHMS:
        value = params.get(checksums.member(algorithm))
        if value is None:
            continue
        raw = checksums.unb64(str(value))
        if raw is None or len(raw) != checksums.digest_size(algorithm):
            raise invalid_checksum_value(algorithm)
        declared[algorithm] = str(value)
    if len(declared) > 1:
        raise invalid_request(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
        )
    requested = params.get("ChecksumAlgorithm")
    if requested is not None:
        requested = str(requested).upper()
        if requested not in checksums.ALGORITHMS:
            raise invalid_request("Value for x-amz-sdk-checksum-algorithm header is invalid.")
        if declared and requested not in declared:
            raise invalid_request("Value for x-amz-sdk-checksum-algorithm header is invalid.")
    length = params.get("ContentLength")
    return UploadChecks(raw_md5, declared, requested, None if length is None else int(length))


def verify_upload(
    checks: UploadChecks, written: BlobWritten, trailers: dict[str, str]
) -> dict[str, Any]:
    """Raise S3's error for a body that is not what was declared; otherwise the checksum to
    store ({"algorithm", "value", "type": "FULL_OBJECT"})."""
    if checks.length is not None and written.size < checks.length:
        raise incomplete_body()
    if checks.content_md5 is not None:
        calculated = bytes.fromhex(written.md5_hex)
        if calculated != checks.content_md5:
            raise bad_digest(
                base64.b64encode(checks.content_md5).decode(),
                base64.b64encode(calculated).decode(),
            )
    claimed = dict(checks.declared)
    for name, value in trailers.items():
        lowered = name.lower()
        if lowered.startswith("x-amz-checksum-"):
            algorithm = lowered.removeprefix("x-amz-checksum-").upper()
            if algorithm not in written.checksums:
                raise invalid_request(
                    "The value specified in the x-amz-trailer header is not supported"
                )
            raw = checksums.unb64(value)
            if raw is None or len(raw) != checksums.digest_size(algorithm):
                raise invalid_checksum_value(algorithm)
            claimed[algorithm] = value
    for algorithm, value in claimed.items():
        if written.checksums.get(algorithm) != value:
            raise checksum_mismatch(algorithm)
    algorithm = next(iter(claimed)) if claimed else checks.requested or DEFAULT_ALGORITHM
    return {"algorithm": algorithm, "value": written.checksums[algorithm], "type": "FULL_OBJECT"}


def check_write_conditions(params: dict[str, Any], key: str, latest: StoredVersion | None) -> None:
    """PutObject/CopyObject/CompleteMultipartUpload If-None-Match: * and If-Match."""
    current = None if latest is None or latest.delete_marker else latest
    if_none = params.get("IfNoneMatch")
    if if_none is not None:
        if str(if_none).strip() != "*":
            raise AwsError(
                "NotImplemented",
                "A header you provided implies functionality that is not implemented",
                501,
                extra={"Header": "If-None-Match"},
            )
        if current is not None:
            raise precondition_failed("If-None-Match")
    if_match = params.get("IfMatch")
    if if_match is not None:
        if current is None:
            raise no_such_key(key)
        if not etag_matches(str(if_match), current.etag):
            raise precondition_failed("If-Match")
