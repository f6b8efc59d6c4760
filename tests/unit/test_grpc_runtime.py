"""The gRPC runtime over real in-process servers on loopback: errors, health, balancing, drain."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus.service.v1 import service_pb2, service_pb2_grpc
from nimbus_core.errors import AwsError, error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry, make_channel
from nimbus_core.grpc_server import GrpcServer
from nimbus_core.operations import SERVICE_NAME, OperationTable, UploadBody, register


def table(replica: str, gate: asyncio.Event | None = None) -> OperationTable:
    async def whoami(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
        return {"replica": replica, "echo": body, "request_id": ctx.request_id}

    async def fail(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
        raise AwsError(
            "NoSuchBucket",
            "The specified bucket does not exist",
            404,
            extra={"BucketName": body["Bucket"]},
        )

    async def crash(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("a bug")

    async def slow(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
        assert gate is not None
        gate.set()
        await asyncio.sleep(0.5)
        return {"finished": True}

    async def upload(
        ctx: RequestContext, body: dict[str, Any], chunks: UploadBody
    ) -> dict[str, Any]:
        return {"size": sum([len(c) async for c in chunks]), "trailers": chunks.trailers}

    async def download(
        ctx: RequestContext, body: dict[str, Any]
    ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(body["count"]):
                yield b"x" * 1024

        return {"ContentLength": body["count"] * 1024}, chunks()

    return OperationTable(
        unary={"WhoAmI": whoami, "Fail": fail, "Crash": crash, "Slow": slow},
        upload={"Upload": upload},
        download={"Download": download},
    )


async def start_server(replica: str, gate: asyncio.Event | None = None) -> GrpcServer:
    server = GrpcServer(
        "127.0.0.1", 0, [register(table(replica, gate))], [SERVICE_NAME], drain_seconds=3
    )
    await server.start()
    await server.set_serving(True)
    return server


def invoke(operation: str, body: dict[str, Any]) -> service_pb2.InvokeRequest:
    return service_pb2.InvokeRequest(
        operation=operation,
        input_json=json.dumps(body).encode(),
        context=RequestContext(request_id="req-1", account_id="000000000000"),
    )


@pytest.fixture
async def server() -> AsyncIterator[GrpcServer]:
    started = await start_server("only")
    yield started
    await started.drain_and_stop()


async def test_invoke_returns_the_handler_output(server: GrpcServer) -> None:
    async with make_channel([f"127.0.0.1:{server.port}"]) as channel:
        reply = await service_pb2_grpc.AwsServiceStub(channel).Invoke(invoke("WhoAmI", {"a": 1}))
    assert json.loads(reply.output_json) == {
        "replica": "only",
        "echo": {"a": 1},
        "request_id": "req-1",
    }


async def test_aws_errors_cross_the_hop_intact(server: GrpcServer) -> None:
    async with make_channel([f"127.0.0.1:{server.port}"]) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await service_pb2_grpc.AwsServiceStub(channel).Invoke(invoke("Fail", {"Bucket": "b"}))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    error = error_from_aio_rpc(caught.value)
    assert (error.code, error.message, error.http_status, error.sender_fault) == (
        "NoSuchBucket",
        "The specified bucket does not exist",
        404,
        True,
    )
    assert error.extra == {"BucketName": "b"}


async def test_a_bug_becomes_internal_error_without_leaking_details(server: GrpcServer) -> None:
    async with make_channel([f"127.0.0.1:{server.port}"]) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await service_pb2_grpc.AwsServiceStub(channel).Invoke(invoke("Crash", {}))
    error = error_from_aio_rpc(caught.value)
    assert (error.code, error.http_status, error.sender_fault) == ("InternalError", 500, False)
    assert "a bug" not in error.message


async def test_unknown_operations_answer_not_implemented(server: GrpcServer) -> None:
    async with make_channel([f"127.0.0.1:{server.port}"]) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await service_pb2_grpc.AwsServiceStub(channel).Invoke(invoke("ListThings", {}))
    error = error_from_aio_rpc(caught.value)
    assert (error.code, error.http_status) == ("NotImplemented", 501)
    assert "ListThings" in error.message


async def test_streamed_bodies_in_both_directions(server: GrpcServer) -> None:
    async with make_channel([f"127.0.0.1:{server.port}"]) as channel:
        stub = service_pb2_grpc.AwsServiceStub(channel)

        async def parts() -> AsyncIterator[service_pb2.InvokeUploadRequest]:
            yield service_pb2.InvokeUploadRequest(head=invoke("Upload", {}))
            for _ in range(10):
                yield service_pb2.InvokeUploadRequest(body_chunk=b"y" * 65536)
            trailers = service_pb2.BodyTrailers(headers={"x-amz-checksum-crc32": "AAAAAA=="})
            yield service_pb2.InvokeUploadRequest(trailers=trailers)

        uploaded = await stub.InvokeUpload(parts())
        assert json.loads(uploaded.output_json) == {
            "size": 655360,
            "trailers": {"x-amz-checksum-crc32": "AAAAAA=="},
        }

        replies = [r async for r in stub.InvokeDownload(invoke("Download", {"count": 8}))]
        assert json.loads(replies[0].head.output_json) == {"ContentLength": 8192}
        assert b"".join(r.body_chunk for r in replies[1:]) == b"x" * 8192


async def test_health_and_reflection_are_served(server: GrpcServer) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        overall = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        named = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICE_NAME)
        )
        from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

        async def ask() -> AsyncIterator[reflection_pb2.ServerReflectionRequest]:
            yield reflection_pb2.ServerReflectionRequest(list_services="")

        replies = [
            r
            async for r in reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
                ask()
            )
        ]
    assert overall.status == named.status == health_pb2.HealthCheckResponse.SERVING
    names = {s.name for s in replies[0].list_services_response.service}
    assert {SERVICE_NAME, "grpc.health.v1.Health"} <= names


async def test_calls_are_balanced_over_every_replica() -> None:
    servers = [await start_server(name) for name in ("r0", "r1", "r2")]
    try:
        async with make_channel([f"127.0.0.1:{s.port}" for s in servers]) as channel:
            stub = service_pb2_grpc.AwsServiceStub(channel)
            replies = [await stub.Invoke(invoke("WhoAmI", {})) for _ in range(30)]
        seen = {json.loads(r.output_json)["replica"] for r in replies}
        assert seen == {"r0", "r1", "r2"}
    finally:
        for s in servers:
            await s.drain_and_stop()


async def test_sigterm_drain_lets_in_flight_calls_finish_and_fails_health() -> None:
    gate = asyncio.Event()
    server = await start_server("draining", gate)
    async with make_channel([f"127.0.0.1:{server.port}"]) as channel:
        stub = service_pb2_grpc.AwsServiceStub(channel)

        async def slow_call() -> service_pb2.InvokeResponse:
            reply: service_pb2.InvokeResponse = await stub.Invoke(invoke("Slow", {}))
            return reply

        in_flight = asyncio.create_task(slow_call())
        await gate.wait()
        stopping = asyncio.create_task(server.drain_and_stop())
        reply = await in_flight
        await stopping
    assert json.loads(reply.output_json) == {"finished": True}
    status = await server.health.Check(health_pb2.HealthCheckRequest(), None)
    assert status.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_idempotent_calls_are_retried_while_no_replica_is_up() -> None:
    server = await start_server("late")
    port = server.port
    await server.drain_and_stop()
    attempts = 0
    async with make_channel([f"127.0.0.1:{port}"], default_timeout=2) as channel:
        stub = service_pb2_grpc.AwsServiceStub(channel)

        async def call() -> service_pb2.InvokeResponse:
            nonlocal attempts
            attempts += 1
            reply: service_pb2.InvokeResponse = await stub.Invoke(invoke("WhoAmI", {}))
            return reply

        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call_with_retry(call, idempotent=False)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert attempts == 1

        attempts = 0
        with pytest.raises(grpc.aio.AioRpcError):
            await call_with_retry(call, idempotent=True, attempts=3, base_delay=0.01)
        assert attempts == 3
