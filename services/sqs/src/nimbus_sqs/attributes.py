"""Queue attributes and tags: names, defaults, AWS's validation and errors, and what
GetQueueAttributes shows. Pure: the dead-letter target's existence is checked by queues.py,
which hands the target it found to check_dead_letter_target.

Attributes are kept as AWS shows them: strings, every settable one with its effective value
(optional ones such as Policy only while set).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nimbus_core.errors import AwsError
from nimbus_policy import MalformedPolicyDocument, parse_policy

from nimbus_sqs.errors import (
    invalid_attribute_name,
    invalid_attribute_value,
    invalid_parameter_value,
    missing_parameter,
)
from nimbus_sqs.model import QueueCounts, QueueRecord

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
MAX_SOURCE_QUEUE_ARNS = 10
REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")

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


# ---- RedrivePolicy ------------------------------------------------------------------------


@dataclass(frozen=True)
class RedriveTarget:
    """A RedrivePolicy, parsed: where (ARN parts) and after how many receives."""

    arn: str
    region: str
    account: str
    name: str
    max_receive_count: int


def _redrive_invalid(raw: str, reason: str) -> AwsError:
    return invalid_parameter_value(
        f"Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}"
    )


def parse_redrive_policy(raw: str) -> RedriveTarget:
    """Parse a RedrivePolicy with AWS's messages, in AWS's order of checks."""
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise invalid_attribute_value(
            "RedrivePolicy", "Reason: Redrive policy is not a valid JSON map."
        )
    if "maxReceiveCount" not in document:
        raise _redrive_invalid(
            raw, "Redrive policy does not contain mandatory attribute: maxReceiveCount."
        )
    if "deadLetterTargetArn" not in document:
        raise _redrive_invalid(
            raw, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."
        )
    if set(document) - {"maxReceiveCount", "deadLetterTargetArn"}:
        raise _redrive_invalid(
            raw, "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn]."
        )
    count = _receive_count(document["maxReceiveCount"])
    if count is None or not 1 <= count <= 1000:
        raise _redrive_invalid(
            raw,
            f"Invalid value for maxReceiveCount: {_shown(document['maxReceiveCount'])}, valid "
            "values are from 1 to 1000 both inclusive.",
        )
    arn = document["deadLetterTargetArn"]
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not all(parts[3:]):
        raise _redrive_invalid(raw, "Only SQS queues are valid resources for deadLetterTargetArn.")
    return RedriveTarget(arn, parts[3], parts[4], parts[5], count)


def _receive_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    return None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def check_dead_letter_target(
    raw: str, source: QueueRecord | NewSource, target: QueueRecord | None
) -> None:
    """The target named by a RedrivePolicy must be an existing queue of the source's owner
    and type whose RedriveAllowPolicy admits the source."""
    parsed = parse_redrive_policy(raw)
    if parsed.account != source.account:
        raise _redrive_invalid(raw, "Dead-letter target owner should be same as the source.")
    if target is None or parsed.region != source.arn.split(":")[3]:
        raise _redrive_invalid(raw, "Dead letter target does not exist.")
    if target.fifo != source.fifo:
        raise _redrive_invalid(raw, "Dead-letter queue must be same type of queue as the source..")
    allow = target.attributes.get("RedriveAllowPolicy")
    if allow and not redrive_allowed(allow, source.arn):
        raise _redrive_invalid(
            raw,
            "Amazon SQS can't redrive messages to this dead-letter queue: its "
            "RedriveAllowPolicy doesn't allow this source queue.",
        )


@dataclass(frozen=True)
class NewSource:
    """What check_dead_letter_target needs of a queue that does not exist yet."""

    account: str
    fifo: bool
    arn: str


def new_source(account: str, region: str, name: str, fifo: bool) -> NewSource:
    return NewSource(account, fifo, f"arn:aws:sqs:{region}:{account}:{name}")


# ---- RedriveAllowPolicy -------------------------------------------------------------------

_UNSUPPORTED_FORMAT = (
    "Reason: Amazon SQS can't create the redrive allow policy, as it\u2019s in an unsupported "
    "format."
)


def parse_redrive_allow_policy(raw: str) -> tuple[str, list[str]]:
    """(redrivePermission, sourceQueueArns) of a RedriveAllowPolicy, AWS's messages."""
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if (
        not isinstance(document, dict)
        or set(document) - {"redrivePermission", "sourceQueueArns"}
        or document.get("redrivePermission") not in REDRIVE_PERMISSIONS
    ):
        raise invalid_attribute_value("RedriveAllowPolicy", _UNSUPPORTED_FORMAT)
    permission: str = document["redrivePermission"]
    arns = document.get("sourceQueueArns")
    if arns is not None and (
        not isinstance(arns, list) or not all(isinstance(a, str) for a in arns)
    ):
        raise invalid_attribute_value("RedriveAllowPolicy", _UNSUPPORTED_FORMAT)
    prefix = f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS "
    if permission == "byQueue":
        if not arns:
            raise invalid_parameter_value(
                prefix + "can't create the redrive allow policy. When you specify the byQueue "
                "permission type, you must also specify one or more sourceQueueArns values."
            )
        if len(arns) > MAX_SOURCE_QUEUE_ARNS:
            raise invalid_parameter_value(
                prefix + "can't create the redrive allow policy. The maximum number of source "
                f"queue ARNs you can specify is {MAX_SOURCE_QUEUE_ARNS}."
            )
    elif arns is not None:
        raise invalid_parameter_value(
            prefix + "can't create the redrive allow policy. To specify one or more source "
            "queue ARNs, you must set redrivePermission to byQueue."
        )
    return permission, list(arns or [])


