"""Unchanged AWS tools against the gateway: boto3 and the AWS CLI, with real SigV4 checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.system.conftest import Cloud

pytestmark = pytest.mark.system


def client(cloud: Cloud, service: str, **overrides: Any) -> Any:
    settings: dict[str, Any] = {
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "region_name": "us-east-1",
        "endpoint_url": cloud.endpoint,
        "config": Config(retries={"max_attempts": 1}),
    }
    settings.update(overrides)
    return boto3.client(service, **settings)


def aws_cli(cloud: Cloud, *args: str, secret: str = "test") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    return subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", cloud.endpoint, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_aws_cli_get_caller_identity_answers_as_the_root_of_the_default_account(
    cloud: Cloud,
) -> None:
    result = aws_cli(cloud, "sts", "get-caller-identity")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "UserId": "000000000000",
        "Account": "000000000000",
        "Arn": "arn:aws:iam::000000000000:root",
    }


def test_boto3_get_caller_identity(cloud: Cloud) -> None:
    identity = client(cloud, "sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert identity["ResponseMetadata"]["RequestId"]


def test_a_wrong_secret_gets_signature_does_not_match(cloud: Cloud) -> None:
    result = aws_cli(cloud, "sts", "get-caller-identity", secret="not-the-secret")
    assert result.returncode != 0
    assert "SignatureDoesNotMatch" in result.stderr


def test_a_tampered_signature_gets_403_signature_does_not_match(cloud: Cloud) -> None:
    sts = client(cloud, "sts")

    def tamper(request: Any, **_: Any) -> None:
        auth = request.headers["Authorization"]
        auth = auth.decode() if isinstance(auth, bytes) else auth
        flipped = "0" if auth[-1] != "0" else "1"
        request.headers["Authorization"] = auth[:-1] + flipped

    sts.meta.events.register_last("before-send.sts.GetCallerIdentity", tamper)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.get_caller_identity()
    error = caught.value.response
    assert error["Error"]["Code"] == "SignatureDoesNotMatch"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["ResponseMetadata"]["RequestId"]


def test_an_unknown_access_key_gets_invalid_client_token_id(cloud: Cloud) -> None:
    sts = client(cloud, "sts", aws_access_key_id="AKIAUNKNOWNKEY000000")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_unknown_key_on_s3_gets_invalid_access_key_id(cloud: Cloud) -> None:
    s3 = client(cloud, "s3", aws_access_key_id="AKIAUNKNOWNKEY000000")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.list_buckets()
    error = caught.value.response
    assert error["Error"]["Code"] == "InvalidAccessKeyId"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("ec2", lambda c: c.describe_vpcs()),
        ("route53", lambda c: c.list_hosted_zones()),
        ("iam", lambda c: c.list_saml_providers()),
        ("s3", lambda c: c.list_bucket_metrics_configurations(Bucket="nimbus-none")),
    ],
)
def test_operations_not_built_yet_answer_not_implemented_in_each_protocol(
    cloud: Cloud, service: str, call: Any
) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(client(cloud, service))
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_admin_health_and_reset_refused_unless_enabled(cloud: Cloud) -> None:
    with urllib.request.urlopen(f"{cloud.endpoint}/_nimbus/health", timeout=5) as reply:
        assert json.load(reply)["status"] == "ok"
    request = urllib.request.Request(f"{cloud.endpoint}/_nimbus/reset", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403
