"""S3 checksums against known vectors and botocore's own implementations."""

from __future__ import annotations

import base64
import os

import pytest
from botocore.httpchecksum import (
    Crc32Checksum,
    CrtCrc32cChecksum,
    CrtCrc64NvmeChecksum,
    Sha1Checksum,
    Sha256Checksum,
)
from nimbus_s3 import checksums

ORACLES = {
    "CRC32": Crc32Checksum,
    "CRC32C": CrtCrc32cChecksum,
    "CRC64NVME": CrtCrc64NvmeChecksum,
    "SHA1": Sha1Checksum,
    "SHA256": Sha256Checksum,
}


def oracle(algorithm: str, data: bytes) -> str:
    checksum = ORACLES[algorithm]()
    checksum.update(data)
    return str(checksum.b64digest())


@pytest.mark.parametrize("algorithm", list(ORACLES))
def test_matches_botocore(algorithm: str) -> None:
    for data in (b"", b"hello world", os.urandom(70_001)):
        assert checksums.checksum_b64(algorithm, data) == oracle(algorithm, data)


def test_known_vectors() -> None:
    # The classic check values of "123456789".
    data = b"123456789"
    assert checksums.hasher("CRC32").digest().hex() == "00000000"
    crc32 = checksums.hasher("CRC32")
    crc32.update(data)
    assert crc32.digest().hex() == "cbf43926"
    crc32c = checksums.hasher("CRC32C")
    crc32c.update(data)
    assert crc32c.digest().hex() == "e3069283"
    crc64 = checksums.hasher("CRC64NVME")
    crc64.update(data)
    assert crc64.digest().hex() == "ae8b14860a799888"


def test_streaming_equals_whole() -> None:
    data = os.urandom(10_000)
    for algorithm in checksums.ALGORITHMS:
        h = checksums.hasher(algorithm)
        for i in range(0, len(data), 333):
            h.update(data[i : i + 333])
        assert checksums.b64(h.digest()) == checksums.checksum_b64(algorithm, data)


@pytest.mark.parametrize("algorithm", checksums.CRC_ALGORITHMS)
def test_full_object_combination(algorithm: str) -> None:
    parts = [os.urandom(n) for n in (5 * 1024 * 1024, 1, 0, 12345, 7)]
    combined = checksums.full_object(
        algorithm, [(checksums.checksum_b64(algorithm, p), len(p)) for p in parts]
    )
    assert combined == checksums.checksum_b64(algorithm, b"".join(parts))


def test_composite_checksum() -> None:
    parts = [b"a" * 10, b"b" * 20, b"c"]
    values = [checksums.checksum_b64("SHA256", p) for p in parts]
    raw = b"".join(base64.b64decode(v) for v in values)
    expected = checksums.checksum_b64("SHA256", raw) + "-3"
    assert checksums.composite("SHA256", values) == expected


def test_full_object_rejects_non_crc_and_bad_values() -> None:
    with pytest.raises(ValueError):
        checksums.full_object("SHA256", [("AAAA", 1)])
    with pytest.raises(ValueError):
        checksums.full_object("CRC32", [("not base64!", 1)])
    assert checksums.unb64("!!") is None
