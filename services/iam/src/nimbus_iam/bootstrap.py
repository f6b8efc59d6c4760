"""The default account and its well-known root key, so a fresh local cloud is usable at once.

Every replica runs this at start, possibly all at the same moment: the inserts are
ON CONFLICT DO NOTHING, so exactly one of them creates the key and announces it.
"""

from __future__ import annotations

import logging

import asyncpg

from nimbus_iam import credential_events, ids, store
from nimbus_iam.accounts import validate_account_name
from nimbus_iam.models import PrincipalType
from nimbus_iam.settings import IamSettings

log = logging.getLogger(__name__)


async def bootstrap_default_account(pool: asyncpg.Pool, settings: IamSettings) -> bool:
    """Ensure the default account and its root key exist; True if this call created the key.

    A key that already exists is left alone even if the settings now say otherwise, so
    replicas started with different settings during a rollout cannot flip it back and forth.
    """
    if not settings.iam_bootstrap:
        return False
    account_id = settings.iam_default_account
    if not ids.ACCOUNT_ID.match(account_id):
        raise ValueError(f"NIMBUS_IAM_DEFAULT_ACCOUNT must be 12 digits, not {account_id!r}")
    validate_account_name(settings.iam_default_account_name)
    key_id = settings.iam_bootstrap_root_key
    async with pool.acquire() as conn, conn.transaction():
        await store.insert_account(conn, account_id, settings.iam_default_account_name)
        key = await store.insert_access_key(
            conn,
            access_key_id=key_id,
            secret_access_key=settings.iam_bootstrap_root_secret,
            account_id=account_id,
            principal_type=PrincipalType.ROOT,
            principal_arn=ids.root_arn(account_id),
            user_id=account_id,
        )
        if key is not None:
            await credential_events.emit(
                conn, key, credential_events.Change.CREATED, settings.region
            )
            log.info("created the default account's root key", extra={"account_id": account_id})
            return True
        existing = await store.get_access_key(conn, key_id)
    if existing is not None and (
        existing.account_id != account_id
        or existing.principal_type is not PrincipalType.ROOT
        or existing.secret_access_key != settings.iam_bootstrap_root_secret
    ):
        log.warning(
            "the bootstrap access key exists with other settings; left unchanged",
            extra={"access_key_id": key_id, "account_id": existing.account_id},
        )
    return False
