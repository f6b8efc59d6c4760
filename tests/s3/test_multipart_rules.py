"""Pure multipart rules (no cloud): part numbers, part lists, ETags, ranges, checksum modes."""

from __future__ import annotations

import hashlib

import pytest
from nimbus_core.errors import AwsError
from nimbus_s3.multipart_rules import (
    copy_range,
    listed_parts,
    multipart_etag,
    new_upload_id,
    part_number,
    upload_checksum,
)


def code(call: object, *args: object) -> str:
    with pytest.raises(AwsError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.code


def test_part_numbers() -> None:
    assert part_number(1) == 1 and part_number("10000") == 10000
    for bad in (0, 10001, -1, None, "x", True):
        assert code(part_number, bad) == "InvalidArgument"


def test_part_lists() -> None:
    parts = listed_parts(
        {"Parts": [{"PartNumber": 1, "ETag": '"aa"'}, {"PartNumber": 3, "ETag": "bb"}]}, "u"
    )
    assert [(p.number, p.etag) for p in parts] == [(1, "aa"), (3, "bb")]
    assert code(listed_parts, {"Parts": []}, "u") == "MalformedXML"
    assert code(listed_parts, None, "u") == "MalformedXML"
    descending = {"Parts": [{"PartNumber": 2, "ETag": "a"}, {"PartNumber": 1, "ETag": "b"}]}
    assert code(listed_parts, descending, "u") == "InvalidPartOrder"
    repeated = {"Parts": [{"PartNumber": 1, "ETag": "a"}, {"PartNumber": 1, "ETag": "a"}]}
    assert code(listed_parts, repeated, "u") == "InvalidPartOrder"


def test_multipart_etag() -> None:
    a, b = hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest()
    expected = hashlib.md5(bytes.fromhex(a) + bytes.fromhex(b)).hexdigest()
    assert multipart_etag([f'"{a}"', b]) == f'"{expected}-2"'


def test_copy_ranges() -> None:
    assert copy_range(None, 10) == (0, 10)
    assert copy_range("bytes=2-4", 10) == (2, 5)
    for bad in ("bytes=4-2", "2-4", "bytes=a-b", "bytes=0-", "bytes=-3", "bytes=0-2,3-5"):
        assert code(copy_range, bad, 10) == "InvalidArgument"
    assert code(copy_range, "bytes=0-10", 10) == "InvalidRange"


def test_checksum_modes() -> None:
    assert upload_checksum({}) is None
    assert upload_checksum({"ChecksumAlgorithm": "CRC32"}) == {
        "algorithm": "CRC32",
        "type": "COMPOSITE",
    }
    assert upload_checksum({"ChecksumAlgorithm": "CRC64NVME"})["type"] == "FULL_OBJECT"  # type: ignore[index]
    bad = [
        {"ChecksumType": "COMPOSITE"},
        {"ChecksumAlgorithm": "SHA256", "ChecksumType": "FULL_OBJECT"},
        {"ChecksumAlgorithm": "CRC64NVME", "ChecksumType": "COMPOSITE"},
        {"ChecksumAlgorithm": "MD4"},
    ]
    for params in bad:
        assert code(upload_checksum, params) == "InvalidRequest"


def test_upload_ids_are_opaque_and_url_safe() -> None:
    ids = {new_upload_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.replace("-", "").replace("_", "").isalnum() for i in ids)
