"""FIFO queues: order within each message group under 4 concurrent consumers, the group lock,
exactly-once delivery, and deduplication by id and by content.

Order is checked without trusting clocks across processes: while a consumer holds messages of
a group in flight, SQS must not hand that group to anyone else, so of two holds of one group
the later receive can only have returned after the earlier holder sent its delete. Given
that, ordering the holds by when their receive returned is the order SQS handed them out.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sqs.conftest import QueueFactory, SqsCloud, counts, error_code, sqs_client

pytestmark = pytest.mark.system

GROUPS = 20
PER_GROUP = 50
CONSUMERS = 4


@dataclass
class Hold:
    """One consumer's receive: the messages it got per group, in the order received."""

    consumer: int
    received: float  # monotonic time the receive returned
    delete_sent: float = 0.0  # monotonic time its delete was sent (the lock may end then)
    by_group: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    holds: list[Hold] = field(default_factory=list)
    deleted: int = 0


def parse(body: str) -> tuple[int, int]:
    _, group, seq = body.split(":")
    return int(group), int(seq)


def consume(client: Any, url: str, consumer: int, record: Record, done: threading.Event) -> None:
    while not done.is_set():
        messages = client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["MessageGroupId", "SequenceNumber"],
        ).get("Messages", [])
        if not messages:
            continue
        hold = Hold(consumer, time.monotonic())
        for message in messages:
            group, seq = parse(message["Body"])
            assert message["Attributes"]["MessageGroupId"] == f"g{group}"
            hold.by_group.setdefault(group, []).append(seq)
        time.sleep(0.01)  # hold the groups a moment, so others would have a chance to cut in
        hold.delete_sent = time.monotonic()
        reply = client.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )
        assert not reply.get("Failed"), reply["Failed"]
        with record.lock:
            record.holds.append(hold)
            record.deleted += len(messages)


def send_all(sqs: Any, url: str, run: str) -> dict[int, list[int]]:
    """Round-robin over the groups, 10 per batch; returns each group's sequence numbers."""
    entries = [
        {
            "Id": f"g{group}s{seq}",
            "MessageBody": f"{run}:{group}:{seq}",
            "MessageGroupId": f"g{group}",
            "MessageDeduplicationId": f"{run}-{group}-{seq}",
        }
        for seq in range(PER_GROUP)
        for group in range(GROUPS)
    ]
    sequence: dict[int, list[int]] = {}
    for start in range(0, len(entries), 10):
        chunk = entries[start : start + 10]
        reply = sqs.send_message_batch(QueueUrl=url, Entries=chunk)
        assert not reply.get("Failed"), reply["Failed"]
        by_id = {entry["Id"]: entry for entry in reply["Successful"]}
        for entry in chunk:  # in send order
            group = int(entry["MessageGroupId"][1:])
            sequence.setdefault(group, []).append(int(by_id[entry["Id"]]["SequenceNumber"]))
    return sequence


def test_order_within_each_group_under_four_consumers(
    sqs_cloud: SqsCloud, sqs: Any, queue: QueueFactory
) -> None:
    url = queue(fifo=True, VisibilityTimeout=60)
    run = uuid.uuid4().hex[:8]
    sequence = send_all(sqs, url, run)
    for group, numbers in sequence.items():
        assert numbers == sorted(numbers) and len(set(numbers)) == PER_GROUP, (
            f"group {group}: SequenceNumbers not increasing in send order: {numbers}"
        )

    record = Record()
    done = threading.Event()
    total = GROUPS * PER_GROUP
    started = time.monotonic()
    with ThreadPoolExecutor(CONSUMERS) as pool:
        futures = [
            pool.submit(consume, sqs_client(sqs_cloud.endpoint), url, n, record, done)
            for n in range(CONSUMERS)
        ]
        try:
            while time.monotonic() - started < 120:
                with record.lock:
                    if record.deleted >= total:
                        break
                if any(f.done() for f in futures):
                    break
                time.sleep(0.05)
        finally:
            done.set()
        for future in futures:
            future.result()
    print(
        f"\n{total} FIFO messages in {GROUPS} groups taken by {CONSUMERS} consumers in "
        f"{time.monotonic() - started:.1f}s, {len(record.holds)} receives, by consumer: "
        f"{[sum(1 for h in record.holds if h.consumer == n) for n in range(CONSUMERS)]}"
    )

    holds = sorted(record.holds, key=lambda h: h.received)
    problems = []
    for group in range(GROUPS):
        group_holds = [h for h in holds if group in h.by_group]
        delivered = [seq for h in group_holds for seq in h.by_group[group]]
        if delivered != list(range(PER_GROUP)):
            problems.append(f"group {group}: delivered in the order {delivered}")
        for earlier, later in itertools.pairwise(group_holds):
            if later.received <= earlier.delete_sent:
                problems.append(
                    f"group {group}: consumer {later.consumer} got it while consumer "
                    f"{earlier.consumer} still held {earlier.by_group[group]}"
                )
    assert not problems, "\n".join(problems[:20])
    assert record.deleted == total  # exactly once: no message came twice
    assert counts(sqs, url) == (0, 0, 0)


