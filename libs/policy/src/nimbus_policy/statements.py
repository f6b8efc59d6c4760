"""Whether one statement applies to one (action, resource) request."""

from __future__ import annotations

from dataclasses import dataclass, field

from nimbus_policy.conditions import evaluate_clause
from nimbus_policy.context import RequestContext
from nimbus_policy.model import Policy, Statement
from nimbus_policy.principals import PrincipalMatch, excluded_by_not_principal, match_principal
from nimbus_policy.request import Principal
from nimbus_policy.variables import resolve
from nimbus_policy.wildcard import glob, matches


@dataclass
class Probe:
    """One (principal, action, resource) question plus what evaluation learned on the way."""

    principal: Principal
    action: str
    resource: str
    ctx: RequestContext
    missing: set[str] = field(default_factory=set)


def action_matches(patterns: tuple[str, ...], action: str) -> bool:
    """Actions are `service:Action` globs compared case-insensitively; no variables."""
    return any(glob(p, action, ignore_case=True) for p in patterns)


def _resource_hits(patterns: tuple[str, ...], policy: Policy, probe: Probe) -> bool | None:
    """Whether any pattern matches; None if some pattern was unresolvable and none matched."""
    unresolved = False
    for raw in patterns:
        pattern, absent = resolve(raw, probe.ctx.single, variables=policy.variables_enabled)
        probe.missing.update(absent)
        if pattern is None:
            unresolved = True
            continue
        if matches(pattern, probe.resource):
            return True
    return None if unresolved else False


def resource_applies(stmt: Statement, policy: Policy, probe: Probe) -> bool:
    if stmt.resources is not None:
        return _resource_hits(stmt.resources, policy, probe) is True
    if stmt.not_resources is not None:
        # An unresolvable NotResource cannot prove the resource is outside the list.
        return _resource_hits(stmt.not_resources, policy, probe) is False
    return True  # trust policies carry no Resource: the role itself is the resource


def principal_applies(stmt: Statement, caller: Principal) -> PrincipalMatch:
    """For statements without Principal (identity-side policies) the caller is implied."""
    if stmt.principal is not None:
        return match_principal(stmt.principal, caller)
    if stmt.not_principal is not None:
        if excluded_by_not_principal(stmt.not_principal, caller):
            return PrincipalMatch.NONE
        return PrincipalMatch.DIRECT
    return PrincipalMatch.DIRECT


def statement_applies(stmt: Statement, policy: Policy, probe: Probe) -> PrincipalMatch:
    """NONE when the statement does not apply, else how it named the caller."""
    if stmt.actions is not None and not action_matches(stmt.actions, probe.action):
        return PrincipalMatch.NONE
    if stmt.not_actions is not None and action_matches(stmt.not_actions, probe.action):
        return PrincipalMatch.NONE
    how = principal_applies(stmt, probe.principal)
    if how is PrincipalMatch.NONE:
        return how
    if not resource_applies(stmt, policy, probe):
        return PrincipalMatch.NONE
    # Evaluate every clause (no short cut) so the simulator can report all missing keys.
    held = [
        evaluate_clause(c, probe.ctx, variables=policy.variables_enabled, missing=probe.missing)
        for c in stmt.conditions
    ]
    return how if all(held) else PrincipalMatch.NONE
