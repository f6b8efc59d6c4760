"""Inline policies of users, groups and roles (Put/Get/Delete/List *Policy)."""

from __future__ import annotations

import asyncpg

from nimbus_iam import entity_events, policy_store, principals
from nimbus_iam.entity_models import InlinePolicy, Kind
from nimbus_iam.iam_errors import limit_exceeded, no_such_entity
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.policy_documents import (
    PolicyKind,
    size_without_whitespace,
    validate_policy_document,
)
from nimbus_iam.scope import Scope

# All of one principal's inline policies together, not counting whitespace.
MAX_INLINE_SIZE = {Kind.USER: 2048, Kind.GROUP: 5120, Kind.ROLE: 10240}


def inline_not_found(kind: Kind, name: str) -> Exception:
    return no_such_entity(f"The {kind.value} policy with name {name} cannot be found.")


class InlinePolicies:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def put_policy(
        self, scope: Scope, kind: Kind, principal_name: str, policy_name: str, document: str
    ) -> None:
        """PutUserPolicy, PutGroupPolicy, PutRolePolicy: create or replace."""
        validate_policy_document(document, PolicyKind.IDENTITY)
        async with self._pool.acquire() as conn, conn.transaction():
            principal = await principals.find(conn, scope, kind, principal_name, lock=True)
            others = await policy_store.inline_policies(conn, principal.principal_id)
            others.pop(policy_name, None)
            total = size_without_whitespace(document) + sum(
                size_without_whitespace(d) for d in others.values()
            )
            limit = MAX_INLINE_SIZE[kind]
            if total > limit:
                raise limit_exceeded(
                    f"Maximum policy size of {limit} bytes exceeded"
                    f" for {kind.value} {principal.name}"
                )
            await policy_store.put_inline(conn, principal.principal_id, policy_name, document)
            await entity_events.emit(
                conn,
                "InlinePolicyPut",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=await principals.affected_arns(conn, principal),
                detail={"policyName": policy_name},
            )

    async def get_policy(
        self, scope: Scope, kind: Kind, principal_name: str, policy_name: str
    ) -> InlinePolicy:
        principal = await principals.find(self._pool, scope, kind, principal_name)
        document = await policy_store.get_inline(self._pool, principal.principal_id, policy_name)
        if document is None:
            raise inline_not_found(kind, policy_name)
        return InlinePolicy(principal, policy_name, document)

    async def delete_policy(
        self, scope: Scope, kind: Kind, principal_name: str, policy_name: str
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            principal = await principals.find(conn, scope, kind, principal_name, lock=True)
            if not await policy_store.delete_inline(conn, principal.principal_id, policy_name):
                raise inline_not_found(kind, policy_name)
            await entity_events.emit(
                conn,
                "InlinePolicyDeleted",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=await principals.affected_arns(conn, principal),
                detail={"policyName": policy_name},
            )

    async def list_policies(
        self,
        scope: Scope,
        kind: Kind,
        principal_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[str]:
        principal = await principals.find(self._pool, scope, kind, principal_name)
        names = list(await policy_store.inline_policies(self._pool, principal.principal_id))
        return paginate(names, lambda n: n, marker, max_items)
