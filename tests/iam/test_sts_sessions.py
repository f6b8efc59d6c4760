"""STS temporary credentials end to end: GetSessionToken and AssumeRole through boto3 and the
gateway, against a cloud started by `nimbus up` (the api_cloud fixture)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from botocore.exceptions import ClientError
from nimbus_cli.topology import Plan
from nimbus_core.settings import dsn_for
from nimbus_iam import credential_events, store

from tests.iam.conftest import ApiCloud

pytestmark = pytest.mark.system

ACCOUNT = "000000000000"
ROOT_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def session_client(api_cloud: ApiCloud, service: str, credentials: dict[str, Any]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
        endpoint_url=api_cloud.endpoint,
        config=Config(retries={"max_attempts": 1}),
    )


def eventually(check: Callable[[], str], expected: str, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


@pytest.fixture(scope="module")
def iam(api_cloud: ApiCloud) -> Any:
    return api_cloud.client()


@pytest.fixture(scope="module")
def sts(api_cloud: ApiCloud) -> Any:
    return api_cloud.client("sts")


@pytest.fixture(scope="module")
def iam_dsn(api_cloud: ApiCloud, pg_server: str) -> str:
    plan = Plan.load(api_cloud.run_dir / "plan.json")
    prefix = next(p.env for p in plan.processes if p.service == "iam")["NIMBUS_DB_PREFIX"]
    return dsn_for(pg_server, f"{prefix}iam")


def make_role(iam: Any, trust: str = ROOT_TRUST, **extra: Any) -> dict[str, Any]:
    role: dict[str, Any] = iam.create_role(
        RoleName=unique("role"), AssumeRolePolicyDocument=trust, **extra
    )["Role"]
    return role


def check_credentials(credentials: dict[str, Any]) -> None:
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) >= 356
    assert credentials["SecretAccessKey"] not in credentials["SessionToken"]
    assert isinstance(credentials["Expiration"], datetime)


def test_get_session_token_credentials_are_the_callers(
    api_cloud: ApiCloud, iam: Any, sts: Any
) -> None:
    name = unique("tokenuser")
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user_sts: Any = api_cloud.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    before = datetime.now(UTC)
    credentials = user_sts.get_session_token(DurationSeconds=900)["Credentials"]
    check_credentials(credentials)
    assert before + timedelta(seconds=890) < credentials["Expiration"]
    assert credentials["Expiration"] < before + timedelta(seconds=910)
    identity = session_client(api_cloud, "sts", credentials).get_caller_identity()
    assert identity["Arn"] == user["Arn"] and identity["UserId"] == user["UserId"]
    # Session keys are not the user's access keys.
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]] == [
        key["AccessKeyId"]
    ]
    with pytest.raises(ClientError) as caught:
        session_client(api_cloud, "sts", credentials).get_session_token()
    assert error_of(caught) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )
    # Root's sessions last at most an hour, whatever was asked.
    root_credentials = sts.get_session_token(DurationSeconds=7200)["Credentials"]
    assert root_credentials["Expiration"] < datetime.now(UTC) + timedelta(seconds=3610)
    root_identity = session_client(api_cloud, "sts", root_credentials).get_caller_identity()
    assert root_identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)


def test_get_session_token_duration_limits(sts: Any, api_cloud: ApiCloud) -> None:
    raw: Any = api_cloud.client("sts", validate=False)
    with pytest.raises(ClientError) as caught:
        raw.get_session_token(DurationSeconds=899)
    assert error_of(caught) == (
        "ValidationError",
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900",
        400,
    )


def test_assume_role_gives_the_assumed_role_identity(
    api_cloud: ApiCloud, iam: Any, sts: Any
) -> None:
    role = make_role(iam)
    reply = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="alice@example.com")
    check_credentials(reply["Credentials"])
    expected_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role['RoleName']}/alice@example.com"
    assert reply["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:alice@example.com",
        "Arn": expected_arn,
    }
    assert "PackedPolicySize" not in reply
    expires_in = reply["Credentials"]["Expiration"] - datetime.now(UTC)
    assert timedelta(seconds=3500) < expires_in <= timedelta(seconds=3600)
    identity = session_client(api_cloud, "sts", reply["Credentials"]).get_caller_identity()
    assert identity == {
        "UserId": f"{role['RoleId']}:alice@example.com",
        "Account": ACCOUNT,
        "Arn": expected_arn,
        "ResponseMetadata": identity["ResponseMetadata"],
    }
    tagged = sts.assume_role(
        RoleArn=role["Arn"],
        RoleSessionName="tagged",
        Tags=[{"Key": "team", "Value": "blue"}],
        Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",'
        '"Resource":"*"}]}',
    )
    assert 0 < tagged["PackedPolicySize"] <= 100


def test_a_trust_policy_that_does_not_name_the_caller_denies(
    api_cloud: ApiCloud, iam: Any, sts: Any
) -> None:
    other = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/somebody-else"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    # somebody-else must exist for IAM to accept the trust policy? Nimbus accepts it as is.
    role = make_role(iam, other)
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert error_of(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole "
        f"on resource: {role['Arn']}",
        403,
    )
    missing = f"arn:aws:iam::{ACCOUNT}:role/{unique('nosuchrole')}"
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=missing, RoleSessionName="s1")
    assert error_of(caught)[0] == "AccessDenied"
    assert error_of(caught)[1].endswith(f"on resource: {missing}")


def test_external_id_is_required_and_checked(iam: Any, sts: Any) -> None:
    trust = json.loads(ROOT_TRUST)
    trust["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": "secret-42"}}
    role = make_role(iam, json.dumps(trust))
    for external_id in (None, "wrong-id"):
        extra = {"ExternalId": external_id} if external_id else {}
        with pytest.raises(ClientError) as caught:
            sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext", **extra)
        assert error_of(caught)[0] == "AccessDenied"
    reply = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext", ExternalId="secret-42")
    assert reply["AssumedRoleUser"]["Arn"].endswith("/ext")


def test_duration_limits(api_cloud: ApiCloud, iam: Any, sts: Any) -> None:
    role = make_role(iam, MaxSessionDuration=7200)
    long = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200)
    assert long["Credentials"]["Expiration"] > datetime.now(UTC) + timedelta(seconds=7100)
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7201)
    assert error_of(caught) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )
    raw: Any = api_cloud.client("sts", validate=False)
    with pytest.raises(ClientError) as caught:
        raw.assume_role(RoleArn=role["Arn"], RoleSessionName="xx", DurationSeconds=60)
    assert error_of(caught) == (
        "ValidationError",
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900",
        400,
    )
    with pytest.raises(ClientError) as caught:
        raw.assume_role(RoleArn=role["Arn"], RoleSessionName="bad name!")
    assert error_of(caught)[:2] == (
        "ValidationError",
        "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*",
    )
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="pp", Policy='{"Statement": 3}')
    assert error_of(caught)[0] == "MalformedPolicyDocument"


def test_a_role_session_can_assume_another_role(api_cloud: ApiCloud, iam: Any, sts: Any) -> None:
    first = make_role(iam)
    allow = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
        }
    )
    iam.put_role_policy(RoleName=first["RoleName"], PolicyName="chain", PolicyDocument=allow)
    trust = json.loads(ROOT_TRUST)
    trust["Statement"][0]["Principal"] = {"AWS": first["Arn"]}
    second = make_role(iam, json.dumps(trust), MaxSessionDuration=43200)
    a = sts.assume_role(
        RoleArn=first["Arn"],
        RoleSessionName="aa",
        Tags=[{"Key": "project", "Value": "x"}],
        TransitiveTagKeys=["project"],
    )
    a_sts = session_client(api_cloud, "sts", a["Credentials"])
    with pytest.raises(ClientError) as caught:
        a_sts.assume_role(RoleArn=second["Arn"], RoleSessionName="bb", DurationSeconds=7200)
    assert error_of(caught)[:2] == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    b = a_sts.assume_role(RoleArn=second["Arn"], RoleSessionName="bb")
    identity = session_client(api_cloud, "sts", b["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{second['RoleName']}/bb"
    assert identity["UserId"] == f"{second['RoleId']}:bb"
    # Root is not the first role: the second role's trust policy refuses it.
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=second["Arn"], RoleSessionName="bb")
    assert error_of(caught)[0] == "AccessDenied"


async def _expire(dsn: str, access_key_id: str) -> None:
    """What a clock past the expiry would do, announced as every key change is."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            key = await store.expire_access_key(
                conn, access_key_id, datetime.now(UTC) - timedelta(seconds=1)
            )
            assert key is not None
            await credential_events.emit(
                conn, key, credential_events.Change.DEACTIVATED, "us-east-1"
            )
    finally:
        await conn.close()


