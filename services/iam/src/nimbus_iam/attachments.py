"""Managed policies attached to users, groups and roles (Attach/Detach/ListAttached*)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from nimbus_iam import entity_events, policy_store, principals
from nimbus_iam.entity_models import Kind
from nimbus_iam.iam_errors import limit_exceeded, no_such_entity
from nimbus_iam.managed_policies import find_policy
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope

MAX_ATTACHED = 10
_QUOTA_NAME = {
    Kind.USER: "PoliciesPerUser",
    Kind.GROUP: "PoliciesPerGroup",
    Kind.ROLE: "PoliciesPerRole",
}


@dataclass(frozen=True)
class AttachedPolicy:
    name: str
    arn: str
    path: str


class Attachments:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def attach_policy(self, scope: Scope, kind: Kind, name: str, policy_arn: str) -> None:
        """AttachUserPolicy, AttachGroupPolicy and AttachRolePolicy; re-attaching is a no-op."""
        async with self._pool.acquire() as conn, conn.transaction():
            principal = await principals.find(conn, scope, kind, name, lock=True)
            await find_policy(conn, scope, policy_arn, attachable=True)
            attached = await policy_store.attached_arns(conn, principal.principal_id)
            if policy_arn in attached:
                return
            if len(attached) >= MAX_ATTACHED:
                raise limit_exceeded(f"Cannot exceed quota for {_QUOTA_NAME[kind]}: {MAX_ATTACHED}")
            await policy_store.attach(conn, principal.principal_id, scope.account_id, policy_arn)
            await entity_events.emit(
                conn,
                "PolicyAttached",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=await principals.affected_arns(conn, principal),
                detail={"policyArn": policy_arn},
            )

    async def detach_policy(self, scope: Scope, kind: Kind, name: str, policy_arn: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            principal = await principals.find(conn, scope, kind, name, lock=True)
            if not await policy_store.detach(conn, principal.principal_id, policy_arn):
                raise no_such_entity(f"Policy {policy_arn} was not found.")
            await entity_events.emit(
                conn,
                "PolicyDetached",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=await principals.affected_arns(conn, principal),
                detail={"policyArn": policy_arn},
            )

    async def list_attached_policies(
        self,
        scope: Scope,
        kind: Kind,
        name: str,
        path_prefix: str = "/",
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[AttachedPolicy]:
        principal = await principals.find(self._pool, scope, kind, name)
        attached = []
        for arn in await policy_store.attached_arns(self._pool, principal.principal_id):
            policy = await find_policy(self._pool, scope, arn)
            if policy.path.startswith(path_prefix):
                attached.append(AttachedPolicy(policy.name, policy.arn, policy.path))
        return paginate(attached, lambda p: f"{p.name.lower()} {p.arn}", marker, max_items)
