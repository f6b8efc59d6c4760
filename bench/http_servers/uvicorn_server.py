"""uvicorn with httptools and uvloop serving the raw ASGI app.

Run: python -m bench.http_servers.uvicorn_server --port N [--header-guard]

--header-guard swaps in the gateway's own HeaderGuardProtocol (nimbus_gateway.http_guard):
httptools itself has no limit on the header section (a 32 MiB header reaches the app).
"""

from __future__ import annotations

import argparse

import uvicorn
from nimbus_gateway.http_guard import HeaderGuardProtocol

from bench.http_servers.asgi_app import app


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
