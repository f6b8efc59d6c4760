"""SigV2 through a real cloud: boto3's default presigned URLs used with urllib, clients that
sign every request with SigV2, and S3's answers when a SigV2 request is wrong."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.s3.conftest import S3Cloud, s3_client
from tests.s3.test_gateway_protocol import send

pytestmark = pytest.mark.system


def _open(url: str, *, method: str = "GET", data: bytes | None = None, **headers: str) -> Any:
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    return urllib.request.urlopen(request, timeout=30)


def _error(url: str, **kwargs: Any) -> tuple[int, ET.Element]:
    with pytest.raises(urllib.error.HTTPError) as raised:
        _open(url, **kwargs)
    return raised.value.code, ET.fromstring(raised.value.read())


def test_boto3_presigns_with_sigv2_by_default(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="dir/a b+ü.txt", Body=b"presigned", ContentType="text/x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/a b+ü.txt"})
    assert "AWSAccessKeyId=test" in url and "X-Amz-Signature" not in url
    with _open(url) as response:
        assert response.status == 200 and response.read() == b"presigned"
        assert response.headers["Content-Type"] == "text/x"

    overridden = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": "dir/a b+ü.txt",
            "ResponseContentType": "application/json",
            "ResponseContentDisposition": 'attachment; filename="x y.txt"',
        },
    )
    with _open(overridden) as response:
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Content-Disposition"] == 'attachment; filename="x y.txt"'


def test_a_presigned_put_uploads_with_urllib(s3: Any, bucket: str) -> None:
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "up", "ContentType": "text/plain"}
    )
    with _open(url, method="PUT", data=b"from a url", **{"Content-Type": "text/plain"}) as put:
        assert put.status == 200
    stored = s3.get_object(Bucket=bucket, Key="up")
    assert stored["Body"].read() == b"from a url" and stored["ContentType"] == "text/plain"

    # Another content type than the signed one is another request.
    code, error = _error(url, method="PUT", data=b"x", **{"Content-Type": "text/html"})
    assert (code, error.findtext("Code")) == (403, "SignatureDoesNotMatch")


def test_a_sigv4_presigned_url_still_works(s3_cloud: S3Cloud, bucket: str, s3: Any) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"v4")
    v4 = s3_client(s3_cloud.endpoint, signature_version="s3v4")
    url = v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    assert "X-Amz-Signature=" in url
    with _open(url) as response:
        assert response.read() == b"v4"


def test_an_expired_presigned_url(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1
    )
    time.sleep(2.1)
    code, error = _error(url)
    assert code == 403
    assert error.findtext("Code") == "AccessDenied"
    assert error.findtext("Message") == "Request has expired"
    expires = error.findtext("Expires") or ""
    server_time = error.findtext("ServerTime") or ""
    assert expires.endswith("Z") and server_time.endswith("Z") and expires < server_time
    assert error.findtext("RequestId") and error.findtext("HostId")


def test_a_tampered_or_unknown_presigned_url(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    code, error = _error(url.replace(f"/{bucket}/k?", f"/{bucket}/k2?"))
    assert (code, error.findtext("Code")) == (403, "SignatureDoesNotMatch")
    assert error.findtext("Message") == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )
    assert error.findtext("AWSAccessKeyId") == "test"
    string_to_sign = error.findtext("StringToSign") or ""
    assert string_to_sign.startswith("GET\n\n\n") and string_to_sign.endswith(f"/{bucket}/k2")
    assert error.findtext("SignatureProvided")
    assert error.findtext("StringToSignBytes", "").startswith("47 45 54 0a")

    stranger = s3_client(s3_cloud.endpoint, key="AKIANIMBUSNOSUCHKEY1", secret="x")
    url = stranger.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    code, error = _error(url)
    assert (code, error.findtext("Code")) == (403, "InvalidAccessKeyId")
    assert error.findtext("AWSAccessKeyId") == "AKIANIMBUSNOSUCHKEY1"


def test_a_client_signing_everything_with_sigv2(s3_cloud: S3Cloud) -> None:
    v2 = s3_client(s3_cloud.endpoint, signature_version="s3")
    name = f"v2-{uuid.uuid4().hex[:16]}"
    v2.create_bucket(Bucket=name)
    try:
        key = "a b/c+d=e&f~ü"
        v2.put_object(Bucket=name, Key=key, Body=b"sigv2", Metadata={"Mixed": "Case"})
        got = v2.get_object(Bucket=name, Key=key)
        assert got["Body"].read() == b"sigv2" and got["Metadata"] == {"mixed": "Case"}
        assert [o["Key"] for o in v2.list_objects(Bucket=name)["Contents"]] == [key]
        assert v2.list_objects_v2(Bucket=name, Prefix="a b/")["KeyCount"] == 1
        v2.put_object_tagging(
            Bucket=name, Key=key, Tagging={"TagSet": [{"Key": "t", "Value": "1"}]}
        )
        assert v2.get_object_tagging(Bucket=name, Key=key)["TagSet"] == [{"Key": "t", "Value": "1"}]
        assert v2.get_bucket_acl(Bucket=name)["Grants"]
        v2.copy_object(Bucket=name, Key="copy", CopySource={"Bucket": name, "Key": key})
        upload = v2.create_multipart_upload(Bucket=name, Key="mp")
        part = v2.upload_part(
            Bucket=name, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"part"
        )
        v2.complete_multipart_upload(
            Bucket=name,
            Key="mp",
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
        )
        assert v2.get_object(Bucket=name, Key="mp")["Body"].read() == b"part"
        deleted = v2.delete_objects(
            Bucket=name, Delete={"Objects": [{"Key": k} for k in (key, "copy", "mp")]}
        )
        assert len(deleted["Deleted"]) == 3
    finally:
        v2.delete_bucket(Bucket=name)


def test_virtual_host_requests_sign_the_bucket_in_the_resource(
    s3_cloud: S3Cloud, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="x/y z", Body=b"vhost")
    port = s3_cloud.endpoint.rsplit(":", 1)[1]
    host = f"{bucket}.s3.localhost:{port}"
    for sign in ("v2", "v4"):
        reply = send(
            s3_cloud.endpoint,
            "GET",
            "/x/y%20z",
            sign=sign,
            host=host,
            auth_path=f"/{bucket}/x/y%20z",
        )
        assert (reply.status, reply.body) == (200, b"vhost"), sign
        listing = send(
            s3_cloud.endpoint, "GET", "/?list-type=2", sign=sign, host=host, auth_path=f"/{bucket}/"
        )
        assert listing.status == 200, sign
        assert b"<Key>x/y z</Key>" in listing.body


def test_header_form_errors(s3_cloud: S3Cloud, bucket: str) -> None:
    skewed = send(
        s3_cloud.endpoint,
        "GET",
        f"/{bucket}",
        {"x-amz-date": "Tue, 07 Jul 2010 21:53:04 GMT"},
        sign="v2",
    )
    assert skewed.status == 403
    error = ET.fromstring(skewed.body)
    assert error.findtext("Code") == "RequestTimeTooSkewed"
    assert error.findtext("RequestTime") == "Tue, 07 Jul 2010 21:53:04 GMT"
    assert error.findtext("MaxAllowedSkewMilliseconds") == "900000"

    bad_date = send(s3_cloud.endpoint, "GET", f"/{bucket}", {"x-amz-date": "Bad Date"}, sign="v2")
    assert bad_date.status == 403
    assert ET.fromstring(bad_date.body).findtext("Code") == "AccessDenied"

    malformed = send(
        s3_cloud.endpoint, "GET", f"/{bucket}", {"Authorization": "AWS HAHAHA"}, sign=""
    )
    assert malformed.status == 400
    error = ET.fromstring(malformed.body)
    assert error.findtext("Code") == "InvalidArgument"
    assert error.findtext("ArgumentName") == "Authorization"
    assert error.findtext("ArgumentValue") == "AWS HAHAHA"


def test_an_iam_users_key_signs_sigv2_too(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    iam = boto3.client(
        "iam",
        endpoint_url=s3_cloud.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    user = f"v2user-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }
    iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"for the user")
    user_s3 = s3_client(s3_cloud.endpoint, key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    url = user_s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    deadline = time.monotonic() + 15  # an unknown key is remembered for a few seconds
    while True:
        try:
            with _open(url) as response:
                assert response.read() == b"for the user"
            break
        except urllib.error.HTTPError as error:
            if error.code != 403 or time.monotonic() > deadline:
                raise
            time.sleep(1)
    v2_user = s3_client(
        s3_cloud.endpoint,
        key=key["AccessKeyId"],
        secret=key["SecretAccessKey"],
        signature_version="s3",
    )
    with pytest.raises(ClientError) as raised:
        v2_user.put_object(Bucket=bucket, Key="k", Body=b"not allowed")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
