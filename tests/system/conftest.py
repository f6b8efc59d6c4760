"""A whole local cloud started with the nimbus command, on ports and databases of its own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import redis
from nimbus_core.settings import dsn_for

from tests.conftest import REDIS

GATEWAY_PORT = 4599
BASE_PORT = 21100


@dataclass
class Cloud:
    run_dir: Path
    endpoint: str
    up_output: str
    db_prefix: str

    def nimbus(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(self.run_dir), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=180,
        )

    def status(self) -> dict[str, object]:
        result = self.nimbus("status", "--json", check=False)
        loaded: dict[str, object] = json.loads(result.stdout)
        return loaded


async def _drop_databases(server: str, prefix: str) -> None:
    admin = await asyncpg.connect(dsn_for(server, "postgres"))
    try:
        names = await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"
        )
        for row in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await admin.close()


def _drop_redis_keys(prefix: str) -> None:
    """Every key the cloud left in the shared Redis (SQS messages), and only those."""
    client = redis.Redis.from_url(REDIS)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


@contextlib.contextmanager
def running_cloud(
    cloud: Cloud, pg_server: str, gateway_port: int, base_port: int, *options: str
) -> Iterator[Cloud]:
    """`nimbus up --no-infra` on these ports with the cloud's database prefix (plus options
    such as --replicas); on exit `nimbus down`, then its databases and Redis keys go."""
    started = cloud.nimbus(
        "up",
        "--no-infra",
        "--gateway-port",
        str(gateway_port),
        "--base-port",
        str(base_port),
        "--db-prefix",
        cloud.db_prefix,
        *options,
        check=False,
    )
    cloud.up_output = started.stdout
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield cloud
    finally:
        cloud.nimbus("down", check=False)
        asyncio.run(_drop_databases(pg_server, cloud.db_prefix))
        _drop_redis_keys(cloud.db_prefix)


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Cloud]:
    run_dir = tmp_path_factory.mktemp("cloud")
    prefix = f"sys{uuid.uuid4().hex[:8]}_"
    cloud = Cloud(run_dir, f"http://127.0.0.1:{GATEWAY_PORT}", "", prefix)
    with running_cloud(
        cloud, pg_server, GATEWAY_PORT, BASE_PORT, "--replicas", "sqs=2", "--zones", "a,b"
    ):
        yield cloud
