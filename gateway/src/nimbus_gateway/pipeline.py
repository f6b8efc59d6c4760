"""Runs the handler chain for one request, independent of the HTTP server underneath."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Protocol

from nimbus_core.errors import AwsError, internal_error
from nimbus_core.logs import bound_request_id

from nimbus_gateway.chain import detection, parsing, request_id, serializing
from nimbus_gateway.chain.authentication import Authenticator
from nimbus_gateway.chain.authorization import Authorizer
from nimbus_gateway.chain.dispatching import Dispatcher, payload_member
from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)


class BodySource(Protocol):
    """The request body as the HTTP server offers it: whole (bounded) or as a stream.

    Both raise ClientDisconnected when the client goes away before the body ends.
    """

    async def read(self, limit: int) -> bytes:
        """The whole body; raises BodyTooLarge past limit bytes."""
        ...

    def stream(self) -> AsyncIterator[bytes]: ...


class BodyTooLarge(Exception):
    pass


class ClientDisconnected(Exception):
    """The client went away mid-request: there is no one to answer."""


class Pipeline:
    def __init__(
        self,
        *,
        authenticator: Authenticator,
        authorizer: Authorizer,
        dispatcher: Dispatcher,
        base_hosts: tuple[str, ...],
        default_region: str,
        max_body_bytes: int,
    ) -> None:
        self._authenticator = authenticator
        self._authorizer = authorizer
        self._dispatcher = dispatcher
        self._base_hosts = base_hosts
        self._default_region = default_region
        self._max_body_bytes = max_body_bytes

    async def handle(self, request: HttpRequest, body: BodySource, source_ip: str) -> HttpResponse:
        exchange = Exchange(request=request, source_ip=source_ip)
        request_id.assign(exchange)
        with bound_request_id(exchange.request_id):
            try:
                await self._run(exchange, body)
            except AwsError as failure:
                serializing.error(exchange, failure)
            except ClientDisconnected:
                raise
            except Exception:
                log.exception("unhandled error in the gateway")
                serializing.error(exchange, internal_error())
        assert exchange.response is not None
        return exchange.response

    async def _run(self, exchange: Exchange, body: BodySource) -> None:
        # A PUT may be an S3 upload, whose body streams through; it never needs the body to
        # be detected. Everything else is read whole first (query protocols put Action in it).
        streamed = False
        if exchange.request.method == "PUT":
            detection.handle(exchange, self._base_hosts, self._default_region)
            parsing.find_operation(exchange)
            assert exchange.operation is not None
            streamed = payload_member(exchange.operation, output=False) is not None
        if not streamed:
            exchange.request.body = await self._read(exchange, body)
            if exchange.api is None:
                detection.handle(exchange, self._base_hosts, self._default_region)
                parsing.find_operation(exchange)
        exchange.request.body_streamed = streamed
        await self._authenticator.handle(exchange, body.stream() if streamed else None)
        parsing.parse(exchange)
        await self._authorizer.handle(exchange)
        await self._dispatcher.handle(exchange)
        serializing.output(exchange)

    async def _read(self, exchange: Exchange, body: BodySource) -> bytes:
        declared = exchange.request.headers.get("content-length", "")
        try:
            if declared.isdigit() and int(declared) > self._max_body_bytes:
                raise BodyTooLarge  # refuse before a byte of it is uploaded
            return await body.read(self._max_body_bytes)
        except BodyTooLarge:
            if exchange.api == "s3":
                raise AwsError(
                    "MaxMessageLengthExceeded", "Your request was too big.", 400
                ) from None
            raise AwsError("RequestEntityTooLarge", "Request body is too large.", 413) from None
