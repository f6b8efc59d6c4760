"""PostObject: browser form uploads signed with a POST policy, end to end through the gateway.

botocore's generate_presigned_post makes the fields (SigV4 and SigV2); the multipart body is
sent with requests, as a browser would post it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

from tests.s3.conftest import S3Cloud, s3_client


def _post(endpoint: str, bucket: str, fields: dict[str, str], data: bytes = b"hello") -> Any:
    files = {"file": ("hello.txt", data, "text/plain")}
    return requests.post(f"{endpoint}/{bucket}", data=fields, files=files, timeout=30)


def _error(response: Any) -> tuple[str, str]:
    root = ElementTree.fromstring(response.content)
    return root.findtext("Code") or "", root.findtext("Message") or ""


@pytest.fixture(scope="module")
def v2(s3_cloud: S3Cloud) -> Any:
    return s3_client(s3_cloud.endpoint, signature_version="s3")


@pytest.fixture(scope="module")
def v4(s3_cloud: S3Cloud) -> Any:
    return s3_client(s3_cloud.endpoint, signature_version="s3v4")


def test_sigv4_upload_is_stored_like_put_object(
    s3_cloud: S3Cloud, s3: Any, v4: Any, bucket: str
) -> None:
    post = v4.generate_presigned_post(
        bucket,
        "up/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-color": "red"},
        Conditions=[{"Content-Type": "text/plain"}, {"x-amz-meta-color": "red"}],
    )
    response = _post(s3_cloud.endpoint, bucket, post["fields"])
    assert response.status_code == 204, response.text
    assert response.headers["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    assert response.headers["Location"].endswith(f"/{bucket}/up/hello.txt")
    got = s3.get_object(Bucket=bucket, Key="up/hello.txt")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"color": "red"}


def test_sigv2_upload_with_201_document(s3_cloud: S3Cloud, s3: Any, v2: Any, bucket: str) -> None:
    post = v2.generate_presigned_post(
        bucket,
        "doc.txt",
        Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}],
    )
    assert "signature" in post["fields"]
    response = _post(s3_cloud.endpoint, bucket, post["fields"], b"abc")
    assert response.status_code == 201, response.text
    root = ElementTree.fromstring(response.content)
    assert root.tag == "PostResponse"
    assert root.findtext("Bucket") == bucket and root.findtext("Key") == "doc.txt"
    assert root.findtext("ETag") == '"900150983cd24fb0d6963f7d28e17f72"'
    assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"abc"


def test_redirect_and_200(s3_cloud: S3Cloud, v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(
        bucket,
        "r.txt",
        Fields={"success_action_redirect": "http://example.com/done"},
        Conditions=[{"success_action_redirect": "http://example.com/done"}],
    )
    response = requests.post(
        f"{s3_cloud.endpoint}/{bucket}",
        data=post["fields"],
        files={"file": ("r.txt", b"x", "text/plain")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    assert location.startswith("http://example.com/done?bucket=" + bucket + "&key=r.txt&etag=")
    post = v4.generate_presigned_post(
        bucket,
        "s.txt",
        Fields={"success_action_status": "200"},
        Conditions=[{"success_action_status": "200"}],
    )
    ok = _post(s3_cloud.endpoint, bucket, post["fields"])
    assert ok.status_code == 200 and ok.content == b""


def test_tagging_and_acl_fields(s3_cloud: S3Cloud, s3: Any, v4: Any, bucket: str) -> None:
    tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v w</Value></Tag></TagSet></Tagging>"
    post = v4.generate_presigned_post(
        bucket,
        "t.txt",
        Fields={"tagging": tagging, "acl": "bucket-owner-full-control"},
        Conditions=[{"tagging": tagging}, {"acl": "bucket-owner-full-control"}],
    )
    response = _post(s3_cloud.endpoint, bucket, post["fields"])
    assert response.status_code == 204, response.text
    tags = s3.get_object_tagging(Bucket=bucket, Key="t.txt")["TagSet"]
    assert tags == [{"Key": "k", "Value": "v w"}]


def test_bad_signature(s3_cloud: S3Cloud, v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "k")
    fields = {**post["fields"], "x-amz-signature": "0" * 64}
    response = _post(s3_cloud.endpoint, bucket, fields)
    assert response.status_code == 403
    assert _error(response)[0] == "SignatureDoesNotMatch"


def test_policy_checks(s3_cloud: S3Cloud, s3: Any, v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "k", Conditions=[["content-length-range", 0, 3]])
    large = _post(s3_cloud.endpoint, bucket, post["fields"], b"toolong")
    assert large.status_code == 400 and _error(large)[0] == "EntityTooLarge"

    extra = _post(s3_cloud.endpoint, bucket, {**post["fields"], "x-amz-meta-x": "1"})
    assert extra.status_code == 403
    assert _error(extra) == (
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-x",
    )

    wrong_key = _post(s3_cloud.endpoint, bucket, {**post["fields"], "key": "other"})
    assert wrong_key.status_code == 403
    assert _error(wrong_key) == (
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "k"]',
    )

    expired = v4.generate_presigned_post(bucket, "k", ExpiresIn=-10)
    old = _post(s3_cloud.endpoint, bucket, expired["fields"])
    assert old.status_code == 403
    assert _error(old) == ("AccessDenied", "Invalid according to Policy: Policy expired.")

    no_key = {name: value for name, value in post["fields"].items() if name != "key"}
    missing = _post(s3_cloud.endpoint, bucket, no_key)
    assert missing.status_code == 400 and _error(missing)[0] == "InvalidArgument"
    assert "must contain a field named 'key'" in _error(missing)[1]

    no_file = requests.post(f"{s3_cloud.endpoint}/{bucket}", files=post["fields"], timeout=30)
    assert no_file.status_code == 400
    assert _error(no_file) == (
        "InvalidArgument",
        "POST requires exactly one file upload per request.",
    )

    bad = base64.b64encode(b"{not json").decode()
    malformed = _post(s3_cloud.endpoint, bucket, {**post["fields"], "policy": bad})
    assert malformed.status_code == 400 and _error(malformed)[0] == "InvalidPolicyDocument"
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_anonymous_post_needs_public_write(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    denied = _post(s3_cloud.endpoint, bucket, {"key": "anon.txt"})
    assert denied.status_code == 403 and _error(denied)[0] == "AccessDenied"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    def allowed() -> None:  # the gateway hears of the new policy through Kafka
        response = _post(s3_cloud.endpoint, bucket, {"key": "anon.txt"})
        assert response.status_code == 204, response.text

    deadline = time.monotonic() + 20
    while True:
        try:
            allowed()
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    assert s3.get_object(Bucket=bucket, Key="anon.txt")["Body"].read() == b"hello"


def test_unknown_key_and_other_account_secret(s3_cloud: S3Cloud, bucket: str) -> None:
    stranger = s3_client(s3_cloud.endpoint, key=f"AKIA{uuid.uuid4().hex[:16].upper()}")
    post = stranger.generate_presigned_post(bucket, "k")
    response = _post(s3_cloud.endpoint, bucket, post["fields"])
    assert response.status_code == 403 and _error(response)[0] == "InvalidAccessKeyId"


def test_hand_made_form_case_insensitive_and_filename_key(
    s3_cloud: S3Cloud, s3: Any, bucket: str
) -> None:
    """As ceph's s3-tests post it: every part a file part, names in any case, SigV2 by hand."""
    expires = (datetime.now(UTC) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {
        "expiration": expires,
        "conditions": [
            {"bUcKeT": bucket},
            ["StArTs-WiTh", "$KeY", "up/"],
            ["starts-with", "$Content-Type", "text/"],
            ["content-length-range", 0, 1024],
        ],
    }
    policy = base64.b64encode(json.dumps(document).encode())
    signature = base64.b64encode(hmac.new(b"test", policy, hashlib.sha1).digest())
    payload: list[tuple[str, Any]] = [
        ("kEy", "up/${filename}"),
        ("AWSAccessKeyId", "test"),
        ("signature", signature.decode()),
        ("pOLICy", policy.decode()),
        ("Content-Type", "text/plain"),
        ("x-ignore-anything", "1"),
        ("file", ("name.txt", b"bar")),
    ]
    response = requests.post(f"{s3_cloud.endpoint}/{bucket}", files=payload, timeout=30)
    assert response.status_code == 204, response.text
    got = s3.get_object(Bucket=bucket, Key="up/name.txt")
    assert got["Body"].read() == b"bar" and got["ContentType"] == "text/plain"


def test_virtual_host_post(s3_cloud: S3Cloud, s3: Any, v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "vh.txt")
    port = s3_cloud.endpoint.rsplit(":", 1)[1]
    response = requests.post(
        f"{s3_cloud.endpoint}/",
        data=post["fields"],
        files={"file": ("vh.txt", b"virtual", "text/plain")},
        headers={"Host": f"{bucket}.s3.localhost:{port}"},
        timeout=30,
    )
    assert response.status_code == 204, response.text
    assert response.headers["Location"] == f"http://{bucket}.s3.localhost:{port}/vh.txt"
    assert s3.get_object(Bucket=bucket, Key="vh.txt")["Body"].read() == b"virtual"
