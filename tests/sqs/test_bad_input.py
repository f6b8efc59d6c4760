"""Bad input gets SQS's exact error, through boto3 (the JSON protocol).

SQS is awsQueryCompatible: its JSON errors carry an x-amzn-query-error header with the query
code, and boto3 (1.44.8) reports that code as Error.Code -- AWS.SimpleQueueService.NonExistentQueue,
not the shape name QueueDoesNotExist, which it keeps as Error.QueryErrorCode and uses to pick
the modeled exception class (sqs.exceptions.QueueDoesNotExist). Errors without a query code of
their own (InvalidParameterValue, InvalidAttributeValue, InvalidMessageContents,
ReceiptHandleIsInvalid) are reported under their plain names.

In a batch, an entry that is bad on its own fails alone in Failed[] while the others succeed;
only what concerns the request as a whole (duplicate or malformed ids, no entries, more than
10) fails the whole request.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sqs.conftest import (
    ACCOUNT,
    QueueFactory,
    SqsCloud,
    counts,
    error_code,
    http_status,
    name_of,
)

pytestmark = pytest.mark.system

MAX_SIZE = 1_048_576  # bytes: AWS's message size limit (and MaximumMessageSize's default)
# AWS's message names the allowed set; its wording of the ranges has varied ("#x20 to
# #xD7FF", "[#x20-#xD7FF]"), so only the start is checked.
ALLOWED = "the set of allowed characters is #x9 | #xA | #xD"


def fails(call: Any, **params: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value


def message_of(error: ClientError) -> str:
    text: str = error.response["Error"]["Message"]
    return text


def test_a_missing_queue(sqs_cloud: SqsCloud, sqs: Any) -> None:
    url = f"{sqs_cloud.endpoint}/{ACCOUNT}/missing-{uuid.uuid4().hex[:12]}"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    error = caught.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["QueryErrorCode"] == "QueueDoesNotExist"
    assert error["Type"] == "Sender"
    assert error["Message"] == "The specified queue does not exist."
    assert http_status(caught.value) == 400
    missing = fails(sqs.get_queue_url, QueueName=url.rsplit("/", 1)[1])
    assert error_code(missing) == "AWS.SimpleQueueService.NonExistentQueue"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VisibilityTimeout", "43201"),
        ("VisibilityTimeout", "-1"),
        ("VisibilityTimeout", "thirty"),
        ("DelaySeconds", "901"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "1048577"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
    ],
)
def test_invalid_attribute_values(sqs: Any, queue: QueueFactory, name: str, value: str) -> None:
    created = fails(
        sqs.create_queue, QueueName=f"t-{uuid.uuid4().hex[:20]}", Attributes={name: value}
    )
    assert error_code(created) == "InvalidAttributeValue"
    assert http_status(created) == 400
    assert message_of(created).startswith(f"Invalid value for the parameter {name}.")

    url = queue()
    changed = fails(sqs.set_queue_attributes, QueueUrl=url, Attributes={name: value})
    assert error_code(changed) == "InvalidAttributeValue"
    assert message_of(changed).startswith(f"Invalid value for the parameter {name}.")


def test_the_limits_themselves_are_valid(sqs: Any, queue: QueueFactory) -> None:
    url = queue(
        VisibilityTimeout=43200,
        DelaySeconds=900,
        MessageRetentionPeriod=1209600,
        MaximumMessageSize=1024,
        ReceiveMessageWaitTimeSeconds=20,
    )
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "VisibilityTimeout": "0",
            "DelaySeconds": "0",
            "MessageRetentionPeriod": "60",
            "MaximumMessageSize": str(MAX_SIZE),
            "ReceiveMessageWaitTimeSeconds": "0",
        },
    )
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert got["MessageRetentionPeriod"] == "60"
    assert got["MaximumMessageSize"] == str(MAX_SIZE)


def test_an_unknown_attribute_name(sqs: Any, queue: QueueFactory) -> None:
    error = fails(sqs.set_queue_attributes, QueueUrl=queue(), Attributes={"Colour": "blue"})
    assert error_code(error) == "InvalidAttributeName"
    assert message_of(error) == "Unknown Attribute Colour."


def test_an_over_long_body(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    error = fails(sqs.send_message, QueueUrl=url, MessageBody="x" * (MAX_SIZE + 1))
    assert error_code(error) == "InvalidParameterValue"
    assert http_status(error) == 400
    assert message_of(error) == (
        f"One or more parameters are invalid. Reason: Message must be shorter than "
        f"{MAX_SIZE} bytes."
    )
    # Exactly the limit is fine, and comes back whole.
    body = "y" * (MAX_SIZE - 1) + "z"
    sqs.send_message(QueueUrl=url, MessageBody=body)
    (message,) = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert message["Body"] == body

    # A queue's own MaximumMessageSize counts too: 1024 bytes, multi-byte characters by bytes.
    small = queue(MaximumMessageSize=1024)
    sqs.send_message(QueueUrl=small, MessageBody="é" * 512)
    error = fails(sqs.send_message, QueueUrl=small, MessageBody="é" * 512 + "x")
    assert error_code(error) == "InvalidParameterValue"
    assert message_of(error).endswith("Reason: Message must be shorter than 1024 bytes.")


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_characters_outside_the_allowed_set(sqs: Any, queue: QueueFactory, bad: str) -> None:
    error = fails(sqs.send_message, QueueUrl=queue(), MessageBody=f"before{bad}after")
    assert error_code(error) == "InvalidMessageContents"
    assert http_status(error) == 400
    assert ALLOWED in message_of(error)


def test_the_allowed_set_round_trips(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    body = "tab\tlf\ncr\r space ~ \u00e9 \ud7ff \ue000 \ufffd \U0001f600 \U0010ffff"
    sqs.send_message(QueueUrl=url, MessageBody=body)
    (message,) = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert message["Body"] == body


def test_a_bad_receipt_handle(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    for call, extra in (
        (sqs.delete_message, {}),
        (sqs.change_message_visibility, {"VisibilityTimeout": 10}),
    ):
        error = fails(call, QueueUrl=url, ReceiptHandle="garbage", **extra)
        assert error_code(error) == "ReceiptHandleIsInvalid"
        assert http_status(error) == 404
        assert message_of(error) == (
            'The input receipt handle "garbage" is not a valid receipt handle.'
        )


def test_a_receipt_handle_of_another_queue(sqs: Any, queue: QueueFactory) -> None:
    one, other = queue(), queue()
    sqs.send_message(QueueUrl=one, MessageBody="x")
    (message,) = sqs.receive_message(QueueUrl=one)["Messages"]
    error = fails(sqs.delete_message, QueueUrl=other, ReceiptHandle=message["ReceiptHandle"])
    assert error_code(error) == "ReceiptHandleIsInvalid"
    sqs.delete_message(QueueUrl=one, ReceiptHandle=message["ReceiptHandle"])


def test_batch_entry_ids(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    duplicate = fails(
        sqs.send_message_batch,
        QueueUrl=url,
        Entries=[
            {"Id": "same", "MessageBody": "a"},
            {"Id": "other", "MessageBody": "b"},
            {"Id": "same", "MessageBody": "c"},
        ],
    )
    assert error_code(duplicate) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    assert http_status(duplicate) == 400
    for call in (sqs.delete_message_batch, sqs.change_message_visibility_batch):
        extra = {"VisibilityTimeout": 5} if call is sqs.change_message_visibility_batch else {}
        error = fails(
            call,
            QueueUrl=url,
            Entries=[
                {"Id": "same", "ReceiptHandle": "h1", **extra},
                {"Id": "same", "ReceiptHandle": "h2", **extra},
            ],
        )
        assert error_code(error) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"

    malformed = fails(
        sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": "a:b", "MessageBody": "x"}]
    )
    assert error_code(malformed) == "AWS.SimpleQueueService.InvalidBatchEntryId"
    assert message_of(malformed) == (
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long."
    )
    empty = fails(sqs.send_message_batch, QueueUrl=url, Entries=[])
    assert error_code(empty) == "AWS.SimpleQueueService.EmptyBatchRequest"
    too_many = fails(
        sqs.send_message_batch,
        QueueUrl=url,
        Entries=[{"Id": str(n), "MessageBody": "x"} for n in range(11)],
    )
    assert error_code(too_many) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    # Nothing of the refused requests was stored.
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)


def test_in_a_batch_a_bad_entry_fails_alone(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    reply = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok1", "MessageBody": "first"},
            {"Id": "bad", "MessageBody": "control \x01 character"},
            {"Id": "ok2", "MessageBody": "second"},
            {"Id": "ok3", "MessageBody": "third", "DelaySeconds": 0},
        ],
    )
    assert sorted(e["Id"] for e in reply["Successful"]) == ["ok1", "ok2", "ok3"]
    (failed,) = reply["Failed"]
    assert failed["Id"] == "bad"
    assert failed["Code"] == "InvalidMessageContents"
    assert failed["SenderFault"] is True
    assert ALLOWED in failed["Message"]

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)[
        "Messages"
    ]
    assert sorted(m["Body"] for m in messages) == ["first", "second", "third"]

    # Deleting: the good handles go, the bad one fails alone.
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": f"m{n}", "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
        ]
        + [{"Id": "bogus", "ReceiptHandle": "garbage"}],
    )
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["m0", "m1", "m2"]
    (bogus,) = deleted["Failed"]
    assert (bogus["Id"], bogus["Code"], bogus["SenderFault"]) == (
        "bogus",
        "ReceiptHandleIsInvalid",
        True,
    )
    assert counts(sqs, url) == (0, 0, 0)


def test_receive_parameters_out_of_range(sqs: Any, queue: QueueFactory) -> None:
    url = queue()
    for params in ({"MaxNumberOfMessages": 11}, {"MaxNumberOfMessages": 0}):
        error = fails(sqs.receive_message, QueueUrl=url, **params)
        assert error_code(error) == "InvalidParameterValue"
    wait = fails(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=21)
    assert error_code(wait) == "InvalidParameterValue"
    delay = fails(sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert error_code(delay) == "InvalidParameterValue"


def test_queue_names_taken_and_recently_deleted(sqs: Any, queue: QueueFactory) -> None:
    url = queue(VisibilityTimeout=30)
    name = name_of(url)
    # The same name with the same attributes is the same queue; with others it is taken.
    assert (
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"] == url
    )
    taken = fails(sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "31"})
    assert error_code(taken) == "QueueAlreadyExists"
    assert http_status(taken) == 400

    sqs.delete_queue(QueueUrl=url)
    recent = fails(sqs.create_queue, QueueName=name)
    assert error_code(recent) == "AWS.SimpleQueueService.QueueDeletedRecently"
    assert http_status(recent) == 400

    for bad in ("has space", "x" * 81, "dot.in.name"):
        error = fails(sqs.create_queue, QueueName=bad)
        assert error_code(error) == "InvalidParameterValue", bad
