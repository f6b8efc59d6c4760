"""SendMessage input -> NewMessage on standard and FIFO queues."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_sqs.compose import check_fifo_batch, compose, content_deduplication_id
from nimbus_sqs.model import QueueRecord


def queue(fifo: bool = False, **attributes: str) -> QueueRecord:
    base = {
        "VisibilityTimeout": "30",
        "DelaySeconds": "5",
        "MessageRetentionPeriod": "345600",
        "MaximumMessageSize": "1048576",
        "ReceiveMessageWaitTimeSeconds": "0",
    }
    if fifo:
        base |= {"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    base |= attributes
    return QueueRecord(
        queue_id="00000000-0000-0000-0000-000000000001",
        account="000000000000",
        region="us-east-1",
        name="q.fifo" if fifo else "q",
        fifo=fifo,
        attributes=base,
        tags={},
        created_at=0.0,
        modified_at=0.0,
    )


def error_of(q: QueueRecord, entry: dict[str, Any]) -> AwsError:
    with pytest.raises(AwsError) as info:
        compose(q, entry, "AIDAEXAMPLE")
    return info.value


def test_standard_message_with_attributes() -> None:
    message = compose(
        queue(),
        {
            "MessageBody": "msg",
            "MessageAttributes": {"Foo": {"DataType": "String", "StringValue": "Bar"}},
            "MessageSystemAttributes": {
                "AWSTraceHeader": {"DataType": "String", "StringValue": "some-trace-id"}
            },
        },
        "AIDAEXAMPLE",
    )
    assert message.body == "msg"
    assert message.md5_of_body == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert message.md5_of_message_attributes == "ae7155c6026991b6d54b11589678bf9c"
    assert (
        message.md5_of_system_attributes
        == hashlib.md5(
            b"\x00\x00\x00\x0eAWSTraceHeader\x00\x00\x00\x06String\x01\x00\x00\x00\x0dsome-trace-id"
        ).hexdigest()
    )
    assert message.delay_seconds == 5  # the queue's default
    assert message.sender_id == "AIDAEXAMPLE"
    assert message.message_group_id is None and message.deduplication_id is None


def test_no_attributes_no_digests() -> None:
    message = compose(queue(), {"MessageBody": "x", "DelaySeconds": 0}, "s")
    assert message.md5_of_message_attributes is None
    assert message.md5_of_system_attributes is None
    assert message.message_attributes == {} and message.system_attributes == {}
    assert message.delay_seconds == 0  # explicit per-message delay wins


def test_standard_queue_rules() -> None:
    q = queue()
    assert (
        compose(q, {"MessageBody": "x", "MessageGroupId": "tenant-1"}, "s").message_group_id
        == "tenant-1"
    )
    error = error_of(q, {"MessageBody": "x", "MessageDeduplicationId": "d1"})
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "Value d1 for parameter MessageDeduplicationId is invalid. Reason: The request include "
        "parameter that is not valid for this queue type.",
    )
    assert error_of(q, {"MessageBody": "x", "DelaySeconds": 901}).message.startswith(
        "Value 901 for parameter DelaySeconds is invalid."
    )
    assert (
        error_of(q, {"MessageBody": "x", "MessageGroupId": "a b"}).code == "InvalidParameterValue"
    )


def test_size_uses_the_queue_limit() -> None:
    q = queue(MaximumMessageSize="1024")
    compose(q, {"MessageBody": "a" * 1024}, "s")
    error = error_of(
        q,
        {
            "MessageBody": "a" * 1000,
            "MessageAttributes": {"k": {"DataType": "String", "StringValue": "b" * 19}},
        },
    )
    assert (
        error.message
        == "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    )


def test_body_checks_in_order() -> None:
    assert error_of(queue(), {}).code == "MissingParameter"
    assert error_of(queue(), {"MessageBody": "\x00"}).code == "InvalidMessageContents"
    # A batch entry names its position.
    with pytest.raises(AwsError) as info:
        compose(
            queue(),
            {"MessageBody": ""},
            "s",
            body_parameter="SendMessageBatchRequestEntry.3.MessageBody",
        )
    assert (
        info.value.message
        == "The request must contain the parameter SendMessageBatchRequestEntry.3.MessageBody."
    )


def test_fifo_explicit_ids() -> None:
    message = compose(
        queue(fifo=True),
        {"MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
        "s",
    )
    assert (message.message_group_id, message.deduplication_id) == ("g", "d")
    assert message.delay_seconds == 5  # FIFO queues delay at queue level only


def test_fifo_content_based_deduplication() -> None:
    q = queue(fifo=True, ContentBasedDeduplication="true")
    message = compose(q, {"MessageBody": "hello", "MessageGroupId": "g"}, "s")
    assert message.deduplication_id == hashlib.sha256(b"hello").hexdigest()
    assert message.deduplication_id == content_deduplication_id("hello")
    explicit = compose(
        q, {"MessageBody": "hello", "MessageGroupId": "g", "MessageDeduplicationId": "mine"}, "s"
    )
    assert explicit.deduplication_id == "mine"


def test_fifo_errors() -> None:
    q = queue(fifo=True)
    error = error_of(q, {"MessageBody": "x", "MessageDeduplicationId": "d"})
    assert (error.code, error.message) == (
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
    )
    error = error_of(q, {"MessageBody": "x", "MessageGroupId": "g"})
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
        "provided explicitly",
    )
    error = error_of(
        q,
        {
            "MessageBody": "x",
            "MessageGroupId": "g",
            "MessageDeduplicationId": "d",
            "DelaySeconds": 2,
        },
    )
    assert error.message == (
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that "
        "is not valid for this queue type."
    )
    compose(
        q,
        {
            "MessageBody": "x",
            "MessageGroupId": "g",
            "MessageDeduplicationId": "d",
            "DelaySeconds": 0,
        },
        "s",
    )
    error = error_of(
        q, {"MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "x" * 129}
    )
    assert error.message.startswith(
        "Value " + "x" * 129 + " for parameter MessageDeduplicationId is invalid."
    )


def test_fifo_batch_rules_fail_the_request() -> None:
    q = queue(fifo=True)
    good: dict[str, Any] = {
        "Id": "1",
        "MessageBody": "x",
        "MessageGroupId": "g",
        "MessageDeduplicationId": "d",
    }
    check_fifo_batch(q, [good])
    check_fifo_batch(queue(), [{"Id": "1", "MessageBody": "x"}])  # standard: nothing to check
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"Id": "2", "MessageBody": "x", "MessageDeduplicationId": "d"},
            "The request must contain the parameter MessageGroupId.",
        ),
        (
            {"Id": "2", "MessageBody": "x", "MessageGroupId": "g"},
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly",
        ),
        (
            dict(good, Id="2", DelaySeconds=3),
            "Value 3 for parameter DelaySeconds is invalid. Reason: The request include "
            "parameter that is not valid for this queue type.",
        ),
    ]
    for bad, message in cases:
        with pytest.raises(AwsError) as info:
            check_fifo_batch(q, [good, bad])
        assert (info.value.code, info.value.message) == ("InvalidParameterValue", message)
    check_fifo_batch(
        queue(fifo=True, ContentBasedDeduplication="true"),
        [{"Id": "1", "MessageBody": "x", "MessageGroupId": "g"}],
    )
