"""The request context: condition keys by lower-cased name, with the keys AWS derives itself.

AWS fills the principal's keys (aws:PrincipalArn, aws:username, aws:PrincipalTag/...) and the
time keys; the caller supplies the rest (aws:SourceIp, s3:prefix...). Caller values win.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from nimbus_policy.dates import iso_utc
from nimbus_policy.request import AuthorizationRequest, ContextScalar, ContextValue, Principal

Values = tuple[str, ...]

_PRINCIPAL_TYPE_NAMES = {
    "root": "Account",
    "user": "User",
    "assumed-role": "AssumedRole",
    "federated": "FederatedUser",
    "anonymous": "Anonymous",
}


class RequestContext:
    """Case-insensitive view of the context keys of one request."""

    def __init__(self, values: Mapping[str, Values]) -> None:
        self._values = {k.lower(): v for k, v in values.items()}

    def get(self, key: str) -> Values | None:
        """The key's values; None when absent (an empty list counts as absent)."""
        found = self._values.get(key.lower())
        return found if found else None

    def single(self, key: str) -> str | None:
        """The key's value for variable substitution: only single-valued keys substitute."""
        found = self.get(key)
        return found[0] if found is not None and len(found) == 1 else None

    def keys(self) -> frozenset[str]:
        return frozenset(self._values)


def _scalar(value: ContextScalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize(value: ContextValue) -> Values:
    """One context value as a tuple of strings (booleans as AWS renders them)."""
    if isinstance(value, str | bool | int | float):
        return (_scalar(value),)
    return tuple(_scalar(v) for v in value)


def derived_keys(principal: Principal, now: datetime) -> dict[str, Values]:
    """The global keys AWS derives from the principal and the clock."""
    keys: dict[str, Values] = {
        "aws:CurrentTime": (iso_utc(now),),
        "aws:EpochTime": (str(int(now.timestamp())),),
    }
    if principal.type == "service":
        keys["aws:PrincipalIsAWSService"] = ("true",)
        keys["aws:PrincipalServiceName"] = (principal.arn,)
        return keys
    if principal.type == "anonymous":
        keys["aws:PrincipalType"] = ("Anonymous",)
        return keys
    keys["aws:PrincipalIsAWSService"] = ("false",)
    keys["aws:PrincipalType"] = (_PRINCIPAL_TYPE_NAMES[principal.type],)
    keys["aws:PrincipalAccount"] = (principal.account,)
    # For a role session aws:PrincipalArn is the role's ARN, not the session's.
    keys["aws:PrincipalArn"] = (principal.role_arn or principal.arn,)
    if principal.type == "root":
        keys["aws:userid"] = (principal.user_id or principal.account,)
    elif principal.user_id:
        keys["aws:userid"] = (principal.user_id,)
    if principal.type == "user" and principal.username:
        keys["aws:username"] = (principal.username,)
    for tag_key, tag_value in principal.tags.items():
        keys[f"aws:PrincipalTag/{tag_key}"] = (tag_value,)
    return keys


def build_context(request: AuthorizationRequest) -> RequestContext:
    """Derived keys overlaid by whatever the caller supplied."""
    now = request.now or datetime.now(UTC)
    merged = {k.lower(): v for k, v in derived_keys(request.principal, now).items()}
    for key, value in request.context.items():
        merged[key.lower()] = normalize(value)
    return RequestContext(merged)