def redrive_allowed(raw_allow_policy: str, source_arn: str) -> bool:
    """Whether a queue with this RedriveAllowPolicy may be source_arn's dead-letter queue."""
    try:
        permission, arns = parse_redrive_allow_policy(raw_allow_policy)
    except AwsError:
        return True  # never stored invalid; be permissive rather than wedge a queue
    if permission == "allowAll":
        return True
    if permission == "denyAll":
        return False
    return source_arn in arns


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


# ---- tags -------------------------------------------------------------------------------

MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_TAG_SYMBOLS = set("_.:/=+-@")


def validate_tags(raw: Any, *, required: bool) -> dict[str, str]:
    """A tag map under SQS's rules (key 1-128, value 0-256 characters of letters, digits,
    whitespace and _ . : / = + - @; no aws: prefix)."""
    if raw is None or (isinstance(raw, Mapping) and not raw):
        if required:
            raise missing_parameter("Tags")
        return {}
    if not isinstance(raw, Mapping):
        raise invalid_parameter_value("Tags must be a map of strings.")
    tags: dict[str, str] = {}
    for key, value in raw.items():
        key, value = str(key), "" if value is None else str(value)
        check_tag_key(key)
        if len(value) > MAX_TAG_VALUE:
            raise invalid_parameter_value(
                "Tag values must be between 0 and 256 characters in length."
            )
        if not _tag_text(value):
            raise invalid_parameter_value(
                "Tag values may only contain unicode letters, digits, whitespace, or one of "
                "these symbols: _ . : / = + - @"
            )
        tags[key] = value
    return tags


def check_tag_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_TAG_KEY:
        raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
    if not _tag_text(key):
        raise invalid_parameter_value(
            "Tag keys may only contain unicode letters, digits, whitespace, or one of these "
            "symbols: _ . : / = + - @"
        )
    if key.lower().startswith("aws:"):
        raise invalid_parameter_value("Tag keys must not start with the reserved prefix aws:.")


def _tag_text(text: str) -> bool:
    return all(c.isalnum() or c.isspace() or c in _TAG_SYMBOLS for c in text)


def validate_tag_keys(raw: Any) -> list[str]:
    """UntagQueue's TagKeys."""
    if raw is None:
        raise missing_parameter("TagKeys")
    keys = [str(k) for k in raw] if isinstance(raw, list) else [str(raw)]
    if not keys:
        raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
    for key in keys:
        if not 1 <= len(key) <= MAX_TAG_KEY:
            raise invalid_parameter_value(
                "Tag keys must be between 1 and 128 characters in length."
            )
    return keys


def check_tag_count(queue_name: str, tags: Mapping[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise invalid_parameter_value(f"Too many tags added for queue {queue_name}.")
