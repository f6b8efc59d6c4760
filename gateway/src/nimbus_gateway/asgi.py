"""The gateway as a plain ASGI app (served by uvicorn): HTTP <-> the server-independent Pipeline.

Chosen by measurement (bench/http_server.py): uvicorn with httptools and uvloop served the
trivial operation at 1.5-1.9x aiohttp's rate for 1.6-2.1x less CPU per request, with 8 MiB
bodies on par. uvicorn sends `100 Continue` only when the app first reads the body, so a
request refused before that (bad signature, too large) never uploads its body.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any
from xml.sax.saxutils import escape

from multidict import CIMultiDict

from nimbus_gateway.admin import PREFIX, AdminEndpoints
from nimbus_gateway.pipeline import BodyTooLarge, ClientDisconnected, Pipeline
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# S3's limit on the request header section; beyond it S3 answers 400 with this code.
MAX_HEADER_BYTES = 8 * 1024


class AsgiBody:
    """The request body, read whole under a limit or streamed, and whether it was all read."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.finished = False

    async def stream(self) -> AsyncIterator[bytes]:
        while not self.finished:
            message = await self._receive()
            if message["type"] != "http.request":
                raise ClientDisconnected
            self.finished = not message.get("more_body", False)
            chunk: bytes = message.get("body", b"")
            if chunk:
                yield chunk

    async def read(self, limit: int) -> bytes:
        parts: list[bytes] = []
        size = 0
        async for chunk in self.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            parts.append(chunk)
        return b"".join(parts)


def _header_section_too_large(size: int) -> HttpResponse:
    request_id = str(uuid.uuid4())
    message = f"Your request header section exceeds the maximum allowed size ({MAX_HEADER_BYTES})."
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>RequestHeaderSectionTooLarge'
        f"</Code><Message>{escape(message)}</Message><MaxSizeAllowed>{MAX_HEADER_BYTES}"
        f"</MaxSizeAllowed><RequestId>{request_id}</RequestId></Error>"
    ).encode()
    return HttpResponse(
        status=400,
        headers=[("Content-Type", "application/xml"), ("x-amz-request-id", request_id)],
        body=body,
    )


class GatewayApp:
    def __init__(self, pipeline: Pipeline, admin: AdminEndpoints) -> None:
        self._pipeline = pipeline
        self._admin = admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").partition("?")[0]
        body = AsgiBody(receive)
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        head_size = sum(len(k) + len(v) + 4 for k, v in pairs)
        if head_size > MAX_HEADER_BYTES:
            response = _header_section_too_large(head_size)
        elif path.startswith(PREFIX):
            response = await self._admin.handle(scope["method"], path)
        else:
            request = HttpRequest(
                method=scope["method"],
                path=path,
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=CIMultiDict(pairs),
            )
            client = scope.get("client") or ("", 0)
            try:
                response = await self._pipeline.handle(request, body, client[0])
            except ClientDisconnected:
                return
        await _send(send, response, close=_has_body(pairs) and not body.finished)


def _has_body(pairs: list[tuple[str, str]]) -> bool:
    for name, value in pairs:
        lowered = name.lower()
        if lowered == "transfer-encoding" or (lowered == "content-length" and value.strip() != "0"):
            return True
    return False


async def _send(send: Send, response: HttpResponse, *, close: bool) -> None:
    """Write the response. A body left unread means the connection must close: a client
    reusing it would have its next request read as the rest of this body."""
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if close:
        headers.append((b"connection", b"close"))
    if response.stream is None:
        # 1xx, 204 and 304 carry no Content-Length of their own (RFC 9110 8.6).
        bodyless = response.status < 200 or response.status in (204, 304)
        if not bodyless and not any(k == b"content-length" for k, _ in headers):
            headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body, "more_body": False})
        return
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    async for chunk in response.stream:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
