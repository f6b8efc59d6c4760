"""Queue policies enforced at the gateway, end to end: a cloud in enforce mode, two accounts,
boto3 (JSON protocol) and a signed raw query-protocol request.

The queue's owner is the resource account: AddPermission lets another account's user in (its
identity policy allows it too), RemovePermission shuts it out again, and a Deny in the queue
policy beats the owner's own user's identity allow. Each change reaches the gateway through
the QueueChanged event, so the checks settle in a loop.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import botocore.exceptions
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.sqs_authz.conftest import OWNER, REGION, client, eventually, user_with_policy
from tests.system.conftest import Cloud

pytestmark = pytest.mark.system

SEND_ANYWHERE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
    }
)
ALL_SQS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
    }
)


def refused(call: Callable[[], Any]) -> tuple[str, str]:
    """(code, message) of an SQS AccessDenied, checked as the JSON protocol carries it."""
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers.get("x-amzn-query-error") == "AccessDenied;Sender"
    return response["Error"]["Code"], response["Error"]["Message"]


def send_denied_message(user_arn: str, queue_arn: str, reason: str) -> str:
    return (
        f"User: {user_arn} is not authorized to perform: sqs:sendmessage on resource: "
        f"{queue_arn} {reason}"
    )


@pytest.fixture
def owner_queue(authz_cloud: Cloud) -> Iterator[tuple[str, str]]:
    """(URL, ARN) of a fresh queue of the owner's account, deleted afterwards."""
    sqs = client(authz_cloud.endpoint, "sqs")
    name = f"q-{uuid.uuid4().hex[:16]}"
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    yield url, f"arn:aws:sqs:{REGION}:{OWNER}:{name}"
    with contextlib.suppress(botocore.exceptions.ClientError):  # a test may lock it on purpose
        sqs.delete_queue(QueueUrl=url)


def query_send(endpoint: str, key: str, secret: str, url: str) -> tuple[int, str]:
    """SendMessage in the query protocol (older SDKs), signed with SigV4: (status, body)."""
    body = urllib.parse.urlencode(
        {"Action": "SendMessage", "Version": "2012-11-05", "QueueUrl": url, "MessageBody": "q"}
    )
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key, secret), "sqs", REGION).add_auth(request)
    prepared = urllib.request.Request(
        endpoint + "/", data=body.encode(), headers=dict(request.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(prepared, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_add_permission_lets_another_account_in_and_remove_permission_shuts_it_out(
    authz_cloud: Cloud, other_account: dict[str, str], owner_queue: tuple[str, str]
) -> None:
    url, arn = owner_queue
    other = other_account["AccountId"]
    user_arn, key, secret = user_with_policy(
        authz_cloud.endpoint,
        other_account["AccessKeyId"],
        other_account["SecretAccessKey"],
        SEND_ANYWHERE,
    )
    owner = client(authz_cloud.endpoint, "sqs")
    sender = client(authz_cloud.endpoint, "sqs", key, secret)

    # Its own account allows it, the queue's does not: refused, in SQS's words.
    not_granted = send_denied_message(
        user_arn, arn, "because no resource-based policy allows the sqs:sendmessage action"
    )

    def is_refused() -> None:
        assert refused(lambda: sender.send_message(QueueUrl=url, MessageBody="x")) == (
            "AccessDenied",
            not_granted,
        )

    eventually(is_refused)  # the new user's key and policy reach the gateway through IAM
    status, body = query_send(authz_cloud.endpoint, key, secret, url)
    assert status == 403
    assert "<Code>AccessDenied</Code>" in body and "<Type>Sender</Type>" in body
    assert f"<Message>{not_granted}</Message>" in body

    owner.add_permission(
        QueueUrl=url, Label="share", AWSAccountIds=[other], Actions=["SendMessage"]
    )
    sent: list[str] = []
    eventually(
        lambda: sent.append(sender.send_message(QueueUrl=url, MessageBody="hello")["MessageId"])
    )
    received = owner.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
    assert [m["Body"] for m in received.get("Messages", [])] == ["hello"]
    assert received["Messages"][0]["MessageId"] == sent[0]
    status, body = query_send(authz_cloud.endpoint, key, secret, url)
    assert status == 200, body
    # Only what the permission names: not receiving, and the user's own account must still
    # allow it (it allows sending only).
    code, message = refused(lambda: sender.receive_message(QueueUrl=url))
    assert code == "AccessDenied"
    assert message.endswith("because no identity-based policy allows the sqs:receivemessage action")

    owner.remove_permission(QueueUrl=url, Label="share")
    eventually(is_refused)


def test_another_accounts_user_needs_its_own_identity_policy_too(
    authz_cloud: Cloud, other_account: dict[str, str], owner_queue: tuple[str, str]
) -> None:
    url, arn = owner_queue
    owner = client(authz_cloud.endpoint, "sqs")
    owner.add_permission(
        QueueUrl=url,
        Label="share",
        AWSAccountIds=[other_account["AccountId"]],
        Actions=["SendMessage"],
    )
    user_arn, key, secret = user_with_policy(
        authz_cloud.endpoint, other_account["AccessKeyId"], other_account["SecretAccessKey"], None
    )
    unprivileged = client(authz_cloud.endpoint, "sqs", key, secret)
    other_root = client(
        authz_cloud.endpoint, "sqs", other_account["AccessKeyId"], other_account["SecretAccessKey"]
    )
    eventually(lambda: other_root.send_message(QueueUrl=url, MessageBody="from root"))

    def is_refused() -> None:
        assert refused(lambda: unprivileged.send_message(QueueUrl=url, MessageBody="x")) == (
            "AccessDenied",
            send_denied_message(
                user_arn, arn, "because no identity-based policy allows the sqs:sendmessage action"
            ),
        )

    eventually(is_refused)


def test_a_deny_in_the_queue_policy_beats_the_owner_users_identity_allow(
    authz_cloud: Cloud, owner_queue: tuple[str, str]
) -> None:
    url, arn = owner_queue
    user_arn, key, secret = user_with_policy(authz_cloud.endpoint, "test", "test", ALL_SQS)
    writer = client(authz_cloud.endpoint, "sqs", key, secret)
    eventually(lambda: writer.send_message(QueueUrl=url, MessageBody="allowed"))

    owner = client(authz_cloud.endpoint, "sqs")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NoSending",
                "Effect": "Deny",
                "Principal": {"AWS": user_arn},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})

    def is_refused() -> None:
        assert refused(lambda: writer.send_message(QueueUrl=url, MessageBody="x")) == (
            "AccessDenied",
            send_denied_message(user_arn, arn, "with an explicit deny in a resource-based policy"),
        )

    eventually(is_refused)
    # The deny names sending only: the user's identity policy still lets it receive.
    writer.receive_message(QueueUrl=url)


def test_a_policy_denying_everyone_still_lets_the_owners_root_remove_it(
    authz_cloud: Cloud, owner_queue: tuple[str, str]
) -> None:
    url, arn = owner_queue
    owner = client(authz_cloud.endpoint, "sqs")
    lockout = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": arn}],
    }
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(lockout)})
    eventually(lambda: refused(lambda: owner.send_message(QueueUrl=url, MessageBody="x")))
    # Root-only recovery: reading and editing the policy stay open to the owner's root.
    assert (
        json.loads(
            owner.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"][
                "Policy"
            ]
        )
        == lockout
    )
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    eventually(lambda: owner.send_message(QueueUrl=url, MessageBody="back"))


