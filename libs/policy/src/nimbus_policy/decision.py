"""The outcome of an evaluation, detailed enough for AWS's AccessDenied text and the simulator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nimbus_policy.model import Effect


class EvalDecision(StrEnum):
    """The simulator's EvalDecision values, which double as the engine's verdicts."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class PolicyType(StrEnum):
    """Policy types as AWS names them in AccessDenied messages."""

    IDENTITY = "identity-based policy"
    RESOURCE = "resource-based policy"
    BOUNDARY = "permissions boundary"
    SESSION = "session policy"
    SCP = "service control policy"


@dataclass(frozen=True)
class MatchedStatement:
    """A statement that took part in the decision."""

    policy_id: str
    policy_type: PolicyType
    statement_index: int
    sid: str | None
    effect: Effect


@dataclass(frozen=True)
class Decision:
    """Verdict for a request; `policy_type` is the denying or missing policy type on a deny."""

    decision: EvalDecision
    resource: str
    matched_statements: tuple[MatchedStatement, ...] = ()
    policy_type: PolicyType | None = None
    missing_context_values: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision is EvalDecision.ALLOWED
