"""Run the gateway: `python -m nimbus_gateway` (settings from NIMBUS_* variables)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from nimbus_core.logs import configure_logging
from nimbus_core.signals import install_stop_signals

from nimbus_gateway.app import build_app
from nimbus_gateway.settings import GatewaySettings

log = logging.getLogger("nimbus_gateway")


async def serve(settings: GatewaySettings) -> None:
    """Serve HTTP until SIGTERM, then finish in-flight requests."""
    configure_logging(
        settings.log_level, service="gateway", replica=settings.replica, zone=settings.zone
    )
    stop = asyncio.Event()
    install_stop_signals(stop)
    runner = web.AppRunner(
        build_app(settings), access_log=None, shutdown_timeout=settings.drain_seconds
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port, reuse_address=True)
    await site.start()
    log.info(
        "gateway listening", extra={"endpoint": f"http://{settings.http_host}:{settings.http_port}"}
    )
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    asyncio.run(serve(GatewaySettings()))


if __name__ == "__main__":
    main()
