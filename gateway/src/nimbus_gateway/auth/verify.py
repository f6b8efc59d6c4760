"""Authenticating one request: claims, clock, key, token, signature and payload, in that
order, each failure answered with the error its service family sends. S3 also takes SigV2
(auth.sigv2); everything else is SigV4."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from nimbus_gateway.auth import errors, sigv2
from nimbus_gateway.auth.errors import MAX_SKEW, Dialect
from nimbus_gateway.auth.parse import Claims, parse_claims
from nimbus_gateway.auth.payload import (
    SIGNED_CHUNK_MODES,
    STREAMING_MODES,
    UNSIGNED_PAYLOAD,
    PayloadMode,
    check_body,
    payload_mode,
)
from nimbus_gateway.auth.sigv4 import (
    ChunkSigner,
    Scope,
    canonical_headers,
    canonical_query,
    canonical_request,
    canonical_uri,
    query_pairs,
    same_signature,
    signature,
    signing_key,
    string_to_sign,
)
from nimbus_gateway.protocol.http import HttpRequest


@dataclass(frozen=True)
class SigningCredential:
    """What the secret lookup returns for an access key (subclass it to carry a principal)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expired: bool = False


Lookup = Callable[[str], Awaitable[SigningCredential | None]]


@dataclass(frozen=True)
class Authenticated:
    """A request whose signature checked out, and what its body still needs checking."""

    credential: SigningCredential
    region: str
    service: str
    signed_headers: tuple[str, ...]
    payload: PayloadMode
    presigned: bool
    timestamp: str  # the request time as signed (ISO-8601 basic)
    date: datetime
    seed_signature: str  # the request's signature: an aws-chunked body's chain starts here
    signing_key: bytes = field(repr=False)
    # The body's signed SHA-256 when payload == "signed" (still to check if body_streamed).
    content_sha256: str | None = None
    decoded_content_length: int | None = None  # aws-chunked bodies only
    trailers: tuple[str, ...] = ()  # x-amz-trailer names an aws-chunked body ends with

    @property
    def access_key_id(self) -> str:
        return self.credential.access_key_id

    @property
    def session_token(self) -> str | None:
        return self.credential.session_token

    @property
    def scope(self) -> Scope:
        return Scope(self.timestamp[:8], self.region, self.service)

    def chunk_signer(self) -> ChunkSigner | None:
        """A fresh signature chain for the body's chunks; None unless they are signed."""
        if self.payload not in SIGNED_CHUNK_MODES:
            return None
        return ChunkSigner(self.signing_key, self.timestamp, self.scope, self.seed_signature)


async def authenticate(
    request: HttpRequest,
    lookup: Lookup,
    *,
    is_s3: bool,
    now: datetime,
    service: str | None = None,
) -> Authenticated | None:
    """Verify the request's SigV4 signature; None when it carries no authentication at all
    (whether anonymous is allowed is the caller's decision: see errors.missing_authentication).

    `service` is the signing name the endpoint expects (checked against the credential scope
    for the non-S3 services; "ec2" also selects EC2's error dialect). A body in memory is
    checked against x-amz-content-sha256 here; a streamed one is left to the caller
    (payload.verify_sha256, chunked.AwsChunkedDecoder.for_request).
    """
    dialect: Dialect = "s3" if is_s3 else ("ec2" if service == "ec2" else "query")
    if is_s3:
        params = _first_values(request.query)
        if sigv2.applies(request, params):
            return await _authenticate_v2(request, lookup, now, params)
    claims = parse_claims(request, dialect, service)
    if claims is None:
        return None
    content_sha256, mode = _payload(request, claims, dialect)
    _check_time(claims, dialect, now)
    if dialect == "s3":
        _check_amz_headers_signed(request, claims)
    credential = await lookup(claims.access_key_id)
    if credential is None:
        raise errors.unknown_access_key(dialect, claims.access_key_id)
    check_token(claims.security_token, claims.access_key_id, credential, dialect)

    excluded = ("X-Amz-Signature",) if claims.form == "query" else ()
    key = signing_key(credential.secret_access_key, claims.scope)
    paths = [request.path]
    if is_s3 and (original := virtual_host_path(request)) is not None:
        paths.insert(0, original)
    attempts: list[tuple[str, str]] = []
    for path in paths:
        canonical = canonical_request(
            request.method,
            canonical_uri(path, s3=is_s3),
            canonical_query(request.query, exclude=excluded),
            canonical_headers(request.headers, claims.signed_headers),
            claims.signed_headers,
            content_sha256,
        )
        to_sign = string_to_sign(claims.timestamp, claims.scope, canonical)
        if same_signature(claims.signature, signature(key, to_sign)):
            break
        attempts.append((canonical, to_sign))
    else:
        canonical, to_sign = attempts[0]  # the client's likeliest reading
        raise errors.signature_mismatch(
            dialect,
            access_key_id=claims.access_key_id,
            string_to_sign=to_sign,
            signature_provided=claims.signature,
            canonical_request=canonical,
        )

    if mode == "signed" and not request.body_streamed:
        if dialect == "s3":
            check_body(request.body, content_sha256)
        elif hashlib.sha256(request.body).hexdigest() != content_sha256.lower():
            raise errors.signature_mismatch(dialect)
    return Authenticated(
        credential=credential,
        region=claims.scope.region,
        service=claims.scope.service,
        signed_headers=claims.signed_headers,
        payload=mode,
        presigned=claims.form == "query",
        timestamp=claims.timestamp,
        date=claims.moment,
        seed_signature=claims.signature,
        signing_key=key,
        content_sha256=content_sha256.lower() if mode == "signed" else None,
        decoded_content_length=_decoded_length(request) if mode in STREAMING_MODES else None,
        trailers=_declared_trailers(request) if mode in STREAMING_MODES else (),
    )


