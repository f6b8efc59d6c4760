"""What SQS accepts in a message and in a batch, with AWS's error codes and wording.

Pure checks: each raises the AwsError AWS answers with, so a handler (or, for a batch
entry, batch.py) only has to call them in AWS's order. Where the wording comes from an
AWS-recorded response it is copied verbatim, odd grammar included.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_sqs.errors import invalid_parameter_value, missing_parameter
from nimbus_sqs.md5 import binary_bytes

MAX_MESSAGE_SIZE = 1_048_576  # 1 MiB: the largest message and the largest batch
MAX_ATTRIBUTES = 10
MAX_BATCH_ENTRIES = 10
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT = 43_200
MAX_WAIT_SECONDS = 20
MAX_RECEIVE = 10
MAX_NAME_BYTES = 256  # attribute names and data types must be shorter than this

# The W3C XML character set SQS allows in bodies and string attribute values.
_ALLOWED_TEXT = re.compile("^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_RESERVED_PREFIXES = ("aws.", "amazon.")
_BASE_TYPES = ("String", "Number", "Binary")
_BATCH_ENTRY_ID = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
# MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId: 1..128 of these.
_FIFO_TOKEN = re.compile(r"^[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}$")
_SYSTEM_ATTRIBUTES = ("AWSTraceHeader",)
# How AWS's InvalidMessageContents (and the attribute-value variant) name that set.
_ALLOWED_SET = (
    "the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | "
    "[#x10000-#x10FFFF]."
)


# -- messages ----------------------------------------------------------------------------


def first_disallowed(text: str) -> str | None:
    """The first character outside SQS's allowed set, None when all are allowed."""
    if _ALLOWED_TEXT.match(text) is not None:
        return None
    return next(c for c in text if _ALLOWED_TEXT.match(c) is None)


def _hex(char: str) -> str:
    return f"#x{ord(char):X}"


def invalid_message_contents(char: str) -> AwsError:
    return AwsError(
        "InvalidMessageContents",
        f"Invalid binary character '{_hex(char)}' was found in the message body, {_ALLOWED_SET}",
        400,
    )


def _invalid_attribute_text(name: str, char: str, kind: str = "message attribute") -> AwsError:
    return invalid_parameter_value(
        f"Invalid binary character '{_hex(char)}' was found in the {kind} '{name}' value, "
        f"{_ALLOWED_SET}"
    )


def check_body(body: Any, parameter: str = "MessageBody") -> str:
    """The body, present and non-empty (else MissingParameter for `parameter`)."""
    if not isinstance(body, str) or body == "":
        raise missing_parameter(parameter)
    return body


def check_body_contents(body: str) -> None:
    bad = first_disallowed(body)
    if bad is not None:
        raise invalid_message_contents(bad)


def message_size(body: str, attributes: Mapping[str, Any] | None) -> int:
    """What counts against MaximumMessageSize: the body and every attribute's name, data
    type and value, in bytes (system attributes do not count).
    """
    return _utf8_len(body) + attributes_size(attributes)


def attributes_size(attributes: Mapping[str, Any] | None) -> int:
    total = 0
    for name, value in (attributes or {}).items():
        total += _utf8_len(name)
        if not isinstance(value, Mapping):
            continue
        for key in ("DataType", "StringValue"):
            if isinstance(value.get(key), str):
                total += _utf8_len(value[key])
        if value.get("BinaryValue") is not None:
            try:
                total += len(binary_bytes(value["BinaryValue"]))
            except (binascii.Error, ValueError):
                total += _utf8_len(str(value["BinaryValue"]))
    return total


def check_size(body: str, attributes: Mapping[str, Any] | None, limit: int) -> None:
    if message_size(body, attributes) > limit:
        raise invalid_parameter_value(
            f"One or more parameters are invalid. Reason: Message must be shorter than "
            f"{limit} bytes."
        )


def check_delay(delay: int) -> None:
    if not 0 <= delay <= MAX_DELAY_SECONDS:
        raise invalid_parameter_value(
            f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
            f"be >= 0 and <= {MAX_DELAY_SECONDS}."
        )


def check_fifo_token(value: Any, parameter: str) -> str:
    """MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId syntax."""
    if not isinstance(value, str) or _FIFO_TOKEN.match(value) is None:
        raise invalid_parameter_value(
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can "
            "only include alphanumeric and punctuation characters. 1 to 128 in length."
        )
    return value


def not_for_this_queue_type(parameter: str, value: Any) -> AwsError:
    """A FIFO-only parameter on a standard queue, or per-message DelaySeconds on a FIFO
    queue (AWS's grammar: "include parameter").
    """
    return invalid_parameter_value(
        f"Value {value} for parameter {parameter} is invalid. Reason: The request include "
        "parameter that is not valid for this queue type."
    )


def fifo_deduplication_required() -> AwsError:
    return invalid_parameter_value(
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly"
    )


