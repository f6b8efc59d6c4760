"""Durability: kill -9 each sqs replica in turn during a send/receive load.

A SendMessage's 200 means the message is stored: after the supervisor has restarted the
killed processes, every send that got a 200 is received (by its body's id), whether a
consumer took it during the load or a drain afterwards finds it (messages in flight when a
consumer's delete failed come back after the short visibility timeout). Sends that failed
may be missing or present.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sqs.conftest import QueueFactory, SqsCloud, sqs_client

pytestmark = pytest.mark.system

SENDERS = 6
CONSUMERS = 3
VISIBILITY = 2  # seconds: in-flight messages of a failed delete come back soon
LOAD_BEFORE_KILL = 2.0  # seconds of load before the first kill
BETWEEN_KILLS = 3.0
LOAD_AFTER_RESTART = 2.0
DRAIN_DEADLINE = 60.0


@dataclass
class Load:
    run: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 0
    acknowledged: dict[str, float] = field(default_factory=dict)  # body -> when the 200 came
    failed: Counter[str] = field(default_factory=Counter)
    received: set[str] = field(default_factory=set)
    receive_errors: Counter[str] = field(default_factory=Counter)

    def new_body(self) -> str:
        with self.lock:
            self.next_id += 1
            return f"{self.run}-{self.next_id:06d}"


def describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{error.response['Error'].get('Code')} {status}"
    return type(error).__name__


def send_loop(client: Any, url: str, load: Load, stop: threading.Event) -> None:
    while not stop.is_set():
        body = load.new_body()
        try:
            client.send_message(QueueUrl=url, MessageBody=body)
        except Exception as error:  # the send did not get a 200: allowed to be lost
            with load.lock:
                load.failed[describe(error)] += 1
            time.sleep(0.02)
            continue
        with load.lock:
            load.acknowledged[body] = time.monotonic()


def receive_once(client: Any, url: str, load: Load, wait: int) -> int:
    try:
        messages = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait
        ).get("Messages", [])
    except Exception as error:
        with load.lock:
            load.receive_errors[describe(error)] += 1
        time.sleep(0.02)
        return 0
    if not messages:
        return 0
    with load.lock:
        load.received.update(m["Body"] for m in messages)
    try:  # a failed delete only means the message comes back: still counted as received
        client.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )
    except Exception as error:
        with load.lock:
            load.receive_errors[f"delete: {describe(error)}"] += 1
    return len(messages)


def receive_loop(client: Any, url: str, load: Load, stop: threading.Event) -> None:
    while not stop.is_set():
        receive_once(client, url, load, wait=1)


def test_kill_9_during_load_loses_no_acknowledged_send(
    sqs_cloud: SqsCloud, queue: QueueFactory
) -> None:
    url = queue(VisibilityTimeout=VISIBILITY)
    load = Load(uuid.uuid4().hex[:8])
    pids = {replica: row["pid"] for replica, row in sqs_cloud.sqs_processes().items()}
    assert sorted(pids) == [0, 1] and all(pids.values()), pids
    stop = threading.Event()
    log: list[str] = []
    started = time.monotonic()

    def clock() -> str:
        with load.lock:
            sent, failed = len(load.acknowledged), sum(load.failed.values())
        return f"{time.monotonic() - started:.1f}s ({sent} sends acknowledged, {failed} failed)"

    with ThreadPoolExecutor(SENDERS + CONSUMERS) as pool:
        futures = [
            pool.submit(send_loop, sqs_client(sqs_cloud.endpoint), url, load, stop)
            for _ in range(SENDERS)
        ] + [
            pool.submit(receive_loop, sqs_client(sqs_cloud.endpoint), url, load, stop)
            for _ in range(CONSUMERS)
        ]
        try:
            time.sleep(LOAD_BEFORE_KILL)
            with load.lock:
                before_kills = len(load.acknowledged)
            for replica in (0, 1):
                os.kill(pids[replica], signal.SIGKILL)
                log.append(f"kill -9 sqs-{replica} (pid {pids[replica]}) at {clock()}")
                time.sleep(BETWEEN_KILLS)
            sqs_cloud.wait_restarted(pids)
            log.append(f"both replicas back at {clock()}")
            back = time.monotonic()
            time.sleep(LOAD_AFTER_RESTART)
        finally:
            stop.set()
        for future in futures:
            future.result()

    acknowledged = dict(load.acknowledged)
    after_restart = sum(1 for at in acknowledged.values() if at > back)
    print("\n" + "\n".join(log))
    print(
        f"load: {len(acknowledged)} sends acknowledged ({before_kills} before the first kill, "
        f"{after_restart} after the restarts), failed sends {dict(load.failed)}, "
        f"receive errors {dict(load.receive_errors)}"
    )
    assert before_kills > 0, "no send got through before the kills"
    assert after_restart > 0, "no send got through after the restarts"
    rows = sqs_cloud.sqs_processes()
    assert all(rows[r]["pid"] != pids[r] for r in (0, 1)), rows

    # Drain: whatever the consumers did not get (or got while their delete failed) is still
    # in the queue, visible at the latest after the visibility timeout.
    drainer = sqs_client(sqs_cloud.endpoint)
    deadline = time.monotonic() + DRAIN_DEADLINE
    while set(acknowledged) - load.received and time.monotonic() < deadline:
        receive_once(drainer, url, load, wait=1)
    lost = sorted(set(acknowledged) - load.received)
    print(f"after the drain: {len(load.received)} distinct messages received")
    assert not lost, f"{len(lost)} acknowledged sends never received, e.g. {lost[:10]}"
