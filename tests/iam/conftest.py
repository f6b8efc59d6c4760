"""Real iam replicas for the tests: `python -m nimbus_iam` processes on free loopback ports.

They share one PostgreSQL database (under a prefix of their own, dropped afterwards) and the
real Kafka, exactly as replicas of a cloud do.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nimbus.iam.v1 import iam_pb2_grpc
from nimbus_core import db
from nimbus_core.grpc_client import make_channel
from nimbus_core.settings import dsn_for

REPLICAS = 3
# Seconds between recorded uses of one key: 60 by default, short here so a test can wait it.
LAST_USED_INTERVAL = 2.0


@dataclass
class IamReplicas:
    addresses: list[str]
    prefix: str
    database_dsn: str
    processes: list[asyncio.subprocess.Process]
    log_dir: Path

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("*.log")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_serving(address: str, timeout: float = 60.0) -> None:
    """Until the replica's gRPC health says SERVING (it bootstraps before it serves)."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with grpc.aio.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"iam at {address} not serving after {timeout:.0f}s")
            await asyncio.sleep(0.1)


async def start_replicas(
    count: int, prefix: str, log_dir: Path, env: Mapping[str, str] | None = None
) -> IamReplicas:
    """Start count replicas at the same moment and wait until every one serves."""
    ports = [free_port() for _ in range(count)]
    processes = []
    for replica, port in enumerate(ports):
        with (log_dir / f"iam-{replica}.log").open("wb") as log_file:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "nimbus_iam",
                    env={
                        **os.environ,
                        "NIMBUS_SERVICE_NAME": "iam",
                        "NIMBUS_REPLICA": str(replica),
                        "NIMBUS_GRPC_PORT": str(port),
                        "NIMBUS_DB_PREFIX": prefix,
                        "NIMBUS_OUTBOX_POLL_SECONDS": "0.2",
                        **(env or {}),
                    },
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=asyncio.subprocess.STDOUT,
                )
            )
    pg_server = os.environ.get("NIMBUS_PG_DSN", "postgresql://nimbus:nimbus@127.0.0.1:5432")
    replicas = IamReplicas(
        [f"127.0.0.1:{p}" for p in ports],
        prefix,
        dsn_for(pg_server, f"{prefix}iam"),
        processes,
        log_dir,
    )
    try:
        await asyncio.gather(*(wait_serving(a) for a in replicas.addresses))
    except Exception:
        await stop_replicas(replicas)
        raise AssertionError("iam replicas did not start:\n" + replicas.logs()) from None
    return replicas


async def stop_replicas(replicas: IamReplicas) -> None:
    """SIGTERM, as the supervisor does; kill whatever is still there after 15 s."""
    for process in replicas.processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in replicas.processes:
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def drop_databases(server: str, prefix: str) -> None:
    admin = await asyncpg.connect(dsn_for(server, "postgres"))
    try:
        rows = await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"
        )
        for row in rows:
            await admin.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def iam(
    pg_server: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[IamReplicas]:
    """Three iam replicas started together on a fresh database (default bootstrap settings)."""
    prefix = f"iamt{uuid.uuid4().hex[:8]}_"
    replicas = await start_replicas(
        REPLICAS,
        prefix,
        tmp_path_factory.mktemp("iam-logs"),
        {"NIMBUS_IAM_LAST_USED_INTERVAL_SECONDS": str(LAST_USED_INTERVAL)},
    )
    try:
        yield replicas
    finally:
        await stop_replicas(replicas)
        await drop_databases(pg_server, prefix)


@pytest.fixture(scope="session")
async def iam_db(iam: IamReplicas) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the replicas' database, to look at what they stored."""
    pool = await db.create_pool(iam.database_dsn, max_size=4)
    yield pool
    await db.close_pool(pool)


@pytest.fixture(scope="session")
async def iam_channel(iam: IamReplicas) -> AsyncIterator[grpc.aio.Channel]:
    """A channel balanced round-robin over every replica, as the gateway's is."""
    async with make_channel(iam.addresses, default_timeout=10) as channel:
        yield channel


@pytest.fixture
def iam_stub(iam_channel: grpc.aio.Channel) -> iam_pb2_grpc.IamInternalStub:
    return iam_pb2_grpc.IamInternalStub(iam_channel)


# A whole cloud for the IAM API tests, on ports and databases no other test cloud uses.
API_GATEWAY_PORT = 4595
API_BASE_PORT = 21900


@dataclass
class ApiCloud:
    run_dir: Path
    endpoint: str
    iam_addresses: list[str]

    def client(
        self,
        service: str = "iam",
        key: str = "test",
        secret: str = "test",
        *,
        validate: bool = True,
    ) -> object:
        """A boto3 client; validate=False skips boto3's own checks to reach the server's."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            region_name="us-east-1",
            endpoint_url=self.endpoint,
            config=Config(retries={"max_attempts": 1}, parameter_validation=validate),
        )


def _nimbus(run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(run_dir), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="session")
def api_cloud(
    pg_server: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiCloud]:
    """`nimbus up --no-infra` with two iam replicas; torn down and its databases dropped."""
    from nimbus_cli.topology import Plan

    run_dir = tmp_path_factory.mktemp("iam-api-cloud")
    prefix = f"iamapi{uuid.uuid4().hex[:8]}_"
    started = _nimbus(
        run_dir,
        "up",
        "--no-infra",
        "--gateway-port",
        str(API_GATEWAY_PORT),
        "--base-port",
        str(API_BASE_PORT),
        "--db-prefix",
        prefix,
        "--replicas",
        "iam=2",
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        plan = Plan.load(run_dir / "plan.json")
        addresses = [f"127.0.0.1:{p.port}" for p in plan.processes if p.service == "iam"]
        yield ApiCloud(run_dir, f"http://127.0.0.1:{API_GATEWAY_PORT}", addresses)
    finally:
        _nimbus(run_dir, "down")
        asyncio.run(drop_databases(pg_server, prefix))
