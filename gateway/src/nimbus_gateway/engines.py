"""One protocol engine per API, built once from botocore's model."""

from __future__ import annotations

from functools import cache

from nimbus_gateway import catalog
from nimbus_gateway.protocol.engine import ProtocolEngine


@cache
def engine_for(api: str) -> ProtocolEngine:
    return ProtocolEngine(catalog.service_model(api))
