"""Visibility timeouts, the 12-hour cap, delays, counts, purges and dead-letter queues, exact
to what AWS does.

DLQ facts relied on (AWS): a message received maxReceiveCount times without being deleted
moves to the DLQ on the next receive attempt instead of being delivered; it keeps its
MessageId and body, its receive count carries over (so its first receive from the DLQ reports
ApproximateReceiveCount maxReceiveCount + 1), and it carries DeadLetterQueueSourceArn.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sqs.conftest import (
    RETENTION_SECONDS,
    QueueFactory,
    RetentionProbe,
    attributes,
    counts,
    error_code,
    http_status,
    name_of,
)

pytestmark = pytest.mark.system


def receive(sqs: Any, url: str, **extra: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=url, MessageSystemAttributeNames=["All"], **extra
    ).get("Messages", [])
    return messages


def test_a_received_message_stays_invisible_for_the_visibility_timeout(
    sqs: Any, queue: QueueFactory
) -> None:
    url = queue(VisibilityTimeout=2)
    sent = sqs.send_message(QueueUrl=url, MessageBody="hidden")
    first = receive(sqs, url)
    received_at = time.monotonic()
    assert [m["MessageId"] for m in first] == [sent["MessageId"]]
    assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert counts(sqs, url) == (0, 1, 0)

    time.sleep(max(0.0, received_at + 1.0 - time.monotonic()))
    assert receive(sqs, url) == [], "visible again 1 s into a 2 s visibility timeout"

    again = receive(sqs, url, WaitTimeSeconds=3)  # becomes visible ~2 s after the receive
    assert [m["MessageId"] for m in again] == [sent["MessageId"]]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert again[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]
    first_receive = int(first[0]["Attributes"]["ApproximateFirstReceiveTimestamp"])
    assert int(again[0]["Attributes"]["ApproximateFirstReceiveTimestamp"]) == first_receive
    assert int(first[0]["Attributes"]["SentTimestamp"]) <= first_receive


def test_a_receive_may_set_its_own_visibility_timeout(sqs: Any, queue: QueueFactory) -> None:
    url = queue(VisibilityTimeout=600)
    sqs.send_message(QueueUrl=url, MessageBody="short")
    assert len(receive(sqs, url, VisibilityTimeout=1)) == 1
    assert [m["Body"] for m in receive(sqs, url, WaitTimeSeconds=3)] == ["short"]


def test_change_message_visibility(sqs: Any, queue: QueueFactory) -> None:
    url = queue(VisibilityTimeout=600)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (message,) = receive(sqs, url)
    received_at = time.monotonic()
    assert receive(sqs, url) == []

    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    (back,) = receive(sqs, url)  # visible at once
    assert back["MessageId"] == message["MessageId"]
    assert back["Attributes"]["ApproximateReceiveCount"] == "2"
    received_at = time.monotonic()

    # The 12-hour cap counts from this receive: 43201 s never fits, and once more than two
    # seconds have passed neither does 43199 s (whether the time since the receive is counted
    # in whole seconds or exactly); 43000 s does.
    handle = back["ReceiptHandle"]
    with pytest.raises(ClientError) as beyond:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43201)
    assert error_code(beyond.value) == "InvalidParameterValue"
    assert http_status(beyond.value) == 400
    assert beyond.value.response["Error"]["Message"].startswith(
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason:"
    )
    time.sleep(max(0.0, received_at + 2.2 - time.monotonic()))
    with pytest.raises(ClientError) as total:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43199)
    assert error_code(total.value) == "InvalidParameterValue"
    assert total.value.response["Error"]["Message"] == (
        "Value 43199 for parameter VisibilityTimeout is invalid. Reason: Total "
        "VisibilityTimeout for the message is beyond the limit [43200 seconds]"
    )
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43000)
    assert counts(sqs, url) == (0, 1, 0)


def test_change_message_visibility_batch(sqs: Any, queue: QueueFactory) -> None:
    url = queue(VisibilityTimeout=600)
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    messages = receive(sqs, url, MaxNumberOfMessages=10)
    assert len(messages) == 3
    reply = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "zero", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "one", "ReceiptHandle": messages[1]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0},
        ],
    )
    assert sorted(e["Id"] for e in reply["Successful"]) == ["one", "zero"]
    (failed,) = reply["Failed"]
    assert (failed["Id"], failed["Code"], failed["SenderFault"]) == (
        "bad",
        "ReceiptHandleIsInvalid",
        True,
    )
    back = receive(sqs, url, MaxNumberOfMessages=10)
    assert sorted(m["Body"] for m in back) == sorted(m["Body"] for m in messages[:2])


def test_delay_queue_and_per_message_delay(sqs: Any, queue: QueueFactory) -> None:
    url = queue(DelaySeconds=2)
    sqs.send_message(QueueUrl=url, MessageBody="queue-delayed")
    sqs.send_message(QueueUrl=url, MessageBody="not delayed", DelaySeconds=0)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["not delayed"]
    assert counts(sqs, url) == (0, 1, 1)
    assert [m["Body"] for m in receive(sqs, url, WaitTimeSeconds=4)] == ["queue-delayed"]

    plain = queue()
    sqs.send_message(QueueUrl=plain, MessageBody="message-delayed", DelaySeconds=2)
    assert receive(sqs, plain) == []
    assert counts(sqs, plain) == (0, 0, 1)
    assert [m["Body"] for m in receive(sqs, plain, WaitTimeSeconds=4)] == ["message-delayed"]


def test_approximate_counts(sqs: Any, queue: QueueFactory) -> None:
    url = queue(VisibilityTimeout=600)
    assert counts(sqs, url) == (0, 0, 0)
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "a"},
            {"Id": "b", "MessageBody": "b"},
            {"Id": "c", "MessageBody": "c"},
            {"Id": "later", "MessageBody": "later", "DelaySeconds": 600},
        ],
    )
    assert counts(sqs, url) == (3, 0, 1)
    (taken,) = receive(sqs, url)
    assert counts(sqs, url) == (2, 1, 1)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=taken["ReceiptHandle"])
    assert counts(sqs, url) == (2, 0, 1)


def test_purge_queue_and_purge_in_progress(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    receive(sqs, url)  # one in flight: a purge takes it too
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    assert receive(sqs, url, MaxNumberOfMessages=10) == []
    with pytest.raises(ClientError) as again:
        sqs.purge_queue(QueueUrl=url)
    assert error_code(again.value) == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert http_status(again.value) == 403
    assert again.value.response["Error"]["Message"] == (
        f"Only one PurgeQueue operation on {name_of(url)} is allowed every 60 seconds."
    )
    # Sending goes on as usual after a purge.
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert [m["Body"] for m in receive(sqs, url, WaitTimeSeconds=2)] == ["after"]


def dlq_pair(sqs: Any, queue: QueueFactory, max_receives: int = 3) -> tuple[str, str, str, str]:
    """(source url, source arn, dlq url, dlq arn)."""
    dlq = queue()
    dlq_arn = attributes(sqs, dlq)["QueueArn"]
    source = queue(
        VisibilityTimeout=600,
        RedrivePolicy={"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives},
    )
    return source, attributes(sqs, source)["QueueArn"], dlq, dlq_arn


def test_redrive_after_exactly_max_receive_count(sqs: Any, queue: QueueFactory) -> None:
    source, source_arn, dlq, _ = dlq_pair(sqs, queue, max_receives=3)
    sent = sqs.send_message(
        QueueUrl=source,
        MessageBody="poison",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "bad"}},
    )
    for count in (1, 2, 3):
        (message,) = receive(sqs, source, VisibilityTimeout=0)
        assert message["MessageId"] == sent["MessageId"]
        assert message["Attributes"]["ApproximateReceiveCount"] == str(count)
    assert receive(sqs, source, VisibilityTimeout=0) == [], "delivered a 4th time"
    assert counts(sqs, source) == (0, 0, 0)
    assert counts(sqs, dlq) == (1, 0, 0)

    (dead,) = receive(sqs, dlq, MessageAttributeNames=["All"])
    assert dead["MessageId"] == sent["MessageId"]
    assert dead["Body"] == "poison"
    assert dead["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert dead["MessageAttributes"] == {"kind": {"DataType": "String", "StringValue": "bad"}}
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == source_arn
    assert dead["Attributes"]["ApproximateReceiveCount"] == "4"

    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    assert sqs.list_dead_letter_source_queues(QueueUrl=source).get("queueUrls", []) == []


def dead_letters(sqs: Any, source: str, dlq: str, count: int) -> list[str]:
    """Sends count messages to source (maxReceiveCount 1) and receives each once, so the next
    receive attempt redrives them all to dlq; returns their bodies."""
    bodies = [f"m{n}" for n in range(count)]
    for body in bodies:
        sqs.send_message(QueueUrl=source, MessageBody=body)
    seen = 0
    while seen < len(bodies):
        seen += len(receive(sqs, source, VisibilityTimeout=0, MaxNumberOfMessages=10))
    assert receive(sqs, source, MaxNumberOfMessages=10) == []
    assert counts(sqs, dlq) == (len(bodies), 0, 0)
    return bodies


def test_message_move_task_moves_dead_letters_back(sqs: Any, queue: QueueFactory) -> None:
    source, _, dlq, dlq_arn = dlq_pair(sqs, queue, max_receives=1)
    bodies = dead_letters(sqs, source, dlq, 5)

    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    deadline = time.monotonic() + 30
    while True:
        (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        if task["Status"] == "COMPLETED":
            break
        assert task["Status"] == "RUNNING", task
        assert time.monotonic() < deadline, f"the move task never completed: {task}"
        time.sleep(0.2)
    assert task["SourceArn"] == dlq_arn
    assert task["ApproximateNumberOfMessagesMoved"] == len(bodies)
    assert "DestinationArn" not in task  # moved back to where each came from
    assert counts(sqs, dlq) == (0, 0, 0)
    assert counts(sqs, source) == (len(bodies), 0, 0)
    back = receive(sqs, source, MaxNumberOfMessages=10)
    assert sorted(m["Body"] for m in back) == bodies


def test_cancel_message_move_task(sqs: Any, queue: QueueFactory) -> None:
    source, _, dlq, dlq_arn = dlq_pair(sqs, queue, max_receives=1)
    dead_letters(sqs, source, dlq, 6)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"
    ]
    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    assert cancelled["ApproximateNumberOfMessagesMoved"] < 6
    deadline = time.monotonic() + 15
    while True:
        (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        if task["Status"] == "CANCELLED":
            break
        assert task["Status"] == "CANCELLING", task
        assert time.monotonic() < deadline, f"the move task was never cancelled: {task}"
        time.sleep(0.2)
    assert task["MaxNumberOfMessagesPerSecond"] == 1
    moved = task["ApproximateNumberOfMessagesMoved"]
    assert moved < 6, "a task at 1 message/s moved everything before its cancel"
    left, _, _ = counts(sqs, dlq)
    assert left >= 1 and counts(sqs, source)[0] + left == 6
    assert counts(sqs, source)[0] == moved


def test_a_fifo_queue_cannot_redrive_to_a_standard_queue(sqs: Any, queue: QueueFactory) -> None:
    dlq_arn = attributes(sqs, queue())["QueueArn"]
    fifo = queue(fifo=True)
    with pytest.raises(ClientError) as wrong:
        sqs.set_queue_attributes(
            QueueUrl=fifo,
            Attributes={
                "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"2"}}'
            },
        )
    assert error_code(wrong.value) == "InvalidParameterValue"
    # AWS's wording as CloudFormation users quote it (some quotes end in "..").
    assert (
        "for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type "
        "of queue as the source." in wrong.value.response["Error"]["Message"]
    )


def test_retention_expires_messages(sqs: Any, retention_probe: RetentionProbe) -> None:
    """The probe's message was sent when the session began (conftest): once the retention
    period has passed the reconciler (every second here) has removed it, while a message
    sent now stays."""
    assert not retention_probe.problem, retention_probe.problem
    url = retention_probe.url
    fresh = sqs.send_message(QueueUrl=url, MessageBody="fresh")
    time.sleep(max(0.0, retention_probe.sent_at + RETENTION_SECONDS + 3 - time.monotonic()))
    assert counts(sqs, url) == (1, 0, 0), "the expired message is still counted"
    messages = receive(sqs, url, MaxNumberOfMessages=10)
    assert [m["Body"] for m in messages] == ["fresh"]
    assert messages[0]["MessageId"] == fresh["MessageId"]
