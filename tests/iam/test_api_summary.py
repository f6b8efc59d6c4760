"""GetAccountSummary, ListEntitiesForPolicy and GetAccountAuthorizationDetails through boto3."""

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


async def fresh_account(api_cloud: ApiCloud, name: str) -> Any:
    async with make_channel(api_cloud.iam_addresses) as channel:
        created = await iam_pb2_grpc.IamInternalStub(channel).CreateAccount(
            iam_pb2.CreateAccountRequest(name=name)
        )
    return api_cloud.client(key=created.access_key_id, secret=created.secret_access_key)


async def test_account_summary_counts_and_quotas(api_cloud: ApiCloud) -> None:
    iam = await fresh_account(api_cloud, "summary")
    before = iam.get_account_summary()["SummaryMap"]
    assert before["AccessKeysPerUserQuota"] == 2
    assert before["AttachedPoliciesPerUserQuota"] == 10
    assert before["UsersQuota"] == 5000
    assert before["Users"] == 0
    assert before["PolicyVersionsInUse"] == 0
    iam.create_user(UserName="u1")
    iam.create_group(GroupName="g1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST)
    iam.create_policy(PolicyName="p1", PolicyDocument=ALLOW_S3)
    iam.create_instance_profile(InstanceProfileName="ip1")
    iam.attach_user_policy(UserName="u1", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    after = iam.get_account_summary()["SummaryMap"]
    assert (after["Users"], after["Groups"], after["Roles"], after["Policies"]) == (1, 1, 1, 1)
    assert after["PolicyVersionsInUse"] == 1
    assert after["InstanceProfiles"] == 1


def test_list_entities_for_policy(iam: Any) -> None:
    user, group, role = unique("eu"), unique("eg"), unique("er")
    arn = iam.create_policy(PolicyName=unique("ep"), PolicyDocument=ALLOW_S3)["Policy"]["Arn"]
    user_id = iam.create_user(UserName=user)["User"]["UserId"]
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    out = iam.list_entities_for_policy(PolicyArn=arn)
    assert out["PolicyUsers"] == [{"UserName": user, "UserId": user_id}]
    assert [g["GroupName"] for g in out["PolicyGroups"]] == [group]
    assert [r["RoleName"] for r in out["PolicyRoles"]] == [role]
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert (only_roles["PolicyUsers"], only_roles["PolicyGroups"]) == ([], [])
    attached = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
    assert attached["PolicyRoles"] == []
    paged = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=1)
    assert paged["IsTruncated"] is True
    missing = "arn:aws:iam::000000000000:policy/no-such-policy-x"
    with pytest.raises(ClientError) as caught:
        iam.list_entities_for_policy(PolicyArn=missing)
    assert error_of(caught) == ("NoSuchEntity", f"Policy {missing} was not found.", 404)


async def test_account_authorization_details(api_cloud: ApiCloud) -> None:
    iam = await fresh_account(api_cloud, "details")
    arn = iam.create_policy(PolicyName="p1", PolicyDocument=ALLOW_S3)["Policy"]["Arn"]
    iam.create_user(UserName="u1")
    iam.create_group(GroupName="g1")
    iam.add_user_to_group(GroupName="g1", UserName="u1")
    iam.put_user_policy(UserName="u1", PolicyName="inline", PolicyDocument=ALLOW_S3)
    iam.attach_user_policy(UserName="u1", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g1", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="ip1")
    iam.add_role_to_instance_profile(InstanceProfileName="ip1", RoleName="r1")
    out = iam.get_account_authorization_details()
    (user,) = out["UserDetailList"]
    assert user["GroupList"] == ["g1"]
    assert user["UserPolicyList"][0]["PolicyName"] == "inline"
    # boto3 decodes the URL-encoded documents into dicts.
    assert user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "s3:*"
    assert user["AttachedManagedPolicies"] == [{"PolicyName": "p1", "PolicyArn": arn}]
    (group,) = out["GroupDetailList"]
    assert group["AttachedManagedPolicies"][0]["PolicyName"] == "AdministratorAccess"
    (role,) = out["RoleDetailList"]
    assert role["InstanceProfileList"][0]["InstanceProfileName"] == "ip1"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    arns = sorted(p["Arn"] for p in out["Policies"])
    assert arns == sorted([arn, "arn:aws:iam::aws:policy/AdministratorAccess"])
    local = next(p for p in out["Policies"] if p["Arn"] == arn)
    assert local["PolicyVersionList"][0]["IsDefaultVersion"] is True
    assert local["PolicyVersionList"][0]["Document"]["Version"] == "2012-10-17"
    only_users = iam.get_account_authorization_details(Filter=["User"])
    assert (only_users["RoleDetailList"], only_users["Policies"]) == ([], [])
    paginator = iam.get_paginator("get_account_authorization_details")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
