"""Bucket policies enforced at the gateway, end to end through boto3.

The bucket owner's account is the resource account: a policy naming another account lets that
account in (its users need identity policies too); an explicit deny beats any allow.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.s3.conftest import S3Cloud, eventually, s3_client


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def access_denied(call: Callable[[], Any]) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Code"] == "AccessDenied"
    message: str = response["Error"]["Message"]
    return message


def iam_client(endpoint: str, key: str, secret: str) -> Any:
    return boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def user_keys(endpoint: str, root_key: str, root_secret: str, inline: str | None) -> Any:
    """An IAM user (with an inline policy if given) and an S3 client signing as it."""
    iam = iam_client(endpoint, root_key, root_secret)
    name = f"u-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    if inline:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    arn = iam.get_user(UserName=name)["User"]["Arn"]
    return arn, s3_client(endpoint, key=key["AccessKeyId"], secret=key["SecretAccessKey"])


@pytest.fixture(scope="module")
def other_account(s3_cloud: S3Cloud) -> dict[str, str]:
    created = s3_cloud.nimbus("accounts", "create", f"other-{uuid.uuid4().hex[:6]}", "--json")
    found: dict[str, str] = json.loads(created.stdout)
    return found


@pytest.fixture
def shared(s3: Any, bucket: str) -> Iterator[str]:
    s3.put_object(Bucket=bucket, Key="report.txt", Body=b"quarterly")
    yield bucket
    s3.delete_bucket_policy(Bucket=bucket)


READ_ANY = policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"})


def test_a_bucket_policy_lets_another_accounts_user_in(
    s3_cloud: S3Cloud, s3: Any, shared: str, other_account: dict[str, str]
) -> None:
    other = other_account["AccountId"]
    _, reader = user_keys(
        s3_cloud.endpoint,
        other_account["AccessKeyId"],
        other_account["SecretAccessKey"],
        READ_ANY,
    )
    message = access_denied(lambda: reader.get_object(Bucket=shared, Key="report.txt"))
    assert "because no resource-based policy allows the s3:GetObject action" in message

    s3.put_bucket_policy(
        Bucket=shared,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{shared}/*",
            }
        ),
    )
    eventually(
        lambda: _assert_body(reader.get_object(Bucket=shared, Key="report.txt"), b"quarterly")
    )
    # Only what the policy grants: not writing, not listing.
    access_denied(lambda: reader.put_object(Bucket=shared, Key="x", Body=b"x"))
    access_denied(lambda: reader.list_objects_v2(Bucket=shared))


def test_another_accounts_user_also_needs_its_own_identity_policy(
    s3_cloud: S3Cloud, s3: Any, shared: str, other_account: dict[str, str]
) -> None:
    other = other_account["AccountId"]
    s3.put_bucket_policy(
        Bucket=shared,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": other},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{shared}/*",
            }
        ),
    )
    _, unprivileged = user_keys(
        s3_cloud.endpoint, other_account["AccessKeyId"], other_account["SecretAccessKey"], None
    )
    other_root = s3_client(
        s3_cloud.endpoint,
        key=other_account["AccessKeyId"],
        secret=other_account["SecretAccessKey"],
    )
    eventually(
        lambda: _assert_body(other_root.get_object(Bucket=shared, Key="report.txt"), b"quarterly")
    )
    message = access_denied(lambda: unprivileged.get_object(Bucket=shared, Key="report.txt"))
    assert "because no identity-based policy allows the s3:GetObject action" in message


def test_an_explicit_deny_in_the_bucket_policy_beats_the_owners_identity_allow(
    s3_cloud: S3Cloud, s3: Any, shared: str
) -> None:
    arn, admin = user_keys(
        s3_cloud.endpoint,
        "test",
        "test",
        policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )
    assert admin.get_object(Bucket=shared, Key="report.txt")["Body"].read() == b"quarterly"
    s3.put_bucket_policy(
        Bucket=shared,
        Policy=policy(
            {
                "Sid": "NoReports",
                "Effect": "Deny",
                "Principal": {"AWS": arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{shared}/report.txt",
            }
        ),
    )

    def refused() -> None:
        message = access_denied(lambda: admin.get_object(Bucket=shared, Key="report.txt"))
        assert message == (
            f"User: {arn} is not authorized to perform: s3:GetObject on resource: "
            f'"arn:aws:s3:::{shared}/report.txt" with an explicit deny in a resource-based policy'
        )

    eventually(refused)
    admin.put_object(Bucket=shared, Key="other.txt", Body=b"fine")  # the rest still allowed
    s3.delete_bucket_policy(Bucket=shared)
    eventually(
        lambda: _assert_body(admin.get_object(Bucket=shared, Key="report.txt"), b"quarterly")
    )


def test_the_owners_unprivileged_user_is_refused_until_the_policy_names_it(
    s3_cloud: S3Cloud, s3: Any, shared: str
) -> None:
    arn, nobody = user_keys(s3_cloud.endpoint, "test", "test", None)
    access_denied(lambda: nobody.list_objects_v2(Bucket=shared))
    s3.put_bucket_policy(
        Bucket=shared,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{shared}",
            }
        ),
    )
    eventually(lambda: _assert_keys(nobody.list_objects_v2(Bucket=shared), ["report.txt"]))


def _assert_body(response: dict[str, Any], expected: bytes) -> None:
    assert response["Body"].read() == expected


def _assert_keys(response: dict[str, Any], expected: list[str]) -> None:
    assert [item["Key"] for item in response.get("Contents", [])] == expected


def test_delete_objects_reports_each_denied_key(s3: Any, bucket: str) -> None:
    for key in ("tmp/a", "keep/b", "tmp/c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteObject",
                "Resource": f"arn:aws:s3:::{bucket}/keep/*",
            }
        ),
    )

    def partly_deleted() -> None:
        s3.put_object(Bucket=bucket, Key="tmp/a", Body=b"x")
        answer = s3.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": "tmp/a"}, {"Key": "keep/b"}, {"Key": "tmp/c"}]},
        )
        assert sorted(d["Key"] for d in answer.get("Deleted", [])) == ["tmp/a", "tmp/c"]
        assert [(e["Key"], e["Code"]) for e in answer.get("Errors", [])] == [
            ("keep/b", "AccessDenied")
        ]

    eventually(partly_deleted)
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "keep/b"}]})
    assert "Deleted" not in answer
    assert answer["Errors"][0]["Message"] == "Access Denied"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep/b"]
    s3.delete_bucket_policy(Bucket=bucket)
