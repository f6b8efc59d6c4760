"""S3's tag condition keys: s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys from the
tags a request sets, s3:ExistingObjectTag/<key> from the tags the object already has.

Existing tags live in the s3 service; they are fetched only when a policy that takes part
in the decision names such a key, so ordinary requests pay nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from nimbus_policy import Policy

EXISTING_PREFIX = "s3:existingobjecttag/"
# Operations whose tags are the request's: the Tagging header (query-string form) or the
# PutObjectTagging body.
_TAGGING_HEADER_OPERATIONS = frozenset({"PutObject", "CopyObject", "CreateMultipartUpload"})


def request_tags(operation: str, params: Mapping[str, Any]) -> dict[str, str] | None:
    """The tags this request would set on an object, or None when it sets none."""
    if operation in _TAGGING_HEADER_OPERATIONS:
        header = params.get("Tagging")
        if not isinstance(header, str):
            return None
        return dict(parse_qsl(header, keep_blank_values=True))
    if operation == "PutObjectTagging":
        tag_set = (params.get("Tagging") or {}).get("TagSet") or []
        return {str(t.get("Key", "")): str(t.get("Value", "")) for t in tag_set}
    return None


def request_tag_keys(operation: str, params: Mapping[str, Any]) -> dict[str, object]:
    """s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys for the policy engine."""
    tags = request_tags(operation, params)
    if tags is None:
        return {}
    keys: dict[str, object] = {f"s3:RequestObjectTag/{k}": v for k, v in tags.items()}
    keys["s3:RequestObjectTagKeys"] = list(tags)
    return keys


def existing_tag_keys(tags: Mapping[str, str]) -> dict[str, object]:
    return {f"s3:ExistingObjectTag/{k}": v for k, v in tags.items()}


def names_existing_tags(policies: Iterable[Policy | None]) -> bool:
    """Whether any of these policies has a condition on s3:ExistingObjectTag/<key>."""
    return any(
        clause.key.lower().startswith(EXISTING_PREFIX)
        for policy in policies
        if policy is not None
        for statement in policy.statements
        for clause in statement.conditions
    )
