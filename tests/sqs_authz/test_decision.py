"""SQS authorization decisions: identity policies and the queue policy, with the queue's owner
as the resource account.

The queue answers come from an in-memory stand-in for the sqs service's SqsInternal; the
requirements come from the real authorization map and the decision from the real gateway code
and nimbus_policy.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_gateway import authz
from nimbus_gateway.chain.exchange import Caller
from nimbus_gateway.chain.principal import principal_of
from nimbus_gateway.chain.s3_access import Subject
from nimbus_gateway.chain.sqs_access import SqsAccess, unreadable_input
from nimbus_gateway.policies import NO_POLICIES, PrincipalPolicies
from nimbus_gateway.queue_access import QueueAccess, queue_policy
from nimbus_policy import parse_policy

OWNER = "111111111111"
OTHER = "222222222222"
REGION = "us-east-1"
NAME = "orders"
ARN = f"arn:aws:sqs:{REGION}:{OWNER}:{NAME}"
URL = f"http://127.0.0.1:4566/{OWNER}/{NAME}"
DLQ_ARN = f"arn:aws:sqs:{REGION}:{OWNER}:orders-dlq"


class Queues:
    """What SqsInternal would answer, counting the questions."""

    def __init__(self, *found: QueueAccess, available: bool = True) -> None:
        self._found = {q.arn: q for q in found}
        self._available = available
        self.asked: list[str] = []

    async def get(self, arn: str) -> QueueAccess | None:
        self.asked.append(arn)
        if not self._available:
            return None
        return self._found.get(arn, QueueAccess(arn=arn, exists=False))


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(
    effect: str, action: str | list[str], principal: Any, resource: str = ARN, **extra: Any
) -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": principal,
        "Action": action,
        "Resource": resource,
        **extra,
    }


def queue(policy: str = "", *, arn: str = ARN, tags: dict[str, str] | None = None) -> QueueAccess:
    return QueueAccess(
        arn=arn,
        exists=True,
        owner_account=arn.split(":")[4],
        policy=queue_policy(policy) if policy else None,
        tags=tags or {},
    )


def add_permission_policy(label: str, accounts: list[str], actions: list[str]) -> str:
    """The policy AddPermission writes: SQS:<Action>, the accounts' roots as principals."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": f"{ARN}/SQSDefaultPolicy",
            "Statement": [
                {
                    "Sid": label,
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]},
                    "Action": [f"SQS:{a}" for a in actions],
                    "Resource": ARN,
                }
            ],
        }
    )


def user(account: str, name: str, *identity: str) -> Subject:
    caller = Caller(
        account_id=account, principal_arn=f"arn:aws:iam::{account}:user/{name}", user_id="AIDA"
    )
    policies = PrincipalPolicies(
        tuple(parse_policy(d, "identity", policy_id=f"p{i}") for i, d in enumerate(identity)),
        None,
        {},
    )
    return Subject(caller, principal_of(caller, {}), policies, None)


def root(account: str) -> Subject:
    caller = Caller(account_id=account, principal_arn=f"arn:aws:iam::{account}:root", user_id="")
    return Subject(caller, principal_of(caller, {}), NO_POLICIES, None)


def anonymous() -> Subject:
    caller = Caller(account_id="", principal_arn="", user_id="", anonymous=True)
    return Subject(caller, principal_of(caller, {}), NO_POLICIES, None)


def allow_identity(action: str, resource: str = "*", **extra: Any) -> str:
    return document({"Effect": "Allow", "Action": action, "Resource": resource, **extra})


SEND_ANY = allow_identity("sqs:SendMessage")


async def decide(
    queues: Queues, subject: Subject, operation: str, params: dict[str, Any] | None = None
) -> AwsError | None:
    """None when allowed, else the error the gateway would answer."""
    account = subject.caller.account_id
    needed = authz.requirements(
        "sqs",
        operation,
        {"QueueUrl": URL, **(params or {})},
        account=account,
        region=REGION,
        caller_arn=subject.caller.principal_arn or None,
    )
    try:
        await SqsAccess(queues).authorize(operation, needed, subject, {})
    except AwsError as failure:
        return failure
    return None


