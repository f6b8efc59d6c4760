"""StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask: AWS's errors, and
a worker that really moves the messages (to a custom destination, back to their origins,
FIFO, at a rate, cancelled, failed)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_core.runtime import Resources
from nimbus_sqs import mover

from tests.integration.sqs_move.conftest import ACCOUNT, REGION, Sqs

pytestmark = pytest.mark.infra

REDRIVE_ONCE = 1  # maxReceiveCount: the second receive dead-letters a message


@pytest.fixture
async def worker(resources: Resources) -> AsyncIterator[None]:
    """One replica's move worker, running for the test."""
    running = asyncio.create_task(mover.run_forever(resources))
    yield
    resources.stop.set()
    await asyncio.wait_for(running, 30)


async def error_of(call: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        await call
    return raised.value


async def dlq_pair(sqs: Sqs, fifo: bool = False) -> tuple[str, str, str]:
    """(source URL, DLQ URL, DLQ ARN): the source dead-letters after one receive."""
    suffix = ".fifo" if fifo else ""
    extra = {"ContentBasedDeduplication": "true"} if fifo else {}
    dlq = await sqs.create_queue(f"dlq-{time.time_ns()}{suffix}", **extra)
    dlq_arn = await sqs.arn(dlq)
    source = await sqs.create_queue(
        f"src-{time.time_ns()}{suffix}",
        RedrivePolicy={"deadLetterTargetArn": dlq_arn, "maxReceiveCount": REDRIVE_ONCE},
        **extra,
    )
    return source, dlq, dlq_arn


async def fill_dlq(sqs: Sqs, source: str, dlq: str, bodies: list[str], **send: Any) -> None:
    already = await sqs.visible(dlq)
    for body in bodies:
        await sqs.call("SendMessage", QueueUrl=source, MessageBody=body, **send)
    await sqs.dead_letter(source, dlq, already + len(bodies))


def missing(parameter: str) -> str:
    return f"The resource that you specified for the {parameter} parameter doesn't exist."


async def test_start_refuses_what_aws_refuses(sqs: Sqs) -> None:
    _, _, dlq_arn = await dlq_pair(sqs)
    plain_arn = await sqs.arn(await sqs.create_queue())
    gone_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"

    error = await error_of(sqs.call("StartMessageMoveTask", SourceArn=gone_arn))
    assert (error.code, error.message, error.http_status) == (
        "ResourceNotFoundException",
        missing("SourceArn"),
        404,
    )
    error = await error_of(sqs.call("StartMessageMoveTask", SourceArn=plain_arn))
    assert (error.code, error.message, error.http_status) == (
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
        400,
    )
    error = await error_of(
        sqs.call("StartMessageMoveTask", SourceArn=dlq_arn, DestinationArn=gone_arn)
    )
    assert (error.code, error.message, error.http_status) == (
        "ResourceNotFoundException",
        missing("DestinationArn"),
        404,
    )
    for rate in (0, 501):
        error = await error_of(
            sqs.call("StartMessageMoveTask", SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=rate)
        )
        assert (error.code, error.message) == (
            "InvalidParameterValue",
            f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid."
            " Reason: Must be between 1 and 500.",
        )
    error = await error_of(sqs.call("StartMessageMoveTask", SourceArn="dlq"))
    assert error.code == "InvalidParameterValue"
    assert error.message.startswith("You must use this format to specify the SourceArn: ")
    error = await error_of(sqs.call("StartMessageMoveTask"))
    assert (error.code, error.message) == (
        "MissingParameter",
        "The request must contain the parameter SourceArn.",
    )
    _, _, fifo_dlq_arn = await dlq_pair(sqs, fifo=True)
    error = await error_of(
        sqs.call("StartMessageMoveTask", SourceArn=fifo_dlq_arn, DestinationArn=plain_arn)
    )
    assert error.code == "InvalidParameterValue"
    assert await sqs.tasks(dlq_arn) == []
    assert await sqs.tasks(fifo_dlq_arn) == []


async def test_list_and_cancel_refuse_what_aws_refuses(sqs: Sqs) -> None:
    _, _, dlq_arn = await dlq_pair(sqs)
    gone_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"

    error = await error_of(sqs.call("ListMessageMoveTasks", SourceArn=gone_arn))
    assert (error.code, error.message, error.http_status) == (
        "ResourceNotFoundException",
        missing("SourceArn"),
        404,
    )
    for max_results in (0, 11):
        error = await error_of(
            sqs.call("ListMessageMoveTasks", SourceArn=dlq_arn, MaxResults=max_results)
        )
        assert (error.code, error.message) == (
            "InvalidParameterValue",
            f"Value {max_results} for parameter MaxResults is invalid."
            " Reason: Must be between 1 and 10.",
        )
    assert await sqs.call("ListMessageMoveTasks", SourceArn=dlq_arn) == {"Results": []}

    error = await error_of(sqs.call("CancelMessageMoveTask", TaskHandle="foobared"))
    assert (error.code, error.message, error.http_status) == (
        "InvalidParameterValue",
        "Value for parameter TaskHandle is invalid.",
        400,
    )

    def handle(source_arn: str) -> str:
        document = {"taskId": "10f57157-fc38-4da9-a113-4de7e12d05aa", "sourceArn": source_arn}
        return base64.b64encode(json.dumps(document).encode()).decode()

    error = await error_of(sqs.call("CancelMessageMoveTask", TaskHandle=handle(gone_arn)))
    assert (error.code, error.message, error.http_status) == (
        "ResourceNotFoundException",
        missing("SourceArn"),
        404,
    )
    error = await error_of(sqs.call("CancelMessageMoveTask", TaskHandle=handle(dlq_arn)))
    assert (error.code, error.message, error.http_status) == (
        "ResourceNotFoundException",
        "Task does not exist.",
        404,
    )


async def test_messages_move_to_a_custom_destination(sqs: Sqs, worker: None) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination = await sqs.create_queue()
    destination_arn = await sqs.arn(destination)
    attributes = {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "blob": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x00\x01").decode()},
        "count": {"DataType": "Number", "StringValue": "42"},
    }
    sent = {}
    for body in ("one", "two", "three"):
        reply = await sqs.call(
            "SendMessage", QueueUrl=source, MessageBody=body, MessageAttributes=attributes
        )
        sent[body] = reply
    await sqs.dead_letter(source, dlq, 3)
    before = int(time.time() * 1000)

    started = await sqs.call(
        "StartMessageMoveTask", SourceArn=dlq_arn, DestinationArn=destination_arn
    )
    decoded = json.loads(base64.b64decode(started["TaskHandle"]))
    assert decoded["sourceArn"] == dlq_arn

    task = await sqs.wait_status(dlq_arn, {"COMPLETED", "FAILED"})
    assert task == {
        "Status": "COMPLETED",
        "SourceArn": dlq_arn,
        "DestinationArn": destination_arn,
        "ApproximateNumberOfMessagesMoved": 3,
        "ApproximateNumberOfMessagesToMove": 3,
        "StartedTimestamp": task["StartedTimestamp"],
    }
    assert before - 1000 <= task["StartedTimestamp"] <= int(time.time() * 1000)

    moved = await sqs.drain(destination, 3)
    assert sorted(m["Body"] for m in moved) == ["one", "three", "two"]
    for message in moved:
        original = sent[message["Body"]]
        assert message["MessageAttributes"] == attributes
        assert message["MD5OfBody"] == hashlib.md5(message["Body"].encode()).hexdigest()
        assert message["MD5OfBody"] == original["MD5OfMessageBody"]
        assert message["MD5OfMessageAttributes"] == original["MD5OfMessageAttributes"]
        assert message["MessageId"] != original["MessageId"]  # a new message
        assert message["Attributes"]["ApproximateReceiveCount"] == "1"
        assert "DeadLetterQueueSourceArn" not in message["Attributes"]
    assert await sqs.visible(dlq) == 0
    assert await sqs.visible(source) == 0


async def test_without_a_destination_messages_go_back_where_they_came_from(
    sqs: Sqs, worker: None
) -> None:
    first, dlq, dlq_arn = await dlq_pair(sqs)
    second = await sqs.create_queue(
        RedrivePolicy={"deadLetterTargetArn": dlq_arn, "maxReceiveCount": REDRIVE_ONCE}
    )
    await fill_dlq(sqs, first, dlq, ["first-1", "first-2"])
    await fill_dlq(sqs, second, dlq, ["second-1", "second-2"])

    await sqs.call("StartMessageMoveTask", SourceArn=dlq_arn)
    task = await sqs.wait_status(dlq_arn, {"COMPLETED", "FAILED"})
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 4)
    assert task["ApproximateNumberOfMessagesToMove"] == 4
    assert "DestinationArn" not in task and "TaskHandle" not in task

    assert sorted(m["Body"] for m in await sqs.drain(first, 2)) == ["first-1", "first-2"]
    assert sorted(m["Body"] for m in await sqs.drain(second, 2)) == ["second-1", "second-2"]
    assert await sqs.visible(dlq) == 0


