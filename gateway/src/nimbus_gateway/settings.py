"""Gateway settings: where it listens, where the services are, how it authenticates."""

from __future__ import annotations

from typing import Literal

from nimbus_core.settings import CoreSettings


class GatewaySettings(CoreSettings):
    service_name: str = "gateway"
    http_host: str = "127.0.0.1"
    http_port: int = 4566
    # Host names clients reach the gateway by; sub-domains of them name S3 buckets
    # (<bucket>.s3.localhost) or services (sqs.us-east-1.localhost).
    hostnames: tuple[str, ...] = ("localhost", "localhost.localstack.cloud")
    # Service name -> gRPC addresses of its replicas (host:port), or one "dns:///name:port".
    # From the environment as JSON: NIMBUS_TARGETS='{"s3": ["127.0.0.1:50120"]}'.
    targets: dict[str, list[str]] = {}
    # enforce: SigV4 verified against IAM's secrets. open: any well-formed request passes,
    # as the default account's root unless the key is known.
    auth_mode: Literal["enforce", "open"] = "enforce"
    default_account: str = "000000000000"
    # Bodies read whole (everything but S3 uploads, which stream) are capped at this size.
    max_body_bytes: int = 20 * 1024 * 1024
    # Whether POST /_nimbus/reset may wipe every service's data (test runs only).
    allow_reset: bool = False
