"""Queues' owners, policies and tags, as the sqs service's SqsInternal answers them, cached.

The gateway evaluates a queue's policy as the resource policy of every request naming the
queue, so it needs it on nearly every SQS request. Answers live a short TTL and are dropped
for one queue as soon as the topic "sqs.queue-events.v1" announces a change to it (every
gateway replica follows it), so AddPermission takes effect within a second or two.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import grpc
from nimbus.sqs.v1 import sqs_pb2, sqs_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry
from nimbus_policy import MalformedPolicyDocument, Policy, parse_policy

from nimbus_gateway import event_feed

log = logging.getLogger(__name__)

QUEUE_EVENTS_TOPIC = "sqs.queue-events.v1"
SQS_INTERNAL = sqs_pb2.DESCRIPTOR.services_by_name["SqsInternal"].full_name
IDEMPOTENT_METHODS = [(SQS_INTERNAL, "GetQueueAccess")]


@dataclass(frozen=True)
class QueueAccess:
    """Everything that decides who may use a queue (its policy already parsed)."""

    arn: str
    exists: bool
    owner_account: str = ""
    policy: Policy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueName:
    """A queue ARN's parts: arn:<partition>:sqs:<region>:<account>:<name>."""

    region: str
    account: str
    name: str

    @classmethod
    def of(cls, arn: str) -> QueueName | None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
            return None
        region, account, name = parts[3], parts[4], parts[5]
        if not (region and account and name) or "*" in arn or "?" in arn:
            return None
        return cls(region, account, name)


@functools.lru_cache(maxsize=2048)
def queue_policy(document: str) -> Policy | None:
    """A queue policy, parsed once per distinct document (SQS validated it when it was set)."""
    try:
        return parse_policy(document, "resource", policy_id="queue-policy")
    except MalformedPolicyDocument as exc:
        log.error("stored queue policy does not parse: %s", exc.message)
        return None


def from_reply(arn: str, reply: sqs_pb2.QueueAccess) -> QueueAccess:
    """The reply with its policy parsed."""
    if not reply.exists:
        return QueueAccess(arn=arn, exists=False)
    return QueueAccess(
        arn=reply.queue_arn or arn,
        exists=True,
        owner_account=reply.owner_account,
        policy=queue_policy(reply.policy) if reply.policy else None,
        tags=dict(reply.tags),
    )


class QueueAccessCache:
    """GetQueueAccess answers per queue ARN; None when the sqs service cannot say."""

    def __init__(self, channel: grpc.aio.Channel, *, ttl: float = 10.0) -> None:
        self._stub = sqs_pb2_grpc.SqsInternalStub(channel)
        self._ttl = ttl
        self._entries: dict[str, tuple[float, QueueAccess | None]] = {}
        self._inflight: dict[str, asyncio.Future[QueueAccess | None]] = {}
        # Bumped by invalidations (all queues; one queue): an answer fetched across one may
        # predate the change it announced, so it is returned but not kept.
        self._epoch = 0
        self._versions: dict[str, int] = {}

    async def get(self, arn: str) -> QueueAccess | None:
        """The queue an ARN names (exists=False if none); None without SqsInternal."""
        cached = self._entries.get(arn)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        pending = self._inflight.get(arn)
        if pending is not None:  # one fetch per queue at a time; the others wait for it
            return await asyncio.shield(pending)
        future: asyncio.Future[QueueAccess | None] = asyncio.get_running_loop().create_future()
        self._inflight[arn] = future
        version = self._version(arn)
        try:
            found = await self._fetch(arn)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        else:
            future.set_result(found)
            if version == self._version(arn):
                self._entries[arn] = (time.monotonic() + self._ttl, found)
            return found
        finally:
            if self._inflight.get(arn) is future:
                del self._inflight[arn]

    def _version(self, arn: str) -> tuple[int, int]:
        return self._epoch, self._versions.get(arn, 0)

    def invalidate(self, arn: str | None = None) -> None:
        if arn is None:
            self._epoch += 1
            self._versions.clear()
            self._entries.clear()
            self._inflight.clear()  # later callers fetch afresh; earlier ones keep waiting
        else:
            self._versions[arn] = self._versions.get(arn, 0) + 1
            self._entries.pop(arn, None)
            self._inflight.pop(arn, None)

    async def follow_invalidations(self, bootstrap: str, stop: asyncio.Event) -> None:
        """Drop a queue's entry as the sqs service announces its changes; runs until stop."""
        await event_feed.follow(
            bootstrap,
            QUEUE_EVENTS_TOPIC,
            on_event=self._apply,
            on_connect=self.invalidate,
            stop=stop,
        )

    def _apply(self, payload: bytes) -> None:
        event_feed.invalidate_by_detail(payload, "queueArn", self.invalidate)

    async def _fetch(self, arn: str) -> QueueAccess | None:
        name = QueueName.of(arn)
        if name is None:
            return QueueAccess(arn=arn, exists=False)
        request = sqs_pb2.GetQueueAccessRequest(
            account=name.account, region=name.region, name=name.name
        )
        try:
            reply = await call_with_retry(
                lambda: self._stub.GetQueueAccess(request, timeout=5), idempotent=True
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None  # an sqs service without SqsInternal: authorize by identity alone
            raise error_from_aio_rpc(failure) from None
        return from_reply(arn, reply)
