"""Users, access keys and account isolation through boto3 and the gateway, end to end."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core.grpc_client import make_channel

from tests.iam.conftest import ApiCloud

pytestmark = pytest.mark.system


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.fixture(scope="module")
def iam(api_cloud: ApiCloud) -> Any:
    return api_cloud.client()


def test_a_user_has_aws_shaped_ids_arn_and_timestamps(iam: Any) -> None:
    name = unique("alice")
    user = iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "k", "Value": "v"}])["User"]
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["UserId"])
    assert user["Arn"] == f"arn:aws:iam::000000000000:user/team/{name}"
    assert user["Path"] == "/team/"
    assert user["CreateDate"].tzinfo is not None
    got = iam.get_user(UserName=name)["User"]
    assert got["UserId"] == user["UserId"]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]


def test_get_user_without_a_name_is_the_caller_root(iam: Any) -> None:
    user = iam.get_user()["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:root"
    assert user["UserId"] == "000000000000"


def test_duplicate_and_missing_users_answer_aws_errors(iam: Any) -> None:
    name = unique("dup")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName=name.upper())
    assert error_of(caught) == (
        "EntityAlreadyExists",
        f"User with name {name.upper()} already exists.",
        409,
    )
    with pytest.raises(ClientError) as caught:
        iam.get_user(UserName="nobody-here")
    assert error_of(caught) == (
        "NoSuchEntity",
        "The user with name nobody-here cannot be found.",
        404,
    )


def test_invalid_names_fail_validation_in_aws_words(iam: Any) -> None:
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="bad name!")
    code, message, status = error_of(caught)
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value 'bad name!' at 'userName'")
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="x" * 65)
    assert "Member must have length less than or equal to 64" in error_of(caught)[1]


def test_update_rename_move_tags_and_delete(iam: Any) -> None:
    name, renamed = unique("bob"), unique("robert")
    iam.create_user(UserName=name)
    iam.update_user(UserName=name, NewUserName=renamed, NewPath="/moved/")
    user = iam.get_user(UserName=renamed)["User"]
    assert user["Arn"].endswith(f":user/moved/{renamed}")
    iam.tag_user(UserName=renamed, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_user(UserName=renamed, TagKeys=["a"])
    assert iam.list_user_tags(UserName=renamed)["Tags"] == [{"Key": "b", "Value": "2"}]
    iam.delete_user(UserName=renamed)
    with pytest.raises(ClientError) as caught:
        iam.get_user(UserName=renamed)
    assert error_of(caught)[0] == "NoSuchEntity"


def test_list_users_pages_with_an_opaque_marker(iam: Any) -> None:
    path = f"/{unique('page')}/"
    names = sorted(unique("p") for _ in range(5))
    for name in names:
        iam.create_user(UserName=name, Path=path)
    seen, marker = [], None
    while True:
        kwargs: dict[str, Any] = {"PathPrefix": path, "MaxItems": 2}
        if marker:
            kwargs["Marker"] = marker
        page = iam.list_users(**kwargs)
        seen += [u["UserName"] for u in page["Users"]]
        assert len(page["Users"]) <= 2
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert seen == names
    paginated = iam.get_paginator("list_users").paginate(
        PathPrefix=path, PaginationConfig={"PageSize": 3}
    )
    assert [u["UserName"] for p in paginated for u in p["Users"]] == names
    with pytest.raises(ClientError) as caught:
        iam.list_users(MaxItems=1001)
    assert error_of(caught)[0] == "ValidationError"


def test_at_most_two_keys_and_delete_conflict(iam: Any) -> None:
    name = unique("keys")
    iam.create_user(UserName=name)
    first = iam.create_access_key(UserName=name)["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", first["AccessKeyId"])
    assert len(first["SecretAccessKey"]) == 40 and first["Status"] == "Active"
    iam.create_access_key(UserName=name)
    with pytest.raises(ClientError) as caught:
        iam.create_access_key(UserName=name)
    assert error_of(caught) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )
    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert {k["UserName"] for k in listed} == {name} and len(listed) == 2
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName=name)
    assert error_of(caught) == (
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
        409,
    )
    for key in listed:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as caught:
        iam.delete_access_key(UserName=name, AccessKeyId=first["AccessKeyId"])
    assert error_of(caught)[:2] == (
        "NoSuchEntity",
        f"The Access Key with id {first['AccessKeyId']} cannot be found.",
    )
    iam.delete_user(UserName=name)


def _identity_or_error(api_cloud: ApiCloud, key: str, secret: str) -> str:
    try:
        sts: Any = api_cloud.client("sts", key=key, secret=secret)
        return str(sts.get_caller_identity()["Arn"])
    except ClientError as error:
        return str(error.response["Error"]["Code"])


def _eventually(check: Any, expected: str, seconds: float = 8.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value == expected or time.monotonic() > deadline:
            return str(value)
        time.sleep(0.25)


def test_a_user_key_authenticates_and_stops_when_inactive_or_deleted(
    api_cloud: ApiCloud, iam: Any
) -> None:
    name = unique("signer")
    user = iam.create_user(UserName=name)["User"]
    # With the gateway's authorizer on, the user may only call what its policies allow.
    allow = '{"Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}'
    iam.put_user_policy(UserName=name, PolicyName="self", PolicyDocument=allow)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]
    sts: Any = api_cloud.client("sts", key=key_id, secret=secret)
    identity = sts.get_caller_identity()
    assert identity["Arn"] == user["Arn"]
    assert identity["UserId"] == user["UserId"] and identity["UserId"].startswith("AIDA")
    # The user's own GetUser without a name answers for itself.
    own: Any = api_cloud.client(key=key_id, secret=secret)
    assert own.get_user()["User"]["UserName"] == name
    last_used = iam.get_access_key_last_used(AccessKeyId=key_id)
    assert last_used["UserName"] == name

    iam.update_access_key(UserName=name, AccessKeyId=key_id, Status="Inactive")
    assert (
        _eventually(lambda: _identity_or_error(api_cloud, key_id, secret), "InvalidClientTokenId")
        != user["Arn"]
    )
    iam.update_access_key(UserName=name, AccessKeyId=key_id, Status="Active")
    assert (
        _eventually(lambda: _identity_or_error(api_cloud, key_id, secret), user["Arn"])
        == user["Arn"]
    )
    iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    iam.delete_user_policy(UserName=name, PolicyName="self")
    assert (
        _eventually(lambda: _identity_or_error(api_cloud, key_id, secret), "InvalidClientTokenId")
        == "InvalidClientTokenId"
    )


async def test_accounts_are_isolated(api_cloud: ApiCloud, iam: Any) -> None:
    name = unique("mine")
    iam.create_user(UserName=name)
    async with make_channel(api_cloud.iam_addresses) as channel:
        created = await iam_pb2_grpc.IamInternalStub(channel).CreateAccount(
            iam_pb2.CreateAccountRequest(name="isolated")
        )
    other: Any = api_cloud.client(key=created.access_key_id, secret=created.secret_access_key)
    assert name not in [u["UserName"] for u in other.list_users()["Users"]]
    with pytest.raises(ClientError) as caught:
        other.get_user(UserName=name)
    assert error_of(caught)[0] == "NoSuchEntity"
    # The same name is free in the other account.
    theirs = other.create_user(UserName=name)["User"]
    assert theirs["Arn"] == f"arn:aws:iam::{created.account_id}:user/{name}"
