"""Queue attributes: names, defaults, AWS's validation and errors, and what
GetQueueAttributes shows. Pure: the dead-letter target's existence is checked by queues.py,
which hands the target it found to check_dead_letter_target.

Attributes are kept as AWS shows them: strings, every settable one with its effective value
(optional ones such as Policy only while set).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from nimbus_core.errors import AwsError
from nimbus_policy import MalformedPolicyDocument, parse_policy

from nimbus_sqs.errors import (
    invalid_attribute_name,
    invalid_attribute_value,
    invalid_parameter_value,
)
from nimbus_sqs.model import QueueCounts, QueueRecord
from nimbus_sqs.redrive import (
    parse_redrive_allow_policy,
    parse_redrive_policy,
)

# ---- names ------------------------------------------------------------------------------

INTEGER_LIMITS: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
FIFO_ONLY = ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
SETTABLE = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    *FIFO_ONLY,
)
COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
COMPUTED = ("QueueArn", *COUNTS, "CreatedTimestamp", "LastModifiedTimestamp")
READABLE = frozenset((*SETTABLE, *COMPUTED, "All"))
# Attributes that exist only while set; "" removes them (SetQueueAttributes).
OPTIONAL = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")

STANDARD_DEFAULTS: dict[str, str] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",  # SSE-SQS is on for every new queue since 2022
    "KmsDataKeyReusePeriodSeconds": "300",
}
FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
ENUMS: dict[str, tuple[str, ...]] = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
BOOLEANS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")

MAX_POLICY_BYTES = 8192
MAX_POLICY_STATEMENTS = 20

# ---- queue names ------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
FIFO_SUFFIX = ".fifo"


def validate_queue_name(name: Any, *, lookup: bool = False) -> str:
    """The QueueName, or AWS's error for a missing one (GetQueueUrl words an empty one as
    missing; CreateQueue has its own words for it). The name's shape is checked by
    check_queue_name once the queue's type is known."""
    if name is None or (lookup and name == ""):
        raise invalid_parameter_value(
            "Value for parameter QueueName is invalid. Reason: Must specify a queue name."
        )
    text = str(name)
    if not text:
        raise invalid_parameter_value("Queue name cannot be empty")
    return text


def is_fifo_request(name: str, attributes: Mapping[str, str]) -> bool:
    """AWS makes a FIFO queue only of a .fifo name with FifoQueue=true; anything else is a
    standard queue (which then fails on the FifoQueue attribute or the dot in its name)."""
    return name.endswith(FIFO_SUFFIX) and attributes.get("FifoQueue", "").lower() == "true"


