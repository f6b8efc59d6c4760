"""Accounts and their root keys: what `nimbus accounts create` and `list` do."""

from __future__ import annotations

import logging

import asyncpg
from nimbus_core.errors import AwsError

from nimbus_iam import credential_events, ids, store
from nimbus_iam.models import AccessKey, Account, PrincipalType

log = logging.getLogger(__name__)

# Random ids collide about never; a few attempts turn "about never" into "never in practice".
_ATTEMPTS = 8


def validate_account_name(name: str) -> None:
    """AWS Organizations' rule: 1 to 50 printable ASCII characters."""
    if not 1 <= len(name) <= 50 or not all(" " <= c <= "~" for c in name):
        raise AwsError(
            "ValidationError",
            "The account name must be 1 to 50 printable ASCII characters.",
            400,
        )


class Accounts:
    """Creates and lists accounts; a new account comes with its root user's access key."""

    def __init__(self, pool: asyncpg.Pool, region: str) -> None:
        self._pool = pool
        self._region = region

    async def create_account(self, name: str) -> tuple[Account, AccessKey]:
        """A new account with a random id and a root access key, announced in one commit."""
        validate_account_name(name)
        async with self._pool.acquire() as conn, conn.transaction():
            account = await _insert_new_account(conn, name)
            key = await insert_root_key(conn, account.account_id)
            await credential_events.emit(conn, key, credential_events.Change.CREATED, self._region)
        log.info("created account", extra={"account_id": account.account_id})
        return account, key

    async def list_accounts(self) -> list[Account]:
        return await store.list_accounts(self._pool)


async def _insert_new_account(conn: asyncpg.Connection, name: str) -> Account:
    for _ in range(_ATTEMPTS):
        account = await store.insert_account(conn, ids.new_account_id(), name)
        if account is not None:
            return account
    raise RuntimeError("no free account id found")


async def insert_root_key(conn: asyncpg.Connection, account_id: str) -> AccessKey:
    """A fresh AKIA key and secret for the root user of account_id."""
    for _ in range(_ATTEMPTS):
        key = await store.insert_access_key(
            conn,
            access_key_id=ids.new_access_key_id(),
            secret_access_key=ids.new_secret_access_key(),
            account_id=account_id,
            principal_type=PrincipalType.ROOT,
            principal_arn=ids.root_arn(account_id),
            user_id=account_id,
        )
        if key is not None:
            return key
    raise RuntimeError("no free access key id found")
