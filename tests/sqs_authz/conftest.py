"""A local cloud for the queue-policy system tests, in enforce mode, with a second account.

Ports (gateway 4585, services from 30700) and databases (a prefix of their own) differ from
every other test cloud, so this runs alongside them. Messages go to the shared Redis under
this cloud's own key prefix, removed at the end.
"""

from __future__ import annotations

import json
import os
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

GATEWAY_PORT = int(os.environ.get("NIMBUS_TEST_SQS_AUTHZ_GATEWAY_PORT", "4585"))
BASE_PORT = int(os.environ.get("NIMBUS_TEST_SQS_AUTHZ_BASE_PORT", "30700"))
REGION = "us-east-1"
OWNER = "000000000000"
# Queue answers are cached by the gateway; a change shows within this (the QueueChanged event
# drops the entry at once, the TTL bounds it otherwise).
SETTLE_SECONDS = 20.0


@pytest.fixture(scope="session")
def authz_cloud(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Cloud]:
    run_dir: Path = tmp_path_factory.mktemp("sqsauthz")
    prefix = f"sqsz{uuid.uuid4().hex[:8]}_"
    cloud = Cloud(run_dir, f"http://127.0.0.1:{GATEWAY_PORT}", "", prefix)
    with running_cloud(cloud, pg_server, GATEWAY_PORT, BASE_PORT, "--auth-mode", "enforce"):
        yield cloud


@pytest.fixture(scope="session")
def other_account(authz_cloud: Cloud) -> dict[str, str]:
    """A second account: its id and its root's access key."""
    created = authz_cloud.nimbus("accounts", "create", f"b-{uuid.uuid4().hex[:6]}", "--json")
    found: dict[str, str] = json.loads(created.stdout)
    return found


def client(endpoint: str, service: str, key: str = "test", secret: str = "test") -> Any:
    """A boto3 client without retries, so every refusal shows."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def user_with_policy(
    endpoint: str, root_key: str, root_secret: str, document: str | None
) -> tuple[str, str, str]:
    """(user ARN, access key, secret) of a new IAM user with document as its inline policy."""
    iam = client(endpoint, "iam", root_key, root_secret)
    name = f"u-{uuid.uuid4().hex[:8]}"
    arn: str = iam.create_user(UserName=name)["User"]["Arn"]
    if document:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, key["AccessKeyId"], key["SecretAccessKey"]


def eventually(check: Callable[[], object], timeout: float = SETTLE_SECONDS) -> None:
    """Run check until it passes: for what the gateway learns through Kafka."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except (AssertionError, botocore.exceptions.ClientError, pytest.fail.Exception):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
