"""Objects through boto3 and the gateway: put/get/head/delete/copy, ranges, conditionals,
checksums, bad input."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from nimbus_s3 import checksums

from tests.s3.conftest import S3Cloud, s3_client


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response: dict[str, Any] = exc.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"].get("Message", ""),
    )


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_put_get_head_roundtrip(s3: Any, bucket: str) -> None:
    body = b"hello nimbus"
    put = s3.put_object(
        Bucket=bucket,
        Key="dir/a.txt",
        Body=body,
        ContentType="text/plain",
        Metadata={"Color": "blue"},
        CacheControl="max-age=60",
    )
    etag = f'"{hashlib.md5(body).hexdigest()}"'
    assert put["ETag"] == etag
    assert "VersionId" not in put
    assert put["ServerSideEncryption"] == "AES256"

    got = s3.get_object(Bucket=bucket, Key="dir/a.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == etag
    assert got["ContentType"] == "text/plain"
    assert got["ContentLength"] == len(body)
    assert got["Metadata"] == {"color": "blue"}
    assert got["CacheControl"] == "max-age=60"
    assert got["AcceptRanges"] == "bytes"
    assert "StorageClass" not in got
    assert "VersionId" not in got

    head = s3.head_object(Bucket=bucket, Key="dir/a.txt")
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == etag
    assert isinstance(head["LastModified"], datetime)


def test_default_content_type_and_empty_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentLength"] == 0
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_overwrite_replaces_content(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    s3.put_object(Bucket=bucket, Key="k", Body=b"two-two")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two-two"


def test_missing_key_and_head_404(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="nope")
    assert error_of(exc)[:2] == (404, "NoSuchKey")
    assert exc.value.response["Error"]["Key"] == "nope"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="nope")
    assert error_of(exc)[0] == 404


def test_missing_bucket(s3: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket="no-such-bucket-nimbus-xyz", Key="k", Body=b"x")
    assert error_of(exc)[:2] == (404, "NoSuchBucket")


def test_ranges(s3: Any, bucket: str) -> None:
    body = bytes(range(256)) * 4  # 1024 bytes
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert got["Body"].read() == body[10:20]
    assert got["ContentRange"] == "bytes 10-19/1024"
    assert got["ContentLength"] == 10
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")
    assert got["Body"].read() == body[1000:]
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=-5")
    assert got["Body"].read() == body[-5:]
    assert got["ContentRange"] == "bytes 1019-1023/1024"
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-5000")
    assert got["ContentRange"] == "bytes 1000-1023/1024"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=1024-")
    assert error_of(exc)[:2] == (416, "InvalidRange")
    assert exc.value.response["Error"]["ActualObjectSize"] == "1024"
    # A malformed range is ignored: the whole object.
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=abc")
    assert got["Body"].read() == body


def test_conditional_get(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="c", Body=b"cond")
    head = s3.head_object(Bucket=bucket, Key="c")
    etag, modified = head["ETag"], head["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"cond"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert error_of(exc)[:2] == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert error_of(exc)[0] == 304
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified)
    assert error_of(exc)[0] == 304
    before = modified - timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=before)["ETag"] == etag
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=before)
    assert error_of(exc)[0] == 412
    # If-Match true wins over If-Unmodified-Since false; If-None-Match false over IMS.
    ok = s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=before)
    assert ok["ETag"] == etag
    ok = s3.get_object(Bucket=bucket, Key="c", IfNoneMatch='"zz"', IfModifiedSince=modified)
    assert ok["ETag"] == etag
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert error_of(exc)[0] == 304


def test_response_overrides(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket,
        Key="o",
        ResponseContentType="application/json",
        ResponseContentDisposition="attachment; filename=o.json",
        ResponseCacheControl="no-cache",
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "attachment; filename=o.json"
    assert got["CacheControl"] == "no-cache"


def test_content_md5(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="m", Body=b"original")
    ok = s3.put_object(Bucket=bucket, Key="m2", Body=b"abc", ContentMD5=md5_b64(b"abc"))
    assert ok["ETag"] == f'"{hashlib.md5(b"abc").hexdigest()}"'
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"changed", ContentMD5=md5_b64(b"other"))
    assert error_of(exc) == (
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"original"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"changed", ContentMD5="not-base64!")
    assert error_of(exc)[:2] == (400, "InvalidDigest")
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"original"


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])
def test_checksum_headers(s3: Any, bucket: str, algorithm: str) -> None:
    body = os.urandom(300)
    value = checksums.checksum_b64(algorithm, body)
    member = "Checksum" + algorithm
    put = s3.put_object(Bucket=bucket, Key="ck", Body=body, **{member: value})
    assert put[member] == value
    got = s3.get_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got[member] == value
    assert got["ChecksumType"] == "FULL_OBJECT"
    wrong = checksums.checksum_b64(algorithm, body + b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="ck", Body=b"other", **{member: wrong})
    assert error_of(exc) == (
        400,
        "BadDigest",
        f"The {algorithm} you specified did not match the calculated checksum.",
    )
    assert s3.get_object(Bucket=bucket, Key="ck")["Body"].read() == body


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])
def test_checksum_algorithm_sdk(s3: Any, bucket: str, algorithm: str) -> None:
    """boto3 computes the checksum itself (header over http, trailer over aws-chunked)."""
    body = os.urandom(1000)
    put = s3.put_object(Bucket=bucket, Key="sdk", Body=body, ChecksumAlgorithm=algorithm)
    expected = checksums.checksum_b64(algorithm, body)
    assert put["Checksum" + algorithm] == expected
    head = s3.head_object(Bucket=bucket, Key="sdk", ChecksumMode="ENABLED")
    assert head["Checksum" + algorithm] == expected


def test_default_checksum_is_crc64nvme(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    """Without any checksum from the client, S3 stores a CRC64NVME of its own."""
    plain = s3_client(s3_cloud.endpoint, request_checksum_calculation="when_required")
    body = b"no checksum asked"
    plain.put_object(Bucket=bucket, Key="d", Body=body)
    head = s3.head_object(Bucket=bucket, Key="d", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == checksums.checksum_b64("CRC64NVME", body)
    ranged = s3.get_object(Bucket=bucket, Key="d", Range="bytes=0-1", ChecksumMode="ENABLED")
    assert "ChecksumCRC64NVME" not in ranged


def test_invalid_checksum_value(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="x", Body=b"x", ChecksumCRC32="!!!")
    assert error_of(exc) == (
        400,
        "InvalidRequest",
        "Value for x-amz-checksum-crc32 header is invalid.",
    )


def test_key_too_long(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(exc) == (400, "KeyTooLongError", "Your key is too long")
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"x")


def test_storage_class(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"x", StorageClass="FANCY")
    assert error_of(exc)[:2] == (400, "InvalidStorageClass")


def test_tagging_header(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    too_many = "&".join(f"k{i}=v" for i in range(11))
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="t2", Body=b"x", Tagging=too_many)
    assert error_of(exc)[:2] == (400, "InvalidTag")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="t2", Body=b"x", Tagging="k=" + "v" * 257)
    assert error_of(exc)[:2] == (400, "InvalidTag")


def test_conditional_writes(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="w", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="w", Body=b"second", IfNoneMatch="*")
    assert error_of(exc)[:2] == (412, "PreconditionFailed")
    etag = s3.head_object(Bucket=bucket, Key="w")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="w", Body=b"second", IfMatch='"abc"')
    assert error_of(exc)[:2] == (412, "PreconditionFailed")
    s3.put_object(Bucket=bucket, Key="w", Body=b"second", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="w")["Body"].read() == b"second"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="missing", Body=b"x", IfMatch=etag)
    assert error_of(exc)[:2] == (404, "NoSuchKey")


def test_delete_object_and_missing(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    out = s3.delete_object(Bucket=bucket, Key="d")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "DeleteMarker" not in out
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="d")
    again = s3.delete_object(Bucket=bucket, Key="d")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_objects(s3: Any, bucket: str) -> None:
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"b{i}", Body=b"x")
    out = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "b0"}, {"Key": "b1"}, {"Key": "never"}]},
    )
    assert sorted(d["Key"] for d in out["Deleted"]) == ["b0", "b1", "never"]
    assert "Errors" not in out
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b2"}], "Quiet": True})
    assert "Deleted" not in quiet
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == []
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)]}
        )
    assert error_of(exc)[:2] == (400, "MalformedXML")


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="src", Body=b"copy me", Metadata={"a": "1"}, ContentType="text/x"
    )
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    etag = f'"{hashlib.md5(b"copy me").hexdigest()}"'
    assert out["CopyObjectResult"]["ETag"] == etag
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"a": "1"}
    assert got["ContentType"] == "text/x"
    s3.copy_object(
        Bucket=bucket,
        Key="dst2",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
    )
    got = s3.head_object(Bucket=bucket, Key="dst2")
    assert got["Metadata"] == {"b": "2"}
    assert got["ContentType"] == "binary/octet-stream"
    # A key needing URL encoding.
    s3.put_object(Bucket=bucket, Key="with space/ü+?.txt", Body=b"odd")
    s3.copy_object(
        Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "with space/ü+?.txt"}
    )
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"odd"


def test_copy_onto_itself(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="self", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidRequest")
    assert message.startswith("This copy request is illegal because it is trying to copy")
    s3.copy_object(
        Bucket=bucket,
        Key="self",
        CopySource={"Bucket": bucket, "Key": "self"},
        MetadataDirective="REPLACE",
        Metadata={"new": "yes"},
    )
    assert s3.head_object(Bucket=bucket, Key="self")["Metadata"] == {"new": "yes"}


def test_copy_conditions_and_cross_bucket(s3: Any, bucket: str) -> None:
    other = bucket + "-2"
    s3.create_bucket(Bucket=other)
    try:
        s3.put_object(Bucket=bucket, Key="s", Body=b"data")
        etag = s3.head_object(Bucket=bucket, Key="s")["ETag"]
        with pytest.raises(ClientError) as exc:
            s3.copy_object(
                Bucket=other,
                Key="d",
                CopySource={"Bucket": bucket, "Key": "s"},
                CopySourceIfMatch='"nope"',
            )
        assert error_of(exc)[:2] == (412, "PreconditionFailed")
        with pytest.raises(ClientError) as exc:
            s3.copy_object(
                Bucket=other,
                Key="d",
                CopySource={"Bucket": bucket, "Key": "s"},
                CopySourceIfNoneMatch=etag,
            )
        assert error_of(exc)[0] == 412
        s3.copy_object(
            Bucket=other, Key="d", CopySource={"Bucket": bucket, "Key": "s"}, CopySourceIfMatch=etag
        )
        assert s3.get_object(Bucket=other, Key="d")["Body"].read() == b"data"
        with pytest.raises(ClientError) as exc:
            s3.copy_object(Bucket=other, Key="d", CopySource={"Bucket": bucket, "Key": "zz"})
        assert error_of(exc)[:2] == (404, "NoSuchKey")
    finally:
        s3.delete_object(Bucket=other, Key="d")
        s3.delete_bucket(Bucket=other)


def test_get_object_attributes(s3: Any, bucket: str) -> None:
    body = b"attributes"
    s3.put_object(
        Bucket=bucket, Key="a", Body=body, ChecksumSHA256=checksums.checksum_b64("SHA256", body)
    )
    out = s3.get_object_attributes(
        Bucket=bucket, Key="a", ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass"]
    )
    assert out["ETag"] == hashlib.md5(body).hexdigest()
    assert out["ObjectSize"] == len(body)
    assert out["StorageClass"] == "STANDARD"
    assert out["Checksum"]["ChecksumSHA256"] == checksums.checksum_b64("SHA256", body)


def test_multi_mib_streaming(s3: Any, bucket: str) -> None:
    """Several chunks (1 MiB each by default): streamed in, streamed out, ranges across."""
    body = os.urandom(3 * 1024 * 1024 + 12345)
    s3.put_object(Bucket=bucket, Key="big", Body=body)
    got = s3.get_object(Bucket=bucket, Key="big")
    assert hashlib.md5(got["Body"].read()).digest() == hashlib.md5(body).digest()
    start, end = 1024 * 1024 - 10, 2 * 1024 * 1024 + 10
    part = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={start}-{end}")["Body"].read()
    assert part == body[start : end + 1]


def test_last_modified_is_recent(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="lm", Body=b"x")
    modified = s3.head_object(Bucket=bucket, Key="lm")["LastModified"]
    assert abs((datetime.now(UTC) - modified).total_seconds()) < 60
    time.sleep(0)


def _force_trailer(params: dict[str, Any], **_: Any) -> None:
    """botocore sends trailing checksums only over TLS; force them over plain HTTP."""
    algorithm = params["context"].get("checksum", {}).get("request_algorithm")
    if isinstance(algorithm, dict):
        algorithm["in"] = "trailer"


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA256", "CRC64NVME"])
def test_trailing_checksum(s3_cloud: S3Cloud, bucket: str, algorithm: str) -> None:
    """aws-chunked with x-amz-checksum-* in the trailer (what boto3 sends over HTTPS)."""
    client = s3_client(s3_cloud.endpoint)
    client.meta.events.register("before-call.s3.PutObject", _force_trailer)
    body = os.urandom(5000)
    put = client.put_object(Bucket=bucket, Key="tr", Body=body, ChecksumAlgorithm=algorithm)
    expected = checksums.checksum_b64(algorithm, body)
    assert put["Checksum" + algorithm] == expected
    got = client.get_object(Bucket=bucket, Key="tr", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got["Checksum" + algorithm] == expected


def test_wrong_trailing_checksum(
    s3_cloud: S3Cloud, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trailer that does not match the body: BadDigest, and the old object stays."""
    from botocore import httpchecksum

    class WrongCrc32(httpchecksum.Crc32Checksum):  # type: ignore[misc]
        def digest(self) -> bytes:
            return b"\x00\x00\x00\x01"

    client = s3_client(s3_cloud.endpoint)
    client.put_object(Bucket=bucket, Key="tw", Body=b"keep me")
    monkeypatch.setitem(httpchecksum._CHECKSUM_CLS, "crc32", WrongCrc32)
    client.meta.events.register("before-call.s3.PutObject", _force_trailer)
    with pytest.raises(ClientError) as exc:
        client.put_object(Bucket=bucket, Key="tw", Body=b"replace", ChecksumAlgorithm="CRC32")
    assert error_of(exc) == (
        400,
        "BadDigest",
        "The CRC32 you specified did not match the calculated checksum.",
    )
    monkeypatch.undo()
    assert client.get_object(Bucket=bucket, Key="tw")["Body"].read() == b"keep me"


