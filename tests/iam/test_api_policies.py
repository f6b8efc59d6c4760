"""Groups, roles, managed and inline policies through boto3, and GetPrincipalPolicies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core.grpc_client import make_channel

from tests.iam.conftest import ApiCloud
from tests.iam.test_api_users import error_of, unique

pytestmark = pytest.mark.system

ALLOW_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture(scope="module")
def iam(api_cloud: ApiCloud) -> Any:
    return api_cloud.client()


def test_groups_and_membership(iam: Any) -> None:
    group, user = unique("devs"), unique("member")
    created = iam.create_group(GroupName=group)["Group"]
    assert created["GroupId"].startswith("AGPA") and len(created["GroupId"]) == 21
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    got = iam.get_group(GroupName=group)
    assert [u["UserName"] for u in got["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]
    with pytest.raises(ClientError) as caught:
        iam.delete_group(GroupName=group)
    assert error_of(caught)[:2] == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
    )
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName=user)
    assert error_of(caught)[0] == "DeleteConflict"
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group(GroupName=group)
    iam.delete_user(UserName=user)
    with pytest.raises(ClientError) as caught:
        iam.get_group(GroupName=group)
    assert error_of(caught) == (
        "NoSuchEntity",
        f"The group with name {group} cannot be found.",
        404,
    )


def test_managed_policy_versions_and_limits(iam: Any) -> None:
    name = unique("pol")
    policy = iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_S3, Path="/p/")["Policy"]
    assert policy["PolicyId"].startswith("ANPA") and len(policy["PolicyId"]) == 21
    assert policy["Arn"] == f"arn:aws:iam::000000000000:policy/p/{name}"
    assert policy["DefaultVersionId"] == "v1"
    arn = policy["Arn"]
    with pytest.raises(ClientError) as caught:
        iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_S3)
    assert error_of(caught)[:2] == (
        "EntityAlreadyExists",
        f"A policy called {name} already exists. Duplicate names are not allowed.",
    )
    # boto3 decodes the URL-encoded document into a dict.
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(ALLOW_S3) and version["IsDefaultVersion"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_S3)
    with pytest.raises(ClientError) as caught:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_S3)
    code, message, status = error_of(caught)
    assert (code, status) == ("LimitExceeded", 409)
    assert message.startswith("A managed policy can have up to 5 versions.")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    with pytest.raises(ClientError) as caught:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_of(caught)[:2] == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    made = iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_S3, SetAsDefault=True)
    assert made["PolicyVersion"]["VersionId"] == "v6"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    with pytest.raises(ClientError) as caught:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(caught)[0] == "DeleteConflict"
    for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not v["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=v["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as caught:
        iam.get_policy(PolicyArn=arn)
    assert error_of(caught)[0] == "NoSuchEntity"


def test_malformed_and_oversized_policies(iam: Any) -> None:
    for document, message in [
        ("{not json", "Syntax errors in policy."),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            "Policy statement must contain actions.",
        ),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
            "Policy statement must contain resources.",
        ),
    ]:
        with pytest.raises(ClientError) as caught:
            iam.create_policy(PolicyName=unique("bad"), PolicyDocument=document)
        assert error_of(caught) == ("MalformedPolicyDocument", message, 400)
    big = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [f"s3:Get{'x' * 40}{i}" for i in range(150)],
                    "Resource": "*",
                }
            ]
        }
    )
    with pytest.raises(ClientError) as caught:
        iam.create_policy(PolicyName=unique("big"), PolicyDocument=big)
    assert error_of(caught)[:2] == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    user = unique("inl")
    iam.create_user(UserName=user)
    with pytest.raises(ClientError) as caught:
        iam.put_user_policy(UserName=user, PolicyName="big", PolicyDocument=big)
    assert error_of(caught)[:2] == (
        "LimitExceeded",
        f"Maximum policy size of 2048 bytes exceeded for user {user}",
    )


def test_aws_managed_policies_attach_and_list(iam: Any) -> None:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    got = iam.get_policy(PolicyArn=admin)["Policy"]
    assert got["PolicyName"] == "AdministratorAccess" and got["DefaultVersionId"] == "v1"
    document = iam.get_policy_version(PolicyArn=admin, VersionId="v1")["PolicyVersion"]["Document"]
    assert document["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {
        "ReadOnlyAccess",
        "PowerUserAccess",
        "AmazonS3FullAccess",
        "AmazonRoute53FullAccess",
    } <= names
    user = unique("att")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=admin)
    attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    assert attached == [{"PolicyName": "AdministratorAccess", "PolicyArn": admin}]
    only = {p["Arn"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]}
    assert admin in only
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName=user)
    assert error_of(caught)[:2] == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    )
    with pytest.raises(ClientError) as caught:
        iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert error_of(caught)[0] == "NoSuchEntity"
    iam.detach_user_policy(UserName=user, PolicyArn=admin)
    iam.delete_user(UserName=user)


def test_inline_policies(iam: Any) -> None:
    user, group = unique("iu"), unique("ig")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=ALLOW_S3)
    iam.put_group_policy(GroupName=group, PolicyName="g", PolicyDocument=ALLOW_S3)
    got = iam.get_user_policy(UserName=user, PolicyName="s3")
    assert got["PolicyDocument"] == json.loads(ALLOW_S3) and got["UserName"] == user
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["s3"]
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["g"]
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName=user)
    assert error_of(caught)[:2] == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    )
    iam.delete_user_policy(UserName=user, PolicyName="s3")
    with pytest.raises(ClientError) as caught:
        iam.get_user_policy(UserName=user, PolicyName="s3")
    assert error_of(caught) == (
        "NoSuchEntity",
        "The user policy with name s3 cannot be found.",
        404,
    )
    with pytest.raises(ClientError) as caught:
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=TRUST)
    assert error_of(caught)[:2] == (
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
    )


def test_roles(api_cloud: ApiCloud, iam: Any) -> None:
    name = unique("role")
    role = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "t", "Value": "1"}]
    )["Role"]
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["MaxSessionDuration"] == 3600
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)
    iam.update_role(RoleName=name, Description="d", MaxSessionDuration=7200)
    got = iam.get_role(RoleName=name)["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("d", 7200)
    with pytest.raises(ClientError) as caught:
        unchecked: Any = api_cloud.client(validate=False)
        unchecked.update_role(RoleName=name, MaxSessionDuration=60)
    code, message, _ = error_of(caught)
    assert code == "ValidationError"
    assert "Member must have value greater than or equal to 3600" in message
    with pytest.raises(ClientError) as caught:
        iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=ALLOW_S3)
    assert error_of(caught)[:2] == ("MalformedPolicyDocument", "Has prohibited field Resource")
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=TRUST)
    assert {"Key": "t", "Value": "1"} in iam.list_role_tags(RoleName=name)["Tags"]
    assert name in [
        r["RoleName"]
        for r in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]
    ]
    iam.put_role_policy(RoleName=name, PolicyName="s3", PolicyDocument=ALLOW_S3)
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName=name)
    assert error_of(caught)[0] == "DeleteConflict"
    iam.delete_role_policy(RoleName=name, PolicyName="s3")
    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName=name)
    assert error_of(caught) == ("NoSuchEntity", f"The role with name {name} cannot be found.", 404)


async def test_get_principal_policies_collects_user_group_and_boundary(
    api_cloud: ApiCloud, iam: Any
) -> None:
    user, group = unique("pp"), unique("ppg")
    iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "red"}])
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="own", PolicyDocument=ALLOW_S3)
    iam.attach_group_policy(
        GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess"
    )
    iam.put_user_permissions_boundary(
        UserName=user, PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess"
    )
    arn = iam.get_user(UserName=user)["User"]["Arn"]
    async with make_channel(api_cloud.iam_addresses) as channel:
        stub = iam_pb2_grpc.IamInternalStub(channel)
        reply = await stub.GetPrincipalPolicies(
            iam_pb2.GetPrincipalPoliciesRequest(principal_arn=arn)
        )
        root = await stub.GetPrincipalPolicies(
            iam_pb2.GetPrincipalPoliciesRequest(principal_arn="arn:aws:iam::000000000000:root")
        )
    assert (reply.account_id, reply.principal_type) == ("000000000000", "user")
    assert reply.principal_id.startswith("AIDA")
    found = {
        (p.kind, p.policy_name, p.source_arn.split(":")[-1].split("/")[0])
        for p in reply.identity_policies
    }
    assert found == {("inline", "own", "user"), ("managed", "AmazonSQSFullAccess", "group")}
    assert reply.permissions_boundary.policy_name == "PowerUserAccess"
    assert dict(reply.principal_tags) == {"team": "red"}
    assert root.principal_type == "root" and not root.identity_policies
