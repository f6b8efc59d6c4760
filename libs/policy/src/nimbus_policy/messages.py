"""AWS's current AccessDenied wording, built from a Decision."""

from __future__ import annotations

from nimbus_policy.decision import Decision, EvalDecision, PolicyType
from nimbus_policy.request import AuthorizationRequest

_ARTICLE = {PolicyType.IDENTITY: "an"}


def denial_reason(action: str, decision: Decision) -> str:
    """The trailing clause: "because no X allows the A action" or "with an explicit deny in X"."""
    ptype = decision.policy_type or PolicyType.IDENTITY
    if decision.decision is EvalDecision.EXPLICIT_DENY:
        return f"with an explicit deny in {_ARTICLE.get(ptype, 'a')} {ptype.value}"
    return f"because no {ptype.value} allows the {action} action"


def access_denied_message(
    request: AuthorizationRequest, decision: Decision, *, quote_resource: bool = True
) -> str:
    """e.g. `User: arn:... is not authorized to perform: s3:PutObject on resource: "arn:..."
    because no identity-based policy allows the s3:PutObject action`.

    S3 quotes the resource ARN; IAM, STS and SQS write it bare (quote_resource=False).
    """
    if decision.allowed:
        raise ValueError("the request was allowed; there is no AccessDenied message")
    who = request.principal.arn
    resource = f'"{decision.resource}"' if quote_resource else decision.resource
    return (
        f"User: {who} is not authorized to perform: {request.action} "
        f"on resource: {resource} {denial_reason(request.action, decision)}"
    )