def test_deduplication_id_within_five_minutes(sqs: Any, queue: QueueFactory) -> None:
    url = queue(fifo=True)
    first = sqs.send_message(
        QueueUrl=url, MessageBody="first", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    again = sqs.send_message(
        QueueUrl=url, MessageBody="second", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    assert again["MessageId"] == first["MessageId"]
    assert again["MD5OfMessageBody"] == hashlib.md5(b"second").hexdigest()
    other = sqs.send_message(
        QueueUrl=url, MessageBody="third", MessageGroupId="g", MessageDeduplicationId="d2"
    )
    assert other["MessageId"] != first["MessageId"]
    assert int(other["SequenceNumber"]) > int(first["SequenceNumber"])

    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in messages] == ["first", "third"]
    assert messages[0]["MessageId"] == first["MessageId"]
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "d1"
    assert messages[0]["Attributes"]["SequenceNumber"] == first["SequenceNumber"]
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # Still a duplicate after the original was deleted: the window is 5 minutes from the send.
    late = sqs.send_message(
        QueueUrl=url, MessageBody="late", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    assert late["MessageId"] == first["MessageId"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert counts(sqs, url) == (0, 0, 0)


def test_content_based_deduplication(sqs: Any, queue: QueueFactory) -> None:
    url = queue(fifo=True, ContentBasedDeduplication="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="a")
    # Same content, even in another group: the deduplication id is the body's SHA-256.
    again = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="b")
    assert again["MessageId"] == first["MessageId"]
    other = sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="a")
    assert other["MessageId"] != first["MessageId"]
    # An explicit id overrides the content.
    explicit = sqs.send_message(
        QueueUrl=url, MessageBody="same body", MessageGroupId="a", MessageDeduplicationId="x"
    )
    assert explicit["MessageId"] != first["MessageId"]

    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert sorted(m["Body"] for m in messages) == ["other body", "same body", "same body"]
    by_id = {m["MessageId"]: m for m in messages}
    assert by_id[first["MessageId"]]["Attributes"]["MessageDeduplicationId"] == (
        hashlib.sha256(b"same body").hexdigest()
    )
    assert by_id[explicit["MessageId"]]["Attributes"]["MessageDeduplicationId"] == "x"


def test_fifo_send_needs_a_deduplication_id_or_content_based_deduplication(
    sqs: Any, queue: QueueFactory
) -> None:
    url = queue(fifo=True)
    with pytest.raises(ClientError) as missing:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert error_code(missing.value) == "InvalidParameterValue"
    assert "ContentBasedDeduplication" in missing.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as no_group:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_code(no_group.value) == "MissingParameter"


def test_a_receive_request_attempt_id_retried_returns_the_same_messages(
    sqs: Any, queue: QueueFactory
) -> None:
    url = queue(fifo=True, ContentBasedDeduplication="true")
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}", MessageGroupId="g")
    first = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    retried = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    assert [m["Body"] for m in first] == ["m0", "m1"]
    assert [m["MessageId"] for m in retried] == [m["MessageId"] for m in first]
    # The group stays locked for anyone else while those are in flight.
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
