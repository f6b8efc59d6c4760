"""SQS's authorization: identity policies and the queue policy, decided as AWS does.

A queue's ARN names its owner (from the QueueUrl's account), and that account is the resource
account: in it, the caller's identity policies or the queue policy suffice; across accounts
both must allow (nimbus_policy's evaluation); an explicit deny anywhere wins. Anonymous callers
get in only through a queue policy that allows everyone. The owner's root may always read and
mend the queue policy, as AWS keeps a queue whose policy denies everyone recoverable.

A queue that does not exist has no policy to consult: whoever their own account allows goes
on to the sqs service, which answers AWS.SimpleQueueService.NonExistentQueue (as AWS does,
where the lookup precedes the policy), and an unsigned caller learns the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from nimbus_core.errors import AwsError
from nimbus_policy import AuthorizationRequest, Decision, access_denied_message

from nimbus_gateway.authz import Requirement
from nimbus_gateway.chain.conditions import condition_keys
from nimbus_gateway.chain.s3_access import Subject
from nimbus_gateway.queue_access import QueueAccess, QueueName

# Operations authorized by identity policies alone: ListQueues names no queue (SQS: "a
# regional permission ... only set in an IAM policy"); CreateQueue's queue may not exist yet,
# and for an existing one it only answers the URL the owner could ask for anyway.
IDENTITY_ONLY = frozenset({"CreateQueue", "ListQueues"})
# Root-only recovery: the owner's root may edit or delete a queue policy that denies every
# principal (AWS Account Management reference, "root-only actions").
ROOT_ALWAYS = frozenset(
    {
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:AddPermission",
        "sqs:RemovePermission",
    }
)


class QueueSource(Protocol):
    """Where queue access answers come from (queue_access.QueueAccessCache)."""

    async def get(self, arn: str) -> QueueAccess | None: ...


def denied(request: AuthorizationRequest, decision: Decision) -> AwsError:
    """SQS's AccessDenied: IAM's wording with the ARN bare and the action in lower case
    (``... to perform: sqs:sendmessage on resource: arn:aws:sqs:... because no ...``)."""
    lowered = replace(request, action=request.action.lower())
    return AwsError(
        "AccessDenied", access_denied_message(lowered, decision, quote_resource=False), 403
    )


def unreadable_input(params: Mapping[str, Any]) -> AwsError:
    """The answer to input the authorization map cannot read a queue from: AWS answers a
    QueueUrl naming no queue with NonExistentQueue (moto #3657, checked against AWS). Else it
    is an unsigned caller, who has no account to put in a queue ARN (CreateQueue, GetQueueUrl).
    """
    if "QueueUrl" in params:
        return AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400)
    if "TaskHandle" in params:
        return AwsError("InvalidParameterValue", "Value for parameter TaskHandle is invalid.", 400)
    return AwsError("AccessDenied", "Access Denied", 403)


def resource_tag_keys(tags: Mapping[str, str]) -> dict[str, object]:
    """aws:ResourceTag/<key> for each of the queue's tags (SQS's ABAC)."""
    return {f"aws:ResourceTag/{key}": value for key, value in tags.items()}


class SqsAccess:
    def __init__(self, queues: QueueSource | None) -> None:
        self._queues = queues

    async def authorize(
        self,
        operation: str,
        needed: Sequence[Requirement],
        subject: Subject,
        context: Mapping[str, object],
    ) -> None:
        """Raise SQS's AccessDenied unless every requirement is allowed on every queue."""
        for requirement in needed:
            for resource in requirement.resources:
                failure = await self._check(operation, requirement, resource, subject, context)
                if failure is not None:
                    raise failure

    async def _check(
        self,
        operation: str,
        requirement: Requirement,
        resource: str,
        subject: Subject,
        context: Mapping[str, object],
    ) -> AwsError | None:
        caller, principal = subject.caller, subject.principal
        name = QueueName.of(resource)
        queue = None
        if name is not None and operation not in IDENTITY_ONLY and self._queues is not None:
            queue = await self._queues.get(resource)
        keys = condition_keys({**context, **requirement.context})

        def request_in(account: str) -> AuthorizationRequest:
            return AuthorizationRequest(
                principal=principal,
                action=requirement.action,
                resources=(resource,),
                resource_account=account,
                context=keys,
            )

        if queue is None:
            # No queue policy in play: the ARN's account owns the resource (the caller's own
            # for ListQueues' "*"), so a foreign queue stays out of reach.
            request = request_in(name.account if name is not None else caller.account_id)
            decision = subject.evaluate(request, None)
            return None if decision.allowed else denied(request, decision)
        if not queue.exists:
            if caller.anonymous:
                return None
            # Only the caller's own account can speak for it: its identity policies decide
            # whether it may learn that the queue does not exist.
            request = request_in(caller.account_id)
            decision = subject.evaluate(request, None)
            return None if decision.allowed else denied(request, decision)
        owner = queue.owner_account
        keys.update({"aws:ResourceAccount": owner, **resource_tag_keys(queue.tags)})
        request = request_in(owner)
        decision = subject.evaluate(request, queue.policy)
        if decision.allowed:
            return None
        if (
            principal.type == "root"
            and principal.account == owner
            and requirement.action in ROOT_ALWAYS
        ):
            return None
        return denied(request, decision)
