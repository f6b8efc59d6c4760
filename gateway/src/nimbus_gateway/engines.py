"""One protocol engine per API and wire protocol, built once from botocore's model.

Every API speaks the protocol of its botocore model, but for SQS: boto3 speaks JSON to it
(X-Amz-Target names the operation) while older SDKs and raw HTTP clients speak the query
protocol (Action=SendMessage, form-encoded or in the query string). The protocol is chosen
per request and kept on the exchange, so the request is parsed, and its answer or error
written, by the same engine.
"""

from __future__ import annotations

from functools import cache

from nimbus_gateway import catalog
from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.protocol import sqs_query
from nimbus_gateway.protocol.engine import ProtocolEngine
from nimbus_gateway.protocol.http import HttpRequest

QUERY = "query"  # the variant of an API that also answers the query protocol (SQS)

_JSON_CONTENT_TYPE = "application/x-amz-json-"


def engine_for(api: str, variant: str = "") -> ProtocolEngine:
    """The engine of api's own protocol, or of variant ("query" for SQS's old protocol)."""
    return _engine(api, variant)  # one cache key however the caller spells the arguments


@cache
def _engine(api: str, variant: str) -> ProtocolEngine:
    if variant == QUERY and api == "sqs":
        return ProtocolEngine(sqs_query.service_model())
    if variant:
        raise ValueError(f"{api} has no {variant!r} protocol variant")
    return ProtocolEngine(catalog.service_model(api))


def variant_of(api: str, request: HttpRequest) -> str:
    """Which protocol the request speaks: "" for the API's own, "query" for SQS's old one.

    A JSON request names its operation in X-Amz-Target and sends a JSON content type;
    anything else sent to SQS (a form POST, a GET with Action=...) is the query protocol.
    """
    if api != "sqs":
        return ""
    if "x-amz-target" in request.headers:
        return ""
    if request.headers.get("content-type", "").lower().startswith(_JSON_CONTENT_TYPE):
        return ""
    return QUERY


def engine_of(exchange: Exchange) -> ProtocolEngine:
    """The exchange's engine: chosen from its request once the API is known, then kept."""
    assert exchange.api is not None
    if exchange.engine is None:
        exchange.engine = engine_for(exchange.api, variant_of(exchange.api, exchange.request))
    return exchange.engine
