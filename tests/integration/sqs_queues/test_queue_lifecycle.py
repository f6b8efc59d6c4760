"""CreateQueue, GetQueueUrl, DeleteQueue, ListQueues and the queue events, against the real
PostgreSQL (and Redis for the message store)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from nimbus_core.events import decode, detail
from nimbus_sqs import queues

from tests.integration.sqs_queues.conftest import (
    ACCOUNT,
    ENDPOINT,
    HOLD_SECONDS,
    OTHER_ACCOUNT,
    REGION,
    Sqs,
    arn_of,
    url_of,
)

pytestmark = pytest.mark.infra


async def events(pool: asyncpg.Pool) -> list[tuple[str, bytes, dict[str, Any]]]:
    """(topic, key, detail) of every event written so far, in order."""
    rows = await pool.fetch("SELECT topic, key, payload FROM nimbus_outbox ORDER BY id")
    return [(r["topic"], bytes(r["key"]), detail(decode(bytes(r["payload"])))) for r in rows]


async def test_create_get_and_defaults(sqs: Sqs) -> None:
    url = await sqs.create("orders")
    assert url == url_of("orders")
    assert await sqs.call("GetQueueUrl", QueueName="orders") == {"QueueUrl": url}
    shown = await sqs.attributes(url, "All")
    created = int(shown.pop("CreatedTimestamp"))
    assert int(shown.pop("LastModifiedTimestamp")) == created
    assert shown == {
        "QueueArn": arn_of("orders"),
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }
    assert await sqs.attributes(url, "VisibilityTimeout", "Policy") == {"VisibilityTimeout": "30"}
    assert await sqs.call("GetQueueAttributes", QueueUrl=url) == {}
    assert await sqs.error("GetQueueAttributes", QueueUrl=url, AttributeNames=["Nope"]) == (
        "InvalidAttributeName",
        "Unknown Attribute Nope.",
        400,
    )
    # The regional URL form names the same queue.
    regional = f"http://sqs.{REGION}.{ENDPOINT}/{ACCOUNT}/orders"
    assert (await sqs.attributes(regional, "QueueArn"))["QueueArn"] == arn_of("orders")


async def test_create_is_idempotent_only_for_matching_attributes(sqs: Sqs) -> None:
    url = await sqs.create("idem", VisibilityTimeout="45", DelaySeconds="5")
    assert await sqs.create("idem", VisibilityTimeout="45") == url
    assert await sqs.create("idem") == url
    assert await sqs.error(
        "CreateQueue", QueueName="idem", Attributes={"VisibilityTimeout": "46"}
    ) == (
        "QueueNameExists",
        "A queue already exists with the same name and a different value for attribute "
        "VisibilityTimeout",
        400,
    )
    assert (await sqs.attributes(url, "VisibilityTimeout"))["VisibilityTimeout"] == "45"


async def test_create_validation(sqs: Sqs) -> None:
    name_rule = (
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
    )
    assert await sqs.error("CreateQueue", QueueName="a" * 81) == (
        "InvalidParameterValue",
        name_rule,
        400,
    )
    assert (await sqs.error("CreateQueue", QueueName="plain.fifo"))[:2] == (
        "InvalidParameterValue",
        name_rule,
    )
    assert (await sqs.error("CreateQueue", QueueName="plain", Attributes={"FifoQueue": "true"}))[
        :2
    ] == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")
    assert (await sqs.error("CreateQueue", QueueName="plain", Attributes={"DelaySeconds": "901"}))[
        :2
    ] == ("InvalidAttributeValue", "Invalid value for the parameter DelaySeconds.")
    assert (await sqs.error("CreateQueue", QueueName="plain", Attributes={"QueueArn": "x"}))[
        :2
    ] == ("InvalidAttributeName", "Unknown Attribute QueueArn.")
    # Nothing was created by any of the failures.
    assert await sqs.call("ListQueues") == {}


async def test_fifo_queue(sqs: Sqs) -> None:
    url = await sqs.create(
        "jobs.fifo",
        FifoQueue="true",
        ContentBasedDeduplication="true",
        DeduplicationScope="messageGroup",
        FifoThroughputLimit="perMessageGroupId",
    )
    shown = await sqs.attributes(url, "All")
    assert shown["FifoQueue"] == "true"
    assert shown["ContentBasedDeduplication"] == "true"
    assert shown["DeduplicationScope"] == "messageGroup"
    assert shown["FifoThroughputLimit"] == "perMessageGroupId"
    record = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "jobs.fifo")
    assert record is not None and record.fifo and record.dedup_per_group
    assert (
        await sqs.error(
            "SetQueueAttributes", QueueUrl=url, Attributes={"DeduplicationScope": "queue"}
        )
    )[:2] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoThroughputLimit. Reason: To set FifoThroughputLimit "
        "to perMessageGroupId, the DeduplicationScope must be messageGroup.",
    )
    assert (await sqs.error("SetQueueAttributes", QueueUrl=url, Attributes={"FifoQueue": "false"}))[
        0
    ] == "InvalidAttributeValue"
    standard = await sqs.create("std")
    assert (
        await sqs.error(
            "SetQueueAttributes", QueueUrl=standard, Attributes={"DeduplicationScope": "queue"}
        )
    )[:2] == (
        "InvalidAttributeName",
        "You can specify the DeduplicationScope only when FifoQueue is set to true.",
    )


async def test_delete_holds_the_name_then_recreates_empty(sqs: Sqs) -> None:
    url = await sqs.create("gone", VisibilityTimeout="40")
    first = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "gone")
    assert first is not None
    await sqs.call("DeleteQueue", QueueUrl=url)
    assert await sqs.error("GetQueueUrl", QueueName="gone") == (
        "QueueDoesNotExist",
        "The specified queue does not exist.",
        400,
    )
    assert (await sqs.error("DeleteQueue", QueueUrl=url))[0] == "QueueDoesNotExist"
    assert await sqs.error("CreateQueue", QueueName="gone") == (
        "QueueDeletedRecently",
        f"You must wait {int(HOLD_SECONDS)} seconds after deleting a queue before you can "
        "create another with the same name.",
        400,
    )
    await asyncio.sleep(HOLD_SECONDS + 0.2)
    assert await sqs.create("gone") == url
    second = await queues.load(sqs.runtime.pool, ACCOUNT, REGION, "gone")
    assert second is not None
    assert second.queue_id != first.queue_id
    assert second.attributes["VisibilityTimeout"] == "30"


async def test_every_change_writes_its_event(sqs: Sqs) -> None:
    url = await sqs.create("evented")
    await sqs.call("SetQueueAttributes", QueueUrl=url, Attributes={"DelaySeconds": "3"})
    await sqs.call("TagQueue", QueueUrl=url, Tags={"team": "a"})
    await sqs.call(
        "AddPermission",
        QueueUrl=url,
        Label="L",
        AWSAccountIds=[OTHER_ACCOUNT],
        Actions=["SendMessage"],
    )
    await sqs.call("PurgeQueue", QueueUrl=url)
    await sqs.call("DeleteQueue", QueueUrl=url)
    written = await events(sqs.runtime.pool)
    arn = arn_of("evented")
    assert [(topic, key) for topic, key, _ in written] == [
        ("sqs.queue-events.v1", arn.encode())
    ] * 6
    assert [d["change"] for _, _, d in written] == [
        "created",
        "attributes",
        "tags",
        "attributes",
        "purged",
        "deleted",
    ]
    assert written[0][2] == {
        "queueArn": arn,
        "account": ACCOUNT,
        "region": REGION,
        "name": "evented",
        "change": "created",
    }


async def test_failed_changes_write_no_event(sqs: Sqs) -> None:
    url = await sqs.create("quiet")
    before = len(await events(sqs.runtime.pool))
    await sqs.error("SetQueueAttributes", QueueUrl=url, Attributes={"VisibilityTimeout": "-1"})
    await sqs.error("TagQueue", QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)})
    await sqs.error("CreateQueue", QueueName="quiet", Attributes={"DelaySeconds": "9"})
    assert len(await events(sqs.runtime.pool)) == before


async def test_list_queues_prefix_pages_and_accounts(sqs: Sqs) -> None:
    names = [f"app-{i:02d}" for i in range(5)]
    for name in names:
        await sqs.create(name)
    await sqs.create("other")
    await sqs.as_account(OTHER_ACCOUNT).create("app-theirs")

    everything = await sqs.call("ListQueues")
    assert everything == {"QueueUrls": [url_of(n) for n in [*names, "other"]]}
    assert "NextToken" not in everything

    seen: list[str] = []
    page = await sqs.call("ListQueues", QueueNamePrefix="app-", MaxResults=2)
    while True:
        seen.extend(page["QueueUrls"])
        if "NextToken" not in page:
            break
        assert len(page["QueueUrls"]) == 2
        page = await sqs.call(
            "ListQueues", QueueNamePrefix="app-", MaxResults=2, NextToken=page["NextToken"]
        )
    assert seen == [url_of(n) for n in names]

    first = await sqs.call("ListQueues", QueueNamePrefix="app-", MaxResults=2)
    assert (
        await sqs.error(
            "ListQueues", QueueNamePrefix="other", MaxResults=2, NextToken=first["NextToken"]
        )
    )[1] == (
        "Invalid NextToken value. If you are passing in NextToken, you must not change the "
        "other request parameters."
    )
    assert (await sqs.error("ListQueues", NextToken=first["NextToken"]))[1] == (
        "MaxResults is a mandatory parameter when you provide a value for NextToken."
    )
    assert (await sqs.error("ListQueues", MaxResults=2, NextToken="%%%"))[1] == (
        "Invalid NextToken value."
    )
    for bad in (0, 1001):
        assert await sqs.error("ListQueues", MaxResults=bad) == (
            "InvalidParameterValue",
            "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
            "between 1 and 1000.",
            400,
        )
    assert await sqs.call("ListQueues", QueueNamePrefix="nothing") == {}
    theirs = await sqs.as_account(OTHER_ACCOUNT).call("ListQueues")
    assert theirs == {"QueueUrls": [url_of("app-theirs", OTHER_ACCOUNT)]}


async def test_cross_account_lookup(sqs: Sqs) -> None:
    url = await sqs.create("shared")
    other = sqs.as_account(OTHER_ACCOUNT)
    assert await other.call("GetQueueUrl", QueueName="shared", QueueOwnerAWSAccountId=ACCOUNT) == {
        "QueueUrl": url
    }
    assert (await other.error("GetQueueUrl", QueueName="shared"))[0] == "QueueDoesNotExist"
    # A queue URL names its owner: the other account's call reaches this account's queue.
    assert (await other.attributes(url, "QueueArn"))["QueueArn"] == arn_of("shared")
    assert (await sqs.error("GetQueueAttributes", QueueUrl="not a url"))[0] == "QueueDoesNotExist"
    assert (await sqs.error("GetQueueUrl", QueueName=""))[:2] == (
        "InvalidParameterValue",
        "Value for parameter QueueName is invalid. Reason: Must specify a queue name.",
    )


async def test_concurrent_creates_make_one_queue(sqs: Sqs) -> None:
    urls = await asyncio.gather(*(sqs.create("racy", DelaySeconds="2") for _ in range(8)))
    assert set(urls) == {url_of("racy")}
    created = [d for _, _, d in await events(sqs.runtime.pool) if d["change"] == "created"]
    assert len(created) == 1
    outcomes = await asyncio.gather(
        *(sqs.create("racy2", DelaySeconds=str(i % 2)) for i in range(8)), return_exceptions=True
    )
    winners = {o for o in outcomes if isinstance(o, str)}
    losers = [o for o in outcomes if not isinstance(o, str)]
    assert winners == {url_of("racy2")}
    assert losers and all(getattr(o, "code", None) == "QueueNameExists" for o in losers)
