"""Message, attribute and batch rules with SQS's exact codes and messages."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_sqs import validation as v


def error_of(call: Callable[..., object], *args: Any) -> AwsError:
    with pytest.raises(AwsError) as info:
        call(*args)
    return info.value


# -- bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["\t\n\r", " ~", "\u00e9\ud7ff", "\ue000\ufffd", "\U00010000\U0010ffff", '{"json": [1]}'],
)
def test_allowed_characters(body: str) -> None:
    v.check_body_contents(body)


ALLOWED_SET = (
    "the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | "
    "[#x10000-#x10FFFF]."
)


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x00", "#x0"),
        ("\x07", "#x7"),
        ("\x0b", "#xB"),
        ("\x1f", "#x1F"),
        ("\ud800", "#xD800"),
        ("\udfff", "#xDFFF"),
        ("\ufffe", "#xFFFE"),
        ("\uffff", "#xFFFF"),
    ],
)
def test_disallowed_characters(char: str, shown: str) -> None:
    # AWS names the first offending character: "Invalid binary character '#x7' was found
    # in the message body, the set of allowed characters is ..."
    error = error_of(v.check_body_contents, f"ok{char}ok\x01")
    assert error.code == "InvalidMessageContents"
    assert error.http_status == 400
    assert error.message == (
        f"Invalid binary character '{shown}' was found in the message body, {ALLOWED_SET}"
    )


@pytest.mark.parametrize("body", [None, "", 5])
def test_missing_body(body: object) -> None:
    error = error_of(v.check_body, body)
    assert (error.code, error.message) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    )


def test_size_counts_body_and_attribute_names_types_values() -> None:
    attributes = {
        "Yolo": {"DataType": "Number.customtype", "StringValue": "12345678901234567890"},
        "bin": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"12345").decode()},
    }
    # 3 body bytes ("é" is 2) + 4 + 17 + 20 + 3 + 6 + 5
    assert v.message_size("aé", attributes) == 3 + 4 + 17 + 20 + 3 + 6 + 5


def test_size_limit_is_inclusive_and_worded_as_aws() -> None:
    v.check_size("a" * 1024, None, 1024)
    error = error_of(
        v.check_size, "a" * 1000, {"k": {"DataType": "String", "StringValue": "x" * 20}}, 1024
    )
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    )
    error = error_of(v.check_size, "a" * (v.MAX_MESSAGE_SIZE + 1), None, v.MAX_MESSAGE_SIZE)
    assert error.message.endswith("Message must be shorter than 1048576 bytes.")


def test_delay_range() -> None:
    v.check_delay(0)
    v.check_delay(900)
    error = error_of(v.check_delay, 901)
    assert error.message == (
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
        "and <= 900."
    )
    assert error_of(v.check_delay, -1).code == "InvalidParameterValue"


@pytest.mark.parametrize("token", ["a", "x" * 128, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "Ab9"])
def test_fifo_token_accepts(token: str) -> None:
    assert v.check_fifo_token(token, "MessageGroupId") == token


@pytest.mark.parametrize("token", ["", "x" * 129, "a b", "é", 7])
def test_fifo_token_rejects(token: object) -> None:
    error = error_of(v.check_fifo_token, token, "MessageDeduplicationId")
    assert error.code == "InvalidParameterValue"
    assert error.message == (
        f"Value {token} for parameter MessageDeduplicationId is invalid. Reason: "
        "MessageDeduplicationId can only include alphanumeric and punctuation characters. "
        "1 to 128 in length."
    )


# -- message attributes ------------------------------------------------------------------


def attr(value: str = "v", data_type: str = "String") -> dict[str, str]:
    return {"DataType": data_type, "StringValue": value}


def test_valid_attributes_are_normalised() -> None:
    checked = v.check_message_attributes(
        {
            "a.b-c_D9": attr(),
            "n": attr("-12.5e3", "Number.float"),
            "bin": {"DataType": "Binary.png", "BinaryValue": "AAE=", "StringValue": "ignored"},
        }
    )
    assert checked == {
        "a.b-c_D9": {"DataType": "String", "StringValue": "v"},
        "n": {"DataType": "Number.float", "StringValue": "-12.5e3"},
        "bin": {"DataType": "Binary.png", "BinaryValue": "AAE="},
    }


def test_at_most_ten_attributes() -> None:
    v.check_message_attributes({f"a{i}": attr() for i in range(10)})
    error = error_of(v.check_message_attributes, {f"a{i}": attr() for i in range(11)})
    assert error.message == "Number of message attributes [11] exceeds the allowed maximum [10]."


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "The request must contain non-empty message (user) attribute names."),
        ("x" * 256, "Message (user) attribute names must be shorter than 256 Bytes"),
        (
            "has space",
            "Message (user) attributes name can only contain upper and lower score characters, "
            "digits, periods, hyphens and underscores. ",
        ),
        ("AWS.x", None),
        ("aws.x", None),
        ("Amazon.x", None),
        ("AMAZON.x", None),
        (".lead", None),
        ("trail.", None),
        ("two..dots", "Message (user) attribute name 'two..dots' is invalid."),
    ],
)
def test_attribute_name_rules(name: str, message: str | None) -> None:
    error = error_of(v.check_message_attributes, {name: attr()})
    assert error.code == "InvalidParameterValue"
    assert error.message == (
        message
        or "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These "
        "strings are reserved for internal use. Additionally, they cannot start or end with '.'."
    )


def test_name_of_255_bytes_is_fine() -> None:
    v.check_message_attributes({"x" * 255: attr()})
    assert v.is_valid_attribute_name("AWSx.ok")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "The message (user) attribute 'k' must contain a non-empty message attribute value."),
        (
            {"StringValue": "x"},
            "Message (user) attribute 'k' must contain a non-empty attribute type.",
        ),
        (
            {"DataType": "Strin", "StringValue": "x"},
            "The type of message (user) attribute 'k' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String.",
        ),
        (
            {"DataType": "Stringy", "StringValue": "x"},
            "The type of message (user) attribute 'k' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String.",
        ),
        (
            {"DataType": "String", "StringValue": ""},
            "Message (user) attribute 'k' must contain a non-empty value of type 'String'.",
        ),
        (
            {"DataType": "Number", "BinaryValue": "AAE="},
            "Message (user) attribute 'k' must contain a non-empty value of type 'Number'.",
        ),
        (
            {"DataType": "Binary", "StringValue": "x"},
            "Message (user) attribute 'k' must contain a non-empty value of type 'Binary'.",
        ),
        (
            {"DataType": "Binary", "BinaryValue": ""},
            "Message (user) attribute 'k' must contain a non-empty value of type 'Binary'.",
        ),
        (
            {"DataType": "String." + "x" * 249, "StringValue": "x"},
            "Message (user) attribute types must be shorter than 256 Bytes",
        ),
        (
            {"DataType": "String", "StringListValues": ["a"]},
            "Message attribute list values in SendMessage operation are not supported.",
        ),
        (
            {"DataType": "String", "StringValue": "bad\x00"},
            "Invalid binary character '#x0' was found in the message attribute 'k' value, "
            + ALLOWED_SET,
        ),
    ],
)
def test_attribute_value_rules(value: dict[str, Any], message: str) -> None:
    error = error_of(v.check_message_attributes, {"k": value})
    assert (error.code, error.message) == ("InvalidParameterValue", message)


@pytest.mark.parametrize(
    "number", ["0", "-0", "42", "-3.25", "1e125", "1.5E-128", "9" * 38, " 7 ", "0.000"]
)
def test_numbers_accepted(number: str) -> None:
    v.check_message_attributes({"n": attr(number, "Number")})


@pytest.mark.parametrize("number", ["abc", "NaN", "Infinity", "1e127", "1e-129", "1" * 39, "1.2.3"])
def test_numbers_rejected(number: str) -> None:
    error = error_of(v.check_message_attributes, {"n": attr(number, "Number.int")})
    assert error.message == "Can't cast the value of message (user) attribute 'n' to a number."


def test_system_attributes() -> None:
    trace = {"DataType": "String", "StringValue": "Root=1-abc"}
    assert v.check_system_attributes({"AWSTraceHeader": trace}) == {"AWSTraceHeader": trace}
    assert v.check_system_attributes(None) == {}
    error = error_of(v.check_system_attributes, {"Hello": trace})
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "Message system attribute name 'Hello' is invalid.",
    )
    error = error_of(
        v.check_system_attributes, {"AWSTraceHeader": {"DataType": "Number", "StringValue": "1"}}
    )
    assert error.code == "InvalidParameterValue"
    error = error_of(
        v.check_system_attributes, {"AWSTraceHeader": {"DataType": "String", "StringValue": ""}}
    )
    assert error.code == "InvalidParameterValue"
    error = error_of(
        v.check_system_attributes,
        {"AWSTraceHeader": {"DataType": "String", "StringValue": "\x02"}},
    )
    assert error.message == (
        "Invalid binary character '#x2' was found in the message system attribute "
        f"'AWSTraceHeader' value, {ALLOWED_SET}"
    )


# -- receive / visibility ----------------------------------------------------------------


def test_receive_parameter_messages() -> None:
    v.check_max_messages(1)
    v.check_max_messages(10)
    assert error_of(v.check_max_messages, 11).message == (
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
        "and 10, if provided."
    )
    assert error_of(v.check_max_messages, 0).code == "InvalidParameterValue"
    v.check_wait_seconds(20)
    assert error_of(v.check_wait_seconds, 21).message == (
        "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
        "if provided."
    )
    v.check_receive_visibility(43200)
    assert error_of(v.check_receive_visibility, 43201).message == (
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and "
        "<= 43200, if provided."
    )
    assert error_of(v.check_change_visibility, -1).message == (
        "Value -1 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
    )
    assert error_of(v.check_entry_visibility, -85).message == (
        "Value -85 for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be "
        "an integer between 0 and 43200."
    )


def test_integer_parameters() -> None:
    assert v.integer({"X": 5}, "X") == 5
    assert v.integer({"X": "7"}, "X") == 7
    assert v.integer({}, "X") is None
    assert error_of(v.integer, {"X": "seven"}, "X").code == "InvalidParameterValue"
    assert error_of(v.integer, {"X": True}, "X").code == "InvalidParameterValue"


@pytest.mark.parametrize("handle", [None, "", "   "])
def test_receipt_handle_required(handle: object) -> None:
    error = error_of(v.receipt_handle, handle)
    assert (error.code, error.message) == (
        "MissingParameter",
        "The request must contain the parameter ReceiptHandle.",
    )


# -- batches -----------------------------------------------------------------------------


def entries(*ids: object) -> list[dict[str, object]]:
    return [{"Id": entry_id, "MessageBody": "x"} for entry_id in ids]


def test_batch_entries_valid() -> None:
    checked = v.check_batch_entries(
        entries("a", "B-2", "c_3", "x" * 80), "SendMessageBatchRequestEntry"
    )
    assert [entry["Id"] for entry in checked] == ["a", "B-2", "c_3", "x" * 80]


@pytest.mark.parametrize("batch", [[], None])
def test_empty_batch(batch: object) -> None:
    error = error_of(v.check_batch_entries, batch, "DeleteMessageBatchRequestEntry")
    assert (error.code, error.message) == (
        "EmptyBatchRequest",
        "There should be at least one DeleteMessageBatchRequestEntry in the request.",
    )


def test_too_many_entries() -> None:
    error = error_of(v.check_batch_entries, entries(*[str(i) for i in range(20)]), "X")
    assert (error.code, error.message) == (
        "TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 20.",
    )


@pytest.mark.parametrize("bad", ["", "x" * 81, "invalid:id", "é", "a b"])
def test_invalid_entry_id(bad: str) -> None:
    error = error_of(v.check_batch_entries, entries("ok", bad), "X")
    assert (error.code, error.message) == (
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long.",
    )


def test_missing_entry_id() -> None:
    error = error_of(
        v.check_batch_entries, [{"Id": "1"}, {"MessageBody": "x"}], "SendMessageBatchRequestEntry"
    )
    assert (error.code, error.message) == (
        "MissingParameter",
        "The request must contain the parameter SendMessageBatchRequestEntry.2.Id.",
    )


def test_duplicate_entry_ids() -> None:
    error = error_of(v.check_batch_entries, entries("a", "b", "a"), "X")
    assert (error.code, error.message) == ("BatchEntryIdsNotDistinct", "Id a repeated.")


def test_batch_payload_limit() -> None:
    # The shape of an AWS-recorded case: bodies plus attribute names, types and values.
    batch: list[dict[str, Any]] = [
        {"Id": "1", "MessageBody": "a" * 524_288},
        {"Id": "2", "MessageBody": "b" * 524_216},
        {
            "Id": "3",
            "MessageBody": "message3",
            "MessageAttributes": {
                "Yolo": {"DataType": "Number.customtype", "StringValue": "12345678901234567890"}
            },
        },
        {
            "Id": "4",
            "MessageBody": "message4",
            "MessageAttributes": {"Yolo": {"DataType": "String", "StringValue": "c" * 50}},
        },
    ]
    error = error_of(v.check_batch_size, batch)
    total = 524_288 + 524_216 + (8 + 4 + 17 + 20) + (8 + 4 + 6 + 50)
    assert (error.code, error.message) == (
        "BatchRequestTooLong",
        f"Batch requests cannot be longer than 1048576 bytes. You have sent {total} bytes.",
    )
    batch[0]["MessageBody"] = "a" * (524_288 - (total - v.MAX_MESSAGE_SIZE))
    v.check_batch_size(batch)