def test_a_queue_that_does_not_exist(authz_cloud: Cloud, other_account: dict[str, str]) -> None:
    missing = f"{authz_cloud.endpoint}/{OWNER}/no-such-queue-{uuid.uuid4().hex[:8]}"
    owner = client(authz_cloud.endpoint, "sqs")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        owner.send_message(QueueUrl=missing, MessageBody="x")
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    # Another account's user whose own account lets it send learns the same; one whose
    # account does not is refused before anything is looked up.
    _, key, secret = user_with_policy(
        authz_cloud.endpoint,
        other_account["AccessKeyId"],
        other_account["SecretAccessKey"],
        SEND_ANYWHERE,
    )
    sender = client(authz_cloud.endpoint, "sqs", key, secret)

    def does_not_exist() -> None:
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            sender.send_message(QueueUrl=missing, MessageBody="x")
        error = caught.value.response["Error"]
        assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue", error

    eventually(does_not_exist)
    user_arn, key, secret = user_with_policy(
        authz_cloud.endpoint, other_account["AccessKeyId"], other_account["SecretAccessKey"], None
    )
    nobody = client(authz_cloud.endpoint, "sqs", key, secret)
    missing_arn = f"arn:aws:sqs:{REGION}:{OWNER}:{missing.rsplit('/', 1)[1]}"

    def is_refused() -> None:
        assert refused(lambda: nobody.send_message(QueueUrl=missing, MessageBody="x")) == (
            "AccessDenied",
            send_denied_message(
                user_arn,
                missing_arn,
                "because no identity-based policy allows the sqs:sendmessage action",
            ),
        )

    eventually(is_refused)


def _unsigned_send(url: str, body: str) -> tuple[int, bytes]:
    """An unsigned query-protocol SendMessage POSTed to the queue URL, as a browser could."""
    form = urllib.parse.urlencode(
        {"Action": "SendMessage", "Version": "2012-11-05", "MessageBody": body}
    ).encode()
    request = urllib.request.Request(
        url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as refused_reply:
        return refused_reply.code, refused_reply.read()


def test_anonymous_callers_get_in_only_through_a_policy_that_allows_everyone(
    authz_cloud: Cloud, owner_queue: tuple[str, str]
) -> None:
    url, arn = owner_queue
    status, body = _unsigned_send(url, "anonymous")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body, body

    owner = client(authz_cloud.endpoint, "sqs")
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}
        ],
    }
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(public)})

    def sent() -> None:
        status, body = _unsigned_send(url, "anonymous")
        assert status == 200 and b"<MessageId>" in body, body

    eventually(sent)
    received = owner.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in received] == ["anonymous"]
    # Everyone may send, nobody anonymous may read.
    query = urllib.parse.urlencode({"Action": "ReceiveMessage", "Version": "2012-11-05"})
    try:
        urllib.request.urlopen(f"{url}?{query}", timeout=10)
        raise AssertionError("an anonymous ReceiveMessage was allowed")
    except urllib.error.HTTPError as refused_reply:
        assert refused_reply.code == 403
