"""Operator endpoints outside the AWS namespace: /_nimbus/live, /_nimbus/health, /_nimbus/reset."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping

import grpc
from nimbus.admin.v1 import admin_pb2, admin_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc

from nimbus_gateway import health
from nimbus_gateway.protocol.http import HttpResponse

PREFIX = "/_nimbus/"


def _json(status: int, body: object) -> HttpResponse:
    return HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=json.dumps(body).encode(),
    )


class AdminEndpoints:
    def __init__(
        self,
        channels: Mapping[str, grpc.aio.Channel],
        *,
        allow_reset: bool,
        on_reset: Callable[[], None],
    ) -> None:
        self._channels = channels
        self._allow_reset = allow_reset
        self._on_reset = on_reset

    async def handle(self, method: str, path: str) -> HttpResponse:
        name = path[len(PREFIX) :].strip("/")
        if name == "live" and method in ("GET", "HEAD"):
            return _json(200, {"status": "ok"})
        if name == "health" and method in ("GET", "HEAD"):
            statuses = await health.check_all(dict(self._channels))
            healthy = all(s == "SERVING" for s in statuses.values())
            return _json(
                200 if healthy else 503,
                {"status": "ok" if healthy else "degraded", "services": statuses},
            )
        if name == "reset" and method == "POST":
            return await self._reset()
        return _json(404, {"error": f"no admin endpoint {method} {path}"})

    async def _reset(self) -> HttpResponse:
        """Empty every service (one replica each: their state is in the datastores)."""
        if not self._allow_reset:
            return _json(403, {"error": "reset is disabled; start with NIMBUS_ALLOW_RESET=true"})
        names = sorted(self._channels)
        replies = await asyncio.gather(
            *(self._reset_one(self._channels[name]) for name in names), return_exceptions=True
        )
        self._on_reset()
        result: dict[str, object] = {}
        for name, reply in zip(names, replies, strict=True):
            if isinstance(reply, grpc.aio.AioRpcError):
                result[name] = {"error": error_from_aio_rpc(reply).code}
            elif isinstance(reply, BaseException):
                result[name] = {"error": type(reply).__name__}
            else:
                result[name] = {"tables": list(reply.tables)}
        failed = any("error" in str(v) for v in result.values())
        return _json(500 if failed else 200, {"reset": result})

    @staticmethod
    async def _reset_one(channel: grpc.aio.Channel) -> admin_pb2.ResetResponse:
        reply: admin_pb2.ResetResponse = await admin_pb2_grpc.AdminStub(channel).Reset(
            admin_pb2.ResetRequest(), timeout=30
        )
        return reply
