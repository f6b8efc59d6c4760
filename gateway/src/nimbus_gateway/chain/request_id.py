"""Give every request its ids first, so even the earliest error carries one."""

from __future__ import annotations

import base64
import secrets
import uuid

from nimbus_gateway.chain.exchange import Exchange


def assign(exchange: Exchange) -> None:
    """A UUID as most services use; S3's shape is set once the API is known."""
    exchange.request_id = str(uuid.uuid4())


def s3_shaped(exchange: Exchange) -> None:
    """S3's ids: 16 upper-case hex characters, plus a base64 x-amz-id-2."""
    exchange.request_id = secrets.token_hex(8).upper()
    exchange.extended_request_id = base64.b64encode(secrets.token_bytes(48)).decode()
