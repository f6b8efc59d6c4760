"""Detect the AWS API of the request (see nimbus_gateway.detect)."""

from __future__ import annotations

from nimbus_gateway.chain import request_id
from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.detect import detect


def handle(exchange: Exchange, base_hosts: tuple[str, ...], default_region: str) -> None:
    found = detect(exchange.request, base_hosts)
    exchange.api = found.api
    exchange.request = found.request
    exchange.region = found.region or default_region
    if found.api == "s3":
        request_id.s3_shaped(exchange)
