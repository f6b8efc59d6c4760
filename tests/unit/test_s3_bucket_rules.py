"""Pure bucket rules: names, location constraints, policy validation and publicity,
lifecycle and the smaller configuration documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_s3.api.buckets import bucket_region
from nimbus_s3.bucket_names import bucket_name_problem, validate_bucket_name
from nimbus_s3.config_documents import (
    validate_notification,
    validate_public_access_block,
    validate_website,
)
from nimbus_s3.config_lifecycle import validate_lifecycle
from nimbus_s3.config_lock import check_retention_change, validate_lock_configuration
from nimbus_s3.config_policy import policy_is_public, validate_policy


@pytest.mark.parametrize(
    "name", ["abc", "a" * 63, "my.bucket-1", "1bucket", "a-b.c-d", "192.168.5.4x"]
)
def test_valid_names(name: str) -> None:
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "ABC",
        "a_b",
        "-ab",
        "ab-",
        "a..b",
        "a.-b",
        "a-.b",
        "10.0.0.1",
        "xn--abc",
        "sthree-abc",
        "amzn-s3-demo-x",
        "abc-s3alias",
        "abc--ol-s3",
        "abc.mrap",
        "abc--x-s3",
        "abc--table-s3",
    ],
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(AwsError) as excinfo:
        validate_bucket_name(name)
    assert excinfo.value.code == "InvalidBucketName"
    assert excinfo.value.extra == {"BucketName": name}


def test_location_constraints() -> None:
    assert bucket_region("us-east-1", "") == "us-east-1"
    assert bucket_region("", "") == "us-east-1"
    assert bucket_region("us-east-1", "eu-west-1") == "eu-west-1"
    assert bucket_region("us-east-1", "EU") == "eu-west-1"
    assert bucket_region("eu-west-1", "eu-west-1") == "eu-west-1"
    for region, constraint, code in [
        ("us-east-1", "us-east-1", "InvalidLocationConstraint"),
        ("us-east-1", "mars-1", "InvalidLocationConstraint"),
        ("eu-west-1", "", "IllegalLocationConstraintException"),
        ("eu-west-1", "eu-west-2", "IllegalLocationConstraintException"),
    ]:
        with pytest.raises(AwsError) as excinfo:
            bucket_region(region, constraint)
        assert excinfo.value.code == code


def statement(**fields: Any) -> str:
    base = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::bkt/*",
    }
    base.update(fields)
    return json.dumps({"Version": "2012-10-17", "Statement": [base]})


def test_policy_validation() -> None:
    validate_policy(statement(), "bkt")
    validate_policy(statement(Resource=["arn:aws:s3:::bkt", "arn:aws:s3:::b*/*"]), "bkt")
    for text, message in [
        (" x", "Policies must be valid JSON and the first byte must be '{'"),
        (statement(Resource="arn:aws:s3:::other/*"), "Policy has invalid resource"),
        (statement(Principal={"AWS": "bad"}), "Invalid principal in policy"),
        (statement(Action="ec2:RunInstances"), "Policy has invalid action"),
    ]:
        with pytest.raises(AwsError) as excinfo:
            validate_policy(text, "bkt")
        assert (excinfo.value.code, excinfo.value.message) == ("MalformedPolicy", message)


def test_public_policies() -> None:
    assert policy_is_public(statement())
    assert policy_is_public(statement(Principal={"AWS": "*"}))
    assert not policy_is_public(statement(Effect="Deny"))
    assert not policy_is_public(statement(Principal={"AWS": "arn:aws:iam::111122223333:root"}))
    assert not policy_is_public(
        statement(Condition={"StringEquals": {"aws:SourceAccount": "111122223333"}})
    )
    assert policy_is_public(statement(Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}))
    assert not policy_is_public(statement(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))


def test_lifecycle_shapes() -> None:
    ok = {"Rules": [{"ID": "a", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}]}
    assert validate_lifecycle(ok) == ok  # an empty Filter: the whole bucket
    unnamed = validate_lifecycle(
        {"Rules": [{"Status": "Enabled", "Prefix": "", "Expiration": {"Days": 1}}]}
    )
    assert len(unnamed["Rules"][0]["ID"]) == 48
    bad: dict[str, Any]
    for bad in (
        {"Rules": []},
        {"Rules": [{"Status": "Enabled", "Expiration": {"Days": 1}}]},  # neither Filter nor Prefix
        {
            "Rules": [
                {"Status": "Enabled", "Filter": {"And": {"Prefix": "a"}}, "Expiration": {"Days": 1}}
            ]
        },
    ):
        with pytest.raises(AwsError) as excinfo:
            validate_lifecycle(bad)
        assert excinfo.value.code == "MalformedXML"
    both_forms = {
        "Rules": [
            {"ID": "1", "Status": "Enabled", "Prefix": "a", "Expiration": {"Days": 1}},
            {"ID": "2", "Status": "Enabled", "Filter": {"Prefix": "b"}, "Expiration": {"Days": 1}},
        ]
    }
    with pytest.raises(AwsError) as excinfo:
        validate_lifecycle(both_forms)
    assert excinfo.value.message == "Filter element can only be used in Lifecycle V2."
    two_predicates = {"And": {"Prefix": "", "ObjectSizeGreaterThan": 5}}
    validate_lifecycle(
        {"Rules": [{"Status": "Enabled", "Filter": two_predicates, "Expiration": {"Days": 1}}]}
    )
    midnight = {"Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2030-01-01T00:00:00Z"}}
    validate_lifecycle({"Rules": [midnight]})
    with pytest.raises(AwsError):
        validate_lifecycle(
            {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "Filter": {"Tag": {"Key": "k", "Value": "v"}},
                        "Expiration": {"ExpiredObjectDeleteMarker": True},
                    }
                ]
            }
        )


def test_small_documents() -> None:
    assert validate_public_access_block({"BlockPublicAcls": True}) == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    with pytest.raises(AwsError):
        validate_website(
            {"RedirectAllRequestsTo": {"HostName": "h"}, "IndexDocument": {"Suffix": "i"}}
        )
    queue = "arn:aws:sqs:us-east-1:111122223333:q"
    stored = validate_notification(
        {"QueueConfigurations": [{"QueueArn": queue, "Events": ["s3:ObjectCreated:Put"]}]},
        "us-east-1",
    )
    assert stored["QueueConfigurations"][0]["Id"]
    with pytest.raises(AwsError) as excinfo:
        validate_notification(
            {"QueueConfigurations": [{"QueueArn": queue, "Events": ["s3:Nothing"]}]}, "us-east-1"
        )
    assert excinfo.value.message == "The event is not supported for notifications"
    for arn, region, message in [
        ("arn:aws:Queue:us-east-1:111122223333:q", "us-east-1", "The ARN is not well formed"),
        (
            queue,
            "eu-west-1",
            "The notification destination service region is not valid for the bucket location"
            " constraint",
        ),
    ]:
        with pytest.raises(AwsError) as excinfo:
            validate_notification(
                {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
                region,
            )
        assert (excinfo.value.code, excinfo.value.message) == ("InvalidArgument", message)


def test_lock_rules() -> None:
    from datetime import UTC, datetime, timedelta

    assert validate_lock_configuration({"ObjectLockEnabled": "Enabled"}) == {
        "ObjectLockEnabled": "Enabled"
    }
    with pytest.raises(AwsError):
        validate_lock_configuration(
            {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE"}}}
        )
    now = datetime.now(UTC)
    later, sooner = now + timedelta(days=2), now + timedelta(days=1)
    check_retention_change("GOVERNANCE", sooner, "GOVERNANCE", later, bypass_governance=False)
    check_retention_change("GOVERNANCE", later, "GOVERNANCE", sooner, bypass_governance=True)
    check_retention_change("GOVERNANCE", sooner, "COMPLIANCE", later, bypass_governance=True)
    check_retention_change(
        "COMPLIANCE", now - timedelta(days=1), None, None, bypass_governance=False
    )
    for args, bypass in [
        (("GOVERNANCE", later, "GOVERNANCE", sooner), False),
        (("GOVERNANCE", later, None, None), False),
        (("COMPLIANCE", later, "COMPLIANCE", sooner), True),
        (("COMPLIANCE", later, "GOVERNANCE", later), True),
        (("GOVERNANCE", sooner, "COMPLIANCE", later), False),
    ]:
        with pytest.raises(AwsError) as excinfo:
            check_retention_change(*args, bypass_governance=bypass)
        assert excinfo.value.code == "AccessDenied"
        assert excinfo.value.message == "Access Denied because object protected by object lock."
