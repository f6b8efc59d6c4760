"""`nimbus accounts create | list` against running iam replicas, found through the plan."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_cli.topology import Plan, ProcessSpec

from tests.iam.conftest import IamReplicas

pytestmark = pytest.mark.infra


def nimbus(run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(run_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def run_dir(iam: IamReplicas, tmp_path: Path) -> Path:
    """A run directory whose plan names the test's iam replicas, as `nimbus up` writes it."""
    processes = [
        ProcessSpec("iam", n, "local-a", int(a.rsplit(":", 1)[1]), "grpc", "nimbus_iam")
        for n, a in enumerate(iam.addresses)
    ]
    Plan(processes=processes, gateway_port=4566).save(tmp_path / "plan.json")
    return tmp_path


async def test_create_prints_a_new_account_whose_root_key_works(
    run_dir: Path, iam_stub: iam_pb2_grpc.IamInternalStub
) -> None:
    shown = nimbus(run_dir, "accounts", "create", "from the cli")
    assert shown.returncode == 0, shown.stderr
    match = re.search(r"Created account (\d{12}) \(from the cli\)", shown.stdout)
    assert match, shown.stdout
    key = re.search(r"export AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})\n", shown.stdout)
    secret = re.search(r"export AWS_SECRET_ACCESS_KEY=(\S{40})\n", shown.stdout)
    assert key and secret, shown.stdout

    identity = await iam_stub.ResolveAccessKey(
        iam_pb2.ResolveAccessKeyRequest(access_key_id=key[1])
    )
    assert (identity.account_id, identity.secret_access_key) == (match[1], secret[1])


def test_create_and_list_as_json(run_dir: Path) -> None:
    shown = nimbus(run_dir, "accounts", "create", "json-team", "--json")
    assert shown.returncode == 0, shown.stderr
    created = json.loads(shown.stdout)
    assert set(created) == {"AccountId", "Name", "AccessKeyId", "SecretAccessKey"}
    assert created["Name"] == "json-team"

    listed = nimbus(run_dir, "accounts", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["AccountId"]: row for row in json.loads(listed.stdout)}
    assert rows[created["AccountId"]]["Name"] == "json-team"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[created["AccountId"]]["Created"])

    table = nimbus(run_dir, "accounts", "list").stdout.splitlines()
    assert table[0].split() == ["ACCOUNT", "ID", "NAME", "CREATED"]
    assert any(line.startswith("000000000000  default") for line in table)


def test_a_refused_name_prints_the_aws_error(run_dir: Path) -> None:
    shown = nimbus(run_dir, "accounts", "create", "x" * 51)
    assert shown.returncode == 1
    assert shown.stderr.startswith("ValidationError: ")


def test_without_a_cloud_it_says_so(tmp_path: Path) -> None:
    shown = nimbus(tmp_path, "accounts", "list")
    assert shown.returncode == 1
    assert "Nimbus is not running" in shown.stderr


def test_with_the_cloud_down_it_says_iam_is_unavailable(tmp_path: Path) -> None:
    closed = ProcessSpec("iam", 0, "local-a", 1, "grpc", "nimbus_iam")
    Plan(processes=[closed], gateway_port=4566).save(tmp_path / "plan.json")
    shown = nimbus(tmp_path, "accounts", "create", "nobody")
    assert shown.returncode == 1
    assert "ServiceUnavailable" in shown.stderr and "nimbus status" in shown.stderr
