"""Pure object logic: ranges, ETag matching, copy sources, tags, chunking, SSE-C checks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator

import pytest
from nimbus_core.errors import AwsError
from nimbus_s3.blobs import rechunk, spans
from nimbus_s3.object_copy import parse_copy_source
from nimbus_s3.object_inputs import check_key, sse_c, tagging_header
from nimbus_s3.object_reads import etag_matches, parse_range
from nimbus_s3.versions import new_version_id, valid_version_id


def test_parse_range() -> None:
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-4", 10) == (0, 5)
    assert parse_range("bytes=5-", 10) == (5, 10)
    assert parse_range("bytes=-3", 10) == (7, 10)
    assert parse_range("bytes=-30", 10) == (0, 10)
    assert parse_range("bytes=8-100", 10) == (8, 10)
    assert parse_range("bytes=5-2", 10) is None  # invalid: ignored
    assert parse_range("bytes=0-1,3-4", 10) is None  # several ranges: ignored
    assert parse_range("items=0-1", 10) is None
    for header in ("bytes=10-", "bytes=10-20", "bytes=-0"):
        with pytest.raises(AwsError) as exc:
            parse_range(header, 10)
        assert exc.value.http_status == 416
        assert exc.value.extra["ActualObjectSize"] == 10
    with pytest.raises(AwsError):
        parse_range("bytes=0-", 0)


def test_etag_matches() -> None:
    etag = '"abc"'
    assert etag_matches('"abc"', etag)
    assert etag_matches("abc", etag)
    assert etag_matches('"x", "abc"', etag)
    assert etag_matches("*", etag)
    assert etag_matches('W/"abc"', etag)
    assert not etag_matches('"abd"', etag)


def test_parse_copy_source() -> None:
    assert parse_copy_source("b/k") == ("b", "k", None)
    assert parse_copy_source("/b/dir/k%20x") == ("b", "dir/k x", None)
    assert parse_copy_source("b/a%3Fb?versionId=v1") == ("b", "a?b", "v1")
    for bad in ("b", "/b/", "b/"):
        with pytest.raises(AwsError) as exc:
            parse_copy_source(bad)
        assert exc.value.code == "InvalidArgument"


def test_tagging_header() -> None:
    assert tagging_header("a=1&b=two%20words&c=") == {"a": "1", "b": "two words", "c": ""}
    with pytest.raises(AwsError) as exc:
        tagging_header("a=1&a=2")
    assert exc.value.code == "InvalidTag"
    with pytest.raises(AwsError) as exc:
        tagging_header("&".join(f"k{i}=v" for i in range(11)))
    assert exc.value.message == "Object tags cannot be greater than 10"
    with pytest.raises(AwsError):
        tagging_header("k" * 129 + "=v")


def test_key_length() -> None:
    check_key("é" * 512)  # 1024 bytes
    with pytest.raises(AwsError) as exc:
        check_key("é" * 512 + "x")
    assert exc.value.code == "KeyTooLongError"


def test_sse_c_validation() -> None:
    key = b"k" * 32
    good = {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(key).decode(),
        "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }
    assert sse_c(good) == {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKeyMD5": good["SSECustomerKeyMD5"],
    }
    assert sse_c({}) is None
    with pytest.raises(AwsError) as exc:
        sse_c({**good, "SSECustomerAlgorithm": "AES128"})
    assert exc.value.code == "InvalidEncryptionAlgorithmError"
    with pytest.raises(AwsError) as exc:
        sse_c({**good, "SSECustomerKey": base64.b64encode(b"short").decode()})
    assert exc.value.message == "The secret key was invalid for the specified algorithm."
    with pytest.raises(AwsError) as exc:
        sse_c({**good, "SSECustomerKeyMD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
    assert exc.value.code == "InvalidArgument"


def test_version_ids() -> None:
    ids = {new_version_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(v) == 32 and valid_version_id(v) for v in ids)
    assert valid_version_id("null")
    assert not valid_version_id("bogus")


def test_spans() -> None:
    assert spans([10, 5, 0, 7], 0, 22) == [(0, 0, 10), (1, 0, 5), (3, 0, 7)]
    assert spans([10, 5, 7], 8, 12) == [(0, 8, 10), (1, 0, 2)]
    assert spans([10], 3, 3) == []


def test_rechunk() -> None:
    async def source() -> AsyncIterator[bytes]:
        for piece in (b"ab", b"", b"cdefg", b"h", b"ijklmnopq"):
            yield piece

    async def collect() -> list[bytes]:
        return [chunk async for chunk in rechunk(source(), 4)]

    assert asyncio.run(collect()) == [b"abcd", b"efgh", b"ijkl", b"mnop", b"q"]
