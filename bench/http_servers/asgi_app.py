"""The raw ASGI app (no framework) served by uvicorn, granian (ASGI) and hypercorn."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from bench.http_servers import common

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def _respond(
    send: Send, status: int, body: bytes, rid: str, ctype: str = common.XML, close: bool = False
) -> None:
    headers = [
        (b"content-type", ctype.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"x-amzn-requestid", rid.encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _read_small(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ConnectionError("client went away")
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


async def _put(scope: Scope, receive: Receive, send: Send, rid: str) -> None:
    if scope["path"].startswith("/slow/"):
        await asyncio.sleep(common.SLOW_CONSUMER_S)
    digest = hashlib.md5()
    size = 0
    limit = common.put_limit(scope["path"])
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return  # client went away
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                status, body = common.entity_too_large(rid)
                await _respond(send, status, body, rid)
                return
            digest.update(chunk)
        if not message.get("more_body", False):
            break
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"etag", f'"{digest.hexdigest()}"'.encode()),
                (b"x-nimbus-bytes", str(size).encode()),
                (b"content-length", b"0"),
                (b"x-amzn-requestid", rid.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _get(scope: Scope, send: Send, rid: str) -> None:
    size = common.object_size(scope["path"])
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/octet-stream"),
                (b"content-length", str(size).encode()),
                (b"etag", f'"{common.OBJECT_MD5}"'.encode()),
                (b"x-amzn-requestid", rid.encode()),
            ],
        }
    )
    chunks = common.object_chunks(size)
    for n in range(chunks):
        await send(
            {
                "type": "http.response.body",
                "body": common.fresh_chunk(),
                "more_body": n < chunks - 1,
            }
        )


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    rid = common.request_id()
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if common.header_bytes(headers) > common.APP_HEADER_LIMIT:
        status, body = common.headers_too_large(rid)
        await _respond(send, status, body, rid)
        return
    method, path = scope["method"], scope["path"]
    if method == "POST" and path == "/":
        status, body = common.caller_identity(await _read_small(receive), rid)
        await _respond(send, status, body, rid)
    elif method == "PUT" and path.count("/") >= 2:
        length = next((v.decode() for k, v in headers if k.lower() == b"content-length"), None)
        if common.put_too_large(length):
            status, body = common.entity_too_large(rid)
            await _respond(send, status, body, rid, close=common.refusal_closes(path))
        else:
            await _put(scope, receive, send, rid)
    elif method == "GET" and path == "/slow":
        await asyncio.sleep(common.SLOW_HANDLER_S)
        await _respond(send, 200, b"slow", rid, "text/plain")
    elif method == "GET" and path.count("/") >= 2:
        await _get(scope, send, rid)
    else:
        status, body = common.error(404, "NotFound", "No such route.", rid)
        await _respond(send, status, body, rid)
