"""The AWS CLI through the gateway: `aws sqs` as a user types it, from create to delete."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from typing import Any

from tests.s3.test_cli import cli_env
from tests.sqs.conftest import SqsCloud


def sqs_cli(cloud: SqsCloud, *args: str) -> Any:
    """`aws sqs ARGS --output json`, parsed (None when it prints nothing)."""
    done = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", cloud.endpoint, "sqs", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**cli_env(), "AWS_MAX_ATTEMPTS": "1"},
    )
    assert done.returncode == 0, f"aws sqs {' '.join(args)}: {done.stderr}"
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_the_cli_creates_sends_receives_deletes(sqs_cloud: SqsCloud) -> None:
    name = f"cli-{uuid.uuid4().hex[:12]}"
    url = sqs_cli(sqs_cloud, "create-queue", "--queue-name", name)["QueueUrl"]
    assert url.endswith(f"/000000000000/{name}")
    try:
        sent = sqs_cli(
            sqs_cloud,
            "send-message",
            "--queue-url",
            url,
            "--message-body",
            "hello from the cli",
            "--message-attributes",
            '{"kind": {"DataType": "String", "StringValue": "greeting"}}',
        )
        assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello from the cli").hexdigest()
        received = sqs_cli(
            sqs_cloud,
            "receive-message",
            "--queue-url",
            url,
            "--wait-time-seconds",
            "5",
            "--message-attribute-names",
            "All",
            "--attribute-names",
            "ApproximateReceiveCount",
        )
        (message,) = received["Messages"]
        assert message["MessageId"] == sent["MessageId"]
        assert message["Body"] == "hello from the cli"
        assert message["MessageAttributes"]["kind"]["StringValue"] == "greeting"
        assert message["Attributes"] == {"ApproximateReceiveCount": "1"}
        sqs_cli(
            sqs_cloud,
            "delete-message",
            "--queue-url",
            url,
            "--receipt-handle",
            message["ReceiptHandle"],
        )
        attributes = sqs_cli(
            sqs_cloud, "get-queue-attributes", "--queue-url", url, "--attribute-names", "All"
        )["Attributes"]
        assert attributes["ApproximateNumberOfMessages"] == "0"
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
        listed = sqs_cli(sqs_cloud, "list-queues", "--queue-name-prefix", name)
        assert listed["QueueUrls"] == [url]
    finally:
        sqs_cli(sqs_cloud, "delete-queue", "--queue-url", url)
