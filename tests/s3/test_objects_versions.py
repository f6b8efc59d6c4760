"""Versioning semantics, delete markers, Object Lock and SSE-C through boto3."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from botocore.exceptions import ClientError
from nimbus_core.settings import dsn_for

from tests.s3.conftest import S3Cloud
from tests.s3.test_objects import error_of


def _db(cloud: S3Cloud, pg_server: str, query: str, *args: Any) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(dsn_for(pg_server, cloud.db_prefix + "s3"))
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def set_versioning(s3: Any, cloud: S3Cloud, pg_server: str, bucket: str, status: str) -> None:
    """PutBucketVersioning; straight to the row while that operation is not served yet."""
    try:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotImplemented":
            raise
        _db(
            cloud,
            pg_server,
            "UPDATE s3_buckets SET versioning = $2 WHERE name = $1",
            bucket,
            status,
        )


@pytest.fixture
def versioned(s3: Any, s3_cloud: S3Cloud, pg_server: str, bucket: str) -> str:
    set_versioning(s3, s3_cloud, pg_server, bucket, "Enabled")
    return bucket


def test_versions_and_delete_markers(s3: Any, versioned: str) -> None:
    b = versioned
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and len(v1) == 32
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"two"
    old = s3.get_object(Bucket=b, Key="k", VersionId=v1)
    assert old["Body"].read() == b"one"
    assert old["VersionId"] == v1

    deleted = s3.delete_object(Bucket=b, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=b, Key="k")
    assert error_of(exc)[:2] == (404, "NoSuchKey")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=b, Key="k", VersionId=marker)
    assert error_of(exc)[0] == 405
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=b, Key="k", VersionId=marker)
    assert error_of(exc)[:2] == (405, "MethodNotAllowed")
    # Old versions stay readable by id.
    assert s3.get_object(Bucket=b, Key="k", VersionId=v2)["Body"].read() == b"two"

    # Deleting the marker by id brings the key back.
    out = s3.delete_object(Bucket=b, Key="k", VersionId=marker)
    assert out["DeleteMarker"] is True and out["VersionId"] == marker
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"two"
    # Deleting the current version by id makes the previous one current.
    s3.delete_object(Bucket=b, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"one"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=b, Key="k", VersionId=v2)
    assert error_of(exc)[:2] == (404, "NoSuchVersion")


def test_delete_marker_headers_on_404(s3: Any, versioned: str) -> None:
    """GET/HEAD of a key whose latest version is a delete marker: 404 with
    x-amz-delete-marker: true and the marker's x-amz-version-id, as S3 sends them."""
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    for call in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as exc:
            call(Bucket=versioned, Key="k")
        headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert error_of(exc)[0] == 404
        assert headers.get("x-amz-delete-marker") == "true"
        assert headers.get("x-amz-version-id") == marker


def test_delete_marker_for_missing_key(s3: Any, versioned: str) -> None:
    out = s3.delete_object(Bucket=versioned, Key="never")
    assert out["DeleteMarker"] is True
    assert out["VersionId"]


def test_invalid_version_id(s3: Any, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="bogus")
    assert error_of(exc)[:2] == (400, "InvalidArgument")


def test_suspended_null_version(s3: Any, s3_cloud: S3Cloud, pg_server: str, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"unversioned")
    set_versioning(s3, s3_cloud, pg_server, bucket, "Enabled")
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    set_versioning(s3, s3_cloud, pg_server, bucket, "Suspended")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"suspended")
    assert put["VersionId"] == "null"
    # The pre-versioning object was the null version: replaced, not kept.
    null = s3.get_object(Bucket=bucket, Key="k", VersionId="null")
    assert null["Body"].read() == b"suspended"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"versioned"
    out = s3.delete_object(Bucket=bucket, Key="k")
    assert out["DeleteMarker"] is True and out["VersionId"] == "null"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(exc)[0] == 404
    # The null delete marker replaced the null object version.
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", VersionId="null")
    assert error_of(exc)[0] == 405
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"versioned"


def test_delete_objects_versioned(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="a", Body=b"x")["VersionId"]
    out = s3.delete_objects(
        Bucket=versioned,
        Delete={"Objects": [{"Key": "a"}, {"Key": "a", "VersionId": v1}, {"Key": "x" * 1100}]},
    )
    by_key = {(d["Key"], d.get("VersionId")): d for d in out["Deleted"]}
    marker = by_key[("a", None)]
    assert marker["DeleteMarker"] is True and marker["DeleteMarkerVersionId"]
    assert ("a", v1) in by_key
    assert [e["Code"] for e in out["Errors"]] == ["KeyTooLongError"]


