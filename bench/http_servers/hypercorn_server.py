"""hypercorn serving the raw ASGI app, on asyncio or uvloop.

Run: python -m bench.http_servers.hypercorn_server --port N [--uvloop]
"""

from __future__ import annotations

import argparse
import asyncio

from hypercorn.asyncio import serve
from hypercorn.config import Config

from bench.http_servers.asgi_app import app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--uvloop", action="store_true")
    options = parser.parse_args()
    config = Config()
    config.bind = [f"127.0.0.1:{options.port}"]
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = 10.0
    # serve() installs SIGINT/SIGTERM handlers that trigger a graceful shutdown.
    if options.uvloop:
        import uvloop

        uvloop.run(serve(app, config, mode="asgi"))  # type: ignore[arg-type]
    else:
        asyncio.run(serve(app, config, mode="asgi"))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
