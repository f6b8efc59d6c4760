"""Multipart uploads through boto3: the happy path and S3's errors for bad part lists."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from botocore.exceptions import ClientError
from nimbus_core.settings import dsn_for
from nimbus_s3 import checksums

from tests.s3.conftest import S3Cloud

MIB = 1024 * 1024
PART1 = os.urandom(5 * MIB)
PART2 = os.urandom(1000)


def error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, dict[str, Any]]:
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response


def md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()


def crc32_b64(data: bytes) -> str:
    return checksums.checksum_b64("CRC32", data)


def test_two_part_upload_round_trip(s3: Any, bucket: str) -> None:
    created = s3.create_multipart_upload(
        Bucket=bucket,
        Key="big",
        ContentType="text/plain",
        Metadata={"Color": "blue"},
        Tagging="a=1",
    )
    upload_id = created["UploadId"]
    assert created["Bucket"] == bucket and created["Key"] == "big"
    assert created["ServerSideEncryption"] == "AES256"
    e1 = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=1, Body=PART1)
    e2 = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=2, Body=PART2)
    assert e1["ETag"] == f'"{hashlib.md5(PART1).hexdigest()}"'
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [(1, 5 * MIB), (2, 1000)]
    assert listed["IsTruncated"] is False and listed["StorageClass"] == "STANDARD"
    assert listed["Owner"]["ID"] == hashlib.sha256(b"nimbus-canonical:000000000000").hexdigest()
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("big", upload_id)]
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": e1["ETag"]},
                {"PartNumber": 2, "ETag": e2["ETag"]},
            ]
        },
    )
    expected = hashlib.md5(md5(PART1) + md5(PART2)).hexdigest() + "-2"
    assert done["ETag"] == f'"{expected}"'
    # No checksum asked for: S3's default, a full-object CRC64NVME.
    assert done["ChecksumCRC64NVME"] == checksums.checksum_b64("CRC64NVME", PART1 + PART2)
    assert done["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["Body"].read() == PART1 + PART2
    assert got["ETag"] == f'"{expected}"' and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"color": "blue"}
    assert s3.get_object_tagging(Bucket=bucket, Key="big")["TagSet"] == [{"Key": "a", "Value": "1"}]
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    # A retried completion answers as the first one did.
    again = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1["ETag"]}]},
    )
    assert again["ETag"] == done["ETag"]
    # ...but the upload itself is gone.
    with pytest.raises(ClientError) as caught:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    assert error(caught)[:2] == (404, "NoSuchUpload")


def test_bad_part_lists(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"a")
    last = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"b")

    def complete(parts: list[dict[str, Any]]) -> tuple[int, str, dict[str, Any]]:
        with pytest.raises(ClientError) as caught:
            s3.complete_multipart_upload(
                Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        return error(caught)

    status, code, response = complete(
        [{"PartNumber": 1, "ETag": small["ETag"]}, {"PartNumber": 2, "ETag": last["ETag"]}]
    )
    assert (status, code) == (400, "EntityTooSmall")
    assert response["Error"]["Message"] == (
        "Your proposed upload is smaller than the minimum allowed size"
    )
    status, code, _ = complete(
        [{"PartNumber": 2, "ETag": last["ETag"]}, {"PartNumber": 1, "ETag": small["ETag"]}]
    )
    assert (status, code) == (400, "InvalidPartOrder")
    status, code, response = complete([{"PartNumber": 3, "ETag": last["ETag"]}])
    assert (status, code) == (400, "InvalidPart")
    assert response["Error"]["Message"].startswith(
        "One or more of the specified parts could not be found.  The part may not have been"
    )
    status, code, _ = complete([{"PartNumber": 1, "ETag": last["ETag"]}])
    assert (status, code) == (400, "InvalidPart")
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    assert error(caught)[:2] == (400, "MalformedXML")
    # Nothing became visible, and a single (last) small part completes fine.
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="k",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": last["ETag"]}]},
    )
    assert done["ETag"] == f'"{hashlib.md5(md5(b"b")).hexdigest()}-1"'
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"b"


def test_part_numbers_and_unknown_uploads(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    for number in (0, 10001):
        with pytest.raises(ClientError) as caught:
            s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=b"x")
        status, code, response = error(caught)
        assert (status, code) == (400, "InvalidArgument")
        assert response["Error"]["Message"] == (
            "Part number must be an integer between 1 and 10000, inclusive"
        )
    with pytest.raises(ClientError) as caught:
        s3.upload_part(Bucket=bucket, Key="k", UploadId="nope", PartNumber=1, Body=b"x")
    assert error(caught)[:2] == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as caught:
        s3.upload_part(Bucket=bucket, Key="other", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert error(caught)[:2] == (404, "NoSuchUpload")
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    calls: tuple[Callable[[], Any], ...] = (
        lambda: s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id),
        lambda: s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id),
        lambda: s3.complete_multipart_upload(
            Bucket=bucket,
            Key="k",
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]},
        ),
    )
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        assert error(caught)[:2] == (404, "NoSuchUpload")


def test_part_integrity_and_replacement(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as caught:
        s3.upload_part(
            Bucket=bucket,
            Key="k",
            UploadId=upload_id,
            PartNumber=1,
            Body=b"hello",
            ContentMD5=base64.b64encode(md5(b"other")).decode(),
        )
    assert error(caught)[:2] == (400, "BadDigest")
    with pytest.raises(ClientError) as caught:
        s3.upload_part(
            Bucket=bucket,
            Key="k",
            UploadId=upload_id,
            PartNumber=1,
            Body=b"hello",
            ChecksumCRC32=crc32_b64(b"other"),
        )
    assert error(caught)[:2] == (400, "BadDigest")
    assert "Parts" not in s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"first")
    second = s3.upload_part(
        Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"second"
    )
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, second["ETag"], 6)]


def test_composite_and_full_object_checksums(s3: Any, bucket: str) -> None:
    for kind in ("COMPOSITE", "FULL_OBJECT"):
        key = f"sum-{kind}"
        created = s3.create_multipart_upload(
            Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32", ChecksumType=kind
        )
        assert created["ChecksumAlgorithm"] == "CRC32" and created["ChecksumType"] == kind
        upload_id = created["UploadId"]
        parts = []
        for number, data in ((1, PART1), (2, PART2)):
            got = s3.upload_part(
                Bucket=bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=data,
                ChecksumAlgorithm="CRC32",
            )
            assert got["ChecksumCRC32"] == crc32_b64(data)
            parts.append(
                {"PartNumber": number, "ETag": got["ETag"], "ChecksumCRC32": got["ChecksumCRC32"]}
            )
        done = s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
        if kind == "COMPOSITE":
            raw = b"".join(base64.b64decode(p["ChecksumCRC32"]) for p in parts)
            assert done["ChecksumCRC32"] == crc32_b64(raw) + "-2"
        else:
            assert done["ChecksumCRC32"] == crc32_b64(PART1 + PART2)
        assert done["ChecksumType"] == kind
    with pytest.raises(ClientError) as caught:
        s3.create_multipart_upload(
            Bucket=bucket, Key="x", ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT"
        )
    assert error(caught)[:2] == (400, "InvalidRequest")


def test_upload_part_copy_with_range(s3: Any, bucket: str) -> None:
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    first = s3.upload_part_copy(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "source"},
        CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )["CopyPartResult"]
    second = s3.upload_part_copy(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        PartNumber=2,
        CopySource=f"{bucket}/source",
        CopySourceRange=f"bytes={6 * MIB - 10}-{6 * MIB - 1}",
    )["CopyPartResult"]
    assert first["ETag"] == f'"{hashlib.md5(source[: 5 * MIB]).hexdigest()}"'
    assert "LastModified" in second
    for bad in ("bytes=5-1", "0-2", "bytes=hello-world"):
        with pytest.raises(ClientError) as caught:
            s3.upload_part_copy(
                Bucket=bucket,
                Key="copy",
                UploadId=upload_id,
                PartNumber=3,
                CopySource=f"{bucket}/source",
                CopySourceRange=bad,
            )
        assert error(caught)[:2] == (400, "InvalidArgument")
    with pytest.raises(ClientError) as caught:
        s3.upload_part_copy(
            Bucket=bucket,
            Key="copy",
            UploadId=upload_id,
            PartNumber=3,
            CopySource=f"{bucket}/source",
            CopySourceRange=f"bytes=0-{6 * MIB}",
        )
    assert error(caught)[1] == "InvalidRange"
    with pytest.raises(ClientError) as caught:
        s3.upload_part_copy(
            Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=3, CopySource=f"{bucket}/nope"
        )
    assert error(caught)[:2] == (404, "NoSuchKey")
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": first["ETag"]},
                {"PartNumber": 2, "ETag": second["ETag"]},
            ]
        },
    )
    body = s3.get_object(Bucket=bucket, Key="copy")["Body"].read()
    assert body == source[: 5 * MIB] + source[-10:]


def test_conditional_completion(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="exists", Body=b"old")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="exists")["UploadId"]
    part = s3.upload_part(
        Bucket=bucket, Key="exists", UploadId=upload_id, PartNumber=1, Body=b"new"
    )
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="exists", UploadId=upload_id, MultipartUpload=parts, IfNoneMatch="*"
        )
    assert error(caught)[:2] == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="exists", UploadId=upload_id, MultipartUpload=parts, IfMatch='"x"'
        )
    assert error(caught)[:2] == (412, "PreconditionFailed")
    etag = s3.head_object(Bucket=bucket, Key="exists")["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket, Key="exists", UploadId=upload_id, MultipartUpload=parts, IfMatch=etag
    )
    assert s3.get_object(Bucket=bucket, Key="exists")["Body"].read() == b"new"


def test_list_multipart_uploads_paging_and_prefixes(s3: Any, bucket: str) -> None:
    created = []
    for key in ["a/1", "a/2", "b", "b", "c/x/y"]:
        created.append((key, s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]))
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in listed["Uploads"]] == created
    page = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in page["Uploads"]] == ["b", "b"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/", "c/"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3)
    assert page["IsTruncated"] is True and page["NextKeyMarker"] == "b"
    assert page["NextUploadIdMarker"] == created[2][1]
    rest = s3.list_multipart_uploads(
        Bucket=bucket, KeyMarker=page["NextKeyMarker"], UploadIdMarker=page["NextUploadIdMarker"]
    )
    assert [(u["Key"], u["UploadId"]) for u in rest["Uploads"]] == created[3:]
    page = s3.list_multipart_uploads(Bucket=bucket, Prefix="a/")
    assert [u["Key"] for u in page["Uploads"]] == ["a/1", "a/2"]
    for key, upload_id in created:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def test_list_parts_pagination(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="p")["UploadId"]
    for number in (1, 3, 5, 7):
        s3.upload_part(Bucket=bucket, Key="p", UploadId=upload_id, PartNumber=number, Body=b"x")
    page = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in page["Parts"]] == [1, 3]
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 3
    page = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload_id, MaxParts=2, PartNumberMarker=3)
    assert [p["PartNumber"] for p in page["Parts"]] == [5, 7] and page["IsTruncated"] is False
    assert page["PartNumberMarker"] == 3
    s3.abort_multipart_upload(Bucket=bucket, Key="p", UploadId=upload_id)


def _db(cloud: S3Cloud, pg_server: str, query: str, *args: Any) -> list[Any]:
    async def run() -> list[Any]:
        conn = await asyncpg.connect(dsn_for(pg_server, cloud.db_prefix + "s3"))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def test_parts_left_behind_are_collected(
    s3: Any, bucket: str, s3_cloud: S3Cloud, pg_server: str
) -> None:
    """Aborted uploads' parts and parts a completion leaves out become garbage."""
    aborted = s3.create_multipart_upload(Bucket=bucket, Key="a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="a", UploadId=aborted, PartNumber=1, Body=b"aborted")
    kept = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    used = s3.upload_part(Bucket=bucket, Key="k", UploadId=kept, PartNumber=1, Body=b"used")
    s3.upload_part(Bucket=bucket, Key="k", UploadId=kept, PartNumber=2, Body=b"left out")
    blobs = {
        row["upload_id"] + str(row["part_number"]): row["blob_id"]
        for row in _db(
            s3_cloud,
            pg_server,
            "SELECT upload_id, part_number, blob_id FROM s3_parts WHERE upload_id = ANY($1)",
            [aborted, kept],
        )
    }
    assert len(blobs) == 3
    s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=aborted)
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="k",
        UploadId=kept,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": used["ETag"]}]},
    )
    garbage = [blobs[aborted + "1"], blobs[kept + "2"]]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = _db(s3_cloud, pg_server, "SELECT id FROM s3_blobs WHERE id = ANY($1)", garbage)
        if not left:
            break
        time.sleep(0.5)
    assert not left
    assert _db(s3_cloud, pg_server, "SELECT id FROM s3_blobs WHERE id = $1", blobs[kept + "1"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"used"


def test_sse_c_parts_must_repeat_the_key(s3: Any, bucket: str) -> None:
    key_a, key_b = os.urandom(32), os.urandom(32)

    def sse(key: bytes) -> dict[str, Any]:
        return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}  # boto3 encodes it

    created = s3.create_multipart_upload(Bucket=bucket, Key="enc", **sse(key_a))
    upload_id = created["UploadId"]
    assert created["SSECustomerAlgorithm"] == "AES256"
    for extra in ({}, sse(key_b)):
        with pytest.raises(ClientError) as caught:
            s3.upload_part(
                Bucket=bucket, Key="enc", UploadId=upload_id, PartNumber=1, Body=b"x", **extra
            )
        assert error(caught)[:2] == (400, "InvalidRequest")
    part = s3.upload_part(
        Bucket=bucket, Key="enc", UploadId=upload_id, PartNumber=1, Body=b"secret", **sse(key_a)
    )
    assert part["SSECustomerAlgorithm"] == "AES256"
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="enc",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="enc", **sse(key_a))["Body"].read() == b"secret"
