"""Long polling across replicas: a receive waiting on one sqs replica wakes within 100 ms of
a send made through the other.

Beside the cloud's own gateway (balanced over both replicas) the module starts two gateways,
each pinned to one sqs replica (its NIMBUS_TARGETS name that replica alone), so the waiting
receive and the send are sure to run on different replicas.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sqs.conftest import BASE_PORT, QueueFactory, SqsCloud, sqs_client

pytestmark = pytest.mark.system

# Free ports at the top of the test cloud's port block (route53, the last service, starts at
# base + 80), then the ones the brief gave; a gateway that cannot bind moves on to the next.
SPARE_PORTS = [*range(BASE_PORT + 99, BASE_PORT + 84, -1), 4583, 4584]
TRIALS = 5
WAKE_LIMIT = 0.1  # seconds: the "within 100 ms"


def wait_live(endpoint: str, process: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    """Whether the gateway came up (False if it exited first, e.g. its port was taken)."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        try:
            urllib.request.urlopen(f"{endpoint}/_nimbus/live", timeout=1).close()
            return True
        except OSError:
            assert time.monotonic() < deadline, f"{endpoint} never came up"
            time.sleep(0.1)
    return False


def start_pinned(
    cloud: SqsCloud, replica: int, ports: list[int]
) -> tuple[subprocess.Popen[bytes], str]:
    """A gateway like the cloud's, but whose sqs target is that one replica's address."""
    plan = json.loads((cloud.run_dir / "plan.json").read_text())
    gateway_env = next(p for p in plan["processes"] if p["service"] == "gateway")["env"]
    address = next(
        f"127.0.0.1:{p['port']}"
        for p in plan["processes"]
        if p["service"] == "sqs" and p["replica"] == replica
    )
    targets = {**json.loads(gateway_env["NIMBUS_TARGETS"]), "sqs": [address]}
    while ports:
        port = ports.pop(0)
        with (cloud.run_dir / "logs" / f"gateway-pinned-sqs-{replica}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "nimbus_gateway"],
                env={
                    **os.environ,
                    **gateway_env,
                    "NIMBUS_HTTP_PORT": str(port),
                    "NIMBUS_TARGETS": json.dumps(targets),
                },
                stdout=log,
                stderr=log,
            )
        endpoint = f"http://127.0.0.1:{port}"
        if wait_live(endpoint, process):
            return process, endpoint
    raise AssertionError("no spare port for a pinned gateway")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def pinned(sqs_cloud: SqsCloud) -> Iterator[dict[int, Any]]:
    """replica -> a boto3 client whose gateway talks to that sqs replica only."""
    gateways: list[subprocess.Popen[bytes]] = []
    clients = {}
    ports = list(SPARE_PORTS)
    try:
        for replica in (0, 1):
            process, endpoint = start_pinned(sqs_cloud, replica, ports)
            gateways.append(process)
            clients[replica] = sqs_client(endpoint, read_timeout=60)
        yield clients
    finally:
        for gateway in gateways:
            stop(gateway)


def wake_latency(receiver: Any, sender: Any, url: str, body: str) -> float:
    """Seconds from the send's return to the waiting receive's return (may be negative)."""
    got: dict[str, Any] = {}

    def receive() -> None:
        got["reply"] = receiver.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        got["at"] = time.monotonic()

    waiting = threading.Thread(target=receive)
    waiting.start()
    time.sleep(1.0)  # the receive is in its long poll by now
    assert "reply" not in got, f"the receive returned before any send: {got}"
    sender.send_message(QueueUrl=url, MessageBody=body)
    sent = time.monotonic()
    waiting.join(timeout=25)
    assert not waiting.is_alive(), "the receive never returned"
    messages = got["reply"].get("Messages", [])
    assert [m["Body"] for m in messages] == [body], got["reply"]
    receiver.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return float(got["at"] - sent)


@pytest.mark.parametrize(("waiting_on", "sent_through"), [(0, 1), (1, 0)])
def test_a_long_poll_wakes_within_100ms_of_a_send_through_the_other_replica(
    pinned: dict[int, Any], queue: QueueFactory, waiting_on: int, sent_through: int
) -> None:
    url = queue()
    receiver, sender = pinned[waiting_on], pinned[sent_through]
    latencies = [wake_latency(receiver, sender, url, f"wake-{trial}") for trial in range(TRIALS)]
    median = statistics.median(latencies)
    print(
        f"\nreceive on sqs-{waiting_on}, send on sqs-{sent_through}: wake latencies "
        f"{[round(x * 1000, 1) for x in latencies]} ms, median {median * 1000:.1f} ms"
    )
    assert median < WAKE_LIMIT, f"median wake-up {median * 1000:.0f} ms after the send"


def test_a_long_poll_without_messages_waits_the_whole_wait_time(
    pinned: dict[int, Any], queue: QueueFactory
) -> None:
    url = queue()
    wait = 3
    started = time.monotonic()
    reply = pinned[0].receive_message(QueueUrl=url, WaitTimeSeconds=wait)
    took = time.monotonic() - started
    assert "Messages" not in reply
    # The server's timer runs inside the client's measurement; asyncio may fire a timer up to
    # a clock tick early, hence the 10 ms.
    assert took >= wait - 0.01, f"returned empty after {took:.2f}s of a {wait}s wait"


def test_the_queue_attribute_makes_every_receive_a_long_poll(
    pinned: dict[int, Any], queue: QueueFactory
) -> None:
    url = queue(ReceiveMessageWaitTimeSeconds=2)
    started = time.monotonic()
    reply = pinned[1].receive_message(QueueUrl=url)
    took = time.monotonic() - started
    assert "Messages" not in reply
    assert took >= 2 - 0.01, f"returned empty after {took:.2f}s of the queue's 2s wait"
    # An explicit WaitTimeSeconds=0 overrides the queue's setting: a short poll.
    started = time.monotonic()
    assert "Messages" not in pinned[1].receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert time.monotonic() - started < 2 - 0.01