def assert_denied(failure: AwsError | None) -> str:
    assert failure is not None, "expected AccessDenied"
    assert (failure.code, failure.http_status) == ("AccessDenied", 403)
    return failure.message


# --- the owner's account ---------------------------------------------------------------------


async def test_an_owner_account_user_is_allowed_by_identity_alone() -> None:
    subject = user(OWNER, "writer", SEND_ANY)
    assert await decide(Queues(queue()), subject, "SendMessage", {"MessageBody": "x"}) is None


async def test_an_owner_account_user_without_policies_is_refused_in_sqs_wording() -> None:
    message = assert_denied(await decide(Queues(queue()), user(OWNER, "nobody"), "SendMessage"))
    assert message == (
        f"User: arn:aws:iam::{OWNER}:user/nobody is not authorized to perform: sqs:sendmessage "
        f"on resource: {ARN} because no identity-based policy allows the sqs:sendmessage action"
    )


async def test_the_queue_policy_alone_suffices_in_the_owners_account() -> None:
    policy = document(
        statement("Allow", "sqs:ReceiveMessage", {"AWS": f"arn:aws:iam::{OWNER}:user/reader"})
    )
    queues = Queues(queue(policy))
    assert await decide(queues, user(OWNER, "reader"), "ReceiveMessage") is None
    assert_denied(await decide(queues, user(OWNER, "reader"), "SendMessage"))
    assert_denied(await decide(queues, user(OWNER, "someone-else"), "ReceiveMessage"))


async def test_a_deny_in_the_queue_policy_beats_the_owner_users_identity_allow() -> None:
    policy = document(statement("Deny", "sqs:SendMessage", "*"))
    message = assert_denied(
        await decide(Queues(queue(policy)), user(OWNER, "writer", SEND_ANY), "SendMessage")
    )
    assert message.endswith("with an explicit deny in a resource-based policy")
    assert "perform: sqs:sendmessage on resource: " + ARN in message


async def test_the_owners_root_is_allowed_without_any_policy() -> None:
    assert await decide(Queues(queue()), root(OWNER), "DeleteQueue") is None


async def test_a_queue_policy_denying_everyone_still_lets_the_owners_root_mend_it() -> None:
    policy = document(statement("Deny", "sqs:*", "*"))
    queues = Queues(queue(policy))
    assert_denied(await decide(queues, root(OWNER), "SendMessage"))
    assert await decide(queues, root(OWNER), "GetQueueAttributes") is None
    assert (
        await decide(queues, root(OWNER), "SetQueueAttributes", {"Attributes": {"Policy": ""}})
        is None
    )
    assert await decide(queues, root(OWNER), "RemovePermission", {"Label": "x"}) is None
    # Only the owner's root: another account's root gets nothing from that rule.
    assert_denied(await decide(queues, root(OTHER), "GetQueueAttributes"))


# --- across accounts -------------------------------------------------------------------------


async def test_another_accounts_user_needs_the_queue_policy() -> None:
    message = assert_denied(
        await decide(Queues(queue()), user(OTHER, "sender", SEND_ANY), "SendMessage")
    )
    assert message == (
        f"User: arn:aws:iam::{OTHER}:user/sender is not authorized to perform: sqs:sendmessage "
        f"on resource: {ARN} because no resource-based policy allows the sqs:sendmessage action"
    )


async def test_add_permission_lets_the_named_account_do_the_named_actions_only() -> None:
    queues = Queues(queue(add_permission_policy("share", [OTHER], ["SendMessage"])))
    sender = user(OTHER, "sender", allow_identity("sqs:*"))
    assert await decide(queues, sender, "SendMessage", {"MessageBody": "x"}) is None
    assert (
        await decide(
            queues,
            sender,
            "SendMessageBatch",
            {"Entries": [{"Id": "1", "MessageBody": "x"}]},
        )
        is None
    )
    assert_denied(await decide(queues, sender, "ReceiveMessage"))
    assert_denied(await decide(queues, user("333333333333", "stranger", SEND_ANY), "SendMessage"))