def test_archived_object_not_readable(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"ice", StorageClass="GLACIER")
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "GLACIER"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(exc)[:2] == (403, "InvalidObjectState")


def test_system_headers_roundtrip(s3: Any, bucket: str) -> None:
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    s3.put_object(
        Bucket=bucket,
        Key="h",
        Body=b"x",
        Expires=expires,
        ContentDisposition="inline",
        ContentEncoding="identity",
        ContentLanguage="en",
        WebsiteRedirectLocation="/other",
    )
    got = s3.get_object(Bucket=bucket, Key="h")
    assert got["Expires"] == expires
    assert got["ContentDisposition"] == "inline"
    assert got["ContentEncoding"] == "identity"
    assert got["ContentLanguage"] == "en"
    assert got["WebsiteRedirectLocation"] == "/other"


def test_not_modified_carries_validators(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="nm", Body=b"x")
    etag = s3.head_object(Bucket=bucket, Key="nm")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="nm", IfNoneMatch=etag)
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert headers.get("etag") == etag
    assert headers.get("last-modified", "").endswith("GMT")


def test_part_number_on_a_simple_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="p", Body=b"whole")
    got = s3.get_object(Bucket=bucket, Key="p", PartNumber=1)
    assert got["Body"].read() == b"whole"
    assert "PartsCount" not in got
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="p", PartNumber=2)
    assert error_of(exc)[:2] == (416, "InvalidPartNumber")


def test_a_copy_source_without_bucket_and_key_is_invalid_argument(s3: Any, bucket: str) -> None:
    # The gateway cannot name the source object to authorize it, so it answers as S3 does.
    for source in ("no-slash-at-all", "/just-a-bucket"):
        with pytest.raises(ClientError) as exc:
            s3.copy_object(Bucket=bucket, Key="target", CopySource=source)
        assert error_of(exc)[:2] == (400, "InvalidArgument")
        assert "sourcebucket/sourcekey" in error_of(exc)[2]
