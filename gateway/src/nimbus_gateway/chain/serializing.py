"""Write the output, or an AWS error, in the API's wire format, with its request-id headers.

The engine is the exchange's own (engines.engine_of), so an SQS request in the query
protocol gets its answer, and any error raised after detection, as query XML.
"""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from nimbus_core.errors import AwsError, internal_error

from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.engines import engine_of
from nimbus_gateway.protocol.http import HttpResponse

log = logging.getLogger(__name__)


def output(exchange: Exchange) -> None:
    assert exchange.api and exchange.operation is not None and exchange.output is not None
    response = engine_of(exchange).serialize(
        exchange.operation, exchange.output, exchange.request_id
    )
    exchange.response = response


def error(exchange: Exchange, failure: AwsError) -> None:
    """The error as the client's SDK expects it; a generic XML error before detection."""
    if exchange.api is None:
        exchange.response = _generic_error(exchange, failure)
        return
    engine = engine_of(exchange)
    try:
        response = engine.serialize_error(failure, exchange.operation, exchange.request_id)
    except Exception:
        log.exception("could not serialize %s", failure.code)
        response = engine.serialize_error(internal_error(), None, exchange.request_id)
    if exchange.request.method == "HEAD":
        response.body, response.stream = b"", None
    exchange.response = response


def _generic_error(exchange: Exchange, failure: AwsError) -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error>'
        f"<Type>{'Sender' if failure.sender_fault else 'Receiver'}</Type>"
        f"<Code>{escape(failure.code)}</Code><Message>{escape(failure.message)}</Message>"
        f"</Error><RequestId>{exchange.request_id}</RequestId></ErrorResponse>"
    ).encode()
    return HttpResponse(
        status=failure.http_status,
        headers=[("Content-Type", "text/xml"), ("x-amzn-RequestId", exchange.request_id)],
        body=b"" if exchange.request.method == "HEAD" else body,
    )
