"""What every candidate server's app does, so that only the server differs.

Routes (the same in each app):
  POST /                 form body Action=GetCallerIdentity&... -> 200, ~400 bytes of XML
  PUT  /<bucket>/<key>   request body streamed through: bytes counted and md5'd, not kept
                         -> 200 with ETag; 400 EntityTooLarge *before reading* when the
                         Content-Length is over MAX_PUT_BYTES (so no 100 Continue is owed)
  PUT  /slow/<key>       as PUT, but the app waits SLOW_CONSUMER_S before it reads the body
                         (upload backpressure check)
  PUT  /closing/<key>    as PUT, but an early refusal also says Connection: close
  PUT  /limited/<key>    as PUT, but over LIMITED_PUT_BYTES the app answers 400 EntityTooLarge
                         mid-body (a chunked upload has no Content-Length to refuse early)
  GET  /<bucket>/big     BIG_OBJECT_BYTES streamed in CHUNK_BYTES pieces (download backpressure)
  GET  /<bucket>/<key>   OBJECT_BYTES streamed in CHUNK_BYTES pieces, Content-Length set
  GET  /slow             answers after SLOW_HANDLER_S (graceful shutdown check)
Every request whose header section is over APP_HEADER_LIMIT bytes gets the app's own
400 RequestHeaderSectionTooLarge, if the server lets it through to the app at all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from urllib.parse import parse_qs

OBJECT_BYTES = 8 * 1024 * 1024
BIG_OBJECT_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
CHUNK = bytes(range(256)) * (CHUNK_BYTES // 256)
MAX_PUT_BYTES = 5 * 1024**3  # S3's single-PUT limit
LIMITED_PUT_BYTES = 1024 * 1024
APP_HEADER_LIMIT = 8 * 1024
SLOW_CONSUMER_S = 1.0
SLOW_HANDLER_S = 1.0
OBJECT_MD5 = hashlib.md5(CHUNK * (OBJECT_BYTES // CHUNK_BYTES)).hexdigest()

XML = "text/xml"

_CALLER_IDENTITY = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
    "  <GetCallerIdentityResult>\n"
    "    <Arn>arn:aws:iam::000000000000:user/bench</Arn>\n"
    "    <UserId>AIDAEXAMPLEBENCHUSER1</UserId>\n"
    "    <Account>000000000000</Account>\n"
    "  </GetCallerIdentityResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>{request_id}</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetCallerIdentityResponse>\n"
)


def request_id() -> str:
    return str(uuid.uuid4())


def caller_identity(form: bytes, rid: str) -> tuple[int, bytes]:
    """The trivial operation: parse the form body and answer it."""
    fields = parse_qs(form.decode("ascii", "replace"))
    if fields.get("Action") != ["GetCallerIdentity"]:
        return error(400, "InvalidAction", "Unknown action.", rid)
    return 200, _CALLER_IDENTITY.format(request_id=rid).encode()


def error(status: int, code: str, message: str, rid: str) -> tuple[int, bytes]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{rid}</RequestId></Error>"
    )
    return status, body.encode()


def header_bytes(headers: Iterable[tuple[bytes, bytes]]) -> int:
    return sum(len(name) + len(value) + 4 for name, value in headers)


def headers_too_large(rid: str) -> tuple[int, bytes]:
    return error(
        400,
        "RequestHeaderSectionTooLarge",
        f"Your request header section exceeds the maximum allowed size ({APP_HEADER_LIMIT}).",
        rid,
    )


def entity_too_large(rid: str) -> tuple[int, bytes]:
    return error(
        400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", rid
    )


def put_too_large(content_length: str | None) -> bool:
    """The early check that the app makes before it asks for (and so before 100 Continue)."""
    return (
        content_length is not None
        and content_length.isdigit()
        and (int(content_length) > MAX_PUT_BYTES)
    )


def put_limit(path: str) -> int:
    return LIMITED_PUT_BYTES if path.startswith("/limited/") else MAX_PUT_BYTES


def refusal_closes(path: str) -> bool:
    """Whether the app adds Connection: close to a refusal sent before the body was read."""
    return path.startswith("/closing/")


def object_size(path: str) -> int:
    return BIG_OBJECT_BYTES if path.endswith("/big") else OBJECT_BYTES


def object_chunks(size: int) -> int:
    return size // CHUNK_BYTES


def fresh_chunk() -> bytes:
    """A new 64 KiB bytes object, as a real backend stream would hand over (so that a
    server which buffers the response instead of applying backpressure shows in its RSS)."""
    return bytes(memoryview(CHUNK))
