"""IAM users: one method per AWS operation, in AWS's terms, free of wire formats."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from nimbus_iam import (
    account_store,
    credential_events,
    entity_events,
    ids,
    policy_store,
    principal_store,
    principals,
    store,
)
from nimbus_iam.entity_models import Kind, Principal, Tag
from nimbus_iam.iam_errors import already_exists, delete_conflict, no_such_entity
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope


def is_user_arn(arn: str) -> bool:
    return ":user/" in arn


class Users:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_user(
        self,
        scope: Scope,
        name: str,
        path: str = "/",
        tags: Sequence[Tag] = (),
        permissions_boundary: str | None = None,
    ) -> Principal:
        async with self._pool.acquire() as conn, conn.transaction():
            return await principals.create(
                conn, scope, Kind.USER, name, path, tags=tags, boundary_arn=permissions_boundary
            )

    async def get_user(self, scope: Scope, name: str | None) -> Principal:
        """The named user, or without a name the caller (root included, as AWS does)."""
        if name is not None:
            return await principals.find(self._pool, scope, Kind.USER, name)
        if scope.caller_id and is_user_arn(scope.caller_arn):
            caller = await principal_store.get_by_id(self._pool, scope.caller_id)
            if caller is not None:
                return caller
            raise no_such_entity("The user with name (caller) cannot be found.")
        account = await store.get_account(self._pool, scope.account_id)
        if account is None:
            raise no_such_entity("The user cannot be found.")
        return Principal(
            principal_id=account.account_id,
            account_id=account.account_id,
            kind=Kind.USER,
            name="",
            path="/",
            arn=ids.root_arn(account.account_id),
            created=account.created,
        )

    async def list_users(
        self,
        scope: Scope,
        path_prefix: str = "/",
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[Principal]:
        users = await principal_store.list_all(self._pool, scope.account_id, Kind.USER, path_prefix)
        return paginate(users, lambda u: u.name.lower(), marker, max_items)

    async def update_user(
        self, scope: Scope, name: str, new_name: str | None = None, new_path: str | None = None
    ) -> None:
        """Rename and/or move a user; its keys follow it to the new ARN."""
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            target_name = new_name or user.name
            target_path = new_path or user.path
            arn = ids.entity_arn(scope.account_id, "user", target_path, target_name)
            if not await principal_store.rename(
                conn, user.principal_id, target_name, target_path, arn
            ):
                raise already_exists(f"User with name {target_name} already exists.")
            for key in await store.move_access_keys(conn, user.arn, arn):
                # Caches hold the old ARN: make them fetch the key again.
                await credential_events.emit(
                    conn,
                    key,
                    credential_events.Change.ACTIVATED
                    if key.status.value == "Active"
                    else credential_events.Change.DEACTIVATED,
                    scope.region,
                )
            await entity_events.emit(
                conn,
                "UserUpdated",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[user.arn, arn],
            )

    async def delete_user(self, scope: Scope, name: str) -> None:
        """Only a user with nothing left attached can go (AWS's DeleteConflict otherwise)."""
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            if await account_store.get_login_profile(conn, user.principal_id):
                raise delete_conflict("Cannot delete entity, must delete login profile first.")
            if await principal_store.count_access_keys(conn, user.arn):
                raise delete_conflict("Cannot delete entity, must delete access keys first.")
            if await policy_store.inline_policies(conn, user.principal_id):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if await policy_store.attached_arns(conn, user.principal_id):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if await principal_store.count_groups_of(conn, user.principal_id):
                raise delete_conflict(
                    "Cannot delete entity, must remove user from all groups first."
                )
            await principal_store.delete(conn, user.principal_id)
            await entity_events.emit(
                conn,
                "UserDeleted",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[user.arn],
            )

    async def tag_user(self, scope: Scope, name: str, tags: Sequence[Tag]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            await principals.tag(conn, scope, user, tags)

    async def untag_user(self, scope: Scope, name: str, keys: Sequence[str]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            await principals.untag(conn, scope, user, keys)

    async def list_user_tags(
        self, scope: Scope, name: str, marker: str | None = None, max_items: int | None = None
    ) -> Page[Tag]:
        user = await principals.find(self._pool, scope, Kind.USER, name)
        return principals.tag_page(user.tags, marker, max_items)

    async def put_user_permissions_boundary(self, scope: Scope, name: str, policy_arn: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            await principals.set_boundary(conn, scope, user, policy_arn)

    async def delete_user_permissions_boundary(self, scope: Scope, name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            await principals.set_boundary(conn, scope, user, None)