async def _authenticate_v2(
    request: HttpRequest, lookup: Lookup, now: datetime, params: dict[str, str]
) -> Authenticated:
    """S3's SigV2, header or presigned form: claims, clock, key, token, signature, payload."""
    claims = sigv2.parse(request, params)
    sigv2.check_time(request, claims, now)
    credential = await lookup(claims.access_key_id)
    if credential is None:
        raise errors.unknown_access_key("s3", claims.access_key_id)
    check_token(claims.security_token, claims.access_key_id, credential, "s3")
    sigv2.verify(request, claims, credential.secret_access_key)
    mode, content_sha256 = sigv2.payload(request)
    streaming = mode in STREAMING_MODES
    if streaming and _decoded_length(request) is None:
        raise errors.missing_decoded_length()
    moment = claims.moment if claims.form == "header" else now
    return Authenticated(
        credential=credential,
        region="",
        service="s3",
        signed_headers=(),
        payload=mode,
        presigned=claims.form == "query",
        timestamp=errors.basic_time(moment),
        date=moment,
        seed_signature=claims.signature,
        signing_key=b"",
        content_sha256=content_sha256,
        decoded_content_length=_decoded_length(request) if streaming else None,
        trailers=_declared_trailers(request) if streaming else (),
    )


def virtual_host_path(request: HttpRequest) -> str | None:
    """The path a virtual-host S3 request was signed with, before detection made it path
    style (/key on <bucket>.s3.<host> became /<bucket>/key); None if it was not rewritten.

    SigV4 signs the path as sent; SigV2 signs the path-style resource, so it needs none.
    """
    _, _, rest = request.path.partition("/")
    bucket, slash, key = rest.partition("/")
    host = request.host.rsplit(":", 1)[0].lower() if not request.host.startswith("[") else ""
    if not bucket or not slash or not host.startswith(bucket.lower() + "."):
        return None
    return "/" + key


def _first_values(raw_query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in query_pairs(raw_query):
        params.setdefault(name, value)
    return params


def _payload(request: HttpRequest, claims: Claims, dialect: Dialect) -> tuple[str, PayloadMode]:
    """The payload hash line of the canonical request, and the mode it names."""
    declared = request.headers.get("x-amz-content-sha256")
    if dialect == "s3":
        if declared is None and claims.form == "query":
            declared = claims.query.get("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD)
        if declared is None:
            raise errors.missing_content_sha256()
        mode = payload_mode(declared)
        if mode is None:
            raise errors.invalid_content_sha256(declared)
        if mode in STREAMING_MODES and _decoded_length(request) is None:
            raise errors.missing_decoded_length()
        return declared, mode
    if declared is not None:
        mode = payload_mode(declared)
        if mode not in ("signed", "unsigned"):
            raise errors.signature_mismatch(dialect)
        return declared, mode
    if request.body_streamed:
        raise ValueError("the non-S3 services sign their body: it must be in memory")
    return hashlib.sha256(request.body).hexdigest(), "signed"


def _check_time(claims: Claims, dialect: Dialect, now: datetime) -> None:
    if dialect == "s3" and claims.expires is not None:
        try:
            expires_at = claims.moment + timedelta(seconds=claims.expires)
        except OverflowError:  # X-Amz-Date in year 9999
            expires_at = datetime.max.replace(tzinfo=UTC)
        if claims.moment > now + MAX_SKEW:
            raise errors.presigned_not_yet_valid(claims.moment, expires_at, now)
        if now > expires_at:
            raise errors.presigned_expired(claims.expires, expires_at, now)
        return
    if abs(now - claims.moment) > MAX_SKEW:
        raise errors.clock_skew(dialect, claims.timestamp, claims.moment, now)


def _check_amz_headers_signed(request: HttpRequest, claims: Claims) -> None:
    """S3 refuses x-amz-* headers left out of the signature (they change what a request does)."""
    signed = set(claims.signed_headers)
    unsigned = sorted(
        {name.lower() for name in request.headers if name.lower().startswith("x-amz-")} - signed
    )
    if unsigned:
        raise errors.headers_not_signed(unsigned)


def check_token(
    provided: str | None, access_key_id: str, credential: SigningCredential, dialect: Dialect
) -> None:
    expected = credential.session_token
    if provided is None and expected is not None:
        # Temporary keys without their token: S3 says it does not know the key at all.
        raise errors.unknown_access_key(dialect, access_key_id)
    if provided is not None and (expected is None or not same_signature(provided, expected)):
        raise errors.invalid_token(dialect)
    if credential.expired:
        raise errors.expired_token(dialect, provided or "")


def _decoded_length(request: HttpRequest) -> int | None:
    value = request.headers.get("x-amz-decoded-content-length", "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _declared_trailers(request: HttpRequest) -> tuple[str, ...]:
    names: list[str] = []
    for value in request.headers.getall("x-amz-trailer", []):
        names.extend(name.strip().lower() for name in value.split(",") if name.strip())
    return tuple(names)
