"""IAM roles: one method per AWS operation. The trust policy is validated as such (a
Principal, no Resource) and kept verbatim."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from nimbus_iam import (
    entity_events,
    instance_profile_store,
    policy_store,
    principal_store,
    principals,
)
from nimbus_iam.entity_models import Kind, Principal, Tag
from nimbus_iam.iam_errors import delete_conflict, limit_exceeded
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.policy_documents import (
    PolicyKind,
    size_without_whitespace,
    validate_policy_document,
)
from nimbus_iam.scope import Scope

DEFAULT_MAX_SESSION_DURATION = 3600
MAX_TRUST_POLICY_SIZE = 2048


def check_trust_policy(document: str) -> None:
    if size_without_whitespace(document) > MAX_TRUST_POLICY_SIZE:
        raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {MAX_TRUST_POLICY_SIZE}")
    validate_policy_document(document, PolicyKind.TRUST)


class Roles:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_role(
        self,
        scope: Scope,
        name: str,
        assume_role_policy: str,
        path: str = "/",
        description: str | None = None,
        max_session_duration: int | None = None,
        permissions_boundary: str | None = None,
        tags: Sequence[Tag] = (),
    ) -> Principal:
        check_trust_policy(assume_role_policy)
        async with self._pool.acquire() as conn, conn.transaction():
            return await principals.create(
                conn,
                scope,
                Kind.ROLE,
                name,
                path,
                tags=tags,
                boundary_arn=permissions_boundary,
                description=description,
                assume_role_policy=assume_role_policy,
                max_session_duration=max_session_duration or DEFAULT_MAX_SESSION_DURATION,
            )

    async def get_role(self, scope: Scope, name: str) -> Principal:
        return await principals.find(self._pool, scope, Kind.ROLE, name)

    async def list_roles(
        self,
        scope: Scope,
        path_prefix: str = "/",
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[Principal]:
        roles = await principal_store.list_all(self._pool, scope.account_id, Kind.ROLE, path_prefix)
        return paginate(roles, lambda r: r.name.lower(), marker, max_items)

    async def update_role(
        self,
        scope: Scope,
        name: str,
        description: str | None = None,
        max_session_duration: int | None = None,
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            await principal_store.update_role(
                conn,
                role.principal_id,
                description=description,
                max_session_duration=max_session_duration,
            )
            await entity_events.emit(
                conn,
                "RoleUpdated",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[role.arn],
            )

    async def update_assume_role_policy(self, scope: Scope, name: str, document: str) -> None:
        check_trust_policy(document)
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            await principal_store.update_role(conn, role.principal_id, assume_role_policy=document)
            await entity_events.emit(
                conn,
                "RoleTrustPolicyUpdated",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[role.arn],
            )

    async def delete_role(self, scope: Scope, name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            if await instance_profile_store.of_role(conn, role.principal_id):
                raise delete_conflict(
                    "Cannot delete entity, must remove roles from instance profile first."
                )
            if await policy_store.inline_policies(conn, role.principal_id):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if await policy_store.attached_arns(conn, role.principal_id):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            await principal_store.delete(conn, role.principal_id)
            await entity_events.emit(
                conn,
                "RoleDeleted",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[role.arn],
            )

    async def tag_role(self, scope: Scope, name: str, tags: Sequence[Tag]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            await principals.tag(conn, scope, role, tags)

    async def untag_role(self, scope: Scope, name: str, keys: Sequence[str]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            await principals.untag(conn, scope, role, keys)

    async def list_role_tags(
        self, scope: Scope, name: str, marker: str | None = None, max_items: int | None = None
    ) -> Page[Tag]:
        role = await principals.find(self._pool, scope, Kind.ROLE, name)
        return principals.tag_page(role.tags, marker, max_items)

    async def put_role_permissions_boundary(self, scope: Scope, name: str, policy_arn: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            await principals.set_boundary(conn, scope, role, policy_arn)

    async def delete_role_permissions_boundary(self, scope: Scope, name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principals.find(conn, scope, Kind.ROLE, name, lock=True)
            await principals.set_boundary(conn, scope, role, None)
