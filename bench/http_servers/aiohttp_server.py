"""aiohttp's web server (what the gateway runs today), on asyncio or uvloop.

Run: python -m bench.http_servers.aiohttp_server --port N [--uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib

from aiohttp import web

from bench.http_servers import common


def _reply(status: int, body: bytes, rid: str, ctype: str = common.XML) -> web.Response:
    return web.Response(
        status=status, body=body, content_type=ctype, headers={"x-amzn-RequestId": rid}
    )


def _precheck(request: web.Request, rid: str) -> web.Response | None:
    """What the app can refuse from the headers alone (before any body is read)."""
    if common.header_bytes(request.raw_headers) > common.APP_HEADER_LIMIT:
        return _reply(*common.headers_too_large(rid), rid)
    if request.method == "PUT" and common.put_too_large(request.headers.get("Content-Length")):
        response = _reply(*common.entity_too_large(rid), rid)
        if common.refusal_closes(request.path):
            response.force_close()
        return response
    return None


async def expect_handler(request: web.Request) -> web.Response | None:
    """Send 100 Continue only when the app would accept the body (aiohttp's hook for this)."""
    refusal = _precheck(request, common.request_id())
    if refusal is not None:
        return refusal
    if request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
    return None


async def put_object(request: web.Request, rid: str) -> web.StreamResponse:
    if request.path.startswith("/slow/"):
        await asyncio.sleep(common.SLOW_CONSUMER_S)
    digest = hashlib.md5()
    size = 0
    limit = common.put_limit(request.path)
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            return _reply(*common.entity_too_large(rid), rid)
        digest.update(chunk)
    return web.Response(
        status=200,
        headers={
            "ETag": f'"{digest.hexdigest()}"',
            "x-nimbus-bytes": str(size),
            "x-amzn-RequestId": rid,
        },
    )


async def get_object(request: web.Request, rid: str) -> web.StreamResponse:
    size = common.object_size(request.path)
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "application/octet-stream",
            "ETag": f'"{common.OBJECT_MD5}"',
            "x-amzn-RequestId": rid,
        },
    )
    response.content_length = size
    await response.prepare(request)
    for _ in range(common.object_chunks(size)):
        await response.write(common.fresh_chunk())
    await response.write_eof()
    return response


async def handle(request: web.Request) -> web.StreamResponse:
    rid = common.request_id()
    refusal = _precheck(request, rid)
    if refusal is not None:
        return refusal
    method, path = request.method, request.path
    if method == "POST" and path == "/":
        return _reply(*common.caller_identity(await request.read(), rid), rid)
    if method == "PUT" and path.count("/") >= 2:
        return await put_object(request, rid)
    if method == "GET" and path == "/slow":
        await asyncio.sleep(common.SLOW_HANDLER_S)
        return _reply(200, b"slow", rid, "text/plain")
    if method == "GET" and path.count("/") >= 2:
        return await get_object(request, rid)
    return _reply(*common.error(404, "NotFound", "No such route.", rid), rid)


def build_app() -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handle, expect_handler=expect_handler)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--uvloop", action="store_true")
    options = parser.parse_args()
    loop = None
    if options.uvloop:
        import uvloop

        loop = uvloop.new_event_loop()
    web.run_app(
        build_app(),
        host="127.0.0.1",
        port=options.port,
        access_log=None,
        print=None,
        shutdown_timeout=10.0,
        loop=loop,
    )


if __name__ == "__main__":
    main()
