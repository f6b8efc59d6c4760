"""AWS's policy evaluation logic for one request (SCPs, resource, identity, boundary, session).

Order, after the IAM User Guide's flow chart: an explicit Deny in any applicable policy wins;
then every SCP level must allow; then, within one account, an Allow from the identity side
(identity policies, intersected with the boundary and the session policies) or from the resource
policy suffices; across accounts both sides must allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nimbus_policy.context import RequestContext, build_context
from nimbus_policy.decision import Decision, EvalDecision, MatchedStatement, PolicyType
from nimbus_policy.model import Policy
from nimbus_policy.principals import PrincipalMatch
from nimbus_policy.request import AuthorizationRequest
from nimbus_policy.statements import Probe, statement_applies

_NO_IAM_POLICIES = frozenset({"root", "anonymous", "service"})


@dataclass(frozen=True)
class PolicySet:
    """Every policy that applies to one request. None means "this type is not in play"."""

    identity: Sequence[Policy] = ()
    resource: Policy | None = None
    boundary: Policy | None = None
    session: Sequence[Policy] | None = None
    scps: Sequence[Policy] | None = None


@dataclass
class _Scan:
    """Statements of one policy type that applied."""

    allows: list[tuple[MatchedStatement, PrincipalMatch]] = field(default_factory=list)
    denies: list[MatchedStatement] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return bool(self.allows)

    def strongest(self) -> PrincipalMatch:
        hows = [how for _, how in self.allows]
        return max(hows, key=lambda m: m.value, default=PrincipalMatch.NONE)


def _scan(policies: Sequence[Policy], ptype: PolicyType, probe: Probe) -> _Scan:
    result = _Scan()
    for policy in policies:
        for stmt in policy.statements:
            how = statement_applies(stmt, policy, probe)
            if how is PrincipalMatch.NONE:
                continue
            matched = MatchedStatement(policy.policy_id, ptype, stmt.index, stmt.sid, stmt.effect)
            if stmt.effect == "Deny":
                result.denies.append(matched)
            else:
                result.allows.append((matched, how))
    return result


def evaluate(
    request: AuthorizationRequest,
    *,
    identity_policies: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    permissions_boundary: Policy | None = None,
    session_policies: Sequence[Policy] | None = None,
    scps: Sequence[Policy] | None = None,
) -> Decision:
    """Decide `request`; with several resources, every one must be allowed."""
    policies = PolicySet(
        identity=identity_policies,
        resource=resource_policy,
        boundary=permissions_boundary,
        session=session_policies,
        scps=scps,
    )
    ctx = build_context(request)
    first: Decision | None = None
    for resource in request.resources or ("*",):
        decision = evaluate_resource(request, resource, policies, ctx)
        if not decision.allowed:
            return decision
        first = first or decision
    assert first is not None
    return first


def evaluate_resource(
    request: AuthorizationRequest, resource: str, policies: PolicySet, ctx: RequestContext
) -> Decision:
    """Decide the request's action on one resource."""
    caller = request.principal
    probe = Probe(caller, request.action, resource, ctx)
    iam_applies = caller.type not in _NO_IAM_POLICIES
    scans: dict[PolicyType, _Scan] = {}
    if policies.scps is not None and caller.type not in ("anonymous", "service"):
        scans[PolicyType.SCP] = _scan(policies.scps, PolicyType.SCP, probe)
    if policies.resource is not None:
        scans[PolicyType.RESOURCE] = _scan([policies.resource], PolicyType.RESOURCE, probe)
    if iam_applies:
        scans[PolicyType.IDENTITY] = _scan(policies.identity, PolicyType.IDENTITY, probe)
        if policies.boundary is not None:
            scans[PolicyType.BOUNDARY] = _scan([policies.boundary], PolicyType.BOUNDARY, probe)
        if policies.session is not None:
            scans[PolicyType.SESSION] = _scan(policies.session, PolicyType.SESSION, probe)
    missing = tuple(sorted(probe.missing, key=str.lower))

    def verdict(
        outcome: EvalDecision,
        ptype: PolicyType | None = None,
        matched: Sequence[MatchedStatement] = (),
    ) -> Decision:
        return Decision(outcome, resource, tuple(matched), ptype, missing)

    for ptype in (
        PolicyType.SCP,
        PolicyType.RESOURCE,
        PolicyType.IDENTITY,
        PolicyType.BOUNDARY,
        PolicyType.SESSION,
    ):
        if ptype in scans and scans[ptype].denies:
            denies = [d for s in scans.values() for d in s.denies]
            return verdict(EvalDecision.EXPLICIT_DENY, ptype, denies)

    if policies.scps is not None and PolicyType.SCP in scans:
        for scp in policies.scps:
            level = Probe(caller, request.action, resource, ctx)
            if not _scan([scp], PolicyType.SCP, level).allowed:
                return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.SCP)

    allows = [m for s in scans.values() for m, _ in s.allows]
    resource_scan = scans.get(PolicyType.RESOURCE, _Scan())
    granted_by_resource = resource_scan.strongest()

    if not iam_applies:
        own_root = caller.type == "root" and not request.cross_account
        if own_root or granted_by_resource is not PrincipalMatch.NONE:
            return verdict(EvalDecision.ALLOWED, None, allows)
        return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.RESOURCE)

    identity_ok = scans[PolicyType.IDENTITY].allowed
    boundary_ok = PolicyType.BOUNDARY not in scans or scans[PolicyType.BOUNDARY].allowed
    session_ok = PolicyType.SESSION not in scans or scans[PolicyType.SESSION].allowed

    if not request.cross_account:
        if granted_by_resource is PrincipalMatch.DIRECT:
            return verdict(EvalDecision.ALLOWED, None, allows)
        if granted_by_resource is PrincipalMatch.ROLE and boundary_ok and session_ok:
            return verdict(EvalDecision.ALLOWED, None, allows)
        if identity_ok and boundary_ok and session_ok:
            return verdict(EvalDecision.ALLOWED, None, allows)
        if not identity_ok and granted_by_resource is not PrincipalMatch.ROLE:
            return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.IDENTITY)
        missing_type = PolicyType.BOUNDARY if not boundary_ok else PolicyType.SESSION
        return verdict(EvalDecision.IMPLICIT_DENY, missing_type)

    if not identity_ok:
        return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.IDENTITY)
    if not boundary_ok:
        return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.BOUNDARY)
    if not session_ok:
        return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.SESSION)
    if granted_by_resource is PrincipalMatch.NONE:
        return verdict(EvalDecision.IMPLICIT_DENY, PolicyType.RESOURCE)
    return verdict(EvalDecision.ALLOWED, None, allows)
