"""Unsigned requests: let in only by a public bucket policy or a grant to AllUsers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.s3.conftest import S3Cloud, eventually


def refused(call: Callable[[], Any]) -> None:
    try:
        call()
    except botocore.exceptions.ClientError as failure:
        error = failure.response["Error"]
        assert failure.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert (error["Code"], error["Message"]) == ("AccessDenied", "Access Denied")
    else:
        raise AssertionError("the anonymous request was let in")


def readable(call: Callable[[], Any], body: bytes) -> Callable[[], None]:
    def check() -> None:
        assert call()["Body"].read() == body

    return check


@pytest.fixture(scope="module")
def anonymous(s3_cloud: S3Cloud) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=s3_cloud.endpoint,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


@pytest.fixture
def acl_bucket(s3: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """A bucket whose ownership lets ACLs work, with public access not blocked."""
    name = f"t-{uuid.uuid4().hex[:20]}"
    s3.create_bucket(Bucket=name, ObjectOwnership=getattr(request, "param", "ObjectWriter"))
    s3.delete_public_access_block(Bucket=name)
    yield name
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def test_a_public_object_needs_a_policy_naming_everyone(
    s3: Any, anonymous: Any, bucket: str
) -> None:
    s3.delete_public_access_block(Bucket=bucket)  # new buckets block public policies
    s3.put_object(Bucket=bucket, Key="public/logo.png", Body=b"png")
    s3.put_object(Bucket=bucket, Key="private/plan.txt", Body=b"plan")
    refused(lambda: anonymous.get_object(Bucket=bucket, Key="public/logo.png"))
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/public/*",
                    }
                ],
            }
        ),
    )
    eventually(readable(lambda: anonymous.get_object(Bucket=bucket, Key="public/logo.png"), b"png"))
    assert anonymous.head_object(Bucket=bucket, Key="public/logo.png")["ContentLength"] == 3
    refused(lambda: anonymous.get_object(Bucket=bucket, Key="private/plan.txt"))
    refused(lambda: anonymous.list_objects_v2(Bucket=bucket))
    refused(lambda: anonymous.put_object(Bucket=bucket, Key="public/x", Body=b"x"))
    s3.delete_bucket_policy(Bucket=bucket)
    eventually(lambda: refused(lambda: anonymous.get_object(Bucket=bucket, Key="public/logo.png")))


def test_anonymous_requests_to_a_missing_bucket_get_no_such_bucket(anonymous: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        anonymous.get_object(Bucket=f"nobody-{uuid.uuid4().hex[:12]}", Key="k")
    assert caught.value.response["Error"]["Code"] == "NoSuchBucket"


@pytest.mark.parametrize("acl_bucket", ["ObjectWriter", "BucketOwnerPreferred"], indirect=True)
def test_public_read_acls(s3: Any, anonymous: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="open.txt", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=acl_bucket, Key="closed.txt", Body=b"closed")
    eventually(readable(lambda: anonymous.get_object(Bucket=acl_bucket, Key="open.txt"), b"open"))
    refused(lambda: anonymous.get_object(Bucket=acl_bucket, Key="closed.txt"))
    refused(lambda: anonymous.get_object_acl(Bucket=acl_bucket, Key="open.txt"))
    refused(lambda: anonymous.list_objects_v2(Bucket=acl_bucket))

    s3.put_bucket_acl(Bucket=acl_bucket, ACL="public-read")

    def listed() -> None:
        keys = [o["Key"] for o in anonymous.list_objects_v2(Bucket=acl_bucket)["Contents"]]
        assert keys == ["closed.txt", "open.txt"]

    eventually(listed)
    refused(lambda: anonymous.put_object(Bucket=acl_bucket, Key="new.txt", Body=b"x"))


def test_ignore_public_acls(s3: Any, anonymous: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="open.txt", Body=b"open", ACL="public-read")
    eventually(readable(lambda: anonymous.get_object(Bucket=acl_bucket, Key="open.txt"), b"open"))
    s3.put_public_access_block(
        Bucket=acl_bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    eventually(lambda: refused(lambda: anonymous.get_object(Bucket=acl_bucket, Key="open.txt")))


@pytest.mark.parametrize("acl_bucket", ["BucketOwnerEnforced"], indirect=True)
def test_bucket_owner_enforced_ignores_acls(s3: Any, anonymous: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError):
        s3.put_bucket_acl(Bucket=acl_bucket, ACL="public-read")  # AccessControlListNotSupported
    refused(lambda: anonymous.list_objects_v2(Bucket=acl_bucket))


def test_a_policy_condition_on_the_referer(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="image.png", Body=b"png")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"StringLike": {"aws:Referer": "http://www.example.com/*"}},
                    }
                ],
            }
        ),
    )

    def status(referer: str | None) -> int:
        request = urllib.request.Request(f"{s3_cloud.endpoint}/{bucket}/image.png")
        if referer is not None:
            request.add_header("Referer", referer)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as failure:
            return failure.code

    def from_the_site() -> None:
        assert status("http://www.example.com/gallery.html") == 200

    eventually(from_the_site)
    assert status("http://elsewhere.test/") == 403
    assert status(None) == 403
