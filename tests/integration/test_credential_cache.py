"""The gateway's credential cache drops a key as soon as IAM announces a change to it."""

from __future__ import annotations

import asyncio
import time

import grpc
import pytest
from aiokafka import AIOKafkaProducer
from nimbus_core import kafka
from nimbus_core.events import encode, new_event
from nimbus_gateway.credentials import CREDENTIAL_EVENTS_TOPIC, AccessKeyIdentity, CredentialStore

pytestmark = pytest.mark.infra


def identity(key: str) -> AccessKeyIdentity:
    return AccessKeyIdentity(
        key,
        "secret",
        "",
        "000000000000",
        "arn:aws:iam::000000000000:root",
        "000000000000",
        True,
        None,
    )


async def test_a_credential_event_evicts_the_cached_key(kafka_bootstrap: str) -> None:
    await kafka.ensure_topics(kafka_bootstrap, [CREDENTIAL_EVENTS_TOPIC])
    channel = grpc.aio.insecure_channel("127.0.0.1:1")  # never called: entries are cached
    store = CredentialStore(channel)
    for key in ("AKIAKEEP", "AKIADROP"):
        store._entries[key] = (time.monotonic() + 3600, identity(key))
    stop = asyncio.Event()
    follower = asyncio.create_task(store.follow_invalidations(kafka_bootstrap, stop))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await asyncio.sleep(2)  # the follower subscribes from the latest offset
        store._entries["AKIAKEEP"] = (time.monotonic() + 3600, identity("AKIAKEEP"))
        store._entries["AKIADROP"] = (time.monotonic() + 3600, identity("AKIADROP"))
        event = new_event(
            source="nimbus.iam",
            detail_type="AccessKeyChanged",
            account="000000000000",
            region="us-east-1",
            detail={"accessKeyId": "AKIADROP", "change": "Deactivated"},
        )
        await producer.send_and_wait(CREDENTIAL_EVENTS_TOPIC, encode(event))
        for _ in range(100):
            if "AKIADROP" not in store._entries:
                break
            await asyncio.sleep(0.1)
        assert "AKIADROP" not in store._entries
        assert "AKIAKEEP" in store._entries
    finally:
        stop.set()
        await follower
        await producer.stop()
        await channel.close()
