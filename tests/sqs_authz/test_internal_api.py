"""SqsInternal.GetQueueAccess against a real PostgreSQL database with the sqs schema, served
over a real gRPC server (an ephemeral port on 127.0.0.1)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import asyncpg
import grpc
import pytest
from nimbus.sqs.v1 import sqs_pb2, sqs_pb2_grpc
from nimbus_core.db import ensure_database
from nimbus_core.migrations import apply_migrations, load_migrations
from nimbus_core.runtime import Resources
from nimbus_sqs import internal_api

pytestmark = pytest.mark.infra

OWNER = "111111111111"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Id": f"arn:aws:sqs:eu-west-1:{OWNER}:orders/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "share",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": "SQS:SendMessage",
                "Resource": f"arn:aws:sqs:eu-west-1:{OWNER}:orders",
            }
        ],
    }
)


@pytest.fixture
async def pool(pg_server: str, database_name: str, fresh_database: str) -> AsyncIterator[Any]:
    await ensure_database(pg_server, database_name)
    created = await asyncpg.create_pool(fresh_database, min_size=1, max_size=2)
    async with created.acquire() as conn:
        await apply_migrations(conn, "sqs", load_migrations("nimbus_sqs.migrations"))
    yield created
    await created.close()


async def add_queue(
    pool: Any, name: str, *, region: str = "eu-west-1", attributes: dict[str, str], tags: Any
) -> None:
    await pool.execute(
        "INSERT INTO sqs_queues (queue_id, account, region, name, fifo, attributes, tags)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)",
        uuid.uuid4(),
        OWNER,
        region,
        name,
        name.endswith(".fifo"),
        json.dumps(attributes),
        json.dumps(tags),
    )


@pytest.fixture
async def stub(pool: Any) -> AsyncIterator[sqs_pb2_grpc.SqsInternalStub]:
    server = grpc.aio.server()
    resources = cast(Resources, SimpleNamespace(pool=pool))
    internal_api.registrar(resources)(server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield sqs_pb2_grpc.SqsInternalStub(channel)
    await server.stop(None)


async def test_a_queue_with_a_policy_and_tags(
    stub: sqs_pb2_grpc.SqsInternalStub, pool: Any
) -> None:
    await add_queue(
        pool,
        "orders",
        attributes={"VisibilityTimeout": "30", "Policy": POLICY},
        tags={"team": "blue", "cost": "7"},
    )
    await add_queue(pool, "orders", region="us-east-1", attributes={}, tags={})
    access = await stub.GetQueueAccess(
        sqs_pb2.GetQueueAccessRequest(account=OWNER, region="eu-west-1", name="orders")
    )
    assert access.exists is True
    assert access.owner_account == OWNER
    assert access.queue_arn == f"arn:aws:sqs:eu-west-1:{OWNER}:orders"
    assert access.policy == POLICY
    assert dict(access.tags) == {"team": "blue", "cost": "7"}

    other_region = await stub.GetQueueAccess(
        sqs_pb2.GetQueueAccessRequest(account=OWNER, region="us-east-1", name="orders")
    )
    assert other_region.exists and other_region.policy == "" and dict(other_region.tags) == {}


async def test_queues_that_do_not_exist(stub: sqs_pb2_grpc.SqsInternalStub, pool: Any) -> None:
    await add_queue(pool, "orders", attributes={}, tags={})
    for account, region, name in (
        ("222222222222", "eu-west-1", "orders"),  # another account's namesake
        (OWNER, "eu-west-2", "orders"),
        (OWNER, "eu-west-1", "Orders"),  # queue names are case-sensitive
        (OWNER, "eu-west-1", "orders\x00"),
    ):
        access = await stub.GetQueueAccess(
            sqs_pb2.GetQueueAccessRequest(account=account, region=region, name=name)
        )
        assert access.exists is False, (account, region, name)
        assert access.owner_account == "" and access.policy == ""
