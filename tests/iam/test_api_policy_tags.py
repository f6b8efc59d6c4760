"""TagPolicy, UntagPolicy and ListPolicyTags through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ApiCloud
from tests.iam.test_api_users import error_of, unique

pytestmark = pytest.mark.system

ALLOW_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


@pytest.fixture(scope="module")
def iam(api_cloud: ApiCloud) -> Any:
    return api_cloud.client()


def test_policy_tags_lifecycle(iam: Any) -> None:
    arn = iam.create_policy(
        PolicyName=unique("tagged"), PolicyDocument=ALLOW_S3, Tags=[{"Key": "a", "Value": "1"}]
    )["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "A", "Value": "3"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "A", "Value": "3"},
        {"Key": "b", "Value": "2"},
    ]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [
        {"Key": "A", "Value": "3"},
        {"Key": "b", "Value": "2"},
    ]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    page = iam.list_policy_tags(PolicyArn=arn, MaxItems=1)
    assert page["Tags"] == [{"Key": "b", "Value": "2"}]
    assert page["IsTruncated"] is False


def test_policy_tag_errors(iam: Any) -> None:
    missing = "arn:aws:iam::000000000000:policy/no-such-policy-x"
    with pytest.raises(ClientError) as caught:
        iam.tag_policy(PolicyArn=missing, Tags=[{"Key": "a", "Value": "1"}])
    assert error_of(caught) == ("NoSuchEntity", f"Policy {missing} was not found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.list_policy_tags(PolicyArn=missing)
    assert error_of(caught)[0] == "NoSuchEntity"
    arn = iam.create_policy(PolicyName=unique("dups"), PolicyDocument=ALLOW_S3)["Policy"]["Arn"]
    with pytest.raises(ClientError) as caught:
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}])
    assert error_of(caught)[0] == "InvalidInput"
