"""Turn the HTTP request into the operation and its input, with the API's protocol engine."""

from __future__ import annotations

from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.engines import engine_for


def find_operation(exchange: Exchange) -> None:
    """Which operation; needs no body for rest protocols, so streaming can be decided first."""
    assert exchange.api is not None
    exchange.operation = engine_for(exchange.api).find_operation(exchange.request)


def parse(exchange: Exchange) -> None:
    assert exchange.api is not None and exchange.operation is not None
    exchange.params = engine_for(exchange.api).parse(exchange.request, exchange.operation)
