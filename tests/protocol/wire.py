"""botocore as the client: its serializer builds our HttpRequest, its parser reads our
HttpResponse, exactly as the SDK's endpoint would send and receive them over HTTP."""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.handlers import parse_get_bucket_location
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer
from multidict import CIMultiDict
from nimbus_gateway.protocol import HttpRequest, HttpResponse, ProtocolEngine

ENDPOINT_HOST = "nimbus.test"


@cache
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


@cache
def engine(name: str) -> ProtocolEngine:
    return ProtocolEngine(service_model(name))


@cache
def _serializer(protocol: str) -> Any:
    return create_serializer(protocol, include_validation=False)


def botocore_request(
    operation: OperationModel, params: dict[str, Any], *, streamed: bool = False
) -> HttpRequest:
    """What botocore puts on the wire for params, as the gateway would receive it.

    The HTTP layer owns Host and Content-Length (it sends the real body length); header
    values arrive without surrounding whitespace.
    """
    protocol = operation.service_model.protocol
    request_dict = _serializer(protocol).serialize_to_request(params, operation)
    prepare_request_dict(request_dict, f"https://{ENDPOINT_HOST}")
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    headers: CIMultiDict[str] = CIMultiDict()
    for key, value in prepared.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if key.lower() not in ("content-length", "host"):
            headers.add(key, text.strip())
    headers["Host"] = url.netloc
    if body or prepared.method in ("PUT", "POST"):
        headers["Content-Length"] = str(len(body))
    return HttpRequest(
        method=prepared.method,
        path=url.path,
        query=url.query,
        headers=headers,
        body=b"" if streamed else body,
        body_streamed=streamed,
    )


def botocore_parse(
    operation: OperationModel, response: HttpResponse, shape: Any = None
) -> dict[str, Any]:
    """What botocore's parser makes of our response (with the output shape by default)."""
    headers = HeadersDict()
    for key, value in response.headers:
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    body: Any = response.body
    if response.status < 300 and operation.has_streaming_output and shape is None:
        length = headers.get("content-length")
        body = StreamingBody(io.BytesIO(response.body), int(length) if length else None)
    parser = create_parser(operation.service_model.protocol)
    response_dict = {
        "status_code": response.status,
        "headers": headers,
        "body": body,
        "context": {"operation_name": operation.name},
    }
    parsed = parser.parse(response_dict, shape if shape is not None else operation.output_shape)
    if (
        operation.service_model.service_name == "s3"
        and operation.name == "GetBucketLocation"
        and response.status < 300
    ):
        # botocore's client runs this handler: the model cannot describe the document.
        parse_get_bucket_location(parsed, _RawResponse(response.body))
    return dict(parsed)


class _RawResponse:
    def __init__(self, content: bytes) -> None:
        self.content = content
        self.raw = object()


def _unchunk(body: bytes, headers: CIMultiDict[str]) -> bytes:
    """What the gateway's SigV4 layer does before parse(): remove the aws-chunked framing
    and hand the trailing checksums on as headers."""
    import asyncio

    from nimbus_gateway.auth.chunked import AwsChunkedDecoder

    async def decode() -> tuple[bytes, dict[str, str]]:
        async def once() -> Any:
            yield body

        trailers = [name.strip() for name in headers.get("x-amz-trailer", "").split(",") if name]
        decoder = AwsChunkedDecoder(once(), declared_trailers=trailers)
        payload = b"".join([piece async for piece in decoder])
        return payload, decoder.trailers

    payload, trailers = asyncio.run(decode())
    headers.update(trailers)
    return payload


class _Raw(io.BytesIO):
    """What AWSResponse expects of urllib3's response: stream() and read()."""

    def stream(self, amt: int = 1024, decode_content: bool = False) -> Any:
        while chunk := self.read(amt):
            yield chunk


def loopback_client(service: str, handler: Any, request_id: str = "loopback-request-id") -> Any:
    """A real botocore client whose HTTP goes through the engine to handler(name, input).

    handler returns the output dict or raises AwsError: the whole SDK (signing aside)
    then sees exactly what an AWS SDK would see from the gateway.
    """
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config
    from nimbus_core.errors import AwsError

    session = botocore.session.get_session()
    client = session.create_client(
        service,
        region_name="us-east-1",
        endpoint_url=f"https://{ENDPOINT_HOST}",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="example-secret",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    protocol_engine = engine(service)

    def send(request: Any, **_: Any) -> Any:
        url = urlsplit(request.url)
        headers: CIMultiDict[str] = CIMultiDict()
        for key, value in request.headers.items():
            headers.add(key, value.decode() if isinstance(value, bytes) else str(value))
        headers["Host"] = url.netloc
        body = request.body or b""
        if not isinstance(body, bytes):
            body = body.encode() if isinstance(body, str) else body.read()
        if "aws-chunked" in headers.get("content-encoding", ""):
            body = _unchunk(body, headers)
        http_request = HttpRequest(request.method, url.path, url.query, headers, body)
        operation = None
        try:
            operation = protocol_engine.find_operation(http_request)
            params = protocol_engine.parse(http_request, operation)
            response = protocol_engine.serialize(
                operation, handler(operation.name, params), request_id
            )
        except AwsError as error:
            response = protocol_engine.serialize_error(error, operation, request_id)
        response_headers = HeadersDict()
        for key, value in response.headers:
            response_headers[key] = value
        return AWSResponse(request.url, response.status, response_headers, _Raw(response.body))

    client.meta.events.register("before-send", send)
    return client