async def test_fifo_messages_keep_their_group_order_and_deduplication_id(
    sqs: Sqs, worker: None
) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs, fifo=True)
    for group, body in (("g1", "a1"), ("g2", "b1"), ("g1", "a2"), ("g1", "a3"), ("g2", "b2")):
        await sqs.call("SendMessage", QueueUrl=source, MessageBody=body, MessageGroupId=group)
    await sqs.dead_letter(source, dlq, 5)
    # AWS: a dead-lettered FIFO message's deduplication id becomes its original message id,
    # so the redrive back is no duplicate of the original send (within its 5 minutes)
    in_dlq = await sqs.receive(dlq, VisibilityTimeout=0)
    original_ids = {m["Body"]: m["MessageId"] for m in in_dlq}
    assert original_ids

    await sqs.call("StartMessageMoveTask", SourceArn=dlq_arn)
    task = await sqs.wait_status(dlq_arn, {"COMPLETED", "FAILED"})
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 5)

    back = await sqs.drain(source, 5)
    groups: dict[str, list[str]] = {}
    for message in back:
        groups.setdefault(message["Attributes"]["MessageGroupId"], []).append(message["Body"])
        dedup = message["Attributes"]["MessageDeduplicationId"]
        assert dedup == original_ids.get(message["Body"], dedup)
    assert groups == {"g1": ["a1", "a2", "a3"], "g2": ["b1", "b2"]}


