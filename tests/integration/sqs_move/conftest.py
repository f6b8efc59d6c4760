"""Message move tasks against the real PostgreSQL and Redis: the sqs handlers called in
process (no gateway), with a database of their own and a Redis key prefix of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core import kafka
from nimbus_core.operations import UnaryHandler
from nimbus_core.runtime import Resources
from nimbus_sqs.api import messages, move_tasks, queues
from nimbus_sqs.runtime import SqsRuntime, build_runtime, key_prefix
from nimbus_sqs.settings import SqsSettings
from redis.asyncio import Redis

from tests.conftest import KAFKA, REDIS

ACCOUNT = "000000000000"
REGION = "us-east-1"
ENDPOINT = "127.0.0.1:4566"


@pytest.fixture
def sqs_settings(database_name: str) -> SqsSettings:
    return SqsSettings(
        pg_database=database_name,
        db_prefix=f"mv{uuid.uuid4().hex[:10]}_",
        redis_url=REDIS,
        kafka_bootstrap=KAFKA,
        sqs_move_interval_seconds=0.1,
    )


@pytest.fixture
async def resources(sqs_pool: asyncpg.Pool, sqs_settings: SqsSettings) -> AsyncIterator[Resources]:
    # The producer is never started: outbox rows stay in the table, nothing reaches Kafka.
    producer = kafka.make_producer(sqs_settings.kafka_bootstrap, "sqs-move-tests")
    found = Resources(settings=sqs_settings, pool=sqs_pool, producer=producer, stop=asyncio.Event())
    yield found
    found.stop.set()
    await _drop_keys(sqs_settings)
    with contextlib.suppress(Exception):
        await producer.stop()


async def _drop_keys(settings: SqsSettings) -> None:
    """Every Redis key this test wrote (its prefix only)."""
    client = Redis.from_url(settings.redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{key_prefix(settings)}*")]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start : start + 500])
    finally:
        await client.aclose()


@pytest.fixture
async def runtime(resources: Resources) -> AsyncIterator[SqsRuntime]:
    built = build_runtime(resources)
    yield built
    await built.redis.aclose()


class Sqs:
    """The sqs operations as the gateway would call them, for one account."""

    def __init__(self, runtime: SqsRuntime, account: str = ACCOUNT) -> None:
        self.runtime = runtime
        self.account = account
        self.handlers: dict[str, UnaryHandler] = {}
        for module in (queues, messages, move_tasks):
            self.handlers.update(module.table(runtime).unary)

    async def call(self, operation: str, **params: Any) -> dict[str, Any]:
        context = RequestContext(
            request_id=str(uuid.uuid4()),
            account_id=self.account,
            region=REGION,
            endpoint_host=ENDPOINT,
            service="sqs",
            api="sqs",
        )
        # The gateway hands the input over as JSON: same here, so nothing is shared by reference.
        return await self.handlers[operation](context, json.loads(json.dumps(params)))

    async def create_queue(self, name: str | None = None, **attributes: Any) -> str:
        """A queue (FIFO when the name ends .fifo); its URL. dict attributes go as JSON."""
        name = name or f"q-{uuid.uuid4().hex[:16]}"
        wire = {
            key: json.dumps(value) if isinstance(value, dict) else str(value)
            for key, value in attributes.items()
        }
        if name.endswith(".fifo"):
            wire["FifoQueue"] = "true"
        created = await self.call("CreateQueue", QueueName=name, Attributes=wire)
        url: str = created["QueueUrl"]
        return url

    async def arn(self, url: str) -> str:
        found = await self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["QueueArn"])
        arn: str = found["Attributes"]["QueueArn"]
        return arn

    async def visible(self, url: str) -> int:
        found = await self.call(
            "GetQueueAttributes",
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )
        attributes = found["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    async def receive(
        self, url: str, max_messages: int = 10, **params: Any
    ) -> list[dict[str, Any]]:
        found = await self.call(
            "ReceiveMessage",
            QueueUrl=url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            **params,
        )
        received: list[dict[str, Any]] = found.get("Messages", [])
        return received

    async def drain(self, url: str, expected: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Receive and delete until expected messages came (or nothing more in timeout)."""
        got: list[dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while len(got) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await self.receive(url)
            for message in batch:
                await self.call(
                    "DeleteMessage", QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                )
            got.extend(batch)
            if not batch:
                await asyncio.sleep(0.05)
        return got

    async def dead_letter(self, url: str, dlq_url: str, count: int, timeout: float = 30.0) -> None:
        """Receive url's messages (maxReceiveCount 1, visibility 0) until count of them sit in
        the DLQ: the next receive past maxReceiveCount moves a message there."""
        deadline = asyncio.get_running_loop().time() + timeout
        while await self.visible(dlq_url) < count:
            assert asyncio.get_running_loop().time() < deadline, "messages never dead-lettered"
            await self.receive(url, VisibilityTimeout=0)

    async def tasks(self, source_arn: str, max_results: int = 10) -> list[dict[str, Any]]:
        found = await self.call(
            "ListMessageMoveTasks", SourceArn=source_arn, MaxResults=max_results
        )
        results: list[dict[str, Any]] = found["Results"]
        return results

    async def wait_status(
        self, source_arn: str, statuses: set[str], timeout: float = 30.0
    ) -> dict[str, Any]:
        """The latest task once its Status is one of statuses."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            latest = (await self.tasks(source_arn, 1))[0]
            if latest["Status"] in statuses:
                return latest
            assert asyncio.get_running_loop().time() < deadline, f"task still {latest}"
            await asyncio.sleep(0.05)


@pytest.fixture
def sqs(runtime: SqsRuntime) -> Sqs:
    return Sqs(runtime)