def test_expired_credentials_answer_expired_token(
    api_cloud: ApiCloud, iam: Any, sts: Any, iam_dsn: str
) -> None:
    role = make_role(iam)
    credentials = sts.assume_role(
        RoleArn=role["Arn"], RoleSessionName="short", DurationSeconds=900
    )["Credentials"]
    session = session_client(api_cloud, "sts", credentials)
    assert session.get_caller_identity()["Arn"].endswith("/short")
    asyncio.run(_expire(iam_dsn, credentials["AccessKeyId"]))

    def outcome() -> str:
        try:
            return str(session.get_caller_identity()["Arn"])
        except ClientError as error:
            return str(error.response["Error"]["Code"])

    assert eventually(outcome, "ExpiredToken") == "ExpiredToken"


def test_a_session_policy_narrows_the_roles_permissions(
    api_cloud: ApiCloud, iam: Any, sts: Any
) -> None:
    role = make_role(iam)
    broad = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:*", "iam:*"], "Resource": "*"}],
        }
    )
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="broad", PolicyDocument=broad)
    narrow = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        }
    )
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="narrow", Policy=narrow)[
        "Credentials"
    ]
    session_iam = session_client(api_cloud, "iam", credentials)
    session_iam.list_users()
    # The role alone may list roles; the session policy does not allow it.
    unrestricted = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="wide")["Credentials"]
    session_client(api_cloud, "iam", unrestricted).list_roles()
    with pytest.raises(ClientError) as caught:
        session_iam.list_roles()
    assert error_of(caught)[0] == "AccessDenied"


