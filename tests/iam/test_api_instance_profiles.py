"""Instance profiles through boto3."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ApiCloud
from tests.iam.test_api_users import error_of, unique

pytestmark = pytest.mark.system

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


def test_instance_profile_lifecycle(iam: Any) -> None:
    name, role = unique("profile"), unique("ec2-role")
    created = iam.create_instance_profile(
        InstanceProfileName=name, Path="/app/", Tags=[{"Key": "k", "Value": "v"}]
    )["InstanceProfile"]
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", created["InstanceProfileId"])
    assert created["Arn"] == f"arn:aws:iam::000000000000:instance-profile/app/{name}"
    assert created["Roles"] == []
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    got = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [role]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    listed = iam.list_instance_profiles(PathPrefix="/app/")["InstanceProfiles"]
    assert name in [p["InstanceProfileName"] for p in listed]
    for_role = iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == [name]
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName=role)
    assert error_of(caught) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
    )
    with pytest.raises(ClientError) as caught:
        iam.delete_instance_profile(InstanceProfileName=name)
    assert error_of(caught)[0] == "DeleteConflict"
    iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "a", "Value": "b"}])
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["k"])
    tags = iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"]
    assert tags == [{"Key": "a", "Value": "b"}]
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role)
    iam.delete_role(RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=name)
    with pytest.raises(ClientError) as caught:
        iam.get_instance_profile(InstanceProfileName=name)
    assert error_of(caught) == ("NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)


def test_instance_profile_errors(iam: Any) -> None:
    name, first, second = unique("one-role"), unique("r1"), unique("r2")
    iam.create_instance_profile(InstanceProfileName=name)
    with pytest.raises(ClientError) as caught:
        iam.create_instance_profile(InstanceProfileName=name)
    assert error_of(caught)[0] == "EntityAlreadyExists"
    iam.create_role(RoleName=first, AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName=second, AssumeRolePolicyDocument=TRUST)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=first)
    with pytest.raises(ClientError) as caught:
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=second)
    assert error_of(caught) == (
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        409,
    )
    with pytest.raises(ClientError) as caught:
        iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=second)
    assert error_of(caught)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as caught:
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName="no-such-role-x")
    assert error_of(caught)[0] == "NoSuchEntity"


def test_instance_profiles_page(iam: Any) -> None:
    prefix = f"/{unique('pages')}/"
    names = sorted(unique("p") for _ in range(3))
    for name in names:
        iam.create_instance_profile(InstanceProfileName=name, Path=prefix)
    paginator = iam.get_paginator("list_instance_profiles")
    pages = list(paginator.paginate(PathPrefix=prefix, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 2
    assert [p["InstanceProfileName"] for pg in pages for p in pg["InstanceProfiles"]] == names