def check_queue_name(name: str, fifo: bool) -> None:
    """AWS's naming rules: 1-80 of [A-Za-z0-9_-]; a FIFO name's .fifo suffix counts."""
    if fifo:
        base = name[: -len(FIFO_SUFFIX)]
        if len(name) > 80 or not _NAME.fullmatch(base):
            raise invalid_parameter_value(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, "
                "or underscores, must end with .fifo suffix and be 1 to 80 in length"
            )
        return
    if not _NAME.fullmatch(name):
        raise invalid_parameter_value(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


# ---- validation ---------------------------------------------------------------------------


def as_strings(raw: Any) -> dict[str, str]:
    """The Attributes map as strings; null values count as absent (the default applies)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise invalid_attribute_name("0")
    return {str(k): _string(v) for k, v in raw.items() if v is not None}


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_names(changes: Mapping[str, str], fifo: bool) -> None:
    """Every name settable on this type of queue (AWS checks names before values)."""
    for name in changes:
        _check_name(name, fifo)


def validate_changes(changes: Mapping[str, str], *, fifo: bool, creating: bool) -> dict[str, str]:
    """Check names and values as CreateQueue/SetQueueAttributes do; return them normalized
    (booleans lower-case). Cross-attribute rules need the merged result: see merge()."""
    check_names(changes, fifo)
    sse_sqs = changes.get("SqsManagedSseEnabled", "").lower() == "true"
    if sse_sqs and changes.get("KmsMasterKeyId"):
        raise AwsError(
            "InvalidAttributeName",
            "You can use one type of server-side encryption (SSE) at one time. You can either "
            "enable KMS SSE or SQS SSE.",
            400,
        )
    normalized: dict[str, str] = {}
    for name, value in changes.items():
        normalized[name] = _check_value(name, value, fifo=fifo, creating=creating)
    return normalized


def _check_name(name: str, fifo: bool) -> None:
    if name not in SETTABLE:
        raise invalid_attribute_name(name)
    if fifo or name not in FIFO_ONLY:
        return
    if name in ("DeduplicationScope", "FifoThroughputLimit"):
        raise AwsError(
            "InvalidAttributeName",
            f"You can specify the {name} only when FifoQueue is set to true.",
            400,
        )
    raise invalid_attribute_name(name)


def _check_value(name: str, value: str, *, fifo: bool, creating: bool) -> str:
    if name in INTEGER_LIMITS:
        low, high = INTEGER_LIMITS[name]
        if not re.fullmatch(r"-?[0-9]+", value) or not low <= int(value) <= high:
            raise invalid_attribute_value(name)
        return str(int(value))
    if name in BOOLEANS:
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise invalid_attribute_value(name)
        if name == "FifoQueue" and lowered != "true":
            raise invalid_attribute_value(name, "Reason: Modifying queue type is not supported.")
        return lowered
    if name in ENUMS:
        if value not in ENUMS[name]:
            raise invalid_attribute_value(name)
        return value
    if name == "Policy":
        if value:
            validate_policy(value, creating=creating)
        return value
    if name == "RedrivePolicy":
        if value:
            parse_redrive_policy(value)
        return value
    if name == "RedriveAllowPolicy":
        if value:
            parse_redrive_allow_policy(value)
        return value
    return value  # KmsMasterKeyId: any key id, alias or ARN (no KMS to ask)


def initial_attributes(fifo: bool) -> dict[str, str]:
    """A new queue's attributes before the request's own."""
    defaults = dict(STANDARD_DEFAULTS)
    if fifo:
        defaults.update(FIFO_DEFAULTS)
    return defaults


def merge(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """The attributes after applying validated changes, with the rules that tie several
    together: "" removes an optional attribute, the two kinds of SSE exclude each other, and
    per-message-group throughput needs per-message-group deduplication."""
    merged = dict(current)
    for name, value in changes.items():
        if name in OPTIONAL and value == "":
            merged.pop(name, None)
        else:
            merged[name] = value
    if changes.get("KmsMasterKeyId"):
        merged["SqsManagedSseEnabled"] = "false"
    elif changes.get("SqsManagedSseEnabled") == "true":
        merged.pop("KmsMasterKeyId", None)
    if (
        merged.get("FifoThroughputLimit") == "perMessageGroupId"
        and merged.get("DeduplicationScope") != "messageGroup"
    ):
        raise invalid_attribute_value(
            "FifoThroughputLimit",
            "Reason: To set FifoThroughputLimit to perMessageGroupId, the DeduplicationScope "
            "must be messageGroup.",
        )
    return merged


def differing(current: Mapping[str, str], requested: Mapping[str, str]) -> str | None:
    """The first requested attribute whose value the existing queue does not have (CreateQueue
    on an existing name is idempotent only when none differs)."""
    for name, value in requested.items():
        if name in OPTIONAL and value == "" and name not in current:
            continue
        if current.get(name) != value:
            return name
    return None


# ---- Policy -------------------------------------------------------------------------------


def validate_policy(text: str, *, creating: bool) -> None:
    """A queue policy as SQS accepts it: a resource policy nimbus_policy can parse, within
    SQS's size and statement limits."""
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise invalid_attribute_value("Policy")
    try:
        document = json.loads(text)
    except ValueError:
        raise invalid_attribute_value("Policy") from None
    if not isinstance(document, dict):
        raise invalid_attribute_value("Policy")
    statements = document.get("Statement")
    count = len(statements) if isinstance(statements, list) else 1
    if count > MAX_POLICY_STATEMENTS:
        message = (
            f"{count} statements were found in the submitted policy, max allowed is "
            f"{MAX_POLICY_STATEMENTS}"
        )
        # CreateQueue words it as a bad value, SetQueueAttributes as a limit.
        if creating:
            raise invalid_parameter_value(message)
        raise AwsError("OverLimit", message, 403)
    try:
        parse_policy(text, "resource")
    except MalformedPolicyDocument:
        raise invalid_attribute_value("Policy") from None


# ---- GetQueueAttributes -------------------------------------------------------------------


def requested_names(raw: Any) -> list[str]:
    """The AttributeNames asked for, each one AWS knows (InvalidAttributeName otherwise)."""
    if raw is None:
        return []
    names = [str(n) for n in raw] if isinstance(raw, list) else [str(raw)]
    for name in names:
        if name not in READABLE:
            raise invalid_attribute_name(name)
    return names


def needs_counts(names: Iterable[str]) -> bool:
    wanted = set(names)
    return "All" in wanted or bool(wanted & set(COUNTS))


def render(queue: QueueRecord, names: Iterable[str], counts: QueueCounts | None) -> dict[str, str]:
    """GetQueueAttributes' map: the names asked for ("All": every one the queue has)."""
    shown = _shown_attributes(queue, counts)
    wanted = set(names)
    if "All" in wanted:
        return shown
    return {name: value for name, value in shown.items() if name in wanted}


def _shown_attributes(queue: QueueRecord, counts: QueueCounts | None) -> dict[str, str]:
    attrs = queue.attributes
    shown: dict[str, str] = {"QueueArn": queue.arn}
    if counts is not None:
        shown["ApproximateNumberOfMessages"] = str(counts.visible)
        shown["ApproximateNumberOfMessagesNotVisible"] = str(counts.not_visible)
        shown["ApproximateNumberOfMessagesDelayed"] = str(counts.delayed)
    shown["CreatedTimestamp"] = str(int(queue.created_at))
    shown["LastModifiedTimestamp"] = str(int(queue.modified_at))
    for name in (
        "VisibilityTimeout",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "DelaySeconds",
        "Policy",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "ReceiveMessageWaitTimeSeconds",
        "SqsManagedSseEnabled",
        "KmsMasterKeyId",
    ):
        if name in attrs:
            shown[name] = attrs[name]
    if "KmsMasterKeyId" in attrs:
        shown["KmsDataKeyReusePeriodSeconds"] = attrs.get("KmsDataKeyReusePeriodSeconds", "300")
    if queue.fifo:
        for name in FIFO_ONLY:
            shown[name] = attrs.get(name, FIFO_DEFAULTS[name])
    return shown
