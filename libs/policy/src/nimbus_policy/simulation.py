"""SimulatePrincipalPolicy / SimulateCustomPolicy: one result per (action, resource) pair."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from nimbus_policy.context import build_context
from nimbus_policy.decision import EvalDecision, MatchedStatement, PolicyType
from nimbus_policy.evaluation import PolicySet, evaluate_resource
from nimbus_policy.model import Policy
from nimbus_policy.request import AuthorizationRequest, ContextValue, Principal


@dataclass(frozen=True)
class SimulationResult:
    """What IAM returns per EvaluationResult."""

    action: str
    resource: str
    decision: EvalDecision
    matched_statements: tuple[MatchedStatement, ...]
    missing_context_values: tuple[str, ...]
    policy_type: PolicyType | None = None


def simulate(
    principal: Principal,
    actions: Sequence[str],
    resources: Sequence[str] = ("*",),
    *,
    context: Mapping[str, ContextValue] | None = None,
    identity_policies: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    resource_account: str | None = None,
    permissions_boundary: Policy | None = None,
    session_policies: Sequence[Policy] | None = None,
    now: datetime | None = None,
) -> list[SimulationResult]:
    """Evaluate every action against every resource, in input order (actions outer)."""
    base = AuthorizationRequest(
        principal=principal,
        action="",
        resources=tuple(resources) or ("*",),
        resource_account=resource_account,
        context=dict(context or {}),
        now=now,
    )
    ctx = build_context(base)
    policies = PolicySet(
        identity=identity_policies,
        resource=resource_policy,
        boundary=permissions_boundary,
        session=session_policies,
    )
    results: list[SimulationResult] = []
    for action in actions:
        request = replace(base, action=action)
        for resource in base.resources:
            d = evaluate_resource(request, resource, policies, ctx)
            results.append(
                SimulationResult(
                    action=action,
                    resource=resource,
                    decision=d.decision,
                    matched_statements=d.matched_statements,
                    missing_context_values=d.missing_context_values,
                    policy_type=d.policy_type,
                )
            )
    return results
