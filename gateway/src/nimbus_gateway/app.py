"""The gateway on aiohttp: adapts HTTP to the server-independent Pipeline and back."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from multidict import CIMultiDict

from nimbus_gateway.admin import PREFIX, AdminEndpoints
from nimbus_gateway.pipeline import BodyTooLarge, Pipeline
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

PIPELINE = web.AppKey("pipeline", Pipeline)
ADMIN = web.AppKey("admin", AdminEndpoints)
_STREAM_CHUNK = 256 * 1024


class AiohttpBody:
    """The request body, read whole under a limit or streamed in chunks."""

    def __init__(self, request: web.Request) -> None:
        self._request = request

    async def read(self, limit: int) -> bytes:
        declared = self._request.content_length
        if declared is not None and declared > limit:
            raise BodyTooLarge
        parts: list[bytes] = []
        size = 0
        async for chunk in self._request.content.iter_chunked(_STREAM_CHUNK):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            parts.append(chunk)
        return b"".join(parts)

    async def stream(self) -> AsyncIterator[bytes]:
        async for chunk in self._request.content.iter_chunked(_STREAM_CHUNK):
            yield chunk


async def handle(request: web.Request) -> web.StreamResponse:
    raw_path, _, query = request.raw_path.partition("?")
    if raw_path.startswith(PREFIX):
        return await _send(request, await request.app[ADMIN].handle(request.method, raw_path))
    http_request = HttpRequest(
        method=request.method,
        path=raw_path,
        query=query,
        headers=CIMultiDict(request.headers),
    )
    response = await request.app[PIPELINE].handle(
        http_request, AiohttpBody(request), request.remote or ""
    )
    return await _send(request, response)


async def _send(request: web.Request, response: HttpResponse) -> web.StreamResponse:
    headers = CIMultiDict(response.headers)
    if response.stream is None:
        reply = web.Response(status=response.status, body=response.body, headers=headers)
        if "Content-Type" not in headers:
            reply.content_type = "application/xml" if response.body else "text/plain"
            if not response.body:
                reply.headers.pop("Content-Type", None)
        return reply
    streamed = web.StreamResponse(status=response.status, headers=headers)
    await streamed.prepare(request)
    async for chunk in response.stream:
        await streamed.write(chunk)
    await streamed.write_eof()
    return streamed


async def expect_continue(request: web.Request) -> None:
    """Answer `Expect: 100-continue` (S3 clients send it); ignore any other expectation,
    as S3 does, instead of failing the request."""
    if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")


def build_app(pipeline: Pipeline, admin: AdminEndpoints, max_header_bytes: int) -> web.Application:
    app = web.Application(
        client_max_size=1024**4,
        handler_args={"max_field_size": max_header_bytes, "max_line_size": max_header_bytes},
    )
    app[PIPELINE] = pipeline
    app[ADMIN] = admin
    app.router.add_route("*", "/{tail:.*}", handle, expect_handler=expect_continue)
    return app
