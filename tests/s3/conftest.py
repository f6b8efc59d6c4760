"""A local cloud for the S3 tests: two s3 replicas behind one gateway, driven with boto3.

The lifecycle clock is scaled (one real second is a lifecycle day) and the blob collector's
grace is short, so background work can be observed within a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.system.conftest import Cloud, running_cloud

# Overridable so that several runs can share one machine (each needs its own ports).
GATEWAY_PORT = int(os.environ.get("NIMBUS_TEST_S3_GATEWAY_PORT", "4589"))
BASE_PORT = int(os.environ.get("NIMBUS_TEST_S3_BASE_PORT", "22300"))
S3_REPLICAS = 2

# What the s3 replicas run with in these tests (see nimbus_s3.settings).
S3_TEST_ENV = {
    "NIMBUS_S3_LIFECYCLE_CLOCK_SCALE": "86400",
    "NIMBUS_S3_LIFECYCLE_INTERVAL_SECONDS": "1",
    "NIMBUS_S3_GC_GRACE_SECONDS": "2",
    "NIMBUS_S3_GC_INTERVAL_SECONDS": "1",
}


class S3Cloud(Cloud):
    def nimbus(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(self.run_dir), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=180,
            env={**os.environ, **S3_TEST_ENV},
        )


@pytest.fixture(scope="session")
def s3_cloud(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[S3Cloud]:
    run_dir: Path = tmp_path_factory.mktemp("s3cloud")
    prefix = f"s3t{uuid.uuid4().hex[:8]}_"
    cloud = S3Cloud(run_dir, f"http://127.0.0.1:{GATEWAY_PORT}", "", prefix)
    with running_cloud(
        cloud,
        pg_server,
        GATEWAY_PORT,
        BASE_PORT,
        "--replicas",
        f"s3={S3_REPLICAS}",
        "--zones",
        "a,b",
    ):
        yield cloud


# Bucket access answers are cached by the gateway; a change shows within this (events drop
# the entry at once, the TTL bounds it otherwise).
SETTLE_SECONDS = 20.0


def eventually(check: Callable[[], None], timeout: float = SETTLE_SECONDS) -> None:
    """Run check until it passes: for what the gateway learns through Kafka (bucket policy,
    ACL, CORS and website changes)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except (AssertionError, botocore.exceptions.ClientError, pytest.fail.Exception):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def s3_client(endpoint: str, *, key: str = "test", secret: str = "test", **config: Any) -> Any:
    """A boto3 S3 client as a user would make one (SigV4, path-style unless told)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config),
    )


@pytest.fixture(scope="session")
def s3(s3_cloud: S3Cloud) -> Any:
    return s3_client(s3_cloud.endpoint)


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    """A fresh bucket, emptied (every version) and deleted afterwards."""
    name = f"t-{uuid.uuid4().hex[:20]}"
    s3.create_bucket(Bucket=name)
    yield name
    try:
        paginator = s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=name):
            for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                s3.delete_object(
                    Bucket=name,
                    Key=item["Key"],
                    VersionId=item["VersionId"],
                    BypassGovernanceRetention=True,
                )
        s3.delete_bucket(Bucket=name)
    except Exception:  # a test that broke the bucket on purpose must not fail teardown
        pass
