"""SetQueueAttributes, redrive policies and ListDeadLetterSourceQueues, tags, permissions and
PurgeQueue against the real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from nimbus_policy import parse_policy
from nimbus_sqs import queues
from nimbus_sqs.model import NewMessage, QueueCounts

from tests.integration.sqs_queues.conftest import (
    ACCOUNT,
    HOLD_SECONDS,
    OTHER_ACCOUNT,
    REGION,
    Sqs,
    arn_of,
    url_of,
)

pytestmark = pytest.mark.infra


def redrive(dlq: str, count: int = 3) -> str:
    return json.dumps({"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": count})


async def test_set_attributes_and_clear_optional_ones(sqs: Sqs) -> None:
    url = await sqs.create("tuned")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": [OTHER_ACCOUNT]},
                    "Action": "sqs:SendMessage",
                    "Resource": arn_of("tuned"),
                }
            ],
        }
    )
    await sqs.call(
        "SetQueueAttributes",
        QueueUrl=url,
        Attributes={"VisibilityTimeout": "120", "MessageRetentionPeriod": "60", "Policy": policy},
    )
    shown = await sqs.attributes(url, "VisibilityTimeout", "MessageRetentionPeriod", "Policy")
    assert shown == {"VisibilityTimeout": "120", "MessageRetentionPeriod": "60", "Policy": policy}
    record = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "tuned")
    assert record is not None
    assert (record.visibility_timeout, record.retention_seconds) == (120, 60)
    await sqs.call("SetQueueAttributes", QueueUrl=url, Attributes={"Policy": ""})
    assert "Policy" not in await sqs.attributes(url, "All")
    assert (await sqs.error("SetQueueAttributes", QueueUrl=url, Attributes={"Policy": "{bad"}))[
        :2
    ] == ("InvalidAttributeValue", "Invalid value for the parameter Policy.")
    assert (await sqs.error("SetQueueAttributes", QueueUrl=url, Attributes={"Nope": "1"}))[:2] == (
        "InvalidAttributeName",
        "Unknown Attribute Nope.",
    )
    await sqs.call("SetQueueAttributes", QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/k"})
    kms = await sqs.attributes(url, "All")
    assert kms["KmsMasterKeyId"] == "alias/k"
    assert kms["KmsDataKeyReusePeriodSeconds"] == "300"
    assert kms["SqsManagedSseEnabled"] == "false"


async def test_redrive_resolution_and_dead_letter_sources(sqs: Sqs) -> None:
    dlq_url = await sqs.create("dlq")
    for i in range(3):
        await sqs.create(f"src-{i}", RedrivePolicy=redrive("dlq", 5))
    await sqs.create("unrelated")
    source = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "src-0")
    dlq = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "dlq")
    assert source is not None and dlq is not None and source.redrive is not None
    assert source.redrive.dlq_queue_id == dlq.queue_id
    assert source.redrive.dlq_arn == dlq.arn
    assert source.redrive.max_receive_count == 5
    assert not source.redrive.dlq_fifo
    # Stored as given, shown as given.
    src_url = url_of("src-0")
    assert (await sqs.attributes(src_url, "RedrivePolicy"))["RedrivePolicy"] == redrive("dlq", 5)

    everything = await sqs.call("ListDeadLetterSourceQueues", QueueUrl=dlq_url)
    assert everything == {"queueUrls": [url_of(f"src-{i}") for i in range(3)]}
    page = await sqs.call("ListDeadLetterSourceQueues", QueueUrl=dlq_url, MaxResults=2)
    assert page["queueUrls"] == [url_of("src-0"), url_of("src-1")]
    rest = await sqs.call(
        "ListDeadLetterSourceQueues", QueueUrl=dlq_url, MaxResults=2, NextToken=page["NextToken"]
    )
    assert rest == {"queueUrls": [url_of("src-2")]}
    assert (await sqs.error("ListDeadLetterSourceQueues", QueueUrl=dlq_url, NextToken="garbage!"))[
        1
    ] == "Invalid or expired next token."
    assert await sqs.call("ListDeadLetterSourceQueues", QueueUrl=src_url) == {"queueUrls": []}

    # Clearing the policy ends the relation; re-pointing it moves it.
    await sqs.call("SetQueueAttributes", QueueUrl=url_of("src-1"), Attributes={"RedrivePolicy": ""})
    await sqs.call(
        "SetQueueAttributes",
        QueueUrl=url_of("src-2"),
        Attributes={"RedrivePolicy": redrive("unrelated")},
    )
    assert await sqs.call("ListDeadLetterSourceQueues", QueueUrl=dlq_url) == {
        "queueUrls": [url_of("src-0")]
    }
    cleared = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "src-1")
    assert cleared is not None and cleared.redrive is None

    # A DLQ deleted and re-created under its name is found again, under its new id.
    await sqs.call("DeleteQueue", QueueUrl=dlq_url)
    orphan = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "src-0")
    assert orphan is not None and orphan.redrive is None
    await asyncio.sleep(HOLD_SECONDS + 0.2)
    await sqs.create("dlq")
    again = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "src-0")
    renewed = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "dlq")
    assert again is not None and renewed is not None and again.redrive is not None
    assert again.redrive.dlq_queue_id == renewed.queue_id != dlq.queue_id


async def test_redrive_policy_errors(sqs: Sqs) -> None:
    await sqs.create("fifo-dlq.fifo", FifoQueue="true")
    missing = redrive("no-such-queue")
    assert await sqs.error("CreateQueue", QueueName="s", Attributes={"RedrivePolicy": missing}) == (
        "InvalidParameterValue",
        f"Value {missing} for parameter RedrivePolicy is invalid. Reason: Dead letter target "
        "does not exist.",
        400,
    )
    mismatch = redrive("fifo-dlq.fifo")
    assert (await sqs.error("CreateQueue", QueueName="s", Attributes={"RedrivePolicy": mismatch}))[
        1
    ].endswith("Reason: Dead-letter queue must be same type of queue as the source..")
    bad_count = redrive("fifo-dlq.fifo", 0)
    assert (await sqs.error("CreateQueue", QueueName="s", Attributes={"RedrivePolicy": bad_count}))[
        1
    ].endswith(
        "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."
    )
    await sqs.create("closed", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    assert (
        await sqs.error(
            "CreateQueue", QueueName="s", Attributes={"RedrivePolicy": redrive("closed")}
        )
    )[0] == "InvalidParameterValue"
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn_of("s")]})
    await sqs.create("picky", RedriveAllowPolicy=allow)
    await sqs.create("s", RedrivePolicy=redrive("picky"))
    assert (
        await sqs.error(
            "CreateQueue", QueueName="t", Attributes={"RedrivePolicy": redrive("picky")}
        )
    )[0] == "InvalidParameterValue"


async def test_tags(sqs: Sqs) -> None:
    url = await sqs.call("CreateQueue", QueueName="tagged", tags={"env": "prod", "team": "a"})
    queue_url = url["QueueUrl"]
    assert await sqs.call("ListQueueTags", QueueUrl=queue_url) == {
        "Tags": {"env": "prod", "team": "a"}
    }
    await sqs.call("TagQueue", QueueUrl=queue_url, Tags={"team": "b", "cost": "42"})
    await sqs.call("UntagQueue", QueueUrl=queue_url, TagKeys=["env", "absent"])
    assert await sqs.call("ListQueueTags", QueueUrl=queue_url) == {
        "Tags": {"team": "b", "cost": "42"}
    }
    too_many = {f"k{i}": "v" for i in range(49)}
    assert await sqs.error("TagQueue", QueueUrl=queue_url, Tags=too_many) == (
        "InvalidParameterValue",
        "Too many tags added for queue tagged.",
        400,
    )
    assert await sqs.call("ListQueueTags", QueueUrl=queue_url) == {
        "Tags": {"team": "b", "cost": "42"}
    }
    assert (await sqs.error("TagQueue", QueueUrl=queue_url, Tags={}))[:2] == (
        "MissingParameter",
        "The request must contain the parameter Tags.",
    )
    await sqs.call("UntagQueue", QueueUrl=queue_url, TagKeys=["team", "cost"])
    assert await sqs.call("ListQueueTags", QueueUrl=queue_url) == {}


async def test_permissions_edit_the_policy(sqs: Sqs) -> None:
    url = await sqs.create("granted")
    await sqs.call(
        "AddPermission",
        QueueUrl=url,
        Label="SendFromOther",
        AWSAccountIds=[OTHER_ACCOUNT],
        Actions=["SendMessage"],
    )
    policy = (await sqs.attributes(url, "Policy"))["Policy"]
    assert json.loads(policy) == {
        "Version": "2012-10-17",
        "Id": f"{arn_of('granted')}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "SendFromOther",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": "SQS:SendMessage",
                "Resource": arn_of("granted"),
            }
        ],
    }
    parse_policy(policy, "resource")
    assert await sqs.error(
        "AddPermission",
        QueueUrl=url,
        Label="SendFromOther",
        AWSAccountIds=[OTHER_ACCOUNT],
        Actions=["ReceiveMessage"],
    ) == (
        "InvalidParameterValue",
        "Value SendFromOther for parameter Label is invalid. Reason: Already exists.",
        400,
    )
    await sqs.call(
        "AddPermission",
        QueueUrl=url,
        Label="Two",
        AWSAccountIds=[ACCOUNT, OTHER_ACCOUNT],
        Actions=["ReceiveMessage", "DeleteMessage"],
    )
    await sqs.call("RemovePermission", QueueUrl=url, Label="SendFromOther")
    left = json.loads((await sqs.attributes(url, "Policy"))["Policy"])
    assert [s["Sid"] for s in left["Statement"]] == ["Two"]
    await sqs.call("RemovePermission", QueueUrl=url, Label="Two")
    assert await sqs.attributes(url, "Policy") == {}
    assert await sqs.error("RemovePermission", QueueUrl=url, Label="Two") == (
        "InvalidParameterValue",
        "Value Two for parameter Label is invalid. Reason: can't find label on existing policy.",
        400,
    )


async def test_purge_is_held(sqs: Sqs) -> None:
    url = await sqs.create("purged")
    await sqs.call("PurgeQueue", QueueUrl=url)
    assert await sqs.error("PurgeQueue", QueueUrl=url) == (
        "PurgeQueueInProgress",
        f"Only one PurgeQueue operation on purged is allowed every {int(HOLD_SECONDS)} seconds.",
        403,
    )
    await asyncio.sleep(HOLD_SECONDS + 0.2)
    await sqs.call("PurgeQueue", QueueUrl=url)
    assert (await sqs.error("PurgeQueue", QueueUrl=url_of("missing")))[0] == "QueueDoesNotExist"


def message(body: str, delay: int = 0) -> NewMessage:
    return NewMessage(
        body=body,
        message_attributes={},
        system_attributes={},
        md5_of_body=hashlib.md5(body.encode()).hexdigest(),
        md5_of_message_attributes=None,
        md5_of_system_attributes=None,
        delay_seconds=delay,
        sender_id=ACCOUNT,
    )


async def counts(sqs: Sqs, url: str) -> tuple[int, int, int]:
    shown = await sqs.attributes(
        url,
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    return (
        int(shown["ApproximateNumberOfMessages"]),
        int(shown["ApproximateNumberOfMessagesNotVisible"]),
        int(shown["ApproximateNumberOfMessagesDelayed"]),
    )


async def test_counts_purge_and_delete_reach_the_message_store(sqs: Sqs) -> None:
    url = await sqs.create("busy")
    queue = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "busy")
    assert queue is not None
    store = sqs.runtime.store
    await store.send(queue, [message("a"), message("b"), message("later", delay=600)])
    await store.receive(queue, 1, 60)
    assert await counts(sqs, url) == (1, 1, 1)

    await sqs.call("PurgeQueue", QueueUrl=url)
    assert await counts(sqs, url) == (0, 0, 0)

    await store.send(queue, [message("c")])
    assert await counts(sqs, url) == (1, 0, 0)
    await sqs.call("DeleteQueue", QueueUrl=url)
    assert await store.counts(queue) == QueueCounts(0, 0, 0)  # its messages went with it

    await asyncio.sleep(HOLD_SECONDS + 0.2)
    assert await sqs.create("busy") == url
    assert await counts(sqs, url) == (0, 0, 0)