def test_get_access_key_info_and_decode_authorization_message(
    api_cloud: ApiCloud, iam: Any, sts: Any
) -> None:
    role = make_role(iam)
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="info")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=credentials["AccessKeyId"])["Account"] == ACCOUNT
    with pytest.raises(ClientError) as caught:
        sts.decode_authorization_message(EncodedMessage="not-one-of-ours")
    assert error_of(caught)[0] == "InvalidAuthorizationMessageException"


async def _resolve(addresses: list[str], access_key_id: str, session_arn: str) -> Any:
    from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
    from nimbus_core.grpc_client import make_channel

    async with make_channel(addresses) as channel:
        stub = iam_pb2_grpc.IamInternalStub(channel)
        identity = await stub.ResolveAccessKey(
            iam_pb2.ResolveAccessKeyRequest(access_key_id=access_key_id)
        )
        policies = await stub.GetPrincipalPolicies(
            iam_pb2.GetPrincipalPoliciesRequest(principal_arn=session_arn)
        )
        return identity, policies


def test_resolve_access_key_exposes_the_session(api_cloud: ApiCloud, iam: Any, sts: Any) -> None:
    role = make_role(iam, Tags=[{"Key": "team", "Value": "red"}, {"Key": "env", "Value": "dev"}])
    allow = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    )
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="s3", PolicyDocument=allow)
    narrow = (
        '{"Version":"2012-10-17","Statement":'
        '[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
    )
    reply = sts.assume_role(
        RoleArn=role["Arn"],
        RoleSessionName="exposed",
        Policy=narrow,
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        Tags=[{"Key": "team", "Value": "blue"}],
    )
    identity, policies = asyncio.run(
        _resolve(
            api_cloud.iam_addresses,
            reply["Credentials"]["AccessKeyId"],
            reply["AssumedRoleUser"]["Arn"],
        )
    )
    assert identity.principal_type == "assumed_role"
    assert identity.principal_arn == reply["AssumedRoleUser"]["Arn"]
    assert identity.user_id == f"{role['RoleId']}:exposed"
    assert identity.session_token == reply["Credentials"]["SessionToken"]
    assert identity.role_arn == role["Arn"]
    assert identity.session_policies[0] == narrow
    assert len(identity.session_policies) == 2  # the AWS managed policy's default version
    assert dict(identity.session_tags) == {"team": "blue"}
    assert policies.principal_type == "role"
    assert [p.document for p in policies.identity_policies] == [allow]
    assert dict(policies.principal_tags) == {"team": "red", "env": "dev"}
