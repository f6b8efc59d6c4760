"""Trust policy evaluation for AssumeRole: the role's side of the decision.

The gateway's authorizer has already evaluated the caller's identity policies (and boundary)
for sts:AssumeRole on the role before the call reaches iam; here the role's trust policy must
allow the caller too, with no explicit Deny, as AWS requires in every case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nimbus_policy import (
    AuthorizationRequest,
    ContextValue,
    MalformedPolicyDocument,
    PolicyType,
    Principal,
    evaluate,
    parse_policy,
)

# Stands for the identity-side Allow the gateway checked, so that evaluate() decides on the
# trust policy alone (its Allow must still match: see trust_denies).
_IDENTITY_CHECKED = parse_policy(
    '{"Version": "2012-10-17", "Statement":'
    ' [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}',
    "identity",
    policy_id="checked-by-the-gateway",
)


def trust_denies(
    document: str,
    principal: Principal,
    role_arn: str,
    role_account: str,
    actions: Sequence[str],
    context: Mapping[str, ContextValue],
) -> str | None:
    """The first action the trust policy does not allow the caller, or None if it allows all.

    An Allow counts only when one of the trust policy's own statements matched: evaluate()
    alone would let a same-account root (or an identity Allow) through without one.
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
        decision = evaluate(request, identity_policies=(_IDENTITY_CHECKED,), resource_policy=trust)
        trusted = any(
            m.policy_type is PolicyType.RESOURCE and m.effect == "Allow"
            for m in decision.matched_statements
        )
        if not (decision.allowed and trusted):
            return action
    return None
