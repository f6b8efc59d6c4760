"""uvicorn with httptools and uvloop serving the raw ASGI app.

Run: python -m bench.http_servers.uvicorn_server --port N [--header-guard]

--header-guard swaps in HeaderGuardProtocol: httptools itself has no limit on the header
section (a 32 MiB header reaches the app), so this counts the bytes of a request head still
incomplete and answers an S3-style 400 past HEADER_HARD_LIMIT, before httptools buffers more.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bench.http_servers import common
from bench.http_servers.asgi_app import app

HEADER_HARD_LIMIT = 64 * 1024  # the server's cap; the app answers S3's 8 KiB limit below it


class HeaderGuardProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_head = True
        self.head_bytes = 0

    def on_headers_complete(self) -> None:
        self.in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.in_head, self.head_bytes = True, 0
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        was_in_head = self.in_head
        super().data_received(data)
        # Only whole reads that left the head incomplete count (a read that completes it is
        # bounded by the read size), so memory stays under the limit plus two reads.
        if not (was_in_head and self.in_head) or self.transport.is_closing():
            return
        self.head_bytes += len(data)
        if self.head_bytes > HEADER_HARD_LIMIT:
            rid = common.request_id()
            _, body = common.headers_too_large(rid)
            self.transport.write(
                b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/xml\r\n"
                + f"content-length: {len(body)}\r\nx-amzn-requestid: {rid}\r\n".encode()
                + b"x-nimbus-guard: header-cap\r\nconnection: close\r\n\r\n"
                + body
            )
            self.transport.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--header-guard", action="store_true")
    options = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=options.port,
        loop="uvloop",
        http=HeaderGuardProtocol if options.header_guard else "httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
