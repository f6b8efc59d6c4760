"""StoredMessage -> ReceiveMessage's Message: only the attributes the caller asked for.

AWS returns system attributes (Attributes) only when named in MessageSystemAttributeNames
or the deprecated AttributeNames, and message attributes only when named in
MessageAttributeNames: "All", ".*" or "*" for every one, "prefix.*" for those starting
with prefix, or exact names; names that could not exist (e.g. "AWS.") select nothing, and
when nothing is selected both MessageAttributes and its digest are left out.
MD5OfMessageAttributes is computed over the attributes actually returned, which is what
the SDKs that check it recompute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nimbus_sqs.md5 import md5_of_attributes
from nimbus_sqs.model import StoredMessage
from nimbus_sqs.validation import is_valid_attribute_name

ALL = "All"
_EVERY_ATTRIBUTE = frozenset({"All", ".*", "*"})


def _trace_header(message: StoredMessage) -> str | None:
    value = message.system_attributes.get("AWSTraceHeader")
    return value.get("StringValue") if isinstance(value, Mapping) else None


def _text(value: int | str | None) -> str | None:
    return None if value is None else str(value)


# Every system attribute ReceiveMessage can return, and where it comes from.
SYSTEM_ATTRIBUTES: dict[str, Callable[[StoredMessage], str | None]] = {
    "SenderId": lambda m: m.sender_id,
    "SentTimestamp": lambda m: str(m.sent_timestamp_ms),
    "ApproximateReceiveCount": lambda m: str(m.receive_count),
    "ApproximateFirstReceiveTimestamp": lambda m: str(m.first_receive_timestamp_ms),
    "SequenceNumber": lambda m: _text(m.sequence_number),
    "MessageDeduplicationId": lambda m: m.deduplication_id,
    "MessageGroupId": lambda m: m.message_group_id,
    "AWSTraceHeader": _trace_header,
    "DeadLetterQueueSourceArn": lambda m: m.dead_letter_source_arn,
}


@dataclass(frozen=True)
class Selection:
    """What one ReceiveMessage asked to see."""

    system: frozenset[str]
    every_attribute: bool
    attribute_names: frozenset[str]
    attribute_prefixes: tuple[str, ...]
    # False when no selector could match anything: nothing to filter.
    attributes_requested: bool

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Selection:
        system_names = set(_strings(params.get("AttributeNames")))
        system_names |= set(_strings(params.get("MessageSystemAttributeNames")))
        system = frozenset(SYSTEM_ATTRIBUTES if ALL in system_names else system_names)
        every = False
        names: set[str] = set()
        prefixes: list[str] = []
        requested = False
        for selector in _strings(params.get("MessageAttributeNames")):
            if selector in _EVERY_ATTRIBUTE:
                every = requested = True
            elif selector.endswith(".*"):
                prefixes.append(selector[:-2])
                requested = True
            elif is_valid_attribute_name(selector):
                names.add(selector)
                requested = True
        return cls(system, every, frozenset(names), tuple(prefixes), requested)

    def wants(self, name: str) -> bool:
        return (
            self.every_attribute
            or name in self.attribute_names
            or any(name.startswith(prefix) for prefix in self.attribute_prefixes)
        )


def render(message: StoredMessage, selection: Selection) -> dict[str, Any]:
    """The Message shape of ReceiveMessage's output."""
    out: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5_of_body,
        "Body": message.body,
    }
    attributes = {}
    for name, getter in SYSTEM_ATTRIBUTES.items():
        value = getter(message) if name in selection.system else None
        if value is not None:
            attributes[name] = value
    if attributes:
        out["Attributes"] = attributes
    if selection.attributes_requested and message.message_attributes:
        chosen = {
            name: dict(value)
            for name, value in message.message_attributes.items()
            if selection.wants(name)
        }
        digest = md5_of_attributes(chosen)
        if digest is not None:  # none chosen: both left out, as AWS leaves out empties
            out["MessageAttributes"] = chosen
            out["MD5OfMessageAttributes"] = digest
    return out


def _strings(values: Any) -> Iterable[str]:
    if isinstance(values, str):
        return [values]
    if isinstance(values, list | tuple):
        return [value for value in values if isinstance(value, str)]
    return []
