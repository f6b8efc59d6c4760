"""Shared builders for the policy-engine tests: principals, statements and a case runner."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nimbus_policy import (
    AuthorizationRequest,
    ContextValue,
    Decision,
    Policy,
    PolicyKind,
    PolicyType,
    Principal,
    evaluate,
    parse_policy,
)

ACCT = "111122223333"
OTHER = "444455556666"
NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)

ALICE = Principal(
    arn=f"arn:aws:iam::{ACCT}:user/alice",
    account=ACCT,
    type="user",
    user_id="AIDAALICE00000000000",
    username="alice",
    tags={"team": "blue", "CostCenter": "42"},
)
CAROL = Principal(
    arn=f"arn:aws:iam::{ACCT}:user/division/carol",
    account=ACCT,
    type="user",
    user_id="AIDACAROL00000000000",
    username="carol",
)
BOB_OTHER = Principal(
    arn=f"arn:aws:iam::{OTHER}:user/bob",
    account=OTHER,
    type="user",
    user_id="AIDABOB0000000000000",
    username="bob",
)
SESSION = Principal(
    arn=f"arn:aws:sts::{ACCT}:assumed-role/Dev/sess",
    account=ACCT,
    type="assumed-role",
    user_id="AROADEV0000000000000:sess",
    role_arn=f"arn:aws:iam::{ACCT}:role/Dev",
    tags={"team": "red"},
)
OTHER_SESSION = Principal(
    arn=f"arn:aws:sts::{OTHER}:assumed-role/Ops/s1",
    account=OTHER,
    type="assumed-role",
    user_id="AROAOPS0000000000000:s1",
    role_arn=f"arn:aws:iam::{OTHER}:role/Ops",
)
FED_USER = Principal(
    arn=f"arn:aws:sts::{ACCT}:federated-user/fred",
    account=ACCT,
    type="federated",
    user_id=f"{ACCT}:fred",
)
ROOT = Principal(arn=f"arn:aws:iam::{ACCT}:root", account=ACCT, type="root")
OTHER_ROOT = Principal(arn=f"arn:aws:iam::{OTHER}:root", account=OTHER, type="root")
ANON = Principal(arn="anonymous", account="", type="anonymous")
TRAIL = Principal(arn="cloudtrail.amazonaws.com", account="", type="service")

OBJ = "arn:aws:s3:::bucket/key"
BUCKET = "arn:aws:s3:::bucket"
ALICE_ARN = ALICE.arn
ROLE_DEV = f"arn:aws:iam::{ACCT}:role/Dev"


def stmt(
    effect: str, action: Any = "s3:GetObject", resource: Any = "*", **extra: Any
) -> dict[str, Any]:
    """A statement dict; resource=None omits Resource; NotX, Principal, Condition via extra."""
    out: dict[str, Any] = {"Effect": effect}
    if action is not None:
        out["Action"] = action
    if resource is not None:
        out["Resource"] = resource
    out.update(extra)
    return out


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Allow", action, resource, **extra)


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Deny", action, resource, **extra)


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def when(operator: str, key: str, values: Any) -> dict[str, Any]:
    """A one-operator, one-key Condition block."""
    return {"Condition": {operator: {key: values}}}


def policy(document: Mapping[str, Any], kind: PolicyKind, policy_id: str = "") -> Policy:
    return parse_policy(json.dumps(document), kind, policy_id=policy_id or kind)


@dataclass(frozen=True)
class Case:
    """One evaluation scenario; `expect` is allowed / explicitDeny / implicitDeny."""

    id: str
    expect: str
    identity: Sequence[Mapping[str, Any]] = ()
    resource_policy: Mapping[str, Any] | None = None
    boundary: Mapping[str, Any] | None = None
    session: Sequence[Mapping[str, Any]] | None = None
    scps: Sequence[Mapping[str, Any]] | None = None
    principal: Principal = ALICE
    action: str = "s3:GetObject"
    resource: str = OBJ
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    policy_type: PolicyType | None = None  # expected denying / missing policy type
    missing: tuple[str, ...] | None = None  # expected missing context keys, when checked


def request_of(case: Case) -> AuthorizationRequest:
    return AuthorizationRequest(
        principal=case.principal,
        action=case.action,
        resources=(case.resource,),
        resource_account=case.resource_account,
        context=case.context,
        now=NOW,
    )


def run(case: Case) -> Decision:
    return evaluate(
        request_of(case),
        identity_policies=[
            policy(d, "identity", f"identity{i}") for i, d in enumerate(case.identity)
        ],
        resource_policy=policy(case.resource_policy, "resource") if case.resource_policy else None,
        permissions_boundary=policy(case.boundary, "boundary") if case.boundary else None,
        session_policies=(
            [policy(d, "session") for d in case.session] if case.session is not None else None
        ),
        scps=[policy(d, "identity", "scp") for d in case.scps] if case.scps is not None else None,
    )
