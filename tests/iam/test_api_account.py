"""Login profiles and account aliases through boto3."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core.grpc_client import make_channel

from tests.iam.conftest import ApiCloud
from tests.iam.test_api_users import error_of, unique

pytestmark = pytest.mark.system

PASSWORD = "Correct-Horse-9"


@pytest.fixture(scope="module")
def iam(api_cloud: ApiCloud) -> Any:
    return api_cloud.client()


def test_login_profile_lifecycle(iam: Any) -> None:
    name = unique("console")
    iam.create_user(UserName=name)
    profile = iam.create_login_profile(
        UserName=name, Password=PASSWORD, PasswordResetRequired=True
    )["LoginProfile"]
    assert profile["UserName"] == name
    assert profile["PasswordResetRequired"] is True
    assert "Password" not in profile
    got = iam.get_login_profile(UserName=name)["LoginProfile"]
    assert got["CreateDate"] == profile["CreateDate"]
    iam.update_login_profile(UserName=name, PasswordResetRequired=False)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    iam.update_login_profile(UserName=name, Password="Another-Pass-42")
    with pytest.raises(ClientError) as caught:
        iam.create_login_profile(UserName=name, Password=PASSWORD)
    assert error_of(caught) == (
        "EntityAlreadyExists",
        f"Login Profile for user {name} already exists.",
        409,
    )
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName=name)
    assert error_of(caught) == (
        "DeleteConflict",
        "Cannot delete entity, must delete login profile first.",
        409,
    )
    iam.delete_login_profile(UserName=name)
    with pytest.raises(ClientError) as caught:
        iam.get_login_profile(UserName=name)
    assert error_of(caught) == (
        "NoSuchEntity",
        f"Login Profile for User {name} cannot be found.",
        404,
    )
    iam.delete_user(UserName=name)


def test_login_profile_errors(iam: Any) -> None:
    name = unique("weak")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as caught:
        iam.create_login_profile(UserName=name, Password="short")
    assert error_of(caught)[0] == "PasswordPolicyViolation"
    with pytest.raises(ClientError) as caught:
        iam.create_login_profile(UserName="no-such-user-x", Password=PASSWORD)
    assert error_of(caught) == (
        "NoSuchEntity",
        "The user with name no-such-user-x cannot be found.",
        404,
    )
    with pytest.raises(ClientError) as caught:
        iam.update_login_profile(UserName=name, Password=PASSWORD)
    assert error_of(caught)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as caught:
        iam.delete_login_profile(UserName=name)
    assert error_of(caught)[0] == "NoSuchEntity"


async def test_account_alias_lifecycle(api_cloud: ApiCloud, iam: Any) -> None:
    alias = f"nimbus-{uuid.uuid4().hex[:10]}"
    iam.create_account_alias(AccountAlias=alias)
    iam.create_account_alias(AccountAlias=alias)
    assert iam.list_account_aliases()["AccountAliases"] == [alias]
    async with make_channel(api_cloud.iam_addresses) as channel:
        created = await iam_pb2_grpc.IamInternalStub(channel).CreateAccount(
            iam_pb2.CreateAccountRequest(name="alias-rival")
        )
    other: Any = api_cloud.client(key=created.access_key_id, secret=created.secret_access_key)
    assert other.list_account_aliases()["AccountAliases"] == []
    with pytest.raises(ClientError) as caught:
        other.create_account_alias(AccountAlias=alias)
    assert error_of(caught)[0] == "EntityAlreadyExists"
    replacement = f"nimbus-{uuid.uuid4().hex[:10]}"
    iam.create_account_alias(AccountAlias=replacement)
    assert iam.list_account_aliases()["AccountAliases"] == [replacement]
    other.create_account_alias(AccountAlias=alias)
    with pytest.raises(ClientError) as caught:
        iam.delete_account_alias(AccountAlias=alias)
    assert error_of(caught)[0] == "NoSuchEntity"
    iam.delete_account_alias(AccountAlias=replacement)
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_alias_pattern(api_cloud: ApiCloud) -> None:
    raw: Any = api_cloud.client(validate=False)
    for bad in ("Upper-Case", "double--dash", "-leading", "ab"):
        with pytest.raises(ClientError) as caught:
            raw.create_account_alias(AccountAlias=bad)
        assert error_of(caught)[0] == "ValidationError"
