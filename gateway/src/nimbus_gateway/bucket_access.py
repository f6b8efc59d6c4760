"""Buckets' owners and access configuration, as the s3 service's S3Internal answers them, cached.

The gateway authorizes S3 requests, answers CORS preflights and serves website endpoints, so
it needs each bucket's owner, policy, ACL, public access block, CORS and website documents on
nearly every request. Answers live a short TTL and are dropped for one bucket as soon as the
topic "s3.bucket-events.v1" announces a change to it (every gateway replica follows it), so a
new bucket policy takes effect within a second or two.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from nimbus.s3.v1 import s3_pb2, s3_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry
from nimbus_policy import MalformedPolicyDocument, Policy, parse_policy

from nimbus_gateway import event_feed

log = logging.getLogger(__name__)

BUCKET_EVENTS_TOPIC = "s3.bucket-events.v1"
S3_INTERNAL = s3_pb2.DESCRIPTOR.services_by_name["S3Internal"].full_name
IDEMPOTENT_METHODS = [(S3_INTERNAL, "GetBucketAccess"), (S3_INTERNAL, "GetObjectAcl")]


@dataclass(frozen=True)
class BucketAccess:
    """Everything that decides who may use a bucket (documents already parsed)."""

    bucket: str
    exists: bool
    owner_account: str = ""
    region: str = ""
    policy: Policy | None = None
    acl: Mapping[str, Any] | None = None
    public_access_block: Mapping[str, Any] = field(default_factory=dict)
    object_ownership: str = ""
    cors_rules: tuple[Mapping[str, Any], ...] = ()
    website: Mapping[str, Any] | None = None

    def blocks(self, setting: str) -> bool:
        """Whether a PublicAccessBlock setting (e.g. "IgnorePublicAcls") is on."""
        return self.public_access_block.get(setting) is True

    @property
    def acls_enabled(self) -> bool:
        """BucketOwnerEnforced disables ACLs: they no longer grant anything."""
        return self.object_ownership != "BucketOwnerEnforced"


@functools.lru_cache(maxsize=2048)
def bucket_policy(document: str) -> Policy | None:
    """A bucket policy, parsed once per distinct document (S3 validated it when it was put)."""
    try:
        return parse_policy(document, "resource", policy_id="bucket-policy")
    except MalformedPolicyDocument as exc:
        log.error("stored bucket policy does not parse: %s", exc.message)
        return None


def _json(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        log.error("S3Internal sent a document that is not JSON: %.80s", text)
        return None


def from_reply(bucket: str, reply: s3_pb2.BucketAccess) -> BucketAccess:
    """The reply with its documents decoded and its policy parsed."""
    if not reply.exists:
        return BucketAccess(bucket=bucket, exists=False)
    cors = _json(reply.cors_json)
    rules = cors.get("CORSRules") if isinstance(cors, dict) else None
    rules = rules if isinstance(rules, list) else None
    acl = _json(reply.acl_json)
    block = _json(reply.public_access_block_json)
    website = _json(reply.website_json)
    return BucketAccess(
        bucket=bucket,
        exists=True,
        owner_account=reply.owner_account,
        region=reply.region,
        policy=bucket_policy(reply.policy) if reply.policy else None,
        acl=acl if isinstance(acl, dict) else None,
        public_access_block=block if isinstance(block, dict) else {},
        object_ownership=reply.object_ownership,
        cors_rules=tuple(r for r in rules if isinstance(r, dict))
        if isinstance(rules, list)
        else (),
        website=website if isinstance(website, dict) and website else None,
    )


class BucketAccessCache:
    """GetBucketAccess answers per bucket; None when the s3 service cannot say (no S3Internal)."""

    def __init__(self, channel: grpc.aio.Channel, *, ttl: float = 10.0) -> None:
        self._stub = s3_pb2_grpc.S3InternalStub(channel)
        self._ttl = ttl
        self._entries: dict[str, tuple[float, BucketAccess | None]] = {}
        self._inflight: dict[str, asyncio.Future[BucketAccess | None]] = {}

    async def get(self, bucket: str) -> BucketAccess | None:
        cached = self._entries.get(bucket)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        pending = self._inflight.get(bucket)
        if pending is not None:  # one fetch per bucket at a time; the others wait for it
            return await asyncio.shield(pending)
        future: asyncio.Future[BucketAccess | None] = asyncio.get_running_loop().create_future()
        self._inflight[bucket] = future
        try:
            found = await self._fetch(bucket)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        else:
            future.set_result(found)
            # An invalidation that arrived while fetching dropped nothing: keep it briefly.
            self._entries[bucket] = (time.monotonic() + self._ttl, found)
            return found
        finally:
            self._inflight.pop(bucket, None)

    async def object_acl(self, bucket: str, key: str, version_id: str | None) -> Mapping[str, Any]:
        """An object's ACL document ({} when the object or its ACL does not exist)."""
        reply = await self._object(bucket, key, version_id)
        if reply is None or not reply.exists:
            return {}
        acl = _json(reply.acl_json)
        return acl if isinstance(acl, dict) else {}

    async def object_tags(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        """An object version's tags ({} when it does not exist or has none)."""
        reply = await self._object(bucket, key, version_id)
        return dict(reply.tags) if reply is not None and reply.exists else {}

    async def _object(
        self, bucket: str, key: str, version_id: str | None
    ) -> s3_pb2.ObjectAcl | None:
        request = s3_pb2.GetObjectAclRequest(bucket=bucket, key=key, version_id=version_id or "")
        try:
            reply = await call_with_retry(
                lambda: self._stub.GetObjectAcl(request, timeout=5), idempotent=True
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.NOT_FOUND):
                return None
            raise error_from_aio_rpc(failure) from None
        answer: s3_pb2.ObjectAcl = reply
        return answer

    def invalidate(self, bucket: str | None = None) -> None:
        if bucket is None:
            self._entries.clear()
        else:
            self._entries.pop(bucket, None)

    async def follow_invalidations(self, bootstrap: str, stop: asyncio.Event) -> None:
        """Drop a bucket's entry as the s3 service announces its changes; runs until stop."""
        await event_feed.follow(
            bootstrap,
            BUCKET_EVENTS_TOPIC,
            on_event=self._apply,
            on_connect=self.invalidate,
            stop=stop,
        )

    def _apply(self, payload: bytes) -> None:
        event_feed.invalidate_by_detail(payload, "bucket", self.invalidate)

    async def _fetch(self, bucket: str) -> BucketAccess | None:
        request = s3_pb2.GetBucketAccessRequest(bucket=bucket)
        try:
            reply = await call_with_retry(
                lambda: self._stub.GetBucketAccess(request, timeout=5), idempotent=True
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None  # an s3 service without S3Internal: authorize by identity alone
            if failure.code() == grpc.StatusCode.NOT_FOUND:
                return BucketAccess(bucket=bucket, exists=False)
            raise error_from_aio_rpc(failure) from None
        return from_reply(bucket, reply)
