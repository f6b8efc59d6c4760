"""`nimbus accounts create` end to end: a whole cloud started by `nimbus up`, two iam replicas.

Ports (gateway 4597, services from 21500) and databases (a prefix of their own) differ from
every other test cloud, so this runs alongside them.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_cli.topology import Plan
from nimbus_core.grpc_client import make_channel

from tests.iam.conftest import drop_databases

pytestmark = pytest.mark.system

GATEWAY_PORT = 4597
BASE_PORT = 21500


def nimbus(run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(run_dir), *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def cloud_run_dir(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Path]:
    run_dir = tmp_path_factory.mktemp("iam-cloud")
    prefix = f"sysiam{uuid.uuid4().hex[:8]}_"
    started = nimbus(
        run_dir,
        "up",
        "--no-infra",
        "--gateway-port",
        str(GATEWAY_PORT),
        "--base-port",
        str(BASE_PORT),
        "--db-prefix",
        prefix,
        "--replicas",
        "iam=2",
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield run_dir
    finally:
        nimbus(run_dir, "down")
        asyncio.run(drop_databases(pg_server, prefix))


def test_accounts_create_and_list_against_a_running_cloud(cloud_run_dir: Path) -> None:
    shown = nimbus(cloud_run_dir, "accounts", "create", "system-team", "--json")
    assert shown.returncode == 0, shown.stderr
    created = json.loads(shown.stdout)

    listed = json.loads(nimbus(cloud_run_dir, "accounts", "list", "--json").stdout)
    assert [(a["AccountId"], a["Name"]) for a in listed] == [
        ("000000000000", "default"),
        (created["AccountId"], "system-team"),
    ]

    async def resolve_on_every_replica() -> set[str]:
        plan = Plan.load(cloud_run_dir / "plan.json")
        secrets = set()
        for process in (p for p in plan.processes if p.service == "iam"):
            async with make_channel([f"127.0.0.1:{process.port}"]) as channel:
                identity = await iam_pb2_grpc.IamInternalStub(channel).ResolveAccessKey(
                    iam_pb2.ResolveAccessKeyRequest(access_key_id=created["AccessKeyId"])
                )
                assert identity.account_id == created["AccountId"]
                secrets.add(identity.secret_access_key)
        return secrets

    assert asyncio.run(resolve_on_every_replica()) == {created["SecretAccessKey"]}
