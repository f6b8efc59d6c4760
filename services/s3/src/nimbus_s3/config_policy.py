"""Bucket policies: S3's validation on PutBucketPolicy and its notion of a public policy."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from nimbus_policy import MalformedPolicyDocument, Policy, Statement, is_public_policy, parse_policy

from nimbus_s3.config_errors import malformed_policy

MAX_POLICY_BYTES = 20 * 1024
NOT_JSON = "Policies must be valid JSON and the first byte must be '{'"
INVALID_JSON = "This policy contains invalid Json"
INVALID_RESOURCE = "Policy has invalid resource"
INVALID_ACTION = "Policy has invalid action"
INVALID_PRINCIPAL = "Invalid principal in policy"
MISSING_STATEMENT = "Missing required field Statement"
ALLOW_NOT_PRINCIPAL = "Allow with NotPrincipal is not allowed."


def validate_policy(text: str, bucket: str) -> Policy:
    """Parse a bucket policy as S3 does, raising its MalformedPolicy messages."""
    if not text.lstrip().startswith("{"):
        raise malformed_policy(NOT_JSON)
    try:
        raw = json.loads(text)
    except ValueError:
        raise malformed_policy(NOT_JSON) from None
    if not isinstance(raw, dict):
        raise malformed_policy(NOT_JSON)
    normalized = json.dumps(raw, separators=(",", ":"), ensure_ascii=False)
    if len(normalized.encode()) > MAX_POLICY_BYTES:
        raise malformed_policy(
            "Normalized policy document exceeds the maximum allowed size of 20480 bytes"
        )
    if "Statement" not in raw:
        raise malformed_policy(MISSING_STATEMENT)
    try:
        policy = parse_policy(text, "resource")
    except MalformedPolicyDocument as exc:
        raise malformed_policy(_s3_message(str(exc))) from None
    for statement in policy.statements:
        _check_statement(statement, bucket)
    return policy


def _s3_message(iam_message: str) -> str:
    """IAM's wording of a policy problem, as S3 words it."""
    if iam_message.startswith("Invalid principal") or "Principal" in iam_message:
        return INVALID_PRINCIPAL
    if iam_message.startswith("Resource ") or "resources" in iam_message:
        return INVALID_RESOURCE
    if "actions" in iam_message.lower() or "vendor" in iam_message.lower():
        return INVALID_ACTION
    if iam_message.startswith("Unknown field"):
        return iam_message
    return INVALID_JSON


def _check_statement(statement: Statement, bucket: str) -> None:
    if statement.effect == "Allow" and statement.not_principal is not None:
        raise malformed_policy(ALLOW_NOT_PRINCIPAL)
    for action in (statement.actions or ()) + (statement.not_actions or ()):
        if action != "*" and not action.lower().startswith("s3:"):
            raise malformed_policy(INVALID_ACTION)
    for resource in (statement.resources or ()) + (statement.not_resources or ()):
        if not _in_bucket(resource, bucket):
            raise malformed_policy(INVALID_RESOURCE)


def _in_bucket(resource: str, bucket: str) -> bool:
    """Whether a policy resource names this bucket or objects in it (wildcards allowed)."""
    prefix = "arn:aws:s3:::"
    if not resource.startswith(prefix):
        return False
    rest = resource[len(prefix) :]
    name = rest.split("/", 1)[0]
    if name == bucket:
        return True
    # A wildcard in the bucket part must still be able to match this bucket.
    return any(c in name for c in "*?") and fnmatchcase(bucket, name)


def policy_is_public(text: str) -> bool:
    """is_public_policy for stored policy text (already validated)."""
    try:
        return is_public_policy(parse_policy(text, "resource"))
    except MalformedPolicyDocument:
        return False


def stored(text: str) -> dict[str, Any]:
    return {"Policy": text}
