"""Access keys as the gateway needs them: resolved through IAM, cached, invalidated by events.

The gateway verifies signatures itself, so it needs each key's secret; IAM's typed
ResolveAccessKey RPC provides it. Entries live for a short TTL and are dropped at once
when IAM announces a change on the credential-events topic; unknown keys are remembered
briefly so a flood of bad keys does not become a flood of IAM calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry

from nimbus_gateway import event_feed

log = logging.getLogger(__name__)

CREDENTIAL_EVENTS_TOPIC = "iam.credential-events.v1"


@dataclass(frozen=True)
class AccessKeyIdentity:
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    principal_arn: str
    user_id: str
    active: bool
    expiration: datetime | None
    # Assumed-role sessions only: session policy documents, session tags, the role's ARN.
    session_policies: tuple[str, ...] = ()
    session_tags: dict[str, str] = field(default_factory=dict)
    role_arn: str = ""

    @property
    def expired(self) -> bool:
        return self.expiration is not None and self.expiration <= datetime.now(UTC)


class CredentialStore:
    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        ttl: float = 60.0,
        negative_ttl: float = 5.0,
    ) -> None:
        self._stub = iam_pb2_grpc.IamInternalStub(channel)
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._entries: dict[str, tuple[float, AccessKeyIdentity | None]] = {}

    async def resolve(self, access_key_id: str) -> AccessKeyIdentity | None:
        """The key's identity, or None when IAM does not know it."""
        cached = self._entries.get(access_key_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        identity = await self._fetch(access_key_id)
        self._entries[access_key_id] = (
            now + (self._ttl if identity else self._negative_ttl),
            identity,
        )
        return identity

    async def record_use(self, access_key_id: str, service: str, region: str) -> None:
        """Best effort: IAM's last-used information must never fail a request."""
        request = iam_pb2.RecordAccessKeyUseRequest(
            access_key_id=access_key_id, service=service, region=region
        )
        try:
            await self._stub.RecordAccessKeyUse(request, timeout=2)
        except grpc.aio.AioRpcError as failure:
            log.debug("could not record access key use: %s", failure.code())

    def invalidate(self, access_key_id: str | None = None) -> None:
        """Forget one key, or every key."""
        if access_key_id is None:
            self._entries.clear()
        else:
            self._entries.pop(access_key_id, None)

    async def _fetch(self, access_key_id: str) -> AccessKeyIdentity | None:
        request = iam_pb2.ResolveAccessKeyRequest(access_key_id=access_key_id)
        try:
            reply = await call_with_retry(
                lambda: self._stub.ResolveAccessKey(request, timeout=5), idempotent=True
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise error_from_aio_rpc(failure) from None
        return AccessKeyIdentity(
            access_key_id=reply.access_key_id,
            secret_access_key=reply.secret_access_key,
            session_token=reply.session_token,
            account_id=reply.account_id,
            principal_arn=reply.principal_arn,
            user_id=reply.user_id,
            active=reply.status == "Active",
            expiration=reply.expiration.ToDatetime(UTC) if reply.HasField("expiration") else None,
            session_policies=tuple(reply.session_policies),
            session_tags=dict(reply.session_tags),
            role_arn=reply.role_arn,
        )

    async def follow_invalidations(self, bootstrap: str, stop: asyncio.Event) -> None:
        """Drop cache entries as IAM announces key changes; runs until stop is set."""
        await event_feed.follow(
            bootstrap,
            CREDENTIAL_EVENTS_TOPIC,
            on_event=self._apply,
            on_connect=self.invalidate,
            stop=stop,
        )

    def _apply(self, payload: bytes) -> None:
        event_feed.invalidate_by_detail(payload, "accessKeyId", self.invalidate)
