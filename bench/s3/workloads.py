"""The measured S3 workloads: PutObject, GetObject and ListObjectsV2 by N concurrent clients.

Every client is a thread with a boto3 client of its own (as N users would have), working
for a fixed time; a run reports operations and bytes per second. PUTs overwrite a small
ring of keys per client so neither server accumulates gigabytes (moto keeps objects in
its own process).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

KEY_RING = 4  # keys each client cycles through when putting
READ_CHUNK = 1024 * 1024


def client(endpoint: str, pool: int = 2) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            retries={"max_attempts": 1},
            max_pool_connections=pool,
            s3={"addressing_style": "path"},
            connect_timeout=10,
            read_timeout=120,
        ),
    )


@dataclass
class Result:
    ops: int
    bytes: int
    seconds: float
    errors: int
    first_error: str = ""

    @property
    def ops_per_second(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    @property
    def mib_per_second(self) -> float:
        return self.bytes / self.seconds / (1024 * 1024) if self.seconds else 0.0


# One operation: (client, client index, sequence number) -> bytes moved.
Operation = Callable[[Any, int, int], int]


def run(
    endpoint: str, operation: Operation, clients: int, seconds: float, min_ops: int = 1
) -> Result:
    """`clients` threads repeat `operation` until `seconds` have passed (and min_ops done)."""
    s3 = [client(endpoint) for _ in range(clients)]
    lock = threading.Lock()
    totals = {"ops": 0, "bytes": 0, "errors": 0}
    errors: list[str] = []
    start = threading.Event()
    began = 0.0

    def work(index: int) -> None:
        start.wait()
        sequence = 0
        while True:
            with lock:
                if time.perf_counter() - began >= seconds and totals["ops"] >= min_ops:
                    return
            try:
                moved = operation(s3[index], index, sequence)
            except Exception as failure:  # counted and shown: a benchmark must not hide them
                with lock:
                    totals["errors"] += 1
                    errors.append(f"{type(failure).__name__}: {failure}")
                    if totals["errors"] > 20:
                        return
                continue
            finally:
                sequence += 1
            with lock:
                totals["ops"] += 1
                totals["bytes"] += moved

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(work, index) for index in range(clients)]
        began = time.perf_counter()
        start.set()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - began
    return Result(
        totals["ops"], totals["bytes"], elapsed, totals["errors"], errors[0] if errors else ""
    )


def putter(bucket: str, prefix: str, body: bytes) -> Operation:
    def put(s3: Any, index: int, sequence: int) -> int:
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{index}/{sequence % KEY_RING}", Body=body)
        return len(body)

    return put


def getter(bucket: str, keys: list[str]) -> Operation:
    def get(s3: Any, index: int, sequence: int) -> int:
        reply = s3.get_object(Bucket=bucket, Key=keys[(index + sequence) % len(keys)])
        moved = 0
        for chunk in reply["Body"].iter_chunks(READ_CHUNK):
            moved += len(chunk)
        return moved

    return get


def lister(bucket: str, prefix: str, expected: int) -> Operation:
    """One operation is one ListObjectsV2 page (1,000 keys); each client walks the whole
    listing over and over, checking that a full pass sees exactly `expected` keys."""
    cursors: dict[int, tuple[str | None, int]] = {}

    def list_page(s3: Any, index: int, sequence: int) -> int:
        token, seen = cursors.get(index, (None, 0))
        extra = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, **extra)
        seen += page.get("KeyCount", 0)
        if page.get("IsTruncated"):
            cursors[index] = (page["NextContinuationToken"], seen)
        else:
            cursors[index] = (None, 0)
            if seen != expected:
                raise AssertionError(f"a full listing saw {seen} keys, expected {expected}")
        return 0

    return list_page


def fill(endpoint: str, bucket: str, prefix: str, count: int, clients: int = 8) -> float:
    """Put `count` empty objects under prefix; returns the seconds it took."""
    s3 = [client(endpoint) for _ in range(clients)]

    def put_share(index: int) -> None:
        for n in range(index, count, clients):
            s3[index].put_object(Bucket=bucket, Key=f"{prefix}{n:05d}", Body=b"")

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(put_share, index) for index in range(clients)]:
            future.result()
    return time.perf_counter() - started
