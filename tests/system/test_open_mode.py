"""`open` auth mode: any well-formed request passes, as the default account's root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import boto3
import pytest

from tests.system.conftest import Cloud

pytestmark = pytest.mark.system
OPEN_PORT = 4594


@pytest.fixture(scope="module")
def open_gateway(cloud: Cloud) -> Iterator[str]:
    """A second gateway in open mode, in front of the same services."""
    plan = json.loads((cloud.run_dir / "plan.json").read_text())
    targets = next(p for p in plan["processes"] if p["service"] == "gateway")["env"]
    env = {**os.environ, **targets, "NIMBUS_HTTP_PORT": str(OPEN_PORT), "NIMBUS_AUTH_MODE": "open"}
    process = subprocess.Popen(
        [sys.executable, "-m", "nimbus_gateway"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{OPEN_PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{endpoint}/_nimbus/live", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_any_key_and_signature_is_accepted_as_the_default_root(open_gateway: str) -> None:
    sts = boto3.client(
        "sts",
        endpoint_url=open_gateway,
        region_name="us-east-1",
        aws_access_key_id="AKIAANYTHING00000000",
        aws_secret_access_key="wrong",
    )
    identity = sts.get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_a_known_key_still_names_its_owner(open_gateway: str) -> None:
    sts = boto3.client(
        "sts",
        endpoint_url=open_gateway,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="not-checked",
    )
    assert sts.get_caller_identity()["Account"] == "000000000000"
