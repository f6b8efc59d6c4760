"""Integrity checks of an uploaded part, by PutObject's rules (Content-MD5, x-amz-checksum-*
in headers or aws-chunked trailers, Content-Length), plus which checksum the part keeps for
its upload: the upload's algorithm when it declared one, else whatever the client sent."""

from __future__ import annotations

from collections.abc import Mapping

from nimbus_s3.blobs import BlobWritten
from nimbus_s3.errors import invalid_request
from nimbus_s3.object_checks import UploadChecks, verify_upload

# S3 keeps a CRC64NVME of every part: the default full-object checksum of an upload that
# declared no algorithm is combined from them.
DEFAULT_ALGORITHM = "CRC64NVME"


def to_compute(checks: UploadChecks, upload_algorithm: str | None) -> list[str]:
    """Algorithms to hash the part with while it streams."""
    wanted = [*checks.algorithms, DEFAULT_ALGORITHM]
    if upload_algorithm:
        wanted.append(upload_algorithm)
    return list(dict.fromkeys(wanted))


def _client_sent(checks: UploadChecks, trailers: Mapping[str, str]) -> bool:
    trailed = any(name.lower().startswith("x-amz-checksum-") for name in trailers)
    return bool(checks.declared or checks.requested or trailed)


def check_part(
    checks: UploadChecks,
    trailers: Mapping[str, str],
    written: BlobWritten,
    upload_algorithm: str | None,
) -> dict[str, str] | None:
    """Verify what the client declared; the part's own checksum to keep, or None."""
    verified = verify_upload(checks, written, dict(trailers))
    sent = _client_sent(checks, trailers)
    if upload_algorithm:
        if sent and verified["algorithm"] != upload_algorithm:
            raise invalid_request(
                "Checksum Type mismatch occurred, expected checksum Type: "
                f"{upload_algorithm.lower()}, actual checksum Type: "
                f"{str(verified['algorithm']).lower()}"
            )
        return {"algorithm": upload_algorithm, "value": written.checksums[upload_algorithm]}
    if not sent:
        return None
    return {"algorithm": str(verified["algorithm"]), "value": str(verified["value"])}
