"""A local cloud for the SQS system tests: two sqs replicas in two zones behind one gateway,
driven with boto3 (JSON protocol) and raw query-protocol requests.

The retention reconciler and the message-move worker run often, so their work shows within
a test. Messages live in the shared Redis under this cloud's own key prefix
(f"{db_prefix}sqs:"), removed with the cloud's databases at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.system.conftest import Cloud, running_cloud

# Overridable so that several runs can share one machine (each needs its own ports).
GATEWAY_PORT = int(os.environ.get("NIMBUS_TEST_SQS_GATEWAY_PORT", "4587"))
BASE_PORT = int(os.environ.get("NIMBUS_TEST_SQS_BASE_PORT", "30500"))
SQS_REPLICAS = 2
REGION = "us-east-1"
ACCOUNT = "000000000000"

# What the sqs replicas run with in these tests (see nimbus_sqs.settings).
SQS_TEST_ENV = {
    "NIMBUS_SQS_RETENTION_INTERVAL_SECONDS": "1",
    "NIMBUS_SQS_MOVE_INTERVAL_SECONDS": "0.2",
}


class SqsCloud(Cloud):
    def nimbus(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(self.run_dir), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=180,
            env={**os.environ, **SQS_TEST_ENV},
        )

    def sqs_processes(self) -> dict[int, dict[str, Any]]:
        """replica -> its row of `nimbus status --json` (pid, port, health, restarts)."""
        rows: list[dict[str, Any]] = self.status()["processes"]  # type: ignore[assignment]
        return {row["replica"]: row for row in rows if row["service"] == "sqs"}

    def wait_restarted(self, killed: dict[int, int], timeout: float = 60) -> None:
        """Until every killed replica runs again under a new pid and reports SERVING."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.sqs_processes()
            if all(
                rows[replica]["pid"] not in (None, pid) and rows[replica]["health"] == "SERVING"
                for replica, pid in killed.items()
            ):
                return
            assert time.monotonic() < deadline, f"sqs replicas not back: {rows}"
            time.sleep(0.2)


@pytest.fixture(scope="session")
def sqs_cloud(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[SqsCloud]:
    run_dir: Path = tmp_path_factory.mktemp("sqscloud")
    prefix = f"sqst{uuid.uuid4().hex[:8]}_"
    cloud = SqsCloud(run_dir, f"http://127.0.0.1:{GATEWAY_PORT}", "", prefix)
    with running_cloud(
        cloud,
        pg_server,
        GATEWAY_PORT,
        BASE_PORT,
        "--replicas",
        f"sqs={SQS_REPLICAS}",
        "--zones",
        "a,b",
    ):
        yield cloud


def sqs_client(endpoint: str, *, key: str = "test", secret: str = "test", **config: Any) -> Any:
    """A boto3 SQS client as a user would make one; no retries, so every failure shows."""
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config),
    )


@pytest.fixture(scope="session")
def sqs(sqs_cloud: SqsCloud) -> Any:
    return sqs_client(sqs_cloud.endpoint)


def error_code(error: Any) -> str:
    """The code boto3 reports: the query-compatible code when the service sent one."""
    code: str = error.response["Error"]["Code"]
    return code


def http_status(error: Any) -> int:
    status: int = error.response["ResponseMetadata"]["HTTPStatusCode"]
    return status


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


QueueFactory = Callable[..., str]


@pytest.fixture
def queue(sqs: Any) -> Iterator[QueueFactory]:
    """make(fifo=False, **attributes) -> the URL of a fresh, uniquely named queue.

    Attribute values may be given as ints or dicts (RedrivePolicy); they are sent as the
    strings SQS takes. Every queue made is deleted afterwards.
    """
    made: list[str] = []

    def make(fifo: bool = False, **attributes: Any) -> str:
        name = f"t-{uuid.uuid4().hex[:20]}" + (".fifo" if fifo else "")
        wire = {
            key: json.dumps(value) if isinstance(value, dict) else str(value)
            for key, value in attributes.items()
        }
        if fifo:
            wire["FifoQueue"] = "true"
        url: str = sqs.create_queue(QueueName=name, Attributes=wire)["QueueUrl"]
        made.append(url)
        return url

    yield make
    for url in made:
        # A test that deleted its queue on purpose must not fail teardown.
        with contextlib.suppress(Exception):
            sqs.delete_queue(QueueUrl=url)


RETENTION_SECONDS = 60  # AWS's minimum MessageRetentionPeriod


@dataclass(frozen=True)
class RetentionProbe:
    """A queue with the shortest retention and one message sent when the session began."""

    url: str
    body: str
    sent_at: float  # time.monotonic() when the send returned
    problem: str = ""  # why the probe could not be set up (the retention test reports it)


@pytest.fixture(scope="session", autouse=True)
def retention_probe(sqs: Any) -> Iterator[RetentionProbe]:
    """Started with the first SQS test so that the retention test, which runs last, rarely has
    to wait the whole minute for the message to expire. A failure here fails only that test."""
    name = f"retention-{uuid.uuid4().hex[:12]}"
    body = f"expires-{uuid.uuid4().hex[:8]}"
    url = ""
    try:
        url = sqs.create_queue(
            QueueName=name, Attributes={"MessageRetentionPeriod": str(RETENTION_SECONDS)}
        )["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=body)
        probe = RetentionProbe(url, body, time.monotonic())
    except Exception as error:
        probe = RetentionProbe(url, body, time.monotonic(), problem=repr(error))
    yield probe
    if url:
        with contextlib.suppress(Exception):
            sqs.delete_queue(QueueUrl=url)


def name_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def attributes(sqs: Any, url: str) -> dict[str, str]:
    found: dict[str, str] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"
    ]
    return found


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    """(visible, in flight, delayed) as ApproximateNumberOfMessages* report them."""
    found = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return (
        int(found["ApproximateNumberOfMessages"]),
        int(found["ApproximateNumberOfMessagesNotVisible"]),
        int(found["ApproximateNumberOfMessagesDelayed"]),
    )
