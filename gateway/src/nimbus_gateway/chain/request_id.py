"""Give every request its ids first, so even the earliest error carries one."""

from __future__ import annotations

import secrets
import uuid

from nimbus_gateway.chain.exchange import Exchange


def assign(exchange: Exchange) -> None:
    """A UUID as most services use; S3's shape is set once the API is known."""
    exchange.request_id = str(uuid.uuid4())


def s3_shaped(exchange: Exchange) -> None:
    """S3's request ids: 16 upper-case hex characters (the engine derives x-amz-id-2)."""
    exchange.request_id = secrets.token_hex(8).upper()
