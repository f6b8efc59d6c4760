"""IAM groups and membership: one method per AWS operation."""

from __future__ import annotations

import asyncpg

from nimbus_iam import entity_events, ids, policy_store, principal_store, principals
from nimbus_iam.entity_models import Kind, Principal
from nimbus_iam.iam_errors import already_exists, delete_conflict, limit_exceeded
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope

MAX_GROUPS_PER_USER = 10


class Groups:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_group(self, scope: Scope, name: str, path: str = "/") -> Principal:
        async with self._pool.acquire() as conn, conn.transaction():
            return await principals.create(conn, scope, Kind.GROUP, name, path)

    async def get_group(
        self, scope: Scope, name: str, marker: str | None = None, max_items: int | None = None
    ) -> tuple[Principal, Page[Principal]]:
        """The group and a page of its users."""
        group = await principals.find(self._pool, scope, Kind.GROUP, name)
        users = await principal_store.members(self._pool, group.principal_id)
        return group, paginate(users, lambda u: u.name.lower(), marker, max_items)

    async def list_groups(
        self,
        scope: Scope,
        path_prefix: str = "/",
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[Principal]:
        groups = await principal_store.list_all(
            self._pool, scope.account_id, Kind.GROUP, path_prefix
        )
        return paginate(groups, lambda g: g.name.lower(), marker, max_items)

    async def update_group(
        self, scope: Scope, name: str, new_name: str | None = None, new_path: str | None = None
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            group = await principals.find(conn, scope, Kind.GROUP, name, lock=True)
            target_name, target_path = new_name or group.name, new_path or group.path
            arn = ids.entity_arn(scope.account_id, "group", target_path, target_name)
            if not await principal_store.rename(
                conn, group.principal_id, target_name, target_path, arn
            ):
                raise already_exists(f"Group with name {target_name} already exists.")
            affected = await principals.affected_arns(conn, group)
            await entity_events.emit(
                conn,
                "GroupUpdated",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[*affected, arn],
            )

    async def delete_group(self, scope: Scope, name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            group = await principals.find(conn, scope, Kind.GROUP, name, lock=True)
            if await principal_store.count_members(conn, group.principal_id):
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            if await policy_store.inline_policies(conn, group.principal_id):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if await policy_store.attached_arns(conn, group.principal_id):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            await principal_store.delete(conn, group.principal_id)
            await entity_events.emit(
                conn,
                "GroupDeleted",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[group.arn],
            )

    async def add_user_to_group(self, scope: Scope, group_name: str, user_name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            group = await principals.find(conn, scope, Kind.GROUP, group_name)
            user = await principals.find(conn, scope, Kind.USER, user_name, lock=True)
            if (
                await principal_store.count_groups_of(conn, user.principal_id)
                >= MAX_GROUPS_PER_USER
            ):
                raise limit_exceeded(
                    f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}"
                )
            if await principal_store.add_member(conn, group.principal_id, user.principal_id):
                await entity_events.emit(
                    conn,
                    "UserAddedToGroup",
                    account_id=scope.account_id,
                    region=scope.region,
                    principal_arns=[user.arn, group.arn],
                )

    async def remove_user_from_group(self, scope: Scope, group_name: str, user_name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            group = await principals.find(conn, scope, Kind.GROUP, group_name)
            user = await principals.find(conn, scope, Kind.USER, user_name, lock=True)
            if not await principal_store.remove_member(conn, group.principal_id, user.principal_id):
                raise principals.not_found(Kind.USER, user_name)
            await entity_events.emit(
                conn,
                "UserRemovedFromGroup",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[user.arn, group.arn],
            )

    async def list_groups_for_user(
        self, scope: Scope, user_name: str, marker: str | None = None, max_items: int | None = None
    ) -> Page[Principal]:
        user = await principals.find(self._pool, scope, Kind.USER, user_name)
        groups = await principal_store.groups_of(self._pool, user.principal_id)
        return paginate(groups, lambda g: g.name.lower(), marker, max_items)
