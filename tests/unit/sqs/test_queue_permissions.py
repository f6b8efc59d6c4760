"""AddPermission/RemovePermission editing of a queue's Policy document."""

from __future__ import annotations

import json

import pytest
from nimbus_core.errors import AwsError
from nimbus_policy import parse_policy
from nimbus_sqs import permissions

ARN = "arn:aws:sqs:us-east-1:123456789012:q"


def error(call: object, *args: object) -> tuple[str, str, int]:
    with pytest.raises(AwsError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.code, caught.value.message, caught.value.http_status


def test_first_permission_makes_aws_default_policy() -> None:
    policy = permissions.add_permission(None, ARN, "P1", ["123456789012"], ["SendMessage"])
    assert policy == (
        '{"Version":"2012-10-17","Id":"arn:aws:sqs:us-east-1:123456789012:q/SQSDefaultPolicy",'
        '"Statement":[{"Sid":"P1","Effect":"Allow","Principal":{"AWS":'
        '"arn:aws:iam::123456789012:root"},"Action":"SQS:SendMessage",'
        '"Resource":"arn:aws:sqs:us-east-1:123456789012:q"}]}'
    )
    parse_policy(policy, "resource")  # the gateway can evaluate it


def test_several_accounts_and_actions_are_lists() -> None:
    policy = permissions.add_permission(
        None, ARN, "P2", ["111111111111", "222222222222"], ["SendMessage", "DeleteMessage"]
    )
    statement = json.loads(policy)["Statement"][0]
    assert statement["Principal"] == {
        "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]
    }
    assert statement["Action"] == ["SQS:SendMessage", "SQS:DeleteMessage"]


def test_added_to_an_existing_policy_keeps_it() -> None:
    own = {
        "Sid": "Mine",
        "Effect": "Allow",
        "Principal": {"AWS": ["123456789012"]},
        "Action": "sqs:SendMessage",
        "Resource": ARN,
    }
    existing = json.dumps({"Version": "2012-10-17", "Statement": own})
    policy = json.loads(
        permissions.add_permission(existing, ARN, "Extra", ["123456789012"], ["DeleteMessage"])
    )
    assert policy["Version"] == "2012-10-17"
    assert "Id" not in policy
    assert policy["Statement"][0] == own
    assert policy["Statement"][1]["Sid"] == "Extra"


def test_duplicate_labels() -> None:
    policy = permissions.add_permission(None, ARN, "P1", ["123456789012"], ["SendMessage"])
    same = permissions.add_permission(policy, ARN, "P1", ["123456789012"], ["SendMessage"])
    assert same == policy
    assert error(
        permissions.add_permission, policy, ARN, "P1", ["123456789012"], ["DeleteMessage"]
    ) == (
        "InvalidParameterValue",
        "Value P1 for parameter Label is invalid. Reason: Already exists.",
        400,
    )


def test_statement_limit() -> None:
    policy: str | None = None
    for i in range(20):
        policy = permissions.add_permission(policy, ARN, f"L{i}", ["123456789012"], ["*"])
    assert error(permissions.add_permission, policy, ARN, "L20", ["123456789012"], ["*"]) == (
        "OverLimit",
        "21 Statements were found, maximum allowed is 20.",
        403,
    )


def test_remove() -> None:
    one = permissions.add_permission(None, ARN, "A", ["123456789012"], ["SendMessage"])
    two = permissions.add_permission(one, ARN, "B", ["123456789012"], ["ReceiveMessage"])
    left = permissions.remove_permission(two, "A")
    assert left is not None
    assert [s["Sid"] for s in json.loads(left)["Statement"]] == ["B"]
    assert permissions.remove_permission(left, "B") is None
    message = "Value X for parameter Label is invalid. Reason: can't find label on existing policy."
    assert error(permissions.remove_permission, two, "X") == ("InvalidParameterValue", message, 400)
    assert error(permissions.remove_permission, None, "X")[1] == message


def test_grant_checks() -> None:
    assert error(permissions.check_grant, ["123456789012"], []) == (
        "MissingParameter",
        "The request must contain the parameter ActionName.",
        400,
    )
    assert error(permissions.check_grant, [], ["SendMessage"])[1] == (
        "The request must contain the parameter AWSAccountIds."
    )
    assert error(permissions.check_grant, ["123456789012"], ["CreateQueue"])[1] == (
        "Value SQS:CreateQueue for parameter ActionName is invalid. Reason: Only the queue owner "
        "is allowed to invoke this action."
    )
    assert error(permissions.check_grant, ["123456789012"], ["SendMessageBatch"])[1] == (
        "Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: Please refer to "
        "the appropriate WSDL for a list of valid actions."
    )
    assert error(permissions.check_grant, ["123456789012"], ["SendMessage"] * 8) == (
        "OverLimit",
        "8 Actions were found, maximum allowed is 7.",
        403,
    )
    assert error(permissions.check_grant, ["nope"], ["SendMessage"])[0] == "InvalidParameterValue"
    assert permissions.check_grant(["123456789012"], ["*"]) == (["123456789012"], ["*"])
    assert error(permissions.check_label, "")[1] == "The request must contain the parameter Label."
    assert error(permissions.check_label, "bad label")[0] == "InvalidParameterValue"
