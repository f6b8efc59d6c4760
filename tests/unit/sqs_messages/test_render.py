"""ReceiveMessage returns only what was asked for, with MD5OfMessageAttributes over it.

The selections and digests replay an AWS-recorded exchange (LocalStack's validated
test_receive_message_message_attribute_names_filters snapshot).
"""

from __future__ import annotations

from typing import Any

import pytest
from nimbus_sqs.md5 import md5_of_body
from nimbus_sqs.model import StoredMessage
from nimbus_sqs.render import Selection, render

ATTRIBUTES = {
    "General": {"DataType": "String", "StringValue": "Kenobi"},
    "Hello": {"DataType": "String", "StringValue": "There"},
    "Help.Me": {"DataType": "String", "StringValue": "Me"},
}


def stored(**changes: Any) -> StoredMessage:
    fields: dict[str, Any] = {
        "message_id": "m-1",
        "receipt_handle": "rh-1",
        "body": "msg",
        "md5_of_body": md5_of_body("msg"),
        "message_attributes": ATTRIBUTES,
        "md5_of_message_attributes": "4c360f3fdafd970e05fae2f149d997f5",
        "system_attributes": {},
        "md5_of_system_attributes": None,
        "sent_timestamp_ms": 1_700_000_000_000,
        "sender_id": "AIDAEXAMPLE",
        "receive_count": 2,
        "first_receive_timestamp_ms": 1_700_000_000_500,
    }
    fields.update(changes)
    return StoredMessage(**fields)


def receive(**params: Any) -> dict[str, Any]:
    return render(stored(), Selection.of(params))


@pytest.mark.parametrize(
    ("names", "returned", "digest"),
    [
        (["All"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
        (["*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
        ([".*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
        (["Hello", "General"], ["General", "Hello"], "fca026605781cb4126a1e9044df24232"),
        (["Foo", "Hello"], ["Hello"], "a311262e065454b75da111d535b8dacd"),
        (["Hel.*"], ["Hello", "Help.Me"], "83fee93c1bcd8b9a5a923ffacdc636c7"),
    ],
)
def test_message_attribute_selection(names: list[str], returned: list[str], digest: str) -> None:
    message = receive(MessageAttributeNames=names)
    assert sorted(message["MessageAttributes"]) == returned
    assert message["MD5OfMessageAttributes"] == digest
    assert message["MD5OfBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"


def test_nothing_asked_nothing_returned() -> None:
    assert receive() == {
        "MessageId": "m-1",
        "ReceiptHandle": "rh-1",
        "MD5OfBody": "6e2baaf3b97dbeef01c0043275f9a0e7",
        "Body": "msg",
    }


def test_names_that_match_nothing() -> None:
    for names in (["Foo", "Help"], ["AWS."], ["..foo"]):
        message = receive(MessageAttributeNames=names)
        assert "MessageAttributes" not in message and "MD5OfMessageAttributes" not in message


def test_system_attributes_standard_queue() -> None:
    message = receive(MessageSystemAttributeNames=["All"])
    assert message["Attributes"] == {
        "SenderId": "AIDAEXAMPLE",
        "SentTimestamp": "1700000000000",
        "ApproximateReceiveCount": "2",
        "ApproximateFirstReceiveTimestamp": "1700000000500",
    }
    assert "MessageAttributes" not in message


def test_deprecated_attribute_names_and_single_attribute() -> None:
    assert receive(AttributeNames=["SenderId"])["Attributes"] == {"SenderId": "AIDAEXAMPLE"}
    both = receive(
        AttributeNames=["SenderId"], MessageSystemAttributeNames=["ApproximateReceiveCount"]
    )
    assert both["Attributes"] == {"SenderId": "AIDAEXAMPLE", "ApproximateReceiveCount": "2"}
    assert "Attributes" not in receive(AttributeNames=["SequenceNumber", "NoSuchThing"])


def test_system_attributes_fifo_dlq_and_trace() -> None:
    message = stored(
        message_group_id="g1",
        deduplication_id="d1",
        sequence_number="18849496460467696128",
        dead_letter_source_arn="arn:aws:sqs:us-east-1:000000000000:src",
        system_attributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-x"}},
    )
    attributes = render(message, Selection.of({"AttributeNames": ["All"]}))["Attributes"]
    assert attributes["MessageGroupId"] == "g1"
    assert attributes["MessageDeduplicationId"] == "d1"
    assert attributes["SequenceNumber"] == "18849496460467696128"
    assert attributes["DeadLetterQueueSourceArn"] == "arn:aws:sqs:us-east-1:000000000000:src"
    assert attributes["AWSTraceHeader"] == "Root=1-x"
    only = render(
        message, Selection.of({"MessageSystemAttributeNames": ["MessageGroupId", "AWSTraceHeader"]})
    )
    assert only["Attributes"] == {"MessageGroupId": "g1", "AWSTraceHeader": "Root=1-x"}
