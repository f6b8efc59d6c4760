"""Health of the services behind the gateway, through the standard grpc.health.v1 check."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


async def check(channel: grpc.aio.Channel, timeout: float = 1.0) -> str:
    """SERVING, NOT_SERVING, or UNREACHABLE when no replica answered in time."""
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=timeout
        )
    except grpc.aio.AioRpcError:
        return "UNREACHABLE"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


async def check_all(channels: dict[str, grpc.aio.Channel]) -> dict[str, str]:
    """Health of every service, checked concurrently."""
    names = sorted(channels)
    results = await asyncio.gather(*(check(channels[name]) for name in names))
    return dict(zip(names, results, strict=True))
