"""Input PostgreSQL cannot store (NUL characters) gets S3 errors, never an internal error."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.s3.conftest import S3Cloud


def test_a_key_with_a_nul_character_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    calls: list[Callable[[], Any]] = [
        lambda: s3.put_object(Bucket=bucket, Key="bad\x00key", Body=b"x"),
        lambda: s3.get_object(Bucket=bucket, Key="bad\x00key"),
        lambda: s3.list_objects_v2(Bucket=bucket, Prefix="\x00"),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "InvalidArgument"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["kept"]


def test_an_anonymous_request_for_a_nul_bucket_is_no_such_bucket(s3_cloud: S3Cloud) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{s3_cloud.endpoint}/%00", timeout=30)
    assert caught.value.code == 404
    assert b"<Code>NoSuchBucket</Code>" in caught.value.read()
