"""Users, groups, roles and policies as plain values, free of SQL and wire formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """The principals table's kind column; also the word AWS uses in messages."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"


@dataclass(frozen=True)
class Tag:
    key: str
    value: str


@dataclass(frozen=True)
class Principal:
    """A user, group or role (role-only fields are None for the others)."""

    principal_id: str
    account_id: str
    kind: Kind
    name: str
    path: str
    arn: str
    created: datetime
    tags: list[Tag] = field(default_factory=list)
    permissions_boundary_arn: str | None = None
    description: str | None = None
    assume_role_policy: str | None = None
    max_session_duration: int | None = None


@dataclass(frozen=True)
class ManagedPolicy:
    """A customer managed policy, or an AWS managed one (account_id "aws")."""

    policy_id: str
    account_id: str
    name: str
    path: str
    arn: str
    default_version: int
    created: datetime
    updated: datetime
    description: str | None = None
    tags: list[Tag] = field(default_factory=list)
    attachment_count: int = 0
    boundary_usage_count: int = 0

    @property
    def default_version_id(self) -> str:
        return f"v{self.default_version}"


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    document: str
    created: datetime
    is_default: bool

    @property
    def version_id(self) -> str:
        return f"v{self.version}"


@dataclass(frozen=True)
class InlinePolicy:
    principal: Principal
    name: str
    document: str
