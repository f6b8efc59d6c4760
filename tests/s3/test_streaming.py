"""A 1 GiB object streams through the gateway and the s3 service in bounded memory.

The body is made up on the fly as it is read (not even the client holds it), sent as one
signed PutObject, then read back with GetObject as a stream. Meanwhile a thread samples the
resident memory (VmRSS in /proc) of the gateway and both s3 replicas; none may grow by more
than a bounded amount over its size before the transfer. On the 2-core development machine,
unloaded, the whole test takes about 35 s; NIMBUS_TEST_S3_STREAM_MIB sets another size.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.s3.conftest import S3Cloud, s3_client

pytestmark = pytest.mark.system

MIB = 1024 * 1024
SIZE = int(os.environ.get("NIMBUS_TEST_S3_STREAM_MIB", "1024")) * MIB
MAX_GROWTH = 200 * MIB  # per process, over its resident size before the transfer


class GeneratedBody(io.RawIOBase):
    """SIZE bytes computed from their offset: 1 MiB of random bytes, stamped with the MiB's
    index, so each MiB differs. Seekable, so botocore can sign and checksum it first."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.position = 0
        self.base = os.urandom(MIB)
        self._cached: tuple[int, memoryview] = (-1, memoryview(b""))

    def block(self, index: int) -> memoryview:
        if self._cached[0] != index:  # readers ask for small pieces: build each MiB once
            self._cached = (index, memoryview(index.to_bytes(8, "big") + self.base[8:]))
        return self._cached[1]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        origin = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, origin + offset)
        return self.position

    def _next(self, size: int) -> memoryview:
        """Up to `size` bytes from the current position, at most to the end of its MiB."""
        left = self.size - self.position
        if left <= 0:
            return memoryview(b"")
        index, offset = divmod(self.position, MIB)
        wanted = left if size < 0 else min(size, left)
        piece = self.block(index)[offset : offset + wanted]
        self.position += len(piece)
        return piece

    def read(self, size: int | None = -1) -> bytes:
        return bytes(self._next(-1 if size is None else size))

    def readinto(self, buffer: Any) -> int:
        piece = self._next(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)

    def md5(self) -> str:
        digest = hashlib.md5()
        for index in range(-(-self.size // MIB)):
            digest.update(self.block(index)[: self.size - index * MIB])
        return digest.hexdigest()


class PeakRss:
    """Samples VmRSS of some processes every 20 ms; also the kernel's high-water mark, reset
    at the start through /proc/<pid>/clear_refs, to catch a spike between two samples."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.baseline = {name: self.read(pid, "VmRSS") for name, pid in pids.items()}
        self.peak = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def read(pid: int, field: str) -> int:
        text = Path(f"/proc/{pid}/status").read_text()
        found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
        assert found, f"no {field} for pid {pid}"
        return int(found.group(1)) * 1024

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for name, pid in self.pids.items():
                with contextlib.suppress(OSError):
                    self.peak[name] = max(self.peak[name], self.read(pid, "VmRSS"))

    def __enter__(self) -> PeakRss:
        for pid in self.pids.values():
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], self.read(pid, "VmHWM"))

    def growth(self) -> dict[str, int]:
        return {name: self.peak[name] - self.baseline[name] for name in self.pids}

    def report(self, what: str) -> str:
        return f"{what}: " + ", ".join(
            f"{name} {self.peak[name] / MIB:.0f} MiB peak (+{self.growth()[name] / MIB:.0f})"
            for name in self.pids
        )


def watched(cloud: S3Cloud) -> dict[str, int]:
    rows: list[dict[str, Any]] = cloud.status()["processes"]  # type: ignore[assignment]
    found = {
        f"{row['service']}-{row['replica']}": row["pid"]
        for row in rows
        if row["service"] in ("gateway", "s3")
    }
    assert len(found) == 3 and all(found.values()), rows
    return found


def test_a_1_gib_object_streams_up_and_down_in_bounded_memory(
    s3_cloud: S3Cloud, bucket: str
) -> None:
    client = s3_client(s3_cloud.endpoint, read_timeout=300)
    body = GeneratedBody(SIZE)
    expected_md5 = body.md5()

    started = time.monotonic()
    with PeakRss(watched(s3_cloud)) as upload:
        put = client.put_object(Bucket=bucket, Key="huge.bin", Body=body)
    put_seconds = time.monotonic() - started
    print(f"\nPUT {SIZE // MIB} MiB in {put_seconds:.1f}s; " + upload.report("during PUT"))
    assert put["ETag"] == f'"{expected_md5}"'

    head = client.head_object(Bucket=bucket, Key="huge.bin")
    assert head["ContentLength"] == SIZE

    started = time.monotonic()
    digest, received = hashlib.md5(), 0
    with PeakRss(watched(s3_cloud)) as download:
        reply = client.get_object(Bucket=bucket, Key="huge.bin")
        for chunk in reply["Body"].iter_chunks(MIB):
            digest.update(chunk)
            received += len(chunk)
    get_seconds = time.monotonic() - started
    print(f"GET {SIZE // MIB} MiB in {get_seconds:.1f}s; " + download.report("during GET"))
    assert received == SIZE
    assert digest.hexdigest() == expected_md5

    too_big = {
        f"{phase} {name}": f"+{grown / MIB:.0f} MiB"
        for phase, rss in (("PUT", upload), ("GET", download))
        for name, grown in rss.growth().items()
        if grown > MAX_GROWTH
    }
    assert not too_big, f"resident memory grew beyond {MAX_GROWTH // MIB} MiB: {too_big}"
    client.delete_object(Bucket=bucket, Key="huge.bin")
