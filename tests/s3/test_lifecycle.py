"""The lifecycle reconciler really acts: the test cloud's lifecycle clock runs one day per
real second (NIMBUS_S3_LIFECYCLE_CLOCK_SCALE=86400) and passes every second."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError("condition not reached in time")


def keys(s3: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def rule(rule_id: str, filter_: dict[str, Any], **actions: Any) -> dict[str, Any]:
    return {"ID": rule_id, "Status": "Enabled", "Filter": filter_, **actions}


def test_expiration_deletes_matching_objects_only(s3: Any, bucket: str) -> None:
    for key in ["logs/a", "logs/b", "keep/a", "dated/a"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="expire=yes")
    s3.put_object(Bucket=bucket, Key="untagged", Body=b"x", Tagging="expire=no")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                rule("logs", {"Prefix": "logs/"}, Expiration={"Days": 4}),
                rule("tags", {"Tag": {"Key": "expire", "Value": "yes"}}, Expiration={"Days": 4}),
                rule("dated", {"Prefix": "dated/"}, Expiration={"Date": datetime(2020, 1, 1)}),
                {
                    "ID": "off",
                    "Status": "Disabled",
                    "Filter": {"Prefix": "keep/"},
                    "Expiration": {"Days": 1},
                },
            ]
        },
    )
    wait_for(lambda: keys(s3, bucket) == ["keep/a", "untagged"])
    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=bucket, Key="logs/a")
    assert caught.value.response["Error"]["Code"] == "404"
    # A fresh object is not expired until it is four (lifecycle) days old.
    s3.put_object(Bucket=bucket, Key="logs/new", Body=b"x")
    assert "logs/new" in keys(s3, bucket)
    wait_for(lambda: "logs/new" not in keys(s3, bucket))


def test_incomplete_uploads_are_aborted(s3: Any, bucket: str) -> None:
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                rule(
                    "abort",
                    {"Prefix": "up/"},
                    AbortIncompleteMultipartUpload={"DaysAfterInitiation": 4},
                )
            ]
        },
    )
    doomed = s3.create_multipart_upload(Bucket=bucket, Key="up/x")
    assert doomed["AbortRuleId"] == "abort" and "AbortDate" in doomed
    kept = s3.create_multipart_upload(Bucket=bucket, Key="other")
    assert "AbortRuleId" not in kept
    s3.upload_part(Bucket=bucket, Key="up/x", UploadId=doomed["UploadId"], PartNumber=1, Body=b"x")

    def remaining() -> list[str]:
        listed = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return [u["Key"] for u in listed]

    wait_for(lambda: remaining() == ["other"])
    with pytest.raises(ClientError) as caught:
        s3.list_parts(Bucket=bucket, Key="up/x", UploadId=doomed["UploadId"])
    assert caught.value.response["Error"]["Code"] == "NoSuchUpload"
    s3.abort_multipart_upload(Bucket=bucket, Key="other", UploadId=kept["UploadId"])


def test_versioned_expiration_noncurrent_and_delete_markers(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2", b"3", b"4"):
        s3.put_object(Bucket=bucket, Key="doc", Body=body)
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                rule(
                    "noncurrent",
                    {"Prefix": "doc"},
                    NoncurrentVersionExpiration={
                        "NoncurrentDays": 1,
                        "NewerNoncurrentVersions": 1,
                    },
                ),
                rule("expire", {"Prefix": "gone"}, Expiration={"Days": 2}),
                rule("markers", {"Prefix": "gone"}, Expiration={"ExpiredObjectDeleteMarker": True}),
            ]
        },
    )

    def versions(key: str) -> tuple[list[str], list[str]]:
        page = s3.list_object_versions(Bucket=bucket, Prefix=key)
        return (
            [v["VersionId"] for v in page.get("Versions", [])],
            [m["VersionId"] for m in page.get("DeleteMarkers", [])],
        )

    # doc: the current version and the newest noncurrent one stay.
    wait_for(lambda: len(versions("doc")[0]) == 2)
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"4"
    # gone: expired into a delete marker; the version it hid is noncurrent and stays (no
    # noncurrent rule for it), so the marker is not "expired" and stays too.
    wait_for(lambda: len(versions("gone")[1]) == 1)
    assert len(versions("gone")[0]) == 1
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="gone")
    # Remove the hidden version by hand: the marker is now alone and lifecycle removes it.
    s3.delete_object(Bucket=bucket, Key="gone", VersionId=versions("gone")[0][0])
    wait_for(lambda: versions("gone") == ([], []))