# -- message attributes ------------------------------------------------------------------


def check_message_attributes(attributes: Any) -> dict[str, dict[str, Any]]:
    """MessageAttributes: at most 10, valid names, a known type and a value that fits it.
    Returns them normalised to {name: {"DataType", "StringValue"|"BinaryValue"}}.
    """
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise invalid_parameter_value(
            "The request must contain non-empty message (user) attribute names."
        )
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid_parameter_value(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    checked: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        check_attribute_name(name)
        checked[name] = _check_attribute_value(name, value)
    return checked


def check_attribute_name(name: Any) -> None:
    if not isinstance(name, str) or name == "":
        raise invalid_parameter_value(
            "The request must contain non-empty message (user) attribute names."
        )
    if len(name.encode("utf-8", "surrogatepass")) >= MAX_NAME_BYTES:
        raise invalid_parameter_value(
            "Message (user) attribute names must be shorter than 256 Bytes"
        )
    if _ATTRIBUTE_NAME.match(name) is None:
        raise invalid_parameter_value(
            "Message (user) attributes name can only contain upper and lower score "
            "characters, digits, periods, hyphens and underscores. "
        )
    lowered = name.lower()
    if lowered.startswith(_RESERVED_PREFIXES) or name.startswith(".") or name.endswith("."):
        raise invalid_parameter_value(
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. "
            "These strings are reserved for internal use. Additionally, they cannot start "
            "or end with '.'."
        )
    if ".." in name:
        raise invalid_parameter_value(f"Message (user) attribute name '{name}' is invalid.")


def is_valid_attribute_name(name: str) -> bool:
    try:
        check_attribute_name(name)
    except AwsError:
        return False
    return True


def _check_attribute_value(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not value:
        raise invalid_parameter_value(
            f"The message (user) attribute '{name}' must contain a non-empty message "
            "attribute value."
        )
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise invalid_parameter_value(
            "Message attribute list values in SendMessage operation are not supported."
        )
    data_type = value.get("DataType")
    if not isinstance(data_type, str) or data_type == "":
        raise invalid_parameter_value(
            f"Message (user) attribute '{name}' must contain a non-empty attribute type."
        )
    base = data_type.split(".", 1)[0]
    if base not in _BASE_TYPES:
        raise invalid_parameter_value(
            f"The type of message (user) attribute '{name}' is invalid. You must use only "
            "the following supported type prefixes: Binary, Number, String."
        )
    if len(data_type.encode("utf-8", "surrogatepass")) >= MAX_NAME_BYTES:
        raise invalid_parameter_value(
            "Message (user) attribute types must be shorter than 256 Bytes"
        )
    if base == "Binary":
        binary = value.get("BinaryValue")
        if binary is None or _binary_length(name, binary) == 0:
            raise _empty_value(name, base)
        return {"DataType": data_type, "BinaryValue": binary}
    text = value.get("StringValue")
    if not isinstance(text, str) or text == "":
        raise _empty_value(name, base)
    bad = first_disallowed(text)
    if bad is not None:
        raise _invalid_attribute_text(name, bad)
    if base == "Number":
        _check_number(name, text)
    return {"DataType": data_type, "StringValue": text}


def _empty_value(name: str, base: str) -> AwsError:
    return invalid_parameter_value(
        f"Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
    )


def _binary_length(name: str, value: Any) -> int:
    try:
        return len(binary_bytes(value))
    except (binascii.Error, ValueError) as exc:
        raise invalid_parameter_value(
            f"Message (user) attribute '{name}' must contain a non-empty value of type 'Binary'."
        ) from exc


def _check_number(name: str, text: str) -> None:
    """AWS numbers: up to 38 significant digits, magnitude between 10^-128 and 10^+126."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if number.is_finite() and (number.is_zero() or _number_in_range(number)):
        return
    raise invalid_parameter_value(
        f"Can't cast the value of message (user) attribute '{name}' to a number."
    )


def _number_in_range(number: Decimal) -> bool:
    # Significant digits without leading or trailing zeros (normalize() would round to
    # the context's 28 digits).
    significant = "".join(map(str, number.as_tuple().digits)).strip("0")
    adjusted = number.adjusted()  # the exponent of the leading digit
    return len(significant) <= 38 and -128 <= adjusted <= 126


def check_system_attributes(attributes: Any) -> dict[str, dict[str, Any]]:
    """MessageSystemAttributes: only AWSTraceHeader, a non-empty String."""
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise invalid_parameter_value("Message system attribute name 'None' is invalid.")
    checked: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        if name not in _SYSTEM_ATTRIBUTES:
            raise invalid_parameter_value(f"Message system attribute name '{name}' is invalid.")
        data_type = value.get("DataType") if isinstance(value, Mapping) else None
        if data_type != "String":
            raise invalid_parameter_value(
                f"The type of message system attribute '{name}' is invalid. You must use "
                "only the following supported type prefixes: String."
            )
        text = value.get("StringValue")
        if not isinstance(text, str) or text == "":
            raise invalid_parameter_value(
                f"Message system attribute '{name}' must contain a non-empty value of type "
                "'String'."
            )
        bad = first_disallowed(text)
        if bad is not None:
            raise _invalid_attribute_text(name, bad, "message system attribute")
        checked[name] = {"DataType": "String", "StringValue": text}
    return checked


# -- receive and visibility parameters ---------------------------------------------------


def _out_of_range(parameter: str, value: int, reason: str) -> AwsError:
    """SQS's wording for a number outside its range; the reason differs per operation."""
    return invalid_parameter_value(
        f"Value {value} for parameter {parameter} is invalid. Reason: {reason}"
    )


def check_max_messages(value: int) -> None:
    if not 1 <= value <= MAX_RECEIVE:
        raise _out_of_range(
            "MaxNumberOfMessages", value, f"Must be between 1 and {MAX_RECEIVE}, if provided."
        )


def check_wait_seconds(value: int) -> None:
    if not 0 <= value <= MAX_WAIT_SECONDS:
        raise _out_of_range(
            "WaitTimeSeconds", value, f"Must be >= 0 and <= {MAX_WAIT_SECONDS}, if provided."
        )


def check_receive_visibility(value: int) -> None:
    if not 0 <= value <= MAX_VISIBILITY_TIMEOUT:
        raise _out_of_range(
            "VisibilityTimeout",
            value,
            f"Must be >= 0 and <= {MAX_VISIBILITY_TIMEOUT}, if provided.",
        )


def check_change_visibility(value: int) -> None:
    if not 0 <= value <= MAX_VISIBILITY_TIMEOUT:
        raise _out_of_range(
            "VisibilityTimeout", value, f"Must be between 0 and {MAX_VISIBILITY_TIMEOUT}."
        )


def check_entry_visibility(value: int) -> None:
    """ChangeMessageVisibilityBatch words the same range check differently per entry."""
    if not 0 <= value <= MAX_VISIBILITY_TIMEOUT:
        raise _out_of_range(
            "VisibilityTimeout",
            value,
            f"VisibilityTimeout must be an integer between 0 and {MAX_VISIBILITY_TIMEOUT}.",
        )


def integer(params: Mapping[str, Any], name: str) -> int | None:
    """An integer parameter, None when absent. The parsers hand over ints; a string that
    is no integer gets AWS's "not a valid integer" treatment.
    """
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise _not_an_integer(name, value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise _not_an_integer(name, value) from exc


def _not_an_integer(name: str, value: Any) -> AwsError:
    return invalid_parameter_value(
        f"Value {value} for parameter {name} is invalid. Reason: Must be an integer."
    )


def receipt_handle(value: Any) -> str:
    if not isinstance(value, str) or value.strip() == "":
        raise missing_parameter("ReceiptHandle")
    return value


# -- batches -----------------------------------------------------------------------------


def check_batch_entries(entries: Any, entry_name: str) -> list[Mapping[str, Any]]:
    """The request-level batch rules, in AWS's order: at least one entry (EmptyBatchRequest),
    at most ten (TooManyEntriesInBatchRequest), every Id present and well-formed
    (InvalidBatchEntryId), no Id twice (BatchEntryIdsNotDistinct).

    entry_name is how AWS names one entry in these messages, e.g.
    "SendMessageBatchRequestEntry".
    """
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        raise AwsError(
            "EmptyBatchRequest",
            f"There should be at least one {entry_name} in the request.",
            400,
        )
    if len(entries) > MAX_BATCH_ENTRIES:
        raise AwsError(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent "
            f"{len(entries)}.",
            400,
        )
    seen: set[str] = set()
    checked: list[Mapping[str, Any]] = []
    for index, entry in enumerate(entries, start=1):
        entry_id = entry.get("Id") if isinstance(entry, Mapping) else None
        if entry_id is None:
            raise missing_parameter(f"{entry_name}.{index}.Id")
        if not isinstance(entry_id, str) or _BATCH_ENTRY_ID.match(entry_id) is None:
            raise AwsError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
                400,
            )
        if entry_id in seen:
            raise AwsError("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.", 400)
        seen.add(entry_id)
        assert isinstance(entry, Mapping)
        checked.append(entry)
    return checked


def check_batch_size(entries: Sequence[Mapping[str, Any]]) -> None:
    """The whole SendMessageBatch payload (bodies and attributes) fits in 1 MiB."""
    total = 0
    for entry in entries:
        body = entry.get("MessageBody")
        total += _utf8_len(body) if isinstance(body, str) else 0
        attributes = entry.get("MessageAttributes")
        total += attributes_size(attributes if isinstance(attributes, Mapping) else None)
    if total > MAX_MESSAGE_SIZE:
        raise AwsError(
            "BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent "
            f"{total} bytes.",
            400,
        )


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
