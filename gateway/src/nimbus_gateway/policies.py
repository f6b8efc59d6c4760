"""Principals' identity policies as the authorizer needs them: from IAM, parsed once, cached.

Entries live a short TTL and are all dropped when IAM publishes any entity change (a group
policy edit changes every member's permissions, so per-principal eviction would be wrong),
which makes a change take effect on every gateway replica within a second or two.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import grpc
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry
from nimbus_policy import MalformedPolicyDocument, Policy, parse_policy

from nimbus_gateway import event_feed

log = logging.getLogger(__name__)

ENTITY_EVENTS_TOPIC = "iam.entity-events.v1"


@dataclass(frozen=True)
class PrincipalPolicies:
    identity: tuple[Policy, ...]
    boundary: Policy | None
    tags: dict[str, str]


NO_POLICIES = PrincipalPolicies((), None, {})


class PolicyCache:
    def __init__(self, channel: grpc.aio.Channel, *, ttl: float = 30.0) -> None:
        self._stub = iam_pb2_grpc.IamInternalStub(channel)
        self._ttl = ttl
        self._entries: dict[str, tuple[float, PrincipalPolicies]] = {}

    async def load(self, principal_arn: str) -> PrincipalPolicies:
        cached = self._entries.get(principal_arn)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        policies = await self._fetch(principal_arn)
        self._entries[principal_arn] = (now + self._ttl, policies)
        return policies

    def invalidate(self) -> None:
        self._entries.clear()

    async def follow_invalidations(self, bootstrap: str, stop: asyncio.Event) -> None:
        await event_feed.follow(
            bootstrap,
            ENTITY_EVENTS_TOPIC,
            on_event=lambda _: self.invalidate(),
            on_connect=self.invalidate,
            stop=stop,
        )

    async def _fetch(self, principal_arn: str) -> PrincipalPolicies:
        request = iam_pb2.GetPrincipalPoliciesRequest(principal_arn=principal_arn)
        try:
            reply = await call_with_retry(
                lambda: self._stub.GetPrincipalPolicies(request, timeout=5), idempotent=True
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() == grpc.StatusCode.NOT_FOUND:
                return NO_POLICIES  # deleted since it authenticated: nothing allows it
            raise error_from_aio_rpc(failure) from None
        identity = tuple(
            policy
            for item in reply.identity_policies
            if (policy := _parse(item, "identity")) is not None
        )
        boundary = (
            _parse(reply.permissions_boundary, "boundary")
            if reply.HasField("permissions_boundary")
            else None
        )
        return PrincipalPolicies(identity, boundary, dict(reply.principal_tags))


def _parse(item: iam_pb2.PrincipalPolicy, kind: str) -> Policy | None:
    """A stored document; one IAM accepted but we cannot parse is skipped, loudly."""
    label = item.policy_arn or f"{item.source_arn}:{item.policy_name}"
    try:
        return parse_policy(item.document, kind, policy_id=label)  # type: ignore[arg-type]
    except MalformedPolicyDocument as exc:
        log.error("stored policy %s does not parse: %s", label, exc.message)
        return None
