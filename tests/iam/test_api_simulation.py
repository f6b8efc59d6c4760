"""SimulatePrincipalPolicy and SimulateCustomPolicy through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ApiCloud
from tests.iam.test_api_users import error_of, unique

pytestmark = pytest.mark.system


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_S3 = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
DENY_DELETE = doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})


@pytest.fixture(scope="module")
def iam(api_cloud: ApiCloud) -> Any:
    return api_cloud.client()


def decisions(results: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}


def test_custom_policy_allows_denies_and_names_its_statements(iam: Any) -> None:
    out = iam.simulate_custom_policy(
        PolicyInputList=[ALLOW_S3, DENY_DELETE],
        ActionNames=["s3:GetObject", "s3:DeleteBucket", "sqs:SendMessage"],
    )
    assert decisions(out["EvaluationResults"]) == {
        ("s3:GetObject", "*"): "allowed",
        ("s3:DeleteBucket", "*"): "explicitDeny",
        ("sqs:SendMessage", "*"): "implicitDeny",
    }
    first = out["EvaluationResults"][0]
    assert first["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert first["MatchedStatements"][0]["StartPosition"] == {"Line": 1, "Column": 41}
    assert first["MatchedStatements"][0]["EndPosition"]["Line"] == 1
    assert out["IsTruncated"] is False


def test_custom_policy_boundary_context_and_resources(iam: Any) -> None:
    conditional = doc(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        }
    )
    out = iam.simulate_custom_policy(
        PolicyInputList=[conditional],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::b/k", "arn:aws:s3:::c/k"],
        ContextEntries=[
            {
                "ContextKeyName": "aws:RequestedRegion",
                "ContextKeyValues": ["eu-west-1"],
                "ContextKeyType": "string",
            }
        ],
    )
    assert decisions(out["EvaluationResults"]) == {
        ("s3:GetObject", "arn:aws:s3:::b/k"): "allowed",
        ("s3:GetObject", "arn:aws:s3:::c/k"): "implicitDeny",
    }
    prefixed = doc(
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "*",
            "Condition": {"StringEquals": {"s3:prefix": "home/"}},
        }
    )
    missing = iam.simulate_custom_policy(PolicyInputList=[prefixed], ActionNames=["s3:ListBucket"])
    assert missing["EvaluationResults"][0]["MissingContextValues"] == ["s3:prefix"]
    bounded = iam.simulate_custom_policy(
        PolicyInputList=[ALLOW_S3],
        PermissionsBoundaryPolicyInputList=[
            doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
        ],
        ActionNames=["s3:GetObject", "s3:PutObject"],
    )
    assert decisions(bounded["EvaluationResults"]) == {
        ("s3:GetObject", "*"): "allowed",
        ("s3:PutObject", "*"): "implicitDeny",
    }


def test_principal_policy_reads_user_group_and_boundary(iam: Any) -> None:
    user, group = unique("sim-user"), unique("sim-group")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=ALLOW_S3)
    iam.put_group_policy(GroupName=group, PolicyName="deny", PolicyDocument=DENY_DELETE)
    out = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:DeleteBucket", "ec2:RunInstances"]
    )
    assert decisions(out["EvaluationResults"]) == {
        ("s3:GetObject", "*"): "allowed",
        ("s3:DeleteBucket", "*"): "explicitDeny",
        ("ec2:RunInstances", "*"): "implicitDeny",
    }
    matched = out["EvaluationResults"][1]["MatchedStatements"]
    assert {"SourcePolicyId": "deny", "SourcePolicyType": "group"} in [
        {k: m[k] for k in ("SourcePolicyId", "SourcePolicyType")} for m in matched
    ]
    extra = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["sqs:SendMessage"],
        PolicyInputList=[doc({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})],
    )
    assert extra["EvaluationResults"][0]["EvalDecision"] == "allowed"
    policy_arn = iam.create_policy(
        PolicyName=unique("sim-boundary"),
        PolicyDocument=doc({"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=policy_arn)
    bounded = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    assert bounded["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert bounded["EvaluationResults"][0]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False
    }
    # A boundary given as input replaces the user's own.
    replaced = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["s3:GetObject"],
        PermissionsBoundaryPolicyInputList=[ALLOW_S3],
    )
    assert replaced["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_simulation_pages(iam: Any) -> None:
    actions = [f"s3:Action{i}" for i in range(5)]
    first = iam.simulate_custom_policy(PolicyInputList=[ALLOW_S3], ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True
    assert len(first["EvaluationResults"]) == 2
    paginator = iam.get_paginator("simulate_custom_policy")
    pages = list(
        paginator.paginate(
            PolicyInputList=[ALLOW_S3], ActionNames=actions, PaginationConfig={"PageSize": 2}
        )
    )
    names = [r["EvalActionName"] for p in pages for r in p["EvaluationResults"]]
    assert names == actions


def test_simulation_errors(iam: Any) -> None:
    with pytest.raises(ClientError) as caught:
        iam.simulate_principal_policy(
            PolicySourceArn="arn:aws:iam::000000000000:user/nobody-here",
            ActionNames=["s3:GetObject"],
        )
    assert error_of(caught) == (
        "NoSuchEntity",
        "The user with name nobody-here cannot be found.",
        404,
    )
    with pytest.raises(ClientError) as caught:
        iam.simulate_principal_policy(
            PolicySourceArn="arn:aws:s3:::some-bucket", ActionNames=["s3:*"]
        )
    assert error_of(caught)[0] == "InvalidInput"
    with pytest.raises(ClientError) as caught:
        iam.simulate_custom_policy(PolicyInputList=["{not json"], ActionNames=["s3:GetObject"])
    assert error_of(caught)[0] == "InvalidInput"
