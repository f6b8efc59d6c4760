"""RestoreObject: archived objects are unreadable until restored, then readable until expiry."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response
    return response


def test_an_archived_object_is_readable_once_restored(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    refused = _error(lambda: s3.get_object(Bucket=bucket, Key="cold"))
    assert refused["Error"]["Code"] == "InvalidObjectState"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")

    first = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 2})
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 202
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["Restore"].startswith('ongoing-request="false", expiry-date="')
    assert head["StorageClass"] == "GLACIER"
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen"

    again = s3.restore_object(
        Bucket=bucket,
        Key="cold",
        RestoreRequest={"Days": 5, "GlacierJobParameters": {"Tier": "Bulk"}},
    )
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] != head["Restore"]


def test_restore_is_refused_for_objects_that_are_not_archived(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    refused = _error(
        lambda: s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    )
    assert refused["Error"]["Code"] == "InvalidObjectState"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_restore_input_errors(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="DEEP_ARCHIVE")
    missing = _error(
        lambda: s3.restore_object(Bucket=bucket, Key="absent", RestoreRequest={"Days": 1})
    )
    assert missing["Error"]["Code"] == "NoSuchKey"
    too_long = _error(
        lambda: s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 40000})
    )
    assert too_long["Error"]["Code"] == "InvalidArgument"
    assert _error(lambda: s3.get_object(Bucket=bucket, Key="cold"))["Error"]["Code"] == (
        "InvalidObjectState"
    )
