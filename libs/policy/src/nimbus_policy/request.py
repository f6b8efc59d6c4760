"""What is being authorized: who, doing what, to which resource, in which context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

PrincipalType = Literal["root", "user", "assumed-role", "federated", "anonymous", "service"]
ContextScalar = str | bool | int | float
ContextValue = ContextScalar | Sequence[ContextScalar]


@dataclass(frozen=True)
class Principal:
    """The caller, as the gateway resolved it from the credentials.

    `arn` is the caller's ARN (the session ARN for assumed roles, the service name such as
    "s3.amazonaws.com" for service principals, "anonymous" for anonymous callers).
    """

    arn: str
    account: str
    type: PrincipalType
    user_id: str = ""
    username: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    role_arn: str | None = None  # the role of an assumed-role session
    identity_provider: str | None = None  # for Federated principals (OIDC/SAML provider)
    canonical_user_id: str | None = None

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:root"


@dataclass(frozen=True)
class AuthorizationRequest:
    """One action on one or more resources. `resource_account` None means the caller's account."""

    principal: Principal
    action: str
    resources: tuple[str, ...] = ("*",)
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    now: datetime | None = None

    @property
    def owner_account(self) -> str:
        return self.resource_account or self.principal.account

    @property
    def cross_account(self) -> bool:
        return self.owner_account != self.principal.account