async def test_a_cancelled_task_stops_and_leaves_the_rest(sqs: Sqs, worker: None) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination_arn = await sqs.arn(await sqs.create_queue())
    await fill_dlq(sqs, source, dlq, [f"m{i}" for i in range(8)])

    started = await sqs.call(
        "StartMessageMoveTask",
        SourceArn=dlq_arn,
        DestinationArn=destination_arn,
        MaxNumberOfMessagesPerSecond=1,
    )
    handle = started["TaskHandle"]
    running = (await sqs.tasks(dlq_arn))[0]
    assert running["Status"] == "RUNNING" and running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    assert running["ApproximateNumberOfMessagesToMove"] == 8

    error = await error_of(sqs.call("StartMessageMoveTask", SourceArn=dlq_arn))
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source queue"
        " arn at a given time.",
    )

    cancelled = await sqs.call("CancelMessageMoveTask", TaskHandle=handle)
    assert 0 <= cancelled["ApproximateNumberOfMessagesMoved"] < 8
    error = await error_of(sqs.call("CancelMessageMoveTask", TaskHandle=handle))
    assert (error.code, error.message) == ("ResourceNotFoundException", "Task does not exist.")

    task = await sqs.wait_status(dlq_arn, {"CANCELLED"})
    assert "TaskHandle" not in task
    assert task["ApproximateNumberOfMessagesMoved"] < 8
    assert await sqs.visible(dlq) == 8 - task["ApproximateNumberOfMessagesMoved"]
    assert await sqs.receive(dlq)  # what was not moved is there to receive at once

    await sqs.call("StartMessageMoveTask", SourceArn=dlq_arn, DestinationArn=destination_arn)
    assert [t["Status"] for t in await sqs.tasks(dlq_arn)][1:] == ["CANCELLED"]