async def test_another_accounts_user_also_needs_its_own_identity_policy() -> None:
    queues = Queues(queue(add_permission_policy("share", [OTHER], ["SendMessage"])))
    message = assert_denied(await decide(queues, user(OTHER, "unprivileged"), "SendMessage"))
    assert message.endswith("because no identity-based policy allows the sqs:sendmessage action")
    # The other account's root has every permission of its own account.
    assert await decide(queues, root(OTHER), "SendMessage") is None


async def test_a_queue_policy_naming_a_user_of_another_account() -> None:
    policy = document(
        statement("Allow", "sqs:SendMessage", {"AWS": f"arn:aws:iam::{OTHER}:user/sender"})
    )
    queues = Queues(queue(policy))
    assert await decide(queues, user(OTHER, "sender", SEND_ANY), "SendMessage") is None
    assert_denied(await decide(queues, user(OTHER, "other-user", SEND_ANY), "SendMessage"))


async def test_a_deny_beats_an_add_permission_grant() -> None:
    grant = json.loads(add_permission_policy("share", [OTHER], ["SendMessage"]))
    grant["Statement"].append(
        statement("Deny", "sqs:SendMessage", {"AWS": f"arn:aws:iam::{OTHER}:user/sender"})
    )
    queues = Queues(queue(json.dumps(grant)))
    message = assert_denied(await decide(queues, user(OTHER, "sender", SEND_ANY), "SendMessage"))
    assert message.endswith("with an explicit deny in a resource-based policy")


async def test_get_queue_url_of_another_accounts_queue_answers_to_its_policy() -> None:
    queues = Queues(queue(add_permission_policy("share", [OTHER], ["GetQueueUrl"])))
    asker = user(OTHER, "asker", allow_identity("sqs:GetQueueUrl"))
    params = {"QueueName": NAME, "QueueOwnerAWSAccountId": OWNER}
    assert await decide(queues, asker, "GetQueueUrl", params) is None
    assert queues.asked == [ARN]
    refused = Queues(queue())
    assert_denied(await decide(refused, asker, "GetQueueUrl", params))


async def test_a_message_move_also_needs_send_on_the_destination() -> None:
    destination = f"arn:aws:sqs:{REGION}:{OTHER}:target"
    mover = user(OWNER, "mover", allow_identity("sqs:*"))
    params = {"SourceArn": DLQ_ARN, "DestinationArn": destination}
    denied = await decide(
        Queues(queue(arn=DLQ_ARN), queue(arn=destination)), mover, "StartMessageMoveTask", params
    )
    assert "sqs:sendmessage on resource: " + destination in assert_denied(denied)
    shared = document(statement("Allow", "sqs:SendMessage", {"AWS": OWNER}, resource=destination))
    queues = Queues(queue(arn=DLQ_ARN), queue(shared, arn=destination))
    assert await decide(queues, mover, "StartMessageMoveTask", params) is None


# --- unsigned callers ------------------------------------------------------------------------


async def test_anonymous_callers_get_in_only_through_a_policy_allowing_everyone() -> None:
    assert_denied(await decide(Queues(queue()), anonymous(), "SendMessage"))
    public = Queues(queue(document(statement("Allow", "sqs:SendMessage", "*"))))
    assert await decide(public, anonymous(), "SendMessage") is None
    assert_denied(await decide(public, anonymous(), "ReceiveMessage"))
    # A principal naming an account is not everyone.
    named = Queues(queue(document(statement("Allow", "sqs:SendMessage", {"AWS": OWNER}))))
    message = assert_denied(await decide(named, anonymous(), "SendMessage"))
    assert message.startswith("User: anonymous is not authorized to perform: sqs:sendmessage")


