"""Runs the handler chain for one request, independent of the HTTP server underneath.

Besides the chain, S3 has three things the gateway answers itself: CORS preflights (unsigned
OPTIONS), CORS headers on real requests carrying Origin, and website endpoints.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import quote

from multidict import CIMultiDict
from nimbus_core.errors import AwsError, internal_error
from nimbus_core.logs import bound_request_id

from nimbus_gateway import catalog, cors
from nimbus_gateway.bucket_access import BucketAccess, BucketAccessCache
from nimbus_gateway.chain import detection, parsing, request_id, serializing
from nimbus_gateway.chain.authentication import Authenticator
from nimbus_gateway.chain.authorization import Authorizer
from nimbus_gateway.chain.dispatching import Dispatcher, payload_member
from nimbus_gateway.chain.exchange import Caller, Exchange
from nimbus_gateway.engines import engine_for
from nimbus_gateway.post_object import PostObject, bucket_of
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.website import Website, WebsiteHost, website_host

log = logging.getLogger(__name__)

# Request headers a website GET passes on to GetObject (conditional and range reads).
_WEBSITE_HEADERS = (
    "range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
)


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


def anonymous_caller() -> Caller:
    return Caller(account_id="", principal_arn="", user_id="", anonymous=True)


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
        buckets: BucketAccessCache | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._authorizer = authorizer
        self._dispatcher = dispatcher
        self._base_hosts = base_hosts
        self._default_region = default_region
        self._max_body_bytes = max_body_bytes
        self._buckets = buckets
        self._post_object = PostObject(authenticator, authorizer, dispatcher)

    async def handle(self, request: HttpRequest, body: BodySource, source_ip: str) -> HttpResponse:
        exchange = Exchange(request=request, source_ip=source_ip)
        request_id.assign(exchange)
        with bound_request_id(exchange.request_id):
            site = website_host(request.host, self._base_hosts)
            try:
                if site is not None:
                    await self._website(exchange, site)
                else:
                    await self._run(exchange, body)
            except AwsError as failure:
                serializing.error(exchange, failure)
            except ClientDisconnected:
                raise
            except Exception:
                log.exception("unhandled error in the gateway")
                serializing.error(exchange, internal_error())
            if site is None:
                await self._cors_headers(exchange)
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
                if _is_preflight(exchange):
                    await self._preflight(exchange)
                    return
                if (post_bucket := bucket_of(exchange)) is not None:
                    await self._post_object.handle(exchange, post_bucket)  # a form upload
                    return
                parsing.find_operation(exchange)
        exchange.request.body_streamed = streamed
        await self._authenticator.handle(exchange, body.stream() if streamed else None)
        parsing.parse(exchange)
        denied = await self._authorizer.handle(exchange)
        withheld = _withhold(exchange, denied) if denied else []
        if withheld and not exchange.params.get("Delete", {}).get("Objects"):
            exchange.output = {"Errors": withheld}  # every key denied: nothing to send
        else:
            await self._dispatcher.handle(exchange)
        if withheld and exchange.output is not None:
            exchange.output["Errors"] = [*exchange.output.get("Errors", []), *withheld]
        serializing.output(exchange)

    async def _bucket(self, name: str) -> BucketAccess | None:
        return await self._buckets.get(name) if self._buckets is not None and name else None

    async def _preflight(self, exchange: Exchange) -> None:
        """A CORS preflight, answered from the bucket's rules without a signature."""
        bucket, _ = cors.target_of(exchange.request)
        access = await self._bucket(bucket)
        if access is not None and not access.exists:
            rules = None
        else:
            rules = access.cors_rules if access is not None else ()
        exchange.response = cors.preflight(exchange.request, rules, exchange.request_id)

    async def _cors_headers(self, exchange: Exchange) -> None:
        """The bucket's CORS headers on a real S3 request carrying Origin (answer or error)."""
        request, response = exchange.request, exchange.response
        if (
            exchange.api != "s3"
            or response is None
            or request.method == "OPTIONS"
            or "origin" not in request.headers
        ):
            return
        bucket, _ = cors.target_of(request)
        try:
            access = await self._bucket(bucket)
        except Exception:  # the answer stands without CORS headers rather than failing
            log.warning("no CORS headers: bucket %s could not be looked up", bucket)
            return
        if access is not None and access.exists:
            cors.decorate(request, response, access.cors_rules)

    async def _website(self, exchange: Exchange, site: WebsiteHost) -> None:
        exchange.api = "s3"
        exchange.region = site.region or self._default_region
        request_id.s3_shaped(exchange)
        access = await self._bucket(site.bucket)
        reader = _AnonymousReader(self, exchange)
        exchange.response = await Website(reader).serve(
            exchange.request, access, site.bucket, exchange.request_id
        )

    async def read_anonymously(self, exchange: Exchange) -> dict[str, Any]:
        """Authorize and dispatch a prepared exchange (website reads); its output."""
        await self._authorizer.handle(exchange)
        await self._dispatcher.handle(exchange)
        assert exchange.output is not None
        return exchange.output

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


def _is_preflight(exchange: Exchange) -> bool:
    return exchange.api == "s3" and exchange.request.method == "OPTIONS"


def _withhold(exchange: Exchange, denied: list[int]) -> list[dict[str, Any]]:
    """Take DeleteObjects' denied keys out of the input; their error entries for the output."""
    delete = exchange.params.get("Delete")
    objects = delete.get("Objects") if isinstance(delete, dict) else None
    if not isinstance(delete, dict) or not isinstance(objects, list):
        return []
    skip = set(denied)
    errors: list[dict[str, Any]] = []
    for index in sorted(skip):
        if index < len(objects):
            item = objects[index]
            entry = {"Key": item.get("Key", "")}
            if item.get("VersionId"):
                entry["VersionId"] = item["VersionId"]
            errors.append({**entry, "Code": "AccessDenied", "Message": "Access Denied"})
    delete["Objects"] = [o for i, o in enumerate(objects) if i not in skip]
    return errors


class _AnonymousReader:
    """Website reads: GetObject/HeadObject as an anonymous caller, through the usual chain."""

    def __init__(self, pipeline: Pipeline, origin: Exchange) -> None:
        self._pipeline = pipeline
        self._origin = origin

    async def read(self, bucket: str, key: str, *, head: bool) -> dict[str, Any]:
        origin = self._origin
        headers: CIMultiDict[str] = CIMultiDict()
        headers["host"] = origin.request.host
        for name in _WEBSITE_HEADERS:
            if name in origin.request.headers:
                headers[name] = origin.request.headers[name]
        request = HttpRequest(
            method="HEAD" if head else "GET",
            path=f"/{quote(bucket, safe='')}/{quote(key, safe='/~')}",
            headers=headers,
        )
        operation = _operation("HeadObject" if head else "GetObject")
        exchange = Exchange(
            request=request,
            source_ip=origin.source_ip,
            request_id=origin.request_id,
            api="s3",
            region=origin.region,
            caller=anonymous_caller(),
            operation=operation,
            params=engine_for("s3").parse(request, operation),
        )
        return await self._pipeline.read_anonymously(exchange)

    def response(self, output: dict[str, Any], *, head: bool) -> HttpResponse:
        operation = _operation("HeadObject" if head else "GetObject")
        return engine_for("s3").serialize(operation, output, self._origin.request_id)


def _operation(name: str) -> Any:
    return catalog.service_model("s3").operation_model(name)
