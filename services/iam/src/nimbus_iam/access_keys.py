"""Access keys of users (and of root, when the caller is root and names no user).

Keys live in access_keys with the owner's ARN, so ResolveAccessKey serves them like root
keys. Every change announces AccessKeyChanged in its own transaction: the gateway's cache
drops the key at once instead of at its TTL.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from nimbus_iam import credential_events, ids, principal_store, principals, store
from nimbus_iam.entity_models import Kind
from nimbus_iam.iam_errors import limit_exceeded, no_such_entity
from nimbus_iam.models import AccessKey, KeyStatus, PrincipalType
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope
from nimbus_iam.users import is_user_arn

MAX_KEYS_PER_USER = 2
_ATTEMPTS = 8


@dataclass(frozen=True)
class KeyOwner:
    """Whose keys an operation works on: a user (name set) or the account's root."""

    arn: str
    user_id: str
    principal_type: PrincipalType
    user_name: str | None


def key_not_found(access_key_id: str) -> Exception:
    return no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")


class AccessKeys:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def _owner(
        self,
        conn: asyncpg.Connection | asyncpg.Pool,
        scope: Scope,
        user_name: str | None,
        *,
        lock: bool = False,
    ) -> KeyOwner:
        if user_name is None and scope.caller_id and is_user_arn(scope.caller_arn):
            caller = await principal_store.get_by_id(conn, scope.caller_id)
            if caller is None:
                raise no_such_entity("The user with name (caller) cannot be found.")
            user_name = caller.name
        if user_name is None:
            return KeyOwner(
                ids.root_arn(scope.account_id), scope.account_id, PrincipalType.ROOT, None
            )
        user = await principals.find(conn, scope, Kind.USER, user_name, lock=lock)
        return KeyOwner(user.arn, user.principal_id, PrincipalType.USER, user.name)

    async def create_access_key(
        self, scope: Scope, user_name: str | None
    ) -> tuple[KeyOwner, AccessKey]:
        """A new key and secret; at most two per user (LimitExceeded beyond)."""
        async with self._pool.acquire() as conn, conn.transaction():
            owner = await self._owner(conn, scope, user_name, lock=True)
            if len(await store.list_access_keys(conn, owner.arn)) >= MAX_KEYS_PER_USER:
                raise limit_exceeded(
                    f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}"
                )
            for _ in range(_ATTEMPTS):
                key = await store.insert_access_key(
                    conn,
                    access_key_id=ids.new_access_key_id(),
                    secret_access_key=ids.new_secret_access_key(),
                    account_id=scope.account_id,
                    principal_type=owner.principal_type,
                    principal_arn=owner.arn,
                    user_id=owner.user_id,
                )
                if key is not None:
                    await credential_events.emit(
                        conn, key, credential_events.Change.CREATED, scope.region
                    )
                    return owner, key
        raise RuntimeError("no free access key id found")

    async def list_access_keys(
        self,
        scope: Scope,
        user_name: str | None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[KeyOwner, Page[AccessKey]]:
        owner = await self._owner(self._pool, scope, user_name)
        keys = await store.list_access_keys(self._pool, owner.arn)
        return owner, paginate(keys, lambda k: k.access_key_id, marker, max_items)

    async def _owned_key(
        self, conn: asyncpg.Connection, scope: Scope, user_name: str | None, access_key_id: str
    ) -> AccessKey:
        owner = await self._owner(conn, scope, user_name, lock=True)
        key = await store.get_access_key(conn, access_key_id)
        if (
            key is None
            or key.temporary
            or key.principal_arn != owner.arn
            or key.account_id != scope.account_id
        ):
            raise key_not_found(access_key_id)
        return key

    async def update_access_key(
        self, scope: Scope, user_name: str | None, access_key_id: str, status: KeyStatus
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            key = await self._owned_key(conn, scope, user_name, access_key_id)
            await store.set_access_key_status(conn, access_key_id, status)
            change = (
                credential_events.Change.ACTIVATED
                if status is KeyStatus.ACTIVE
                else credential_events.Change.DEACTIVATED
            )
            await credential_events.emit(conn, key, change, scope.region)

    async def delete_access_key(
        self, scope: Scope, user_name: str | None, access_key_id: str
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            key = await self._owned_key(conn, scope, user_name, access_key_id)
            await store.delete_access_key(conn, access_key_id)
            await credential_events.emit(conn, key, credential_events.Change.DELETED, scope.region)

    async def get_access_key_last_used(
        self, scope: Scope, access_key_id: str
    ) -> tuple[str | None, AccessKey]:
        """The key's last use and its owner's user name (None for root)."""
        key = await store.get_access_key(self._pool, access_key_id)
        if key is None or key.account_id != scope.account_id:
            raise key_not_found(access_key_id)
        name = (
            key.principal_arn.rsplit("/", 1)[-1]
            if key.principal_type is PrincipalType.USER
            else None
        )
        return name, key