async def test_anonymous_callers_cannot_list_or_create_queues() -> None:
    queues = Queues(queue(document(statement("Allow", "sqs:*", "*"))))
    assert_denied(await decide(queues, anonymous(), "ListQueues"))
    assert queues.asked == []


# --- queues that do not exist, and no SqsInternal --------------------------------------------


async def test_a_missing_queue_goes_to_the_service_for_its_owner() -> None:
    assert await decide(Queues(), root(OWNER), "SendMessage") is None
    assert await decide(Queues(), user(OWNER, "writer", SEND_ANY), "SendMessage") is None
    assert_denied(await decide(Queues(), user(OWNER, "nobody"), "SendMessage"))


async def test_a_missing_queue_of_another_account_answers_to_the_callers_own_account() -> None:
    # Its own account lets it send anywhere: it learns the queue does not exist, as in AWS.
    assert await decide(Queues(), user(OTHER, "sender", SEND_ANY), "SendMessage") is None
    assert await decide(Queues(), root(OTHER), "SendMessage") is None
    # Its own account does not: refused before anything is looked at.
    message = assert_denied(await decide(Queues(), user(OTHER, "nobody"), "SendMessage"))
    assert message.endswith("because no identity-based policy allows the sqs:sendmessage action")
    assert await decide(Queues(), anonymous(), "SendMessage") is None


async def test_list_and_create_are_decided_by_identity_alone() -> None:
    queues = Queues(queue(document(statement("Deny", "sqs:*", "*"))))
    creator = user(
        OWNER, "creator", allow_identity("sqs:CreateQueue"), allow_identity("sqs:ListQueues")
    )
    assert await decide(queues, creator, "CreateQueue", {"QueueName": NAME}) is None
    assert await decide(queues, creator, "ListQueues") is None
    assert queues.asked == []
    assert_denied(await decide(queues, user(OWNER, "nobody"), "ListQueues"))


async def test_without_sqs_internal_another_accounts_queue_stays_out_of_reach() -> None:
    queues = Queues(available=False)
    assert await decide(queues, user(OWNER, "writer", SEND_ANY), "SendMessage") is None
    message = assert_denied(await decide(queues, user(OTHER, "sender", SEND_ANY), "SendMessage"))
    assert "because no resource-based policy allows" in message


# --- condition keys --------------------------------------------------------------------------


async def test_resource_tags_and_resource_account_are_condition_keys() -> None:
    by_tag = allow_identity(
        "sqs:SendMessage", Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}
    )
    sender = user(OWNER, "tagged", by_tag)
    assert await decide(Queues(queue(tags={"team": "blue"})), sender, "SendMessage") is None
    assert_denied(await decide(Queues(queue(tags={"team": "red"})), sender, "SendMessage"))
    assert_denied(await decide(Queues(queue()), sender, "SendMessage"))

    own_only = allow_identity(
        "sqs:SendMessage", Condition={"StringEquals": {"aws:ResourceAccount": OWNER}}
    )
    assert await decide(Queues(queue()), user(OWNER, "own", own_only), "SendMessage") is None


# --- input the map cannot read a queue from --------------------------------------------------


def test_an_unreadable_queue_url_is_a_queue_that_does_not_exist() -> None:
    with pytest.raises(authz.UnresolvedPlaceholder):
        authz.requirements(
            "sqs", "SendMessage", {"QueueUrl": "not-a-queue-url"}, account=OWNER, region=REGION
        )
    failure = unreadable_input({"QueueUrl": "not-a-queue-url", "MessageBody": "x"})
    assert (failure.code, failure.http_status) == ("QueueDoesNotExist", 400)
    handle = unreadable_input({"TaskHandle": "garbage"})
    assert (handle.code, handle.http_status) == ("InvalidParameterValue", 400)
    unsigned = unreadable_input({"QueueName": NAME})
    assert (unsigned.code, unsigned.http_status) == ("AccessDenied", 403)
