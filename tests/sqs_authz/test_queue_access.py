"""The gateway's cache of SqsInternal answers, over real gRPC: one fetch per queue, dropped
by QueueChanged events, never keeping an answer fetched across a change.

The server is a stand-in for the sqs service that records the questions it gets.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import grpc
import pytest
from nimbus.sqs.v1 import sqs_pb2, sqs_pb2_grpc
from nimbus_core import events
from nimbus_core.grpc_client import make_channel
from nimbus_gateway.queue_access import QueueAccess, QueueAccessCache, QueueName

ARN = "arn:aws:sqs:eu-west-1:111111111111:orders"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": "SQS:SendMessage",
                "Resource": ARN,
            }
        ],
    }
)


class Answers(sqs_pb2_grpc.SqsInternalServicer):
    """Answers GetQueueAccess from a dict; a gate, when set, holds each answer back."""

    def __init__(self) -> None:
        self.queues: dict[tuple[str, str, str], sqs_pb2.QueueAccess] = {}
        self.requests: list[sqs_pb2.GetQueueAccessRequest] = []
        self.gate: asyncio.Event | None = None
        self.asked = asyncio.Event()

    async def GetQueueAccess(
        self, request: sqs_pb2.GetQueueAccessRequest, context: grpc.aio.ServicerContext
    ) -> sqs_pb2.QueueAccess:
        self.requests.append(request)
        self.asked.set()
        if self.gate is not None:
            await self.gate.wait()
        reply = self.queues.get((request.account, request.region, request.name))
        return reply if reply is not None else sqs_pb2.QueueAccess(exists=False)


async def _serve(answers: Answers | None) -> tuple[grpc.aio.Server, grpc.aio.Channel]:
    server = grpc.aio.server()
    if answers is not None:
        sqs_pb2_grpc.add_SqsInternalServicer_to_server(answers, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, make_channel([f"127.0.0.1:{port}"])


@pytest.fixture
async def served() -> AsyncIterator[tuple[Answers, QueueAccessCache]]:
    answers = Answers()
    server, channel = await _serve(answers)
    try:
        yield answers, QueueAccessCache(channel, ttl=3600)
    finally:
        await channel.close()
        await server.stop(None)


async def known(cache: QueueAccessCache, arn: str) -> QueueAccess:
    """The cache's answer, which must not be "SqsInternal cannot say"."""
    found = await cache.get(arn)
    assert found is not None
    return found


def changed(arn: str) -> bytes:
    parts = QueueName.of(arn)
    assert parts is not None
    return events.encode(
        events.new_event(
            source="nimbus.sqs",
            detail_type="QueueChanged",
            account=parts.account,
            region=parts.region,
            detail={
                "queueArn": arn,
                "account": parts.account,
                "region": parts.region,
                "name": parts.name,
                "change": "attributes",
            },
        )
    )


def test_queue_arns_are_read_into_their_parts() -> None:
    assert QueueName.of(ARN) == QueueName("eu-west-1", "111111111111", "orders")
    assert QueueName.of("arn:aws:sqs:eu-west-1:111111111111:orders.fifo") == QueueName(
        "eu-west-1", "111111111111", "orders.fifo"
    )
    for other in ("*", "arn:aws:s3:::bucket", "arn:aws:sqs:eu-west-1::orders", ARN + "*"):
        assert QueueName.of(other) is None


async def test_an_answer_is_fetched_once_parsed_and_kept(
    served: tuple[Answers, QueueAccessCache],
) -> None:
    stub, cache = served
    stub.queues[("111111111111", "eu-west-1", "orders")] = sqs_pb2.QueueAccess(
        exists=True,
        owner_account="111111111111",
        queue_arn=ARN,
        policy=POLICY,
        tags={"team": "blue"},
    )
    first, second = await asyncio.gather(cache.get(ARN), cache.get(ARN))
    assert first is second and first is not None
    assert first.exists and first.owner_account == "111111111111"
    assert first.policy is not None and len(first.policy.statements) == 1
    assert dict(first.tags) == {"team": "blue"}
    assert await cache.get(ARN) is first
    assert [(r.account, r.region, r.name) for r in stub.requests] == [
        ("111111111111", "eu-west-1", "orders")
    ]


async def test_a_queue_changed_event_drops_that_queue_only(
    served: tuple[Answers, QueueAccessCache],
) -> None:
    stub, cache = served
    other = "arn:aws:sqs:eu-west-1:111111111111:other"
    assert not (await known(cache, ARN)).exists
    await cache.get(other)
    stub.queues[("111111111111", "eu-west-1", "orders")] = sqs_pb2.QueueAccess(
        exists=True, owner_account="111111111111", queue_arn=ARN
    )
    cache._apply(changed(ARN))
    assert (await known(cache, ARN)).exists
    await cache.get(other)
    assert [r.name for r in stub.requests] == ["orders", "other", "orders"]


async def test_an_unreadable_event_drops_everything(
    served: tuple[Answers, QueueAccessCache],
) -> None:
    stub, cache = served
    await cache.get(ARN)
    cache._apply(b"\xff not an event")
    await cache.get(ARN)
    assert len(stub.requests) == 2


async def test_an_answer_fetched_across_a_change_is_not_kept(
    served: tuple[Answers, QueueAccessCache],
) -> None:
    stub, cache = served
    stub.gate = asyncio.Event()
    slow = asyncio.create_task(cache.get(ARN))
    await stub.asked.wait()
    cache._apply(changed(ARN))  # the change committed while the old answer was on its way
    stub.gate.set()
    stale = await slow
    assert stale is not None and not stale.exists
    stub.gate = None
    stub.queues[("111111111111", "eu-west-1", "orders")] = sqs_pb2.QueueAccess(
        exists=True, owner_account="111111111111", queue_arn=ARN
    )
    assert (await known(cache, ARN)).exists
    assert len(stub.requests) == 2


async def test_without_sqs_internal_the_answer_is_none() -> None:
    server, channel = await _serve(None)  # an sqs service that predates SqsInternal
    try:
        assert await QueueAccessCache(channel).get(ARN) is None
    finally:
        await channel.close()
        await server.stop(None)


async def test_a_name_that_is_no_queue_is_not_asked_about(
    served: tuple[Answers, QueueAccessCache],
) -> None:
    stub, cache = served
    found = await cache.get("*")
    assert found is not None and not found.exists
    assert stub.requests == []
