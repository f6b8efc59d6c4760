"""Account aliases: at most one per account, unique across every account."""

from __future__ import annotations

import asyncpg

from nimbus_iam import account_store, entity_events, ids
from nimbus_iam.iam_errors import already_exists, no_such_entity
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope


class AccountAliases:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_account_alias(self, scope: Scope, alias: str) -> None:
        """Creating the alias the account already has is a no-op; another one replaces it."""
        async with self._pool.acquire() as conn, conn.transaction():
            current = await account_store.get_alias(conn, scope.account_id)
            if current == alias:
                return
            if current is not None:
                await account_store.delete_alias(conn, scope.account_id, current)
            if not await account_store.insert_alias(conn, scope.account_id, alias):
                raise already_exists(f"The account alias {alias} already exists.")
            await self._changed(conn, scope, "AccountAliasCreated", alias)

    async def delete_account_alias(self, scope: Scope, alias: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if not await account_store.delete_alias(conn, scope.account_id, alias):
                raise no_such_entity(f"The account alias {alias} cannot be found.")
            await self._changed(conn, scope, "AccountAliasDeleted", alias)

    async def list_account_aliases(
        self, scope: Scope, marker: str | None = None, max_items: int | None = None
    ) -> Page[str]:
        alias = await account_store.get_alias(self._pool, scope.account_id)
        return paginate([alias] if alias else [], lambda a: a, marker, max_items)

    async def _changed(
        self, conn: asyncpg.Connection, scope: Scope, detail_type: str, alias: str
    ) -> None:
        await entity_events.emit(
            conn,
            detail_type,
            account_id=scope.account_id,
            region=scope.region,
            principal_arns=[ids.root_arn(scope.account_id)],
            detail={"accountAlias": alias},
        )
