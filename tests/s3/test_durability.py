"""Durability: kill -9 s3 replicas in the middle of 200 concurrent PUTs.

A PUT's 200 means committed: after the supervisor has restarted the killed processes every
PUT that got a 200 reads back byte for byte, and no key is half-written -- a GET answers
404 or the complete bytes of one of the PUTs attempted for that key, and listings agree.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import S3Cloud, s3_client

pytestmark = pytest.mark.system

KIB, MIB = 1024, 1024 * 1024
SOLO_KEYS = 170  # written once each
PAIR_KEYS = 15  # written twice each, concurrently, with different bytes
ATTEMPTS = SOLO_KEYS + 2 * PAIR_KEYS  # 200 concurrent PUTs


@dataclass
class Attempt:
    key: str
    size: int
    sha256: str = ""
    status: str = "pending"  # "ok", or the error that came back

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def sizes(rng: random.Random) -> int:
    """Mostly small objects, some of several 1 MiB chunks (the blob store's chunk size)."""
    roll = rng.random()
    if roll < 0.35:
        return rng.choice([0, 1, 100, 4 * KIB, rng.randrange(1, 8 * KIB)])
    if roll < 0.7:
        return rng.randrange(10 * KIB, 300 * KIB)
    if roll < 0.85:
        return rng.randrange(300 * KIB, MIB)
    return rng.randrange(MIB + 1, 3 * MIB)


def s3_processes(cloud: S3Cloud) -> dict[int, dict[str, Any]]:
    rows: list[dict[str, Any]] = cloud.status()["processes"]  # type: ignore[assignment]
    return {row["replica"]: row for row in rows if row["service"] == "s3"}


def wait_restarted(cloud: S3Cloud, killed: dict[int, int], timeout: float = 60) -> None:
    """Until every killed replica runs again under a new pid and reports SERVING."""
    deadline = time.monotonic() + timeout
    while True:
        rows = s3_processes(cloud)
        if all(
            rows[replica]["pid"] not in (None, pid) and rows[replica]["health"] == "SERVING"
            for replica, pid in killed.items()
        ):
            return
        assert time.monotonic() < deadline, f"s3 replicas not back: {rows}"
        time.sleep(0.2)


class Killer(threading.Thread):
    """SIGKILLs s3-0 once 10% of the PUTs have finished and s3-1 at 50%, whether or not s3-0
    is back by then (so for a while the gateway may have no replica at all)."""

    def __init__(self, pids: dict[int, int], finished: list[int], total: int) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.finished = finished
        self.total = total
        self.killed: dict[int, int] = {}  # replica -> pid it had
        self.log: list[str] = []
        self.start_time = time.monotonic()

    def run(self) -> None:
        for replica, share in ((0, 0.1), (1, 0.5)):
            while self.finished[0] < self.total * share:
                time.sleep(0.002)
            if self.finished[0] >= self.total:
                self.log.append(f"the PUTs had finished before s3-{replica}'s turn")
                return
            os.kill(self.pids[replica], signal.SIGKILL)
            self.killed[replica] = self.pids[replica]
            self.log.append(
                f"kill -9 s3-{replica} (pid {self.pids[replica]}) at "
                f"{time.monotonic() - self.start_time:.2f}s, "
                f"{self.finished[0]}/{self.total} PUTs finished"
            )


def put_all(s3: Any, bucket: str, attempts: list[Attempt], finished: list[int]) -> None:
    """Every attempt in its own thread, all released at once."""
    gate = threading.Barrier(len(attempts))
    lock = threading.Lock()

    def put(attempt: Attempt) -> None:
        body = os.urandom(attempt.size)
        attempt.sha256 = hashlib.sha256(body).hexdigest()
        gate.wait()
        try:
            s3.put_object(Bucket=bucket, Key=attempt.key, Body=body)
            attempt.status = "ok"
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            attempt.status = f"{error.response['Error'].get('Code')} {status}"
        except Exception as error:  # connection reset, timeout: the PUT did not get a 200
            attempt.status = type(error).__name__
        finally:
            with lock:
                finished[0] += 1

    with ThreadPoolExecutor(len(attempts)) as pool:
        for future in [pool.submit(put, attempt) for attempt in attempts]:
            future.result()


def read(s3: Any, bucket: str, key: str) -> tuple[str, int] | None:
    """(sha256, size) of the object's bytes, or None when GET says NoSuchKey."""
    try:
        reply = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchKey":
            return None
        raise
    data = reply["Body"].read()
    assert reply["ContentLength"] == len(data), key
    assert reply["ETag"] == f'"{hashlib.md5(data).hexdigest()}"', f"{key}: ETag of other bytes"
    return hashlib.sha256(data).hexdigest(), len(data)


def test_kill_9_during_200_concurrent_puts_loses_no_acknowledged_write(
    s3_cloud: S3Cloud, bucket: str
) -> None:
    rng = random.Random(5)
    attempts = [Attempt(f"solo/{n:03d}", sizes(rng)) for n in range(SOLO_KEYS)]
    for n in range(PAIR_KEYS):
        attempts += [Attempt(f"pair/{n:02d}", sizes(rng)) for _ in range(2)]
    rng.shuffle(attempts)
    assert len(attempts) == ATTEMPTS
    assert sum(a.size > MIB for a in attempts) >= 15

    loader = s3_client(s3_cloud.endpoint, max_pool_connections=ATTEMPTS, read_timeout=120)
    finished = [0]
    pids = {replica: row["pid"] for replica, row in s3_processes(s3_cloud).items()}
    assert sorted(pids) == [0, 1] and all(pids.values()), pids
    killer = Killer(pids, finished, ATTEMPTS)
    started = time.monotonic()
    killer.start()
    put_all(loader, bucket, attempts, finished)
    took = time.monotonic() - started
    killer.join(timeout=5)
    assert not killer.is_alive()
    assert sorted(killer.killed) == [0, 1], killer.log
    wait_restarted(s3_cloud, killer.killed)

    outcomes = Counter(a.status for a in attempts)
    print(f"\n{ATTEMPTS} concurrent PUTs in {took:.1f}s: {dict(outcomes)}")
    for status in sorted(set(outcomes) - {"ok"}):
        failed = sorted(a.size for a in attempts if a.status == status)
        print(f"  {status}: bodies of {failed[0]} to {failed[-1]} bytes")
    print("\n".join(killer.log))

    reader = s3_client(s3_cloud.endpoint)
    by_key: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_key.setdefault(attempt.key, []).append(attempt)
    stored: dict[str, int] = {}
    problems = []
    for key, tries in sorted(by_key.items()):
        found = read(reader, bucket, key)
        candidates = {(a.sha256, a.size) for a in tries}
        if found is None:
            if any(a.ok for a in tries):
                problems.append(f"{key}: PUT got 200 but GET says NoSuchKey")
            continue
        stored[key] = found[1]
        if found not in candidates:
            problems.append(f"{key}: {found[1]} bytes that no PUT sent (half-written?)")
    assert not problems, "\n".join(problems)

    listed: dict[str, int] = {}
    for page in reader.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
    assert listed == stored, "the listing and the GETs disagree"
    acknowledged = {a.key for a in attempts if a.ok}
    assert acknowledged <= set(listed)
    print(
        f"after restart: {len(acknowledged)} keys acknowledged, {len(listed)} keys stored, "
        f"all readable with the right bytes"
    )

    # The restarted replicas take writes again.
    reader.put_object(Bucket=bucket, Key="after", Body=b"still here")
    assert reader.get_object(Bucket=bucket, Key="after")["Body"].read() == b"still here"
