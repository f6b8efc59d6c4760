"""IAM policies enforced at the gateway, end to end through boto3 and the AWS CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.system.conftest import Cloud

pytestmark = pytest.mark.system
SECOND_GATEWAY_PORT = 4593


def client(endpoint: str, service: str, key: str = "test", secret: str = "test") -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def user_with_key(cloud: Cloud, inline: str | None = None) -> tuple[str, str, str]:
    iam = client(cloud.endpoint, "iam")
    name = f"u-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    if inline:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, key["AccessKeyId"], key["SecretAccessKey"]


def denied(call: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    error: dict[str, Any] = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return error


def eventually(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_read_only_user_can_read_and_cannot_write(cloud: Cloud) -> None:
    name, key, secret = user_with_key(cloud, policy(allow("iam:Get*"), allow("iam:List*")))
    as_user = client(cloud.endpoint, "iam", key, secret)
    assert any(u["UserName"] == name for u in as_user.list_users()["Users"])
    assert as_user.get_user()["User"]["UserName"] == name
    error = denied(lambda: as_user.create_user(UserName="intruder"))
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:iam::000000000000:user/{name} is not authorized to perform: "
        "iam:CreateUser on resource: arn:aws:iam::000000000000:user/intruder because no "
        "identity-based policy allows the iam:CreateUser action"
    )


def test_a_user_without_policies_is_denied_but_may_still_ask_who_it_is(cloud: Cloud) -> None:
    name, key, secret = user_with_key(cloud)
    assert (
        client(cloud.endpoint, "sts", key, secret)
        .get_caller_identity()["Arn"]
        .endswith(f":user/{name}")
    )
    assert denied(lambda: client(cloud.endpoint, "iam", key, secret).list_users())["Code"] == (
        "AccessDenied"
    )


def test_an_explicit_deny_in_a_group_beats_an_allow_on_the_user(cloud: Cloud) -> None:
    iam = client(cloud.endpoint, "iam")
    name, key, secret = user_with_key(cloud, policy(allow("iam:*")))
    group = f"g-{uuid.uuid4().hex[:8]}"
    iam.create_group(GroupName=group)
    iam.put_group_policy(
        GroupName=group, PolicyName="no-listing", PolicyDocument=policy(deny("iam:ListRoles"))
    )
    as_user = client(cloud.endpoint, "iam", key, secret)
    as_user.list_roles()  # allowed before joining the group
    iam.add_user_to_group(GroupName=group, UserName=name)

    def refused() -> None:
        try:
            as_user.list_roles()
        except botocore.exceptions.ClientError as caught:
            message = caught.response["Error"]["Message"]
            assert "with an explicit deny in an identity-based policy" in message
            return
        raise AssertionError("ListRoles still allowed")

    eventually(refused)
    as_user.list_users()  # the rest of the user's allow still stands


@pytest.fixture(scope="module")
def second_gateway(cloud: Cloud) -> Iterator[str]:
    """Another gateway replica in front of the same services."""
    plan = json.loads((cloud.run_dir / "plan.json").read_text())
    env = next(p for p in plan["processes"] if p["service"] == "gateway")["env"]
    process = subprocess.Popen(
        [sys.executable, "-m", "nimbus_gateway"],
        env={**os.environ, **env, "NIMBUS_HTTP_PORT": str(SECOND_GATEWAY_PORT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{SECOND_GATEWAY_PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{endpoint}/_nimbus/live", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(2)  # its event feeds subscribe from the latest offset
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_a_deactivated_key_stops_working_through_every_gateway_replica(
    cloud: Cloud, second_gateway: str
) -> None:
    name, key, secret = user_with_key(cloud)
    gateways = [cloud.endpoint, second_gateway]
    for endpoint in gateways:  # both replicas now hold the key in their caches
        client(endpoint, "sts", key, secret).get_caller_identity()
    client(cloud.endpoint, "iam").update_access_key(
        UserName=name, AccessKeyId=key, Status="Inactive"
    )
    started = time.monotonic()
    for endpoint in gateways:

        def refused(endpoint: str = endpoint) -> None:
            try:
                client(endpoint, "sts", key, secret).get_caller_identity()
            except botocore.exceptions.ClientError as caught:
                assert caught.response["Error"]["Code"] == "InvalidClientTokenId"
                return
            raise AssertionError(f"key still accepted by {endpoint}")

        eventually(refused, timeout=5)
    print(f"\nkey refused by both gateways {time.monotonic() - started:.2f}s after deactivation")


def test_aws_cli_session_creates_a_user_gives_it_a_policy_and_is_refused_outside_it(
    cloud: Cloud,
) -> None:
    def aws(
        *args: str, key: str = "test", secret: str = "test"
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": key,
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

    name = f"cli-{uuid.uuid4().hex[:8]}"
    assert aws("iam", "create-user", "--user-name", name).returncode == 0
    document = policy(allow("iam:ListUsers"))
    assert (
        aws(
            "iam",
            "put-user-policy",
            "--user-name",
            name,
            "--policy-name",
            "list",
            "--policy-document",
            document,
        ).returncode
        == 0
    )
    created = aws("iam", "create-access-key", "--user-name", name)
    access = json.loads(created.stdout)["AccessKey"]
    as_user = {"key": access["AccessKeyId"], "secret": access["SecretAccessKey"]}
    assert aws("iam", "list-users", **as_user).returncode == 0
    refused = aws("iam", "list-roles", **as_user)
    assert refused.returncode != 0
    assert "AccessDenied" in refused.stderr and "iam:ListRoles" in refused.stderr


def test_a_trust_policy_naming_the_user_needs_no_identity_allow_and_one_naming_the_account_does(
    cloud: Cloud,
) -> None:
    iam = client(cloud.endpoint, "iam")
    name, key, secret = user_with_key(cloud)
    user_arn = f"arn:aws:iam::000000000000:user/{name}"

    def role_trusting(principal: str) -> str:
        role = f"r-{uuid.uuid4().hex[:8]}"
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
                ],
            }
        )
        arn: str = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        return arn

    sts = client(cloud.endpoint, "sts", key, secret)

    def assume(role_arn: str) -> Any:
        return sts.assume_role(RoleArn=role_arn, RoleSessionName="session")

    assume(role_trusting(user_arn))  # no identity policy at all: the trust policy suffices
    by_account = role_trusting("arn:aws:iam::000000000000:root")
    error = denied(lambda: assume(by_account))
    assert error["Message"] == (
        f"User: {user_arn} is not authorized to perform: sts:AssumeRole on resource: {by_account}"
    )
    iam.put_user_policy(
        UserName=name, PolicyName="assume", PolicyDocument=policy(allow("sts:AssumeRole"))
    )
    credentials = assume(by_account)["Credentials"]
    assert (
        ":assumed-role/"
        in boto3.client(
            "sts",
            endpoint_url=cloud.endpoint,
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        ).get_caller_identity()["Arn"]
    )
