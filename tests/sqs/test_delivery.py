"""At-least-once delivery under load: 8 concurrent consumers take 10,000 messages.

Four producers send the messages with SendMessageBatch while eight consumers (threads, each
with its own boto3 client, spread over both sqs replicas by the gateway) receive and delete
them. Every message must be delivered, none lost, and once a delete with the message's latest
receipt handle has returned, no receive that starts later may deliver that message again.
Duplicates (which at-least-once allows) are counted and reported, not failed.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.sqs.conftest import QueueFactory, SqsCloud, counts, sqs_client

pytestmark = pytest.mark.system

MESSAGES = 10_000
PRODUCERS = 4
CONSUMERS = 8
VISIBILITY = 5  # seconds: the queue's VisibilityTimeout
RUN_DEADLINE = 150.0  # seconds for sending and consuming everything


@dataclass
class Ledger:
    """What the consumers saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    deliveries: Counter[str] = field(default_factory=Counter)  # body -> times delivered
    ids_by_body: dict[str, set[str]] = field(default_factory=dict)
    latest_handle: dict[str, str] = field(default_factory=dict)  # message id -> handle
    deleted_at: dict[str, float] = field(default_factory=dict)  # message id -> delete returned
    deleted_bodies: set[str] = field(default_factory=set)
    deleted_ids: set[str] = field(default_factory=set)
    resurrections: list[str] = field(default_factory=list)
    bad_md5: list[str] = field(default_factory=list)
    delete_failures: Counter[str] = field(default_factory=Counter)
    receive_errors: Counter[str] = field(default_factory=Counter)

    def delivered(self, started: float, messages: list[dict[str, Any]]) -> None:
        with self.lock:
            for message in messages:
                body, message_id = message["Body"], message["MessageId"]
                self.deliveries[body] += 1
                self.ids_by_body.setdefault(body, set()).add(message_id)
                self.latest_handle[message_id] = message["ReceiptHandle"]
                if hashlib.md5(body.encode()).hexdigest() != message["MD5OfBody"]:
                    self.bad_md5.append(body)
                deleted = self.deleted_at.get(message_id)
                if deleted is not None and started > deleted:
                    self.resurrections.append(
                        f"{message_id} ({body}) delivered by a receive that started "
                        f"{started - deleted:.3f}s after its delete returned"
                    )

    def latest_ones(self, messages: list[dict[str, Any]]) -> set[str]:
        """Ids of the messages whose handle here is the newest one issued (so far)."""
        with self.lock:
            return {
                m["MessageId"]
                for m in messages
                if self.latest_handle.get(m["MessageId"]) == m["ReceiptHandle"]
            }

    def deleted(self, messages: list[dict[str, Any]], latest: set[str]) -> None:
        now = time.monotonic()
        with self.lock:
            for message in messages:
                self.deleted_bodies.add(message["Body"])
                self.deleted_ids.add(message["MessageId"])
                if message["MessageId"] in latest:
                    self.deleted_at.setdefault(message["MessageId"], now)


def produce(client: Any, url: str, bodies: list[str], sent_ids: dict[str, str]) -> None:
    for start in range(0, len(bodies), 10):
        chunk = bodies[start : start + 10]
        reply = client.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(chunk)],
        )
        assert not reply.get("Failed"), reply.get("Failed")
        assert len(reply["Successful"]) == len(chunk)
        for entry in reply["Successful"]:
            body = chunk[int(entry["Id"])]
            assert entry["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
            sent_ids[body] = entry["MessageId"]


def consume(client: Any, url: str, ledger: Ledger, done: threading.Event) -> None:
    while not done.is_set():
        started = time.monotonic()
        try:
            messages = client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", [])
        except Exception as error:  # counted and reported; a consumer keeps going
            with ledger.lock:
                ledger.receive_errors[type(error).__name__] += 1
            time.sleep(0.05)
            continue
        if not messages:
            continue
        ledger.delivered(started, messages)
        latest = ledger.latest_ones(messages)
        reply = client.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )
        ok = [messages[int(entry["Id"])] for entry in reply.get("Successful", [])]
        ledger.deleted(ok, latest)
        for failure in reply.get("Failed", []):
            with ledger.lock:
                ledger.delete_failures[failure["Code"]] += 1


def test_eight_consumers_take_10000_messages_none_lost_none_back_after_delete(
    sqs_cloud: SqsCloud, sqs: Any, queue: QueueFactory
) -> None:
    url = queue(VisibilityTimeout=VISIBILITY)
    run = uuid.uuid4().hex[:8]
    bodies = [f"{run}-{n:05d}" for n in range(MESSAGES)]
    share = MESSAGES // PRODUCERS
    sent_ids: dict[str, str] = {}
    ledger = Ledger()
    done = threading.Event()

    started = time.monotonic()
    with ThreadPoolExecutor(PRODUCERS + CONSUMERS) as pool:
        consumers = [
            pool.submit(consume, sqs_client(sqs_cloud.endpoint), url, ledger, done)
            for _ in range(CONSUMERS)
        ]
        producers = [
            pool.submit(
                produce,
                sqs_client(sqs_cloud.endpoint),
                url,
                bodies[n * share : (n + 1) * share],
                sent_ids,
            )
            for n in range(PRODUCERS)
        ]
        try:
            for future in producers:
                future.result()
            sent_took = time.monotonic() - started
            while time.monotonic() - started < RUN_DEADLINE:
                with ledger.lock:
                    if len(ledger.deleted_bodies) >= MESSAGES:
                        break
                time.sleep(0.1)
        finally:
            done.set()
        for future in consumers:
            future.result()
    took = time.monotonic() - started

    duplicates = {body: n for body, n in ledger.deliveries.items() if n > 1}
    print(
        f"\n{MESSAGES} messages: sent in {sent_took:.1f}s, all taken in {took:.1f}s "
        f"({MESSAGES / took:.0f} msg/s end to end); {len(duplicates)} delivered more than "
        f"once ({sum(duplicates.values()) - len(duplicates)} extra deliveries); "
        f"delete failures {dict(ledger.delete_failures)}, "
        f"receive errors {dict(ledger.receive_errors)}"
    )

    assert len(sent_ids) == MESSAGES
    missing = set(bodies) - set(ledger.deliveries)
    assert not missing, f"{len(missing)} messages never delivered, e.g. {sorted(missing)[:5]}"
    assert set(ledger.deliveries) == set(bodies), "bodies nobody sent were delivered"
    assert set(ledger.deleted_bodies) == set(bodies)
    assert not ledger.bad_md5, f"MD5OfBody wrong for {ledger.bad_md5[:5]}"
    wrong_ids = [b for b in bodies if ledger.ids_by_body[b] != {sent_ids[b]}]
    assert not wrong_ids, f"delivered under another MessageId than sent: {wrong_ids[:5]}"
    assert not ledger.resurrections, "\n".join(ledger.resurrections[:20])
    assert len(ledger.deleted_ids) == MESSAGES

    # Once everything is deleted nothing comes back, not even after the visibility timeout
    # of any handle still out there has passed.
    quiet_until = time.monotonic() + VISIBILITY + 2
    returned: list[str] = []
    while time.monotonic() < quiet_until:
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        returned += [m["Body"] for m in reply.get("Messages", [])]
    assert not returned, f"{len(returned)} deleted messages came back, e.g. {returned[:5]}"
    assert counts(sqs, url) == (0, 0, 0)
