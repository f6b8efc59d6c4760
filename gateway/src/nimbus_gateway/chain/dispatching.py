"""Call the service that serves the API over gRPC: the uniform Invoke, or its streaming forms.

Reads are retried on UNAVAILABLE (another replica may answer); writes are not, since the
replica may have applied them before the connection broke.

A streamed upload ends with the body's trailing headers (aws-chunked trailers such as
x-amz-checksum-crc32), when it has any, as one BodyTrailers message. When the client's body
fails half-way (bad chunk signature, fewer bytes than declared, client gone), gRPC cancels
the call, so the service never sees the end of the body and commits nothing; the body's own
error is what the client gets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import grpc
from botocore.model import OperationModel
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus.service.v1 import service_pb2, service_pb2_grpc
from nimbus_core.errors import AwsError, error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry
from nimbus_core.telemetry import current_trace_headers

from nimbus_gateway import catalog, wire
from nimbus_gateway.chain.exchange import Exchange

_READ_PREFIXES = ("Get", "List", "Describe", "Head")
_CHUNK = 256 * 1024
# Streamed bodies move at the client's pace: a 5 GiB part over a slow link takes hours. The
# channel's default 30 s deadline would cut them off, so they get this one; a client that
# goes away cancels the call long before.
STREAM_DEADLINE_SECONDS = 12 * 3600.0


def is_idempotent(operation: OperationModel) -> bool:
    """Safe to send again: reads, and GET/HEAD requests of rest protocols."""
    method = operation.http.get("method", "POST")
    return operation.name.startswith(_READ_PREFIXES) or method in ("GET", "HEAD")


def payload_member(operation: OperationModel, output: bool) -> str | None:
    """The streaming payload member of the input (or output), if the operation streams."""
    shape = operation.output_shape if output else operation.input_shape
    streams = operation.has_streaming_output if output else operation.has_streaming_input
    if shape is None or not streams:
        return None
    member: str | None = shape.serialization.get("payload")
    return member


class Dispatcher:
    """gRPC stubs of every service, balanced over its replicas."""

    def __init__(self, channels: Mapping[str, grpc.aio.Channel]) -> None:
        self._stubs = {name: service_pb2_grpc.AwsServiceStub(ch) for name, ch in channels.items()}

    def _stub(self, api: str) -> Any:
        served_by = catalog.BY_NAME[api].served_by
        stub = self._stubs.get(served_by)
        if stub is None:
            raise AwsError(
                "ServiceUnavailable",
                f"No {served_by} service is configured.",
                503,
                sender_fault=False,
            )
        return stub

    async def handle(self, exchange: Exchange) -> None:
        assert exchange.api and exchange.operation is not None and exchange.caller is not None
        operation = exchange.operation
        stub = self._stub(exchange.api)
        request = service_pb2.InvokeRequest(
            operation=operation.name,
            input_json=wire.encode_input(exchange.params),
            context=_context(exchange),
        )
        body_failure: list[BaseException] = []
        try:
            if exchange.body_stream is not None and payload_member(operation, output=False):
                upload = _upload(request, exchange.body_stream, body_failure)
                try:
                    reply = await stub.InvokeUpload(upload, timeout=STREAM_DEADLINE_SECONDS)
                except (asyncio.CancelledError, grpc.aio.AioRpcError):
                    if body_failure:
                        raise body_failure[0] from None
                    raise
            elif member := payload_member(operation, output=True):
                exchange.output = await _download(stub, request, member, operation)
                return
            else:
                reply = await call_with_retry(
                    lambda: stub.Invoke(request), idempotent=is_idempotent(operation)
                )
        except grpc.aio.AioRpcError as failure:
            raise error_from_aio_rpc(failure) from None
        exchange.output = wire.decode_output(operation.output_shape, reply.output_json)


def _context(exchange: Exchange) -> RequestContext:
    caller = exchange.caller
    assert caller is not None and exchange.api is not None
    return RequestContext(
        request_id=exchange.request_id,
        account_id=caller.account_id,
        region=exchange.region,
        principal_arn=caller.principal_arn,
        source_ip=exchange.source_ip,
        trace_context=current_trace_headers(),
        access_key_id=caller.access_key_id,
        service=catalog.BY_NAME[exchange.api].served_by,
        endpoint_host=exchange.request.host,
        user_id=caller.user_id,
        api=exchange.api,
    )


async def _upload(
    head: service_pb2.InvokeRequest, body: AsyncIterator[bytes], failure: list[BaseException]
) -> AsyncIterator[service_pb2.InvokeUploadRequest]:
    """The request stream: head, body chunks, then the body's trailers if it has any.

    An error of the body is kept in `failure`: gRPC swallows it and cancels the call.
    """
    yield service_pb2.InvokeUploadRequest(head=head)
    try:
        async for chunk in body:
            for start in range(0, len(chunk), _CHUNK):
                yield service_pb2.InvokeUploadRequest(body_chunk=chunk[start : start + _CHUNK])
    except Exception as error:
        failure.append(error)
        raise
    trailers: Mapping[str, str] | None = getattr(body, "trailers", None)
    if trailers:
        yield service_pb2.InvokeUploadRequest(
            trailers=service_pb2.BodyTrailers(headers=dict(trailers))
        )


async def _download(
    stub: Any, request: service_pb2.InvokeRequest, member: str, operation: OperationModel
) -> dict[str, Any]:
    """Start the download, read its head now (errors surface here), stream the rest later."""
    call = stub.InvokeDownload(request, timeout=STREAM_DEADLINE_SECONDS)
    first = await call.read()
    if first is grpc.aio.EOF or not first.HasField("head"):
        raise AwsError(
            "InternalError", "The service sent no response head.", 500, sender_fault=False
        )
    output = wire.decode_output(operation.output_shape, first.head.output_json)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for part in call:
                yield part.body_chunk
        finally:
            call.cancel()

    output[member] = chunks()
    return output
