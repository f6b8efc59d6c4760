"""How a request's body is covered by its signature (x-amz-content-sha256), and the check of
a signed body that is streamed rather than held in memory."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Literal

from nimbus_gateway.auth import errors

PayloadMode = Literal[
    "signed",  # the body's SHA-256 is in the signature
    "unsigned",  # UNSIGNED-PAYLOAD (and every presigned URL unless it says otherwise)
    "streaming-signed",  # STREAMING-AWS4-HMAC-SHA256-PAYLOAD: aws-chunked, each chunk signed
    "streaming-signed-trailer",  # ... plus signed trailing headers
    "streaming-unsigned-trailer",  # STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked, trailers
]
STREAMING_MODES: frozenset[PayloadMode] = frozenset(
    ("streaming-signed", "streaming-signed-trailer", "streaming-unsigned-trailer")
)
SIGNED_CHUNK_MODES: frozenset[PayloadMode] = frozenset(
    ("streaming-signed", "streaming-signed-trailer")
)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_MODES: dict[str, PayloadMode] = {
    UNSIGNED_PAYLOAD: "unsigned",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": "streaming-signed",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": "streaming-signed-trailer",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER": "streaming-unsigned-trailer",
}
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def payload_mode(content_sha256: str) -> PayloadMode | None:
    """The mode an x-amz-content-sha256 value names; None when it is no valid value."""
    if _SHA256_HEX.fullmatch(content_sha256):
        return "signed"
    return _MODES.get(content_sha256)


def check_body(body: bytes, expected_sha256: str) -> None:
    """S3's XAmzContentSHA256Mismatch when an in-memory body is not what was signed."""
    computed = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(computed, expected_sha256.lower()):
        raise errors.content_sha256_mismatch(expected_sha256, computed)


async def verify_sha256(source: AsyncIterable[bytes], expected_sha256: str) -> AsyncIterator[bytes]:
    """Pass a streamed body through, raising XAmzContentSHA256Mismatch at its end if the bytes
    were not the signed ones (the consumer must discard what it received then)."""
    digest = hashlib.sha256()
    async for piece in source:
        digest.update(piece)
        yield piece
    computed = digest.hexdigest()
    if not hmac.compare_digest(computed, expected_sha256.lower()):
        raise errors.content_sha256_mismatch(expected_sha256, computed)
