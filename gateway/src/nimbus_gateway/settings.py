"""Gateway settings: where it listens and where each service's replicas are."""

from __future__ import annotations

from nimbus_core.settings import CoreSettings


class GatewaySettings(CoreSettings):
    service_name: str = "gateway"
    http_host: str = "127.0.0.1"
    http_port: int = 4566
    # Service name -> gRPC addresses of its replicas (host:port), or one "dns:///name:port".
    # From the environment as JSON: NIMBUS_TARGETS='{"s3": ["127.0.0.1:50120"]}'.
    targets: dict[str, list[str]] = {}
