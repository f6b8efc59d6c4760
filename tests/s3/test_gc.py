"""The blob collector: bytes of overwritten and deleted objects disappear (the test cloud
runs it every second with a two-second grace); live objects keep theirs."""

from __future__ import annotations

import os
import time
from typing import Any

from tests.s3.conftest import S3Cloud
from tests.s3.test_objects_versions import _db


def _blob_ids(cloud: S3Cloud, pg_server: str, bucket: str, key: str) -> list[Any]:
    rows = _db(
        cloud,
        pg_server,
        "SELECT unnest(blob_ids) AS id FROM s3_objects WHERE bucket = $1 AND key = $2",
        bucket,
        key,
    )
    return [row["id"] for row in rows]


def _chunks(cloud: S3Cloud, pg_server: str, blob_ids: list[Any]) -> int:
    rows = _db(
        cloud,
        pg_server,
        "SELECT count(*) AS n FROM s3_blob_chunks WHERE blob_id = ANY($1::uuid[])",
        blob_ids,
    )
    return int(rows[0]["n"])


def _blobs(cloud: S3Cloud, pg_server: str, blob_ids: list[Any]) -> int:
    rows = _db(
        cloud,
        pg_server,
        "SELECT count(*) AS n FROM s3_blobs WHERE id = ANY($1::uuid[])",
        blob_ids,
    )
    return int(rows[0]["n"])


def _wait_gone(cloud: S3Cloud, pg_server: str, blob_ids: list[Any], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _blobs(cloud, pg_server, blob_ids) == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"blobs {blob_ids} were not collected within {timeout}s")


def test_overwritten_object_chunks_are_collected(
    s3: Any, s3_cloud: S3Cloud, pg_server: str, bucket: str
) -> None:
    old_body = os.urandom(2 * 1024 * 1024 + 7)  # three chunks
    s3.put_object(Bucket=bucket, Key="k", Body=old_body)
    old = _blob_ids(s3_cloud, pg_server, bucket, "k")
    assert len(old) == 1
    assert _chunks(s3_cloud, pg_server, old) == 3
    s3.put_object(Bucket=bucket, Key="k", Body=b"new")
    new = _blob_ids(s3_cloud, pg_server, bucket, "k")
    assert new != old
    _wait_gone(s3_cloud, pg_server, old)
    assert _chunks(s3_cloud, pg_server, old) == 0
    # The live object's bytes are untouched, even after further passes.
    time.sleep(3)
    assert _blobs(s3_cloud, pg_server, new) == 1
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"new"


def test_deleted_object_and_failed_upload_are_collected(
    s3: Any, s3_cloud: S3Cloud, pg_server: str, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="gone", Body=b"bytes")
    blob = _blob_ids(s3_cloud, pg_server, bucket, "gone")
    s3.put_object(Bucket=bucket, Key="copy", Body=b"shared")
    s3.copy_object(Bucket=bucket, Key="copy2", CopySource={"Bucket": bucket, "Key": "copy"})
    shared = _blob_ids(s3_cloud, pg_server, bucket, "copy")
    assert shared == _blob_ids(s3_cloud, pg_server, bucket, "copy2")  # no byte copy
    s3.delete_object(Bucket=bucket, Key="gone")
    s3.delete_object(Bucket=bucket, Key="copy")
    _wait_gone(s3_cloud, pg_server, blob)
    # Still referenced by the copy: kept.
    assert _blobs(s3_cloud, pg_server, shared) == 1
    assert s3.get_object(Bucket=bucket, Key="copy2")["Body"].read() == b"shared"
