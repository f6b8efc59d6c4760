"""The HTTP request and response as the protocol engine sees them, independent of the server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from multidict import CIMultiDict


@dataclass
class HttpRequest:
    """One AWS request, as received.

    path and query are raw (still percent-encoded, exactly as on the wire): S3 keys and
    SigV4 canonicalisation both need the original bytes.
    """

    method: str
    path: str
    query: str = ""
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    body: bytes = b""
    # True when the body is not in `body` but left to stream to the service (S3 uploads).
    body_streamed: bool = False

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass
class HttpResponse:
    """One AWS response: a status, headers (repeatable) and a body, whole or streamed."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None

    def header(self, name: str) -> str | None:
        """The first header called name (any case), if any."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)
