"""gRPC client factory: round-robin over replicas, default deadlines, retries on UNAVAILABLE."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import grpc

T = TypeVar("T")

RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE})


def channel_target(addresses: Sequence[str]) -> str:
    """A gRPC target naming every replica: 'ipv4:' list locally, or a DNS name on Kubernetes."""
    if len(addresses) == 1 and ("://" in addresses[0] or addresses[0].startswith("dns:")):
        return addresses[0]
    return "ipv4:" + ",".join(addresses)


def service_config(idempotent_methods: Iterable[tuple[str, str]], max_attempts: int) -> str:
    """Round-robin balancing, plus gRPC's own retry policy for methods safe to repeat."""
    config: dict[str, Any] = {"loadBalancingConfig": [{"round_robin": {}}]}
    names = [{"service": service, "method": method} for service, method in idempotent_methods]
    if names:
        config["methodConfig"] = [
            {
                "name": names,
                "retryPolicy": {
                    "maxAttempts": max_attempts,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    return json.dumps(config)


class _DefaultDeadline:
    """Gives every call a deadline unless the caller chose one: no call may hang forever."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        if details.timeout is not None:
            return details
        return grpc.aio.ClientCallDetails(
            details.method,
            self._timeout,
            details.metadata,
            details.credentials,
            details.wait_for_ready,
        )


class _UnaryUnaryDeadline(_DefaultDeadline, grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class _UnaryStreamDeadline(_DefaultDeadline, grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class _StreamUnaryDeadline(_DefaultDeadline, grpc.aio.StreamUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return await continuation(self._details(details), requests)


def make_channel(
    addresses: Sequence[str],
    *,
    default_timeout: float = 30.0,
    idempotent_methods: Iterable[tuple[str, str]] = (),
    max_attempts: int = 4,
) -> grpc.aio.Channel:
    """An insecure channel balanced over every replica address, with deadlines and retries."""
    options = [
        ("grpc.service_config", service_config(idempotent_methods, max_attempts)),
        ("grpc.enable_retries", 1),
        # A restarted replica is found again within a second, not after minutes of backoff.
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 1000),
        ("grpc.max_receive_message_length", 64 * 1024 * 1024),
        ("grpc.max_send_message_length", 64 * 1024 * 1024),
    ]
    interceptors = [
        _UnaryUnaryDeadline(default_timeout),
        _UnaryStreamDeadline(default_timeout),
        _StreamUnaryDeadline(default_timeout),
    ]
    return grpc.aio.insecure_channel(
        channel_target(addresses), options=options, interceptors=interceptors
    )


async def call_with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    idempotent: bool,
    attempts: int = 4,
    base_delay: float = 0.05,
) -> T:
    """Run one RPC; if it is idempotent, repeat it on UNAVAILABLE with jittered backoff.

    For a uniform method like Invoke, idempotency belongs to the AWS operation, not to the
    gRPC method, so the caller decides here rather than in the channel's service config.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if not idempotent or error.code() not in RETRYABLE or attempt == attempts:
                raise
            await asyncio.sleep(base_delay * 2 ** (attempt - 1) * (0.5 + random.random()))
    raise AssertionError("unreachable")
