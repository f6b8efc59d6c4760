"""S3's flexible checksums: streaming hashers, base64 digests, multipart combination.

S3 carries every checksum as the base64 of its big-endian digest. A multipart object's
checksum is either COMPOSITE (the checksum of the parts' concatenated digests, "-N") or, for
CRCs, FULL_OBJECT (the CRC of the whole byte stream, combined from the parts' CRCs with the
GF(2) shift math zlib uses in crc32_combine, so no byte is read twice).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from awscrt import checksums as crt

# Algorithms in the order S3's documentation lists them; the input/output member of each
# is "Checksum" + name (ChecksumCRC32, ...) and its header "x-amz-checksum-" + lower(name).
ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5")
CRC_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME")


class Hasher(Protocol):
    def update(self, data: bytes) -> None: ...

    def digest(self) -> bytes: ...


class _Crc:
    """A CRC from awscrt, fed incrementally."""

    def __init__(self, algorithm: str) -> None:
        self._fn = {"CRC32": crt.crc32, "CRC32C": crt.crc32c, "CRC64NVME": crt.crc64nvme}[algorithm]
        self._width = 8 if algorithm == "CRC64NVME" else 4
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = self._fn(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._width, "big")


class _Hash:
    def __init__(self, name: str) -> None:
        self._hash = hashlib.new(name)

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.digest()


def hasher(algorithm: str) -> Hasher:
    """A fresh streaming hasher for one of ALGORITHMS (KeyError for others)."""
    if algorithm in CRC_ALGORITHMS:
        return _Crc(algorithm)
    names = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512", "MD5": "md5"}
    return _Hash(names[algorithm])


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def unb64(value: str) -> bytes | None:
    """The raw digest of a base64 value, or None when it is not valid base64."""
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def digest_size(algorithm: str) -> int:
    return len(hasher(algorithm).digest())


def checksum_b64(algorithm: str, data: bytes) -> str:
    """The base64 checksum of a whole byte string (tests, small bodies)."""
    h = hasher(algorithm)
    h.update(data)
    return b64(h.digest())


def member(algorithm: str) -> str:
    """The input/output member name carrying this algorithm's value: ChecksumCRC32..."""
    return "Checksum" + algorithm


def header(algorithm: str) -> str:
    return "x-amz-checksum-" + algorithm.lower()


def composite(algorithm: str, part_digests_b64: Sequence[str]) -> str:
    """COMPOSITE multipart checksum: checksum of the concatenated raw part digests, "-N"."""
    h = hasher(algorithm)
    for value in part_digests_b64:
        raw = unb64(value)
        if raw is None:
            raise ValueError(f"not base64: {value!r}")
        h.update(raw)
    return f"{b64(h.digest())}-{len(part_digests_b64)}"


# Reflected polynomials of the three CRCs (all init ~0, xorout ~0, as zlib's crc32).
_POLY = {"CRC32": 0xEDB88320, "CRC32C": 0x82F63B78, "CRC64NVME": 0x9A6C9329AC4BC9B5}
_WIDTH = {"CRC32": 32, "CRC32C": 32, "CRC64NVME": 64}


@dataclass(frozen=True)
class _Gf2:
    """Arithmetic modulo a reflected CRC polynomial (zlib's multmodp/x2nmodp)."""

    poly: int
    width: int

    def mul(self, a: int, b: int) -> int:
        """a * b modulo the polynomial (reflected bit order)."""
        m = 1 << (self.width - 1)
        p = 0
        while True:
            if a & m:
                p ^= b
                if a & (m - 1) == 0:
                    break
            m >>= 1
            if m == 0:
                break
            b = (b >> 1) ^ self.poly if b & 1 else b >> 1
        return p

    def x8n(self, n: int) -> int:
        """x^(8n) modulo the polynomial: the shift that appends n zero bytes."""
        p = 1 << (self.width - 1)  # x^0
        power = 1 << (self.width - 2)  # x^1
        for _ in range(3):
            power = self.mul(power, power)  # x^8 after three squarings
        while n:
            if n & 1:
                p = self.mul(power, p)
            n >>= 1
            power = self.mul(power, power)
        return p


def crc_combine(algorithm: str, crc1: int, crc2: int, len2: int) -> int:
    """CRC of A+B from CRC(A), CRC(B) and len(B)."""
    gf = _Gf2(_POLY[algorithm], _WIDTH[algorithm])
    return gf.mul(gf.x8n(len2), crc1) ^ crc2


def full_object(algorithm: str, parts: Sequence[tuple[str, int]]) -> str:
    """FULL_OBJECT multipart checksum (CRCs only): combine the parts' (base64 CRC, size)."""
    if algorithm not in CRC_ALGORITHMS:
        raise ValueError(f"{algorithm} cannot be combined into a full-object checksum")
    width = _WIDTH[algorithm] // 8
    total = 0
    for value, size in parts:
        raw = unb64(value)
        if raw is None or len(raw) != width:
            raise ValueError(f"not a base64 {algorithm}: {value!r}")
        total = crc_combine(algorithm, total, int.from_bytes(raw, "big"), size)
    return b64(total.to_bytes(width, "big"))
