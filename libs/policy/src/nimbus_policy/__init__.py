"""The IAM policy engine: parse policy documents and evaluate requests as AWS does. Pure: no I/O."""

from nimbus_policy.decision import Decision, EvalDecision, MatchedStatement, PolicyType
from nimbus_policy.errors import MalformedPolicyDocument
from nimbus_policy.evaluation import PolicySet, evaluate
from nimbus_policy.limits import (
    INLINE_GROUP_POLICY_MAX_CHARS,
    INLINE_ROLE_POLICY_MAX_CHARS,
    INLINE_USER_POLICY_MAX_CHARS,
    MANAGED_POLICY_MAX_CHARS,
    SESSION_POLICY_MAX_CHARS,
    TRUST_POLICY_DEFAULT_MAX_CHARS,
    policy_size,
)
from nimbus_policy.messages import access_denied_message, denial_reason
from nimbus_policy.model import ConditionClause, Policy, PolicyKind, PrincipalElement, Statement
from nimbus_policy.parsing import parse_policy
from nimbus_policy.public import is_public_policy
from nimbus_policy.request import AuthorizationRequest, ContextValue, Principal, PrincipalType
from nimbus_policy.simulation import SimulationResult, simulate

__all__ = [
    "INLINE_GROUP_POLICY_MAX_CHARS",
    "INLINE_ROLE_POLICY_MAX_CHARS",
    "INLINE_USER_POLICY_MAX_CHARS",
    "MANAGED_POLICY_MAX_CHARS",
    "SESSION_POLICY_MAX_CHARS",
    "TRUST_POLICY_DEFAULT_MAX_CHARS",
    "AuthorizationRequest",
    "ConditionClause",
    "ContextValue",
    "Decision",
    "EvalDecision",
    "MalformedPolicyDocument",
    "MatchedStatement",
    "Policy",
    "PolicyKind",
    "PolicySet",
    "PolicyType",
    "Principal",
    "PrincipalElement",
    "PrincipalType",
    "SimulationResult",
    "Statement",
    "access_denied_message",
    "denial_reason",
    "evaluate",
    "is_public_policy",
    "parse_policy",
    "policy_size",
    "simulate",
]
