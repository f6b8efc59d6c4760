"""The parsed form of a policy document: immutable, already validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

PolicyKind = Literal["identity", "resource", "trust", "boundary", "session"]
Effect = Literal["Allow", "Deny"]
SetQualifier = Literal["ForAllValues", "ForAnyValue"]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


@dataclass(frozen=True)
class PrincipalElement:
    """A Principal or NotPrincipal element: `"*"` or a map of principal type to identifiers."""

    wildcard: bool
    entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ConditionClause:
    """One `operator -> key -> values` triple of a Condition block."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # e.g. "StringLike"
    qualifier: SetQualifier | None
    if_exists: bool
    key: str  # as written; lookups are case-insensitive
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of each Action/NotAction pair is set (Resource may be absent)."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: PrincipalElement | None = None
    not_principal: PrincipalElement | None = None
    conditions: tuple[ConditionClause, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A validated policy document of one kind; `policy_id` names it in evaluation results."""

    kind: PolicyKind
    version: str
    statements: tuple[Statement, ...]
    id: str | None = None
    policy_id: str = ""

    @property
    def variables_enabled(self) -> bool:
        """Policy variables only exist in the 2012-10-17 grammar."""
        return self.version == VERSION_2012
