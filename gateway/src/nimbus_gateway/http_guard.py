"""A cap on the request header section for uvicorn's httptools protocol.

httptools buffers a header section of any size (a 32 MiB header reaches the app), which
would let one client exhaust the gateway's memory. This protocol counts the bytes of a
request head still incomplete and answers S3's 400 past HARD_LIMIT, closing the connection.
The app itself enforces the smaller AWS limit (asgi.MAX_HEADER_BYTES) on heads that fit.
It subclasses a uvicorn internal: uvicorn is pinned, and tests/gateway covers it.
"""

from __future__ import annotations

import uuid
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HARD_LIMIT = 64 * 1024


class HeaderGuardProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._heads_completed = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._heads_completed += 1
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        was_in_head, heads_before = self._in_head, self._heads_completed
        super().data_received(data)
        # Only reads that left a head incomplete count, so memory stays under the limit plus
        # two reads. A read that completed a head does not count even if it also held the
        # whole body (on_message_complete puts us back "in head"): those bytes were a body.
        head_completed = self._heads_completed != heads_before
        if head_completed or not (was_in_head and self._in_head) or self.transport.is_closing():
            return
        self._head_bytes += len(data)
        if self._head_bytes > HARD_LIMIT:
            self._refuse()

    def _refuse(self) -> None:
        request_id = str(uuid.uuid4())
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>RequestHeaderSectionTooLarge'
            "</Code><Message>Your request header section exceeds the maximum allowed size."
            f"</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        self.transport.write(
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/xml\r\n"
            + f"content-length: {len(body)}\r\nx-amz-request-id: {request_id}\r\n".encode()
            + b"connection: close\r\n\r\n"
            + body
        )
        self.transport.close()
