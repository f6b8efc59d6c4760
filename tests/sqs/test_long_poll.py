"""Long polling across replicas: a receive waiting on one sqs replica wakes within 100 ms of
a send made through the other.

Beside the cloud's own gateway (balanced over both replicas) the module starts two gateways,
each pinned to one sqs replica (its NIMBUS_TARGETS name that replica alone), so the waiting
receive and the send are sure to run on different replicas.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sqs.conftest import BASE_PORT, QueueFactory, SqsCloud, sqs_client
from tests.system.pinned import pinned_gateways, spare_ports

pytestmark = pytest.mark.system

# Free ports at the top of the test cloud's port block, then two more.
SPARE_PORTS = [*spare_ports(BASE_PORT), 4583, 4584]
TRIALS = 5
WAKE_LIMIT = 0.1  # seconds: the "within 100 ms"


@pytest.fixture(scope="module")
def pinned(sqs_cloud: SqsCloud) -> Iterator[dict[int, Any]]:
    """replica -> a boto3 client whose gateway talks to that sqs replica only."""
    with pinned_gateways(sqs_cloud, "sqs", (0, 1), list(SPARE_PORTS)) as endpoints:
        yield {r: sqs_client(endpoint, read_timeout=60) for r, endpoint in endpoints.items()}


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
