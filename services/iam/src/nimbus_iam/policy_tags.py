"""Tags of customer managed policies: TagPolicy, UntagPolicy, ListPolicyTags."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from nimbus_iam import aws_managed, entity_events, policy_store, principals
from nimbus_iam.entity_models import ManagedPolicy, Tag
from nimbus_iam.managed_policies import find_policy, policy_not_found
from nimbus_iam.pagination import Page
from nimbus_iam.scope import Scope


async def _find_local(
    conn: asyncpg.Connection | asyncpg.Pool, scope: Scope, arn: str, *, lock: bool = False
) -> ManagedPolicy:
    """AWS managed policies carry no tags of an account: they are not found for tagging."""
    if aws_managed.is_aws_managed(arn):
        raise policy_not_found(arn)
    return await find_policy(conn, scope, arn, lock=lock)


class PolicyTags:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def tag_policy(self, scope: Scope, arn: str, tags: Sequence[Tag]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            policy = await _find_local(conn, scope, arn, lock=True)
            merged = principals.merge_tags(policy.tags, tags)
            await policy_store.set_policy_tags(conn, policy.policy_id, merged)
            await self._changed(conn, scope, arn)

    async def untag_policy(self, scope: Scope, arn: str, keys: Sequence[str]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            policy = await _find_local(conn, scope, arn, lock=True)
            kept = principals.without_tags(policy.tags, keys)
            await policy_store.set_policy_tags(conn, policy.policy_id, kept)
            await self._changed(conn, scope, arn)

    async def list_policy_tags(
        self, scope: Scope, arn: str, marker: str | None = None, max_items: int | None = None
    ) -> Page[Tag]:
        policy = await _find_local(self._pool, scope, arn)
        return principals.tag_page(policy.tags, marker, max_items)

    async def _changed(self, conn: asyncpg.Connection, scope: Scope, arn: str) -> None:
        await entity_events.emit(
            conn,
            "PolicyTagsChanged",
            account_id=scope.account_id,
            region=scope.region,
            principal_arns=[arn],
            detail={"policyArn": arn},
        )
