"""AddPermission and RemovePermission: statements in the queue's Policy, labelled by Sid.

AWS keeps these in the same Policy document SetQueueAttributes writes, so the gateway's
queue-policy check sees both alike. New documents and statements take AWS's shape: compact
JSON, Version 2012-10-17, Id "<queue ARN>/SQSDefaultPolicy", one Principal or Action as a
plain string and several as a list. Pure: the caller stores the result.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_sqs.errors import invalid_parameter_value, missing_parameter

# Actions another account may be granted; the rest only the owner may ever call.
GRANTABLE = frozenset(
    {
        "*",
        "ChangeMessageVisibility",
        "DeleteMessage",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "ReceiveMessage",
        "SendMessage",
    }
)
OWNER_ONLY = frozenset(
    {
        "AddPermission",
        "CancelMessageMoveTask",
        "CreateQueue",
        "DeleteQueue",
        "ListMessageMoveTasks",
        "ListQueueTags",
        "ListQueues",
        "RemovePermission",
        "SetQueueAttributes",
        "StartMessageMoveTask",
        "TagQueue",
        "UntagQueue",
    }
)
MAX_ACTIONS = 7
MAX_STATEMENTS = 20
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ACCOUNT = re.compile(r"[0-9]{12}")


def check_label(label: Any) -> str:
    if label is None or label == "":
        raise missing_parameter("Label")
    text = str(label)
    if not _LABEL.fullmatch(text):
        raise invalid_parameter_value(
            f"Value {text} for parameter Label is invalid. Reason: Can only include "
            "alphanumeric characters, hyphens, or underscores. 1 to 80 in length."
        )
    return text


def check_grant(account_ids: Any, actions: Any) -> tuple[list[str], list[str]]:
    """AddPermission's AWSAccountIds and Actions, AWS's checks and order."""
    action_list = [str(a) for a in actions] if isinstance(actions, list) else []
    if not action_list:
        raise missing_parameter("ActionName")
    accounts = [str(a) for a in account_ids] if isinstance(account_ids, list) else []
    if not accounts:
        raise missing_parameter("AWSAccountIds")
    if len(action_list) > MAX_ACTIONS:
        raise AwsError(
            "OverLimit",
            f"{len(action_list)} Actions were found, maximum allowed is {MAX_ACTIONS}.",
            403,
        )
    for action in action_list:
        if action in OWNER_ONLY:
            raise invalid_parameter_value(
                f"Value SQS:{action} for parameter ActionName is invalid. Reason: Only the "
                "queue owner is allowed to invoke this action."
            )
        if action not in GRANTABLE:
            raise invalid_parameter_value(
                f"Value SQS:{action} for parameter ActionName is invalid. Reason: Please refer "
                "to the appropriate WSDL for a list of valid actions."
            )
    for account in accounts:
        if not _ACCOUNT.fullmatch(account):
            raise invalid_parameter_value(
                f"Value [{account}] for parameter PrincipalId is invalid. Reason: Unable to verify."
            )
    return accounts, action_list


def statement(
    label: str, queue_arn: str, account_ids: list[str], actions: list[str]
) -> dict[str, Any]:
    """The statement AddPermission writes: each account as its root, each action as SQS:<a>."""
    partition = queue_arn.split(":")[1]
    principals = [f"arn:{partition}:iam::{account}:root" for account in account_ids]
    granted = [f"SQS:{action}" for action in actions]
    return {
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": _one_or_list(principals)},
        "Action": _one_or_list(granted),
        "Resource": queue_arn,
    }


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def add_permission(
    policy: str | None, queue_arn: str, label: str, account_ids: list[str], actions: list[str]
) -> str:
    """The Policy with the labelled statement added. Re-adding an identical statement under
    its label is a no-op; a different one under a used label is an error."""
    document = _document(policy, queue_arn)
    statements = _statements(document)
    new = statement(label, queue_arn, account_ids, actions)
    for existing in statements:
        if isinstance(existing, dict) and existing.get("Sid") == label:
            if existing == new:
                return _dump(document)
            raise invalid_parameter_value(
                f"Value {label} for parameter Label is invalid. Reason: Already exists."
            )
    if len(statements) + 1 > MAX_STATEMENTS:
        raise AwsError(
            "OverLimit",
            f"{len(statements) + 1} Statements were found, maximum allowed is {MAX_STATEMENTS}.",
            403,
        )
    document["Statement"] = [*statements, new]
    return _dump(document)


def remove_permission(policy: str | None, label: str) -> str | None:
    """The Policy without the labelled statement; None once no statement is left (the queue
    then has no Policy attribute at all)."""
    missing = invalid_parameter_value(
        f"Value {label} for parameter Label is invalid. Reason: can't find label on existing "
        "policy."
    )
    if not policy:
        raise missing
    document = _loads(policy)
    if document is None:
        raise missing
    statements = _statements(document)
    kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == label)]
    if len(kept) == len(statements):
        raise missing
    if not kept:
        return None
    document["Statement"] = kept
    return _dump(document)


def _document(policy: str | None, queue_arn: str) -> dict[str, Any]:
    loaded = _loads(policy) if policy else None
    if loaded is not None:
        return loaded
    return {"Version": "2012-10-17", "Id": f"{queue_arn}/SQSDefaultPolicy", "Statement": []}


def _loads(policy: str) -> dict[str, Any] | None:
    try:
        loaded = json.loads(policy)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _statements(document: dict[str, Any]) -> list[Any]:
    raw = document.get("Statement")
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
