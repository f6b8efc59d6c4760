"""The gateway's cache of S3Internal.GetBucketAccess answers, over real gRPC.

The server here is a stand-in for the s3 service that counts the calls it gets.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
from nimbus.s3.v1 import s3_pb2, s3_pb2_grpc
from nimbus_core import events
from nimbus_core.grpc_client import make_channel
from nimbus_gateway.bucket_access import BucketAccessCache, from_reply

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        ],
    }
)


class Answers(s3_pb2_grpc.S3InternalServicer):
    def __init__(self) -> None:
        self.calls = 0
        self.policy = POLICY

    async def GetBucketAccess(
        self, request: s3_pb2.GetBucketAccessRequest, context: grpc.aio.ServicerContext
    ) -> s3_pb2.BucketAccess:
        self.calls += 1
        await asyncio.sleep(0.05)
        if request.bucket != "b":
            return s3_pb2.BucketAccess(exists=False)
        return s3_pb2.BucketAccess(
            exists=True,
            owner_account="111111111111",
            region="us-east-1",
            policy=self.policy,
            acl_json=json.dumps({"Owner": {"ID": "x"}, "Grants": []}),
            public_access_block_json=json.dumps({"IgnorePublicAcls": True}),
            object_ownership="BucketOwnerPreferred",
            cors_json=json.dumps({"CORSRules": [{"AllowedMethods": ["GET"]}]}),
            website_json="",
        )


@pytest_asyncio.fixture
async def served() -> AsyncIterator[tuple[Answers, grpc.aio.Channel]]:
    answers = Answers()
    server = grpc.aio.server()
    s3_pb2_grpc.add_S3InternalServicer_to_server(answers, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = make_channel([f"127.0.0.1:{port}"])
    try:
        yield answers, channel
    finally:
        await channel.close()
        await server.stop(None)


@pytest.mark.asyncio
async def test_answers_are_decoded_and_cached(served: tuple[Answers, grpc.aio.Channel]) -> None:
    answers, channel = served
    cache = BucketAccessCache(channel)
    found = await cache.get("b")
    assert found is not None and found.exists
    assert found.owner_account == "111111111111"
    assert found.policy is not None and found.policy.statements[0].effect == "Allow"
    assert found.blocks("IgnorePublicAcls") and not found.blocks("RestrictPublicBuckets")
    assert found.acls_enabled
    assert found.cors_rules == ({"AllowedMethods": ["GET"]},)
    assert found.website is None
    assert await cache.get("b") is found
    assert answers.calls == 1
    missing = await cache.get("nope")
    assert missing is not None and not missing.exists


@pytest.mark.asyncio
async def test_concurrent_lookups_share_one_call(
    served: tuple[Answers, grpc.aio.Channel],
) -> None:
    answers, channel = served
    cache = BucketAccessCache(channel)
    found = await asyncio.gather(*(cache.get("b") for _ in range(5)))
    assert answers.calls == 1 and all(f is found[0] for f in found)


@pytest.mark.asyncio
async def test_a_bucket_event_drops_that_bucket_only(
    served: tuple[Answers, grpc.aio.Channel],
) -> None:
    answers, channel = served
    cache = BucketAccessCache(channel)
    await cache.get("b")
    await cache.get("other")
    event = events.new_event(
        source="nimbus.s3",
        detail_type="BucketConfigChanged",
        account="111111111111",
        region="us-east-1",
        detail={"bucket": "b", "change": "policy"},
    )
    answers.policy = ""
    cache._apply(events.encode(event))
    refreshed = await cache.get("b")
    assert refreshed is not None and refreshed.policy is None
    await cache.get("other")
    assert answers.calls == 3


@pytest.mark.asyncio
async def test_ttl_expiry(served: tuple[Answers, grpc.aio.Channel]) -> None:
    answers, channel = served
    cache = BucketAccessCache(channel, ttl=0.1)
    await cache.get("b")
    await asyncio.sleep(0.15)
    await cache.get("b")
    assert answers.calls == 2


@pytest.mark.asyncio
async def test_a_service_without_s3internal_answers_none() -> None:
    server = grpc.aio.server()
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = make_channel([f"127.0.0.1:{port}"])
    try:
        assert await BucketAccessCache(channel).get("b") is None
        assert await BucketAccessCache(channel).object_acl("b", "k", None) == {}
    finally:
        await channel.close()
        await server.stop(None)


def test_bucket_owner_enforced_disables_acls() -> None:
    reply = s3_pb2.BucketAccess(
        exists=True, owner_account="1", object_ownership="BucketOwnerEnforced"
    )
    assert not from_reply("b", reply).acls_enabled
