"""RedrivePolicy and RedriveAllowPolicy: parsing and AWS's errors for dead-letter queues.
Pure: queues.py finds the target queue and hands it to check_dead_letter_target.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_sqs.errors import invalid_attribute_value, invalid_parameter_value
from nimbus_sqs.model import QueueRecord

MAX_SOURCE_QUEUE_ARNS = 10
REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")


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
