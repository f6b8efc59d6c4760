"""S3's Signature Version 2: "Authorization: AWS AKID:signature" and presigned URLs with
AWSAccessKeyId, Expires and Signature (boto3 still presigns S3 this way by default).

The signature is base64(HMAC-SHA1(secret, StringToSign)), where

    StringToSign = VERB \\n Content-MD5 \\n Content-Type \\n Date-or-Expires \\n
                   CanonicalizedAmzHeaders CanonicalizedResource

CanonicalizedAmzHeaders: every x-amz-* header, lower-cased, sorted, repeated values joined
with ",", folded whitespace made one space, each as "name:value\\n" (a presigned URL may
carry them, and Content-Type / Content-MD5, as query parameters). When x-amz-date is
present the Date line is empty. CanonicalizedResource: the path as sent, always path-style
(/bucket/key, virtual-host requests arrive rewritten), then "?" and the sub-resources the
query names, sorted, with their values decoded.

Clients disagree on a few details, so a signature is accepted if it matches one of a small
set of readings: the bucket's own resource with and without its trailing slash (botocore
signs "/bucket/" for a request to "/bucket"), the sub-resource list botocore signs or a
wider one (encryption, retention, ...), and with an x-amz-date, an empty Date line (S3's
rule) or the Date header's (what botocore signs when a caller adds x-amz-date).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

from nimbus_gateway.auth import errors
from nimbus_gateway.auth.errors import MAX_SKEW
from nimbus_gateway.auth.payload import PayloadMode, check_body, payload_mode
from nimbus_gateway.auth.sigv4 import query_pairs, same_signature
from nimbus_gateway.protocol.http import HttpRequest

SCHEME = "AWS"
QUERY_PARAMS = ("AWSAccessKeyId", "Signature", "Expires")

# The sub-resources botocore (HmacV1Auth.QSAOfInterest) and S3's documentation sign.
SUBRESOURCES = frozenset(
    {
        "accelerate",
        "acl",
        "analytics",
        "cors",
        "defaultObjectAcl",
        "delete",
        "inventory",
        "lifecycle",
        "location",
        "logging",
        "metrics",
        "notification",
        "object-lock",
        "partNumber",
        "policy",
        "replication",
        "requestPayment",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "select",
        "select-type",
        "storageClass",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
    }
)
# What other clients (and other S3 implementations) also sign.
WIDER_SUBRESOURCES = SUBRESOURCES | {
    "attributes",
    "encryption",
    "intelligent-tiering",
    "legal-hold",
    "ownershipControls",
    "policyStatus",
    "publicAccessBlock",
    "retention",
}
_FOLDED = re.compile(r"\s*\r?\n\s*")
_BASIC_TIME = re.compile(r"\d{8}T\d{6}Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_V4_QUERY = frozenset({"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"})


@dataclass(frozen=True)
class V2Claims:
    """What a SigV2 request says about who signed it and when."""

    form: Literal["header", "query"]
    access_key_id: str
    signature: str
    date_line: str  # the Date (or Expires) line of the string to sign
    moment: datetime  # the request time (header form) or the expiry (query form)
    security_token: str | None
    # Another Date line some clients sign: the Date header despite an x-amz-date.
    alternative_date_line: str | None = None


def applies(request: HttpRequest, params: dict[str, str]) -> bool:
    """The request is signed (or claims to be) with SigV2.

    A request that mixes it with SigV4's query parameters or header is left to the SigV4
    parser, whose "Only one auth mechanism allowed" error it gets.
    """
    authorization = request.headers.get("authorization")
    presigned_v4 = any(name in params for name in _V4_QUERY)
    if authorization is not None:
        scheme = authorization.strip().split(" ", 1)[0]
        return scheme == SCHEME and not presigned_v4 and "Signature" not in params
    return not presigned_v4 and ("AWSAccessKeyId" in params or "Signature" in params)


def parse(request: HttpRequest, params: dict[str, str]) -> V2Claims:
    """The claims of a SigV2 request, or S3's error for malformed ones."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        return _header_claims(request, authorization)
    return _query_claims(request, params)


def _header_claims(request: HttpRequest, authorization: str) -> V2Claims:
    _, _, credentials = authorization.strip().partition(" ")
    access_key_id, colon, signature = credentials.strip().rpartition(":")
    if not colon or not access_key_id or not signature or " " in access_key_id:
        raise errors.v2_header_invalid(authorization)
    amz_date = request.headers.get("x-amz-date")
    alternative: str | None = None
    if amz_date is not None:
        shown, date_line = amz_date, ""
        alternative = request.headers.get("date")
    else:
        shown = request.headers.get("date", "")
        date_line = shown
    moment = _request_time(shown)
    if moment is None or moment < _EPOCH:
        raise errors.missing_date()
    return V2Claims(
        form="header",
        access_key_id=access_key_id,
        signature=signature,
        date_line=date_line,
        alternative_date_line=alternative,
        moment=moment,
        security_token=request.headers.get("x-amz-security-token"),
    )


