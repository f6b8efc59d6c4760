"""Authorize the request as IAM would: the operation's IAM actions on its resources, evaluated
against the caller's identity policies and permissions boundary (nimbus_policy).

S3 requests also answer to the bucket's policy and ACLs, with the bucket owner as the resource
account (chain/s3_access.py); SQS requests to the queue policy, with the queue's owner as the
resource account (chain/sqs_access.py). `open` mode skips this step entirely.
"""

from __future__ import annotations

from typing import Literal

from nimbus_core.errors import AwsError
from nimbus_policy import AuthorizationRequest, access_denied_message, evaluate

from nimbus_gateway import authz
from nimbus_gateway.authz.object_tags import request_tag_keys
from nimbus_gateway.bucket_access import BucketAccessCache
from nimbus_gateway.chain.conditions import condition_keys
from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.chain.principal import principal_of, session_policy
from nimbus_gateway.chain.s3_access import (
    S3Access,
    Subject,
    anonymous_denied,
    unreadable_copy_source,
)
from nimbus_gateway.chain.sqs_access import SqsAccess, unreadable_input
from nimbus_gateway.policies import NO_POLICIES, PolicyCache
from nimbus_gateway.queue_access import QueueAccessCache

__all__ = ["DECIDED_BY_SERVICE", "Authorizer", "principal_of", "session_policy"]


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


def _s3_auth_type(exchange: Exchange) -> str:
    """s3:authType: how the request was signed."""
    query = exchange.request.query
    if "X-Amz-Credential=" in query or "Signature=" in query:
        return "REST-QUERY-STRING"
    return "REST-HEADER"


def _s3_signature_version(exchange: Exchange) -> str:
    """s3:signatureversion: "AWS" for SigV2 (header or presigned), else SigV4's name."""
    request = exchange.request
    if "AWSAccessKeyId=" in request.query or request.headers.get("authorization", "").startswith(
        "AWS "
    ):
        return "AWS"
    return "AWS4-HMAC-SHA256"


class Authorizer:
    def __init__(
        self,
        policies: PolicyCache,
        *,
        mode: Literal["enforce", "open"],
        buckets: BucketAccessCache | None = None,
        queues: QueueAccessCache | None = None,
    ) -> None:
        self._policies = policies
        self._mode = mode
        self.s3 = S3Access(buckets)
        self.sqs = SqsAccess(queues)

    async def handle(self, exchange: Exchange) -> list[int]:
        """Raise the API's AccessDenied unless allowed; returns the list items (DeleteObjects'
        keys) that were denied on their own while the rest of the request may go on."""
        if self._mode == "open":
            return []
        api, operation, caller = exchange.api, exchange.operation, exchange.caller
        assert api is not None and operation is not None and caller is not None
        if (api, operation.name) in DECIDED_BY_SERVICE:
            return []
        if caller.anonymous and api not in ("s3", "sqs"):
            raise AwsError("AccessDenied", "Access Denied", 403)
        try:
            needed = authz.requirements(
                api,
                operation.name,
                exchange.params,
                account=caller.account_id,
                region=exchange.region,
                caller_arn=caller.principal_arn or None,
            )
        except authz.UnknownOperation:
            needed = None  # not mapped yet (EC2, Route53): only root may call it
        except authz.UnresolvedPlaceholder:
            if api == "sqs":
                raise unreadable_input(exchange.params) from None
            if api == "s3" and "CopySource" in exchange.params:
                raise unreadable_copy_source(exchange.params["CopySource"]) from None
            raise
        if needed == []:
            return []
        root = caller.principal_arn.endswith(":root")
        if root or caller.anonymous:
            policies = NO_POLICIES
        else:
            policies = await self._policies.load(caller.principal_arn)
        principal = principal_of(caller, policies.tags)
        if needed is None:
            if root:
                return []
            if caller.anonymous:
                raise anonymous_denied()
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
        forwarded = exchange.request.headers.get("x-forwarded-proto", "").lower()
        context: dict[str, object] = {
            "aws:SourceIp": exchange.source_ip,
            "aws:SecureTransport": "true" if forwarded == "https" else "false",
            "aws:RequestedRegion": exchange.region,
        }
        headers = exchange.request.headers
        for key, header in (("aws:Referer", "referer"), ("aws:UserAgent", "user-agent")):
            if header in headers:
                context[key] = headers[header]
        if api == "s3":
            context["s3:authType"] = _s3_auth_type(exchange)
            if not caller.anonymous:
                context["s3:signatureversion"] = _s3_signature_version(exchange)
            context.update(request_tag_keys(operation.name, exchange.params))
            subject = Subject(caller, principal, policies, session_policies)
            return await self.s3.authorize(operation.name, needed, subject, context)
        if api == "sqs":
            subject = Subject(caller, principal, policies, session_policies)
            await self.sqs.authorize(operation.name, needed, subject, context)
            return []
        for requirement in needed:
            # "aws" owns the AWS managed policies, which every account may read and attach.
            owners = {o.account for o in requirement.owners() if o.account not in (None, "aws")}
            request = AuthorizationRequest(
                principal=principal,
                action=requirement.action,
                resources=tuple(requirement.resources),
                resource_account=owners.pop() if len(owners) == 1 else caller.account_id,
                context=condition_keys({**context, **requirement.context}),
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
        return []
