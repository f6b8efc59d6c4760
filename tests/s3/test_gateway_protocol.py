"""The gateway's S3 wire protocol through a real cloud: aws-chunked trailers reaching the
service, statuses boto3's model cannot express, S3's document roots and error headers."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import uuid
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import HmacV1Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.s3.conftest import S3Cloud

pytestmark = pytest.mark.system

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"

# --- raw HTTP, signed by botocore: for what boto3 hides (statuses, headers, the exact
# bytes of a document) or will not send (aws-chunked over plain HTTP) ---------------------

CREDENTIALS = Credentials("test", "test")
STREAMING_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes


class _TrailerSigner(S3SigV4Auth):  # type: ignore[misc]
    """SigV4 over an aws-chunked body with unsigned trailers (botocore does it on HTTPS only)."""

    def payload(self, request: AWSRequest) -> str:
        return STREAMING_TRAILER


def send(
    endpoint: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    *,
    sign: str = "v4",
    host: str | None = None,
    auth_path: str | None = None,
) -> Reply:
    """One request, signed with SigV4 ("v4"), SigV4 with an aws-chunked trailer body
    ("v4-trailer"), SigV2 ("v2") or not at all (""); host overrides the Host header."""
    parts = urlsplit(endpoint)
    url = f"http://{host or parts.netloc}{path}"
    request = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
    if sign == "v4":
        request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        S3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    elif sign == "v4-trailer":
        _TrailerSigner(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    elif sign == "v2":
        request.auth_path = auth_path  # SigV2 signs /bucket/key even for a virtual host
        HmacV1Auth(CREDENTIALS).add_auth(request)
    prepared = request.prepare()
    sent = {name: str(value) for name, value in prepared.headers.items()}
    sent["Host"] = host or parts.netloc
    connection = http.client.HTTPConnection(parts.netloc, timeout=60)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        received = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, received, data)
    finally:
        connection.close()


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def aws_chunked(pieces: list[bytes], trailers: dict[str, str]) -> bytes:
    """The aws-chunked framing of pieces, unsigned, ending with trailers."""
    framed = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
    tail = "".join(f"{name}:{value}\r\n" for name, value in trailers.items())
    return framed + b"0\r\n" + tail.encode() + b"\r\n"


def chunked_put(
    endpoint: str,
    path: str,
    pieces: list[bytes],
    *,
    checksum: str | None = None,
    declared: int | None = None,
) -> Reply:
    """PutObject/UploadPart as the SDKs send it over HTTPS: aws-chunked with a CRC32 trailer."""
    data = b"".join(pieces)
    body = aws_chunked(pieces, {"x-amz-checksum-crc32": checksum or crc32_b64(data)})
    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-content-sha256": STREAMING_TRAILER,
        "x-amz-decoded-content-length": str(len(data) if declared is None else declared),
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-sdk-checksum-algorithm": "CRC32",
        "Content-Length": str(len(body)),
    }
    return send(endpoint, "PUT", path, headers, body, sign="v4-trailer")


def _root(body: bytes) -> str:
    return ET.fromstring(body).tag.removeprefix(NS)


def _absent(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        return bool(error.response["ResponseMetadata"]["HTTPStatusCode"] == 404)
    return False


# --- aws-chunked bodies and their trailers ---------------------------------------------------


def test_a_trailing_checksum_reaches_the_service(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    pieces = [b"a" * 9000, b"trailer world"]
    data = b"".join(pieces)
    reply = chunked_put(s3_cloud.endpoint, f"/{bucket}/good", pieces)
    assert reply.status == 200, reply.body
    assert reply.headers["x-amz-checksum-crc32"] == crc32_b64(data)
    head = s3.head_object(Bucket=bucket, Key="good", ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(data)  # the decoded length, not the framed one
    assert head["ChecksumCRC32"] == crc32_b64(data)
    assert s3.get_object(Bucket=bucket, Key="good")["Body"].read() == data


def test_a_wrong_trailing_checksum_stores_nothing(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    reply = chunked_put(
        s3_cloud.endpoint, f"/{bucket}/bad", [b"hello"], checksum=crc32_b64(b"other")
    )
    assert reply.status == 400
    assert ET.fromstring(reply.body).findtext("Code") == "BadDigest"
    assert _absent(s3, bucket, "bad")


@pytest.mark.parametrize("declared", [10, 3])
def test_a_body_unlike_its_declared_length_is_incomplete(
    s3_cloud: S3Cloud, s3: Any, bucket: str, declared: int
) -> None:
    reply = chunked_put(s3_cloud.endpoint, f"/{bucket}/short", [b"hello"], declared=declared)
    assert reply.status == 400
    error = ET.fromstring(reply.body)
    assert error.findtext("Code") == "IncompleteBody"
    assert error.findtext("Message") == (
        "You did not provide the number of bytes specified by the Content-Length HTTP header"
    )
    assert _absent(s3, bucket, "short")


def test_an_upload_part_carries_its_trailer(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="CRC32")
    path = f"/{bucket}/mp?partNumber=1&uploadId={upload['UploadId']}"
    reply = chunked_put(s3_cloud.endpoint, path, [b"part one"])
    assert reply.status == 200, reply.body
    assert reply.headers["x-amz-checksum-crc32"] == crc32_b64(b"part one")
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(b"part one"))]
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])


# --- statuses --------------------------------------------------------------------------------


def test_ranged_and_conditional_reads(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")["ETag"]
    ranged = s3.get_object(Bucket=bucket, Key="k", Range="bytes=2-4")
    assert ranged["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert ranged["ContentRange"] == "bytes 2-4/10" and ranged["Body"].read() == b"234"
    assert s3.get_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 200

    not_modified = send(s3_cloud.endpoint, "GET", f"/{bucket}/k", {"If-None-Match": etag})
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert not_modified.headers["x-amz-request-id"] and not_modified.headers["x-amz-id-2"]
    assert "content-type" not in not_modified.headers

    failed = send(s3_cloud.endpoint, "GET", f"/{bucket}/k", {"If-Match": '"nope"'})
    assert failed.status == 412
    assert failed.headers["content-type"] == "application/xml"
    error = ET.fromstring(failed.body)
    assert error.tag == "Error" and error.findtext("Code") == "PreconditionFailed"
    assert error.findtext("RequestId") == failed.headers["x-amz-request-id"]

    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_head_errors_have_no_body_but_their_ids(s3_cloud: S3Cloud, bucket: str) -> None:
    reply = send(s3_cloud.endpoint, "HEAD", f"/{bucket}/missing")
    assert (reply.status, reply.body) == (404, b"")
    assert reply.headers["x-amz-request-id"] and reply.headers["x-amz-id-2"]
    reply = send(s3_cloud.endpoint, "HEAD", f"/nimbus-no-such-{uuid.uuid4().hex[:12]}")
    assert (reply.status, reply.body) == (404, b"")
    assert reply.headers["x-amz-request-id"]


def test_a_delete_marker_answers_with_its_headers(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="gone")["VersionId"]
    for method in ("HEAD", "GET"):
        reply = send(s3_cloud.endpoint, method, f"/{bucket}/gone")
        assert reply.status == 404
        assert reply.headers["x-amz-delete-marker"] == "true"
        assert reply.headers["x-amz-version-id"] == marker
        if method == "GET":
            assert b"DeleteMarker" not in reply.body
    reply = send(s3_cloud.endpoint, "GET", f"/{bucket}/gone?versionId={marker}")
    assert reply.status == 405
    assert reply.headers["x-amz-delete-marker"] == "true"
    assert ET.fromstring(reply.body).findtext("Code") == "MethodNotAllowed"


def test_bodyless_answers_are_204_where_s3_says_so(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    status = {
        "DeleteObject": s3.delete_object(Bucket=bucket, Key="k"),
        "PutBucketTagging": s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]}
        ),
        "DeleteBucketTagging": s3.delete_bucket_tagging(Bucket=bucket),
        "PutBucketVersioning": s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Suspended"}
        ),
    }
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    status["PutBucketPolicy"] = s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    status["DeleteBucketPolicy"] = s3.delete_bucket_policy(Bucket=bucket)
    codes = {name: reply["ResponseMetadata"]["HTTPStatusCode"] for name, reply in status.items()}
    assert codes == {
        "DeleteObject": 204,
        "PutBucketTagging": 204,
        "DeleteBucketTagging": 204,
        "PutBucketVersioning": 200,
        "PutBucketPolicy": 204,
        "DeleteBucketPolicy": 204,
    }


# --- documents -------------------------------------------------------------------------------


def test_output_documents_have_s3s_root_elements(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=b")
    endpoint = s3_cloud.endpoint
    roots = {
        "ListObjects": send(endpoint, "GET", f"/{bucket}"),
        "ListObjectsV2": send(endpoint, "GET", f"/{bucket}?list-type=2"),
        "ListObjectVersions": send(endpoint, "GET", f"/{bucket}?versions"),
        "ListBuckets": send(endpoint, "GET", "/"),
        "ListMultipartUploads": send(endpoint, "GET", f"/{bucket}?uploads"),
        "GetBucketAcl": send(endpoint, "GET", f"/{bucket}?acl"),
        "GetObjectAcl": send(endpoint, "GET", f"/{bucket}/k?acl"),
        "GetObjectTagging": send(endpoint, "GET", f"/{bucket}/k?tagging"),
        "GetBucketVersioning": send(endpoint, "GET", f"/{bucket}?versioning"),
        "CreateMultipartUpload": send(endpoint, "POST", f"/{bucket}/mp?uploads"),
        "DeleteObjects": send(
            endpoint,
            "POST",
            f"/{bucket}?delete",
            {"Content-MD5": _md5(_DELETE)},
            _DELETE,
        ),
        "CopyObject": send(
            endpoint, "PUT", f"/{bucket}/copy", {"x-amz-copy-source": f"/{bucket}/k"}
        ),
    }
    found = {name: (reply.status, _root(reply.body)) for name, reply in roots.items()}
    assert found == {
        "ListObjects": (200, "ListBucketResult"),
        "ListObjectsV2": (200, "ListBucketResult"),
        "ListObjectVersions": (200, "ListVersionsResult"),
        "ListBuckets": (200, "ListAllMyBucketsResult"),
        "ListMultipartUploads": (200, "ListMultipartUploadsResult"),
        "GetBucketAcl": (200, "AccessControlPolicy"),
        "GetObjectAcl": (200, "AccessControlPolicy"),
        "GetObjectTagging": (200, "Tagging"),
        "GetBucketVersioning": (200, "VersioningConfiguration"),
        "CreateMultipartUpload": (200, "InitiateMultipartUploadResult"),
        "DeleteObjects": (200, "DeleteResult"),
        "CopyObject": (200, "CopyObjectResult"),
    }
    for reply in roots.values():
        assert reply.headers["content-type"] == "application/xml"
        assert reply.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')

    upload_id = ET.fromstring(roots["CreateMultipartUpload"].body).findtext(NS + "UploadId")
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=b"p")
    listed = send(endpoint, "GET", f"/{bucket}/mp?uploadId={upload_id}")
    assert _root(listed.body) == "ListPartsResult"
    complete = (
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
        f"<ETag>{part['ETag']}</ETag></Part></CompleteMultipartUpload>"
    ).encode()
    done = send(endpoint, "POST", f"/{bucket}/mp?uploadId={upload_id}", {}, complete)
    assert (done.status, _root(done.body)) == (200, "CompleteMultipartUploadResult")


_DELETE = b"<Delete><Object><Key>nothing-here</Key></Object></Delete>"


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_writes_answer_with_empty_bodies_and_their_headers(s3_cloud: S3Cloud, bucket: str) -> None:
    reply = send(
        s3_cloud.endpoint,
        "PUT",
        f"/{bucket}/meta",
        {"x-amz-meta-CamelCase": "Value", "Content-Type": "text/plain"},
        b"abc",
    )
    assert (reply.status, reply.body) == (200, b"")
    assert reply.headers["etag"] == '"900150983cd24fb0d6963f7d28e17f72"'
    assert "content-type" not in reply.headers
    head = send(s3_cloud.endpoint, "HEAD", f"/{bucket}/meta")
    assert head.headers["x-amz-meta-camelcase"] == "Value"  # S3 lower-cases metadata names
    assert head.headers["content-type"] == "text/plain"
    assert head.headers["content-length"] == "3"
