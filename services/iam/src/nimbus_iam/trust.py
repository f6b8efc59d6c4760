"""The whole AssumeRole decision: the role's trust policy with the caller's own policies.

IAM holds both sides (every account's principals live here), so it decides AssumeRole alone
and the gateway's authorizer leaves sts:AssumeRole to it. As AWS: the trust policy must
allow the caller in every case; within one account a trust policy naming the caller's own
ARN suffices, one naming the account needs an identity-policy Allow too; cross-account both
sides must allow; the caller's boundary and session policies still limit identity allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nimbus_policy import (
    AuthorizationRequest,
    ContextValue,
    MalformedPolicyDocument,
    Policy,
    PolicyType,
    Principal,
    evaluate,
    parse_policy,
)


@dataclass(frozen=True)
class CallerPolicies:
    """The caller's own side: identity policies, boundary and session policies (parsed)."""

    identity: Sequence[Policy] = ()
    boundary: Policy | None = None
    session: Sequence[Policy] | None = None


def trust_denies(
    document: str,
    principal: Principal,
    role_arn: str,
    role_account: str,
    actions: Sequence[str],
    context: Mapping[str, ContextValue],
    caller_policies: CallerPolicies,
) -> str | None:
    """The first action the trust policy does not allow the caller, or None if it allows all.

    An Allow counts only when one of the trust policy's own statements matched: evaluate()
    alone would let a same-account root (or an identity Allow) through without one, and AWS
    never assumes a role its trust policy does not name.
    """
    try:
        trust = parse_policy(document, "trust", policy_id=role_arn)
    except MalformedPolicyDocument:
        return actions[0] if actions else None
    for action in actions:
        request = AuthorizationRequest(
            principal=principal,
            action=action,
            resources=(role_arn,),
            resource_account=role_account,
            context=dict(context),
        )
        decision = evaluate(
            request,
            identity_policies=caller_policies.identity,
            resource_policy=trust,
            permissions_boundary=caller_policies.boundary,
            session_policies=caller_policies.session,
        )
        trusted = any(
            m.policy_type is PolicyType.RESOURCE and m.effect == "Allow"
            for m in decision.matched_statements
        )
        if not (decision.allowed and trusted):
            return action
    return None