def _query_claims(request: HttpRequest, params: dict[str, str]) -> V2Claims:
    if any(name not in params for name in QUERY_PARAMS):
        raise errors.v2_query_incomplete()
    expires = params["Expires"].strip()
    if not re.fullmatch(r"-?\d{1,15}", expires):
        raise errors.v2_invalid_expires(params["Expires"])
    try:
        moment = _EPOCH + timedelta(seconds=int(expires))
    except OverflowError:
        raise errors.v2_invalid_expires(params["Expires"]) from None
    return V2Claims(
        form="query",
        access_key_id=params["AWSAccessKeyId"],
        # An unencoded "+" arrives decoded as itself; a client that sent it as a space
        # meant "+" all the same.
        signature=params["Signature"].replace(" ", "+"),
        date_line=expires,
        moment=moment,
        security_token=params.get("x-amz-security-token")
        or request.headers.get("x-amz-security-token"),
    )


def _request_time(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    if _BASIC_TIME.fullmatch(text):
        try:
            return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def check_time(request: HttpRequest, claims: V2Claims, now: datetime) -> None:
    """Expired presigned URL, or a header-signed request more than 15 minutes off."""
    if claims.form == "query":
        if now > claims.moment:
            raise errors.v2_expired(claims.moment, now)
        return
    if abs(now - claims.moment) > MAX_SKEW:
        shown = request.headers.get("x-amz-date", request.headers.get("date", ""))
        raise errors.clock_skew("s3", shown, claims.moment, now)


def payload(request: HttpRequest) -> tuple[PayloadMode, str | None]:
    """SigV2 does not cover the body, but a client may still state its SHA-256, or stream
    it aws-chunked with unsigned trailers."""
    declared = request.headers.get("x-amz-content-sha256")
    mode = payload_mode(declared) if declared is not None else None
    if mode == "signed" and declared is not None:
        if not request.body_streamed:
            check_body(request.body, declared)
        return "signed", declared.lower()
    if mode == "streaming-unsigned-trailer":
        return mode, None
    return "unsigned", None


# --- the string to sign --------------------------------------------------------------------


def string_to_sign(
    request: HttpRequest,
    claims: V2Claims,
    params: list[tuple[str, str]],
    resource: str,
    date_line: str | None = None,
) -> str:
    first = {name: value for name, value in reversed(params)}
    if claims.form == "query":
        content_md5 = request.headers.get("content-md5", first.get("content-md5", ""))
        content_type = request.headers.get("content-type", first.get("content-type", ""))
    else:
        content_md5 = request.headers.get("content-md5", "")
        content_type = request.headers.get("content-type", "")
    lines = [
        request.method.upper(),
        _text(content_md5.strip()),
        _text(content_type.strip()),
        _text(claims.date_line if date_line is None else date_line),
    ]
    amz = _amz_headers(request, params if claims.form == "query" else [])
    return "\n".join(lines) + "\n" + "".join(f"{k}:{v}\n" for k, v in amz) + resource


def _amz_headers(request: HttpRequest, params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    values: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered.startswith("x-amz-"):
            values.setdefault(lowered, []).append(_FOLDED.sub(" ", _text(value.strip())))
    for name, value in params:
        lowered = name.lower()
        if lowered.startswith("x-amz-") and lowered not in values:
            values[lowered] = [_FOLDED.sub(" ", value.strip())]
    return [(name, ",".join(values[name])) for name in sorted(values)]


def _text(header_value: str) -> str:
    """A header value (received as latin-1) as the UTF-8 text the client signed."""
    try:
        return header_value.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return header_value


def canonical_resources(path: str, params: list[tuple[str, str]], raw_query: str) -> list[str]:
    """Every reading of the CanonicalizedResource a client may have signed, likeliest first."""
    paths = [path or "/"]
    segments = [part for part in (path or "/").split("/") if part]
    if len(segments) == 1 and path.count("/") <= 2:  # the bucket itself
        bucket = "/" + segments[0]
        paths = [bucket + "/", bucket] if path.endswith("/") else [bucket, bucket + "/"]
    raw_names = {piece.partition("=")[0]: "=" in piece for piece in raw_query.split("&") if piece}
    readings: list[str] = []
    for names in (SUBRESOURCES, WIDER_SUBRESOURCES):
        chosen = sorted(
            ((name, value) for name, value in params if name in names),
            key=lambda pair: pair[0],
        )
        suffix = "&".join(
            f"{name}={value}" if value or raw_names.get(name, False) else name
            for name, value in chosen
        )
        for candidate in paths:
            reading = candidate + ("?" + suffix if suffix else "")
            if reading not in readings:
                readings.append(reading)
    return readings


def sign(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8", "surrogateescape"), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def verify(request: HttpRequest, claims: V2Claims, secret: str) -> None:
    """SignatureDoesNotMatch unless some reading of the request gives the claimed signature."""
    params = query_pairs(request.query)
    signed_params = [(name, value) for name, value in params if name not in QUERY_PARAMS]
    first: str | None = None
    date_lines = [claims.date_line]
    if claims.alternative_date_line is not None:
        date_lines.append(claims.alternative_date_line)
    for date_line in date_lines:
        for resource in canonical_resources(request.path, signed_params, request.query):
            text = string_to_sign(request, claims, signed_params, resource, date_line)
            first = first if first is not None else text
            if same_signature(claims.signature, sign(secret, text)):
                return
    raise errors.v2_signature_mismatch(claims.access_key_id, first or "", claims.signature)
