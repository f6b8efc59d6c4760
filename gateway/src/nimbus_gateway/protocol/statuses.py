"""HTTP statuses and error headers the rest protocols need beyond what botocore's model says.

Success statuses: the model gives most operations none (200). S3 answers 204 to a few
configuration PUTs, and 206 Partial Content to a GetObject/HeadObject that returns a
Content-Range (a Range or partNumber request).

Error headers, the convention services follow: an AwsError extra whose key starts with
"header:" is sent as a response header (the rest of the key is its name) and never as an
element of the error document, e.g.

    AwsError("NoSuchKey", "The specified key does not exist.", 404,
             extra={"Key": key, "header:x-amz-delete-marker": "true",
                    "header:x-amz-version-id": version_id})
    AwsError("NotModified", "Not Modified", 304,
             extra={"header:ETag": etag, "header:Last-Modified": http_date})

A 304 is sent without a body (as HEAD errors always are); None values are skipped.

S3's delete-marker answers are also understood without the prefix: when an error carries
the extra DeleteMarker (NoSuchKey on a key whose current version is a delete marker,
MethodNotAllowed on a delete marker's version), DeleteMarker, VersionId, LastModified and
Allow travel as x-amz-delete-marker, x-amz-version-id, Last-Modified and Allow, as S3 sends
them (booleans as true/false, an ISO 8601 LastModified as an HTTP date).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

HEADER_PREFIX = "header:"

# (endpoint prefix, operation) -> its success status where the model has none, as AWS sends.
SUCCESS_STATUS: Mapping[tuple[str, str], int] = {
    ("s3", "PutBucketAnalyticsConfiguration"): 204,
    ("s3", "PutBucketIntelligentTieringConfiguration"): 204,
    ("s3", "PutBucketInventoryConfiguration"): 204,
    ("s3", "PutBucketPolicy"): 204,
    ("s3", "PutBucketTagging"): 204,
}
# Operations whose status depends on what happened, which only the service knows: it puts
# the status in the reserved output key STATUS_KEY (S3's RestoreObject: 202 for a new
# restore, 200 when a restored copy already exists). Serializers never see the key as a
# member: no model shape has a member of that name.
SERVICE_CHOSEN_STATUS = frozenset({("s3", "RestoreObject")})
STATUS_KEY = "__status"
# Operations answering 206 when their output carries ContentRange.
PARTIAL_CONTENT = frozenset({("s3", "GetObject"), ("s3", "HeadObject")})
# Statuses whose response never has a body.
BODYLESS_STATUSES = frozenset({204, 304})


def success_status(service: str, operation: str, output: Mapping[str, Any], modeled: int) -> int:
    """The status of a successful call: the model's unless the service answers otherwise."""
    if (service, operation) in PARTIAL_CONTENT and output.get("ContentRange"):
        return 206
    chosen = output.get(STATUS_KEY)
    if (service, operation) in SERVICE_CHOSEN_STATUS and isinstance(chosen, int):
        return chosen
    return SUCCESS_STATUS.get((service, operation), modeled)


# Extras S3 sends as headers when the error is about a delete marker.
DELETE_MARKER_HEADERS: Mapping[str, str] = {
    "DeleteMarker": "x-amz-delete-marker",
    "VersionId": "x-amz-version-id",
    "LastModified": "Last-Modified",
    "Allow": "Allow",
}


def _as_headers(extra: Mapping[str, Any]) -> dict[str, str]:
    """extra key -> header name, for the extras that travel as headers."""
    moved = {
        key: key[len(HEADER_PREFIX) :]
        for key in extra
        if key.startswith(HEADER_PREFIX) and len(key) > len(HEADER_PREFIX)
    }
    if extra.get("DeleteMarker") is not None:
        moved.update({key: name for key, name in DELETE_MARKER_HEADERS.items() if key in extra})
    return moved


def _header_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if name.lower() == "last-modified" and "T" in text:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        return format_datetime(moment.astimezone(UTC), usegmt=True)
    return text


def error_header_pairs(extra: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The response headers an error's extras ask for."""
    return [
        (name, _header_text(name, extra[key]))
        for key, name in _as_headers(extra).items()
        if extra[key] is not None
    ]


def document_extras(extra: Mapping[str, Any]) -> dict[str, Any]:
    """The extras that belong in the error document (all but those sent as headers)."""
    moved = _as_headers(extra)
    return {key: value for key, value in extra.items() if key not in moved}