@pytest.fixture
def locked_bucket(s3: Any) -> Iterator[str]:
    name = f"lock-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name


def test_object_lock_retention(s3: Any, locked_bucket: str) -> None:
    b = locked_bucket
    until = datetime.now(UTC) + timedelta(days=1)
    gov = s3.put_object(
        Bucket=b, Key="g", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until
    )["VersionId"]
    head = s3.head_object(Bucket=b, Key="g")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=b, Key="g", VersionId=gov)
    assert error_of(exc) == (
        403,
        "AccessDenied",
        "Access Denied because object protected by object lock.",
    )
    # A delete without version id only adds a marker: allowed.
    assert s3.delete_object(Bucket=b, Key="g")["DeleteMarker"] is True
    s3.delete_object(Bucket=b, Key="g", VersionId=gov, BypassGovernanceRetention=True)

    comp = s3.put_object(
        Bucket=b, Key="c", Body=b"x", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until
    )["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=b, Key="c", VersionId=comp, BypassGovernanceRetention=True)
    assert error_of(exc)[:2] == (403, "AccessDenied")


def test_object_lock_legal_hold(s3: Any, locked_bucket: str) -> None:
    b = locked_bucket
    hold = s3.put_object(Bucket=b, Key="h", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert s3.head_object(Bucket=b, Key="h")["ObjectLockLegalHoldStatus"] == "ON"
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=b, Key="h", VersionId=hold["VersionId"])
    assert error_of(exc)[:2] == (403, "AccessDenied")


def test_object_lock_bad_input(s3: Any, locked_bucket: str, bucket: str) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    with pytest.raises(ClientError) as exc:
        s3.put_object(
            Bucket=locked_bucket,
            Key="p",
            Body=b"x",
            ObjectLockMode="GOVERNANCE",
            ObjectLockRetainUntilDate=past,
        )
    assert error_of(exc)[:2] == (400, "InvalidArgument")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="p", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert error_of(exc)[:2] == (400, "InvalidRequest")


def test_default_retention_applies(s3: Any, locked_bucket: str) -> None:
    try:
        s3.put_object_lock_configuration(
            Bucket=locked_bucket,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NotImplemented":
            pytest.fail("PutObjectLockConfiguration is not served yet")
        raise
    version = s3.put_object(Bucket=locked_bucket, Key="d", Body=b"x")["VersionId"]
    head = s3.head_object(Bucket=locked_bucket, Key="d")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(hours=23)
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=locked_bucket, Key="d", VersionId=version)


KEY = os.urandom(32)
OTHER_KEY = os.urandom(32)


def sse_c(key: bytes) -> dict[str, str]:
    return {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(key).decode(),
        "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }


def test_sse_c(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="enc", Body=b"secret", **sse_c(KEY))
    assert put["SSECustomerAlgorithm"] == "AES256"
    assert "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="enc", **sse_c(KEY))
    assert got["Body"].read() == b"secret"
    assert got["SSECustomerKeyMD5"] == sse_c(KEY)["SSECustomerKeyMD5"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="enc")
    assert error_of(exc)[:2] == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="enc")
    assert error_of(exc)[0] == 400
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="enc", **sse_c(OTHER_KEY))
    assert error_of(exc)[0] == 403
    # A short key, or an MD5 that does not match.
    bad = sse_c(KEY)
    bad["SSECustomerKey"] = base64.b64encode(b"short").decode()
    bad["SSECustomerKeyMD5"] = base64.b64encode(hashlib.md5(b"short").digest()).decode()
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="enc2", Body=b"x", **bad)
    assert error_of(exc)[:2] == (400, "InvalidArgument")
    mismatched = sse_c(KEY)
    mismatched["SSECustomerKeyMD5"] = sse_c(OTHER_KEY)["SSECustomerKeyMD5"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="enc2", Body=b"x", **mismatched)
    assert error_of(exc) == (
        400,
        "InvalidArgument",
        "The calculated MD5 hash of the key did not match the hash that was provided.",
    )


def test_sse_kms_echoed(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"]
    assert s3.head_object(Bucket=bucket, Key="kms")["ServerSideEncryption"] == "aws:kms"
