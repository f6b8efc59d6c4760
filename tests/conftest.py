"""Fixtures shared by every test level: the real datastores started by deploy/local."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from nimbus_core.settings import dsn_for

PG_SERVER = os.environ.get("NIMBUS_PG_DSN", "postgresql://nimbus:nimbus@127.0.0.1:5432")
KAFKA = os.environ.get("NIMBUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
REDIS = os.environ.get("NIMBUS_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


@pytest.fixture(scope="session")
def infrastructure() -> None:
    """The real PostgreSQL, Redis and Kafka; a test that needs them fails loudly without them."""
    missing = [
        name
        for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("Kafka", 9092))
        if not _reachable("127.0.0.1", port)
    ]
    if missing:
        pytest.fail(f"{', '.join(missing)} not running: run `bash deploy/local/infra.sh up`")


@pytest.fixture(scope="session")
def pg_server(infrastructure: None) -> str:
    return PG_SERVER


@pytest.fixture(scope="session")
def kafka_bootstrap(infrastructure: None) -> str:
    return KAFKA


@pytest.fixture
def database_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def fresh_database(pg_server: str, database_name: str) -> AsyncIterator[str]:
    """A database of its own for one test, dropped afterwards; yields its DSN."""
    yield dsn_for(pg_server, database_name)
    admin = await asyncpg.connect(dsn_for(pg_server, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def unique_topic() -> str:
    return f"test.{uuid.uuid4().hex[:12]}.v1"
