"""The policy engine's view of the caller and of its session policies."""

from __future__ import annotations

import functools

from nimbus_policy import Policy, Principal, parse_policy

from nimbus_gateway.authz.acl import canonical_user_id
from nimbus_gateway.chain.exchange import Caller

ANONYMOUS = Principal(arn="anonymous", account="", type="anonymous")


def principal_of(caller: Caller, tags: dict[str, str]) -> Principal:
    """The policy engine's view of the caller, from its ARN's shape."""
    if caller.anonymous:
        return ANONYMOUS
    arn = caller.principal_arn
    resource = arn.split(":", 5)[-1]
    if resource == "root":
        return Principal(
            arn=arn,
            account=caller.account_id,
            type="root",
            user_id=caller.user_id,
            canonical_user_id=canonical_user_id(caller.account_id),
        )
    if resource.startswith("user/"):
        return Principal(
            arn=arn,
            account=caller.account_id,
            type="user",
            user_id=caller.user_id,
            username=resource.rsplit("/", 1)[-1],
            tags=tags,
        )
    if resource.startswith("assumed-role/"):
        role = resource.split("/")[1]
        return Principal(
            arn=arn,
            account=caller.account_id,
            type="assumed-role",
            user_id=caller.user_id,
            tags=tags,
            role_arn=f"arn:aws:iam::{caller.account_id}:role/{role}",
        )
    return Principal(arn=arn, account=caller.account_id, type="federated", user_id=caller.user_id)


@functools.lru_cache(maxsize=1024)
def session_policy(document: str) -> Policy:
    """A session policy, parsed once per distinct document (IAM validated it at AssumeRole)."""
    return parse_policy(document, "session", policy_id="session")
