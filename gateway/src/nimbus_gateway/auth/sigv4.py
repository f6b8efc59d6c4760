"""SigV4 canonicalisation and signing, written from the specification (botocore is the oracle
in tests, never a dependency here).

Two path rules exist. S3 signs the URI path encoded once and never normalised (keys may hold
`//`, `.` and `..`). Every other service signs the path as botocore does: dot segments and
empty segments removed, then the already-encoded path encoded a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

from multidict import MultiMapping

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"
TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER"

# RFC 3986 unreserved characters are the only ones SigV4 leaves unencoded.
_UNRESERVED = "-_.~"
_WHITESPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")


def utf8(text: str) -> bytes:
    """UTF-8 that never raises: header text from the wire may hold stray surrogates."""
    return text.encode("utf-8", "surrogatepass")


def wire_bytes(text: str) -> bytes:
    """The bytes a decoded request line stood for (undecodable bytes ride as surrogates)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return utf8(text)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _encode(raw: bytes) -> str:
    return quote(raw, safe=_UNRESERVED)


def _normalize_path(path: str) -> str:
    """Remove dot segments and empty segments (RFC 3986 5.2.4 plus AWS's `//` rule)."""
    if not path:
        return "/"
    output: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    leading = "/" if path.startswith("/") else ""
    trailing = "/" if path.endswith("/") and output else ""
    return leading + "/".join(output) + trailing


def canonical_uri(raw_path: str, *, s3: bool) -> str:
    """The CanonicalURI line for a path exactly as received (still percent-encoded)."""
    if s3:
        # Each segment decoded and encoded once: `%2F` stays inside its segment, and an
        # unencoded character a client sent anyway is encoded as it should have signed it.
        if not raw_path:
            return "/"
        return "/".join(
            _encode(unquote_to_bytes(wire_bytes(segment))) for segment in raw_path.split("/")
        )
    # botocore quotes the (already encoded) path again, so `%20` is signed as `%2520`.
    return quote(wire_bytes(_normalize_path(raw_path)), safe="/~")


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """The query string's (name, value) pairs, percent-decoded; `+` stays a literal plus."""
    pairs: list[tuple[str, str]] = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((_decode(name), _decode(value)))
    return pairs


def _decode(text: str) -> str:
    return unquote_to_bytes(wire_bytes(text)).decode("utf-8", "surrogateescape")


def canonical_query(raw_query: str, *, exclude: Iterable[str] = ()) -> str:
    """The CanonicalQueryString: every pair re-encoded, sorted by name then value."""
    skipped = set(exclude)
    encoded = sorted(
        (_encode(wire_bytes(name)), _encode(wire_bytes(value)))
        for name, value in query_pairs(raw_query)
        if name not in skipped
    )
    return "&".join(f"{name}={value}" for name, value in encoded)


def canonical_header_value(values: Sequence[str]) -> str:
    """Trimmed values, runs of whitespace collapsed, repeated headers joined by commas."""
    return ",".join(_WHITESPACE_RUN.sub(" ", value).strip() for value in values)


def canonical_headers(headers: MultiMapping[str], signed_headers: Sequence[str]) -> str:
    """The CanonicalHeaders block (each line ends with a newline), in SignedHeaders order."""
    return "".join(
        f"{name}:{canonical_header_value(headers.getall(name, []))}\n" for name in signed_headers
    )


def canonical_request(
    method: str,
    uri: str,
    query: str,
    headers_block: str,
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    return "\n".join(
        (method.upper(), uri, query, headers_block, ";".join(signed_headers), payload_hash)
    )


@dataclass(frozen=True)
class Scope:
    """The credential scope `date/region/service/aws4_request` of one signature."""

    date: str
    region: str
    service: str

    def __str__(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


def string_to_sign(timestamp: str, scope: Scope, canonical: str) -> str:
    return "\n".join((ALGORITHM, timestamp, str(scope), sha256_hex(utf8(canonical))))


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, utf8(message), hashlib.sha256).digest()


def signing_key(secret_access_key: str, scope: Scope) -> bytes:
    """kSigning = HMAC chain over date, region, service and the terminator."""
    key = _hmac(utf8("AWS4" + secret_access_key), scope.date)
    key = _hmac(key, scope.region)
    key = _hmac(key, scope.service)
    return _hmac(key, TERMINATOR)


def signature(key: bytes, to_sign: str) -> str:
    return hmac.new(key, utf8(to_sign), hashlib.sha256).hexdigest()


def same_signature(provided: str, computed: str) -> bool:
    """Constant-time comparison (no early exit that leaks how much of a guess was right)."""
    return hmac.compare_digest(utf8(provided), utf8(computed))


@dataclass
class ChunkSigner:
    """The signature chain of an aws-chunked body: each chunk signs the previous signature."""

    key: bytes
    timestamp: str
    scope: Scope
    previous: str

    def chunk_signature(self, chunk: bytes) -> str:
        """The expected signature of the next chunk; advances the chain."""
        to_sign = "\n".join(
            (
                CHUNK_ALGORITHM,
                self.timestamp,
                str(self.scope),
                self.previous,
                EMPTY_SHA256,
                sha256_hex(chunk),
            )
        )
        self.previous = signature(self.key, to_sign)
        return self.previous

    def trailer_signature(self, canonical_trailers: bytes) -> str:
        """The expected x-amz-trailer-signature over `name:value\\n` lines."""
        to_sign = "\n".join(
            (
                TRAILER_ALGORITHM,
                self.timestamp,
                str(self.scope),
                self.previous,
                sha256_hex(canonical_trailers),
            )
        )
        self.previous = signature(self.key, to_sign)
        return self.previous
