"""Policy document checks: JSON plus the basic grammar IAM enforces on a document.

One function on purpose: the policy engine (nimbus_policy.parse_policy) replaces its body
when it lands, and every caller stays as it is.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from nimbus_policy import MalformedPolicyDocument, parse_policy, policy_size

from nimbus_iam.iam_errors import malformed_policy


class PolicyKind(StrEnum):
    """Identity policies grant a principal; trust policies say who may assume a role."""

    IDENTITY = "identity"
    TRUST = "trust"


def validate_policy_document(text: str, kind: PolicyKind) -> dict[str, Any]:
    """The parsed document, or MalformedPolicyDocument with AWS's wording.

    The grammar is the policy engine's own (nimbus_policy), so IAM stores only documents the
    gateway's authorizer can evaluate.
    """
    try:
        parse_policy(text, kind.value)
    except MalformedPolicyDocument as exc:
        raise malformed_policy(exc.message) from None
    document: dict[str, Any] = json.loads(text)
    return document


def size_without_whitespace(text: str) -> int:
    """What IAM's size quotas count: characters other than whitespace."""
    return policy_size(text)


def url_encoded(document: str) -> str:
    """Documents leave IAM URL-encoded (the SDKs decode them)."""
    return quote(document, safe="*")
