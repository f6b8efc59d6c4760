"""Authorize the request as IAM would: the operation's IAM actions on its resources, evaluated
against the caller's identity policies and permissions boundary (nimbus_policy).

Resource policies (S3 bucket policies, SQS queue policies) join when their services land.
`open` mode skips this step entirely.
"""

from __future__ import annotations

import functools
from typing import Literal

from nimbus_core.errors import AwsError
from nimbus_policy import (
    AuthorizationRequest,
    Policy,
    Principal,
    access_denied_message,
    evaluate,
    parse_policy,
)

from nimbus_gateway import authz
from nimbus_gateway.chain.exchange import Caller, Exchange
from nimbus_gateway.policies import NO_POLICIES, PolicyCache


def principal_of(caller: Caller, tags: dict[str, str]) -> Principal:
    """The policy engine's view of the caller, from its ARN's shape."""
    arn = caller.principal_arn
    resource = arn.split(":", 5)[-1]
    if resource == "root":
        return Principal(arn=arn, account=caller.account_id, type="root", user_id=caller.user_id)
    if resource.startswith("user/"):
        return Principal(
            arn=arn,
            account=caller.account_id,
            type="user",
            user_id=caller.user_id,
            username=resource.rsplit("/", 1)[-1],
            tags=tags,
        )
    if resource.startswith("assumed-role/"):
        role = resource.split("/")[1]
        return Principal(
            arn=arn,
            account=caller.account_id,
            type="assumed-role",
            user_id=caller.user_id,
            tags=tags,
            role_arn=f"arn:aws:iam::{caller.account_id}:role/{role}",
        )
    return Principal(arn=arn, account=caller.account_id, type="federated", user_id=caller.user_id)


@functools.lru_cache(maxsize=1024)
def session_policy(document: str) -> Policy:
    """A session policy, parsed once per distinct document (IAM validated it at AssumeRole)."""
    return parse_policy(document, "session", policy_id="session")


def _denied(api: str, message: str) -> AwsError:
    if api == "ec2":
        return AwsError(
            "UnauthorizedOperation",
            f"You are not authorized to perform this operation. {message}",
            403,
        )
    return AwsError("AccessDenied", message, 403)


# Operations whose whole decision the serving service makes, because it holds both sides:
# IAM evaluates AssumeRole's trust policy together with the caller's own policies.
DECIDED_BY_SERVICE = frozenset({("sts", "AssumeRole")})


class Authorizer:
    def __init__(self, policies: PolicyCache, *, mode: Literal["enforce", "open"]) -> None:
        self._policies = policies
        self._mode = mode

    async def handle(self, exchange: Exchange) -> None:
        if self._mode == "open":
            return
        api, operation, caller = exchange.api, exchange.operation, exchange.caller
        assert api is not None and operation is not None and caller is not None
        if (api, operation.name) in DECIDED_BY_SERVICE:
            return
        if caller.anonymous:
            # Only a resource policy can let an anonymous caller in (S3 public objects).
            raise AwsError("AccessDenied", "Access Denied", 403)
        try:
            needed = authz.requirements(
                api,
                operation.name,
                exchange.params,
                account=caller.account_id,
                region=exchange.region,
                caller_arn=caller.principal_arn,
            )
        except authz.UnknownOperation:
            needed = None  # not mapped yet (EC2, Route53): only root may call it
        if needed == []:
            return
        root = caller.principal_arn.endswith(":root")
        policies = NO_POLICIES if root else await self._policies.load(caller.principal_arn)
        principal = principal_of(caller, policies.tags)
        if needed is None:
            if root:
                return
            raise _denied(
                api,
                f"User: {caller.principal_arn} is not authorized to perform: "
                f"{api}:{operation.name}",
            )
        session_policies = (
            [session_policy(document) for document in caller.session_policies]
            if caller.session_policies
            else None
        )
        context: dict[str, object] = {
            "aws:SourceIp": exchange.source_ip,
            "aws:SecureTransport": "false",
            "aws:RequestedRegion": exchange.region,
        }
        for requirement in needed:
            # "aws" owns the AWS managed policies, which every account may read and attach.
            owners = {o.account for o in requirement.owners() if o.account not in (None, "aws")}
            request = AuthorizationRequest(
                principal=principal,
                action=requirement.action,
                resources=tuple(requirement.resources),
                resource_account=owners.pop() if len(owners) == 1 else caller.account_id,
                context={**context, **requirement.context},  # type: ignore[dict-item]
            )
            decision = evaluate(
                request,
                identity_policies=policies.identity,
                permissions_boundary=policies.boundary,
                session_policies=session_policies,
            )
            if not decision.allowed:
                message = access_denied_message(request, decision, quote_resource=api == "s3")
                raise _denied(api, message)
