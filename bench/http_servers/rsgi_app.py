"""The same app on granian's own RSGI interface (no ASGI message dicts)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from bench.http_servers import common


def _headers(rid: str, ctype: str = common.XML, close: bool = False) -> list[tuple[str, str]]:
    headers = [("content-type", ctype), ("x-amzn-requestid", rid)]
    return [*headers, ("connection", "close")] if close else headers


async def _put(scope: Any, proto: Any, rid: str) -> None:
    if scope.path.startswith("/slow/"):
        await asyncio.sleep(common.SLOW_CONSUMER_S)
    digest = hashlib.md5()
    size = 0
    limit = common.put_limit(scope.path)
    async for chunk in proto:
        size += len(chunk)
        if size > limit:
            status, body = common.entity_too_large(rid)
            proto.response_bytes(status, _headers(rid), body)
            return
        digest.update(chunk)
    proto.response_bytes(
        200,
        [
            ("etag", f'"{digest.hexdigest()}"'),
            ("x-nimbus-bytes", str(size)),
            ("x-amzn-requestid", rid),
        ],
        b"",
    )


async def _get(scope: Any, proto: Any, rid: str) -> None:
    size = common.object_size(scope.path)
    transport = proto.response_stream(
        200,
        [
            ("content-type", "application/octet-stream"),
            ("content-length", str(size)),
            ("etag", f'"{common.OBJECT_MD5}"'),
            ("x-amzn-requestid", rid),
        ],
    )
    for _ in range(common.object_chunks(size)):
        await transport.send_bytes(common.fresh_chunk())


class App:
    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        rid = common.request_id()
        items = [(k.encode(), v.encode()) for k, v in scope.headers.items()]
        if common.header_bytes(items) > common.APP_HEADER_LIMIT:
            status, body = common.headers_too_large(rid)
            proto.response_bytes(status, _headers(rid), body)
            return
        method, path = scope.method, scope.path
        if method == "POST" and path == "/":
            status, body = common.caller_identity(await proto(), rid)
            proto.response_bytes(status, _headers(rid), body)
        elif method == "PUT" and path.count("/") >= 2:
            if common.put_too_large(scope.headers.get("content-length")):
                status, body = common.entity_too_large(rid)
                proto.response_bytes(status, _headers(rid, close=common.refusal_closes(path)), body)
            else:
                await _put(scope, proto, rid)
        elif method == "GET" and path == "/slow":
            await asyncio.sleep(common.SLOW_HANDLER_S)
            proto.response_bytes(200, _headers(rid, "text/plain"), b"slow")
        elif method == "GET" and path.count("/") >= 2:
            await _get(scope, proto, rid)
        else:
            status, body = common.error(404, "NotFound", "No such route.", rid)
            proto.response_bytes(status, _headers(rid), body)


app = App()
