"""SigV4 (and S3's SigV2) authentication for the gateway: a pure library whose only I/O is the
injected async secret lookup. `authenticate` checks a request; `AwsChunkedDecoder` checks a
streamed body."""

from nimbus_gateway.auth.chunked import AwsChunkedDecoder, decode_chunked_body
from nimbus_gateway.auth.errors import Dialect, missing_authentication
from nimbus_gateway.auth.payload import PayloadMode, verify_sha256
from nimbus_gateway.auth.verify import Authenticated, Lookup, SigningCredential, authenticate

__all__ = [
    "Authenticated",
    "AwsChunkedDecoder",
    "Dialect",
    "Lookup",
    "PayloadMode",
    "SigningCredential",
    "authenticate",
    "decode_chunked_body",
    "missing_authentication",
    "verify_sha256",
]
