"""The uniform AwsService contract, served from a table of operation handlers.

The gateway sends the operation name and its parsed input as JSON. A service supplies one
plain coroutine per operation, free of wire formats; this servicer decodes, calls and
encodes, and answers NotImplemented for operations the service does not have yet.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus.service.v1 import service_pb2, service_pb2_grpc

from nimbus_core.errors import AwsError, not_implemented
from nimbus_core.logs import bound_request_id

Input = dict[str, Any]
Output = dict[str, Any]
UnaryHandler = Callable[[RequestContext, Input], Awaitable[Output]]
UploadHandler = Callable[[RequestContext, Input, "UploadBody"], Awaitable[Output]]
DownloadHandler = Callable[[RequestContext, Input], Awaitable[tuple[Output, AsyncIterator[bytes]]]]

SERVICE_NAME = service_pb2.DESCRIPTOR.services_by_name["AwsService"].full_name


@dataclass(frozen=True)
class OperationTable:
    """The operations one service implements, by AWS operation name."""

    unary: Mapping[str, UnaryHandler] = field(default_factory=dict)
    upload: Mapping[str, UploadHandler] = field(default_factory=dict)
    download: Mapping[str, DownloadHandler] = field(default_factory=dict)


class UploadBody:
    """A streamed request body: iterate it for the chunks; once the iteration has ended,
    `trailers` holds the trailing headers the client sent after the body (aws-chunked
    trailers such as x-amz-checksum-crc32, lower-cased names), if any.
    """

    def __init__(self, parts: AsyncIterator[service_pb2.InvokeUploadRequest]) -> None:
        self._parts = parts
        self.trailers: dict[str, str] = {}

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for part in self._parts:
            kind = part.WhichOneof("part")
            if kind == "body_chunk":
                yield part.body_chunk
            elif kind == "trailers":
                self.trailers.update(part.trailers.headers)


def _decode(payload: bytes) -> Input:
    try:
        value = json.loads(payload) if payload else {}
    except ValueError as exc:
        raise AwsError("SerializationException", "The request input is not valid JSON.") from exc
    if not isinstance(value, dict):
        raise AwsError("SerializationException", "The request input must be a JSON object.")
    return value


def _encode(output: Output) -> bytes:
    return json.dumps(output, separators=(",", ":")).encode()


class AwsServiceServicer(service_pb2_grpc.AwsServiceServicer):
    """Dispatches Invoke, InvokeUpload and InvokeDownload to an OperationTable."""

    def __init__(self, table: OperationTable) -> None:
        self._table = table

    async def Invoke(
        self, request: service_pb2.InvokeRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.InvokeResponse:
        handler = self._table.unary.get(request.operation)
        if handler is None:
            raise not_implemented(request.operation)
        with bound_request_id(request.context.request_id):
            output = await handler(request.context, _decode(request.input_json))
        return service_pb2.InvokeResponse(output_json=_encode(output))

    async def InvokeUpload(
        self,
        request_iterator: AsyncIterator[service_pb2.InvokeUploadRequest],
        context: grpc.aio.ServicerContext,
    ) -> service_pb2.InvokeResponse:
        first = await anext(aiter(request_iterator), None)
        if first is None or not first.HasField("head"):
            raise AwsError("IncompleteBody", "The upload stream did not start with its head.")
        head = first.head
        handler = self._table.upload.get(head.operation)
        if handler is None:
            raise not_implemented(head.operation)

        with bound_request_id(head.context.request_id):
            body = UploadBody(request_iterator)
            output = await handler(head.context, _decode(head.input_json), body)
        return service_pb2.InvokeResponse(output_json=_encode(output))

    async def InvokeDownload(
        self, request: service_pb2.InvokeRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[service_pb2.InvokeDownloadResponse]:
        handler = self._table.download.get(request.operation)
        if handler is None:
            raise not_implemented(request.operation)
        with bound_request_id(request.context.request_id):
            output, chunks = await handler(request.context, _decode(request.input_json))
            yield service_pb2.InvokeDownloadResponse(
                head=service_pb2.InvokeResponse(output_json=_encode(output))
            )
            async for chunk in chunks:
                yield service_pb2.InvokeDownloadResponse(body_chunk=chunk)


def register(table: OperationTable) -> Callable[[grpc.aio.Server], None]:
    """A registrar adding the AwsService for table to a server."""

    def add(server: grpc.aio.Server) -> None:
        service_pb2_grpc.add_AwsServiceServicer_to_server(AwsServiceServicer(table), server)

    return add
