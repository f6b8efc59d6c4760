"""The queue operations against the real PostgreSQL and Redis, handlers called in process
(no gateway): a database of their own with the core and sqs migrations applied, dropped
afterwards, and a Redis key prefix of their own, cleaned up afterwards.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core import kafka
from nimbus_core.errors import AwsError
from nimbus_core.operations import UnaryHandler
from nimbus_core.runtime import Resources
from nimbus_sqs.api import queues
from nimbus_sqs.runtime import SqsRuntime, build_runtime, key_prefix
from nimbus_sqs.settings import SqsSettings
from redis.asyncio import Redis

from tests.conftest import KAFKA, REDIS

ACCOUNT = "000000000000"
OTHER_ACCOUNT = "111111111111"
REGION = "us-east-1"
ENDPOINT = "127.0.0.1:4566"
# Short holds so that QueueDeletedRecently and PurgeQueueInProgress can be seen to end.
HOLD_SECONDS = 1.0


@pytest.fixture
def sqs_settings(database_name: str) -> SqsSettings:
    return SqsSettings(
        pg_database=database_name,
        db_prefix=f"qt{uuid.uuid4().hex[:10]}_",
        redis_url=REDIS,
        kafka_bootstrap=KAFKA,
        sqs_deleted_name_hold_seconds=HOLD_SECONDS,
        sqs_purge_hold_seconds=HOLD_SECONDS,
    )


@pytest.fixture
async def runtime(sqs_pool: asyncpg.Pool, sqs_settings: SqsSettings) -> AsyncIterator[SqsRuntime]:
    # The producer is never started: outbox rows stay in the table for the tests to read.
    producer = kafka.make_producer(sqs_settings.kafka_bootstrap, "sqs-queue-tests")
    resources = Resources(
        settings=sqs_settings, pool=sqs_pool, producer=producer, stop=asyncio.Event()
    )
    built = build_runtime(resources)
    yield built
    await _drop_keys(built.redis, key_prefix(sqs_settings))
    await built.redis.aclose()


async def _drop_keys(client: Redis, prefix: str) -> None:
    """Every Redis key this test wrote (its prefix only)."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    for start in range(0, len(keys), 500):
        await client.delete(*keys[start : start + 500])


class Sqs:
    """The queue operations as the gateway calls them, for one caller account."""

    def __init__(self, runtime: SqsRuntime, account: str = ACCOUNT) -> None:
        self.runtime = runtime
        self.account = account
        self.handlers: dict[str, UnaryHandler] = dict(queues.table(runtime).unary)

    def as_account(self, account: str) -> Sqs:
        return Sqs(self.runtime, account)

    async def call(self, operation: str, **params: Any) -> dict[str, Any]:
        context = RequestContext(
            request_id=str(uuid.uuid4()),
            account_id=self.account,
            region=REGION,
            endpoint_host=ENDPOINT,
            service="sqs",
            api="sqs",
        )
        # The gateway hands the input over as JSON: same here, nothing shared by reference.
        return await self.handlers[operation](context, json.loads(json.dumps(params)))

    async def error(self, operation: str, **params: Any) -> tuple[str, str, int]:
        """(code, message, HTTP status) of the AwsError the call must raise."""
        with pytest.raises(AwsError) as caught:
            await self.call(operation, **params)
        return caught.value.code, caught.value.message, caught.value.http_status

    async def create(self, name: str, **attributes: str) -> str:
        created = await self.call("CreateQueue", QueueName=name, Attributes=attributes)
        url: str = created["QueueUrl"]
        return url

    async def attributes(self, url: str, *names: str) -> dict[str, str]:
        found = await self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=list(names))
        shown: dict[str, str] = found.get("Attributes", {})
        return shown


@pytest.fixture
def sqs(runtime: SqsRuntime) -> Sqs:
    return Sqs(runtime)


def url_of(name: str, account: str = ACCOUNT) -> str:
    return f"http://{ENDPOINT}/{account}/{name}"


def arn_of(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sqs:{REGION}:{account}:{name}"
