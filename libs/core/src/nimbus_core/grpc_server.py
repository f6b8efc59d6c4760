"""gRPC server bootstrap: health, reflection, AWS error translation and a graceful drain."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from nimbus_core.errors import AwsError, internal_error

log = logging.getLogger(__name__)

Registrar = Callable[[grpc.aio.Server], None]


class AwsErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Turns AwsError into a gRPC status carrying the error; anything else into InternalError."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                _guard_unary(handler.unary_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                _guard_unary(handler.stream_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                _guard_stream(handler.unary_stream, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.stream_stream_rpc_method_handler(
            _guard_stream(handler.stream_stream, method),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def _abort(context: grpc.aio.ServicerContext, error: AwsError) -> None:
    context.set_trailing_metadata(error.trailing_metadata())
    await context.abort(error.grpc_code, error.message)


def _as_aws_error(exc: Exception, method: str) -> AwsError:
    if isinstance(exc, AwsError):
        return exc
    log.exception("unhandled error in %s", method)
    return internal_error()


def _guard_unary(behaviour: Callable[..., Awaitable[Any]], method: str) -> Callable[..., Any]:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await behaviour(request, context)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            await _abort(context, _as_aws_error(exc, method))

    return guarded


def _guard_stream(behaviour: Callable[..., AsyncIterator[Any]], method: str) -> Callable[..., Any]:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            async for response in behaviour(request, context):
                yield response
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            await _abort(context, _as_aws_error(exc, method))

    return guarded


class GrpcServer:
    """A grpc.aio server with health and reflection, which drains on SIGTERM."""

    def __init__(
        self,
        host: str,
        port: int,
        registrars: Iterable[Registrar],
        service_names: Iterable[str],
        *,
        drain_seconds: float = 5.0,
        interceptors: Iterable[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        self.address = f"{host}:{port}"
        self._drain_seconds = drain_seconds
        self._service_names = list(service_names)
        self._server = grpc.aio.server(interceptors=[AwsErrorInterceptor(), *interceptors])
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._server)
        for register in registrars:
            register(self._server)
        reflection.enable_server_reflection(
            [*self._service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self._server
        )
        self.port = self._server.add_insecure_port(self.address)
        if self.port == 0:
            raise RuntimeError(f"cannot bind gRPC server to {self.address}")

    async def start(self) -> None:
        await self._server.start()
        log.info("gRPC server listening", extra={"address": self.address})

    async def set_serving(self, serving: bool) -> None:
        """Report SERVING (or NOT_SERVING) for the server as a whole and every service."""
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ["", *self._service_names]:
            await self.health.set(name, status)

    async def drain_and_stop(self) -> None:
        """Fail health checks first so balancers move away, then let in-flight calls finish."""
        await self.set_serving(False)
        await self._server.stop(self._drain_seconds)
        log.info("gRPC server stopped")
