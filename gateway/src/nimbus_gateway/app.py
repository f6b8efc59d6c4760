"""The gateway's HTTP application.

For now it serves the admin endpoints and answers every AWS request with NotImplemented;
the protocol engine, SigV4 and dispatch (issue 3) plug in behind `handle_aws`.
"""

from __future__ import annotations

import uuid

import grpc
from aiohttp import web
from nimbus_core.grpc_client import make_channel

from nimbus_gateway import health
from nimbus_gateway.settings import GatewaySettings

CHANNELS = web.AppKey("channels", dict[str, grpc.aio.Channel])


async def live(_: web.Request) -> web.Response:
    """The process is up (the supervisor's and Kubernetes' liveness check)."""
    return web.json_response({"status": "ok"})


async def service_health(request: web.Request) -> web.Response:
    """Every service's health; 503 unless all of them serve."""
    statuses = await health.check_all(request.app[CHANNELS])
    healthy = all(status == "SERVING" for status in statuses.values())
    return web.json_response(
        {"status": "ok" if healthy else "degraded", "services": statuses},
        status=200 if healthy else 503,
    )


async def handle_aws(_: web.Request) -> web.Response:
    """AWS requests: not served until the protocol engine lands."""
    request_id = str(uuid.uuid4())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Receiver</Type>'
        "<Code>NotImplemented</Code><Message>Nimbus does not serve AWS operations yet."
        f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return web.Response(
        status=501, text=body, content_type="text/xml", headers={"x-amzn-RequestId": request_id}
    )


def build_app(settings: GatewaySettings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[CHANNELS] = {name: make_channel(addrs) for name, addrs in settings.targets.items()}

    async def close_channels(app: web.Application) -> None:
        for channel in app[CHANNELS].values():
            await channel.close()

    app.on_cleanup.append(close_channels)
    app.router.add_get("/_nimbus/live", live)
    app.router.add_get("/_nimbus/health", service_health)
    app.router.add_route("*", "/{tail:.*}", handle_aws)
    return app