async def test_the_task_fails_when_its_destination_is_deleted(sqs: Sqs, worker: None) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination = await sqs.create_queue()
    destination_arn = await sqs.arn(destination)
    await fill_dlq(sqs, source, dlq, [f"m{i}" for i in range(6)])

    await sqs.call(
        "StartMessageMoveTask",
        SourceArn=dlq_arn,
        DestinationArn=destination_arn,
        MaxNumberOfMessagesPerSecond=1,
    )
    await sqs.call("DeleteQueue", QueueUrl=destination)
    task = await sqs.wait_status(dlq_arn, {"FAILED", "COMPLETED"})
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert task["DestinationArn"] == destination_arn
    left = 6 - task["ApproximateNumberOfMessagesMoved"]
    assert left > 0
    assert len(await sqs.drain(dlq, left, timeout=5)) == left


async def test_a_message_sent_straight_to_the_dlq_has_no_origin(sqs: Sqs, worker: None) -> None:
    _, dlq, dlq_arn = await dlq_pair(sqs)
    await sqs.call("SendMessage", QueueUrl=dlq, MessageBody="direct")

    await sqs.call("StartMessageMoveTask", SourceArn=dlq_arn)
    task = await sqs.wait_status(dlq_arn, {"FAILED", "COMPLETED"})
    assert (task["Status"], task["FailureReason"]) == ("FAILED", "CouldNotDetermineMessageSource")
    assert task["ApproximateNumberOfMessagesMoved"] == 0
    assert [m["Body"] for m in await sqs.receive(dlq)] == ["direct"]  # visible again at once


async def test_the_task_moves_what_the_source_held_at_its_start(sqs: Sqs, worker: None) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination = await sqs.create_queue()
    await fill_dlq(sqs, source, dlq, ["old-1", "old-2", "old-3"])

    await sqs.call(
        "StartMessageMoveTask",
        SourceArn=dlq_arn,
        DestinationArn=await sqs.arn(destination),
        MaxNumberOfMessagesPerSecond=2,
    )
    for body in ("new-1", "new-2"):
        await sqs.call("SendMessage", QueueUrl=dlq, MessageBody=body)
    task = await sqs.wait_status(dlq_arn, {"COMPLETED", "FAILED"})
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 3)
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert len(await sqs.drain(destination, 3)) == 3
    assert await sqs.visible(dlq) == 2


async def test_the_rate_is_never_exceeded(sqs: Sqs, worker: None) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination = await sqs.create_queue()
    await fill_dlq(sqs, source, dlq, [f"m{i}" for i in range(6)])

    begun = time.monotonic()
    await sqs.call(
        "StartMessageMoveTask",
        SourceArn=dlq_arn,
        DestinationArn=await sqs.arn(destination),
        MaxNumberOfMessagesPerSecond=2,
    )
    while True:
        task = (await sqs.tasks(dlq_arn))[0]
        # at 2 a second, the first at once: never more than 2 * elapsed + 1 moved
        assert task["ApproximateNumberOfMessagesMoved"] <= 2 * (time.monotonic() - begun) + 1
        if task["Status"] != "RUNNING":
            break
        await asyncio.sleep(0.05)
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 6)
    assert len(await sqs.drain(destination, 6)) == 6
