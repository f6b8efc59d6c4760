"""Process settings, read once from NIMBUS_* environment variables into one typed object."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class CoreSettings(BaseSettings):
    """What every Nimbus process needs to know about itself and its datastores.

    Services subclass it to add their own fields; the prefix stays NIMBUS_.
    """

    model_config = SettingsConfigDict(env_prefix="NIMBUS_", extra="ignore", frozen=True)

    service_name: str = "unnamed"
    replica: int = 0
    zone: str = "local-a"
    region: str = "us-east-1"

    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    # Seconds in-flight RPCs get to finish after SIGTERM before the server stops.
    drain_seconds: float = 5.0

    # DSN of the PostgreSQL server without a database; the database name is per service.
    pg_dsn: str = "postgresql://nimbus:nimbus@127.0.0.1:5432"
    # Database name; empty means "<db_prefix><service_name>".
    pg_database: str = ""
    # Prefix for database names, so several clouds (e.g. a test run) share one server.
    db_prefix: str = ""
    pg_pool_min: int = 1
    pg_pool_max: int = 10

    redis_url: str = "redis://127.0.0.1:6379/0"
    kafka_bootstrap: str = "127.0.0.1:9092"

    outbox_batch_size: int = 100
    # Upper bound between outbox scans when no NOTIFY arrives (e.g. after a crash).
    outbox_poll_seconds: float = 1.0
    outbox_relay_enabled: bool = True

    # Whether the Admin.Reset RPC may wipe this service's data (test runs only).
    allow_reset: bool = False

    log_level: str = "INFO"
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str = "http://127.0.0.1:4317"

    @property
    def database(self) -> str:
        """The PostgreSQL database this process owns."""
        return self.pg_database or f"{self.db_prefix}{self.service_name}"

    @property
    def database_dsn(self) -> str:
        """DSN of this process's own database."""
        return dsn_for(self.pg_dsn, self.database)

    @property
    def instance(self) -> str:
        """A readable id of this process: service, replica and zone."""
        return f"{self.service_name}-{self.replica}@{self.zone}"


def dsn_for(server_dsn: str, database: str) -> str:
    """The DSN of one database on the server that server_dsn points at."""
    base, _, query = server_dsn.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}" + (f"?{query}" if query else "")
